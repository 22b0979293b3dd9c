/**
 * Decides, cheaply and without parsing, whether the language server is worth
 * starting. The server applies the exact heuristic (a file is a DAG file when it
 * mentions `DAG` and imports from `vortex` or `airflow`); this test is looser
 * so that it never misses a file the server would serve: a false positive only
 * starts the server early, a false negative would hide every diagnostic.
 */
import * as vscode from 'vscode';

const MENTIONS_DAG = /\bDAG\b/;
const MENTIONS_FRAMEWORK = /\b(?:vortex|airflow)\b/;

/** Files whose names suggest DAGs, for workspaces where no DAG file is open yet. */
export const DAG_FILE_GLOBS = ['**/dags/**/*.py', '**/*dag*.py'] as const;

/** Folders that hold other people's Python, never the user's DAGs. */
const EXCLUDED = '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**}';

export function looksLikeDagText(text: string): boolean {
  return MENTIONS_DAG.test(text) && MENTIONS_FRAMEWORK.test(text);
}

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
