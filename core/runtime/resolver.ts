/**
 * Runtime resolution: executes a DAG file with the bundled SDK
 * (`python -m vortex._inspector`) and turns its report into a `RuntimeOutcome`.
 * Pure of LSP and `vscode`; the CLI and the language server both call it.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, Range } from '../analysis/model';
import { bundledSdkPath } from '../sdk';
import { runInspector, type InspectorRun } from './inspectorProcess';
import { DEFAULT_RUNTIME_TIMEOUT_MS, type RuntimeDiagnostic, type RuntimeFileReport, type RuntimeOptions, type RuntimeOutcome, type RuntimeStatus } from './report';
import { diagnostic } from '../diagnostics';
import { isRuntimeReport, type RuntimeCode } from './validate';

/** The SDK's module that executes DAG files and reports what they build. */
const INSPECTOR_MODULE = 'vortex._inspector';

/**
 * The SDK's own timer (SIGALRM) stops the file at the limit and reports the
 * line it was running; the group is killed this much later, for files that
 * ignore the signal or sit in code that cannot be interrupted.
 */
const HARD_KILL_GRACE_MS = 1000;

/** `vortex run` takes its interpreter from VORTEX_PYTHON (it has no --python), `vortex inspect` from --python. */
const PICK_INTERPRETER = 'choose another with the vortex.python.interpreter setting (on the command line: --python for vortex inspect, VORTEX_PYTHON for vortex run)';

/** Reported by the Python side; the others (VX505, VX506, VX507) come from here. */
function statusOf(report: RuntimeFileReport): RuntimeStatus {
  const codes = new Set(report.diagnostics.map((d) => d.code));
  if (codes.has('VX502')) return 'timedOut';
  if (codes.has('VX501') || codes.has('VX503')) return 'failed';
  if (codes.has('VX504')) return 'fallback';
  return 'resolved';
}

function toDiagnostic(d: RuntimeDiagnostic): Diagnostic {
  // isRuntimeReport has checked the code.
  const code = d.code as RuntimeCode;
  return diagnostic(
    code,
    {
      start: { line: d.line - 1, character: d.column - 1 },
      end: { line: d.endLine - 1, character: d.endColumn - 1 },
    },
    d.message,
  );
}

/**
 * Where a diagnostic about the run as a whole goes: the first line that makes
 * a DAG (`DAG(`), else the first line; its text without the indentation.
 */
async function anchorRange(file: string): Promise<Range> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // Unreadable: the start of the file is as good a place as any.
  }
  const lines = text.split(/\r?\n/);
  const index = Math.max(0, lines.findIndex((l) => /\bDAG\s*\(/.test(l)));
  const line = lines[index] ?? '';
  const start = line.length - line.trimStart().length;
  return { start: { line: index, character: start }, end: { line: index, character: line.trimEnd().length } };
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1] ?? '';
  return last.length > 300 ? `${last.slice(0, 299)}…` : last;
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('runtime resolution was cancelled');
  error.name = 'AbortError';
  return error;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

const SIGNAL_MEANINGS: Readonly<Partial<Record<NodeJS.Signals, string>>> = {
  SIGSEGV: 'a segmentation fault',
  SIGBUS: 'a bus error',
  SIGABRT: 'an abort',
  SIGFPE: 'a floating-point exception',
  SIGILL: 'an illegal instruction',
  SIGKILL: 'killed outright, as the system does when memory runs out',
};

/** Why a finished run gave no report, in words for the VX506 and VX507 messages. */
function describeEnd(run: InspectorRun): string {
  if (run.stdout === null) return 'it printed far more than a report';
  if (run.exitSignal) {
    const meaning = SIGNAL_MEANINGS[run.exitSignal];
    return `it was killed by ${run.exitSignal}${meaning ? ` (${meaning})` : ''}`;
  }
  return `it exited with code ${run.exitCode}`;
}

/** How long the check that the interpreter can run the inspector may take. */
const PROBE_TIMEOUT_MS = 15_000;

/**
 * Whether this interpreter can run the SDK's inspector at all: its `--help`
 * answers with a usage line. Asked only after a run ended without a report,
 * to tell a file that ended the interpreter from an interpreter that never
 * could have run it (too old, not Python).
 */
