/**
 * How a task reaches `python -m vortex._runner`, the SDK's task runner
 * (python/vortex/_runner.py): what varies (the DAG file, the task, literal
 * op_args / op_kwargs) is written as JSON data to a payload file, so no value
 * from a DAG file is ever spliced into code, and secrets reach the runner only
 * through the environment, never through that file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LiteralValue } from '../analysis/model';

/** What the runner reads from its payload file; the field names are the runner's. */
export interface RunnerPayload {
  /** `call`: call the task's python_callable. `bash`: read the task's computed bash_command and exec `sh -c` on it. */
  mode: 'call' | 'bash';
  dag_file: string;
  dag_id: string;
  task_id: string;
  python_callable: string | null;
  op_args: LiteralValue[] | null;
  op_kwargs: { [key: string]: LiteralValue } | null;
  /** The model says the task is a branch or short-circuit task (the runner also tells one by its class). */
  branch: boolean;
  /** Where the runner writes what the task did besides its exit status ({@link RunnerResult}); set by {@link prepareRunner}. */
  result_file?: string;
  run: RunnerRunContext;
  /** What earlier tasks of the run pushed: task id → key → JSON value. */
  xcoms: XComValues;
}

/** Task id → key → the JSON value pushed. */
export type XComValues = Record<string, Record<string, unknown>>;

export interface RunnerRunContext {
  run_id: string;
  logical_date: string;
  data_interval_start: string | null;
  data_interval_end: string | null;
  conf: Record<string, unknown>;
  try_number: number;
  max_tries: number;
}

/** What the runner reports in its result file. */
export interface RunnerResult {
  state: 'success' | 'skipped' | 'failed';
  /** Key → JSON value the task pushed. */
  xcom: Record<string, unknown>;
  /** Templated fields as rendered, as text. */
  rendered: Record<string, string>;
  /** A branch's chosen task ids (or group ids); null when the task is no branch. */
  follow: string[] | null;
  /** A short-circuit's skip: every task downstream (`all`) or its direct downstream only; null for none. */
  skip: 'all' | 'direct' | null;
  /** AirflowFailException: the task fails without retrying. */
  no_retry: boolean;
}

/** The result file's content, checked field by field: a task could have written anything there. */
export function parseRunnerResult(text: string): RunnerResult | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const d = data as Record<string, unknown>;
  const record = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const state = d.state === 'skipped' || d.state === 'failed' ? d.state : 'success';
  const rendered: Record<string, string> = {};
  if (record(d.rendered)) for (const [k, v] of Object.entries(d.rendered)) if (typeof v === 'string') rendered[k] = v;
  return {
    state,
    xcom: record(d.xcom) ? d.xcom : {},
    rendered,
    follow: Array.isArray(d.follow) ? d.follow.filter((f): f is string => typeof f === 'string') : null,
    skip: d.skip === 'all' || d.skip === 'direct' ? d.skip : null,
    no_retry: d.no_retry === true,
  };
}

export interface PreparedRunner {
  /** The private folder holding the payload; the caller deletes it when the task ends, however it ends. */
  folder: string;
  /** The interpreter's arguments. */
  args: string[];
  /** Where the runner writes its {@link RunnerResult}. */
  resultFile: string;
}

/**
 * Writes the payload into a new private folder and returns the interpreter's
 * arguments. mkdtemp makes the folder 0700 under an unpredictable name, so no
 * other local user can read the payload or plant a link where it is written;
 * the payload's own name is fixed, since any task id (250 characters long, say)
 * must fit.
 */
export async function prepareRunner(payload: RunnerPayload, prefix: readonly string[] = []): Promise<PreparedRunner> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'vortex-task-'));
  const file = path.join(folder, 'payload.json');
  const resultFile = path.join(folder, 'result.json');
  try {
    await writeFile(file, JSON.stringify({ ...payload, result_file: resultFile }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { folder, args: ['-u', ...prefix, '-m', 'vortex._runner', file], resultFile };
}
