/**
 * The checks of each construct's own call, as passes over the finished
 * model: VX101, VX103–VX107 (a DAG's call), VX201/VX207 (a TaskGroup's id),
 * VX203, VX205–VX207, VX401, VX402, VX405 (a task's call). A call's
 * arguments are in the model (by name, in the order written); the builder
 * keeps beside it what the model does not hold (`**kwargs`, where the
 * argument list ends, the id as written): the `CallFacts`.
 *
 * What only the reading of a construct can tell stays where it is read: a
 * construct static analysis cannot see (VX404), a dependency on something
 * that is not a task (VX302–VX305), an operator call without `task_id`
 * (VX202, which makes no task).
 */
import type { Argument, DagModel, Position, Range, TaskModel } from './model';
import type { FixData } from './model';
import type { DiagnosticCode } from '../diagnostics';
import { KNOWN_DAG_ARGS, REQUIRED_ARGUMENT, knownOperatorArgs } from './operators';
import { checkSchedule } from './schedule';
import { closest } from './suggest';

/** What a `DAG(...)` call (or a `@dag` decorator) said. */
export interface DagCall {
  dag: number;
  hasSplat: boolean;
  /** The `dag_id` argument, if one was given. */
  idArg: Argument | undefined;
  /** The cron string a timetable given as the schedule names, and where. */
  timetableCron: { value: string; range: Range } | undefined;
}

/** What an operator call or a TaskFlow call said. */
export interface TaskCall {
  task: number;
  /** The id as written (before a TaskGroup's prefix). */
  ownId: string;
  /** The operator class, or the decorator (`task.branch`). */
  callee: string;
  hasSplat: boolean;
  /** Where the argument list ends (after `)`), or null. */
  argsEnd: Position | null;
  /** Whether `dag=` was given. */
  dagGiven: boolean;
}

/** A TaskGroup's id as made. */
export interface GroupCall {
  ownId: string;
  id: string;
  idRange: Range;
  /** Its full id was taken already in its DAG (and not given a suffix). */
  duplicate: boolean;
}

/** What the call checks read of a finished analysis, and how they report. */
export interface CallFacts {
  readonly source: string;
  readonly dags: readonly DagModel[];
  readonly tasks: readonly TaskModel[];
  readonly dagCalls: readonly DagCall[];
  readonly taskCalls: readonly TaskCall[];
  readonly groupCalls: readonly GroupCall[];
  position(offset: number): Position;
  offset(position: Position): number;
  report(code: DiagnosticCode, range: Range, message: string, fix?: FixData): void;
}

/**
 * Airflow's rule for a `dag_id` and a `task_id` (`validate_key`): 1 to 250
 * characters matching Python's `[\w.-]`, where `\w` is a letter or a digit of
 * any script (`str.isalnum()`) or `_`. Most ids are ASCII, so that is tried first.
 */
const ASCII_ID = /^[A-Za-z0-9_.-]{1,250}$/;
const ID_CHARACTERS = /^[\p{L}\p{N}_.-]+$/u;
const MAX_ID_LENGTH = 250;

/** A group id as Airflow's `validate_group_key` takes it: letters and digits of any script, `_` and `-` (no `.`). */
const GROUP_ID = /^[\p{L}\p{N}_-]{1,200}$/u;

