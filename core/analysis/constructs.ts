/**
 * The handlers of the constructs a call can make: a DAG (`DAG(...)`) and a
 * task (an operator call), each from a CallSite whichever reader found it,
 * with the checks of the call's own arguments (VX101, VX103–VX106,
 * VX202–VX207, VX401, VX405), which need what the model does not keep.
 */
import type { Node } from 'web-tree-sitter';
import { argumentSetting, dictDefaults, literalDefaults, mergeDefaults, NO_DEFAULTS, resolveSettings, RUN_SETTINGS, setRunSettings, SharedLists, UNKNOWN_DEFAULTS, type KnownDefaults } from './defaultArgs';
import { dictEntries, literalValue, SIMPLE_LITERALS, simpleLiteral } from './literals';
import type { Argument, DagModel, LiteralValue, Range } from './model';
import { operatorKind } from './operators';
import { makeRange, stringList, TaskRecord, type CallPositions } from './records';
import { checkSchedule } from './schedule';
import type { DagCall, TaskCall } from './callChecks';
import { constantValue } from './callees';
import { scheduleExpression } from './scheduleExpressions';
import type { OperatorCallee } from './callees';
import type { CallSite } from './callSite';
import type { Value } from './values';
import { StructureBuilder } from './structure';
import { ArgumentRecord } from './records';

