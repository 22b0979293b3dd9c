/**
 * SIGINT, SIGTERM and SIGHUP for the commands that execute user code (`run`,
 * and `inspect` when it executes files): what they started runs in process
 * groups of their own, out of reach of the terminal, so a signal must stop
 * those before the CLI ends.
 */
import os from 'node:os';

/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP abort `signal` while `work` runs. Tasks
 * and the file's execution run in process groups of their own, which a
 * terminal's Ctrl-C does not reach: aborting stops them, then the command reports
 * what happened. SIGHUP too, since a closed terminal would otherwise end this
 * process and leave the groups running. A second signal does not wait:
 * exiting kills every group still running at once.
 */
export async function interruptible<T>(work: (signal: AbortSignal, stoppedBy: () => NodeJS.Signals | null) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const interrupt = (signal: NodeJS.Signals) => {
    if (stoppedBy !== null) process.exit(signalExitCode(stoppedBy));
    stoppedBy = signal;
    controller.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, interrupt);
  try {
    return await work(controller.signal, () => stoppedBy);
  } finally {
    for (const signal of signals) process.off(signal, interrupt);
  }
}

/** 128 + the signal's number, as shells report a process a signal ended. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 2);
}
