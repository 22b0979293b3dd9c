/**
 * Lays a runtime outcome over the static analysis of the same file: the view
 * the graph, the run lenses, the run model and the outline read once a file
 * has been executed. Pure: no LSP, no I/O.
 *
 * When the file resolved, its DAGs, tasks and edges are the runtime's. A task
 * the source also shows (same dag_id and task_id) keeps its static ranges and
 * arguments, so navigation and quick fixes keep pointing at the source; a task
 * made dynamically sits on the line that created it. VX404 ("static analysis
 * cannot see these tasks") is dropped, since now they are seen. TaskGroups,
 * edge labels and each task's group, marks and trigger rule are the
 * runtime's: Airflow's own answer. Any other outcome leaves the static model
 * alone and only adds its diagnostics.
 *
 * The static model is read field by field, never spread: its objects may be
 * class instances whose ranges are getters. The result shares arrays with the
 * outcome (both are read-only once made): a loop may build thousands of tasks.
 */
import path from 'node:path';
import type { DagModel, Diagnostic, EdgeModel, FileAnalysis, GroupModel, Range, TaskModel } from '../analysis/model';
import { checkSchedule } from '../analysis/schedule';
import { diagnostic } from '../diagnostics';
import type { RuntimeDag, RuntimeGroup, RuntimeOutcome, RuntimeTask } from './report';

/**
 * `source` is the document's current text: with it, a dynamic task's range
 * covers the text of its creation line (and its operator's name), clamped to
 * the document; without it, the start of that line.
 */
export function mergeRuntime(staticAnalysis: FileAnalysis, outcome: RuntimeOutcome, source?: string): FileAnalysis {
  if (outcome.status !== 'resolved') {
    return {
      isDagFile: staticAnalysis.isDagFile,
      dags: staticAnalysis.dags,
      tasks: staticAnalysis.tasks,
      diagnostics: reconciledDiagnostics(staticAnalysis, outcome, source),
      hasDynamicConstructs: staticAnalysis.hasDynamicConstructs,
    };
  }
  const lines = new SourceLines(source);
  const inThisFile = sameFile(outcome.path);
  const dags: DagModel[] = [];
  const tasks: TaskModel[] = [];
  const usedStaticDags = new Set<DagModel>();
  for (const runtimeDag of outcome.dags) {
    const dagIndex = dags.length;
    const staticDag = staticAnalysis.dags.find((d) => d.dagId === runtimeDag.dag_id && !usedStaticDags.has(d));
    if (staticDag) usedStaticDags.add(staticDag);
    const staticTasks = staticDag ? tasksOf(staticAnalysis, staticAnalysis.dags.indexOf(staticDag)) : new Map<string, TaskModel>();
    const dagRange = staticDag ? staticDag.range : lines.rangeOf(creationLine(runtimeDag, inThisFile, 0));
    const byId = new Map<string, TaskModel>();
    const taskIndices: number[] = [];
    for (const runtimeTask of runtimeDag.tasks) {
      const fromSource = staticTasks.get(runtimeTask.task_id);
      const task = fromSource
        ? withRuntimeDependencies(fromSource, runtimeTask, dagIndex)
        : dynamicTask(runtimeTask, dagIndex, lines, creationLine(runtimeTask, inThisFile, dagRange.start.line));
      byId.set(task.taskId, task);
      taskIndices.push(tasks.length);
      tasks.push(task);
    }
    const staticEdges = new Map((staticDag?.edges ?? []).map((e) => [edgeKey(e.upstream, e.downstream), e.range]));
    const edges: EdgeModel[] = runtimeDag.edges.map((e) => ({
      upstream: e.upstream,
      downstream: e.downstream,
      // An edge made in a loop has no expression of its own to point at: the task it leads to stands in.
      range: staticEdges.get(edgeKey(e.upstream, e.downstream)) ?? byId.get(e.downstream)?.range ?? dagRange,
      label: e.label,
    }));
    const staticGroups = new Map((staticDag?.groups ?? []).map((g) => [g.id, g]));
    const groups = runtimeDag.groups.map((g) => group(g, staticGroups.get(g.id), lines, creationLine(g, inThisFile, dagRange.start.line)));
    dags.push({
      dagId: runtimeDag.dag_id,
      schedule: runtimeDag.schedule,
      owner: runtimeDag.owner,
      description: runtimeDag.description,
      tags: runtimeDag.tags,
      secrets: runtimeDag.secrets,
      variable: staticDag ? staticDag.variable : null,
      range: dagRange,
      nameRange: staticDag ? staticDag.nameRange : lines.wordRange(dagRange.start.line, 'DAG') ?? dagRange,
      idRange: staticDag ? staticDag.idRange : null,
      scheduleRange: staticDag ? staticDag.scheduleRange : null,
      line: staticDag ? staticDag.line : dagRange.start.line,
      args: staticDag ? staticDag.args : {},
      taskIndices,
      edges,
      groups,
    });
  }
  return {
    isDagFile: staticAnalysis.isDagFile,
    dags,
    tasks,
    diagnostics: reconciledDiagnostics(staticAnalysis, outcome, source),
    hasDynamicConstructs: staticAnalysis.hasDynamicConstructs,
  };
}

