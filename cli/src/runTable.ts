/**
 * `vortex run` for people: a table of task states with durations, redrawn in
 * place on a terminal; on a pipe (CI logs) one line per state change, since
 * cursor movement would only garble a log.
 */
import { formatDuration } from '../../core/run/runService';
import type { RunEvent, TaskRunState } from '../../core/run/scheduler';

export interface TableTask {
  taskId: string;
  operator: string;
}

interface Row extends TableTask {
  state: TaskRunState;
  /** Monotonic ms when it started running, and its duration once it ended. */
  startedAt: number | null;
  durationMs: number | null;
}

const STATE_ORDER: readonly TaskRunState[] = ['running', 'queued', 'success', 'failed', 'upstream_failed', 'skipped'];
const MAX_ID = 40;
const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

export class RunTable {
  private readonly rows: Row[];
  private readonly byId = new Map<string, Row>();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly idWidth: number;
  private readonly opWidth: number;

  /**
   * @param live redraw in place (a terminal) rather than print line by line
   * @param screenRows the terminal's height: a table taller than the screen cannot be redrawn in place
   */
  constructor(
    tasks: readonly TableTask[],
    private readonly write: (text: string) => void,
    private readonly live: boolean,
    private readonly screenRows: number,
  ) {
    this.rows = tasks.map((t) => ({ ...t, state: 'queued', startedAt: null, durationMs: null }));
    for (const row of this.rows) this.byId.set(row.taskId, row);
    this.idWidth = Math.min(MAX_ID, Math.max(4, ...tasks.map((t) => t.taskId.length)));
    this.opWidth = Math.max(8, ...tasks.map((t) => t.operator.length));
  }

  /** Whole table in place when it fits the screen; else one summary line of counts. */
  private get fits(): boolean {
    return this.rows.length + 2 < this.screenRows;
  }

  start(): void {
    if (!this.live) return;
    this.draw();
    // Running tasks' durations tick on even when no state changes.
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  onEvent(event: RunEvent): void {
    if (event.type === 'task-retry' && !this.live) {
      this.write(`  ${event.taskId}: failed; try ${event.tryNumber} in ${formatDuration(event.delayMs)}\n`);
      return;
    }
    if (event.type !== 'task-state') return;
    const row = this.byId.get(event.taskId);
    if (!row || row.state === event.state) return;
    row.state = event.state;
    if (event.state === 'running') row.startedAt = performance.now();
    if (event.result) row.durationMs = event.result.durationMs;
    if (this.live) this.draw();
    else if (event.state !== 'queued') this.write(`${this.line(row)}\n`);
  }

  /** Stops redrawing and leaves the final table on screen. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.live && this.fits) this.draw();
    else {
      this.clear();
      this.write(this.table().join('\n') + '\n');
    }
  }

  private duration(row: Row): number | null {
    if (row.durationMs !== null) return row.durationMs;
    // Only a live table can show a running task's time so far: a printed line would be stale at once.
    return this.live && row.state === 'running' && row.startedAt !== null ? performance.now() - row.startedAt : null;
  }

  private line(row: Row): string {
    const id = clip(row.taskId, this.idWidth).padEnd(this.idWidth);
    return `  ${id}  ${row.operator.padEnd(this.opWidth)}  ${row.state.padEnd(15)}  ${formatDuration(this.duration(row)).padStart(10)}`.trimEnd();
  }

  private table(): string[] {
    const header = `  ${'TASK'.padEnd(this.idWidth)}  ${'OPERATOR'.padEnd(this.opWidth)}  ${'STATE'.padEnd(15)}  ${'DURATION'.padStart(10)}`;
    return [header, ...this.rows.map((r) => this.line(r))];
  }

  private counts(): string {
    const counts = STATE_ORDER.map((state) => [state, this.rows.filter((r) => r.state === state).length] as const);
    return `  ${counts.filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`).join(' · ')}`;
  }

  private clear(): void {
    // Cursor up over what was drawn, then erase to the end of the screen.
    if (this.drawnLines > 0) this.write(`\x1b[${this.drawnLines}A\r\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    const lines = this.fits ? this.table() : [this.counts()];
    this.clear();
    this.write(lines.join('\n') + '\n');
    this.drawnLines = lines.length;
  }
}
