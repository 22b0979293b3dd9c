/**
 * `vortex run FILE [--dag DAG_ID] [--task TASK_ID] [--parallelism N]
 *                  [--timeout SECONDS] [--secrets-file PATH] [--json]
 *                  [--mode auto|static|runtime] [--logical-date DATE]
 *                  [--conf JSON] [--retry-delay SECONDS] [--downstream]
 *                  [--from RUN_ID [--only-failed]]`
 * as docs/cli.md describes it: arguments into the run service, its events out
 * to the terminal.
 *
 * Exit status: 0 every task succeeded; 1 a task failed, or the file has
 * error diagnostics (it is not run); 2 bad usage or an unreadable file;
 * 130 stopped by SIGINT (Ctrl-C), 143 by SIGTERM, 129 by SIGHUP, as shells
 * report them.
 *
 * Environment: VORTEX_PYTHON, the interpreter for Python tasks and for
 * executing the file under --mode auto or runtime (default python3);
 * VORTEX_RUNS_DIR, where run logs are kept (default $XDG_STATE_HOME/vortex/runs,
 * i.e. ~/.local/state/vortex/runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPython } from '../../core/analysis/parser';
import { prepareLaunch } from '../../core/process/launch';
import { cleanUpInterruptedRuns } from '../../core/run/interruptedRuns';
import {
  checkRunnable,
  chooseDag,
  dynamicTasksNote,
  unreadSettingsNote,
  executeRun,
  findStoredRun,
  interruptedRunLine,
  modelForRun,
  openRunStore,
  planRerun,
  planRun,
  type Rerun,
  runJson,
  runLabel,
  RunRefused,
  summaryLine,
  unmaskedSecrets,
} from '../../core/run/runService';
import type { DagRunResult, RunEvent, TaskSelection } from '../../core/run/scheduler';
import { parseConf, parseLogicalDate, RunContextError } from '../../core/run/runContext';
import { MapVault, parseSecretsFile, unmaskedSecretWarning } from '../../core/run/secrets';
import { DEFAULT_RUNTIME_TIMEOUT_MS } from '../../core/runtime/report';
import type { AnalysisMode } from '../../core/runtime/mode';
import { analyseFile, UsageError } from './files';
import { analysisMode } from './mode';
import { diagnosticLine } from './report';
import { RunTable } from './runTable';
import { interruptible, signalExitCode } from './signals';

export type { RunJson } from '../../core/run/runService';

interface RunArgs {
  file: string;
  dag: string | undefined;
  task: string | undefined;
  parallelism: number | undefined;
  timeoutSeconds: number | undefined;
  secretsFile: string | undefined;
  json: boolean;
  mode: AnalysisMode;
  logicalDate: Date | undefined;
  conf: Record<string, unknown> | undefined;
  retryDelaySeconds: number | undefined;
  downstream: boolean;
  from: string | undefined;
  onlyFailed: boolean;
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
        mode: { type: 'string' },
        'logical-date': { type: 'string' },
        conf: { type: 'string' },
        'retry-delay': { type: 'string' },
        downstream: { type: 'boolean' },
        from: { type: 'string' },
        'only-failed': { type: 'boolean' },
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
  let retryDelaySeconds: number | undefined;
  if (values['retry-delay'] !== undefined) {
    retryDelaySeconds = Number(values['retry-delay']);
    if (!Number.isFinite(retryDelaySeconds) || retryDelaySeconds < 0) {
      throw new UsageError(`--retry-delay must be a number of seconds, 0 or more, not "${values['retry-delay']}"`);
    }
  }
  const logicalDate = values['logical-date'] !== undefined ? contextValue('--logical-date', () => parseLogicalDate(values['logical-date'] as string)) : undefined;
  const conf = values.conf !== undefined ? contextValue('--conf', () => parseConf(values.conf as string)) : undefined;
  const downstream = values.downstream ?? false;
  const onlyFailed = values['only-failed'] ?? false;
  if (downstream && values.task === undefined) throw new UsageError('--downstream goes with --task: the task whose downstream tasks run with it');
  if (onlyFailed && values.from === undefined) throw new UsageError('--only-failed goes with --from RUN_ID: the run whose failed tasks run again');
  if (values.from !== undefined && !onlyFailed && values.task === undefined) {
    throw new UsageError('--from RUN_ID needs --only-failed (its failed and not-run tasks) or --task TASK_ID [--downstream] (that task cleared)');
  }
  if (onlyFailed && values.task !== undefined) throw new UsageError('give --only-failed or --task with --from, not both');
  if (values.from !== undefined && (values['logical-date'] !== undefined || values.conf !== undefined)) {
    throw new UsageError('--from RUN_ID runs again with that run\'s logical date and conf: leave out --logical-date and --conf');
  }
  return {
    file: positionals[0],
    dag: values.dag,
    task: values.task,
    parallelism,
    timeoutSeconds,
    secretsFile: values['secrets-file'],
    json: values.json ?? false,
    mode: analysisMode(values.mode),
    logicalDate,
    conf,
    retryDelaySeconds,
    downstream,
    from: values.from,
    onlyFailed,
  };
}

function contextValue<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RunContextError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
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

async function run(args: RunArgs, signal: AbortSignal, stoppedBy: () => NodeJS.Signals | null): Promise<number> {
  const vault = args.secretsFile !== undefined ? readSecrets(args.secretsFile) : new MapVault({});
  // Started first, to go on while the file is read and analysed: the process that starts tasks
  // comes up, and the run history is opened and runs left interrupted are cleaned up.
  // (A history that does not exist yet is made only once the run is planned: a run refused leaves nothing.)
  prepareLaunch();
  const openHistory = async () => {
    const store = await openRunStore(runsDir(), undefined, (message) => warn(`vortex: ${message}`));
    return { store, interrupted: store ? await cleanUpInterruptedRuns(store) : [] };
  };
  const history = existsSync(runsDir()) ? openHistory() : null;
  // Awaited below, unless the file cannot run: then its failure must not surface as an unhandled rejection.
  history?.catch(() => undefined);
  await loadPython();
  const { analysis, path: file, text } = analyseFile(args.file, {});
  const pythonPath = process.env.VORTEX_PYTHON || undefined;
  const model = await modelForRun(analysis, text, path.resolve(file), args.mode, { pythonPath, timeoutMs: DEFAULT_RUNTIME_TIMEOUT_MS, signal });

  for (const d of model.analysis.diagnostics) if (d.severity !== 'info') warn(diagnosticLine(file, d));
  checkRunnable(model, file);
  const dag = chooseDag(model, file, args.dag ?? null);
  const note = dynamicTasksNote(model);
  if (note) warn(`vortex: note: ${note}`);
  const settingsNote = unreadSettingsNote(model, dag);
  if (settingsNote) warn(`vortex: note: ${settingsNote}`);

  const selection: TaskSelection =
    args.task === undefined || args.from !== undefined ? { kind: 'dag' } : { kind: args.downstream ? 'withDownstream' : 'task', taskId: args.task };
  const request = {
    filePath: path.resolve(file),
    dag,
    selection,
    timeoutSeconds: args.timeoutSeconds,
    pythonPath,
    logicalDate: args.logicalDate,
    conf: args.conf,
  };
  const { store, interrupted } = await (history ?? openHistory());
  let plan;
  if (args.from !== undefined) {
    if (!store) throw new RunRefused('unknownRun', `no run history to find run "${args.from}" in`);
    const stored = await findStoredRun(store, dag.dagId ?? '', args.from);
    const rerun: Rerun = args.task !== undefined ? { kind: 'cleared', taskId: args.task, downstream: args.downstream } : { kind: 'failed' };
    plan = await planRerun(model, request, stored, rerun);
  } else {
    plan = planRun(model, request);
  }
  for (const name of await unmaskedSecrets(plan, vault)) warn(`vortex: warning: ${unmaskedSecretWarning(name)}`);
  if (!args.json) for (const earlier of interrupted) warn(`vortex: ${interruptedRunLine(earlier)}`);

  const table = args.json
    ? null
    : new RunTable(
        plan.tasks.map((t) => ({ taskId: t.spec.taskId, operator: t.spec.operator })),
        write,
        process.stdout.isTTY === true,
        process.stdout.rows || 24,
      );
  if (table) {
    write(`Running ${runLabel(plan, selection)} from ${file} (run ${plan.context.airflowRunId}, logical date ${plan.context.logicalDate})\n`);
    if (args.retryDelaySeconds !== undefined) write(`Retries wait ${args.retryDelaySeconds} s (--retry-delay), not each task's retry_delay\n`);
    table.start();
  }

  const result = await executeRun(plan, {
    parallelism: args.parallelism,
    vault,
    signal,
    store,
    onEvent: (event: RunEvent) => table?.onEvent(event),
    retryDelaySeconds: args.retryDelaySeconds,
  });

  if (table) {
    table.finish();
    const lines = [...failureReport(result), '', summaryLine(result)];
    if (result.runDir) lines.push(`logs: ${result.runDir}`);
    write(`${lines.join('\n')}\n`);
  } else {
    write(`${JSON.stringify(runJson(result, interrupted), null, 2)}\n`);
  }
  if (result.state === 'cancelled') return signalExitCode(stoppedBy() ?? 'SIGINT');
  return result.state === 'success' ? 0 : 1;
}

/** `vortex run …`; resolves to the exit status. Errors in the input are one line on stderr, never a stack trace. */
export async function runCommand(args: string[]): Promise<number> {
  try {
    const parsed = parseRunArgs(args);
    return await interruptible((signal, stoppedBy) =>
      run(parsed, signal, stoppedBy).catch((error: unknown) => {
        // Interrupted while the file was being executed to see its tasks: nothing ran.
        if (signal.aborted && error instanceof Error && error.name === 'AbortError') {
          warn('vortex: interrupted before any task started');
          return signalExitCode(stoppedBy() ?? 'SIGINT');
        }
        throw error;
      }),
    );
  } catch (error) {
    if (error instanceof UsageError) {
      warn(`vortex: ${error.message}`);
      return 2;
    }
    if (error instanceof RunRefused) {
      // A file that cannot run is the file's fault (1); naming what is not there is bad usage (2).
      const usage = ['unknownDag', 'unknownTask', 'noDag', 'severalDags', 'unknownRun', 'nothingToRerun'].includes(error.kind);
      warn(`vortex: ${error.message}${error.kind === 'severalDags' ? ' with --dag' : ''}`);
      return usage ? 2 : 1;
    }
    throw error;
  }
}
