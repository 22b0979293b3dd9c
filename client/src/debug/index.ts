/**
 * Debugging tasks, wired into the extension: the `vortex` debug type, the
 * "Debug task" and "Run in terminal" commands. `registerRuns` calls
 * `registerDebug` once, with the RunController every run goes through.
 */
import * as vscode from 'vscode';
import { documentUri, optionalString } from '../commandArgs';
import { Commands } from '../../../core/commands';
import type { SecretVault } from '../../../core/run/secrets';
import type { RunController } from '../runs/runController';
import { type DebugCommandResult, DebugSessions } from './debugSessions';
import { runTaskInTerminal, type TerminalResult } from './taskTerminal';

const NO_DOCUMENT = 'open a DAG file first: VORTEX debugs a task of the active editor';

export function registerDebug(context: vscode.ExtensionContext, controller: RunController, vault: SecretVault): void {
  const sessions = new DebugSessions(controller);
  context.subscriptions.push(
    sessions,
    vscode.commands.registerCommand(Commands.debugTask, async (uriArg?: unknown, dagArg?: unknown, taskArg?: unknown): Promise<DebugCommandResult> => {
      const uri = documentUri(uriArg);
      if (!uri) {
        void vscode.window.showErrorMessage(`VORTEX: ${NO_DOCUMENT}`);
        return { outcome: 'refused', reason: NO_DOCUMENT };
      }
      return sessions.debugTask(uri, optionalString(dagArg), optionalString(taskArg));
    }),
    vscode.commands.registerCommand(Commands.runTaskInTerminal, async (uriArg?: unknown, dagArg?: unknown, taskArg?: unknown): Promise<TerminalResult> => {
      const uri = documentUri(uriArg);
      if (!uri) {
        void vscode.window.showErrorMessage(`VORTEX: ${NO_DOCUMENT}`);
        return { outcome: 'refused', reason: NO_DOCUMENT };
      }
      return runTaskInTerminal(controller, vault, uri, optionalString(dagArg), optionalString(taskArg));
    }),
  );
}
