/**
 * One task process as the executor runs it: spawned in its own process
 * group, its two output streams decoded, masked, kept (capped) and streamed,
 * and written to the task's log with the time each line arrived.
 */
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { CappedText } from './capture';
import type { LayeredEnv } from '../process/launch';
import { type GroupOutcome, type OutputStream, spawnGroup, type SpawnedGroup } from '../process/processGroup';
import type { MaskingStream, SecretMasker } from './secrets';

export interface ProcessOutcome extends GroupOutcome {
  stdout: string;
  stderr: string;
}

export interface ProcessRequest {
  file: string;
  args: string[];
  cwd: string;
  env: LayeredEnv;
  timeoutMs: number;
  graceMs: number;
  signal: AbortSignal | undefined;
  masker: SecretMasker;
  log: LogFile | null;
  cap: number;
  onOutput: ((stream: OutputStream, text: string) => void) | undefined;
  onStarted: ((pid: number, startTime: number | null) => void) | undefined;
}

/** The log file, written with back-pressure so a task printing faster than the disk cannot fill memory. */
export class LogFile {
  /**
   * Most tasks are short and print little: their log is kept in memory and
   * written at once when they end, sparing each task an asynchronous open,
   * write and close. A task that prints more, or runs longer, gets the file
   * opened as a stream, so its log can be read while it runs.
   */
  private static readonly BUFFERED_CHARS = 64 * 1024;
  private static readonly BUFFERED_MS = 200;
  private stream: WriteStream | null = null;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly timer: NodeJS.Timeout;
  private broken = false;
  private lastChar = '\n';

  constructor(readonly path: string, private readonly append = false) {
    this.timer = setTimeout(() => this.open(), LogFile.BUFFERED_MS);
    this.timer.unref();
  }

  private open(): WriteStream {
    clearTimeout(this.timer);
    if (this.stream) return this.stream;
    const stream = createWriteStream(this.path, { flags: this.append ? 'a' : 'w', mode: 0o600 });
    // A log that cannot be written must not fail the task; the result still holds the output.
    stream.on('error', () => {
      this.broken = true;
    });
    if (this.pending.length > 0) stream.write(this.pending.join(''));
    this.pending = [];
    this.stream = stream;
    return stream;
  }

  /** False when the caller should wait for `onDrain` before writing more. Each line starts with the time it arrived. */
  write(text: string): boolean {
    if (this.broken || text.length === 0) return true;
    const stamp = `[${logTime()}] `;
    let stamped = this.lastChar === '\n' ? stamp + text : text;
    const inner = stamped.lastIndexOf('\n', stamped.length - 2);
    if (inner !== -1) stamped = stamped.slice(0, stamped.length - 1).replaceAll('\n', `\n${stamp}`) + stamped[stamped.length - 1];
    this.lastChar = text[text.length - 1];
    if (this.stream) return this.stream.write(stamped);
    this.pending.push(stamped);
    this.pendingChars += stamped.length;
    return this.pendingChars > LogFile.BUFFERED_CHARS ? !this.open().writableNeedDrain : true;
  }

  onDrain(callback: () => void): void {
    if (this.broken || !this.stream) callback();
    else this.stream.once('drain', callback);
  }

  /** A line from VORTEX itself (why the task ended), on a line of its own. */
  note(message: string): void {
    this.write(`${this.lastChar === '\n' ? '' : '\n'}[vortex] ${message}\n`);
  }

  /**
   * Writes what is left and closes the file; a log kept in memory is written
   * synchronously, as one small write costs less than three round trips
   * through libuv's thread pool. `background`: the write waits for the
   * caller to go on first (a run, to start its next task).
   */
  async close(background = false): Promise<void> {
    clearTimeout(this.timer);
    if (!this.stream) {
      const text = this.pending.join('');
      this.pending = [];
      const options = { mode: 0o600, flag: this.append ? 'a' : 'w' };
      // In the background, still synchronous but once the caller has gone on (started the next task, whose
      // process then starts meanwhile): measured here, handing the write to the thread pool costs this
      // thread more than the write itself.
      if (background) await new Promise((resolve) => setImmediate(resolve));
      try {
        writeFileSync(this.path, text, options);
      } catch {
        this.broken = true;
      }
      return;
    }
    this.stream.end();
    await finished(this.stream).catch(() => undefined);
  }
}

/** The time of day in UTC to the millisecond, as log lines carry it. */
function logTime(): string {
  return new Date().toISOString().slice(11, 23);
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

export function runProcess(req: ProcessRequest): Promise<ProcessOutcome> {
  const out = new OutputPipe('stdout', req.masker, req.cap, req.log, req.onOutput);
  const err = new OutputPipe('stderr', req.masker, req.cap, req.log, req.onOutput);
  const group: SpawnedGroup = spawnGroup({
    file: req.file,
    args: req.args,
    cwd: req.cwd,
    env: req.env,
    timeoutMs: req.timeoutMs,
    killGraceMs: req.graceMs,
    leftoverGraceMs: req.graceMs,
    signal: req.signal,
    onStarted: req.onStarted,
    onData: (stream, chunk) => {
      if ((stream === 'stdout' ? out : err).push(chunk) || !req.log) return;
      group.pause();
      req.log.onDrain(() => group.resume());
    },
  });
  return group.outcome.then((outcome) => {
    out.end();
    err.end();
    return {
      ...outcome,
      stdout: out.captured.text(req.log?.path ?? null),
      stderr: err.captured.text(req.log?.path ?? null),
    };
  });
}
