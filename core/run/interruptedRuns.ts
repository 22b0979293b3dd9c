/**
 * Cleaning up after a run whose owner (the `vortex run` process, the
 * extension host) died without finishing it, killed or crashed: its task
 * groups would run on, its tasks' private folders stay, and its `run.json`
 * would say "running" for good. The next `vortex run` and the extension, as
 * it starts, call {@link cleanUpInterruptedRuns}.
 *
 * A run whose owner is still alive is left alone, whoever runs it: owners and
 * groups are recorded with their start times, and a pid that now names
 * another process (pids are reused) is never signalled.
 */
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { stopGroup } from '../process/processGroup';
import { liveProcesses, procStat } from '../process/procfs';
import { type GroupRecord, isSameProcess, readGroupRecords, type RunStore } from './runStore';

export interface InterruptedRun {
  dagId: string;
  runId: string;
  dir: string;
  /** Pids of the task groups that were still running, now stopped. */
  stoppedGroups: number[];
  /** Task folders removed. */
  removedFolders: string[];
}

/** Start times of the live (not zombie) processes, by process group; read once per cleanup. */
function liveMembersByGroup(): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const stat of liveProcesses() ?? []) {
    const members = groups.get(stat.pgrp);
    if (members) members.push(stat.startTime);
    else groups.set(stat.pgrp, [stat.startTime]);
  }
  return groups;
}

/**
 * Whether a recorded group is still the task's. Its leader, when still there
 * (a zombie included), must be the recorded process. Once the leader is
 * reaped the group keeps its id while any member lives, so a group whose
 * members all started no earlier than the leader is the task's.
 */
function isRecordedGroup(group: GroupRecord, members: () => Map<number, number[]>): boolean {
  if (group.start_time === null) return false;
  const leader = procStat(group.pid);
  if (leader) return leader.startTime === group.start_time && leader.pgrp === group.pid;
  const startTimes = members().get(group.pid) ?? [];
  return startTimes.length > 0 && startTimes.every((t) => t >= (group.start_time as number));
}

/** Only a task's own private folder is removed, whatever the record says. */
async function removeTaskFolder(dir: string): Promise<boolean> {
  if (!path.isAbsolute(dir) || !path.basename(dir).startsWith('vortex-task-')) return false;
  try {
    if (!(await lstat(dir)).isDirectory()) return false;
  } catch {
    return false;
  }
  await rm(dir, { recursive: true, force: true });
  return true;
}

/**
 * Finds the store's runs still marked running whose owner is gone, stops
 * what is left of their task groups, removes their tasks' folders and marks
 * them (and their unfinished tasks) `interrupted`.
 */
export async function cleanUpInterruptedRuns(store: RunStore, options: { killGraceMs?: number } = {}): Promise<InterruptedRun[]> {
  const cleaned: InterruptedRun[] = [];
  let members: Map<number, number[]> | undefined;
  const membersByGroup = () => (members ??= liveMembersByGroup());
  for (const run of await store.runningRuns()) {
    const { summary } = run;
    // Runs recorded before owners were have no owner; none of them is still going.
    if (summary.owner && isSameProcess(summary.owner)) continue;
    const stoppedGroups: number[] = [];
    const removedFolders: string[] = [];
    for (const group of await readGroupRecords(run.dir)) {
      // A group of which only zombies are left (a leader its dead owner never reaped) runs nothing: there is nothing to stop.
      if (isRecordedGroup(group, membersByGroup) && membersByGroup().has(group.pid)) {
        await stopGroup(group.pid, options.killGraceMs ?? 1000);
        stoppedGroups.push(group.pid);
      }
      if (group.temp_dir && (await removeTaskFolder(group.temp_dir))) removedFolders.push(group.temp_dir);
    }
    const owner = summary.owner ? `(pid ${summary.owner.pid}) ` : '';
    await store.markInterrupted(run, `interrupted: the process that ran it ${owner}ended before the run did`);
    cleaned.push({ dagId: summary.dag_id, runId: summary.run_id, dir: run.dir, stoppedGroups, removedFolders });
  }
  return cleaned;
}
