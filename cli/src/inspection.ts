/**
 * What `vortex inspect` says about one file: the static analysis alone, or
 * (`--runtime`) laid over with what executing the file showed.
 */
import path from 'node:path';
import type { Diagnostic } from '../../server/src/analysis/model';
import type { RuntimeOptions, RuntimeStatus } from '../../server/src/runtime/model';
import { resolveAtRuntime } from '../../server/src/runtime/resolver';
import type { AnalysedFile } from './files';
import { inspectDags, inspectRuntimeDags, type InspectDag } from './report';

export interface Inspection {
  path: string;
  dags: InspectDag[];
  /** 0-based, as the analyser gives them; the views add 1. */
  diagnostics: Diagnostic[];
  /** How runtime resolution went; absent without `--runtime`. */
  runtime?: RuntimeStatus;
}

export function staticInspection(file: AnalysedFile): Inspection {
  return { path: file.path, dags: inspectDags(file.analysis), diagnostics: file.analysis.diagnostics };
}

/**
 * Executes the file and merges: when it resolved, its DAGs are the runtime's
 * and VX404 goes (runtime saw those tasks); otherwise the static DAGs stand.
 * The runtime's own diagnostics (VX5xx) are added either way.
 */
export async function runtimeInspection(file: AnalysedFile, options: RuntimeOptions): Promise<Inspection> {
  const outcome = await resolveAtRuntime(path.resolve(file.path), options);
  const resolved = outcome.status === 'resolved';
  const kept = resolved ? file.analysis.diagnostics.filter((d) => d.code !== 'VX404') : file.analysis.diagnostics;
  return {
    path: file.path,
    dags: resolved ? inspectRuntimeDags(outcome.dags) : inspectDags(file.analysis),
    diagnostics: [...kept, ...outcome.diagnostics],
    runtime: outcome.status,
  };
}
