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
  | 'function';

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
}

export function moduleScope(): Scope {
  return { kind: 'module', parent: null, dag: -1, group: -1, dynamic: null };
}

/** The body of a `with` block whose items made `dag` and `group` current (or left the enclosing ones). */
export function withScope(parent: Scope, dag: number, group: number): Scope {
  return { kind: 'with', parent, dag, group, dynamic: parent.dynamic };
}

export function loopScope(parent: Scope): Scope {
  return { kind: 'loop', parent, dag: parent.dag, group: parent.group, dynamic: parent.dynamic ?? 'a loop' };
}

/** The body of the function `name` (the analyser only searches it for operator calls). */
export function functionScope(parent: Scope, name: string): Scope & { dynamic: string } {
  return { kind: 'function', parent, dag: parent.dag, group: parent.group, dynamic: `inside the function "${name}"` };
}
