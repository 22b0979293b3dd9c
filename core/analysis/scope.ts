/**
 * Where a statement is: the scopes the walk is inside, innermost first. Each
 * block the analyser walks is walked in its scope; a scope knows the DAG and
 * the TaskGroup tasks made in it belong to, and whether tasks made in it are
 * dynamic (only known when the code runs).
 */

export type ScopeKind =
  /** The module's top level. */
  | 'module'
  /** The body of a `with` block (`with DAG(...)`, `with TaskGroup(...)`, any other). */
  | 'with'
  /** The body of a loop: every task made here is dynamic. */
  | 'loop'
  /** A function body (decorated or not): searched for operator calls only, which are dynamic. */
  | 'function'
  /** The body of a `@dag` or `@task_group` function, walked where the function is called. */
  | 'call';

export interface Scope {
  readonly kind: ScopeKind;
  /** The enclosing scope; null at module level. */
  readonly parent: Scope | null;
  /** The DAG tasks made here belong to (that of the innermost `with DAG(...)`), or -1. */
  readonly dag: number;
  /** The TaskGroup tasks made here belong to (that of the innermost `with TaskGroup(...)`), or -1. */
  readonly group: number;
  /** Why every task made here is dynamic (`a loop`, `inside the function "f"`), or null. */
  readonly dynamic: string | null;
  /**
   * Whether the code here may not run (a branch of `if` or `try`): a name
   * bound to a literal here may hold another value, so it is no constant.
   */
  readonly conditional?: boolean;
}

export function moduleScope(): Scope {
  return { kind: 'module', parent: null, dag: -1, group: -1, dynamic: null };
}

/** The body of a `with` block whose items made `dag` and `group` current (or left the enclosing ones). */
export function withScope(parent: Scope, dag: number, group: number): Scope {
  return { kind: 'with', parent, dag, group, dynamic: parent.dynamic };
}

/** A `with` block whose items cannot be known (a TaskGroup with a computed id): every task made in it is dynamic. */
export function unknownWithScope(parent: Scope, why: string): Scope {
  return { kind: 'with', parent, dag: parent.dag, group: parent.group, dynamic: parent.dynamic ?? why };
}

/** The body of a `@dag` or `@task_group` function, walked where it is called, making tasks in `dag` and `group`. */
export function callScope(parent: Scope, dag: number, group: number): Scope {
  return { kind: 'call', parent, dag, group, dynamic: parent.dynamic };
}

/** A branch of `if` or `try`. */
export function conditionalScope(parent: Scope): Scope {
  return parent.conditional ? parent : { ...parent, conditional: true };
}

export function loopScope(parent: Scope): Scope {
  return { kind: 'loop', parent, dag: parent.dag, group: parent.group, dynamic: parent.dynamic ?? 'a loop' };
}

/** The body of the function `name` (the analyser only searches it for operator calls). */
export function functionScope(parent: Scope, name: string): Scope & { dynamic: string } {
  return { kind: 'function', parent, dag: parent.dag, group: parent.group, dynamic: `inside the function "${name}"` };
}
