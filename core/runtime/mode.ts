/**
 * `vortex.analysis.mode` (`--mode` on the command line): which DAG files are
 * executed to see their tasks. `auto` executes those with constructs static
 * analysis cannot see whole (VX404), `runtime` every DAG file, `static` none.
 * The language server and every run decide with this one function.
 */
import type { FileAnalysis } from '../analysis/model';

export type AnalysisMode = 'static' | 'runtime' | 'auto';

/** Whether a file's mode asks for its runtime resolution. */
export function wantsRuntime(mode: AnalysisMode, analysis: FileAnalysis | undefined): boolean {
  if (!analysis?.isDagFile) return false;
  if (mode === 'runtime') return true;
  return mode === 'auto' && analysis.hasDynamicConstructs;
}
