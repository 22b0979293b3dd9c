/**
 * Turns a run's events into the text of its output channel: state changes with
 * durations, each task's output line by line under its task id (tasks run in
 * parallel, so raw chunks would interleave mid-line), and a closing summary
 * whose failures say what to do next.
 *
 * Output arrives already masked by the executor; this only arranges it. No
 * `vscode` import, so it is unit-tested on its own.
 */
import { formatDuration, summaryLine } from '../../../core/run/runService';
import type { DagRunResult, RunEvent, TaskRunRecord } from '../../../core/run/scheduler';

/** Whether the task failed for want of a (usable) secret, so setting one is what to offer. */
export function needsSecret(task: TaskRunRecord): boolean {
  const kind = task.result?.failure?.kind;
  return kind === 'missingSecrets' || kind === 'unusableSecrets';
}

/** What the user should do about a failed task, when VORTEX can tell. */
export function hintFor(task: TaskRunRecord): string | null {
  const failure = task.result?.failure;
  switch (failure?.kind) {
    case 'missingSecrets':
      return 'Set it with "VORTEX: Set Secret", then run again.';
    case 'unusableSecrets':
      return 'Set it again with "VORTEX: Set Secret", without the NUL byte, then run again.';
    case 'timedOut':
      return 'Raise the task\'s execution_timeout or the vortex.execution.timeoutSeconds setting if it needs longer.';
    case 'notStarted':
      if (/python/i.test(failure.program) || failure.errorCode === 'ENOENT') {
        return 'Choose an interpreter with the vortex.python.interpreter setting or the Python extension\'s "Python: Select Interpreter".';
      }
      return null;
    default:
      return null;
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export class RunTranscript {
  /** Partial last lines per task and stream, held until their newline (or the task's end). */
  private readonly partial = new Map<string, string>();
  private readonly startedAt = new Map<string, number>();

  /** @param write appends text (whole lines) to wherever the run is shown */
  constructor(private readonly write: (text: string) => void, private readonly target: string) {}

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.write(`▶ ${this.target}: ${plural(event.taskIds.length, 'task')} queued (run ${event.runId})\n`);
        break;
      case 'task-output':
        this.output(event.taskId, event.stream, event.text);
        break;
      case 'task-state':
        this.state(event);
        break;
      case 'task-retry':
        this.flush(event.taskId);
        this.write(`↻ ${event.taskId}: failed; try ${event.tryNumber} in ${formatDuration(event.delayMs)}\n`);
        break;
      case 'run-finished':
        this.finished(event.result);
        break;
    }
  }

  private output(taskId: string, stream: 'stdout' | 'stderr', text: string): void {
    const key = `${taskId}\u0000${stream}`;
    const lines = ((this.partial.get(key) ?? '') + text).split('\n');
    this.partial.set(key, lines.pop() ?? '');
    const prefix = stream === 'stderr' ? `[${taskId} stderr] ` : `[${taskId}] `;
    if (lines.length > 0) this.write(lines.map((l) => `${prefix}${l.replace(/\r$/, '')}\n`).join(''));
  }

  /** Writes what is left of a task's unfinished lines. */
  private flush(taskId: string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${taskId}\u0000${stream}`;
      const rest = this.partial.get(key);
      if (rest) this.output(taskId, stream, '\n');
      this.partial.delete(key);
    }
  }

  private state(event: Extract<RunEvent, { type: 'task-state' }>): void {
    const { taskId, state, result } = event;
    if (state === 'queued') return;
    if (state === 'running') {
      this.startedAt.set(taskId, event.at);
      this.write(`● ${taskId}: running\n`);
      return;
    }
    this.flush(taskId);
    if (state === 'success') {
      this.write(`✔ ${taskId}: success (${formatDuration(result?.durationMs ?? null)})\n`);
    } else if (state === 'failed') {
      const why = result?.message ? `: ${result.message}` : '';
      this.write(`✖ ${taskId}: failed${why} (${formatDuration(result?.durationMs ?? null)})\n`);
    } else if (state === 'upstream_failed') {
      this.write(`⊘ ${taskId}: upstream_failed (by its trigger rule, after upstream failures; not started)\n`);
    } else if (result) {
      this.write(`⊘ ${taskId}: skipped (${formatDuration(result.durationMs)})\n`);
    } else {
      this.write(`⊘ ${taskId}: skipped (not started: by a branch, a short-circuit, its trigger rule, or because the run was stopped)\n`);
    }
  }

  private finished(result: DagRunResult): void {
    const lines = ['', summaryLine(result)];
    for (const task of result.tasks) {
      if (task.state !== 'failed') continue;
      const hint = hintFor(task);
      lines.push(`  ${task.taskId}: ${task.result?.message ?? 'failed'}${hint ? ` — ${hint}` : ''}`);
      if (task.result?.logPath) lines.push(`    log: ${task.result.logPath}`);
    }
    if (result.runDir) lines.push(`logs: ${result.runDir}`);
    this.write(`${lines.join('\n')}\n\n`);
  }
}
