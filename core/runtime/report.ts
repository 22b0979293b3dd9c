/**
 * Runtime resolution: what executing a DAG file with the bundled Python SDK
 * says about it. `python -m vortex._inspector FILE` prints `RuntimeReport` as
 * JSON: cli.md's `inspect --json` shape (1-based lines and columns), plus
 * what running a dynamically created task needs.
 *
 * The resolver (`resolver.ts`) turns one report into a `RuntimeOutcome` in the
 * analyser's terms (0-based `Diagnostic`s); `merge.ts` lays an outcome over
 * the static analysis of the same file. No LSP and no `vscode` types here.
 */
import type { Diagnostic, OperatorKind, Severity } from '../analysis/model';

export interface RuntimeTask {
  task_id: string;
  /** The operator's class name (`BashOperator`). */
  operator: string;
  /** Where the class was defined (`vortex.operators.bash.BashOperator`). */
  qualified_operator: string;
  kind: OperatorKind;
  /** The DAG file (absolute) and the 1-based line of the call that created the task: the nearest frame in that file. */
  file: string;
  line: number;
  upstream: string[];
  downstream: string[];
  /** The command as the file computed it (BashOperator). */
  bash_command: string | null;
  /** The callable's name when it is a module-level function of the DAG file, else null (the runner takes it from the imported DAG). */
  python_callable: string | null;
  secrets: string[];
  /** `execution_timeout` in seconds. */
  execution_timeout: number | null;
  /** `retries`, `retry_delay` (seconds; null: Airflow's default) and `do_xcom_push`, as Airflow gives them to the task: default_args merged in. */
  retries: number;
  retry_delay: number | null;
  do_xcom_push: boolean;
  /** Full dotted id of the innermost TaskGroup holding the task, or null. */
  group_id: string | null;
  /** Made by a TaskFlow decorator; `operator` is then the decorator as written without `@` (`task`, `task.branch`). */
  decorated: boolean;
  /** One mapped task (`.partial(...).expand(...)`, or a task of a mapped TaskGroup). */
  mapped: boolean;
  /** Decides which downstream tasks run (BranchPythonOperator, ShortCircuitOperator, `@task.branch`, …). */
  branch: boolean;
  /** Airflow's `trigger_rule` value (`all_done`), or null for its default, `all_success`. */
  trigger_rule: string | null;
}

export interface RuntimeEdge {
  upstream: string;
  downstream: string;
  /** The edge's `Label(...)` text, or null. */
  label: string | null;
}

export interface RuntimeGroup {
  /** Full dotted id (`section_2.inner_section_2`). */
  id: string;
  /** The enclosing group's full id, or null for a group directly in the DAG. */
  parent_id: string | null;
  /** Its own id without the parent's prefix (with its `__1` suffix, if Airflow gave one), or its display name. */
  label: string;
  /** 1-based line of the call that made it (the `with TaskGroup(...)`, or the `@task_group` function's call). */
  line: number;
}

export interface RuntimeDag {
  dag_id: string;
  schedule: string | null;
  owner: string | null;
  description: string | null;
  tags: string[];
  secrets: string[];
  file: string;
  /** 1-based line of the `DAG(...)` call. */
  line: number;
  tasks: RuntimeTask[];
  edges: RuntimeEdge[];
  /** Its TaskGroups in the order they were made (an enclosing group before those inside it). */
  groups: RuntimeGroup[];
}

/** cli.md's diagnostic shape: 1-based lines and columns. */
export interface RuntimeDiagnostic {
  code: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface RuntimeFileReport {
  path: string;
  dags: RuntimeDag[];
  diagnostics: RuntimeDiagnostic[];
  /** Top-level modules the file (or a module of its folder) imports that are not installed: stood in for (VX508). */
  missing_modules: string[];
}

/** What `python -m vortex._inspector FILE...` prints on stdout. */
export interface RuntimeReport {
  files: RuntimeFileReport[];
}

/**
 * - `resolved`: the file ran; `dags` is what it built.
 * - `failed`: it raised (or a module was missing); the diagnostics say where and why.
 * - `timedOut`: it ran past the limit and was stopped.
 * - `fallback`: it needs something of Airflow the SDK cannot imitate (VX504); static analysis stands.
 * - `unavailable`: the interpreter could not be started at all.
 */
export type RuntimeStatus = 'resolved' | 'failed' | 'timedOut' | 'fallback' | 'unavailable';

export interface RuntimeOutcome {
  status: RuntimeStatus;
  /** Absolute path of the file that was executed. */
  path: string;
  /** The DAGs the file built (empty unless `resolved`). */
  dags: RuntimeDag[];
  /** Runtime diagnostics (VX5xx), 0-based, each on the line it concerns. */
  diagnostics: Diagnostic[];
  /** The interpreter that ran the file, as given. */
  pythonPath: string;
  durationMs: number;
}

export interface RuntimeOptions {
  /** Interpreter to run; default `python3`. */
  pythonPath?: string;
  /** Folder holding the bundled `vortex` package (put first on PYTHONPATH); default: the bundled SDK. */
  sdkPath?: string;
  /** Time limit; the whole process group is stopped after it. Default 30 s. */
  timeoutMs?: number;
  /** Working directory; default the DAG file's folder. */
  cwd?: string;
  signal?: AbortSignal;
}

export const DEFAULT_RUNTIME_TIMEOUT_MS = 30_000;
