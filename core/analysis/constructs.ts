/**
 * The handlers of the constructs a call can make: a DAG (`DAG(...)`) and a
 * task (an operator call), each from a CallSite whichever reader found it,
 * with the checks of the call's own arguments (VX101, VX103–VX106,
 * VX202–VX207, VX401, VX405), which need what the model does not keep.
 */
import type { Node } from 'web-tree-sitter';
import { durationSeconds, literalValue, SIMPLE_LITERALS, simpleLiteral } from './literals';
import type { Argument, DagModel, OperatorKind, Range } from './model';
import { KNOWN_DAG_ARGS, REQUIRED_ARGUMENT, knownOperatorArgs, operatorKind } from './operators';
import { makeRange, stringList, TaskRecord, type CallPositions } from './records';
import { checkSchedule } from './schedule';
import { closest } from './suggest';
import type { OperatorCallee } from './callees';
import type { CallSite } from './callSite';
import { ModelBuilder, type Value } from './builder';

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

export class ConstructBuilder extends ModelBuilder {
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
        hasSplat = true;
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
          if (!SIMPLE_LITERALS.has(valueKind)) valueNode = cursor.currentNode;
          break;
        }
        cursor.gotoParent();
        if (!valueKind) continue;
        const name = this.source.slice(nameStart, nameEnd);
        const value = valueNode ? literalValue(valueNode, this.source) : simpleLiteral(valueKind, this.source.slice(valueStart, valueEnd));
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
        const valueNode = SIMPLE_LITERALS.has(type) ? undefined : cursor.currentNode;
        const value = valueNode ? literalValue(valueNode, this.source) : simpleLiteral(type, this.source.slice(start, end));
        argument = this.argument(`#${position++}`, value, type, -1, start, end);
        if (valueNode) nodes[argument.name] = valueNode;
      }
      byName[argument.name] ??= argument;
      list.push(argument);
    } while (cursor.gotoNextSibling());
    return { byName, hasSplat, list, nodes };
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

  /** The DAG a `DAG(...)` call makes; returns its index. */
  protected createDag(site: CallSite): number {
    const { byName, nodes } = site;
    const idArg = byName.dag_id ?? byName['#0'];
    const scheduleArg = byName.schedule_interval ?? byName.schedule;
    // Only literals count as values (cli.md), but `default_args` is so often a
    // module-level dict that its owner is looked up through the name.
    const defaultArgsNode = nodes.default_args;
    const defaultArgs = defaultArgsNode ? literalValue(defaultArgsNode, this.source, (name) => this.literalOf(name)) : undefined;
    const ownerFromDefaults =
      defaultArgs && typeof defaultArgs === 'object' && !Array.isArray(defaultArgs) && typeof defaultArgs.owner === 'string' ? defaultArgs.owner : null;
    const dag: DagModel = {
      dagId: typeof idArg?.value === 'string' ? idArg.value : null,
      schedule: typeof scheduleArg?.value === 'string' && checkSchedule(scheduleArg.value).ok ? scheduleArg.value : null,
      owner: typeof byName.owner?.value === 'string' ? byName.owner.value : ownerFromDefaults,
      description: typeof byName.description?.value === 'string' ? byName.description.value : null,
      tags: stringList(byName.tags?.value),
      secrets: stringList(byName.secrets?.value),
      variable: null,
      range: makeRange(site.line, site.character, site.endLine, site.endCharacter),
      nameRange: operatorRange(site),
      idRange: idArg ? idArg.valueRange : null,
      scheduleRange: scheduleArg ? scheduleArg.valueRange : null,
      line: site.line,
      args: byName,
      taskIndices: [],
      edges: [],
    };
    const index = this.dags.length;
    this.dags.push(dag);
    this.checkDagCall(dag, site);
    return index;
  }

  /** The checks of a `DAG(...)` call's own arguments: VX101, VX106, VX103, VX104, VX105. */
  protected checkDagCall(dag: DagModel, site: CallSite): void {
    const { byName, list } = site;
    const idArg = byName.dag_id ?? byName['#0'];
    const scheduleArg = byName.schedule_interval ?? byName.schedule;
    if (!idArg) {
      this.report('VX101', operatorRange(site), 'This DAG has no dag_id: pass one as the first argument or as dag_id="...".');
    } else if (dag.dagId !== null) {
      const idWrong = idProblem(dag.dagId);
      if (idWrong) this.report('VX106', idArg.valueRange, `The dag_id "${shownId(dag.dagId)}" ${idWrong}.`);
    }
    if (scheduleArg) this.checkScheduleArgument(scheduleArg);
    this.checkKeywords(list, KNOWN_DAG_ARGS, 'DAG');
  }

  protected checkScheduleArgument(arg: Argument): void {
    const value = arg.value;
    if (value === null) return;
    if (typeof value === 'string') {
      const check = checkSchedule(value);
      if (check.ok) return;
      if (check.unsupported) {
        this.report('VX104', arg.valueRange, check.message);
      } else {
        this.report('VX103', arg.valueRange, check.message, check.suggestion ? { kind: 'replace', replacement: JSON.stringify(check.suggestion) } : undefined);
      }
      return;
    }
    let what: string;
    if (arg.kind === 'list' || arg.kind === 'tuple') what = 'A list of Datasets/Assets';
    else if (arg.kind === 'call') what = /timedelta/.test(arg.text) ? 'A timedelta' : `"${arg.text.split('(')[0]}(...)"`;
    else if (arg.kind === 'identifier' || arg.kind === 'attribute') what = `"${arg.text}", which is not a literal,`;
    else what = 'This value';
    this.report('VX104', arg.valueRange, `${what} is not a schedule VORTEX supports: use a cron expression such as "0 12 * * *", a preset such as "@daily", or None.`);
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
    const taskId = idArg.value;
    const kind = callee.known ? operatorKind(callee.name) : 'other';
    let dagIndex = scope.dag;
    const dagArg = byName.dag;
    if (dagArg) {
      const binding = dagArg.kind === 'identifier' ? this.bindings.get(dagArg.text) : undefined;
      if (binding?.kind === 'dag') dagIndex = binding.dag;
    }
    this.checkTaskCall(callee, kind, site, taskId, dagIndex);
    const timeoutNode = nodes.execution_timeout;
    const task = new TaskRecord(
      taskId,
      callee.name,
      callee.qualified,
      kind,
      dagIndex,
      site,
      byName,
      timeoutNode ? durationSeconds(timeoutNode, this.source) : typeof byName.execution_timeout?.value === 'number' ? byName.execution_timeout.value : null,
    );
    const index = this.tasks.length;
    this.tasks.push(task);
    if (dagIndex >= 0) this.dags[dagIndex].taskIndices.push(index);
    const callable = byName.python_callable;
    if (callable?.kind === 'identifier') {
      this.pendingCallables.push({ task: index, argument: callable, provideContext: byName.provide_context?.value === true });
    }
    return { kind: 'tasks', tasks: [index] };
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
