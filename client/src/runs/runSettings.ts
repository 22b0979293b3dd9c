/**
 * The execution settings as a run uses them, read from whatever the client's
 * configuration returns: a value of the wrong type or out of range falls back
 * to the schema's default, so a typo in settings.json never stops a run.
 */
import os from 'node:os';
import { SETTINGS_SCHEMA } from '../../../core/settings';

export interface ExecutionSettings {
  timeoutSeconds: number;
  parallelism: number;
  /** The configured interpreter; null when the setting is empty (then the Python extension's, else python3). */
  interpreter: string | null;
  /** When the runs' output channel shows itself. */
  revealOutput: 'never' | 'onFailure' | 'always';
  /** Seconds between tries instead of each task's retry_delay; null: each task's own. */
  retryDelaySeconds: number | null;
}

/** `read(key)` returns the setting's value, e.g. `(key) => vscode.workspace.getConfiguration(undefined, uri).get(key)`. */
export function executionSettings(read: (key: string) => unknown, cpus: number = os.availableParallelism()): ExecutionSettings {
  const timeout = read('vortex.execution.timeoutSeconds');
  const parallelism = read('vortex.execution.parallelism');
  const interpreter = read('vortex.python.interpreter');
  const reveal = read('vortex.execution.revealOutput');
  const retryDelay = read('vortex.execution.retryDelaySeconds');
  const revealSchema = SETTINGS_SCHEMA['vortex.execution.revealOutput'];
  const timeoutSchema = SETTINGS_SCHEMA['vortex.execution.timeoutSeconds'];
  const validParallelism = typeof parallelism === 'number' && Number.isInteger(parallelism) && parallelism >= 1;
  return {
    timeoutSeconds: typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= timeoutSchema.minimum ? timeout : timeoutSchema.default,
    // 0 (the default) and anything invalid mean one task per CPU.
    parallelism: validParallelism ? parallelism : Math.max(1, cpus),
    interpreter: typeof interpreter === 'string' && interpreter.trim() !== '' ? interpreter.trim() : null,
    revealOutput: revealSchema.enum.find((v) => v === reveal) ?? revealSchema.default,
    retryDelaySeconds: typeof retryDelay === 'number' && Number.isFinite(retryDelay) && retryDelay >= 0 ? retryDelay : null,
  };
}
