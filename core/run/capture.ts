/**
 * Keeps a bounded copy of one output stream in memory.
 *
 * A task may print hundreds of megabytes; the log file gets all of it, the
 * in-memory result only the first and the last part of the cap each, so both
 * how a task started and how it ended (a traceback comes last) stay visible.
 */
export const DEFAULT_MAX_CAPTURED_CHARS = 1024 * 1024;

export class CappedText {
  private head = '';
  private readonly tail: string[] = [];
  private tailLength = 0;
  private total = 0;
  private readonly headCap: number;
  private readonly tailCap: number;

  constructor(private readonly cap: number = DEFAULT_MAX_CAPTURED_CHARS) {
    this.headCap = Math.ceil(cap / 2);
    this.tailCap = cap - this.headCap;
  }

  append(text: string): void {
    this.total += text.length;
    if (this.head.length < this.headCap) {
      const room = this.headCap - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    if (text.length === 0 || this.tailCap === 0) return;
    this.tail.push(text);
    this.tailLength += text.length;
    // Drop whole chunks from the front while the rest still fills the tail.
    while (this.tail.length > 1 && this.tailLength - this.tail[0].length >= this.tailCap) {
      this.tailLength -= this.tail[0].length;
      this.tail.shift();
    }
  }

  /** Characters seen so far, kept or not. */
  get length(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.cap;
  }

  /** The kept text; when some was dropped, a marker in its place says how much and where the rest is. */
  text(logPath: string | null): string {
    const tail = this.tail.join('');
    if (!this.truncated) return this.head + tail;
    const kept = tail.slice(tail.length - this.tailCap);
    const omitted = this.total - this.head.length - kept.length;
    const where = logPath ? `; the full output is in ${logPath}` : '';
    return `${this.head}\n[… ${omitted} characters omitted${where} …]\n${kept}`;
  }
}
