/**
 * One call as the construct handlers see it, whichever reader found it: the
 * text reader for simple statements (simpleStatements.ts) and the tree walk
 * both produce a CallSite.
 */
import type { Node } from 'web-tree-sitter';
import type { Argument } from './model';
import type { CallPositions } from './records';
import type { Scope } from './scope';

export interface CallSite extends CallPositions {
  /** The callee as written (`BashOperator`, `airflow.operators.bash.BashOperator`). */
  calleeText: string;
  /** Where the argument list ends (after its `)`), or -1 when the call has none. */
  argsEndLine: number;
  argsEndCharacter: number;
  /** The arguments by name (`task_id`, `group_id`, `dag`, …; positional ones as `#0`, `#1`, …), each with its ranges. */
  byName: Record<string, Argument>;
  /** The arguments in the order written. */
  list: Argument[];
  /** Whether it passes `*args` or `**kwargs` (arguments no one can see statically). */
  hasSplat: boolean;
  /** The value nodes of arguments that are not simple literals, by name (none from the text reader, which reads only literals and names). */
  nodes: Record<string, Node>;
  /** Where the call is. */
  scope: Scope;
}

export const NO_NODES: Record<string, Node> = Object.freeze({}) as Record<string, Node>;
