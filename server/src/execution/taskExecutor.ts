/**
 * The TaskExecutor: runs one task as the seed's "Task Execution" section
 * describes, for the extension and the CLI alike (no `vscode` import).
 *
 * NOTE: processes are started with `child_process.spawn`, not execa. Measured
 * here, execa cost about twice a bare spawn of `sh -c true` (≈6 ms against
 * ≈3 ms), while the benchmark allows the executor 1.3× the bare loop;
 * and execa's timeout and cancellation stop only the direct child, whereas a
 * task must be stopped with its whole process group, so that part would be
 * written here either way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { CappedText, DEFAULT_MAX_CAPTURED_CHARS } from './capture';
import { stopGroup, trackGroup, untrackGroup } from './processGroup';
import { prepareRunner, type RunnerPayload } from './pythonRunner';
import { type MaskingStream, resolveSecrets, SecretMasker, type SecretVault } from './secrets';
import type { TaskRunSpec } from './taskSpec';

export type OutputStream = 'stdout' | 'stderr';

export interface ExecuteOptions {
  /** Where the task's secrets come from; without one, a task that names secrets fails. */
  vault?: SecretVault;
  /** Values masked in this task's output besides its own secrets (e.g. every secret of the run). */
  maskValues?: Iterable<string>;
  /** Cancels the task: its whole process group is stopped. */
  signal?: AbortSignal;
  /** The task's log file: the full (masked) output of both streams, in arrival order. */
  logPath?: string;
  /** Live output, already masked. */
  onOutput?: (stream: OutputStream, text: string) => void;
  /** Per stream, kept in memory for the result; default 1 Mi characters. */
  maxCapturedChars?: number;
  /** Between SIGTERM and SIGKILL when stopping a task; default 2 s. */
  killGraceMs?: number;
}

export interface TaskResult {
  dagId: string;
  taskId: string;
  runId: string;
  state: 'success' | 'failed';
  /** Null when no process ran or it ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Masked, capped output. */
  stdout: string;
  stderr: string;
  /** Why the task failed, in words (null on success). */
  message: string | null;
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  logPath: string | null;
}

const DEFAULT_KILL_GRACE_MS = 2000;

function describeSeconds(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  spawnError: Error | null;
  stdout: string;
  stderr: string;
}

interface ProcessRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  graceMs: number;
  signal: AbortSignal | undefined;
  masker: SecretMasker;
  log: LogFile | null;
  cap: number;
  onOutput: ((stream: OutputStream, text: string) => void) | undefined;
}

/** The log file, written with back-pressure so a task printing faster than the disk cannot fill memory. */
class LogFile {
  private readonly stream: WriteStream;
  private broken = false;
  private lastChar = '\n';

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'w', mode: 0o600 });
    // A log that cannot be written must not fail the task; the result still holds the output.
    this.stream.on('error', () => {
      this.broken = true;
    });
  }

  /** False when the caller should wait for `onDrain` before writing more. */
  write(text: string): boolean {
    if (this.broken || text.length === 0) return true;
    this.lastChar = text[text.length - 1];
    return this.stream.write(text);
  }

  onDrain(callback: () => void): void {
    if (this.broken) callback();
    else this.stream.once('drain', callback);
  }

  /** A line from VORTEX itself (why the task ended), on a line of its own. */
  note(message: string): void {
    this.write(`${this.lastChar === '\n' ? '' : '\n'}[vortex] ${message}\n`);
  }

  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream).catch(() => undefined);
  }
}

/** One output stream: decoded, masked, captured, logged, streamed. */
class OutputPipe {
  private readonly decoder = new StringDecoder('utf8');
  private readonly masking: MaskingStream;
  readonly captured: CappedText;

  constructor(
    private readonly name: OutputStream,
    masker: SecretMasker,
    cap: number,
    private readonly log: LogFile | null,
    private readonly onOutput: ((stream: OutputStream, text: string) => void) | undefined,
  ) {
    this.masking = masker.stream();
    this.captured = new CappedText(cap);
  }

