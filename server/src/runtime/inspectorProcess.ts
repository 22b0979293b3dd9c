/**
 * One run of `python -m vortex._inspector` as a process group: stdout kept whole
 * (it is the report), the end of stderr kept (it says why Python crashed), and
 * the whole group stopped at the time limit, on abort, and when the main
 * process ends (a DAG file may start processes of its own).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { stopGroup, trackGroup, untrackGroup } from '../execution/processGroup';

export interface InspectorRequest {
  pythonPath: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** After this long the whole group is killed. */
  killAfterMs: number;
  signal: AbortSignal | undefined;
}

export interface InspectorRun {
  /** Set when the interpreter could not be started at all (ENOENT, EACCES, …). */
  spawnError: NodeJS.ErrnoException | null;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Killed at `killAfterMs`. */
  killed: boolean;
  aborted: boolean;
  /** The whole of stdout, or null when it outgrew the cap (the group is then killed). */
  stdout: string | null;
  /** The last few KiB of stderr. */
  stderrTail: string;
}

/** A report of 5,000 tasks is under 2 MB; anything past this is not a report. */
const MAX_STDOUT_BYTES = 64 * 1024 * 1024;
const STDERR_TAIL_BYTES = 8 * 1024;
/** Leftovers of an ended run (processes the DAG file started) get this long to exit on SIGTERM. */
const LEFTOVER_GRACE_MS = 500;
/** setTimeout fires at once for delays beyond 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function runInspector(req: InspectorRequest): Promise<InspectorRun> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(req.pythonPath, req.args, {
        cwd: req.cwd,
        env: req.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      // Arguments spawn refuses outright (a NUL byte in the interpreter's path).
      resolve({ ...NOT_RUN, spawnError: error as NodeJS.ErrnoException });
      return;
    }
    const pgid = child.pid;
    if (pgid !== undefined) {
      trackGroup(pgid);
      lowerPriority(pgid);
    }

    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let overflow = false;
    let stderr = Buffer.alloc(0);
    let killed = false;
    let aborted = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let stopping: Promise<void> | null = null;
    const stop = (graceMs: number): Promise<void> => (stopping ??= pgid === undefined ? Promise.resolve() : stopGroup(pgid, graceMs));

    child.stdout?.on('data', (chunk: Buffer) => {
      if (overflow) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) {
        overflow = true;
        stdout.length = 0;
        void stop(0);
        return;
      }
      stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > 2 * STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
    });

    const timer = setTimeout(() => {
      killed = true;
      void stop(0);
    }, Math.min(req.killAfterMs, MAX_TIMER_MS));
    let exited = false;
    const onAbort = () => {
      if (exited) return;
      aborted = true;
      void stop(0);
    };
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      clearTimeout(timer);
      // Whatever the file started and left running must not outlive the run,
      // nor hold the pipes open.
      void stop(LEFTOVER_GRACE_MS);
    });
    child.on('close', () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      void (stopping ?? Promise.resolve()).then(() => {
        if (pgid !== undefined) untrackGroup(pgid);
        resolve({
          spawnError,
          exitCode: spawnError ? null : exitCode,
          exitSignal,
          killed,
          aborted: aborted && !killed,
          stdout: overflow ? null : Buffer.concat(stdout).toString('utf8'),
          stderrTail: stderr.subarray(Math.max(0, stderr.length - STDERR_TAIL_BYTES)).toString('utf8'),
        });
      });
    });
  });
}

/**
 * Executing a DAG file is background work beside the editor's keystrokes: at a
 * lower priority it yields the CPU to the language server (the file's own
 * child processes inherit it). Where that is not allowed it runs as it is.
 */
function lowerPriority(pid: number): void {
  try {
    setPriority(pid, BACKGROUND_NICENESS);
  } catch {
    // The process may have ended already, or the platform refuses.
  }
}

const BACKGROUND_NICENESS = 10;

const NOT_RUN: InspectorRun = {
  spawnError: null,
  exitCode: null,
  exitSignal: null,
  killed: false,
  aborted: false,
  stdout: '',
  stderrTail: '',
};
