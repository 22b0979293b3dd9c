/**
 * Process groups: each task runs as the leader of its own group, so that
 * stopping the task means stopping everything it started (`sleep 100 &`
 * included), never just the shell in front.
 */
import { readdirSync, readFileSync } from 'node:fs';

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Sends a signal to every process of a group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ESRCH') return false;
    throw err;
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
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** The state letter and process group of a process, from /proc (Linux); null when it is gone. */
export function procStat(pid: number): { state: string; pgrp: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]) };
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

export function trackGroup(pgid: number): void {
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

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}
