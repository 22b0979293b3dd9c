/**
 * Process groups: each task runs as the leader of its own group, so that
 * stopping the task means stopping everything it started (`sleep 100 &`
 * included), never just the shell in front. `spawnGroup` is the one way the
 * executor and runtime resolution start user code.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { launch, launcherPids, type LaunchedProcess, type LayeredEnv, type OutputStream } from './launch';
import { liveProcesses, procStat } from './procfs';

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Sends a signal to every process of a group; false when the group is gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // A group that is gone (ESRCH) is the common answer, once per task: its error needs no stack trace, which costs more than the call.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ESRCH') return false;
    throw err;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Whether any process of the group is still alive. `kill(-pgid, 0)` also
 * counts zombies, and an orphaned grandchild stays a zombie for good under an
 * init that does not reap (as in many containers), so on Linux the members
 * found in /proc are checked for state `Z`/`X`.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const live = liveProcesses();
  return live === null || live.some((p) => p.pgrp === pgid);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
    if (!groupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
  }
}

/**
 * Stops a whole group: SIGTERM so processes can clean up, SIGKILL for those
 * still there after the grace period. Resolves once nothing of the group runs
 * (or, should even SIGKILL not take within a second, gives up on waiting).
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitGone(pgid, 1000);
}

/**
 * Groups still running, killed if this process exits first: a detached group
 * would otherwise outlive the CLI or the extension host that started it.
 * `exit` handlers can only do synchronous work, hence SIGKILL at once.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of liveGroups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/** setTimeout fires at once for delays beyond 2^31-1 ms (about 24.8 days); longer limits mean "that long". */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long the output may stay open after the main process ended and its
 * group was stopped. Only a process that left the group (`setsid daemon &`)
 * can still hold it then; past this it is looked for and stopped.
 */
export const PIPE_GRACE_MS = 1000;

export type { OutputStream } from './launch';

export interface GroupRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv | LayeredEnv;
  /** The time limit; then the whole group is stopped. */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL when the group is stopped at the time limit or on abort. */
  killGraceMs: number;
  /** Between SIGTERM and SIGKILL for what is left of the group once its main process ended. */
  leftoverGraceMs: number;
  signal: AbortSignal | undefined;
  /** Each chunk of output, as it arrives. */
  onData: (stream: OutputStream, chunk: Buffer) => void;
  /** Once the main process runs, with its pid (also the group's id) and start time where known, before any of its output. */
  onStarted?: (pid: number, startTime: number | null) => void;
}

/** A process that held the group's output open after the group was gone; it was stopped. */
export interface PipeHolder {
  pid: number;
  command: string;
}

export interface GroupOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Aborted before the main process ended. */
  cancelled: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES, a NUL byte in an argument). */
  spawnError: NodeJS.ErrnoException | null;
  /** Processes outside the group that still held its output, stopped after {@link PIPE_GRACE_MS}. */
  pipeHolders: PipeHolder[];
  /** The output was still held open by a process that could not be found, and is no longer read. */
  outputAbandoned: boolean;
}

export interface SpawnedGroup {
  /** Stops reading the output (back-pressure), until `resume`. */
  pause(): void;
  resume(): void;
  /** Stops the whole group at once, without counting as a timeout or a cancel. */
  kill(): void;
  readonly outcome: Promise<GroupOutcome>;
}

/**
 * Starts a program as the leader of a new process group, and ends it as a
 * whole: at the time limit, on abort, and when the main process exits (what
 * it left running in the background is stopped then, which also closes the
 * pipes such a process would hold open). The outcome resolves once the
 * output is closed, and no later than {@link PIPE_GRACE_MS} (plus the
 * stopping) after the group is gone.
 */
