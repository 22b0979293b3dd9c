/** `--mode`: the CLI's spelling of the editor's `vortex.analysis.mode`. */
import type { AnalysisMode } from '../../core/runtime/mode';
import { SETTINGS_SCHEMA } from '../../core/settings';
import { UsageError } from './files';

const MODES: readonly string[] = SETTINGS_SCHEMA['vortex.analysis.mode'].enum;

/** The `--mode` value, or `fallback` without one. */
export function analysisMode(value: unknown, fallback: AnalysisMode = SETTINGS_SCHEMA['vortex.analysis.mode'].default): AnalysisMode {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !MODES.includes(value)) throw new UsageError(`--mode must be ${MODES.join(', ')}, not "${String(value)}"`);
  return value as AnalysisMode;
}
