/**
 * VORTEX's extensions to the Language Server Protocol, shared by the client and
 * the server so both sides compile against one definition. Each message says
 * who sends it to whom.
 */
import { RequestType } from 'vscode-languageserver-protocol';

export interface DagSummaryParams {
  /** The document's URI, as in `TextDocumentIdentifier.uri`. */
  uri: string;
}

export interface DagSummary {
  /** DAGs defined in the document. */
  dags: number;
  /** Tasks across those DAGs. */
  tasks: number;
}

/**
 * Client → server: how many DAGs and tasks the document defines, for the
 * status bar. The server answers `null` for a document it does not serve (not
 * open, or not a DAG file).
 */
// eslint-disable-next-line @typescript-eslint/no-namespace -- the LSP convention (`X.method`, `X.type`) that vscode-languageserver-protocol itself uses
export namespace DagSummaryRequest {
  export const method = 'vortex/dagSummary';
  export const type = new RequestType<DagSummaryParams, DagSummary | null, void>(method);
}