export function spawnGroup(req: GroupRequest): SpawnedGroup {
  let pgid: number | undefined;
  let childOutputEnds: ReadonlySet<string> = new Set();
  const spawnedAt = Date.now();
  let timedOut = false;
  let cancelled = false;
  let exited = false;
  let closed = false;
  let spawnError: NodeJS.ErrnoException | null = null;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let pipeHolders: PipeHolder[] = [];
  let outputAbandoned = false;
  let stopping: Promise<void> | null = null;
  /** A stop asked for before the process had started (its grace), done once it has. */
  let stopBeforeStart: number | null = null;
  const stop = (graceMs: number): Promise<void> => {
    if (pgid === undefined) {
      stopBeforeStart ??= graceMs;
      return Promise.resolve();
    }
    return (stopping ??= stopGroup(pgid, graceMs));
  };

  const timer = setTimeout(() => {
    timedOut = true;
    void stop(req.killGraceMs);
  }, Math.min(req.timeoutMs, MAX_TIMER_MS));

  // After the main process ended and its group is gone, the output can only
  // be held by a process that left the group: wait a little, then find it.
  let pipeTimer: NodeJS.Timeout | undefined;
  let searched = false;
  const releaseOutput = async () => {
    clearTimeout(pipeTimer);
    if (searched || closed) return;
    searched = true;
    pipeHolders = stopPipeHolders(childOutputEnds, spawnedAt);
    if (pipeHolders.length > 0) await waitFor(() => closed, req.killGraceMs);
    if (pipeHolders.length > 0 && !closed) {
      for (const holder of pipeHolders) killQuietly(holder.pid, 'SIGKILL');
      await waitFor(() => closed, 1000);
    }
    if (!closed) {
      // Found no one, or no one that let go: stop reading rather than wait forever.
      outputAbandoned = true;
      launched.abandonOutput();
    }
  };

  const armPipeTimer = () => {
    pipeTimer = setTimeout(() => {
      // Paused for back-pressure, the output is still being written out: that is not a holder's doing.
      if (launched.paused) armPipeTimer();
      else void releaseOutput();
    }, PIPE_GRACE_MS);
  };

  const onAbort = () => {
    if (!exited) {
      cancelled = true;
      void stop(req.killGraceMs);
    } else {
      // The task ended already; only its output is still held: no reason to wait for the grace.
      void (stopping ?? Promise.resolve()).then(releaseOutput);
    }
  };
  if (req.signal?.aborted) onAbort();
  else req.signal?.addEventListener('abort', onAbort, { once: true });

  let resolveOutcome: (outcome: GroupOutcome) => void = () => undefined;
  const outcome = new Promise<GroupOutcome>((resolve) => {
    resolveOutcome = resolve;
  });

  const launched: LaunchedProcess = launch(req, {
    started(pid, outputEnds, startTime) {
      pgid = pid;
      childOutputEnds = outputEnds;
      trackGroup(pid);
      req.onStarted?.(pid, startTime);
      if (stopBeforeStart !== null) void stop(stopBeforeStart);
    },
    spawnError(error) {
      spawnError = error;
    },
    data: req.onData,
    exited(code, signal, groupLeft) {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      clearTimeout(timer);
      // Nothing of the group left: nothing to stop (and no need to ask the system again).
      if (!groupLeft) stopping ??= Promise.resolve();
      void stop(req.leftoverGraceMs).then(() => {
        if (closed) return;
        // Once cancelled, there is no output left worth waiting for.
        if (req.signal?.aborted) void releaseOutput();
        else armPipeTimer();
      });
    },
    closed() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(pipeTimer);
      req.signal?.removeEventListener('abort', onAbort);
      void (stopping ?? Promise.resolve()).then(() => {
        if (pgid !== undefined) untrackGroup(pgid);
        resolveOutcome({
          exitCode: spawnError ? null : exitCode,
          signal: exitSignal,
          timedOut,
          cancelled: cancelled && !timedOut,
          spawnError,
          pipeHolders,
          outputAbandoned,
        });
      });
    },
  });

  return {
    pause: () => launched.pause(),
    resume: () => launched.resume(),
    kill() {
      void stop(0);
    },
    outcome,
  };
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let pause = 5; !condition(); pause = Math.min(pause * 2, 50)) {
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
  }
  return true;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already, or not ours to signal.
  }
}

/** USER_HZ: /proc counts process start times in these ticks on every Linux. */
const TICKS_PER_SECOND = 100;

/** Seconds since boot, from /proc/uptime (to the hundredth, as start times are); null off Linux. */
function uptimeSeconds(): number | null {
  try {
    const seconds = Number.parseFloat(readFileSync('/proc/uptime', 'utf8'));
    return Number.isFinite(seconds) ? seconds : null;
  } catch {
    return null;
  }
}

/**
 * Finds, on Linux, the processes that hold the child's end of its output
 * (as the launch found it) and sends each SIGTERM. Only processes started
 * after the task count: an older one cannot have inherited its output. Our
 * own processes hold the other ends, and are left out.
 */
function stopPipeHolders(peers: ReadonlySet<string>, spawnedAt: number): PipeHolder[] {
  if (process.platform !== 'linux') return [];
  const ours = new Set(launcherPids());
  const uptime = uptimeSeconds();
  if (peers.size === 0 || uptime === null) return [];
  // A few ticks of slack for the rounding of both clocks.
  const earliest = Math.floor((uptime - (Date.now() - spawnedAt) / 1000) * TICKS_PER_SECOND) - 5;
  const holders: PipeHolder[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (ours.has(pid)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return peers.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    const stat = procStat(pid);
    if (!stat || stat.startTime < earliest) continue;
    holders.push({ pid, command: stat.command });
    killQuietly(pid, 'SIGTERM');
  }
  return holders;
}
