/**
 * The local scheduler: runs a plan's tasks in dependency order, a bounded
 * number at a time, as Airflow's scheduler would: each task's trigger rule
 * decides, from how its upstream tasks ended, whether it runs, waits or ends
 * `skipped` / `upstream_failed` without running; a branch task's choice skips
 * the direct downstream tasks it did not follow, a short-circuit skips
 * downstream on a falsy result; a failed task with retries left runs again
 * after its retry delay. What each task pushes to XCom is handed to the tasks
 * after it.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import os from 'node:os';
import { launchBaseEnv, prepareLaunch } from '../process/launch';
import { CycleError, findCycle, PlanError, reachable, type RunPlan } from './plan';
import type { XComValues } from './pythonRunner';
import { type RunFolder, type RunState, type RunStore, type TaskRunState } from './runStore';
import { airflowSecrets, type SecretVault } from './secrets';
import { executeTask, type OutputStream, type TaskResult } from './taskExecutor';
import type { TaskRunSpec } from './taskSpec';
import { decide, type UpstreamCounts } from './triggerRules';

export { CycleError, findCycle, planFromModel, PlanError } from './plan';
export type { PlannedTask, RunPlan, SettledTasks, TaskSelection } from './plan';
export type { RunState, TaskRunState } from './runStore';
export type FinalTaskState = Exclude<TaskRunState, 'queued' | 'running'>;

export type RunEvent =
  | { type: 'run-started'; runId: string; dagId: string; taskIds: string[]; runDir: string | null; at: number }
  | { type: 'task-state'; runId: string; taskId: string; state: TaskRunState; at: number; result?: TaskResult }
  | { type: 'task-output'; runId: string; taskId: string; stream: OutputStream; text: string }
  /** A failed try with retries left: the task runs again (try `tryNumber`) after `delayMs`; meanwhile it is `queued`. */
  | { type: 'task-retry'; runId: string; taskId: string; tryNumber: number; delayMs: number; at: number }
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
  /** Seconds between tries instead of each task's `retry_delay` (a local run may not want to wait five minutes). */
  retryDelaySeconds?: number;
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
  context: RunPlan['context'];
  /** What the tasks pushed to XCom (masked): task id → key → value. */
  xcoms: XComValues;
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
    tryNumber: 1,
    xcom: {},
    rendered: {},
    follow: null,
    skipDownstream: null,
    noRetry: false,
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
  // Ready before the first task needs it (started here, it comes up while the run is set up).
  prepareLaunch();
  // One environment for the run's tasks: each read of process.env is a call into the system.
  const baseEnv = launchBaseEnv();
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
  const upstreamOf = new Map<string, string[]>();
  for (const t of plan.tasks) {
    upstreamOf.set(t.spec.taskId, t.upstream);
    for (const up of t.upstream) downstream.get(up)?.push(t.spec.taskId);
  }
  const states = new Map<string, TaskRunState>(ids.map((id) => [id, 'queued']));
  const results = new Map<string, TaskResult>();
  const xcoms: XComValues = {};

  const folder: RunFolder | null = options.store
    ? await options.store.createRun({
        runId: plan.runId,
        dagId: plan.dagId,
        dagFilePath: plan.dagFilePath,
        startedAt,
        context: plan.context,
        tasks: plan.tasks.map((t) => ({ taskId: t.spec.taskId, operator: t.spec.operator })),
      })
    : null;

  // Every secret value the run may hand out is masked in every task's output,
  // so one task cannot reveal another's secret (say, through a shared file).
  const secretNames = [...new Set(plan.tasks.flatMap((t) => t.spec.secretNames))];
  const airflowEnv = await airflowSecrets(options.vault);
  const maskValues = [...(await presentValues(secretNames, options.vault)), ...Object.values(airflowEnv)];

  const setState = (taskId: string, state: TaskRunState, result?: TaskResult) => {
    states.set(taskId, state);
    emit({ type: 'task-state', runId: plan.runId, taskId, state, at: Date.now(), ...(result ? { result } : {}) });
  };

  emit({ type: 'run-started', runId: plan.runId, dagId: plan.dagId, taskIds: ids, runDir: folder?.dir ?? null, at: startedAt });
  for (const id of ids) setState(id, 'queued');
  // What an earlier try of this run settled stays as it was, its XComs included.
  const settled = plan.settled;
  for (const [id, state] of Object.entries(settled?.states ?? {})) {
    if (!states.has(id)) continue;
    if (settled?.xcoms[id]) xcoms[id] = settled.xcoms[id];
    setState(id, state);
  }

  const specOf = new Map(plan.tasks.map((t) => [t.spec.taskId, t.spec]));
  /** Tasks whose trigger rule said run, not started yet. */
  const ready: string[] = [];
  const decided = new Set<string>(Object.keys(plan.settled?.states ?? {}));
  const retryTimers = new Map<string, NodeJS.Timeout>();
  let running = 0;

  const countsOf = (taskId: string): UpstreamCounts => {
    const ups = upstreamOf.get(taskId) ?? [];
    const c: UpstreamCounts = { upstream: ups.length, success: 0, failed: 0, upstreamFailed: 0, skipped: 0 };
    for (const up of ups) {
      const state = states.get(up);
      if (state === 'success') c.success++;
      else if (state === 'failed') c.failed++;
      else if (state === 'upstream_failed') c.upstreamFailed++;
      else if (state === 'skipped') c.skipped++;
    }
    return c;
  };

  /** Ends a task without running it, then lets its downstream tasks decide in turn. */
  const settle = (taskId: string, state: 'skipped' | 'upstream_failed') => {
    decided.add(taskId);
    setState(taskId, state);
    evaluateDownstream(taskId);
  };

  const evaluate = (taskId: string) => {
    if (decided.has(taskId) || states.get(taskId) !== 'queued') return;
    const decision = decide((specOf.get(taskId) as TaskRunSpec).triggerRule, countsOf(taskId));
    if (decision === 'wait') return;
    if (decision === 'run') {
      decided.add(taskId);
      ready.push(taskId);
    } else {
      settle(taskId, decision);
    }
  };

  function evaluateDownstream(taskId: string): void {
    for (const down of downstream.get(taskId) ?? []) evaluate(down);
  }

  /** Skips tasks as a branch or short-circuit says, before anything downstream is decided. */
  const applyChoice = (taskId: string, result: TaskResult) => {
    const direct = downstream.get(taskId) ?? [];
    let skip: string[] = [];
    if (result.follow !== null) {
      const follow = result.follow;
      // A group id follows the group's tasks, as Airflow follows the group's roots.
      skip = direct.filter((d) => !follow.some((f) => d === f || d.startsWith(`${f}.`)));
    } else if (result.skipDownstream === 'direct') {
      skip = direct;
    } else if (result.skipDownstream === 'all') {
      skip = [...reachable(downstream, direct)];
    }
    for (const id of skip) {
      if (states.get(id) === 'queued' && !decided.has(id)) {
        decided.add(id);
        setState(id, 'skipped');
      }
    }
    for (const id of skip) evaluateDownstream(id);
  };

  /** Each task's last log write, which the run waits for before it ends. */
  const logWrites = new Map<string, Promise<void>>();
  await new Promise<void>((resolve) => {
    const tries = new Map<string, number>();
    const skipQueued = () => {
      for (const timer of retryTimers.values()) clearTimeout(timer);
      retryTimers.clear();
      for (const id of ids) {
        if (states.get(id) !== 'queued') continue;
        // A task waiting to retry ends as its last try did.
        const last = results.get(id);
        if (last) setState(id, last.state, last);
        else setState(id, 'skipped');
      }
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
      const spec = specOf.get(taskId) as TaskRunSpec;
      const tryNumber = tries.get(taskId) ?? 1;
      if (result.state === 'failed' && !result.cancelled && !result.noRetry && !options.signal?.aborted && tryNumber <= spec.retries) {
        const delayMs = Math.max(0, (options.retryDelaySeconds ?? spec.retryDelaySeconds) * 1000);
        tries.set(taskId, tryNumber + 1);
        setState(taskId, 'queued');
        emit({ type: 'task-retry', runId: plan.runId, taskId, tryNumber: tryNumber + 1, delayMs, at: Date.now() });
        retryTimers.set(
          taskId,
          setTimeout(() => {
            retryTimers.delete(taskId);
            ready.push(taskId);
            pump();
          }, delayMs),
        );
        pump();
        return;
      }
      if (Object.keys(result.xcom).length > 0) xcoms[taskId] = result.xcom;
      setState(taskId, result.state, result);
      if (result.state === 'success') applyChoice(taskId, result);
      evaluateDownstream(taskId);
      pump();
    };

    const start = (taskId: string) => {
      running++;
      setState(taskId, 'running');
      const spec = specOf.get(taskId) as TaskRunSpec;
      const tryNumber = tries.get(taskId) ?? 1;
      // A later try adds to the log of the one before: once that is written.
      const earlierLog = tryNumber > 1 ? logWrites.get(taskId) : undefined;
      if (earlierLog) void earlierLog.then(() => run(taskId, spec, tryNumber));
      else run(taskId, spec, tryNumber);
    };

    const run = (taskId: string, spec: TaskRunSpec, tryNumber: number) => {
      const taskStart = performance.timeOrigin + performance.now();
      executeTask(spec, {
        vault: options.vault,
        maskValues,
        signal: options.signal,
        logPath: folder?.logPath(taskId),
        appendLog: tryNumber > 1,
        deferLogWrite: (written) => logWrites.set(taskId, written),
        maxCapturedChars: options.maxCapturedChars,
        killGraceMs: options.killGraceMs,
        run: { context: plan.context, tryNumber, xcoms },
        extraEnv: airflowEnv,
        baseEnv,
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
      if (running === 0 && retryTimers.size === 0) {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      }
    };
    for (const id of ids) evaluate(id);
    // A settled task's downstream may already be decided (an upstream that stays failed, say).
    for (const id of decided) if (states.get(id) !== 'queued') evaluateDownstream(id);
    pump();
  });
  await Promise.all(logWrites.values());

  const tasks: TaskRunRecord[] = plan.tasks.map((t) => ({
    taskId: t.spec.taskId,
    operator: t.spec.operator,
    state: states.get(t.spec.taskId) as FinalTaskState,
    result: results.get(t.spec.taskId) ?? null,
  }));
  const cancelled = options.signal?.aborted === true || tasks.some((t) => t.result?.cancelled);
  const failed = runFailed(plan, tasks);
  const result: DagRunResult = {
    runId: plan.runId,
    dagId: plan.dagId,
    dagFilePath: plan.dagFilePath,
    state: cancelled ? 'cancelled' : failed ? 'failed' : 'success',
    startedAt,
    durationMs: performance.now() - t0,
    tasks,
    runDir: folder?.dir ?? null,
    context: plan.context,
    xcoms,
  };
  if (options.store && folder) await options.store.finishRun(folder, result);
  emit({ type: 'run-finished', result });
  return result;
}

/**
 * Airflow's verdict on a finished run: failed when one of its leaves (tasks
 * nothing in the plan depends on) failed or is upstream_failed, so that a
 * failure cleaned up after by an `all_done` task ends in success, as it does
 * in Airflow.
 */
function runFailed(plan: RunPlan, tasks: readonly TaskRunRecord[]): boolean {
  const hasDownstream = new Set(plan.tasks.flatMap((t) => t.upstream));
  return tasks.some((t) => !hasDownstream.has(t.taskId) && (t.state === 'failed' || t.state === 'upstream_failed'));
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
