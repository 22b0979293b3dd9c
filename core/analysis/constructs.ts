/**
 * The handlers of the constructs a call can make: a DAG (`DAG(...)`) and a
 * task (an operator call), each from a CallSite whichever reader found it,
 * with the checks of the call's own arguments (VX101, VX103–VX106,
 * VX202–VX207, VX401, VX405), which need what the model does not keep.
 */
import type { Node } from 'web-tree-sitter';
import { dictEntries, durationSeconds, literalValue, SIMPLE_LITERALS, simpleLiteral } from './literals';
import type { Argument, DagModel, LiteralValue, OperatorKind, Range } from './model';
import { KNOWN_DAG_ARGS, REQUIRED_ARGUMENT, knownOperatorArgs, operatorKind } from './operators';
import { makeRange, stringList, TaskRecord, type CallPositions } from './records';
import { checkSchedule } from './schedule';
import { scheduleExpression, type ScheduleExpression } from './scheduleExpressions';
import { closest } from './suggest';
import type { OperatorCallee } from './callees';
import type { CallSite } from './callSite';
import type { Value } from './builder';
import { StructureBuilder } from './structure';
import { ArgumentRecord } from './records';

/** Operators that choose which of their downstream tasks run. */
export function isBranchOperator(name: string): boolean {
  return (name.startsWith('Branch') && name.endsWith('Operator')) || name === 'ShortCircuitOperator';
}

/** A `trigger_rule=` argument's value: a string, or `TriggerRule.ALL_DONE` read as Airflow's value `all_done`. */
export function triggerRule(arg: Argument | undefined): string | null {
  if (!arg) return null;
  if (typeof arg.value === 'string') return arg.value;
  const member = /(?:^|\.)TriggerRule\.([A-Z_]+)$/.exec(arg.text.replace(/\s+/g, ''));
  return member ? member[1].toLowerCase() : null;
}

/**
 * Airflow's rule for a `dag_id` and a `task_id` (`validate_key`): 1 to 250
 * characters matching Python's `[\w.-]`, where `\w` is a letter or a digit of
 * any script (`str.isalnum()`) or `_`. Most ids are ASCII, so that is tried first.
 */
const ASCII_ID = /^[A-Za-z0-9_.-]{1,250}$/;
const ID_CHARACTERS = /^[\p{L}\p{N}_.-]+$/u;
const MAX_ID_LENGTH = 250;

/** Why Airflow refuses `id` as a `dag_id` or `task_id` (after "The task_id "…" "), or undefined when it accepts it. */
function idProblem(id: string): string | undefined {
  if (ASCII_ID.test(id)) return undefined;
  // Python counts code points, not UTF-16 units.
  const length = [...id].length;
  if (length === 0) return 'is empty';
  if (length > MAX_ID_LENGTH) return `is ${length} characters long (the limit is ${MAX_ID_LENGTH})`;
  if (ID_CHARACTERS.test(id)) return undefined;
  return 'may use only letters and digits (of any script), "_", "-" and "."';
}

