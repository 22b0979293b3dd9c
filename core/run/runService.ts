/**
 * The one run path: what `vortex run` and the editor's run commands both do
 * between "run this file" and "this is how it ended". It picks the DAG, refuses
 * a file with errors, plans from the model the analysis mode gives (the
 * static analysis, or laid over with what executing the file built), keeps the
 * run's logs in a RunStore (or runs without them), drives the scheduler and
 * words the summary. The CLI and the client only translate: arguments and
 * settings in, events out to a terminal or to VS Code. No `vscode`, no LSP.
 */
import type { DagModel, FileAnalysis } from '../analysis/model';
import { mergeRuntime } from '../runtime/merge';
import type { RuntimeOptions, RuntimeOutcome } from '../runtime/report';
import { type AnalysisMode, wantsRuntime } from '../runtime/mode';
import { resolveAtRuntime } from '../runtime/resolver';
import type { InterruptedRun } from './interruptedRuns';
import { readXComs, RunStore, type StoredRun } from './runStore';
import { withDownstream } from './plan';
import { makeRunContext, parseLogicalDate } from './runContext';
import { type DagRunResult, planFromModel, PlanError, runPlan, type RunEvent, type RunPlan, type TaskSelection } from './scheduler';
import { isMasked, type SecretVault } from './secrets';
import { newRunId, timedeltaSeconds, UnknownTriggerRule } from './taskSpec';

/** Why a file is not run; `message` is a sentence for people, without a "vortex:" or "VORTEX:" prefix. */
export type RefusalKind = 'errors' | 'noDag' | 'severalDags' | 'unknownDag' | 'unknownTask' | 'plan' | 'unknownRun' | 'nothingToRerun';

export class RunRefused extends Error {
  override name = 'RunRefused';

  constructor(readonly kind: RefusalKind, message: string) {
    super(message);
  }
}

/** The model a run plans from, and where its tasks came from. */
export interface RunModel {
  analysis: FileAnalysis;
  /** `runtime`: executing the file built the tasks; `static`: reading its source did. */
  basis: 'static' | 'runtime';
  /** Whether the file was executed to see its tasks (whether or not that went well). */
  executed: boolean;
}

export type Resolve = (filePath: string, options: RuntimeOptions) => Promise<RuntimeOutcome>;

/**
 * The model of a file as `mode` has it, as the language server builds it for
 * an open document: the static analysis, or (when the mode asks, see
 * `wantsRuntime`) the file executed and its outcome laid over the analysis.
 * A resolution that did not resolve leaves the static model with its
 * diagnostics added, so a file that crashes on import is refused.
 */
export async function modelForRun(
  staticAnalysis: FileAnalysis,
  source: string,
  filePath: string,
  mode: AnalysisMode,
  options: RuntimeOptions,
  resolve: Resolve = resolveAtRuntime,
): Promise<RunModel> {
  if (!wantsRuntime(mode, staticAnalysis)) return { analysis: staticAnalysis, basis: 'static', executed: false };
  const outcome = await resolve(filePath, options);
  return { analysis: mergeRuntime(staticAnalysis, outcome, source), basis: outcome.status === 'resolved' ? 'runtime' : 'static', executed: true };
}

/**
 * A model resolved elsewhere (the language server's), read back from its
 * diagnostics: executing the file that resolved drops VX404, and one that did
 * not adds a runtime diagnostic (VX5xx).
 */
export function modelOf(analysis: FileAnalysis): RunModel {
  const unseen = analysis.diagnostics.some((d) => d.code === 'VX404');
  const runtimeSaid = analysis.diagnostics.some((d) => d.code.startsWith('VX5'));
  const resolved = analysis.hasDynamicConstructs && !unseen;
  return { analysis, basis: resolved ? 'runtime' : 'static', executed: resolved || runtimeSaid };
}

/** The DAGs a run can name: those with a literal dag_id. */
export function runnableDags(analysis: FileAnalysis): DagModel[] {
  return analysis.dags.filter((d) => d.dagId !== null);
}

/** The file's error diagnostics refuse the run: running a file that does not load would only fail each task the same way. */
export function checkRunnable(model: RunModel, fileName: string): void {
  const errors = model.analysis.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) throw new RunRefused('errors', `not running ${fileName}: it has ${errors} error${errors === 1 ? '' : 's'}`);
}

/**
 * The DAG `dagId` names, or the file's only one. Several without a choice
 * throw `severalDags`: the caller asks the user (the client) or says to pass
 * one (the CLI's --dag).
 */
