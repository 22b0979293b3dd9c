/**
 * Every diagnostic code VORTEX reports, with its severity, its title and where
 * docs/diagnostics.md explains it. The analyser, the runtime resolution and the
 * language server all read codes and severities from here, and unit tests hold
 * docs/diagnostics.md and the README's table to it.
 */
import type { Diagnostic, FixData, Range } from './analysis/model';

export type Severity = 'error' | 'warning' | 'info';

interface DiagnosticInfo {
  /** Every diagnostic of the code has this severity. */
  severity: Severity;
  /** The bold line that opens the code's section in docs/diagnostics.md (markdown). */
  title: string;
}

/** In the order docs/diagnostics.md explains them. */
export const DIAGNOSTICS = {
  VX001: { severity: 'error', title: 'Python syntax error' },
  VX002: { severity: 'info', title: 'File too large; analysis skipped' },
  VX003: { severity: 'error', title: 'File is not valid UTF-8' },
  VX101: { severity: 'error', title: 'DAG without a `dag_id`' },
  VX102: { severity: 'error', title: 'The same `dag_id` defined twice' },
  VX103: { severity: 'error', title: 'Invalid cron expression or preset' },
  VX104: { severity: 'warning', title: 'Value that is not a schedule' },
  VX105: { severity: 'warning', title: 'Unknown keyword argument' },
  VX106: { severity: 'error', title: 'Invalid `dag_id`' },
  VX107: { severity: 'warning', title: '`@dag` function never called' },
  VX201: { severity: 'error', title: 'Duplicate `task_id` or `group_id` in a DAG' },
  VX202: { severity: 'error', title: 'Operator without `task_id`' },
  VX203: { severity: 'error', title: 'Required operator argument missing' },
  VX204: { severity: 'error', title: '`python_callable` is not defined' },
  VX205: { severity: 'warning', title: 'Operator VORTEX cannot run locally' },
  VX206: { severity: 'error', title: 'Task belongs to no DAG' },
  VX207: { severity: 'error', title: 'Invalid `task_id` or `group_id`' },
  VX301: { severity: 'error', title: 'Dependency cycle' },
  VX302: { severity: 'error', title: 'Dependency on something that is not a task' },
  VX303: { severity: 'error', title: 'Task depends on itself' },
  VX304: { severity: 'error', title: 'Dependency between two DAGs' },
  VX305: { severity: 'error', title: '`chain()` lists of different lengths' },
  VX401: { severity: 'info', title: 'XCom used' },
  VX402: { severity: 'info', title: 'Mapped task' },
  VX403: { severity: 'info', title: "Callable expects Airflow's execution context" },
  VX404: { severity: 'info', title: 'Tasks created dynamically' },
  VX405: { severity: 'info', title: 'Jinja template in `bash_command`' },
  VX501: { severity: 'error', title: 'Executing the file raised an error' },
  VX502: { severity: 'error', title: 'Executing the file took too long' },
  VX503: { severity: 'error', title: 'An installed library imports a module that is not installed' },
  VX504: { severity: 'info', title: 'An Airflow value VORTEX can only stand in for' },
  VX505: { severity: 'warning', title: 'The Python interpreter could not be started' },
  VX506: { severity: 'warning', title: 'Python ran but cannot run the SDK, or gave no usable report' },
  VX507: { severity: 'error', title: 'Executing the file ended the Python process' },
  VX508: { severity: 'info', title: 'A module the file imports is not installed: stood in for' },
} as const satisfies Record<`VX${number}`, DiagnosticInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

export const DIAGNOSTIC_CODES = Object.keys(DIAGNOSTICS) as DiagnosticCode[];

export function isDiagnosticCode(value: unknown): value is DiagnosticCode {
  return typeof value === 'string' && Object.hasOwn(DIAGNOSTICS, value);
}

export function severityOf(code: DiagnosticCode): Severity {
  return DIAGNOSTICS[code].severity;
}

/**
 * The anchor of the code's section in docs/diagnostics.md. The section's
 * heading is the code alone, and GitHub (like VS Code's markdown preview)
 * makes a heading's anchor by lower-casing it.
 */
export function docsAnchor(code: DiagnosticCode): string {
  return code.toLowerCase();
}

/** A diagnostic with the severity its code has. */
export function diagnostic(code: DiagnosticCode, range: Range, message: string, fix?: FixData): Diagnostic {
  return { code, severity: severityOf(code), message, range, ...(fix ? { fix } : {}) };
}