/** Why Airflow refuses `id` as a `dag_id` or `task_id` (after "The task_id "…" "), or undefined when it accepts it. */
export function idProblem(id: string): string | undefined {
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

/** VX105 on each keyword of `args` (a call's arguments by name, in the order written) that `known` lacks. */
function checkKeywords(facts: CallFacts, args: Record<string, Argument>, known: ReadonlySet<string>, what: string): void {
  for (const name in args) {
    const arg = args[name];
    // Positional arguments (`#0`, …) have no keyword to check.
    if (arg.name.charCodeAt(0) === 35 || known.has(arg.name)) continue;
    const suggestion = closest(arg.name, known);
    facts.report(
      'VX105',
      arg.nameRange!,
      suggestion
        ? `Unknown argument "${arg.name}" for ${what}: did you mean "${suggestion}"?`
        : `Unknown argument "${arg.name}" for ${what}: neither VORTEX nor Airflow knows it. Check its spelling.`,
      suggestion ? { kind: 'replace', replacement: suggestion } : undefined,
    );
  }
}

/** VX101, VX106, VX103, VX104, VX105 on each DAG's call. */
function checkDagCalls(facts: CallFacts): void {
  for (const call of facts.dagCalls) {
    const dag = facts.dags[call.dag];
    const { idArg } = call;
    if (!idArg && dag.dagId === null) {
      if (!call.hasSplat) facts.report('VX101', dag.nameRange, 'This DAG has no dag_id: pass one as the first argument or as dag_id="...".');
    } else if (dag.dagId !== null) {
      const idWrong = idProblem(dag.dagId);
      if (idWrong) facts.report('VX106', dag.idRange ?? dag.nameRange, `The dag_id "${shownId(dag.dagId)}" ${idWrong}.`);
    }
    const scheduleArg = dag.args.schedule_interval ?? dag.args.schedule;
    if (scheduleArg) checkScheduleArgument(facts, scheduleArg, call.timetableCron);
    checkKeywords(facts, dag.args, KNOWN_DAG_ARGS, 'DAG');
  }
}

/**
 * VX103 for an invalid cron string or preset (a timetable's too), VX104 for
 * a literal that is no schedule at all; any other expression is described,
 * not judged (see scheduleExpressions.ts).
 */
function checkScheduleArgument(facts: CallFacts, arg: Argument, timetableCron: { value: string; range: Range } | undefined): void {
  const value = arg.value;
  if (value === null) return;
  if (typeof value === 'string' || timetableCron) {
    const literal = typeof value === 'string';
    const check = checkSchedule(literal ? value : timetableCron!.value);
    if (check.ok) return;
    facts.report('VX103', literal ? arg.valueRange : timetableCron!.range, check.message, check.suggestion && literal ? { kind: 'replace', replacement: JSON.stringify(check.suggestion) } : undefined);
    return;
  }
  if (value === undefined) return;
  const what = Array.isArray(value) ? 'A list of plain values' : typeof value === 'object' ? 'A dict' : `${arg.text.slice(0, 40)}`;
  facts.report('VX104', arg.valueRange, `${what} is not a schedule: use a cron expression such as "0 12 * * *", a preset such as "@daily", a timedelta, Datasets/Assets, a timetable, or None.`);
}

/** VX207 and VX201 on each TaskGroup's id. */
function checkGroups(facts: CallFacts): void {
  for (const group of facts.groupCalls) {
    if (!GROUP_ID.test(group.ownId)) {
      facts.report('VX207', group.idRange, `The group_id "${shownId(group.ownId)}" may use only letters and digits (of any script), "_" and "-".`);
    }
    if (group.duplicate) {
      facts.report('VX201', group.idRange, `The group_id "${group.id}" is already used in this DAG: a TaskGroup's id must differ from every other group's and task's id.`);
    }
  }
}

/** VX207, VX206, VX205, VX105, VX203, VX405, VX401 and VX402 on each task's call. */
function checkTaskCalls(facts: CallFacts): void {
  for (const call of facts.taskCalls) {
    const task = facts.tasks[call.task];
    if (task.decorated) {
      checkTaskFlowCall(facts, task, call);
      continue;
    }
    const { args: byName } = task;
    const idWrong = idProblem(call.ownId);
    if (idWrong) facts.report('VX207', byName.task_id.valueRange, `The task_id "${shownId(call.ownId)}" ${idWrong}.`);
    if (task.dagIndex < 0 && !call.dagGiven) {
      facts.report('VX206', task.operatorRange, `The task "${task.taskId}" belongs to no DAG: create it inside a "with DAG(...)" block or pass dag=....`);
    }
    if (task.kind === 'other') {
      facts.report('VX205', task.operatorRange, `VORTEX cannot run ${call.callee} locally (it runs BashOperator, PythonOperator, DummyOperator and EmptyOperator); the task still appears in the graph.`);
    } else {
      checkKeywords(facts, task.args, knownOperatorArgs(call.callee)!, call.callee);
    }
    checkRequired(facts, task, call);
    const bashCommand = task.bashCommand;
    if (bashCommand !== null && bashCommand.includes('{{') && /\{\{.*?\}\}/s.test(bashCommand)) {
      facts.report('VX405', byName.bash_command.valueRange, 'This bash_command holds a Jinja template ({{ ... }}): it is rendered at run time, with the run\'s context, as Airflow renders it.');
    }
    if (byName.do_xcom_push?.value === true) {
      facts.report('VX401', byName.do_xcom_push.nameRange ?? byName.do_xcom_push.range, 'XCom (do_xcom_push): a local run passes XCom between the tasks of the run, as Airflow does.');
    }
    if (task.mapped) reportMapped(facts, task);
  }
}

/** VX203: an operator without the argument it runs, with the fix that inserts it where Python accepts it. */
function checkRequired(facts: CallFacts, task: TaskModel, call: TaskCall): void {
  const required = REQUIRED_ARGUMENT[task.kind];
  if (!required || task.args[required.name] || call.hasSplat) return;
  const end = call.argsEnd ?? task.operatorRange.end;
  // After a trailing comma the argument goes right behind it (another comma would be a syntax error); else before `)`.
  let last: Argument | undefined;
  let count = 0;
  for (const name in task.args) {
    last = task.args[name];
    count++;
  }
  const { source } = facts;
  let comma = last ? facts.offset(last.range.end) : -1;
  while (comma >= 0 && (source[comma] === ' ' || source[comma] === '\t')) comma++;
  const trailingComma = comma >= 0 && source[comma] === ',';
  const insertAt = trailingComma ? facts.position(comma + 1) : { line: end.line, character: Math.max(0, end.character - 1) };
  const separator = trailingComma ? ' ' : count > 0 ? ', ' : '';
  facts.report('VX203', task.operatorRange, `${call.callee} "${task.taskId}" needs ${required.name}=...: it is what the task runs.`, {
    kind: 'insertArgument',
    argument: required.name,
    insertAt,
    text: `${separator}${required.name}=${required.placeholder}`,
  });
}

/** VX206, VX205 and VX402 on a TaskFlow call (its arguments are its function's: not checked here). */
function checkTaskFlowCall(facts: CallFacts, task: TaskModel, call: TaskCall): void {
  if (task.dagIndex < 0) {
    facts.report('VX206', task.operatorRange, `The task "${task.taskId}" belongs to no DAG: call ${task.pythonCallable}() inside a "with DAG(...)" block or a @dag function.`);
  }
  if (task.kind === 'other') {
    facts.report('VX205', task.operatorRange, `VORTEX cannot run @${call.callee} tasks locally (it runs @task, @task.branch, @task.short_circuit and @task.bash); the task still appears in the graph.`);
  }
  if (task.mapped) reportMapped(facts, task);
}

/** VX402: a mapped task is one node here, and many task instances when Airflow runs it. */
function reportMapped(facts: CallFacts, task: TaskModel): void {
  facts.report('VX402', task.operatorRange, `"${task.taskId}" is a mapped task: Airflow makes one task instance per input when it runs. VORTEX draws it as one task and does not run it locally.`);
}

/** The call checks, in the order they run. */
export const CALL_CHECKS: ReadonlyArray<(facts: CallFacts) => void> = [checkDagCalls, checkGroups, checkTaskCalls];
