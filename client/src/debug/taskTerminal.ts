/**
 * "Run in terminal" for Bash tasks: the task's command runs in an integrated
 * terminal with the task's environment (its secrets, VORTEX_DAG_ID and the
 * rest), planned by the RunController as a run of the task would be. The
 * terminal is not a run: it is not recorded, and its output is the command's
 * own, unmasked (VORTEX masks only the line it writes above it; the user's
 * shell and what the command prints are not VORTEX's to mask).
 */
import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import { prepareRunner } from '../../../core/run/pythonRunner';
import { resolveSecrets, SecretMasker, type SecretVault } from '../../../core/run/secrets';
import { pythonEnv, runnerPayload, taskEnvironment } from '../../../core/run/taskExecutor';
import { Commands } from '../../../core/commands';
import type { RunController } from '../runs/runController';

export type TerminalResult = { outcome: 'started'; terminal: vscode.Terminal } | { outcome: 'refused'; reason: string };

function refuse(reason: string, ...actions: string[]): TerminalResult {
  void vscode.window.showErrorMessage(`VORTEX: ${reason}`, ...actions).then((choice) => {
    if (choice === 'Set Secret') void vscode.commands.executeCommand(Commands.setSecret);
  });
  return { outcome: 'refused', reason };
}

export async function runTaskInTerminal(controller: RunController, vault: SecretVault, uri: vscode.Uri, dagId: string | null, taskId: string | null): Promise<TerminalResult> {
  const planned = await controller.plan({ uri, dagId, mode: 'task', taskId });
  if ('outcome' in planned) return planned;
  const [{ spec }] = planned.plan.tasks;
  if (spec.kind !== 'bash') {
    const instead = spec.kind === 'python' ? ': debug it with "Debug task", or run it with "Run task"' : '';
    return refuse(`Run in terminal runs BashOperator tasks; task "${spec.taskId}" is a ${spec.operator} task${instead}`);
  }
  const secrets = await resolveSecrets(spec.secretNames, vault);
  if (!secrets.ok) return refuse(`task "${spec.taskId}": ${secrets.message}`, 'Set Secret');
  const masker = new SecretMasker(Object.values(secrets.env));
  const env = taskEnvironment(spec, secrets.env);

  let options: vscode.TerminalOptions;
  let folder: string | null = null;
  if (spec.bashCommand !== null) {
    options = { shellPath: 'sh', shellArgs: ['-c', spec.bashCommand], env: env.full() };
  } else {
    // The DAG file computes the command: the SDK's runner reads it from the imported file and execs it, as a run does.
    const runner = await prepareRunner(runnerPayload(spec, 'bash'));
    folder = runner.folder;
    options = { shellPath: spec.pythonPath, shellArgs: runner.args, env: pythonEnv(spec, env).full() };
  }
  const shown = spec.bashCommand !== null ? masker.mask(spec.bashCommand) : 'the command the DAG file computes';
  const terminal = vscode.window.createTerminal({
    ...options,
    name: `VORTEX: ${spec.taskId}`,
    cwd: spec.cwd,
    // Its environment holds secrets: the terminal is not restored (with them) when the window reloads.
    isTransient: true,
    message: `VORTEX runs task "${spec.taskId}" of DAG "${spec.dagId}" in ${spec.cwd}: ${shown}\r\n` +
      'Secrets are masked in this line only; the output below is the command\'s own, unmasked.\r\n',
  });
  if (folder !== null) {
    const payloadFolder = folder;
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      closed.dispose();
      void rm(payloadFolder, { recursive: true, force: true });
    });
  }
  terminal.show();
  return { outcome: 'started', terminal };
}
