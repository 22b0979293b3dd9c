/**
 * VORTEX's extensions to LSP, shared by the server and the VS Code client so the
 * two cannot drift. Every message says who sends it to whom.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { FileAnalysis, Range } from './analysis/model';
import type { RuntimeStatus } from './runtime/report';

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
  /** Full dotted id of the innermost TaskGroup holding the task, or null. */
  groupId: string | null;
  /** Made by a `@task`-style decorator. */
  decorated: boolean;
  /** Mapped with `.partial(...).expand(...)`. */
  mapped: boolean;
  /** A branch or short-circuit task. */
  branch: boolean;
  /** `trigger_rule` as written; null means Airflow's default, `all_success`. */
  triggerRule: string | null;
}

export interface GroupJson {
  /** Full dotted id (`section_2.inner`). */
  id: string;
  /** The enclosing group's full id, or null for a group directly in the DAG. */
  parentId: string | null;
  label: string;
  /** 0-based line of the group's call. */
  line: number;
  range: Range;
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
  /** `label` is the edge's `Label(...)` text, or null. */
  edges: Array<{ upstream: string; downstream: string; range: Range; label: string | null }>;
  /** The DAG's TaskGroups, in source order. */
  groups: GroupJson[];
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

/**
 * client → server: the full analysis of a document (every TaskModel field the
 * executor needs), so a run in the extension host plans from the server's one
 * analysis rather than a second analyser in the client; null when the
 * document is not a DAG file or not open. Once the file has been resolved at
 * runtime, the analysis holds the tasks it built (dynamic ones too).
 */
export namespace RunModelRequest {
  export const method = 'vortex/runModel';
  export const type = new RequestType<{ uri: string }, { uri: string; version: number; analysis: FileAnalysis } | null, void>(method);
}

/** What the client says about workspace trust, at start (initializationOptions) and when it is granted. */
export interface TrustParams {
  trusted: boolean;
}

/**
 * client → server: the workspace's trust changed (VS Code only ever grants it
 * while running). Run lenses are served only in a trusted workspace, since a
 * click on one executes the user's code.
 */
export namespace WorkspaceTrustNotification {
  export const method = 'vortex/workspaceTrust';
  export const type = new NotificationType<TrustParams>(method);
}

/**
 * server → client: the Python to execute a DAG file with for runtime
 * resolution, for the document `uri`. The VS Code client answers as it does
 * for running tasks (`vortex.python.interpreter`, else the Python extension's
 * interpreter, else `python3`); null, or a client without this request, means
 * `python3`.
 */
export namespace PythonInterpreterRequest {
  export const method = 'vortex/pythonInterpreter';
  export const type = new RequestType<{ uri: string }, string | null, void>(method);
}

export interface RuntimeResolvedParams {
  uri: string;
  /** How the resolution ended; null when a runtime view was dropped (the mode or the file no longer asks for one). */
  status: RuntimeStatus | null;
  /** DAGs and tasks the document shows now (the status bar's figures). */
  dags: number;
  tasks: number;
  durationMs: number;
}

/**
 * server → client: the runtime view of an open document changed: a
 * resolution ended (the graph redraws, dynamic tasks appear) or was dropped.
 * The diagnostics are republished alongside, and code lenses refreshed.
 */
export namespace RuntimeResolvedNotification {
  export const method = 'vortex/runtimeResolved';
  export const type = new NotificationType<RuntimeResolvedParams>(method);
}