/**
 * The diagnostics of a file once it has been executed: the static ones, less
 * those the execution answered, plus the runtime's own. A resolved execution
 * answers VX404 (it saw the dynamic tasks) and VX201 (the SDK refuses a task
 * id used twice in a DAG as Airflow does, so in a file that resolved the
 * source check misread the ids), and a schedule that is not a literal is
 * checked as a literal would be once every DAG that call made got a schedule
 * string (VX103 at the schedule, naming the value it took). A task only the
 * runtime saw, of an operator VORTEX does not run, gets VX205 on the line
 * that made it, as the static check gives it on a call it can read. The
 * editor and `vortex inspect --runtime` both use this; `source`, the
 * document's text, places VX205 on the text of its line.
 */
export function reconciledDiagnostics(staticAnalysis: FileAnalysis, outcome: RuntimeOutcome, source?: string): Diagnostic[] {
  if (outcome.status !== 'resolved') return [...staticAnalysis.diagnostics, ...outcome.diagnostics];
  const added: Diagnostic[] = [];
  const inThisFile = sameFile(outcome.path);
  for (const dag of staticAnalysis.dags) {
    const range = dag.scheduleRange;
    const argument = dag.args.schedule_interval ?? dag.args.schedule;
    if (!range || !argument || argument.value !== undefined) continue;
    // A DAG call in a loop makes several DAGs, each created on a line of that call.
    const made = outcome.dags.filter((d) => d.line >= 1 && (!d.file || inThisFile(d.file)) && d.line - 1 >= dag.range.start.line && d.line - 1 <= dag.range.end.line);
    // null: no schedule, or one that is not a string (a timedelta, Datasets): nothing to check.
    if (made.length === 0 || made.some((d) => d.schedule === null)) continue;
    for (const schedule of new Set(made.map((d) => d.schedule as string))) {
      const check = checkSchedule(schedule);
      if (check.ok) continue;
      const ids = made.filter((d) => d.schedule === schedule).map((d) => `"${d.dag_id}"`).join(', ');
      added.push(diagnostic('VX103', range, `Executing the file gave ${ids} the schedule "${schedule}": ${check.message}`));
    }
  }
  return [
    ...staticAnalysis.diagnostics.filter((d) => !ANSWERED_BY_RESOLVING.has(d.code)),
    ...added,
    ...notRunnable(staticAnalysis, outcome, inThisFile, source),
    ...outcome.diagnostics,
  ];
}

