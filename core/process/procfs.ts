/**
 * What /proc (Linux) tells of processes: their state, group and start time.
 * Elsewhere every answer is null.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The processes that are alive (zombies left out), from /proc; null where /proc cannot be read. */
export function liveProcesses(): ProcStat[] | null {
  if (process.platform !== 'linux') return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const live: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') live.push(stat);
  }
  return live;
}

export interface ProcStat {
  /** The command name (at most 15 characters). */
  command: string;
  state: string;
  pgrp: number;
  /** Clock ticks after boot; with the pid it names one process for good, as pids are reused. */
  startTime: number;
}

/** A process's command, state, group and start time, from /proc (Linux); null when it is gone. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return { command: text.slice(text.indexOf('(') + 1, close), state: fields[0], pgrp: Number(fields[2]), startTime: Number(fields[19]) };
}

/** A process's start time (see {@link ProcStat}); null when it is gone or where /proc does not exist. */
export function processStartTime(pid: number): number | null {
  return procStat(pid)?.startTime ?? null;
}
