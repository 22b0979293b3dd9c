/**
 * What VORTEX knows about DAG and operator classes: their keyword arguments
 * (for VX105, completion and hovers) and how each operator runs.
 */
import type { OperatorKind } from './model';

export interface ParameterDoc {
  name: string;
  doc: string;
  required?: boolean;
}

export interface OperatorDoc {
  kind: OperatorKind;
  summary: string;
  /** How VORTEX's TaskExecutor runs it. */
  execution: string;
  parameters: ParameterDoc[];
}

/** Arguments every operator takes (Airflow's BaseOperator, plus VORTEX's `secrets`). */
export const BASE_OPERATOR_PARAMETERS: ParameterDoc[] = [
  { name: 'task_id', doc: 'Unique identifier of the task within its DAG: letters, digits, `_`, `-` and `.`.', required: true },
  { name: 'dag', doc: 'The DAG the task belongs to, when it is not created inside a `with DAG(...)` block.' },
  { name: 'secrets', doc: 'Names of secrets from the VORTEX vault to inject as environment variables when the task starts.' },
  { name: 'execution_timeout', doc: 'Maximum run time (`timedelta` or seconds); VORTEX stops the whole process group when it is exceeded. Default 300 s.' },
  { name: 'owner', doc: 'The owner of the task.' },
  { name: 'retries', doc: 'Number of retries before the task fails (a local run retries too; `vortex run --retry-delay` shortens the wait).' },
  { name: 'retry_delay', doc: 'Delay between retries (default 5 minutes).' },
  { name: 'trigger_rule', doc: 'When the task runs relative to its upstream tasks (Airflow; VORTEX uses `all_success`).' },
  { name: 'depends_on_past', doc: 'Whether a run depends on the previous run of the task (Airflow).' },
  { name: 'doc_md', doc: 'Markdown documentation of the task.' },
  { name: 'pool', doc: 'Airflow pool to run in.' },
  { name: 'queue', doc: 'Airflow queue to run in.' },
  { name: 'priority_weight', doc: 'Priority of the task relative to others (Airflow).' },
  { name: 'email', doc: 'Address(es) to notify (Airflow).' },
  { name: 'email_on_failure', doc: 'Send an email when the task fails (Airflow).' },
  { name: 'email_on_retry', doc: 'Send an email when the task is retried (Airflow).' },
  { name: 'start_date', doc: 'The first date the task can run (Airflow).' },
  { name: 'end_date', doc: 'The last date the task can run (Airflow).' },
  { name: 'params', doc: 'Parameters available to templates (Airflow).' },
  { name: 'default_args', doc: 'Default arguments for the task (Airflow), over those of its DAG and TaskGroups; its own arguments win.' },
];

/** Further BaseOperator arguments Airflow accepts; known, so never reported as typos. */
const OTHER_AIRFLOW_OPERATOR_ARGS = [
  'retry_exponential_backoff', 'max_retry_delay', 'ignore_first_depends_on_past', 'wait_for_past_depends_before_skipping',
  'wait_for_downstream', 'weight_rule', 'pool_slots', 'sla', 'on_execute_callback', 'on_failure_callback',
  'on_success_callback', 'on_retry_callback', 'on_skipped_callback', 'pre_execute', 'post_execute', 'resources',
  'run_as_user', 'task_concurrency', 'max_active_tis_per_dag', 'max_active_tis_per_dagrun', 'executor', 'executor_config',
  'do_xcom_push', 'multiple_outputs', 'inlets', 'outlets', 'task_group', 'doc', 'doc_json', 'doc_yaml', 'doc_rst',
  'task_display_name', 'logger_name', 'allow_nested_operators', 'map_index_template', 'retry_delay_multiplier',
];

