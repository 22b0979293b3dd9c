/**
 * What the analyser's names and expressions stand for while it reads a file:
 * a name's binding (tasks, a DAG, a TaskGroup, a decorated function, a
 * constant…) and an expression's value, as far as the DAG's structure needs.
 */
import type { Node } from 'web-tree-sitter';
import type { Argument, LiteralValue, Range } from './model';
import type { CallSite } from './callSite';
import type { OperatorCallee } from './callees';

export type Binding =
  /**
   * Tasks; `xcom` when the name holds what a task returns (a TaskFlow call,
   * `op.output`), which passed to another task makes a dependency; `flat`
   * when they come from a list of single tasks, in its order (`chain(*tasks)`
   * takes each as an element).
   */
  | { kind: 'tasks'; tasks: number[]; xcom?: boolean; flat?: boolean }
  | { kind: 'dag'; dag: number }
  | { kind: 'group'; group: number }
  /** A function decorated with `@task…`, `@dag` or `@task_group`: calling it makes a task, a DAG or a group. */
  | { kind: 'decorated'; fn: DecoratedFunction }
  | { kind: 'partial'; partial: PartialCall }
  | { kind: 'import'; qualified: string }
  | { kind: 'function'; node: Node }
  /**
   * An operator class defined in the file (a subclass of BaseOperator or of
   * another operator): calls of it are tasks. `templateFields` are its
   * `template_fields` when the class or one of its own bases says them, else null.
   */
  | { kind: 'operatorClass'; name: string; templateFields: string[] | null }
  | { kind: 'literal'; value: LiteralValue }
  /**
   * A dict with literal keys whose values are not all literals
   * (`default_args = {"owner": "ops", "retry_delay": timedelta(minutes=5)}`):
   * what is known of it, an undefined entry for each value that is not.
   */
  | { kind: 'dict'; entries: Record<string, LiteralValue | undefined>; node: Node }
  /** Made by code we cannot follow statically (loops, unknown calls, other modules). */
  | { kind: 'dynamic'; reason?: string }
  | { kind: 'other' };

/** What an expression evaluates to, as far as dependencies are concerned. */
export type Value =
  | { kind: 'tasks'; tasks: number[]; xcom?: boolean; flat?: boolean }
  | { kind: 'dag'; dag: number }
  | { kind: 'group'; group: number }
  /** Only known when the code runs; `reason` says why a `with` block of it makes only dynamic tasks. */
  | { kind: 'dynamic'; reason?: string }
  | { kind: 'label'; label: LabelValue }
  | { kind: 'decorated'; fn: DecoratedFunction }
  /** A list holding TaskGroups (a list of tasks only is `tasks`). */
  | { kind: 'list'; items: Value[] }
  /** `Operator.partial(...)` or `f.partial(...)`: a mapped task once `.expand(...)` is called on it. */
  | { kind: 'partial'; partial: PartialCall }
  | { kind: 'notTask'; reason: string }
  | { kind: 'none' };

/**
 * A `Label("...")` in a dependency: `a >> Label("x") >> b` is the edge a → b
 * carrying "x". It collects the tasks on each side, whichever is written first.
 */
export interface LabelValue {
  text: string | null;
  ups: number[];
  downs: number[];
}

/** A `.partial(...)` call, waiting for its `.expand(...)`. */
export interface PartialCall {
  site: CallSite;
  /** The operator class it maps, or null for a TaskFlow function. */
  callee: OperatorCallee | null;
  fn: DecoratedFunction | null;
  /** `.override(...)`'s arguments, for a TaskFlow function. */
  overrides: CallSite | null;
  /** The tasks whose XComArgs its arguments hold, made when `.partial(...)` was called. */
  upstream: number[];
}

/** What a decorator makes of the function under it. */
export type DecoratedRole = 'task' | 'dag' | 'taskGroup';

/** A function under `@task…`, `@dag` or `@task_group`. */
export interface DecoratedFunction {
  role: DecoratedRole;
  /** The decorator without `@` and its arguments: `task`, `task.branch`, `dag`, `task_group`. */
  decorator: string;
  /** Its dotted name resolved through the imports (`airflow.decorators.task.branch`). */
  qualified: string;
  /** The function's name. */
  name: string;
  /** The `function_definition`. */
  node: Node;
  /** The decorator's own arguments (`@task(task_id="x", retries=2)`), empty for a bare `@task`. */
  args: Record<string, Argument>;
  /** The decorator, without `@`. */
  range: Range;
  /** The function's name in its definition. */
  nameRange: Range;
  /** Times it was called where it makes something (a `@dag` never called makes no DAG). */
  calls: number;
  /** The decorator as a call (a bare `@task` has no arguments): a `@dag`'s DAG is made from it. */
  site: CallSite;
}
