/**
 * `vortex run FILE [--dag DAG_ID] [--task TASK_ID] [--parallelism N]
 *                  [--timeout SECONDS] [--secrets-file PATH] [--json]`
 * as ../shared/spec/cli.md describes it.
 *
 * Exit status: 0 every task succeeded; 1 a task failed, or the file has
 * error diagnostics (it is not run); 2 bad usage or an unreadable file;
 * 130 stopped by SIGINT (Ctrl-C), 143 by SIGTERM, 129 by SIGHUP, as shells
 * report them.
 *
 * Environment: VORTEX_PYTHON, the interpreter for Python tasks (default
 * python3); VORTEX_RUNS_DIR, where run logs are kept (default
 * $XDG_STATE_HOME/vortex/runs, i.e. ~/.local/state/vortex/runs).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FileAnalysis } from '../../server/src/analysis/model';
import { loadPython } from '../../server/src/analysis/parser';
import { cleanUpInterruptedRuns, type InterruptedRun } from '../../server/src/execution/interruptedRuns';
import { RunStore } from '../../server/src/execution/runStore';
import {
  type DagRunResult,
  planFromModel,
  PlanError,
  runPlan,
  type RunEvent,
  type TaskSelection,
} from '../../server/src/execution/scheduler';
import { MapVault, parseSecretsFile } from '../../server/src/execution/secrets';
import { newRunId } from '../../server/src/execution/taskSpec';
import { analyseFile, UsageError } from './files';
import { diagnosticLine } from './report';
import { formatDuration, RunTable } from './runTable';

/** The `run --json` shape of cli.md. */
export interface RunJson {
  dag_id: string;
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
}

export function runJson(result: DagRunResult, interrupted: readonly InterruptedRun[] = []): RunJson {
  const json: RunJson = {
    dag_id: result.dagId,
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
    })),
  };
  if (interrupted.length > 0) {
    json.interrupted_runs = interrupted.map((r) => ({ dag_id: r.dagId, run_id: r.runId, run_dir: r.dir, stopped_groups: r.stoppedGroups }));
  }
  return json;
}

function interruptedLine(run: InterruptedRun): string {
  const stopped = run.stoppedGroups.length;
  const what = stopped > 0 ? `; stopped ${stopped} task process group${stopped === 1 ? '' : 's'} it left running` : '';
  return `vortex: run ${run.runId} of DAG "${run.dagId}" was interrupted (the process running it ended)${what}; marked interrupted in ${run.dir}`;
}

interface RunArgs {
  file: string;
  dag: string | undefined;
  task: string | undefined;
  parallelism: number | undefined;
  timeoutSeconds: number | undefined;
  secretsFile: string | undefined;
  json: boolean;
}

function parseRunArgs(args: string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        dag: { type: 'string' },
        task: { type: 'string' },
        parallelism: { type: 'string' },
        timeout: { type: 'string' },
        'secrets-file': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('run needs exactly one FILE');
  let parallelism: number | undefined;
  if (values.parallelism !== undefined) {
    parallelism = Number(values.parallelism);
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new UsageError(`--parallelism must be a whole number of at least 1, not "${values.parallelism}"`);
    }
  }
  let timeoutSeconds: number | undefined;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}"`);
    }
  }
  return {
    file: positionals[0],
    dag: values.dag,
    task: values.task,
    parallelism,
    timeoutSeconds,
    secretsFile: values['secrets-file'],
    json: values.json ?? false,
  };
}

function readSecrets(file: string): MapVault {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new UsageError(`cannot read secrets file ${file}: ${why}`);
  }
  return new MapVault(parseSecretsFile(text));
}

function runsDir(): string {
  if (process.env.VORTEX_RUNS_DIR) return process.env.VORTEX_RUNS_DIR;
  const state = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'vortex', 'runs');
}

function chooseDag(analysis: FileAnalysis, file: string, dagId: string | undefined) {
  const known = analysis.dags.map((d) => d.dagId).filter((id): id is string => id !== null);
  if (dagId !== undefined) {
    const dag = analysis.dags.find((d) => d.dagId === dagId);
    if (!dag) throw new UsageError(`no DAG "${dagId}" in ${file}${known.length ? ` (it defines: ${known.join(', ')})` : ''}`);
    return dag;
  }
  if (analysis.dags.length === 0) throw new UsageError(`${file} defines no DAG`);
  if (analysis.dags.length > 1) throw new UsageError(`${file} defines ${analysis.dags.length} DAGs (${known.join(', ')}): choose one with --dag`);
  return analysis.dags[0];
}

const write = (text: string) => process.stdout.write(text);
const warn = (text: string) => process.stderr.write(`${text}\n`);

