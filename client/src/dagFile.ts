/**
 * Decides, cheaply and without parsing, whether the language server is worth
 * starting: a false positive only starts it early, a false negative would hide
 * every diagnostic of that file until another DAG file opens.
 */
import * as vscode from 'vscode';
import { looksLikeDagText } from './dagText';

/** Files whose names suggest DAGs, for workspaces where no DAG file is open yet. */
export const DAG_FILE_GLOBS = ['**/dags/**/*.py', '**/*dag*.py'] as const;

/** Folders that hold other people's Python, never the user's DAGs. */
const EXCLUDED = '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**}';

/** Python documents on disk are all the language server is registered for. */
export function isPythonFile(document: vscode.TextDocument): boolean {
  return document.languageId === 'python' && document.uri.scheme === 'file';
}

export function looksLikeDagDocument(document: vscode.TextDocument): boolean {
  return isPythonFile(document) && looksLikeDagText(document.getText());
}

/** True when some workspace file is named like a DAG file; one search result is enough. */
export async function workspaceHasDagFileNames(): Promise<boolean> {
  if (!vscode.workspace.workspaceFolders?.length) return false;
  for (const glob of DAG_FILE_GLOBS) {
    const found = await vscode.workspace.findFiles(glob, EXCLUDED, 1);
    if (found.length > 0) return true;
  }
  return false;
}
