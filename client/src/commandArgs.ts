/** How the commands that take a document, a DAG and a task read their arguments. */
import * as vscode from 'vscode';

/** A lens passes the document's URI as a string; an editor/title menu passes a Uri; the palette passes nothing. */
export function documentUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg.length > 0) return vscode.Uri.parse(arg);
  return vscode.window.activeTextEditor?.document.uri;
}

export function optionalString(arg: unknown): string | null {
  return typeof arg === 'string' && arg.length > 0 ? arg : null;
}
