/**
 * The local scheduler: runs a DAG's tasks (or a chosen part of them) in
 * dependency order, a bounded number at a time, as Airflow's all_success rule
 * would: a task starts only when every upstream task succeeded; downstream of
 * a failure is `upstream_failed` and never starts, while independent branches
 * go on.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { findCycles } from '../analysis/graph';
import type { DagModel, FileAnalysis } from '../analysis/model';
import { type RunFolder, type RunState, type RunStore, type TaskRunState } from './runStore';
import type { SecretVault } from './secrets';
import { executeTask, type OutputStream, type TaskResult } from './taskExecutor';
import { specFromModel, type SpecContext, type TaskRunSpec } from './taskSpec';

export type { RunState, TaskRunState } from './runStore';
export type FinalTaskState = Exclude<TaskRunState, 'queued' | 'running'>;

export interface PlannedTask {
  spec: TaskRunSpec;
  /** Upstream task ids within the plan. */
  upstream: string[];
}

export interface RunPlan {
  runId: string;
  dagId: string;
  dagFilePath: string;
  /** In source order, which is also the order among tasks ready at the same time. */
  tasks: PlannedTask[];
}

/** The whole DAG; one task alone (as `airflow tasks test` does); or one task and everything upstream of it. */
export type TaskSelection = { kind: 'dag' } | { kind: 'task'; taskId: string } | { kind: 'withUpstream'; taskId: string };

/** A plan that cannot run: unknown or duplicate task ids, or a cycle. */
export class PlanError extends Error {
  override name = 'PlanError';
}

export class CycleError extends PlanError {
  override name = 'CycleError';

  /** The cycle's task ids, the first repeated at the end: `['a', 'b', 'a']`. */
  constructor(readonly cycle: string[]) {
    super(`DAG has a cycle: ${cycle.join(' → ')}`);
  }
}

/** Narrows a plan's tasks to a selection, dropping dependencies on tasks left out. */
function selectTasks(tasks: readonly PlannedTask[], selection: TaskSelection): PlannedTask[] {
  if (selection.kind === 'dag') return [...tasks];
  const byId = new Map(tasks.map((t) => [t.spec.taskId, t]));
  const target = byId.get(selection.taskId);
  if (!target) throw new PlanError(`no task '${selection.taskId}'`);
  const keep = new Set<string>([selection.taskId]);
  if (selection.kind === 'withUpstream') {
    const stack = [...target.upstream];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (keep.has(id)) continue;
      keep.add(id);
      stack.push(...(byId.get(id)?.upstream ?? []));
    }
  }
  return tasks
    .filter((t) => keep.has(t.spec.taskId))
    .map((t) => ({ spec: t.spec, upstream: t.upstream.filter((u) => keep.has(u)) }));
}

/** The plan for a DAG of an analysed file. */
export function planFromModel(
  analysis: FileAnalysis,
  dag: DagModel,
  context: SpecContext,
  selection: TaskSelection = { kind: 'dag' },
): RunPlan {
  const models = dag.taskIndices.map((i) => analysis.tasks[i]);
  const ids = new Set(models.map((t) => t.taskId));
  const tasks = models.map((task) => ({
    spec: specFromModel(task, dag, context),
    upstream: task.upstream.filter((u) => ids.has(u)),
  }));
  return {
    runId: context.runId,
    dagId: dag.dagId ?? '',
    dagFilePath: path.resolve(context.dagFilePath),
    tasks: selectTasks(tasks, selection),
  };
}

/**
 * A cycle among the tasks, or null: the analyser's own cycle search, reported
 * in the order the tasks would run, from the task written first.
 */
export function findCycle(tasks: readonly PlannedTask[]): string[] | null {
  const index = new Map(tasks.map((t, i) => [t.spec.taskId, i]));
  const edges = tasks.flatMap((t, down) => t.upstream.filter((u) => index.has(u)).map((u) => ({ up: index.get(u)!, down })));
  const [cycle] = findCycles(edges);
  if (!cycle) return null;
  const around = cycle.path.slice(0, -1);
  const first = around.indexOf(Math.min(...around));
  const rotated = [...around.slice(first), ...around.slice(0, first)];
  return [...rotated, rotated[0]].map((i) => tasks[i].spec.taskId);
}

