/**
 * What the executor needs to run one task, as plain data: built from the
 * analyser's model here, so the executor itself never reads the model and the
 * extension, the CLI and tests all hand it the same thing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DagModel, LiteralValue, TaskModel } from '../analysis/model';

export const DEFAULT_TIMEOUT_SECONDS = 300;

/** `unsupported`: an operator VORTEX cannot run locally (a sensor, a cloud operator); it fails with a message. */
export type TaskKind = 'bash' | 'python' | 'dummy' | 'unsupported';

export interface TaskRunSpec {
  dagId: string;
  taskId: string;
  runId: string;
  kind: TaskKind;
  /** The operator's class name, for reports. */
  operator: string;
  /** Literal command; null when the DAG file computes it, in which case it is read from the running DAG file. */
  bashCommand: string | null;
  /** Name given as `python_callable`; the callable itself is taken from the imported DAG when it can be found there. */
  pythonCallable: string | null;
  /** Literal `op_args` / `op_kwargs`; null when absent or not literal (the imported DAG's values are used then). */
  opArgs: LiteralValue[] | null;
  opKwargs: { [key: string]: LiteralValue } | null;
  /** Absolute path of the DAG file. */
  dagFilePath: string;
  /** Working directory of the task's process. */
  cwd: string;
  timeoutSeconds: number;
  /** Secrets the task receives as environment variables: its own `secrets=[...]` and its DAG's. */
  secretNames: string[];
  /** Python interpreter for PythonOperator tasks (and for Bash commands that must be read from the DAG). */
  pythonPath: string;
  /** The folder holding the bundled `vortex` package, put on PYTHONPATH. */
  sdkPath: string;
  /**
   * Interpreter arguments before `-m vortex._runner`: a debugger's launcher
   * (`-m debugpy --connect HOST:PORT --wait-for-client`) runs the task under it.
   */
  runnerPrefix?: string[];
}

/** Settings that are not in the DAG file. */
export interface SpecContext {
  dagFilePath: string;
  runId: string;
  /** Default: the DAG file's folder. */
  cwd?: string;
  /** For tasks without their own `execution_timeout`; default 300 s. */
  timeoutSeconds?: number;
  /** Default `python3`. */
  pythonPath?: string;
  /** Default: the SDK bundled beside this code. */
  sdkPath?: string;
}

/**
 * The folder holding the bundled Python SDK (`vortex/`): `sdk/` beside the
 * bundle in `dist/` (the build copies it there), or the repository's `python/`
 * when running from source.
 */
export function bundledSdkPath(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.join(here, 'sdk'), path.resolve(here, '..', '..', 'python')];
  return candidates.find((dir) => existsSync(path.join(dir, 'vortex', '__init__.py'))) ?? candidates[0];
}

/** A run id that sorts by time and does not collide: `20250102T030405123Z-1a2b3c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The longest name {@link fileNameFor} makes. Ids may be 250 characters
 * (Airflow's limit) while many file systems allow 255 bytes per name, some
 * (encrypted home folders) about 140, and a suffix such as `.log` or a prefix
 * is added to the name.
 */
export const MAX_FILE_NAME_CHARS = 100;

/**
 * A file or folder name made from an id: only conservative characters, never
 * `.` or `..`, and bounded: a long id keeps its start, readable, and ends in
 * a hash of the whole id, so two long ids that differ only late stay apart.
 */
export function fileNameFor(id: string): string {
  let name = id.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (name === '' || /^\.+$/.test(name)) name = `_${name}`;
  if (name.length <= MAX_FILE_NAME_CHARS) return name;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_FILE_NAME_CHARS - hash.length - 1)}-${hash}`;
}

function kindOf(task: TaskModel): TaskKind {
  return task.kind === 'other' ? 'unsupported' : task.kind;
}

/**
 * The run spec of one task. A task's own `execution_timeout` wins over the
 * configured default, which only fills in for tasks that set none.
 */
export function specFromModel(task: TaskModel, dag: DagModel, context: SpecContext): TaskRunSpec {
  const dagFilePath = path.resolve(context.dagFilePath);
  return {
    dagId: dag.dagId ?? '',
    taskId: task.taskId,
    runId: context.runId,
    kind: kindOf(task),
    operator: task.operator,
    bashCommand: task.bashCommand,
    pythonCallable: task.pythonCallable,
    opArgs: task.opArgs,
    opKwargs: task.opKwargs,
    dagFilePath,
    cwd: context.cwd ?? path.dirname(dagFilePath),
    timeoutSeconds: task.executionTimeoutSeconds ?? context.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    secretNames: [...new Set([...dag.secrets, ...task.secrets])],
    pythonPath: context.pythonPath ?? 'python3',
    sdkPath: context.sdkPath ?? bundledSdkPath(),
  };
}
