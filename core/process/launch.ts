/**
 * Starting one program in a new process group (session), its stdin from
 * /dev/null and its stdout and stderr forwarded as they arrive: through the
 * spawner (a small Python process that starts children for us) where it can
 * run, else with Node's own spawn.
 *
 * Why not always Node's spawn: on Linux, Node forks to start a child, and a fork costs
 * in proportion to the parent's resident memory. Measured here, each 20 MB of
 * a Node process's memory adds about 0.6 ms to every spawn, during which the
 * event loop is blocked: the CLI (about 80 MB once the parser is loaded) paid
 * about 2 ms a task, an editor's extension host (hundreds of MB) far more.
 * The spawner stays a few MB and starts children with vfork, about 0.7 ms
 * each whatever our size. It is started once a process says it will launch
 * many (prepareLaunch) and lives as long as this process; should it be
 * missing (no `python3`) or never come up, Node's spawn takes over,
 * transparently, and should it die, the next launch starts another. When this process ends, even killed, the spawner sees its input
 * close and kills the groups still running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { bundledSdkPath } from '../sdk';
import { processStartTime } from './procfs';

export type OutputStream = 'stdout' | 'stderr';

export interface LaunchRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv | LayeredEnv;
}

/**
 * A child's environment as a base and the variables set over it. A task's
 * differs from the environment a run started from (see {@link launchBaseEnv})
 * in a dozen variables out of some dozens: the spawner is told only those,
 * and neither side copies or compares the rest for each task.
 */
export class LayeredEnv {
  constructor(
    readonly base: Readonly<NodeJS.ProcessEnv>,
    readonly set: Readonly<Record<string, string>>,
  ) {}

  get(name: string): string | undefined {
    return Object.hasOwn(this.set, name) ? this.set[name] : this.base[name];
  }

  /** The same base with more variables set. */
  with(more: Readonly<Record<string, string>>): LayeredEnv {
    return new LayeredEnv(this.base, Object.assign({}, this.set, more));
  }

  /** The whole environment, for Node's spawn. */
  full(): NodeJS.ProcessEnv {
    return Object.assign({}, this.base, this.set);
  }
}

/**
 * The environment runs start their tasks' from: this process's as the
 * spawner was started with it (the same object, so that a task's environment
 * is told to the spawner as what it sets over it), else as it is now.
 */
export function launchBaseEnv(): Readonly<NodeJS.ProcessEnv> {
  const spawner = sharedSpawner();
  return spawner ? spawner.baseEnv : { ...process.env };
}

/** What a launched process reports, in this order: started or not, output and exit (either order), close. */
export interface LaunchEvents {
  /**
   * The process runs; `outputEnds` names its ends of the output pipes
   * (`pipe:[N]`, `socket:[N]`) and `startTime` its start in clock ticks after
   * boot (with the pid, it names the process for good), where the system tells.
   */
  started(pid: number, outputEnds: ReadonlySet<string>, startTime: number | null): void;
  /** It could not be started at all; `closed` follows. */
  spawnError(error: NodeJS.ErrnoException): void;
  data(stream: OutputStream, chunk: Buffer): void;
  /** `groupLeft`: false when nothing of its process group was left as it ended, true when something (or maybe something) was. */
  exited(code: number | null, signal: NodeJS.Signals | null, groupLeft: boolean): void;
  /** Its output is closed (and, when it started, it has exited): nothing more will be reported. */
  closed(): void;
}

export interface LaunchedProcess {
  /** Stops reading its output (back-pressure), until `resume`. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Stops reading its output for good; `closed` follows. */
  abandonOutput(): void;
}

/** Processes of ours that hold output pipes of children they started; never holders to be stopped. */
export function launcherPids(): number[] {
  const spawner = spawnerPid();
  return spawner === undefined ? [process.pid] : [process.pid, spawner];
}

/** The spawner's pid while one runs. */
export function spawnerPid(): number | undefined {
  return shared instanceof Spawner && !shared.isDead ? shared.pid : undefined;
}

/** Starts a program; every outcome, a failure to start included, comes through `events`. */
export function launch(req: LaunchRequest, events: LaunchEvents): LaunchedProcess {
  const spawner = sharedSpawner();
  return spawner ? spawner.launch(req, events) : launchDirect(req, events);
}