async function canRunInspector(pythonPath: string, cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<boolean> {
  const probe = await runInspector({ pythonPath, args: ['-m', INSPECTOR_MODULE, '--help'], cwd, env, killAfterMs: PROBE_TIMEOUT_MS, signal });
  return probe.exitCode === 0 && /^usage:/m.test(probe.stdout ?? '');
}

/**
 * Executes `filePath` with `python -m vortex._inspector` in its own process group
 * and says what it built, or why it could not. Never throws for bad input (a
 * missing interpreter, a crash, a hostile report); rejects only when
 * `options.signal` aborts, with an AbortError, once the group is gone.
 */
export async function resolveAtRuntime(filePath: string, options: RuntimeOptions = {}): Promise<RuntimeOutcome> {
  const started = performance.now();
  const file = path.resolve(filePath);
  const pythonPath = options.pythonPath ?? 'python3';
  const given = options.timeoutMs;
  // A limit that is no positive number would stop nothing, or everything at once.
  const timeoutMs = given !== undefined && Number.isFinite(given) && given > 0 ? given : DEFAULT_RUNTIME_TIMEOUT_MS;
  const cwd = options.cwd ?? path.dirname(file);

  const outcome = (status: RuntimeStatus, diagnostics: Diagnostic[], dags: RuntimeOutcome['dags'] = []): RuntimeOutcome => ({
    status,
    path: file,
    dags,
    diagnostics,
    pythonPath,
    durationMs: performance.now() - started,
  });
  const ours = async (code: RuntimeCode, message: string): Promise<Diagnostic> => diagnostic(code, await anchorRange(file), message);

  if (options.signal?.aborted) throw abortError(options.signal);
  // spawn reports a missing working directory as a missing interpreter; say which it is.
  if (!isDirectory(cwd)) {
    return outcome('failed', [await ours('VX506', `The file could not be executed: its working directory ${cwd} does not exist.`)]);
  }

  const sdkPath = options.sdkPath ?? bundledSdkPath();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: [sdkPath, process.env.PYTHONPATH].filter((p) => p).join(path.delimiter),
    // Importing the file must not leave __pycache__ folders in the user's project or in the extension.
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
  };
  const run = await runInspector({
    pythonPath,
    args: ['-m', INSPECTOR_MODULE, '--timeout', String(timeoutMs / 1000), file],
    cwd,
    env,
    killAfterMs: timeoutMs + HARD_KILL_GRACE_MS,
    signal: options.signal,
  });
  if (run.aborted && options.signal) throw abortError(options.signal);

  if (run.spawnError) {
    const why = run.spawnError.code === 'ENOENT' ? 'not found' : run.spawnError.code === 'EACCES' ? 'not executable' : run.spawnError.message;
    return outcome('unavailable', [
      await ours('VX505', `The Python interpreter "${pythonPath}" could not be started (${why}), so this file was not executed and only static analysis applies. Install Python 3.8 or later, or ${PICK_INTERPRETER}.`),
    ]);
  }

  const report = readReport(run.stdout, file);
  if (report.kind === 'report') {
    const status = statusOf(report.file);
    return outcome(status, report.file.diagnostics.map(toDiagnostic), status === 'resolved' ? report.file.dags : []);
  }
  if (run.killed) {
    return outcome('timedOut', [
      await ours('VX502', `Executing the file took longer than ${seconds(timeoutMs)}, so its whole process group was stopped. Move slow work (network calls, queries, sleeps) from the file's top level into tasks, or allow more time (in VS Code the vortex.analysis.runtimeTimeoutSeconds setting, on the command line vortex inspect --runtime --timeout SECONDS).`),
    ]);
  }
  const stderr = lastLine(run.stderrTail);
  if (report.kind === 'none' && run.stdout !== null && (await canRunInspector(pythonPath, cwd, env, options.signal))) {
    return outcome('failed', [
      await ours('VX507', `Executing the file ended the Python process before it could report: ${describeEnd(run)}${stderr ? `; its last error output: ${stderr}` : ', with no error output'}. Something the file runs when it is imported (os._exit(), a crashing extension module, a signal) stopped the interpreter; Airflow could not load this file either.`),
    ]);
  }
  if (options.signal?.aborted) throw abortError(options.signal);
  if (report.kind === 'invalid') {
    return outcome('failed', [
      await ours('VX506', `Python ("${pythonPath}") printed something that is not a report VORTEX can use${stderr ? `: ${stderr}` : ''}. Runtime resolution needs Python 3.8 or later and the VORTEX SDK; if this interpreter is not one, ${PICK_INTERPRETER}. Static analysis applies meanwhile.`),
    ]);
  }
  return outcome('failed', [
    await ours('VX506', `Python ("${pythonPath}") gave no report, and it cannot run the VORTEX SDK at all: ${describeEnd(run)}${stderr ? `; its last error output: ${stderr}` : ''}. Runtime resolution needs Python 3.8 or later; ${PICK_INTERPRETER}. Static analysis applies meanwhile.`),
  ]);
}

type ReadReport = { kind: 'none' } | { kind: 'invalid' } | { kind: 'report'; file: RuntimeFileReport };

/** The report of `file` in stdout, when stdout is exactly one valid report about that file. */
function readReport(stdout: string | null, file: string): ReadReport {
  if (!stdout?.trim()) return { kind: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return { kind: 'invalid' };
  }
  if (!isRuntimeReport(value) || value.files.length !== 1 || value.files[0].path !== file) return { kind: 'invalid' };
  return { kind: 'report', file: value.files[0] };
}