export const OPERATORS: Readonly<Record<string, OperatorDoc>> = {
  BashOperator: {
    kind: 'bash',
    summary: 'Runs a shell command or script.',
    execution: 'VORTEX runs `sh -c "<bash_command>"` in its own process group, in the DAG file\'s folder, with the task\'s secrets and `VORTEX_DAG_ID`, `VORTEX_TASK_ID`, `VORTEX_RUN_ID` in its environment; it is stopped after the timeout (300 s by default).',
    parameters: [
      { name: 'bash_command', doc: 'The command to execute with `sh -c`.', required: true },
      { name: 'env', doc: 'Environment variables for the command (Airflow).' },
      { name: 'append_env', doc: 'Add `env` to the inherited environment instead of replacing it (Airflow).' },
      { name: 'cwd', doc: 'Working directory of the command.' },
      { name: 'output_encoding', doc: 'Encoding of the command\'s output (Airflow).' },
      { name: 'skip_exit_code', doc: 'Exit code that marks the task skipped (Airflow 2.0–2.5).' },
      { name: 'skip_on_exit_code', doc: 'Exit code(s) that mark the task skipped (Airflow).' },
      { name: 'output_processor', doc: 'Function applied to the output (Airflow).' },
    ],
  },
  PythonOperator: {
    kind: 'python',
    summary: 'Calls a Python function.',
    execution: 'VORTEX writes what to run (the DAG file, the task, `op_args` / `op_kwargs`) as JSON to a private temporary file, runs the bundled SDK\'s task runner (`python -m vortex._runner`) on it with the configured Python, which imports the DAG file and calls `python_callable`, and deletes the file afterwards; it is stopped after the timeout (300 s by default).',
    parameters: [
      { name: 'python_callable', doc: 'The function to call.', required: true },
      { name: 'op_args', doc: 'Positional arguments for the function.' },
      { name: 'op_kwargs', doc: 'Keyword arguments for the function.' },
      { name: 'templates_dict', doc: 'Templated values for the function rendered before it runs, and passed in the context as `templates_dict`.' },
      { name: 'templates_exts', doc: 'Template file extensions (Airflow).' },
      { name: 'show_return_value_in_logs', doc: 'Log the return value (Airflow).' },
      { name: 'provide_context', doc: 'Pass Airflow\'s context to the function (Airflow 1; the context is passed anyway, to the parameters that name it).' },
    ],
  },
  BranchPythonOperator: {
    kind: 'python',
    summary: 'Calls a Python function that returns the task id(s) to follow; the other direct downstream tasks are skipped.',
    execution: 'VORTEX calls `python_callable` as for a PythonOperator, then runs the returned task id(s) (a TaskGroup id follows its tasks) and marks the other direct downstream tasks skipped; what follows them runs by its trigger rule.',
    parameters: [
      { name: 'python_callable', doc: 'The function returning the task id (or list of task ids) to follow.', required: true },
      { name: 'op_args', doc: 'Positional arguments for the function.' },
      { name: 'op_kwargs', doc: 'Keyword arguments for the function.' },
      { name: 'templates_dict', doc: 'Templated values for the function, rendered before it runs.' },
      { name: 'templates_exts', doc: 'Template file extensions (Airflow).' },
      { name: 'show_return_value_in_logs', doc: 'Log the return value (Airflow).' },
    ],
  },
  ShortCircuitOperator: {
    kind: 'python',
    summary: 'Calls a Python function; a falsy result skips the tasks downstream.',
    execution: 'VORTEX calls `python_callable` as for a PythonOperator; when it returns a falsy value, every downstream task is skipped (with `ignore_downstream_trigger_rules=False`, only the direct downstream tasks, the rest following their trigger rules).',
    parameters: [
      { name: 'python_callable', doc: 'The function whose result decides whether downstream tasks run.', required: true },
      { name: 'op_args', doc: 'Positional arguments for the function.' },
      { name: 'op_kwargs', doc: 'Keyword arguments for the function.' },
      { name: 'templates_dict', doc: 'Templated values for the function, rendered before it runs.' },
      { name: 'ignore_downstream_trigger_rules', doc: 'Skip every downstream task (default) rather than only the direct ones.' },
      { name: 'show_return_value_in_logs', doc: 'Log the return value (Airflow).' },
    ],
  },
  DummyOperator: {
    kind: 'dummy',
    summary: 'A no-op task, for grouping or as a placeholder in the DAG structure.',
    execution: 'VORTEX marks it successful at once, without starting a process.',
    parameters: [],
  },
  EmptyOperator: {
    kind: 'dummy',
    summary: 'A no-op task (Airflow\'s newer name for DummyOperator).',
    execution: 'VORTEX marks it successful at once, without starting a process.',
    parameters: [],
  },
};

