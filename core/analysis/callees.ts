/**
 * The callee registry: what a called name is to the analyser, looked up by
 * the name the frameworks export it as. Adding a construct is one entry here
 * and one handler for its kind (`ExpressionReader.callHandlers`).
 */
import { operatorKind } from './operators';

/** Module roots whose names the registry knows. */
export const FRAMEWORKS: ReadonlySet<string> = new Set(['vortex', 'airflow']);

export type CalleeKind =
  | 'dag'
  | 'operator'
  | 'chain'
  | 'chainLinear'
  | 'crossDownstream'
  | 'taskGroup'
  | 'label'
  | 'taskDecorator'
  | 'dagDecorator'
  | 'taskGroupDecorator'
  | 'constant'
  | 'other';

export type OperatorCallee = { kind: 'operator'; name: string; qualified: string; known: boolean };

export type Callee = OperatorCallee | { readonly kind: Exclude<CalleeKind, 'operator'> };

function entry(kind: Exclude<CalleeKind, 'operator'>): Callee {
  return Object.freeze({ kind });
}

/** The framework names that are not operator classes (those are looked up in operators.ts). */
const FRAMEWORK_CALLEES: ReadonlyMap<string, Callee> = new Map([
  ['DAG', entry('dag')],
  ['chain', entry('chain')],
  ['cross_downstream', entry('crossDownstream')],
  ['chain_linear', entry('chainLinear')],
  ['TaskGroup', entry('taskGroup')],
  ['Label', entry('label')],
  ['task', entry('taskDecorator')],
  ['dag', entry('dagDecorator')],
  ['task_group', entry('taskGroupDecorator')],
  // Values, not constructs: `TriggerRule.ALL_DONE` is read where a trigger rule is given.
  ['TriggerRule', entry('constant')],
]);

const OTHER: Callee = Object.freeze({ kind: 'other' });

/**
 * The value of a framework constant's member, as Airflow reads it:
 * `TriggerRule.ALL_DONE` (a str enum) is `all_done`. `qualified` is the
 * constant's dotted name resolved through the imports; undefined when it is
 * no framework constant or the member is no enum member's name.
 */
export function constantValue(qualified: string, member: string): string | undefined {
  if (!isFramework(qualified) || !/^[A-Z_]+$/.test(member)) return undefined;
  const found = FRAMEWORK_CALLEES.get(qualified.slice(qualified.lastIndexOf('.') + 1));
  return found?.kind === 'constant' ? member.toLowerCase() : undefined;
}

/** Whether a dotted name is one of the frameworks'. */
export function isFramework(qualified: string): boolean {
  const dot = qualified.indexOf('.');
  return FRAMEWORKS.has(dot < 0 ? qualified : qualified.slice(0, dot));
}

/**
 * What a callee is.
 * @param qualified its dotted name resolved through the imports (`airflow.models.DAG`), or null when it is not imported
 * @param last the name it is called by, after aliases (`DAG`)
 * @param fnText the callee as written, for operators of unknown origin
 * @param hasTaskId whether the call passes `task_id` (asked only when it matters)
 */
export function classifyCallee(qualified: string | null, last: string, fnText: string, hasTaskId: boolean | (() => boolean)): Callee {
  const framework = qualified !== null && isFramework(qualified);
  const taskId = () => (typeof hasTaskId === 'function' ? hasTaskId() : hasTaskId);
  if (framework) {
    const found = FRAMEWORK_CALLEES.get(last);
    if (found) return found;
  }
  const qualifiedName = qualified ?? fnText;
  if (framework && operatorKind(last) !== 'other') return { kind: 'operator', name: last, qualified: qualifiedName, known: true };
  // Operator classes of other packages (providers, the user's own) by their naming convention.
  if (/(Operator|Sensor)$/.test(last)) return { kind: 'operator', name: last, qualified: qualifiedName, known: false };
  if (framework && /^[A-Z]/.test(last) && taskId()) return { kind: 'operator', name: last, qualified: qualifiedName, known: false };
  return OTHER;
}
