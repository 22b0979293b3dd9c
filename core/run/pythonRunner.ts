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
}

export interface PreparedRunner {
  /** The private folder holding the payload; the caller deletes it when the task ends, however it ends. */
  folder: string;
  /** The interpreter's arguments. */
  args: string[];
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
  try {
    await writeFile(file, JSON.stringify(payload), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { folder, args: ['-u', ...prefix, '-m', 'vortex._runner', file] };
}