/** VX205 for each line of this file that made runtime-only tasks VORTEX cannot run, unless the source check gave one there. */
function notRunnable(staticAnalysis: FileAnalysis, outcome: RuntimeOutcome, inThisFile: (file: string) => boolean, source?: string): Diagnostic[] {
  const staticIds = new Set(staticAnalysis.tasks.map((t) => t.taskId));
  const flagged = new Set(staticAnalysis.diagnostics.filter((d) => d.code === 'VX205').map((d) => d.range.start.line));
  const byLine = new Map<number, string[]>();
  for (const dag of outcome.dags) {
    for (const task of dag.tasks) {
      if (task.kind !== 'other' || staticIds.has(task.task_id) || task.line < 1 || (task.file && !inThisFile(task.file))) continue;
      const line = task.line - 1;
      if (flagged.has(line)) continue;
      const operators = byLine.get(line) ?? [];
      if (!operators.includes(task.operator)) operators.push(task.operator);
      byLine.set(line, operators);
    }
  }
  if (byLine.size === 0) return [];
  const lines = new SourceLines(source);
  return [...byLine].map(([line, operators]) =>
    diagnostic('VX205', lines.rangeOf(line), `VORTEX cannot run ${operators.join(', ')} locally (it runs BashOperator, PythonOperator, DummyOperator, EmptyOperator and @task functions); executing the file made tasks of it here, and they appear in the graph.`),
  );
}

/** Static diagnostics a file that executed to its DAGs has proven wrong. */
const ANSWERED_BY_RESOLVING: ReadonlySet<string> = new Set(['VX404', 'VX201']);

/** Task ids hold no NUL: a cheap key for a pair (thousands of edges ask). */
function edgeKey(upstream: string, downstream: string): string {
  return `${upstream}\0${downstream}`;
}

/** The static tasks of one DAG by id; the first wins where an id repeats (VX201). */
function tasksOf(analysis: FileAnalysis, dagIndex: number): Map<string, TaskModel> {
  const byId = new Map<string, TaskModel>();
  for (const task of analysis.tasks) {
    if (task.dagIndex === dagIndex && !byId.has(task.taskId)) byId.set(task.taskId, task);
  }
  return byId;
}

/** Whether a path names `file`; cheap for the common case of the very same string (thousands of tasks ask). */
function sameFile(file: string): (other: string) => boolean {
  const resolved = path.resolve(file);
  const known = new Map<string, boolean>([[file, true]]);
  return (other) => {
    let same = known.get(other);
    if (same === undefined) {
      same = path.resolve(other) === resolved;
      known.set(other, same);
    }
    return same;
  };
}

/** The 0-based line that created a DAG, task or group in this file, or `fallback` when it was made elsewhere. */
function creationLine(made: RuntimeDag | RuntimeTask | RuntimeGroup, inThisFile: (file: string) => boolean, fallback: number): number {
  if (made.line < 1 || ('file' in made && made.file && !inThisFile(made.file))) return fallback;
  return made.line - 1;
}

/** A TaskGroup as the runtime made it, at the static group's place when the source shows it, else on its creation line. */
function group(runtime: RuntimeGroup, fromSource: GroupModel | undefined, lines: SourceLines, line: number): GroupModel {
  const range = fromSource ? fromSource.range : lines.rangeOf(line);
  return { id: runtime.id, parentId: runtime.parent_id, label: runtime.label, line: range.start.line, range };
}

/**
 * A static task as the runtime connects it: ranges and arguments from the
 * source; how it runs from the class Airflow built (`kind`: the source may
 * not know a `BranchPythonOperator` or a custom subclass), the command and
 * callable from the source where it names them, else from the runtime.
 */
function withRuntimeDependencies(task: TaskModel, runtime: RuntimeTask, dagIndex: number): TaskModel {
  return {
    taskId: task.taskId,
    operator: task.operator,
    qualifiedOperator: task.qualifiedOperator,
    kind: runtime.kind,
    variable: task.variable,
    dagIndex,
    range: task.range,
    operatorRange: task.operatorRange,
    taskIdRange: task.taskIdRange,
    line: task.line,
    args: task.args,
    bashCommand: task.bashCommand ?? runtime.bash_command,
    pythonCallable: task.pythonCallable ?? runtime.python_callable,
    opArgs: task.opArgs,
    opKwargs: task.opKwargs,
    secrets: task.secrets,
    executionTimeoutSeconds: runtime.execution_timeout,
    upstream: runtime.upstream,
    downstream: runtime.downstream,
    ...runtimeStructure(runtime),
    ...runtimeSettings(runtime),
    // Where each setting came from is the source's to say; that it is unknown, no longer.
    ...(task.inheritedSettings ? { inheritedSettings: task.inheritedSettings } : {}),
  };
}

