/**
 * VORTEX's extensions to LSP, shared by the server and the VS Code client so the
 * two cannot drift. Every message says who sends it to whom.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { Range } from './analysis/model';

/**
 * client → server: how many DAGs and tasks a document holds (the status bar's
 * figures); null when the document is not a DAG file or not open.
 */
export namespace DagSummaryRequest {
  export const method = 'vortex/dagSummary';
  export const type = new RequestType<{ uri: string }, { dags: number; tasks: number } | null, void>(method);
}

/** Diagnostic counts by severity. */
export interface DiagnosticCounts {
  errors: number;
  warnings: number;
  infos: number;
}

export interface TaskJson {
  taskId: string;
  operator: string;
  kind: 'bash' | 'python' | 'dummy' | 'other';
  variable: string | null;
  /** 0-based line of the operator call. */
  line: number;
  range: Range;
  upstream: string[];
  downstream: string[];
  /** Diagnostics whose range lies within the task's call. */
  diagnostics: DiagnosticCounts;
}

export interface DagJson {
  dagId: string | null;
  schedule: string | null;
  owner: string | null;
  tags: string[];
  /** 0-based line of the `DAG(...)` call. */
  line: number;
  range: Range;
  tasks: TaskJson[];
  edges: Array<{ upstream: string; downstream: string; range: Range }>;
  /** Diagnostics whose range lies within the DAG's call or any of its tasks' calls. */
  diagnostics: DiagnosticCounts;
}

export interface DagModelResult {
  uri: string;
  /** The document version the model was analysed from. */
  version: number;
  dags: DagJson[];
}

/**
 * client → server: the DAG model of a document as plain JSON (the graph view
 * draws it); null when the document is not a DAG file or not open.
 */
export namespace DagModelRequest {
  export const method = 'vortex/dagModel';
  export const type = new RequestType<{ uri: string }, DagModelResult | null, void>(method);
}