/**
 * No program, argument or environment variable can hold a NUL byte. Said
 * here, in the same words whichever way the process would have started, and
 * without quoting the value (it may be a secret). `env`: the variables to
 * look at (the spawner looks only at those that differ from its own).
 */
function nulByteIn(req: LaunchRequest, env: Readonly<Record<string, string | undefined>> | null): NodeJS.ErrnoException | null {
  let where: string | null = null;
  if (req.file.includes('\0')) where = 'the program name';
  else if (req.args.some((a) => a.includes('\0'))) where = 'an argument';
  else if (req.cwd.includes('\0')) where = 'the working directory';
  else if (env !== null) {
    for (const name in env) if (name.includes('\0') || env[name]?.includes('\0')) where = 'an environment variable';
  }
  if (where === null) return null;
  const error: NodeJS.ErrnoException = new Error(`spawn ${req.file.replaceAll('\0', '\\0')}: ${where} holds a NUL byte, which the system cannot pass to a program`);
  error.code = 'ERR_INVALID_ARG_VALUE';
  return error;
}

/** Reports a launch refused before anything started. */
function refused(error: NodeJS.ErrnoException, events: LaunchEvents): LaunchedProcess {
  queueMicrotask(() => {
    events.spawnError(error);
    events.closed();
  });
  return { pause() {}, resume() {}, paused: false, abandonOutput() {} };
}

let shared: Spawner | null | undefined;
/** Whether this process starts enough children for a spawner to pay for its own start (see prepareLaunch). */
let wanted = false;

/**
 * Has launches go through the spawner from now on, starting it now so that it
 * is ready by the first (a run calls this as it begins). Without it, Node
 * starts the few children a process asks for itself: the spawner's own start
 * (a Python interpreter's, more behind a version manager's shim) would cost
 * more than it saves on one or two.
 */
export function prepareLaunch(): void {
  wanted = true;
  sharedSpawner();
}

/** The spawner once wanted, started then (and again should it die); null where it cannot run (Node's spawn is used then). */
function sharedSpawner(): Spawner | null {
  if (!wanted) return null;
  if (shared !== undefined) return shared;
  // Linux only: elsewhere Node starts children with posix_spawn already (macOS), or has no fork to pay for (Windows).
  shared = process.platform === 'linux' && process.env.VORTEX_SPAWNER !== 'node' ? Spawner.start() : null;
  return shared;
}

/** The spawner's protocol: see python/vortex/_spawner.py. */
const HEADER_BYTES = 9;
const PROTOCOL_VERSION = '1';

interface Pending {
  req: LaunchRequest;
  events: LaunchEvents;
  /** Replaced by Node's own launch should the spawner die before the process started. */
  fallback: LaunchedProcess | null;
  pid: number | undefined;
  paused: boolean;
}

class Spawner {
  private readonly launches = new Map<number, Pending>();
  private nextId = 1;
  private buffered: Buffer = Buffer.alloc(0);
  private ready = false;
  private dead = false;

