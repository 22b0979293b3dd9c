/** Shared by the execution tests: specs made by hand, scratch folders, and the process table. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DagModel, FileAnalysis, TaskModel } from '../../core/analysis/model';
import type { TaskRunSpec } from '../../core/run/taskSpec';

export const REPO = path.resolve(__dirname, '..', '..');
export const SDK = path.join(REPO, 'python');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'execution');
export const TASKS_DAG = path.join(FIXTURES, 'tasks_dag.py');

/** A Bash task spec; anything can be overridden. */
export function bashSpec(taskId: string, bashCommand: string, overrides: Partial<TaskRunSpec> = {}): TaskRunSpec {
  return {
    dagId: 'test_dag',
    taskId,
    runId: 'run-1',
    kind: 'bash',
    operator: 'BashOperator',
    bashCommand,
    pythonCallable: null,
    opArgs: null,
    opKwargs: null,
    dagFilePath: TASKS_DAG,
    cwd: FIXTURES,
    timeoutSeconds: 10,
    secretNames: [],
    pythonPath: 'python3',
    sdkPath: SDK,
    triggerRule: 'all_success',
    branch: false,
    doXcomPush: true,
    retries: 0,
    retryDelaySeconds: 0,
    skipOnExitCodes: [99],
    plainBash: !/\{\{|\{%|\{#/.test(bashCommand),
    ...overrides,
  };
}

/** A PythonOperator task of test/fixtures/execution/tasks_dag.py. */
export function pythonSpec(taskId: string, pythonCallable: string, overrides: Partial<TaskRunSpec> = {}): TaskRunSpec {
  return bashSpec(taskId, '', {
    dagId: 'tasks',
    kind: 'python',
    operator: 'PythonOperator',
    bashCommand: null,
    pythonCallable,
    ...overrides,
  });
}

/** A scratch folder, removed by the returned function. */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vortex-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Whether a process still runs. A dead process whose parent has gone stays a
 * zombie until init reaps it, and some containers' init never does, so a
 * zombie counts as gone (it runs nothing and holds nothing but its pid).
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Pids printed by a task as `PID=<n>` lines. */
export function printedPids(output: string): number[] {
  return [...output.matchAll(/PID=(\d+)/g)].map((m) => Number(m[1]));
}

const ZERO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** A TaskModel as the analyser would give it, for the fields the executor reads. */
export function modelTask(taskId: string, fields: Partial<TaskModel> = {}): TaskModel {
  return {
    taskId,
    operator: 'BashOperator',
    qualifiedOperator: 'vortex.operators.bash.BashOperator',
    kind: 'bash',
    variable: null,
    dagIndex: 0,
    range: ZERO_RANGE,
    operatorRange: ZERO_RANGE,
    taskIdRange: ZERO_RANGE,
    line: 0,
    args: {},
    bashCommand: `echo ${taskId}`,
    pythonCallable: null,
    opArgs: null,
    opKwargs: null,
    secrets: [],
    executionTimeoutSeconds: null,
    upstream: [],
    downstream: [],
    ...fields,
  };
}

/** A DagModel over the given tasks (their indices in the analysis are their positions). */
export function modelAnalysis(dagId: string, tasks: TaskModel[], fields: Partial<DagModel> = {}): { analysis: FileAnalysis; dag: DagModel } {
  const dag: DagModel = {
    dagId,
    schedule: null,
    owner: null,
    description: null,
    tags: [],
    secrets: [],
    variable: 'dag',
    range: ZERO_RANGE,
    nameRange: ZERO_RANGE,
    idRange: null,
    scheduleRange: null,
    line: 0,
    args: {},
    taskIndices: tasks.map((_t, i) => i),
    edges: tasks.flatMap((t) => t.upstream.map((u) => ({ upstream: u, downstream: t.taskId, range: ZERO_RANGE }))),
    ...fields,
  };
  return { analysis: { isDagFile: true, dags: [dag], tasks, diagnostics: [], hasDynamicConstructs: false }, dag };
}

/** Largest number of intervals open at one instant. */
export function maxOverlap(intervals: { start: number; end: number }[]): number {
  const points = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ]);
  // At equal times, ends before starts: touching intervals do not overlap.
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const p of points) most = Math.max(most, (open += p.delta));
  return most;
}

/** A task log without the time each line starts with (`[12:00:00.123] `). */
export function withoutTimes(log: string): string {
  return log.replace(/^\[\d\d:\d\d:\d\d\.\d{3}\] /gm, '');
}
