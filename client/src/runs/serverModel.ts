/**
 * The model a run in the editor plans from: the language server's analysis of
 * the document (`vortex/runModel`), which the server brings up to date with
 * the document's `vortex.analysis.mode` before answering. No `vscode` import,
 * so a test drives it against a real server.
 */
import type { FileAnalysis } from '../../../core/analysis/model';
import { modelOf, type RunModel } from '../../../core/run/runService';

/** How long to wait for the server to know a document that was only just opened. */
export const MODEL_DEADLINE_MS = 10_000;

/**
 * Asks `request` (a `vortex/runModel` request for the document) until the
 * server knows the document, or the deadline passes.
 */
export async function serverRunModel(request: () => Promise<{ analysis: FileAnalysis } | null>, fileName: string, deadlineMs = MODEL_DEADLINE_MS): Promise<RunModel> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const answer = await request();
    if (answer) return modelOf(answer.analysis);
    if (Date.now() >= deadline) throw new Error(`${fileName} is not a DAG file VORTEX can run`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
