/**
 * The plain DAG model: what one analysis of a Python DAG file says.
 *
 * No LSP and no `vscode` types here: the CLI, the language server's features,
 * the graph and the executor all read this very model. Positions are 0-based
 * lines and UTF-16 columns, the way LSP counts them; the CLI adds 1.
 */
import type { DiagnosticCode, Severity } from '../diagnostics';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A literal Python value as JSON; `undefined` stands for "not a literal". */
export type LiteralValue = string | number | boolean | null | LiteralValue[] | { [key: string]: LiteralValue };

export interface Argument {
  /** Keyword name, or `#0`, `#1`, … for positional arguments. */
  name: string;
  /** The literal value, or `undefined` when the expression is not a literal. */
  value: LiteralValue | undefined;
  /** The argument's source text, as written. */
  text: string;
  /** The node type of the value (`string`, `identifier`, `call`, …), to tell what a non-literal is. */
  kind: string;
  /** Whole `name=value` (or the positional expression). */
  range: Range;
  /** Just the value. */
  valueRange: Range;
  /** Just the keyword name (absent for positional arguments). */
  nameRange?: Range;
}

export type OperatorKind = 'bash' | 'python' | 'dummy' | 'other';

export interface TaskModel {
  /** Literal `task_id`; tasks whose id is not a literal are not in the model (VX404 says so). */
  taskId: string;
  /** The operator's class name as imported (`BashOperator`, `EmptyOperator`, `S3KeySensor`, …). */
  operator: string;
  /** Fully qualified origin when known (`vortex.operators.bash.BashOperator`). */
  qualifiedOperator: string;
  kind: OperatorKind;
  /** The variable the task was assigned to, if any (`start = DummyOperator(...)`). */
  variable: string | null;
  /** Index into `FileAnalysis.dags`, or -1 for a task that belongs to no DAG (VX206). */
  dagIndex: number;
  /** The whole call. */
  range: Range;
  /** The callee (`BashOperator` in `BashOperator(...)`). */
  operatorRange: Range;
  /** The `task_id` value (the string literal). */
  taskIdRange: Range;
  /** The line the call starts on, 0-based (the line a code lens sits on). */
  line: number;
  args: Record<string, Argument>;
  /** Literal `bash_command` (BashOperator). */
  bashCommand: string | null;
  /** The name given as `python_callable` (PythonOperator), e.g. `my_python_logic`. */
  pythonCallable: string | null;
  opArgs: LiteralValue[] | null;
  opKwargs: { [key: string]: LiteralValue } | null;
  /** Names of secrets from the task's own `secrets=[...]`. */
  secrets: string[];
  /** `execution_timeout` in seconds when given (its own, else from default_args) as a number or a literal `timedelta(...)`. */
  executionTimeoutSeconds: number | null;
  /** Task ids, in the order the dependencies were written. */
  upstream: string[];
  downstream: string[];
  // Modern Airflow's task structure. Optional until the analyser fills them;
  // readers go through core/graphFields.ts, which supplies the defaults.
  /** Full dotted id of the innermost TaskGroup holding the task (`section_2.inner`); absent or null outside any group. */
  groupId?: string | null;
  /** Made by a `@task`-style decorator rather than an operator class. */
  decorated?: boolean;
  /** Mapped with `.partial(...).expand(...)`: one task instance per input at run time. */
  mapped?: boolean;
  /** A branch or short-circuit task: it decides which downstream tasks run. */
  branch?: boolean;
  /** `trigger_rule` as written (its own, else from default_args); absent or null means Airflow's default, `all_success`. */
  triggerRule?: string | null;
  // Run settings as Airflow gives them to the task: its own argument, else
  // its default_args (its DAG's, then its TaskGroups', then its own
  // `default_args=`). Absent: Airflow's default, or not readable statically
  // (then named in `unreadSettings`).
  /** `retries`; absent: 0. */
  retries?: number;
  /** `retry_delay` in seconds; absent: Airflow's 300. */
  retryDelaySeconds?: number;
  /** `do_xcom_push`; absent: true. */
  doXcomPush?: boolean;
  /** The run settings (Airflow's argument names) the task takes from default_args rather than its own arguments. */
  inheritedSettings?: string[];
  /**
   * Run settings the file gives the task in a way static analysis cannot read
   * (`retries=int(os.environ["R"])`, a default_args built by a call): a run
   * from the static model takes Airflow's default for each.
   */
  unreadSettings?: string[];
}

/** A TaskGroup of a DAG. */
export interface GroupModel {
  /** Full dotted id (`section_2.inner`). */
  id: string;
  /** The enclosing group's full id, or null for a group directly in the DAG. */
  parentId: string | null;
  /** Its own last id segment, or the label as written. */
  label: string;
  /** The line the group's call starts on, 0-based. */
  line: number;
  range: Range;
}

export interface EdgeModel {
  upstream: string;
  downstream: string;
  /** The expression that made the edge (`a >> b`, `a.set_downstream(b)`, `chain(...)`). */
  range: Range;
  /** The edge's `Label("...")` text, when it has one. */
  label?: string | null;
}

export interface DagModel {
  /** Literal `dag_id`, or null when missing (VX101) or not a literal. */
  dagId: string | null;
  /** The schedule string, or null for `None`, no schedule, or an unsupported value. */
  schedule: string | null;
  /**
   * A schedule that is not a string (a `timedelta`, Datasets or Assets, a
   * timetable, a computed value) in words; absent for strings and `None`.
   */
  scheduleDescription?: string | null;
  owner: string | null;
  description: string | null;
  tags: string[];
  secrets: string[];
  /** The variable bound to the DAG (`with DAG(...) as dag`, `dag = DAG(...)`). */
  variable: string | null;
  /** The `DAG(...)` call. */
  range: Range;
  /** The callee `DAG`. */
  nameRange: Range;
  /** The dag_id value, when present. */
  idRange: Range | null;
  /** The schedule value (of `schedule_interval=` or `schedule=`), when present. */
  scheduleRange: Range | null;
  /** The line the call starts on, 0-based. */
  line: number;
  args: Record<string, Argument>;
  /** Indices into `FileAnalysis.tasks`, in source order. */
  taskIndices: number[];
  edges: EdgeModel[];
  /** The DAG's TaskGroups in source order (outer before inner); absent means none. */
  groups?: GroupModel[];
}

export type { DiagnosticCode, Severity };

/** What a quick fix needs to mend a diagnostic, carried with it. */
export type FixData =
  | { kind: 'replace'; replacement: string } // VX103 preset, VX105 keyword: replace the range with this
  | { kind: 'renameTaskId'; suggestion: string } // VX201
  | { kind: 'insertArgument'; argument: string; insertAt: Position; text: string }; // VX203

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: Range;
  fix?: FixData;
}

export interface FileAnalysis {
  /** False for Python files that are not DAG files: they get nothing else. */
  isDagFile: boolean;
  dags: DagModel[];
  /** Every task with a literal id, in source order; each names its DAG by index. */
  tasks: TaskModel[];
  diagnostics: Diagnostic[];
  /** Whether the file holds constructs only runtime resolution can see whole (VX404). */
  hasDynamicConstructs: boolean;
}