export function chooseDag(model: RunModel, fileName: string, dagId: string | null): DagModel {
  const runnable = runnableDags(model.analysis);
  const known = runnable.map((d) => d.dagId).join(', ');
  if (dagId !== null) {
    const dag = runnable.find((d) => d.dagId === dagId);
    if (!dag) throw new RunRefused('unknownDag', `no DAG "${dagId}" in ${fileName}${known ? ` (it defines: ${known})` : ''}`);
    return dag;
  }
  if (runnable.length === 0) throw new RunRefused('noDag', `${fileName} defines no DAG with a literal dag_id`);
  if (runnable.length > 1) throw new RunRefused('severalDags', `${fileName} defines ${runnable.length} DAGs (${known}): choose one`);
  return runnable[0];
}

/**
 * What the user should know before the run: tasks static analysis could not
 * see do not run when the model is the static one. Null when there is nothing to say.
 */
export function dynamicTasksNote(model: RunModel): string | null {
  if (model.basis === 'runtime' || !model.analysis.hasDynamicConstructs) return null;
  const why = model.executed ? 'executing the file did not show them (see its diagnostics)' : 'the analysis mode "static" does not execute the file to see them';
  return `some tasks are created dynamically and cannot run: static analysis cannot see them, and ${why}`;
}

/**
 * What the user should know of run settings the static model could not read
 * (a default_args built by a call, `retries=int(...)`): the run takes
 * Airflow's defaults for them rather than a guess. Null when there are none,
 * or when executing the file gave the model (it read them all).
 */
export function unreadSettingsNote(model: RunModel, dag: DagModel): string | null {
  if (model.basis === 'runtime') return null;
  const tasks = dag.taskIndices.map((i) => model.analysis.tasks[i]).filter((t) => t.unreadSettings && t.unreadSettings.length > 0);
  if (tasks.length === 0) return null;
  const names = [...new Set(tasks.flatMap((t) => t.unreadSettings ?? []))];
  const shown = tasks.slice(0, 3).map((t) => t.taskId).join(', ');
  const more = tasks.length > 3 ? ` and ${tasks.length - 3} more` : '';
  return `static analysis cannot read ${names.join(', ')} of ${shown}${more}: the run uses Airflow's defaults for them (the analysis mode "runtime" executes the file to read them)`;
}

export interface RunRequest {
  /** Absolute path of the DAG file the tasks import. */
  filePath: string;
  dag: DagModel;
  selection: TaskSelection;
  timeoutSeconds?: number;
  pythonPath?: string;
  sdkPath?: string;
  /** The run's logical date (default now, as `airflow dags test`). */
  logicalDate?: Date;
  /** Overrides of the DAG's params (`dags test -c`). */
  conf?: Record<string, unknown>;
}

/** The plan for a chosen DAG of the model; an unknown task of the selection is refused. */
export function planRun(model: RunModel, request: RunRequest): RunPlan {
  const { analysis } = model;
  const { dag, selection } = request;
  if (selection.kind !== 'dag' && !dag.taskIndices.some((i) => analysis.tasks[i].taskId === selection.taskId)) {
    throw new RunRefused('unknownTask', `no task "${selection.taskId}" in DAG "${dag.dagId ?? '?'}"`);
  }
  try {
    return planFromModel(
      analysis,
      dag,
      { dagFilePath: request.filePath, runId: newRunId(), timeoutSeconds: request.timeoutSeconds, pythonPath: request.pythonPath, sdkPath: request.sdkPath },
      selection,
      makeRunContext({
        schedule: dag.schedule,
        scheduleSeconds: dag.schedule === null ? timedeltaSeconds(dag.args.schedule ?? dag.args.schedule_interval) : null,
        logicalDate: request.logicalDate,
        conf: request.conf,
      }),
    );
  } catch (error) {
    if (error instanceof UnknownTriggerRule) throw new RunRefused('plan', `not running DAG "${dag.dagId ?? '?'}": ${error.message}`);
    throw error;
  }
}

/** What to run again of a stored run: its failed and not-run tasks, or one task cleared with its downstream (or alone). */
export type Rerun = { kind: 'failed' } | { kind: 'cleared'; taskId: string; downstream: boolean };