/** A task's run settings as Airflow built them, default_args merged in: only where they differ from Airflow's defaults, as the analyser writes them. */
function runtimeSettings(runtime: RuntimeTask): Pick<TaskModel, 'retries' | 'retryDelaySeconds' | 'doXcomPush'> {
  const settings: Pick<TaskModel, 'retries' | 'retryDelaySeconds' | 'doXcomPush'> = {};
  if (runtime.retries > 0) settings.retries = runtime.retries;
  if (runtime.retry_delay !== null) settings.retryDelaySeconds = runtime.retry_delay;
  if (!runtime.do_xcom_push) settings.doXcomPush = false;
  return settings;
}

/** A task's group, marks and trigger rule, as Airflow built them. */
function runtimeStructure(runtime: RuntimeTask): Pick<TaskModel, 'groupId' | 'decorated' | 'mapped' | 'branch' | 'triggerRule'> {
  return {
    groupId: runtime.group_id,
    decorated: runtime.decorated,
    mapped: runtime.mapped,
    branch: runtime.branch,
    triggerRule: runtime.trigger_rule,
  };
}

/**
 * A task only the runtime saw. What the executor needs comes from the
 * runtime: the computed command, and the callable's name when it has one
 * (otherwise the runner takes the callable, and op_args / op_kwargs, from the
 * task in the imported DAG, which is why those stay null here).
 */
function dynamicTask(runtime: RuntimeTask, dagIndex: number, lines: SourceLines, line: number): TaskModel {
  const range = lines.rangeOf(line);
  return {
    taskId: runtime.task_id,
    operator: runtime.operator,
    qualifiedOperator: runtime.qualified_operator,
    kind: runtime.kind,
    variable: null,
    dagIndex,
    range,
    operatorRange: lines.wordRange(range.start.line, runtime.operator) ?? range,
    taskIdRange: range,
    line: range.start.line,
    args: {},
    bashCommand: runtime.bash_command,
    pythonCallable: runtime.python_callable,
    opArgs: null,
    opKwargs: null,
    secrets: runtime.secrets,
    executionTimeoutSeconds: runtime.execution_timeout,
    upstream: runtime.upstream,
    downstream: runtime.downstream,
    ...runtimeStructure(runtime),
    ...runtimeSettings(runtime),
  };
}

/** The document's lines, when known, for ranges on a creation line. */
class SourceLines {
  private readonly lines: string[] | undefined;
  /** A loop makes many tasks of one operator: its pattern is compiled once. */
  private readonly calls = new Map<string, RegExp>();

  constructor(source: string | undefined) {
    // LSP's line breaks: \r\n, \n and \r.
    this.lines = source === undefined ? undefined : source.split(/\r\n|\r|\n/);
  }

  /** The line's text without its indentation and trailing blanks; an empty range at its start without the source. */
  rangeOf(line: number): Range {
    if (!this.lines) return { start: { line: Math.max(0, line), character: 0 }, end: { line: Math.max(0, line), character: 0 } };
    const at = Math.min(Math.max(0, line), this.lines.length - 1);
    const text = this.lines[at];
    const start = text.length - text.trimStart().length;
    const end = text.trimEnd().length;
    return { start: { line: at, character: start }, end: { line: at, character: Math.max(start, end) } };
  }

  /** Where `word` is called on the line (`BashOperator(`), if it is. */
  wordRange(line: number, word: string): Range | undefined {
    const text = this.lines?.[line];
    if (text === undefined || word === '') return undefined;
    let pattern = this.calls.get(word);
    if (!pattern) {
      pattern = new RegExp(`(?<!\\w)${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\(`);
      this.calls.set(word, pattern);
    }
    const match = pattern.exec(text);
    if (!match) return undefined;
    return { start: { line, character: match.index }, end: { line, character: match.index + word.length } };
  }
}
