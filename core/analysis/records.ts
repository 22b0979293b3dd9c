/**
 * Compact implementations of the model's interfaces for what a large file
 * holds thousands of: arguments, tasks and dependencies.
 *
 * Why: a Range with its two Positions is three objects, and a task carried
 * about thirty of them (the range, valueRange and nameRange of every argument,
 * the task's own ranges). Making and then collecting them was most of what
 * analysing a large file cost beyond the parse, and most of the language
 * server's memory. These classes keep line and character numbers in their own
 * fields and make Range objects only when one is read, which few are (a hover,
 * a lens, a diagnostic).
 *
 * They satisfy the plain interfaces of model.ts, which plain objects still
 * satisfy too; `toJSON` gives the plain shape, so the model sent over LSP as
 * JSON is what it always was. Their fields are the model's data: two records
 * with equal fields stand for equal models.
 */
import type { Argument, EdgeModel, LiteralValue, OperatorKind, Range, TaskModel } from './model';

/**
 * The empty list of ids every task without secrets, upstream or downstream
 * tasks shares (the model is read, never changed): frozen, so that a change
 * would fail loudly.
 */
export const NONE: string[] = Object.freeze([]) as unknown as string[];

export function makeRange(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

/** One argument of a call; `nameRange` is derived from the keyword's start and length (a name never spans lines). */
export class ArgumentRecord implements Argument {
  constructor(
    readonly name: string,
    readonly value: LiteralValue | undefined,
    readonly text: string,
    readonly kind: string,
    /** Where the argument starts: at its keyword, or at its value when it is positional. */
    readonly startLine: number,
    readonly startCharacter: number,
    readonly valueLine: number,
    readonly valueCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}

  /** Positional arguments are named `#0`, `#1`, …; no keyword starts with `#`. */
  get isKeyword(): boolean {
    return this.name.charCodeAt(0) !== 35;
  }

  get range(): Range {
    return makeRange(this.startLine, this.startCharacter, this.endLine, this.endCharacter);
  }

  get valueRange(): Range {
    return makeRange(this.valueLine, this.valueCharacter, this.endLine, this.endCharacter);
  }

  get nameRange(): Range | undefined {
    return this.isKeyword ? makeRange(this.startLine, this.startCharacter, this.startLine, this.startCharacter + this.name.length) : undefined;
  }

  toJSON(): Argument {
    const plain: Argument = { name: this.name, value: this.value, text: this.text, kind: this.kind, range: this.range, valueRange: this.valueRange };
    if (this.isKeyword) plain.nameRange = this.nameRange;
    return plain;
  }
}

/** The shape of a task's call, as positions: the call and its callee start together. */
export interface CallPositions {
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  /** End of the callee (`BashOperator` in `BashOperator(...)`). */
  operatorEndLine: number;
  operatorEndCharacter: number;
}

/**
 * A task. What its arguments settle (`bashCommand`, `pythonCallable`,
 * `opArgs`, `opKwargs`, `secrets`) is read from them when asked for, rather
 * than kept a second time.
 */
export class TaskRecord implements TaskModel {
  variable: string | null;
  upstream: string[];
  downstream: string[];
  // Modern Airflow's structure; set only where it differs from the default, so
  // the model of a file that uses none of it is what it always was. Declared,
  // not defined: a record that does not use them has no slot for them.
  declare groupId?: string | null;
  declare decorated?: boolean;
  declare mapped?: boolean;
  declare branch?: boolean;
  declare triggerRule?: string | null;
  // Run settings, own or from default_args; likewise only where they differ from Airflow's defaults.
  declare retries?: number;
  declare retryDelaySeconds?: number;
  declare doXcomPush?: boolean;
  declare inheritedSettings?: string[];
  declare unreadSettings?: string[];
  /**
   * A TaskFlow task: its function, the call's literal arguments, and where its
   * id comes from when no `task_id` names it (the function's name).
   */
  declare taskflow?: TaskFlowCall;
  /** The id as written, when a TaskGroup prefixes it (`task_1` of `section_1.task_1`). */
  declare ownId?: string;
  readonly line: number;
  readonly character: number;
  readonly endLine: number;
  readonly endCharacter: number;
  readonly operatorEndLine: number;
  readonly operatorEndCharacter: number;

  constructor(
    readonly taskId: string,
    readonly operator: string,
    readonly qualifiedOperator: string,
    readonly kind: OperatorKind,
    readonly dagIndex: number,
    call: CallPositions,
    /** Holds `task_id`, whose value range is the task's `taskIdRange`. */
    readonly args: Record<string, Argument>,
    /** Set again once default_args are known (see ConstructBuilder.addTask). */
    public executionTimeoutSeconds: number | null,
  ) {
    this.variable = null;
    // Filled in once every dependency of the file is known.
    this.upstream = NONE;
    this.downstream = NONE;
    this.line = call.line;
    this.character = call.character;
    this.endLine = call.endLine;
    this.endCharacter = call.endCharacter;
    this.operatorEndLine = call.operatorEndLine;
    this.operatorEndCharacter = call.operatorEndCharacter;
  }

  get range(): Range {
    return makeRange(this.line, this.character, this.endLine, this.endCharacter);
  }

  get operatorRange(): Range {
    return makeRange(this.line, this.character, this.operatorEndLine, this.operatorEndCharacter);
  }

  get taskIdRange(): Range {
    return this.taskflow ? this.taskflow.idRange : this.args.task_id.valueRange;
  }

  /** Literal `bash_command`. */
  get bashCommand(): string | null {
    const value = this.args.bash_command?.value;
    return typeof value === 'string' ? value : null;
  }

  /** The name given as `python_callable`. */
  get pythonCallable(): string | null {
    if (this.taskflow) return this.taskflow.callable;
    return this.args.python_callable ? this.args.python_callable.text : null;
  }

  get opArgs(): LiteralValue[] | null {
    if (this.taskflow) return this.taskflow.opArgs;
    const value = this.args.op_args?.value;
    return Array.isArray(value) ? value : null;
  }

  get opKwargs(): { [key: string]: LiteralValue } | null {
    if (this.taskflow) return this.taskflow.opKwargs;
    const value = this.args.op_kwargs?.value;
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  }

  /** Names of secrets from the task's own `secrets=[...]`. */
  get secrets(): string[] {
    return stringList(this.args.secrets?.value);
  }

  /** The plain TaskModel, keys in the order the model has always been written in. */
  toJSON(): TaskModel {
    const json: TaskModel = {
      taskId: this.taskId,
      operator: this.operator,
      qualifiedOperator: this.qualifiedOperator,
      kind: this.kind,
      variable: this.variable,
      dagIndex: this.dagIndex,
      range: this.range,
      operatorRange: this.operatorRange,
      taskIdRange: this.taskIdRange,
      line: this.line,
      args: this.args,
      bashCommand: this.bashCommand,
      pythonCallable: this.pythonCallable,
      opArgs: this.opArgs,
      opKwargs: this.opKwargs,
      secrets: this.secrets,
      executionTimeoutSeconds: this.executionTimeoutSeconds,
      upstream: this.upstream,
      downstream: this.downstream,
    };
    if (this.groupId) json.groupId = this.groupId;
    if (this.decorated) json.decorated = true;
    if (this.mapped) json.mapped = true;
    if (this.branch) json.branch = true;
    if (this.triggerRule) json.triggerRule = this.triggerRule;
    if (this.retries !== undefined) json.retries = this.retries;
    if (this.retryDelaySeconds !== undefined) json.retryDelaySeconds = this.retryDelaySeconds;
    if (this.doXcomPush !== undefined) json.doXcomPush = this.doXcomPush;
    if (this.inheritedSettings) json.inheritedSettings = this.inheritedSettings;
    if (this.unreadSettings) json.unreadSettings = this.unreadSettings;
    return json;
  }
}

/** What a TaskFlow call gives its task, beyond its arguments. */
export interface TaskFlowCall {
  /** The decorated function's name. */
  callable: string;
  /** Where the task is named at its call: an `.override(task_id=...)`'s value, else the function's name (a decorator's `task_id` is outside the call). */
  idRange: Range;
  /** The call's positional arguments, when all are literals. */
  opArgs: LiteralValue[] | null;
  /** The call's keyword arguments, when all are literals. */
  opKwargs: { [key: string]: LiteralValue } | null;
}

/** The strings of a literal list (`tags`, `secrets`), or none. */
export function stringList(value: LiteralValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : NONE;
}

export class EdgeRecord implements EdgeModel {
  constructor(
    readonly upstream: string,
    readonly downstream: string,
    /** The indices of the two tasks in the analysis, for the analyser's own checks (cycles). */
    readonly up: number,
    readonly down: number,
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}

  /** The text of the `Label(...)` the dependency was written through, when it was. */
  declare label?: string;

  get range(): Range {
    return makeRange(this.startLine, this.startCharacter, this.endLine, this.endCharacter);
  }

  toJSON(): EdgeModel {
    const json: EdgeModel = { upstream: this.upstream, downstream: this.downstream, range: this.range };
    if (this.label !== undefined) json.label = this.label;
    return json;
  }
}