/** A stored run of the DAG by its id (the folder's, as the history lists it), or its latest with `latest`. */
export async function findStoredRun(store: RunStore, dagId: string, runId: string): Promise<StoredRun> {
  const runs = (await store.listRuns(dagId)).filter((r) => r.summary.state !== 'running');
  const found = runId === 'latest' ? runs[0] : runs.find((r) => r.summary.run_id === runId || r.summary.airflow_run_id === runId);
  if (!found) throw new RunRefused('unknownRun', `no finished run "${runId}" of DAG "${dagId}" in the run history`);
  return found;
}

const NOT_DONE = new Set(['failed', 'upstream_failed', 'interrupted', 'queued', 'running']);

/**
 * Another try of a stored run, as Airflow's "clear" makes one: the same
 * logical date, conf and run id; the tasks to run again (the failed and
 * not-run ones, or a task with its downstream) run, and the others keep the
 * state and XComs they had, for the trigger rules and `xcom_pull` of those
 * that run.
 */
export async function planRerun(model: RunModel, request: RunRequest, stored: StoredRun, rerun: Rerun): Promise<RunPlan> {
  const summary = stored.summary;
  const plan = planRun(model, {
    ...request,
    selection: { kind: 'dag' },
    logicalDate: summary.logical_date ? parseLogicalDate(summary.logical_date) : request.logicalDate,
    conf: summary.conf ?? request.conf,
  });
  if (summary.airflow_run_id) plan.context = { ...plan.context, airflowRunId: summary.airflow_run_id };
  const before = new Map(summary.tasks.map((t) => [t.task_id, t.state]));
  let again: Set<string>;
  if (rerun.kind === 'failed') {
    const notDone = plan.tasks.map((t) => t.spec.taskId).filter((id) => !before.has(id) || NOT_DONE.has(before.get(id) as string));
    again = withDownstream(plan.tasks, notDone);
  } else {
    if (!plan.tasks.some((t) => t.spec.taskId === rerun.taskId)) throw new RunRefused('unknownTask', `no task "${rerun.taskId}" in DAG "${plan.dagId}"`);
    again = rerun.downstream ? withDownstream(plan.tasks, [rerun.taskId]) : new Set([rerun.taskId]);
  }
  if (again.size === 0) throw new RunRefused('nothingToRerun', `run ${summary.run_id} of DAG "${plan.dagId}" has no failed or unfinished task to run again`);
  const xcoms = await readXComs(stored.dir);
  const settled: NonNullable<RunPlan['settled']> = { states: {}, xcoms: {} };
  for (const t of plan.tasks) {
    const state = before.get(t.spec.taskId);
    if (again.has(t.spec.taskId) || (state !== 'success' && state !== 'skipped' && state !== 'failed' && state !== 'upstream_failed')) continue;
    settled.states[t.spec.taskId] = state;
    if (xcoms[t.spec.taskId]) settled.xcoms[t.spec.taskId] = xcoms[t.spec.taskId];
  }
  plan.settled = settled;
  return plan;
}

/** What a run is called in headers and notifications: `DAG "etl"`, `task "load" with upstream of DAG "etl"`. */
export function runLabel(plan: RunPlan, selection: TaskSelection): string {
  if (plan.settled) return `DAG "${plan.dagId}" again (${plan.tasks.length - Object.keys(plan.settled.states).length} of ${plan.tasks.length} tasks)`;
  if (selection.kind === 'dag') return `DAG "${plan.dagId}"`;
  const extent = selection.kind === 'withUpstream' ? ' with upstream' : selection.kind === 'withDownstream' ? ' with downstream' : '';
  return `task "${selection.taskId}"${extent} of DAG "${plan.dagId}"`;
}

/**
 * A RunStore in `dir`, or undefined when it cannot be made: a run without
 * logs beats no run, and `warn` says why there are none.
 */
export async function openRunStore(dir: string, keepPerDag: number | undefined, warn: (message: string) => void): Promise<RunStore | undefined> {
  const store = new RunStore(dir, keepPerDag);
  try {
    await store.prepare();
    return store;
  } catch (error) {
    warn(`cannot keep run logs in ${store.baseDir} (${error instanceof Error ? error.message : String(error)}); running without them`);
    return undefined;
  }
}

/**
 * The secrets of the plan that the vault has, but with values too short to
 * be masked in the run's output: the caller warns about each by name.
 */
export async function unmaskedSecrets(plan: RunPlan, vault: SecretVault | undefined): Promise<string[]> {
  if (!vault) return [];
  const names = [...new Set(plan.tasks.flatMap((t) => t.spec.secretNames))].sort();
  const unmasked: string[] = [];
  for (const name of names) {
    const value = await vault.get(name);
    if (value !== undefined && value !== '' && !isMasked(value)) unmasked.push(name);
  }
  return unmasked;
}

