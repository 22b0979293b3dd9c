/**
 * Which Python runs PythonOperator tasks, and executes DAG files for the
 * language server's runtime resolution: the `vortex.python.interpreter`
 * setting; else the interpreter selected in the Python extension, when it is
 * installed; else `python3` from PATH.
 */
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { executionSettings } from './runSettings';

export const DEFAULT_PYTHON = 'python3';

/** The Python extension's active interpreter for `resource`, or undefined when there is none to ask. */
async function selectedInPythonExtension(resource: vscode.Uri): Promise<string | undefined> {
  // PythonExtension.api() would activate the extension; asking only when it is installed keeps runs fast without it.
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(resource);
    const environment = await api.environments.resolveEnvironment(active);
    return environment?.executable.uri?.fsPath;
  } catch {
    // A Python extension that fails to answer must not stop the run: python3 is the documented fallback.
    return undefined;
  }
}

export async function pythonInterpreter(resource: vscode.Uri, configured: string | null): Promise<string> {
  return configured ?? (await selectedInPythonExtension(resource)) ?? DEFAULT_PYTHON;
}

/** The interpreter for `resource`, reading `vortex.python.interpreter` for it (in Restricted Mode, from user settings only). */
export function interpreterFor(resource: vscode.Uri): Promise<string> {
  const { interpreter } = executionSettings((key) => vscode.workspace.getConfiguration(undefined, resource).get(key));
  return pythonInterpreter(resource, interpreter);
}