  /** False when the log wants the producer paused. */
  push(chunk: Buffer): boolean {
    return this.emit(this.masking.write(this.decoder.write(chunk)));
  }

  end(): void {
    this.emit(this.masking.write(this.decoder.end()) + this.masking.end());
  }

  private emit(text: string): boolean {
    if (text.length === 0) return true;
    this.captured.append(text);
    this.onOutput?.(this.name, text);
    return this.log ? this.log.write(text) : true;
  }
}

/** setTimeout fires at once for delays beyond 2^31-1 ms (about 24.8 days); longer timeouts mean "that long". */
const MAX_TIMER_MS = 2 ** 31 - 1;

function runProcess(req: ProcessRequest): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(req.file, req.args, {
        cwd: req.cwd,
        env: req.env,
        // Its own process group, so that stopping the task reaches everything it started.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      // Arguments spawn rejects outright (a NUL byte in a command or a value) fail the task, not the run.
      const error = e instanceof Error ? e : new Error(String(e));
      resolve({ exitCode: null, signal: null, timedOut: false, cancelled: false, spawnError: error, stdout: '', stderr: '' });
      return;
    }
    const pgid = child.pid;
    if (pgid !== undefined) trackGroup(pgid);

    const out = new OutputPipe('stdout', req.masker, req.cap, req.log, req.onOutput);
    const err = new OutputPipe('stderr', req.masker, req.cap, req.log, req.onOutput);
    const pump = (pipe: OutputPipe) => (chunk: Buffer) => {
      if (pipe.push(chunk) || !req.log) return;
      child.stdout?.pause();
      child.stderr?.pause();
      req.log.onDrain(() => {
        child.stdout?.resume();
        child.stderr?.resume();
      });
    };
    child.stdout?.on('data', pump(out));
    child.stderr?.on('data', pump(err));

    let timedOut = false;
    let cancelled = false;
    let spawnError: Error | null = null;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let stopping: Promise<void> | null = null;
    const stop = (): Promise<void> => (stopping ??= pgid === undefined ? Promise.resolve() : stopGroup(pgid, req.graceMs));

    const timer = setTimeout(() => {
      timedOut = true;
      void stop();
    }, Math.min(req.timeoutMs, MAX_TIMER_MS));
    let exited = false;
    const onAbort = () => {
      // Once the main process has ended the task has too; a late cancel changes nothing.
      if (exited) return;
      cancelled = true;
      void stop();
    };
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      clearTimeout(timer);
      // A task ends when its main process does; whatever it left running in
      // the background (`server &`) is stopped with it rather than orphaned,
      // which also closes the pipes such a process would hold open.
      void stop();
    });
    child.on('close', () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      void (stopping ?? Promise.resolve()).then(() => {
        if (pgid !== undefined) untrackGroup(pgid);
        out.end();
        err.end();
        resolve({
          exitCode: spawnError ? null : exitCode,
          signal: exitSignal,
          timedOut,
          cancelled: cancelled && !timedOut,
          spawnError,
          stdout: out.captured.text(req.log?.path ?? null),
          stderr: err.captured.text(req.log?.path ?? null),
        });
      });
    });
  });
}

function runnerPayload(spec: TaskRunSpec, mode: RunnerPayload['mode']): RunnerPayload {
  return {
    mode,
    dag_file: spec.dagFilePath,
    dag_id: spec.dagId,
    task_id: spec.taskId,
    python_callable: spec.pythonCallable,
    op_args: spec.opArgs,
    op_kwargs: spec.opKwargs,
  };
}

function pythonEnv(spec: TaskRunSpec, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    PYTHONPATH: [spec.sdkPath, env.PYTHONPATH].filter((p) => p).join(path.delimiter),
    PYTHONUNBUFFERED: '1',
    // Importing the DAG file must not leave __pycache__ folders in the user's project or in the extension.
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: env.PYTHONIOENCODING ?? 'utf-8',
  };
}

