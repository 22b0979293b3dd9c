/**
 * One run of `python -m vortex._inspector` as a process group: stdout kept whole
 * (it is the report), the end of stderr kept (it says why Python crashed), and
 * the whole group stopped at the time limit, on abort, and when the main
 * process ends (a DAG file may start processes of its own, even ones that
 * leave the group: `spawnGroup` finds and stops those that hold the output).
 */
import { setPriority } from 'node:os';
import { spawnGroup, type SpawnedGroup } from '../process/processGroup';

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

export function runInspector(req: InspectorRequest): Promise<InspectorRun> {
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let overflow = false;
  let stderr = Buffer.alloc(0);
  const group: SpawnedGroup = spawnGroup({
    file: req.pythonPath,
    args: req.args,
    cwd: req.cwd,
    env: req.env,
    timeoutMs: req.killAfterMs,
    killGraceMs: 0,
    leftoverGraceMs: LEFTOVER_GRACE_MS,
    signal: req.signal,
    onStarted: lowerPriority,
    onData: (stream, chunk) => {
      if (stream === 'stderr') {
        stderr = Buffer.concat([stderr, chunk]);
        if (stderr.length > 2 * STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
        return;
      }
      if (overflow) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) {
        overflow = true;
        stdout.length = 0;
        group.kill();
        return;
      }
      stdout.push(chunk);
    },
  });
  return group.outcome.then((outcome) => ({
    spawnError: outcome.spawnError,
    exitCode: outcome.exitCode,
    exitSignal: outcome.signal,
    killed: outcome.timedOut,
    aborted: outcome.cancelled,
    stdout: overflow ? null : Buffer.concat(stdout).toString('utf8'),
    stderrTail: stderr.subarray(Math.max(0, stderr.length - STDERR_TAIL_BYTES)).toString('utf8'),
  }));
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