export type RunEvent =
  | { type: 'run-started'; runId: string; dagId: string; taskIds: string[]; runDir: string | null; at: number }
  | { type: 'task-state'; runId: string; taskId: string; state: TaskRunState; at: number; result?: TaskResult }
  | { type: 'task-output'; runId: string; taskId: string; stream: OutputStream; text: string }
  | { type: 'run-finished'; result: DagRunResult };

export interface RunOptions {
  /** Tasks running at once; default the number of CPUs. */
  parallelism?: number;
  vault?: SecretVault;
  /** Cancels the run: running tasks are stopped with their process groups, the rest are skipped. */
  signal?: AbortSignal;
  /** Keeps the run's logs and summary. */
  store?: RunStore;
  onEvent?: (event: RunEvent) => void;
  maxCapturedChars?: number;
  killGraceMs?: number;
}

export interface TaskRunRecord {
  taskId: string;
  operator: string;
  state: FinalTaskState;
  /** Null for tasks that never started. */
  result: TaskResult | null;
}

export interface DagRunResult {
  runId: string;
  dagId: string;
  dagFilePath: string;
  state: Exclude<RunState, 'running'>;
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  /** In plan order. */
  tasks: TaskRunRecord[];
  runDir: string | null;
}

function failedWithoutResult(spec: TaskRunSpec, err: unknown, startedAt: number): TaskResult {
  const now = performance.timeOrigin + performance.now();
  const message = `could not run: ${err instanceof Error ? err.message : String(err)}`;
  return {
    dagId: spec.dagId,
    taskId: spec.taskId,
    runId: spec.runId,
    state: 'failed',
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: false,
    stdout: '',
    stderr: `${message}\n`,
    message,
    failure: { kind: 'notRun' },
    startedAt,
    durationMs: now - startedAt,
    logPath: null,
  };
}

/**
 * Runs a plan to its end. Throws a PlanError (a cycle, duplicate ids) before
 * anything starts; never for what the tasks do.
 */