/** The tail of a failed task's output, for people; the log has all of it. */
function failureReport(result: DagRunResult): string[] {
  const out: string[] = [];
  for (const t of result.tasks) {
    if (t.state !== 'failed' || !t.result) continue;
    const r = t.result;
    out.push('', `${t.taskId}: ${r.message ?? 'failed'}`);
    const tail = (r.stderr || r.stdout).trimEnd().split('\n').slice(-20);
    if (tail.length > 0 && tail[0] !== '' && tail.join('\n') !== r.message) out.push(...tail.map((l) => `  | ${l}`));
    if (r.logPath) out.push(`  log: ${r.logPath}`);
  }
  return out;
}

function summaryLine(result: DagRunResult): string {
  const counts = new Map<string, number>();
  for (const t of result.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const n = result.tasks.length;
  const parts = [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
  return `DAG "${result.dagId}" ${result.state} in ${formatDuration(result.durationMs)}: ${n} task${n === 1 ? '' : 's'}, ${parts}`;
}

async function run(args: RunArgs): Promise<number> {
  const vault = args.secretsFile !== undefined ? readSecrets(args.secretsFile) : new MapVault({});
  await loadPython();
  const { analysis, path: file } = analyseFile(args.file, {});

  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  for (const d of analysis.diagnostics) if (d.severity !== 'info') warn(diagnosticLine(file, d));
  if (errors.length > 0) {
    warn(`vortex: not running ${file}: it has ${errors.length} error${errors.length === 1 ? '' : 's'}`);
    return 1;
  }
  const dag = chooseDag(analysis, file, args.dag);
  if (args.task !== undefined && !dag.taskIndices.some((i) => analysis.tasks[i].taskId === args.task)) {
    throw new UsageError(`no task "${args.task}" in DAG "${dag.dagId ?? '?'}"`);
  }
  if (analysis.hasDynamicConstructs) {
    warn('vortex: note: some tasks are created dynamically; static analysis cannot see them, so they do not run');
  }

  const selection: TaskSelection = args.task !== undefined ? { kind: 'task', taskId: args.task } : { kind: 'dag' };
  const plan = planFromModel(
    analysis,
    dag,
    {
      dagFilePath: path.resolve(file),
      runId: newRunId(),
      timeoutSeconds: args.timeoutSeconds,
      pythonPath: process.env.VORTEX_PYTHON || undefined,
    },
    selection,
  );

  let store: RunStore | undefined = new RunStore(runsDir());
  try {
    await store.prepare();
  } catch (error) {
    // A run without logs beats no run: say so and go on.
    warn(`vortex: cannot keep run logs in ${store.baseDir} (${(error as Error).message}); running without them`);
    store = undefined;
  }
  const interrupted = store ? await cleanUpInterruptedRuns(store) : [];
  if (!args.json) for (const run of interrupted) warn(interruptedLine(run));

  const table = args.json
    ? null
    : new RunTable(
        plan.tasks.map((t) => ({ taskId: t.spec.taskId, operator: t.spec.operator })),
        write,
        process.stdout.isTTY === true,
        process.stdout.rows || 24,
      );
  if (table) {
    const target = args.task !== undefined ? `task "${args.task}" of DAG "${plan.dagId}"` : `DAG "${plan.dagId}"`;
    write(`Running ${target} from ${file} (run ${plan.runId})\n`);
    table.start();
  }

  // Tasks run in process groups of their own, which a terminal's Ctrl-C does
  // not reach: stop them ourselves, then report what happened. A second
  // signal does not wait: exiting kills every group still running at once.
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const interrupt = (signal: NodeJS.Signals) => {
    if (stoppedBy !== null) process.exit(signalExitCode(stoppedBy));
    stoppedBy = signal;
    controller.abort();
  };
  // SIGHUP too: a closed terminal would otherwise end this process and leave the groups running.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, interrupt);
  let result: DagRunResult;
  try {
    result = await runPlan(plan, {
      parallelism: args.parallelism,
      vault,
      signal: controller.signal,
      store,
      onEvent: (event: RunEvent) => table?.onEvent(event),
    });
  } catch (error) {
    if (error instanceof PlanError) {
      warn(`vortex: not running ${file}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    for (const signal of signals) process.off(signal, interrupt);
  }

  if (table) {
    table.finish();
    const lines = [...failureReport(result), '', summaryLine(result)];
    if (result.runDir) lines.push(`logs: ${result.runDir}`);
    write(`${lines.join('\n')}\n`);
  } else {
    write(`${JSON.stringify(runJson(result, interrupted), null, 2)}\n`);
  }
  if (result.state === 'cancelled') return signalExitCode(stoppedBy ?? 'SIGINT');
  return result.state === 'success' ? 0 : 1;
}

/** 128 + the signal's number, as shells report a process a signal ended. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 2);
}

/** `vortex run …`; resolves to the exit status. Errors in the input are one line on stderr, never a stack trace. */
export async function runCommand(args: string[]): Promise<number> {
  try {
    return await run(parseRunArgs(args));
  } catch (error) {
    if (error instanceof UsageError) {
      warn(`vortex: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
