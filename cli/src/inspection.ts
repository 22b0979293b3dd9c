/**
 * What `vortex inspect` says about one file: the static analysis alone, or
 * (`--runtime`) laid over with what executing the file showed.
 */
import path from 'node:path';
import type { Diagnostic } from '../../core/analysis/model';
import type { RuntimeOptions, RuntimeStatus } from '../../core/runtime/report';
import { reconciledDiagnostics } from '../../core/runtime/merge';
import { resolveAtRuntime } from '../../core/runtime/resolver';
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
 * Executes the file and merges: when it resolved, its DAGs are the runtime's;
 * otherwise the static DAGs stand. Diagnostics as `reconciledDiagnostics` says.
 */
export async function runtimeInspection(file: AnalysedFile, options: RuntimeOptions): Promise<Inspection> {
  const outcome = await resolveAtRuntime(path.resolve(file.path), options);
  return {
    path: file.path,
    dags: outcome.status === 'resolved' ? inspectRuntimeDags(outcome.dags) : inspectDags(file.analysis),
    diagnostics: reconciledDiagnostics(file.analysis, outcome, file.text),
    runtime: outcome.status,
  };
}