/** Synchronous on purpose: one stat costs microseconds, a round trip through libuv's thread pool far more, per task. */
function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Runs one task to its end and says how it went; it never throws for anything the task does. */
export async function executeTask(spec: TaskRunSpec, options: ExecuteOptions = {}): Promise<TaskResult> {
  // Epoch time from the monotonic clock, to the fraction of a millisecond, so
  // that start and end times of tasks compare exactly (as the scheduler's do).
  const t0 = performance.now();
  const startedAt = performance.timeOrigin + t0;
  const logPath = options.logPath ?? null;
  const base = {
    dagId: spec.dagId,
    taskId: spec.taskId,
    runId: spec.runId,
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: false,
    stdout: '',
    stderr: '',
    startedAt,
    logPath,
  };

  /** The task ends without a process: its message is its stderr and its whole log. */
  const endWithout = async (message: string | null, extra: { cancelled?: boolean } = {}): Promise<TaskResult> => {
    if (logPath) await writeFile(logPath, message ? `[vortex] ${message}\n` : '', { mode: 0o600 }).catch(() => undefined);
    return {
      ...base,
      ...extra,
      state: message ? 'failed' : 'success',
      stderr: message ? `${message}\n` : '',
      message,
      durationMs: performance.now() - t0,
    };
  };

  if (options.signal?.aborted) return endWithout('cancelled before it started', { cancelled: true });
  if (spec.kind === 'dummy') return endWithout(null);
  if (spec.kind === 'unsupported') {
    return endWithout(`${spec.operator} cannot run locally: VORTEX runs BashOperator, PythonOperator, DummyOperator and EmptyOperator tasks`);
  }
  const secrets = await resolveSecrets(spec.secretNames, options.vault);
  if (!secrets.ok) return endWithout(secrets.message);
  if (!isDirectory(spec.cwd)) return endWithout(`working directory ${spec.cwd} does not exist`);

  const masker = new SecretMasker([...Object.values(secrets.env), ...(options.maskValues ?? [])]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets.env,
    VORTEX_DAG_ID: spec.dagId,
    VORTEX_TASK_ID: spec.taskId,
    VORTEX_RUN_ID: spec.runId,
  };

  let tempDir: string | null = null;
  const log = logPath ? new LogFile(logPath) : null;
  try {
    let file: string;
    let args: string[];
    let processEnv = env;
    if (spec.kind === 'bash' && spec.bashCommand !== null) {
      file = 'sh';
      args = ['-c', spec.bashCommand];
    } else {
      const runner = await prepareRunner(runnerPayload(spec, spec.kind === 'bash' ? 'bash' : 'call'));
      tempDir = runner.folder;
      file = spec.pythonPath;
      args = runner.args;
      processEnv = pythonEnv(spec, env);
    }

    const outcome = await runProcess({
      file,
      args,
      cwd: spec.cwd,
      env: processEnv,
      timeoutMs: spec.timeoutSeconds * 1000,
      graceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      signal: options.signal,
      masker,
      log,
      cap: options.maxCapturedChars ?? DEFAULT_MAX_CAPTURED_CHARS,
      onOutput: options.onOutput,
    });

    let message: string | null = null;
    if (outcome.spawnError) message = `could not start ${file}: ${outcome.spawnError.message}`;
    else if (outcome.timedOut) message = `timed out after ${describeSeconds(spec.timeoutSeconds)}; its processes were stopped`;
    else if (outcome.cancelled) message = 'cancelled; its processes were stopped';
    else if (outcome.signal) message = `killed by ${outcome.signal}`;
    else if (outcome.exitCode !== 0) message = `exited with code ${outcome.exitCode}`;
    if (message) message = masker.mask(message);
    if (message && log) log.note(message);

    return {
      ...base,
      state: message ? 'failed' : 'success',
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      cancelled: outcome.cancelled,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      message,
      durationMs: performance.now() - t0,
    };
  } finally {
    await log?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}