export async function runPlan(plan: RunPlan, options: RunOptions = {}): Promise<DagRunResult> {
  const ids = plan.tasks.map((t) => t.spec.taskId);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new PlanError(`task id '${duplicate}' is used twice`);
  const cycle = findCycle(plan.tasks);
  if (cycle) throw new CycleError(cycle);

  const parallelism = Math.max(1, Math.floor(options.parallelism ?? os.availableParallelism()));
  // Each running task listens to the signal, and so does this: beyond ten Node would warn of a leak (on the CLI's stderr).
  if (options.signal && getMaxListeners(options.signal) < parallelism + 1) setMaxListeners(parallelism + 1, options.signal);
  const t0 = performance.now();
  const startedAt = performance.timeOrigin + t0;
  const emit = (event: RunEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing listener (a closed UI, say) must not leave the run half done with processes running.
    }
  };

  const index = new Map(ids.map((id, i) => [id, i]));
  const downstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  const waitingOn = new Map<string, number>();
  for (const t of plan.tasks) {
    waitingOn.set(t.spec.taskId, t.upstream.length);
    for (const up of t.upstream) downstream.get(up)?.push(t.spec.taskId);
  }
  const states = new Map<string, TaskRunState>(ids.map((id) => [id, 'queued']));
  const results = new Map<string, TaskResult>();

  const folder: RunFolder | null = options.store
    ? await options.store.createRun({
        runId: plan.runId,
        dagId: plan.dagId,
        dagFilePath: plan.dagFilePath,
        startedAt,
        tasks: plan.tasks.map((t) => ({ taskId: t.spec.taskId, operator: t.spec.operator })),
      })
    : null;

  // Every secret value the run may hand out is masked in every task's output,
  // so one task cannot reveal another's secret (say, through a shared file).
  const secretNames = [...new Set(plan.tasks.flatMap((t) => t.spec.secretNames))];
  const maskValues = await presentValues(secretNames, options.vault);

  const setState = (taskId: string, state: TaskRunState, result?: TaskResult) => {
    states.set(taskId, state);
    emit({ type: 'task-state', runId: plan.runId, taskId, state, at: Date.now(), ...(result ? { result } : {}) });
  };

  emit({ type: 'run-started', runId: plan.runId, dagId: plan.dagId, taskIds: ids, runDir: folder?.dir ?? null, at: startedAt });
  for (const id of ids) setState(id, 'queued');

  const ready: string[] = ids.filter((id) => waitingOn.get(id) === 0);
  const specOf = new Map(plan.tasks.map((t) => [t.spec.taskId, t.spec]));
  let running = 0;

  /** Marks everything downstream of a task that did not succeed, transitively. */
  const blockDownstream = (taskId: string, state: 'upstream_failed' | 'skipped') => {
    const stack = [...(downstream.get(taskId) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      const current = states.get(id);
      if (current !== 'queued') continue;
      setState(id, state);
      stack.push(...(downstream.get(id) ?? []));
    }
  };

  await new Promise<void>((resolve) => {
    const skipQueued = () => {
      for (const id of ids) if (states.get(id) === 'queued') setState(id, 'skipped');
      ready.length = 0;
    };
    const onAbort = () => {
      skipQueued();
      if (running === 0) resolve();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finishTask = (taskId: string, result: TaskResult) => {
      running--;
      results.set(taskId, result);
      setState(taskId, result.state, result);
      if (result.state === 'success') {
        for (const down of downstream.get(taskId) ?? []) {
          const left = (waitingOn.get(down) ?? 1) - 1;
          waitingOn.set(down, left);
          if (left === 0 && states.get(down) === 'queued') ready.push(down);
        }
      } else {
        blockDownstream(taskId, 'upstream_failed');
      }
      pump();
    };

    const start = (taskId: string) => {
      running++;
      setState(taskId, 'running');
      const spec = specOf.get(taskId) as TaskRunSpec;
      const taskStart = performance.timeOrigin + performance.now();
      executeTask(spec, {
        vault: options.vault,
        maskValues,
        signal: options.signal,
        logPath: folder?.logPath(taskId),
        maxCapturedChars: options.maxCapturedChars,
        killGraceMs: options.killGraceMs,
        onStarted: folder ? (group) => folder.recordGroup(group) : undefined,
        onOutput: (stream, text) => emit({ type: 'task-output', runId: plan.runId, taskId, stream, text }),
      })
        .catch((err: unknown) => failedWithoutResult(spec, err, taskStart))
        .then((result) => finishTask(taskId, result));
    };

    const pump = () => {
      if (options.signal?.aborted) skipQueued();
      while (running < parallelism && ready.length > 0) {
        // Among ready tasks, the one written first.
        let best = 0;
        for (let i = 1; i < ready.length; i++) {
          if ((index.get(ready[i]) ?? 0) < (index.get(ready[best]) ?? 0)) best = i;
        }
        const [next] = ready.splice(best, 1);
        start(next);
      }
      if (running === 0) {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      }
    };
    pump();
  });

  const tasks: TaskRunRecord[] = plan.tasks.map((t) => ({
    taskId: t.spec.taskId,
    operator: t.spec.operator,
    state: states.get(t.spec.taskId) as FinalTaskState,
    result: results.get(t.spec.taskId) ?? null,
  }));
  const cancelled = tasks.some((t) => t.result?.cancelled || t.state === 'skipped');
  const failed = tasks.some((t) => t.state === 'failed' || t.state === 'upstream_failed');
  const result: DagRunResult = {
    runId: plan.runId,
    dagId: plan.dagId,
    dagFilePath: plan.dagFilePath,
    state: cancelled ? 'cancelled' : failed ? 'failed' : 'success',
    startedAt,
    durationMs: performance.now() - t0,
    tasks,
    runDir: folder?.dir ?? null,
  };
  if (options.store && folder) await options.store.finishRun(folder, result);
  emit({ type: 'run-finished', result });
  return result;
}

/** The values the vault has for these names (missing ones fail their task later, by name). */
async function presentValues(names: readonly string[], vault: SecretVault | undefined): Promise<string[]> {
  const values: string[] = [];
  for (const name of names) {
    const value = vault ? await vault.get(name) : undefined;
    if (value !== undefined) values.push(value);
  }
  return values;
}