/** Operators that choose which of their downstream tasks run. */
export function isBranchOperator(name: string): boolean {
  return (name.startsWith('Branch') && name.endsWith('Operator')) || name === 'ShortCircuitOperator';
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

  /** Module-level constants, for literal evaluation: names bound to literals, and the framework's constants (`TriggerRule.ALL_DONE`). */
  protected readonly constants = (name: string): LiteralValue | undefined => {
    const dot = name.indexOf('.');
    if (dot < 0) return this.literalOf(name);
    return this.frameworkConstant(name.slice(0, dot), name.slice(dot + 1));
  };

  /** A framework constant's member (`TriggerRule.ALL_DONE`, TriggerRule imported from a framework), as the registry reads it. */
  protected frameworkConstant(head: string, member: string): LiteralValue | undefined {
    const binding = this.bindings.get(head);
    return binding?.kind === 'import' ? constantValue(binding.qualified, member) : undefined;
  }

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
    if (byName.default_args) this.dagDefaults.set(index, this.knownDefaults(byName.default_args, nodes.default_args));
    if (checkArguments) {
      const cron = described?.cron;
      this.dagCalls.push({ dag: index, hasSplat: site.hasSplat, idArg, timetableCron: cron ? { value: cron.value, range: this.range(cron.node) } : undefined });
    }
    if (idArg && dag.dagId === null) {
      this.reportDynamic(idArg.valueRange, `This dag_id is computed (${idArg.text.slice(0, 60)}): static analysis cannot know it. Runtime resolution (vortex inspect --runtime) can.`);
    } else if (!idArg && dag.dagId === null && site.hasSplat) {
      this.reportDynamic(operatorRange(site), 'The dag_id of this DAG comes from * or ** arguments: static analysis cannot see it. Runtime resolution (vortex inspect --runtime) can.');
    }
    return index;
  }

  /** What is known of a call's `default_args` dict (through a module-level name too), or undefined. */
  protected defaultArgs(site: CallSite): Record<string, LiteralValue | undefined> | undefined {
    const node = site.nodes.default_args;
    if (node) return this.dictOf(node);
    const value = site.byName.default_args?.value;
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  }

  /** What a `default_args=` argument says of the run settings (see defaultArgs.ts). */
  protected knownDefaults(arg: Argument | undefined, node: Node | undefined): KnownDefaults {
    if (!arg) return NO_DEFAULTS;
    if (node?.type === 'dictionary') return dictDefaults(node, this.source, this.constants);
    if (arg.kind === 'identifier') {
      const binding = this.bindings.get(arg.text);
      if (binding?.kind === 'dict') return dictDefaults(binding.node, this.source, this.constants);
      if (binding?.kind === 'literal') return literalDefaults(binding.value);
      return UNKNOWN_DEFAULTS;
    }
    return arg.value === undefined ? UNKNOWN_DEFAULTS : literalDefaults(arg.value);
  }

  /** Each DAG's `default_args`, by DAG index. */
  protected readonly dagDefaults = new Map<number, KnownDefaults>();
  /** Each TaskGroup's `default_args` merged over its parent's (or its DAG's), by group index; only groups that give some. */
  private readonly groupDefaults = new Map<number, KnownDefaults>();

  /** Records the `default_args` a TaskGroup gives its tasks, merged over those it inherits. */
  protected setGroupDefaults(group: number, arg: Argument | undefined, node: Node | undefined): void {
    if (!arg) return;
    const { parent, dag } = this.groups[group];
    this.groupDefaults.set(group, mergeDefaults(this.scopeDefaults(parent, dag), this.knownDefaults(arg, node)));
  }

  /** The defaults the tasks made in `group` (-1: directly in the DAG) of `dag` inherit. */
  private scopeDefaults(group: number, dag: number): KnownDefaults {
    for (let g = group; g >= 0; g = this.groups[g].parent) {
      const defaults = this.groupDefaults.get(g);
      if (defaults) return defaults;
    }
    return (dag >= 0 ? this.dagDefaults.get(dag) : undefined) ?? NO_DEFAULTS;
  }

  /**
   * A task's run settings as Airflow gives them: its own arguments over its
   * own `default_args=`, over its groups', over its DAG's.
   */
  private applySettings(task: TaskRecord, group: number, site: CallSite): void {
    const { byName, nodes } = site;
    const defaults = mergeDefaults(this.scopeDefaults(group, task.dagIndex), this.knownDefaults(byName.default_args, nodes.default_args));
    if (defaults === NO_DEFAULTS && !RUN_SETTINGS.some((name) => byName[name])) return;
    const settings = resolveSettings(defaults, (name) => (byName[name] ? argumentSetting(name, byName[name], nodes[name], this.source, this.constants) : undefined));
    setRunSettings(task, settings, this.settingLists);
  }

  /** One array for each list of setting names the model holds. */
  private readonly settingLists = new SharedLists();

  /** The task an operator call makes, or why it makes none. */
  protected createTask(callee: OperatorCallee, site: CallSite): Value {
    const { scope, byName, hasSplat } = site;
    if (scope.dynamic) {
      this.reportDynamic(operatorRange(site), `${callee.name} is called in ${scope.dynamic}: static analysis cannot see the tasks it makes. Runtime resolution (vortex inspect --runtime) can.`, scope);
      return { kind: 'dynamic' };
    }
    const idArg = byName.task_id;
    if (!idArg) {
      if (!hasSplat) this.report('VX202', operatorRange(site), `This ${callee.name} has no task_id: add task_id="..." (unique within its DAG).`);
      else this.reportDynamic(operatorRange(site), `The task_id of this ${callee.name} comes from ** arguments: static analysis cannot see it.`, scope);
      return { kind: 'dynamic' };
    }
    if (typeof idArg.value !== 'string') {
      this.reportDynamic(idArg.valueRange, `This task_id is computed (${idArg.text.slice(0, 60)}): static analysis cannot see the task. Runtime resolution (vortex inspect --runtime) can.`, scope);
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
    const task = new TaskRecord(
      this.childId(group, ownId),
      callee.name,
      callee.qualified,
      kind,
      dagIndex,
      site,
      byName,
      null,
    );
    if (isBranchOperator(callee.name)) task.branch = true;
    const index = this.addTask(task, ownId, group, site);
    this.recordTaskCall(index, ownId, callee.name, site);
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
   * run settings (given, else from `default_args`); returns its index.
   */
  protected addTask(task: TaskRecord, ownId: string, group: number, site: CallSite): number {
    const index = this.tasks.length;
    this.tasks.push(task);
    if (task.dagIndex >= 0) this.dags[task.dagIndex].taskIndices.push(index);
    if (group >= 0) {
      task.groupId = this.groups[group].id;
      if (ownId !== task.taskId) task.ownId = ownId;
    }
    // `TriggerRule.ALL_DONE` is read as its value `all_done` (see `constants`).
    this.applySettings(task, group, site);
    this.placeTask(index, task.taskId, task.dagIndex, group);
    return index;
  }

  /** What a task's call said beyond the model, for the call checks (callChecks.ts). */
  protected recordTaskCall(task: number, ownId: string, callee: string, site: CallSite): void {
    this.taskCalls.push({
      task,
      ownId,
      callee,
      hasSplat: site.hasSplat,
      argsEnd: site.argsEndLine >= 0 ? { line: site.argsEndLine, character: site.argsEndCharacter } : null,
      dagGiven: site.byName.dag !== undefined,
    });
  }

  /** What each DAG's call said beyond the model, in the order made. */
  protected readonly dagCalls: DagCall[] = [];
  /** What each task's call said beyond the model, in the order made. */
  protected readonly taskCalls: TaskCall[] = [];
}
