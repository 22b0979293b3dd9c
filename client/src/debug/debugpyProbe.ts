/**
 * Whether an interpreter can import debugpy, asked of the interpreter itself
 * (the Python extension's own copy of debugpy is not used: the task must run
 * with the interpreter a run uses). No `vscode` import.
 */
import os from 'node:os';
import { spawnGroup } from '../../../core/process/processGroup';

/** A cold interpreter on a slow disk can take seconds to start. */
const PROBE_TIMEOUT_MS = 20_000;

export type DebugpyProbe =
  | { status: 'present'; version: string }
  | { status: 'missing' }
  /** The interpreter did not run at all (not found, not executable, timed out). */
  | { status: 'noInterpreter'; reason: string };

export async function probeDebugpy(python: string): Promise<DebugpyProbe> {
  let stdout = '';
  const group = spawnGroup({
    file: python,
    args: ['-c', 'import debugpy, sys; sys.stdout.write(debugpy.__version__)'],
    // Not the workspace: a `debugpy.py` of the user's must not pass for the package.
    cwd: os.tmpdir(),
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: PROBE_TIMEOUT_MS,
    killGraceMs: 500,
    leftoverGraceMs: 500,
    signal: undefined,
    onData: (stream, chunk) => {
      if (stream === 'stdout') stdout += chunk.toString('utf8');
    },
  });
  const outcome = await group.outcome;
  if (outcome.spawnError) return { status: 'noInterpreter', reason: `${python} could not be started (${outcome.spawnError.code ?? outcome.spawnError.message})` };
  if (outcome.timedOut) return { status: 'noInterpreter', reason: `${python} did not answer within ${PROBE_TIMEOUT_MS / 1000} s` };
  if (outcome.exitCode === 0) return { status: 'present', version: stdout.trim() };
  return { status: 'missing' };
}
