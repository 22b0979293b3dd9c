/**
 * What the executor needs to run one task, as plain data: built from the
 * analyser's model here, so the executor itself never reads the model and the
 * extension, the CLI and tests all hand it the same thing.
 */
import path from 'node:path';
import type { Argument, DagModel, LiteralValue, TaskModel } from '../analysis/model';
import { timedeltaTotal } from '../analysis/literals';
import { taskStructure } from '../graphFields';
import { bundledSdkPath } from '../sdk';
import { DEFAULT_TRIGGER_RULE, isTriggerRule, type TriggerRule } from './triggerRules';

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
  /** A mapped task (`.partial(...).expand(...)`): one instance per input in Airflow, not run locally. */
  mapped?: boolean;
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
  /** Airflow's trigger rule: when the task runs, given how its upstream tasks ended. */
  triggerRule: TriggerRule;
  /** A branch or short-circuit task: its result decides which downstream tasks run. */
  branch: boolean;
  /** Whether the task's result (a Bash command's last line of output, a callable's return value) is pushed as its XCom. */
  doXcomPush: boolean;
  /** Retries after a failure, and the delay before each, as the model gives them (own arguments over default_args). */
  retries: number;
  retryDelaySeconds: number;
  /** Exit codes of a Bash command that mean "skipped" (Airflow's `skip_on_exit_code`, 99 by default). */
  skipOnExitCodes: number[];
  /**
   * A Bash task whose command can run as it is, with `sh -c` and no Python:
   * a literal command without Jinja markup, naming no template file, without
   * its own `env` or `cwd`.
   */
  plainBash: boolean;
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

/** A run id that sorts by time and does not collide: `20250102T030405123Z-1a2b3c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  // Math.random, not node:crypto: the suffix only keeps apart runs started in the same millisecond, and
  // loading node:crypto costs every `vortex` command a few milliseconds at start.
  return `${stamp}-${Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0')}`;
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for an id this long (see newRunId)
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_FILE_NAME_CHARS - hash.length - 1)}-${hash}`;
}

/** Airflow's default `retry_delay`: five minutes. */
export const DEFAULT_RETRY_DELAY_SECONDS = 300;

const TEMPLATE_MARKUP = /\{\{|\{%|\{#/;
/** BashOperator's `template_ext`: a command ending so names a template file. */
const BASH_TEMPLATE_EXT = /\.(sh|bash)$/;

function literalArg(task: TaskModel, name: string): LiteralValue | undefined {
  const arg: Argument | undefined = task.args[name];
  return arg?.value;
}

/** `trigger_rule="all_done"` or `trigger_rule=TriggerRule.ALL_DONE`, when the model has not read it itself. */
function writtenTriggerRule(task: TaskModel): string | null {
  const arg = task.args.trigger_rule;
  if (!arg) return null;
  if (typeof arg.value === 'string') return arg.value;
  const member = /(?:^|\.)TriggerRule\.([A-Z_]+)$/.exec(arg.text.trim());
  return member ? member[1].toLowerCase() : null;
}

/** The task's trigger rule; an unknown one is refused before the run starts, as Airflow refuses the DAG. */
export function triggerRuleOf(task: TaskModel): TriggerRule {
  const rule = taskStructure(task).triggerRule ?? writtenTriggerRule(task) ?? DEFAULT_TRIGGER_RULE;
  if (!isTriggerRule(rule)) throw new UnknownTriggerRule(task.taskId, rule);
  return rule;
}

export class UnknownTriggerRule extends Error {
  override name = 'UnknownTriggerRule';

  constructor(readonly taskId: string, readonly rule: string) {
    super(`task '${taskId}' has trigger_rule '${rule}', which is not one of Airflow's trigger rules`);
  }
}

function secondsOf(value: LiteralValue | undefined): number | null {
  return typeof value === 'number' && value >= 0 ? value : null;
}

/**
 * Seconds of an argument that is a number, or a `timedelta(...)` of literal
 * numbers as written (a schedule, read from the model's text); null otherwise.
 */
export function timedeltaSeconds(arg: Argument | undefined): number | null {
  if (!arg) return null;
  const plain = secondsOf(arg.value);
  if (plain !== null) return plain;
  const call = /^(?:[\w.]*\.)?timedelta\(([^()]*)\)$/.exec(arg.text.trim());
  if (!call) return null;
  const parts = call[1].split(',').map((p) => p.trim()).filter((p) => p !== '');
  return timedeltaTotal(
    parts.map((part) => {
      const named = /^(\w+)\s*=\s*(.+)$/.exec(part);
      const amount = Number(named ? named[2] : part);
      return { name: named ? named[1] : null, amount: Number.isNaN(amount) ? undefined : amount };
    }),
  );
}

function skipCodes(task: TaskModel): number[] {
  const value = literalArg(task, 'skip_on_exit_code');
  if (value === undefined) return task.args.skip_on_exit_code ? [] : [99];
  if (value === null) return [];
  if (typeof value === 'number') return [value];
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

function isPlainBash(task: TaskModel): boolean {
  const command = task.bashCommand;
  if (command === null || TEMPLATE_MARKUP.test(command) || BASH_TEMPLATE_EXT.test(command)) return false;
  return task.args.env === undefined && task.args.cwd === undefined;
}

function kindOf(task: TaskModel): TaskKind {
  return task.kind === 'other' || task.mapped ? 'unsupported' : task.kind;
}

/**
 * The run spec of one task. Its run settings are the model's, which has
 * merged default_args as Airflow does; what the model could not read takes
 * Airflow's default. A task's `execution_timeout` (own or inherited) wins over
 * the configured default, which only fills in for tasks that set none.
 */
export function specFromModel(task: TaskModel, dag: DagModel, context: SpecContext): TaskRunSpec {
  const dagFilePath = path.resolve(context.dagFilePath);
  return {
    dagId: dag.dagId ?? '',
    taskId: task.taskId,
    runId: context.runId,
    kind: kindOf(task),
    operator: task.operator,
    ...(task.mapped ? { mapped: true } : {}),
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
    triggerRule: triggerRuleOf(task),
    branch: taskStructure(task).branch,
    doXcomPush: task.doXcomPush !== false,
    retries: task.retries ?? 0,
    retryDelaySeconds: task.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS,
    skipOnExitCodes: task.kind === 'bash' ? skipCodes(task) : [],
    plainBash: task.kind === 'bash' && isPlainBash(task),
  };
}