  private constructor(
    private readonly child: ChildProcess,
    /** The environment the spawner was started with: a child's is told as changes to it. */
    readonly baseEnv: Readonly<NodeJS.ProcessEnv>,
  ) {
    const stdout = child.stdout as Readable;
    stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    child.on('error', () => this.die());
    child.on('exit', () => this.die());
    stdout.on('close', () => this.die());
    (child.stdin as Writable).on('error', () => this.die());
    this.idle();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isDead(): boolean {
    return this.dead;
  }

  static start(): Spawner | null {
    const script = path.join(bundledSdkPath(), 'vortex', '_spawner.py');
    if (!existsSync(script)) return null;
    const baseEnv = { ...process.env };
    let child: ChildProcess;
    try {
      // -I: none of the user's PYTHON* variables or site packages; -S: no site import, a faster start.
      child = spawn('python3', ['-I', '-S', script], { cwd: path.dirname(script), env: baseEnv, stdio: ['pipe', 'pipe', 'inherit'] });
    } catch {
      return null;
    }
    // Not found (ENOENT) shows synchronously as a missing pid; later deaths go through die().
    if (child.pid === undefined) {
      child.on('error', () => undefined);
      return null;
    }
    child.unref();
    const spawner = new Spawner(child, baseEnv);
    spawner.send({ op: 'base', env: baseEnv });
    return spawner;
  }

  launch(req: LaunchRequest, events: LaunchEvents): LaunchedProcess {
    const env = this.envChanges(req.env);
    const refusal = nulByteIn(req, env.set);
    if (refusal) return refused(refusal, events);
    const id = this.nextId++;
    const pending: Pending = { req, events, fallback: null, pid: undefined, paused: false };
    this.launches.set(id, pending);
    if (this.launches.size === 1) this.busy();
    this.send({ op: 'spawn', id, file: req.file, args: req.args, cwd: req.cwd, ...env });
    return {
      pause: () => {
        if (pending.fallback) return pending.fallback.pause();
        if (pending.paused) return;
        pending.paused = true;
        this.send({ op: 'pause', id });
      },
      resume: () => {
        if (pending.fallback) return pending.fallback.resume();
        if (!pending.paused) return;
        pending.paused = false;
        this.send({ op: 'resume', id });
      },
      get paused() {
        return pending.fallback ? pending.fallback.paused : pending.paused;
      },
      abandonOutput: () => {
        if (pending.fallback) pending.fallback.abandonOutput();
        else this.send({ op: 'abandon', id });
      },
    };
  }

  /**
   * A task's environment as what differs from the spawner's own (this
   * process's, as it was when the spawner started): most tasks differ in a
   * few variables, and the rest need not be written and read again each time.
   */
  private envChanges(layered: NodeJS.ProcessEnv | LayeredEnv): { set: Readonly<Record<string, string>>; unset: string[] } {
    if (layered instanceof LayeredEnv && layered.base === this.baseEnv) return { set: layered.set, unset: [] };
    const env = layered instanceof LayeredEnv ? layered.full() : layered;
    const set: Record<string, string> = {};
    for (const name in env) {
      const value = env[name];
      if (value !== undefined && this.baseEnv[name] !== value) set[name] = value;
    }
    const unset: string[] = [];
    for (const name in this.baseEnv) if (env[name] === undefined) unset.push(name);
    return { set, unset };
  }

  send(request: object): void {
    if (this.dead) return;
    (this.child.stdin as Writable).write(`${JSON.stringify(request)}\n`);
  }

  /** While nothing runs, the spawner must not keep this process alive. */
  private idle(): void {
    (this.child.stdout as Readable & { unref?(): void }).unref?.();
    (this.child.stdin as Writable & { unref?(): void }).unref?.();
  }

  private busy(): void {
    (this.child.stdout as Readable & { ref?(): void }).ref?.();
    (this.child.stdin as Writable & { ref?(): void }).ref?.();
  }

  private receive(chunk: Buffer): void {
    let data = this.buffered.length > 0 ? Buffer.concat([this.buffered, chunk]) : chunk;
    let offset = 0;
    while (data.length - offset >= HEADER_BYTES) {
      const length = data.readUInt32BE(offset + 5);
      if (data.length - offset < HEADER_BYTES + length) break;
      const kind = String.fromCharCode(data[offset]);
      const id = data.readUInt32BE(offset + 1);
      const payload = data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
      offset += HEADER_BYTES + length;
      this.frame(kind, id, payload);
    }
    data = data.subarray(offset);
    // A copy, so that a partial frame does not pin the whole chunk it came in.
    this.buffered = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
  }

  private frame(kind: string, id: number, payload: Buffer): void {
    if (kind === 'R') {
      this.ready = payload.toString() === PROTOCOL_VERSION;
      if (!this.ready) this.die();
      return;
    }
    const pending = this.launches.get(id);
    if (!pending) return;
    switch (kind) {
      case 'P': {
        const started = JSON.parse(payload.toString()) as { pid: number; ends: string[]; start_time: number | null };
        pending.pid = started.pid;
        pending.events.started(started.pid, new Set(started.ends), started.start_time);
        break;
      }
      case 'F': {
        const failed = JSON.parse(payload.toString()) as { code: string | null; errno: number | null; message: string };
        const error: NodeJS.ErrnoException = new Error(failed.message);
        if (failed.code) error.code = failed.code;
        if (failed.errno !== null) error.errno = -failed.errno;
        this.finish(id);
        pending.events.spawnError(error);
        pending.events.closed();
        break;
      }
      case 'O':
        pending.events.data('stdout', payload);
        break;
      case 'E':
        pending.events.data('stderr', payload);
        break;
      case 'X': {
        const exit = JSON.parse(payload.toString()) as { code: number | null; signal: NodeJS.Signals | null; group_left: boolean };
        pending.events.exited(exit.code, exit.signal, exit.group_left);
        break;
      }
      case 'C':
        this.finish(id);
        pending.events.closed();
        break;
    }
  }

  private finish(id: number): void {
    this.launches.delete(id);
    if (this.launches.size === 0) this.idle();
  }

  /**
   * The spawner is gone (killed, or never came up): what had not started yet
   * starts with Node's spawn; what ran is killed with its group, as its output
   * can no longer reach us, and reported so.
   */
  private die(): void {
    if (this.dead) return;
    this.dead = true;
    // One that had come up is started again at the next launch; one that never did is not tried again.
    if (shared === this) shared = this.ready ? undefined : null;
    for (const [id, pending] of this.launches) {
      if (pending.fallback) continue;
      this.launches.delete(id);
      if (pending.pid === undefined) {
        pending.fallback = launchDirect(pending.req, pending.events);
        continue;
      }
      try {
        process.kill(-pending.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
      pending.events.data('stderr', Buffer.from('\n[vortex] the process that started this task ended unexpectedly; the task was stopped\n'));
      pending.events.exited(null, 'SIGKILL', true);
      pending.events.closed();
    }
    this.child.stdin?.destroy();
  }
}

/** Node's own spawn, in a new session (`detached`), its output on pipes. */
export function launchDirect(req: LaunchRequest, events: LaunchEvents): LaunchedProcess {
  const env = req.env instanceof LayeredEnv ? req.env.full() : req.env;
  const refusal = nulByteIn(req, env);
  if (refusal) return refused(refusal, events);
  let child: ChildProcess;
  try {
    child = spawn(req.file, req.args, { cwd: req.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // Whatever else spawn rejects outright fails this launch only.
    return refused(error as NodeJS.ErrnoException, events);
  }
  const stdout = child.stdout as Readable;
  const stderr = child.stderr as Readable;
  let spawnFailed = false;
  if (child.pid !== undefined) events.started(child.pid, outputEndsOf(child.pid, [stdout, stderr]), processStartTime(child.pid));
  stdout.on('data', (chunk: Buffer) => events.data('stdout', chunk));
  stderr.on('data', (chunk: Buffer) => events.data('stderr', chunk));
  child.on('error', (error) => {
    spawnFailed = true;
    events.spawnError(error);
  });
  child.on('exit', (code, signal) => {
    if (!spawnFailed) events.exited(code, signal, true);
  });
  child.on('close', () => events.closed());
  return {
    pause() {
      stdout.pause();
      stderr.pause();
    },
    resume() {
      stdout.resume();
      stderr.resume();
    },
    get paused() {
      return stdout.isPaused() || stderr.isPaused();
    },
    abandonOutput() {
      stdout.destroy();
      stderr.destroy();
    },
  };
}

/**
 * The child's ends of its stdout and stderr (`socket:[N]` links), read on
 * Linux as soon as it started: spawn returns once the child has exec'd, so its
 * fds 1 and 2 are already the ends Node made. Should the child be gone
 * already, the ends are told from ours: Node gives a child its stdio as socket
 * pairs, and the kernel numbers the two sockets of a pair one after the other
 * (ours, then the child's). Empty where /proc cannot tell.
 */
function outputEndsOf(pid: number, ours: Readable[]): Set<string> {
  const ends = new Set<string>();
  if (process.platform !== 'linux') return ends;
  for (const fd of [1, 2]) {
    try {
      ends.add(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // Gone already: told from our ends below.
    }
  }
  if (ends.size > 0) return ends;
  for (const stream of ours) {
    const fd = (stream as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) continue;
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode) ends.add(`socket:[${Number(inode) + 1}]`);
    } catch {
      // Closed already.
    }
  }
  return ends;
}
