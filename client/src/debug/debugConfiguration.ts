/**
 * The `vortex` debug type, as data: what a launch configuration may say, how
 * it becomes the debugpy `attach` VS Code hands to debugpy's adapter, and how
 * a task's run is changed to run under the debugger. No `vscode` import, so
 * unit tests hold all of it.
 *
 * Why attach, although the user asks to launch: the task must run exactly as
 * a local run runs it, through the run service (its plan, secrets, payload,
 * environment, run store and runs view). So VS Code starts debugpy's adapter
 * listening (`listen`, port 0: it picks a free one and names it in its
 * `debugpyWaitingForServer` event), and the run starts the task's runner under
 * `python -m debugpy --connect HOST:PORT --wait-for-client`, which connects
 * back and waits until the breakpoints are set before the DAG file is imported.
 */
import type { RunPlan } from '../../../core/run/scheduler';

/** The debug type in package.json's `contributes.debuggers`. */
export const DEBUG_TYPE = 'vortex';

/** What a `"type": "vortex"` launch configuration may say (package.json's `configurationAttributes` describe it to users). */
export interface VortexLaunch {
  /** The DAG file; `${file}` (the active editor's) when absent. */
  file: string;
  /** The DAG's dag_id; null: the file's only DAG, or the one the user picks. */
  dag: string | null;
  /** The task_id; null: the task under the cursor, or the one the user picks. */
  task: string | null;
  /** The run's logical date, ISO 8601 (`2025-01-31` or `2025-01-31T06:00:00+00:00`); null: now. */
  logicalDate: string | null;
  /** debugpy's justMyCode: stop only in the user's code (the DAG file, its modules), not in installed libraries. */
  justMyCode: boolean;
  /** Run the tasks upstream of it first, without the debugger, as "Run Task with Upstream" does, so that their XComs reach it. */
  withUpstream: boolean;
  /**
   * An earlier run of the DAG (its run id, or `latest`) whose XComs the task
   * reads: the task runs again as another try of that run, with its date and
   * conf, the other tasks keeping their states and XComs. Null: a new run.
   */
  xcomFrom: string | null;
}

/** The resolved configuration: a debugpy attach, with the launch it came from and the interpreter that runs both. */
export interface DebugpyAttach {
  type: typeof DEBUG_TYPE;
  request: 'attach';
  name: string;
  listen: { host: string; port: number };
  justMyCode: boolean;
  /** Read back by VORTEX when debugpy's adapter is ready (debugpy ignores what it does not know). */
  vortex: VortexLaunch & { python: string };
}

/** Loopback only: the debuggee and the adapter run on this machine, and nothing else may attach. */
export const ADAPTER_HOST = '127.0.0.1';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function optionalString(config: Record<string, unknown>, key: string): string | null | { problem: string } {
  const value = config[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return { problem: `"${key}" must be a string` };
  return value;
}

/**
 * The launch a configuration asks for (after VS Code substituted its
 * variables), or why it cannot be debugged, in a sentence.
 */
export function parseLaunch(config: Record<string, unknown>): VortexLaunch | { problem: string } {
  const values: Record<string, string | null> = {};
  for (const key of ['file', 'dag', 'task', 'logicalDate', 'xcomFrom']) {
    const value = optionalString(config, key);
    if (value !== null && typeof value === 'object') return value;
    values[key] = value;
  }
  if (values.file === null) return { problem: 'the configuration names no DAG file: set "file" (for instance "${file}")' };
  if (values.logicalDate !== null && (!ISO_DATE.test(values.logicalDate) || Number.isNaN(Date.parse(values.logicalDate)))) {
    return { problem: `"logicalDate" must be an ISO 8601 date such as 2025-01-31 or 2025-01-31T06:00:00+00:00, not "${values.logicalDate}"` };
  }
  const justMyCode = config.justMyCode ?? true;
  if (typeof justMyCode !== 'boolean') return { problem: '"justMyCode" must be true or false' };
  const withUpstream = config.withUpstream ?? false;
  if (typeof withUpstream !== 'boolean') return { problem: '"withUpstream" must be true or false' };
  if (values.xcomFrom !== null && (values.dag === null || values.task === null)) return { problem: '"xcomFrom" needs "dag" and "task": the run history is kept per DAG' };
  if (values.xcomFrom !== null && (withUpstream || values.logicalDate !== null)) {
    return { problem: '"xcomFrom" runs the task again in an earlier run, with that run\'s date and upstream results: it goes with neither "withUpstream" nor "logicalDate"' };
  }
  return { file: values.file, dag: values.dag, task: values.task, logicalDate: values.logicalDate, justMyCode, withUpstream, xcomFrom: values.xcomFrom };
}

/** The configuration VS Code starts debugpy's adapter with. */
export function debugpyAttach(name: string, launch: VortexLaunch, python: string): DebugpyAttach {
  return {
    type: DEBUG_TYPE,
    request: 'attach',
    name,
    listen: { host: ADAPTER_HOST, port: 0 },
    justMyCode: launch.justMyCode,
    vortex: { ...launch, python },
  };
}

/** Whether a configuration is one `debugpyAttach` made (VS Code hands it back on a restart). */
export function isDebugpyAttach(config: Record<string, unknown>): config is Record<string, unknown> & DebugpyAttach {
  const vortex = config.vortex as Record<string, unknown> | undefined;
  return config.request === 'attach' && typeof vortex === 'object' && vortex !== null && typeof vortex.python === 'string' && typeof vortex.file === 'string';
}

/**
 * The interpreter arguments that run the SDK's runner under debugpy, connected
 * to the adapter at `host:port`. `--wait-for-client` holds the task until VS Code
 * has set its breakpoints; subprocesses are not followed, since a `vortex`
 * session cannot attach to them and a task's shell commands need no debugger.
 */
export function debugpyArgs(host: string, port: number): string[] {
  // Python 3.11+ freezes some standard modules, which debugpy warns may miss breakpoints; older ones ignore the option.
  return ['-Xfrozen_modules=off', '-m', 'debugpy', '--connect', `${host}:${port}`, '--wait-for-client', '--configure-subProcess', 'false'];
}

/** Why a task cannot be debugged; the caller shows it. */
export class NotDebuggable extends Error {
  override name = 'NotDebuggable';
}

/**
 * A task's plan (the task alone, or with its upstream), changed to run that
 * task under the debugger: its runner started with `prefix`, and no time limit
 * (a task stopped at a breakpoint is waiting for the user, not hung). The
 * plan's other tasks run as they would. Only tasks that call Python can be debugged.
 */
export function debuggablePlan(plan: RunPlan, taskId: string, prefix: readonly string[]): RunPlan {
  const target = plan.tasks.find((t) => t.spec.taskId === taskId);
  if (!target) throw new NotDebuggable(`no task "${taskId}" in the plan of DAG "${plan.dagId}"`);
  const { spec } = target;
  if (spec.kind !== 'python') {
    const instead = spec.kind === 'bash' ? ': run it with "Run in terminal" instead' : '';
    throw new NotDebuggable(`task "${spec.taskId}" is a ${spec.operator} task, which calls no Python function to debug${instead}`);
  }
  const debugged = { ...target, spec: { ...spec, runnerPrefix: [...prefix], timeoutSeconds: Number.POSITIVE_INFINITY } };
  return { ...plan, tasks: plan.tasks.map((t) => (t === target ? debugged : t)) };
}

/** Quotes a path for a POSIX shell, so the install command shown can be pasted as it is. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The command that installs debugpy into `python`, as the user would type it. */
export function installCommand(python: string): string {
  return `${shellQuote(python)} -m pip install debugpy`;
}
