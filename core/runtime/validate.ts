/**
 * What `python -m vortex._inspector` printed, checked field by field before it is
 * believed: the report comes from another process running the user's code
 * with whatever interpreter was configured, so it is `unknown` until proven.
 */
import { isDiagnosticCode, severityOf, type DiagnosticCode } from '../diagnostics';
import type { OperatorKind } from '../analysis/model';
import type { RuntimeDag, RuntimeDiagnostic, RuntimeEdge, RuntimeFileReport, RuntimeGroup, RuntimeReport, RuntimeTask } from './report';

export type RuntimeCode = Extract<DiagnosticCode, `VX5${string}`>;

const KINDS: ReadonlySet<string> = new Set<OperatorKind>(['bash', 'python', 'dummy', 'other']);

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isLine = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1;

const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

function isEdge(value: unknown): value is RuntimeEdge {
  return isObject(value) && isString(value.upstream) && isString(value.downstream) && isStringOrNull(value.label);
}

function isGroup(value: unknown): value is RuntimeGroup {
  return isObject(value) && isString(value.id) && isStringOrNull(value.parent_id) && isString(value.label) && isLine(value.line);
}

function isSecondsOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

function isTask(value: unknown): value is RuntimeTask {
  return (
    isObject(value) &&
    isString(value.task_id) &&
    isString(value.operator) &&
    isString(value.qualified_operator) &&
    isString(value.kind) &&
    KINDS.has(value.kind) &&
    isString(value.file) &&
    isLine(value.line) &&
    isStrings(value.upstream) &&
    isStrings(value.downstream) &&
    isStringOrNull(value.bash_command) &&
    isStringOrNull(value.python_callable) &&
    isStrings(value.secrets) &&
    isSecondsOrNull(value.execution_timeout) &&
    typeof value.retries === 'number' &&
    Number.isInteger(value.retries) &&
    value.retries >= 0 &&
    isSecondsOrNull(value.retry_delay) &&
    isBoolean(value.do_xcom_push) &&
    isStringOrNull(value.group_id) &&
    isBoolean(value.decorated) &&
    isBoolean(value.mapped) &&
    isBoolean(value.branch) &&
    isStringOrNull(value.trigger_rule)
  );
}

function isDag(value: unknown): value is RuntimeDag {
  return (
    isObject(value) &&
    isString(value.dag_id) &&
    isStringOrNull(value.schedule) &&
    isStringOrNull(value.owner) &&
    isStringOrNull(value.description) &&
    isStrings(value.tags) &&
    isStrings(value.secrets) &&
    isString(value.file) &&
    isLine(value.line) &&
    Array.isArray(value.tasks) &&
    value.tasks.every(isTask) &&
    Array.isArray(value.edges) &&
    value.edges.every(isEdge) &&
    Array.isArray(value.groups) &&
    value.groups.every(isGroup)
  );
}

function isRuntimeCode(value: unknown): value is RuntimeCode {
  return isDiagnosticCode(value) && value.startsWith('VX5');
}

function isDiagnostic(value: unknown): value is RuntimeDiagnostic {
  return (
    isObject(value) &&
    isRuntimeCode(value.code) &&
    value.severity === severityOf(value.code) &&
    isString(value.message) &&
    isLine(value.line) &&
    isLine(value.column) &&
    isLine(value.endLine) &&
    isLine(value.endColumn)
  );
}

function isFileReport(value: unknown): value is RuntimeFileReport {
  return (
    isObject(value) &&
    isString(value.path) &&
    Array.isArray(value.dags) &&
    value.dags.every(isDag) &&
    Array.isArray(value.diagnostics) &&
    value.diagnostics.every(isDiagnostic) &&
    isStrings(value.missing_modules)
  );
}

/** Whether `value` is a whole `RuntimeReport`, down to every task's every field. */
export function isRuntimeReport(value: unknown): value is RuntimeReport {
  return isObject(value) && Array.isArray(value.files) && value.files.every(isFileReport);
}