export interface ExecuteOptions {
  parallelism?: number;
  vault?: SecretVault;
  /** Aborting it stops the run: running tasks with their process groups, the rest skipped. */
  signal?: AbortSignal;
  store?: RunStore;
  onEvent?: (event: RunEvent) => void;
  /** Seconds between a failed try and the next, instead of each task's `retry_delay`. */
  retryDelaySeconds?: number;
}

/** Runs a plan to its end; a plan that cannot run (a cycle, a duplicate id) is refused before anything starts. */
export async function executeRun(plan: RunPlan, options: ExecuteOptions): Promise<DagRunResult> {
  try {
    return await runPlan(plan, {
      parallelism: options.parallelism,
      vault: options.vault,
      signal: options.signal,
      store: options.store,
      onEvent: options.onEvent,
      retryDelaySeconds: options.retryDelaySeconds,
    });
  } catch (error) {
    if (error instanceof PlanError) throw new RunRefused('plan', `not running DAG "${plan.dagId}": ${error.message}`);
    throw error;
  }
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** One line saying how the run ended, e.g. `DAG "etl" failed in 1.20 s: 4 tasks, 2 success, 1 failed, 1 upstream_failed`. */
export function summaryLine(result: DagRunResult): string {
  const counts = new Map<string, number>();
  for (const t of result.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  return `DAG "${result.dagId}" ${result.state} in ${formatDuration(result.durationMs)}: ${plural(result.tasks.length, 'task')}${parts ? `, ${parts}` : ''}`;
}

/** The `run --json` shape of docs/cli.md. */
export interface RunJson {
  dag_id: string;
  /** Airflow's run id, `manual__<logical date>`. */
  run_id: string;
  logical_date: string;
  data_interval_start: string | null;
  data_interval_end: string | null;
  state: DagRunResult['state'];
  duration_ms: number;
  tasks: RunJsonTask[];
  /** Earlier runs found unfinished with their process gone, cleaned up before this one started; only when there were some. */
  interrupted_runs?: InterruptedRunJson[];
}

export interface InterruptedRunJson {
  dag_id: string;
  run_id: string;
  run_dir: string;
  /** Pids of the task process groups that were still running and were stopped. */
  stopped_groups: number[];
}

export interface RunJsonTask {
  task_id: string;
  operator: string;
  state: string;
  exit_code: number | null;
  timed_out: boolean;
  /** Null for a task that never started. */
  duration_ms: number | null;
  stdout: string;
  stderr: string;
  /** Tries made; 0 for a task that never started. */
  tries: number;
  /** Key → value the task pushed to XCom (masked). */
  xcom: Record<string, unknown>;
  /** Templated fields as the task ran them (masked). */
  rendered: Record<string, string>;
}

export function runJson(result: DagRunResult, interrupted: readonly InterruptedRun[] = []): RunJson {
  const json: RunJson = {
    dag_id: result.dagId,
    run_id: result.context.airflowRunId,
    logical_date: result.context.logicalDate,
    data_interval_start: result.context.dataIntervalStart,
    data_interval_end: result.context.dataIntervalEnd,
    state: result.state,
    duration_ms: Math.round(result.durationMs),
    tasks: result.tasks.map((t) => ({
      task_id: t.taskId,
      operator: t.operator,
      state: t.state,
      exit_code: t.result?.exitCode ?? null,
      timed_out: t.result?.timedOut ?? false,
      duration_ms: t.result ? Math.round(t.result.durationMs) : null,
      stdout: t.result?.stdout ?? '',
      stderr: t.result?.stderr ?? '',
      tries: t.result?.tryNumber ?? 0,
      xcom: t.result?.xcom ?? {},
      rendered: t.result?.rendered ?? {},
    })),
  };
  if (interrupted.length > 0) {
    json.interrupted_runs = interrupted.map((r) => ({ dag_id: r.dagId, run_id: r.runId, run_dir: r.dir, stopped_groups: r.stoppedGroups }));
  }
  return json;
}

/** What a run cleaned up as interrupted was, in one sentence (without a "vortex:" prefix). */
export function interruptedRunLine(run: InterruptedRun): string {
  const stopped = run.stoppedGroups.length;
  const what = stopped > 0 ? `; stopped ${stopped} task process group${stopped === 1 ? '' : 's'} it left running` : '';
  return `run ${run.runId} of DAG "${run.dagId}" was interrupted (the process running it ended)${what}; marked interrupted in ${run.dir}`;
}