/** An id as a message shows it: at most 60 characters, and one line. */
function shownId(id: string): string {
  const line = id.replace(/[\r\n]+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}

/**
 * Airflow's own test for "might contain a DAG": the text mentions a DAG and one

/** The range of a call's callee. */
function operatorRange(call: CallPositions): Range {
  return makeRange(call.line, call.character, call.operatorEndLine, call.operatorEndCharacter);
}

/** An argument list read from the tree (see `ConstructBuilder.readArguments`). */
export interface ReadArguments {
  byName: Record<string, Argument>;
  hasSplat: boolean;
  list: Argument[];
  /** Value nodes of arguments that are not simple literals, by name. */
  nodes: Record<string, Node>;
}

export class ConstructBuilder extends StructureBuilder {
  /**
   * Reads an argument list with one reused cursor: no Node objects for names
   * and simple literals, which is most of the cost of analysis on large files.
   * Values that later steps must inspect (calls, names, containers) keep their node.
   */
  protected readArguments(args: Node | null): ReadArguments {
    const byName: Record<string, Argument> = {};
    const nodes: Record<string, Node> = {};
    const list: Argument[] = [];
    let hasSplat = false;
    if (!args) return { byName, hasSplat, list, nodes };
    let position = 0;
    const cursor = this.cursor;
    cursor.reset(args);
    if (!cursor.gotoFirstChild()) return { byName, hasSplat, list, nodes };
    do {
      const type = cursor.nodeType;
      if (type === 'list_splat' || type === 'dictionary_splat') {
        // `**params` with a literal dict (or a name bound to one) passes its entries as keyword arguments.
        const spread = type === 'dictionary_splat' ? this.literalSplat(cursor.currentNode) : undefined;
        if (!spread) {
          hasSplat = true;
          continue;
        }
        for (const argument of spread) {
          byName[argument.name] ??= argument;
          list.push(argument);
        }
        continue;
      }
      if (type === '(' || type === ')' || type === ',' || type === 'comment' || !cursor.nodeIsNamed) continue;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      let argument: Argument;
      if (type === 'keyword_argument') {
        cursor.gotoFirstChild();
        const nameStart = cursor.startIndex;
        const nameEnd = cursor.endIndex;
        let valueKind = '';
        let valueStart = end;
        let valueEnd = end;
        let valueNode: Node | undefined;
        while (cursor.gotoNextSibling()) {
          if (cursor.currentFieldName !== 'value') continue;
          valueKind = cursor.nodeType;
          valueStart = cursor.startIndex;
          valueEnd = cursor.endIndex;
          if (!SIMPLE_LITERALS.has(valueKind) || this.isFString(valueKind, valueStart)) valueNode = cursor.currentNode;
          break;
        }
        cursor.gotoParent();
        if (!valueKind) continue;
        const name = this.source.slice(nameStart, nameEnd);
        const value = valueNode ? literalValue(valueNode, this.source, this.constants) : simpleLiteral(valueKind, this.source.slice(valueStart, valueEnd));
        argument = end === valueEnd
          ? this.argument(name, value, valueKind, nameStart, valueStart, valueEnd)
          : {
              // Error recovery left something after the value: the argument's range is longer than the value's.
              name,
              value,
              text: this.source.slice(valueStart, valueEnd),
              kind: valueKind,
              range: this.span(start, end),
              valueRange: this.span(valueStart, valueEnd),
              nameRange: this.span(nameStart, nameEnd),
            };
        if (valueNode && !(name in nodes)) nodes[name] = valueNode;
      } else {
        const valueNode = SIMPLE_LITERALS.has(type) && !this.isFString(type, start) ? undefined : cursor.currentNode;
        const value = valueNode ? literalValue(valueNode, this.source, this.constants) : simpleLiteral(type, this.source.slice(start, end));
        argument = this.argument(`#${position++}`, value, type, -1, start, end);
        if (valueNode) nodes[argument.name] = valueNode;
      }
      byName[argument.name] ??= argument;
      list.push(argument);
    } while (cursor.gotoNextSibling());
    return { byName, hasSplat, list, nodes };
  }

  /** Whether a `string` value at `start` is an f-string (which may interpolate constants: read from its node). */
  protected isFString(kind: string, start: number): boolean {
    if (kind !== 'string') return false;
    const c = this.source.charCodeAt(start) | 0x20;
    const d = this.source.charCodeAt(start + 1) | 0x20;
    return c === 0x66 || (c === 0x72 && d === 0x66);
  }

  /** Module-level constants, for literal evaluation: names bound to literals. */
  protected readonly constants = (name: string) => this.literalOf(name);

  /**
   * The entries of `**value` as keyword arguments, each spanning the splat,
   * when `value` is a dict whose keys are known (its values may not be).
   */
  protected literalSplat(splat: Node): Argument[] | undefined {
    const inner = splat.namedChild(0);
    const entries = inner ? this.dictOf(inner) : undefined;
    if (!entries) return undefined;
    const out: Argument[] = [];
    for (const [name, entry] of Object.entries(entries)) {
      out.push(this.argument(name, entry, typeof entry === 'string' ? 'string' : 'dictionary_splat', splat.startIndex, splat.startIndex, splat.endIndex));
    }
    return out;
  }

  /** What is known of a dict: a dict display, or a module-level name bound to one. */
  protected dictOf(node: Node): Record<string, LiteralValue | undefined> | undefined {
    if (node.type === 'identifier') {
      const binding = this.bindings.get(this.text(node));
      if (binding?.kind === 'dict') return binding.entries;
      const value = binding?.kind === 'literal' ? binding.value : undefined;
      return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
    }
    return dictEntries(node, this.source, this.constants);
  }

  /**
   * The arguments of a call read from text with names bound to module-level
   * constants given their values, as the tree's reading gives them; the same
   * objects when no argument names a constant.
   */
  protected withConstants(list: Argument[], byName: Record<string, Argument>): { list: Argument[]; byName: Record<string, Argument> } {
    let resolved: Argument[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const arg = list[i];
      if (arg.kind !== 'identifier') continue;
      const value = this.literalOf(arg.text);
      if (value === undefined) continue;
      resolved ??= list.slice();
      const start = arg.nameRange ? arg.nameRange.start : arg.valueRange.start;
      resolved[i] = new ArgumentRecord(arg.name, value, arg.text, arg.kind, start.line, start.character, arg.valueRange.start.line, arg.valueRange.start.character, arg.valueRange.end.line, arg.valueRange.end.character);
    }
    if (!resolved) return { list, byName };
    const named: Record<string, Argument> = {};
    for (const arg of resolved) named[arg.name] ??= arg;
    return { list: resolved, byName: named };
  }

  protected checkKeywords(list: Argument[], known: ReadonlySet<string>, what: string): void {
    for (let i = 0; i < list.length; i++) {
      const arg = list[i];
      // Positional arguments (`#0`, …) have no keyword to check.
      if (arg.name.charCodeAt(0) === 35 || known.has(arg.name)) continue;
      const suggestion = closest(arg.name, known);
      this.report(
        'VX105',
        arg.nameRange!,
        suggestion
          ? `Unknown argument "${arg.name}" for ${what}: did you mean "${suggestion}"?`
          : `Unknown argument "${arg.name}" for ${what}: neither VORTEX nor Airflow knows it. Check its spelling.`,
        suggestion ? { kind: 'replace', replacement: suggestion } : undefined,
      );
    }
  }

  /**
   * The DAG a `DAG(...)` call (or a `@dag` function) makes; returns its index.
   * `defaultId` is the id a `@dag` function's name gives, with its range.
   */
  protected createDag(site: CallSite, defaultId?: { id: string; range: Range }, checkArguments = true): number {
    const { byName, nodes } = site;
    const idArg = byName.dag_id ?? (defaultId ? undefined : byName['#0']);
    const scheduleArg = byName.schedule_interval ?? byName.schedule;
    // Only literals count as values (cli.md), but `default_args` is so often a
    // module-level dict that its owner is looked up through the name.
    const defaultArgs = this.defaultArgs(site);
    const ownerFromDefaults = typeof defaultArgs?.owner === 'string' ? defaultArgs.owner : null;
    const scheduleNode = scheduleArg ? nodes[scheduleArg.name] : undefined;
    const described = scheduleArg && scheduleArg.value === undefined && scheduleNode ? scheduleExpression(scheduleNode, this.source, this.constants) : undefined;
    const dag: DagModel = {
      dagId: idArg ? (typeof idArg.value === 'string' ? idArg.value : null) : (defaultId?.id ?? null),
      schedule: typeof scheduleArg?.value === 'string' && checkSchedule(scheduleArg.value).ok ? scheduleArg.value : null,
      owner: typeof byName.owner?.value === 'string' ? byName.owner.value : ownerFromDefaults,
      description: typeof byName.description?.value === 'string' ? byName.description.value : null,
      tags: stringList(byName.tags?.value),
      secrets: stringList(byName.secrets?.value),
      variable: null,
      range: makeRange(site.line, site.character, site.endLine, site.endCharacter),
      nameRange: operatorRange(site),
      idRange: idArg ? idArg.valueRange : (defaultId?.range ?? null),
      scheduleRange: scheduleArg ? scheduleArg.valueRange : null,
      line: site.line,
      args: byName,
      taskIndices: [],
      edges: [],
    };
    if (described) dag.scheduleDescription = described.description;
    const index = this.dags.length;
    this.dags.push(dag);
    if (defaultArgs) this.dagDefaults.set(index, defaultArgs);
    if (checkArguments) this.checkDagCall(dag, site, idArg, described);
    return index;
  }

  /** What is known of a call's `default_args` dict (through a module-level name too), or undefined. */
  protected defaultArgs(site: CallSite): Record<string, LiteralValue | undefined> | undefined {
    const node = site.nodes.default_args;
    if (node) return this.dictOf(node);
    const value = site.byName.default_args?.value;
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  }

  /** Each DAG's `default_args`, as far as known, by DAG index: tasks take their trigger rule from them. */
  protected readonly dagDefaults = new Map<number, Record<string, LiteralValue | undefined>>();

  /** The checks of a `DAG(...)` call's own arguments: VX101, VX106, VX103, VX104, VX105. */
  protected checkDagCall(dag: DagModel, site: CallSite, idArg: Argument | undefined, described: ScheduleExpression | undefined): void {
    const { byName, list } = site;
    const scheduleArg = byName.schedule_interval ?? byName.schedule;
    if (!idArg && dag.dagId === null) {
      if (site.hasSplat) this.reportDynamic(operatorRange(site), 'The dag_id of this DAG comes from * or ** arguments: static analysis cannot see it. Runtime resolution (vortex inspect --runtime) can.');
      else this.report('VX101', operatorRange(site), 'This DAG has no dag_id: pass one as the first argument or as dag_id="...".');
    } else if (idArg && dag.dagId === null) {
      this.reportDynamic(idArg.valueRange, `This dag_id is computed (${idArg.text.slice(0, 60)}): static analysis cannot know it. Runtime resolution (vortex inspect --runtime) can.`);
    } else if (dag.dagId !== null) {
      const idWrong = idProblem(dag.dagId);
      if (idWrong) this.report('VX106', dag.idRange ?? operatorRange(site), `The dag_id "${shownId(dag.dagId)}" ${idWrong}.`);
    }
    if (scheduleArg) this.checkScheduleArgument(scheduleArg, described);
    this.checkKeywords(list, KNOWN_DAG_ARGS, 'DAG');
  }

  /**
   * VX103 for an invalid cron string or preset (a timetable's too), VX104 for
   * a literal that is no schedule at all; any other expression is described,
   * not judged (see scheduleExpressions.ts).
   */
  protected checkScheduleArgument(arg: Argument, described: ScheduleExpression | undefined): void {
    const value = arg.value;
    if (value === null) return;
    if (typeof value === 'string' || described?.cron) {
      const cron = typeof value === 'string' ? value : described!.cron!.value;
      const check = checkSchedule(cron);
      if (check.ok) return;
      const range = typeof value === 'string' ? arg.valueRange : this.range(described!.cron!.node);
      this.report('VX103', range, check.message, check.suggestion && typeof value === 'string' ? { kind: 'replace', replacement: JSON.stringify(check.suggestion) } : undefined);
      return;
    }
    if (value === undefined) return;
    const what = Array.isArray(value) ? 'A list of plain values' : typeof value === 'object' ? 'A dict' : `${arg.text.slice(0, 40)}`;
    this.report('VX104', arg.valueRange, `${what} is not a schedule: use a cron expression such as "0 12 * * *", a preset such as "@daily", a timedelta, Datasets/Assets, a timetable, or None.`);
  }

  /** The task an operator call makes, or why it makes none. */
  protected createTask(callee: OperatorCallee, site: CallSite): Value {
    const { scope, byName, hasSplat, nodes } = site;
    if (scope.dynamic) {
      this.reportDynamic(operatorRange(site), `${callee.name} is called in ${scope.dynamic}: static analysis cannot see the tasks it makes. Runtime resolution (vortex inspect --runtime) can.`);
      return { kind: 'dynamic' };
    }
    const idArg = byName.task_id;
    if (!idArg) {
      if (!hasSplat) this.report('VX202', operatorRange(site), `This ${callee.name} has no task_id: add task_id="..." (unique within its DAG).`);
      else this.reportDynamic(operatorRange(site), `The task_id of this ${callee.name} comes from ** arguments: static analysis cannot see it.`);
      return { kind: 'dynamic' };
    }
    if (typeof idArg.value !== 'string') {
      this.reportDynamic(idArg.valueRange, `This task_id is computed (${idArg.text.slice(0, 60)}): static analysis cannot see the task. Runtime resolution (vortex inspect --runtime) can.`);
      return { kind: 'dynamic' };
    }
    const ownId = idArg.value;
    const kind = callee.known ? operatorKind(callee.name) : 'other';
    let dagIndex = scope.dag;
    const dagArg = byName.dag;
    if (dagArg) {
      const binding = dagArg.kind === 'identifier' ? this.bindings.get(dagArg.text) : undefined;
      if (binding?.kind === 'dag') dagIndex = binding.dag;
    }
    const group = this.taskGroupOf(site, dagIndex);
    if (group === undefined) {
      this.reportDynamic(byName.task_group.valueRange, `This task's TaskGroup is computed (${byName.task_group.text.slice(0, 60)}): static analysis cannot know its full task_id.`);
      return { kind: 'dynamic' };
    }
    if (group >= 0 && dagIndex < 0) dagIndex = this.groups[group].dag;
    this.checkTaskCall(callee, kind, site, ownId, dagIndex);
    const timeoutNode = nodes.execution_timeout;
    const task = new TaskRecord(
      this.childId(group, ownId),
      callee.name,
      callee.qualified,
      kind,
      dagIndex,
      site,
      byName,
      timeoutNode ? durationSeconds(timeoutNode, this.source) : typeof byName.execution_timeout?.value === 'number' ? byName.execution_timeout.value : null,
    );
    if (isBranchOperator(callee.name)) task.branch = true;
    const index = this.addTask(task, ownId, group, site);
    const callable = byName.python_callable;
    if (callable?.kind === 'identifier') {
      this.pendingCallables.push({ task: index, argument: callable, provideContext: byName.provide_context?.value === true, binding: this.bindings.get(callable.text) });
    }
    return { kind: 'tasks', tasks: [index] };
  }

  /**
   * The group a task made at `site` joins: its `task_group=` argument, else
   * the group it is made in (when that group is of the task's DAG); -1 for
   * none; undefined when `task_group=` names something not known statically.
   */
  protected taskGroupOf(site: CallSite, dag: number): number | undefined {
    const groupArg = site.byName.task_group;
    if (groupArg && groupArg.value !== null) {
      const binding = groupArg.kind === 'identifier' ? this.bindings.get(groupArg.text) : undefined;
      return binding?.kind === 'group' ? binding.group : undefined;
    }
    const group = site.scope.group;
    return group >= 0 && (dag < 0 || this.groups[group].dag === dag) ? group : -1;
  }

  /**
   * Adds a task made at `site` to the model, in its DAG and group, with its
   * trigger rule (given, else the DAG's `default_args`'); returns its index.
   */
  protected addTask(task: TaskRecord, ownId: string, group: number, site: CallSite): number {
    const index = this.tasks.length;
    this.tasks.push(task);
    if (task.dagIndex >= 0) this.dags[task.dagIndex].taskIndices.push(index);
    if (group >= 0) {
      task.groupId = this.groups[group].id;
      if (ownId !== task.taskId) task.ownId = ownId;
    }
    const defaults = task.dagIndex >= 0 ? this.dagDefaults.get(task.dagIndex)?.trigger_rule : undefined;
    const rule = triggerRule(site.byName.trigger_rule) ?? (typeof defaults === 'string' ? defaults : null);
    if (rule !== null) task.triggerRule = rule;
    this.placeTask(index, task.taskId, task.dagIndex, group);
    return index;
  }

  /**
   * The checks of an operator call's own arguments: VX207, VX206, VX205,
   * VX105, VX203, VX405, VX401. They run at the call rather than over the
   * finished model since they read what the model does not keep (every
   * argument in the order written, `**kwargs`, where the list ends).
   */
  protected checkTaskCall(callee: OperatorCallee, kind: OperatorKind, site: CallSite, taskId: string, dagIndex: number): void {
    const { byName, list, hasSplat } = site;
    const idWrong = idProblem(taskId);
    if (idWrong) this.report('VX207', byName.task_id.valueRange, `The task_id "${shownId(taskId)}" ${idWrong}.`);
    if (dagIndex < 0 && !byName.dag) {
      this.report('VX206', operatorRange(site), `The task "${taskId}" belongs to no DAG: create it inside a "with DAG(...)" block or pass dag=....`);
    }
    if (kind === 'other') {
      this.report('VX205', operatorRange(site), `VORTEX cannot run ${callee.name} locally (it runs BashOperator, PythonOperator, DummyOperator and EmptyOperator); the task still appears in the graph.`);
    } else {
      this.checkKeywords(list, knownOperatorArgs(callee.name)!, callee.name);
    }
    const required = REQUIRED_ARGUMENT[kind];
    if (required && !byName[required.name] && !hasSplat) {
      const end = site.argsEndLine >= 0 ? { line: site.argsEndLine, character: site.argsEndCharacter } : { line: site.operatorEndLine, character: site.operatorEndCharacter };
      // After a trailing comma the argument goes right behind it (another comma would be a syntax error); else before `)`.
      const last = list.at(-1);
      let comma = last ? this.offset(last.range.end) : -1;
      while (comma >= 0 && (this.source[comma] === ' ' || this.source[comma] === '\t')) comma++;
      const trailingComma = comma >= 0 && this.source[comma] === ',';
      const insertAt = trailingComma ? this.position(comma + 1) : { line: end.line, character: Math.max(0, end.character - 1) };
      const separator = trailingComma ? ' ' : list.length > 0 ? ', ' : '';
      this.report('VX203', operatorRange(site), `${callee.name} "${taskId}" needs ${required.name}=...: it is what the task runs.`, {
        kind: 'insertArgument',
        argument: required.name,
        insertAt,
        text: `${separator}${required.name}=${required.placeholder}`,
      });
    }
    const bashCommand = typeof byName.bash_command?.value === 'string' ? byName.bash_command.value : null;
    if (bashCommand !== null && bashCommand.includes('{{') && /\{\{.*?\}\}/s.test(bashCommand)) {
      this.report('VX405', byName.bash_command.valueRange, 'This bash_command holds a Jinja template ({{ ... }}): VORTEX runs it as written, without rendering templates.');
    }
    if (byName.do_xcom_push?.value === true) {
      this.report('VX401', byName.do_xcom_push.nameRange ?? byName.do_xcom_push.range, 'XCom (do_xcom_push) is not supported by VORTEX: pass data through files or environment variables.');
    }
  }
}
