/**
 * Run history: one folder per run, `<base>/<dag_id>/<run_id>/`, holding one
 * log per task (masked output, written by the executor), `run.json`, a
 * summary without any output, hence without any secret value, and, while the
 * run goes on, `groups.jsonl`: the process groups it started, so that a run
 * whose owner died can be cleaned up (see interruptedRuns.ts).
 */
import { appendFileSync, constants, existsSync } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processStartTime } from '../process/procfs';
import type { RunContext } from './runContext';
import type { StartedGroup, TaskResult } from './taskExecutor';
import { fileNameFor } from './taskSpec';

export type RunState = 'running' | 'success' | 'failed' | 'cancelled';
export type TaskRunState = 'queued' | 'running' | 'success' | 'failed' | 'upstream_failed' | 'skipped';
/**
 * States a stored run may also have: `interrupted` when the process that ran
 * it (a CLI, an extension host) ended before the run did.
 */
export type StoredRunState = RunState | 'interrupted';
export type StoredTaskState = TaskRunState | 'interrupted';

/** A process, named so that a reused pid does not pass for it: its start time is null where it cannot be read. */
export interface ProcessIdentity {
  pid: number;
  start_time: number | null;
}

/** Whether the process is still the one recorded (where start times cannot be read, whether the pid is alive). */
export function isSameProcess(identity: ProcessIdentity): boolean {
  if (identity.start_time !== null) return processStartTime(identity.pid) === identity.start_time;
  try {
    process.kill(identity.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One line of `groups.jsonl`. */
export interface GroupRecord extends ProcessIdentity {
  /** The task's private folder, removed when the task ends. */
  temp_dir: string | null;
}

export const GROUPS_FILE = 'groups.jsonl';

/** The `run.json` format; snake_case like the CLI's JSON. */
export interface RunSummary {
  version: 1;
  run_id: string;
  dag_id: string;
  dag_file: string;
  state: StoredRunState;
  /** ISO 8601. */
  started_at: string;
  duration_ms: number | null;
  /** The process running the run; absent in runs recorded before owners were. */
  owner?: ProcessIdentity;
  /** Airflow's run id (`manual__2024-03-05T00:00:00+00:00`), logical date and conf; absent in runs recorded before them. */
  airflow_run_id?: string;
  logical_date?: string;
  conf?: Record<string, unknown>;
  tasks: TaskSummary[];
}

export interface TaskSummary {
  task_id: string;
  operator: string;
  state: StoredTaskState;
  exit_code: number | null;
  timed_out: boolean;
  duration_ms: number | null;
  started_at: string | null;
  /** The log's file name inside the run folder. */
  log: string;
  message: string | null;
  /** Tries made (1 without retries); absent in runs recorded before retries. */
  tries?: number;
  /** The templated fields as the task ran them (masked), e.g. `bash_command`. */
  rendered?: Record<string, string>;
}

/** `xcom.json` in a run's folder: task id → key → the (masked) value the task pushed. */
export const XCOM_FILE = 'xcom.json';

export interface StoredRun {
  dir: string;
  summary: RunSummary;
}

/** One run's folder. */
export class RunFolder {
  private readonly logNames = new Map<string, string>();
  /** The summary as this process wrote it when the run started (null for a folder not made here). */
  summary: RunSummary | null = null;

  constructor(readonly dir: string, taskIds: readonly string[]) {
    // Two ids may map to one file name once unusual characters are replaced; number the later ones.
    const used = new Set<string>(['run.json', XCOM_FILE]);
    for (const id of taskIds) {
      let name = `${fileNameFor(id)}.log`;
      for (let i = 2; used.has(name); i++) name = `${fileNameFor(id)}-${i}.log`;
      used.add(name);
      this.logNames.set(id, name);
    }
  }

  logName(taskId: string): string {
    const name = this.logNames.get(taskId);
    if (name === undefined) throw new Error(`task '${taskId}' is not part of this run`);
    return name;
  }

  logPath(taskId: string): string {
    return path.join(this.dir, this.logName(taskId));
  }

  /** Records not written yet, written together once the run has gone on (see recordGroup). */
  private unwritten: string[] = [];

  /**
   * Records a task's process group as it starts, for cleaning up after a run
   * whose process died. Written synchronously once the run has gone on (the
   * task's process starts meanwhile): should this process die before, the
   * spawner kills the groups it started at once (see core/process/launch), so
   * the record matters only when both died in that instant.
   */
  recordGroup(group: StartedGroup): void {
    const record: GroupRecord = { pid: group.pid, start_time: group.startTime, temp_dir: group.tempDir };
    if (this.unwritten.push(`${JSON.stringify(record)}\n`) === 1) setImmediate(() => this.writeRecords());
  }

  /** The run has ended: its groups need no record any more. */
  dropRecords(): void {
    this.unwritten = [];
  }

  private writeRecords(): void {
    if (this.unwritten.length === 0) return;
    const text = this.unwritten.join('');
    this.unwritten = [];
    try {
      appendFileSync(path.join(this.dir, GROUPS_FILE), text, { mode: 0o600 });
    } catch {
      // Without the record the run goes on; only cleaning up after a crash would miss this group.
    }
  }
}

/** The groups a run recorded; lines that do not parse are passed over. */
export async function readGroupRecords(runDir: string): Promise<GroupRecord[]> {
  let text: string;
  try {
    text = await readFile(path.join(runDir, GROUPS_FILE), 'utf8');
  } catch {
    return [];
  }
  const records: GroupRecord[] = [];
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as Partial<GroupRecord>;
      if (!Number.isInteger(r.pid) || (r.pid as number) <= 1) continue;
      records.push({
        pid: r.pid as number,
        start_time: typeof r.start_time === 'number' ? r.start_time : null,
        temp_dir: typeof r.temp_dir === 'string' ? r.temp_dir : null,
      });
    } catch {
      // A line cut short when its writer died.
    }
  }
  return records;
}

/** What a run looks like to the store: the scheduler's plan and result, reduced to what is kept. */
export interface RunDescription {
  runId: string;
  dagId: string;
  dagFilePath: string;
  startedAt: number;
  context?: RunContext;
  tasks: { taskId: string; operator: string }[];
}

export interface RunOutcome {
  state: Exclude<RunState, 'running'>;
  durationMs: number;
  xcoms?: Record<string, Record<string, unknown>>;
  tasks: { taskId: string; state: TaskRunState; result: TaskResult | null }[];
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

export class RunStore {
  /**
   * @param baseDir where runs are kept
   * @param keepPerDag how many runs of one DAG are kept; older ones are deleted when a run ends
   */
  constructor(readonly baseDir: string, private readonly keepPerDag = 20) {}

  private dagDir(dagId: string): string {
    return path.join(this.baseDir, fileNameFor(dagId));
  }

  /** Makes the base folder, private to the user; throws when it cannot be written. */
  async prepare(): Promise<void> {
    await mkdir(this.baseDir, { recursive: true, mode: 0o700 });
    await access(this.baseDir, constants.W_OK);
  }

  /** Makes the run's folder and a first `run.json` saying it is running. */
  async createRun(run: RunDescription): Promise<RunFolder> {
    const dir = path.join(this.dagDir(run.dagId), fileNameFor(run.runId));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const folder = new RunFolder(dir, run.tasks.map((t) => t.taskId));
    const summary: RunSummary = {
      version: 1,
      run_id: run.runId,
      dag_id: run.dagId,
      dag_file: run.dagFilePath,
      state: 'running',
      started_at: new Date(run.startedAt).toISOString(),
      duration_ms: null,
      owner: { pid: process.pid, start_time: processStartTime(process.pid) },
      ...(run.context ? { airflow_run_id: run.context.airflowRunId, logical_date: run.context.logicalDate, conf: run.context.conf } : {}),
      tasks: run.tasks.map((t) => ({
        task_id: t.taskId,
        operator: t.operator,
        state: 'queued',
        exit_code: null,
        timed_out: false,
        duration_ms: null,
        started_at: null,
        log: folder.logName(t.taskId),
        message: null,
      })),
    };
    // Present from the run's start to its end (made first, so that a run.json marked running always has one):
    // what tells a run still marked running without reading its run.json.
    await writeFile(path.join(dir, GROUPS_FILE), '', { mode: 0o600 });
    await writeJsonAtomically(path.join(dir, 'run.json'), summary);
    folder.summary = summary;
    return folder;
  }

  /** Records how the run ended, then trims the DAG's history. */
  async finishRun(folder: RunFolder, outcome: RunOutcome): Promise<RunSummary> {
    const file = path.join(folder.dir, 'run.json');
    const summary = folder.summary ?? (JSON.parse(await readFile(file, 'utf8')) as RunSummary);
    const byId = new Map(outcome.tasks.map((t) => [t.taskId, t]));
    summary.state = outcome.state;
    summary.duration_ms = Math.round(outcome.durationMs);
    for (const task of summary.tasks) {
      const done = byId.get(task.task_id);
      if (!done) continue;
      task.state = done.state;
      const r = done.result;
      if (r) {
        task.exit_code = r.exitCode;
        task.timed_out = r.timedOut;
        task.duration_ms = Math.round(r.durationMs);
        task.started_at = new Date(r.startedAt).toISOString();
        task.message = r.message;
        task.tries = r.tryNumber;
        if (Object.keys(r.rendered).length > 0) task.rendered = r.rendered;
      }
    }
    if (outcome.xcoms && Object.keys(outcome.xcoms).length > 0) await writeJsonAtomically(path.join(folder.dir, XCOM_FILE), outcome.xcoms);
    await writeJsonAtomically(file, summary);
    folder.dropRecords();
    await rm(path.join(folder.dir, GROUPS_FILE), { force: true });
    await this.prune(summary.dag_id);
    return summary;
  }

  /** Records that a run's owner died before the run ended: it and its unfinished tasks become `interrupted`. */
  async markInterrupted(run: StoredRun, message: string): Promise<RunSummary> {
    const summary: RunSummary = { ...run.summary, state: 'interrupted' };
    summary.tasks = run.summary.tasks.map((t) =>
      t.state === 'running' || t.state === 'queued' ? { ...t, state: 'interrupted', message } : t,
    );
    await writeJsonAtomically(path.join(run.dir, 'run.json'), summary);
    await rm(path.join(run.dir, GROUPS_FILE), { force: true });
    return summary;
  }

  /**
   * The runs marked running, of every DAG: only folders that hold a groups
   * file (a run has one from its start to its end) are read, not the whole
   * history.
   */
  async runningRuns(): Promise<StoredRun[]> {
    const running: StoredRun[] = [];
    for (const dir of await runFolders(await subdirs(this.baseDir))) {
      if (!existsSync(path.join(dir, GROUPS_FILE))) continue;
      const summary = await readSummary(dir);
      if (summary?.state === 'running') running.push({ dir, summary });
    }
    return running;
  }

  /** Stored runs, newest first; of one DAG when given. Unreadable folders are passed over. */
  async listRuns(dagId?: string): Promise<StoredRun[]> {
    const dagDirs = dagId !== undefined ? [this.dagDir(dagId)] : await subdirs(this.baseDir);
    const runs: StoredRun[] = [];
    for (const dir of await runFolders(dagDirs)) {
      const summary = await readSummary(dir);
      // Ids that differ only in characters a file name cannot keep (`données`, `donnèes`) share a folder.
      if (summary && (dagId === undefined || summary.dag_id === dagId)) runs.push({ dir, summary });
    }
    return runs.sort((a, b) => b.summary.started_at.localeCompare(a.summary.started_at) || b.dir.localeCompare(a.dir));
  }

  /**
   * Deletes all but the newest `keepPerDag` runs of a DAG. A run still going
   * in a live process (another window, another `vortex run`) is kept: its
   * logs are being written and it has yet to record how it ended.
   */
  async prune(dagId: string): Promise<void> {
    // As many folders as may be kept or fewer (the usual case): nothing to read.
    if ((await subdirs(this.dagDir(dagId))).length <= this.keepPerDag) return;
    // Runs still marked running count too: one whose process died would otherwise be kept forever.
    const runs = await this.listRuns(dagId);
    for (const old of runs.slice(this.keepPerDag)) {
      const { state, owner } = old.summary;
      if (state === 'running' && owner && isSameProcess(owner)) continue;
      await rm(old.dir, { recursive: true, force: true });
    }
  }
}

/** The run folders of these DAG folders. */
async function runFolders(dagDirs: string[]): Promise<string[]> {
  const folders: string[] = [];
  for (const dagDir of dagDirs) folders.push(...(await subdirs(dagDir)));
  return folders;
}

/** A run folder's summary; null for a folder that is no run's, or whose run.json is being written. */
async function readSummary(dir: string): Promise<RunSummary | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunSummary;
  } catch {
    return null;
  }
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/** The XComs a stored run's tasks pushed; empty when it kept none or the file cannot be read. */
export async function readXComs(runDir: string): Promise<Record<string, Record<string, unknown>>> {
  try {
    const data = JSON.parse(await readFile(path.join(runDir, XCOM_FILE), 'utf8')) as unknown;
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, Record<string, unknown>>) : {};
  } catch {
    return {};
  }
}