export const DAG_PARAMETERS: ParameterDoc[] = [
  { name: 'dag_id', doc: 'Unique identifier of the DAG.', required: true },
  { name: 'schedule_interval', doc: 'A cron expression or preset (`@daily`, `@hourly`, …) saying when the DAG runs.' },
  { name: 'schedule', doc: 'Airflow 2.4+ name of `schedule_interval`.' },
  { name: 'owner', doc: 'The owner of the DAG.' },
  { name: 'description', doc: 'A short description of the DAG\'s purpose.' },
  { name: 'tags', doc: 'Tags for categorisation.' },
  { name: 'secrets', doc: 'Secrets from the VORTEX vault given to every task of the DAG.' },
  { name: 'default_args', doc: 'Default arguments for every operator (Airflow); its `owner` is the DAG\'s owner, and its `retries`, `retry_delay`, `execution_timeout`, `do_xcom_push` and `trigger_rule` reach every task of a local run that does not set its own.' },
  { name: 'start_date', doc: 'The first logical date (Airflow).' },
  { name: 'end_date', doc: 'The last logical date (Airflow).' },
  { name: 'catchup', doc: 'Whether to backfill missed intervals (Airflow).' },
  { name: 'max_active_runs', doc: 'Maximum number of concurrent runs (Airflow).' },
  { name: 'max_active_tasks', doc: 'Maximum number of concurrent tasks (Airflow).' },
  { name: 'dagrun_timeout', doc: 'Maximum duration of a run (Airflow).' },
  { name: 'doc_md', doc: 'Markdown documentation of the DAG.' },
  { name: 'params', doc: 'Run parameters (Airflow).' },
];

const OTHER_AIRFLOW_DAG_ARGS = [
  'timetable', 'full_filepath', 'template_searchpath', 'template_undefined', 'user_defined_macros', 'user_defined_filters',
  'concurrency', 'max_consecutive_failed_dag_runs', 'sla_miss_callback', 'default_view', 'orientation',
  'on_success_callback', 'on_failure_callback', 'access_control', 'is_paused_upon_creation', 'jinja_environment_kwargs',
  'render_template_as_native_obj', 'owner_links', 'auto_register', 'fail_stop', 'fail_fast', 'dag_display_name',
  'disable_bundle_versioning', 'deadline',
];

export const KNOWN_DAG_ARGS: ReadonlySet<string> = new Set([...DAG_PARAMETERS.map((p) => p.name), ...OTHER_AIRFLOW_DAG_ARGS]);

const BASE_ARGS = [...BASE_OPERATOR_PARAMETERS.map((p) => p.name), ...OTHER_AIRFLOW_OPERATOR_ARGS];

/** Keyword arguments a core operator accepts (its own and BaseOperator's). */
export function knownOperatorArgs(operator: string): ReadonlySet<string> | undefined {
  return KNOWN_OPERATOR_ARGS.get(operator);
}

const KNOWN_OPERATOR_ARGS = new Map<string, ReadonlySet<string>>(
  Object.entries(OPERATORS).map(([name, doc]) => [name, new Set([...BASE_ARGS, ...doc.parameters.map((p) => p.name)])]),
);

export function operatorKind(className: string): OperatorKind {
  return OPERATORS[className]?.kind ?? 'other';
}

/** The argument each runnable operator cannot do without (VX203). */
export const REQUIRED_ARGUMENT: Partial<Record<OperatorKind, { name: string; placeholder: string }>> = {
  bash: { name: 'bash_command', placeholder: '"echo TODO"' },
  python: { name: 'python_callable', placeholder: 'lambda: None' },
};

/** Parameters of a `python_callable` that expect Airflow's execution context (VX403). */
export const CONTEXT_PARAMETER_NAMES: ReadonlySet<string> = new Set([
  'ds', 'ti', 'task_instance', 'execution_date', 'logical_date', 'dag_run',
]);
