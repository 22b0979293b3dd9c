/**
 * Run lenses and the run model through a real LSP connection: served only once
 * the client says the workspace is trusted, with command ids from the shared
 * map and the arguments the client's run commands read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeLensRequest } from 'vscode-languageserver-protocol/node';
import type { CodeLens } from 'vscode-languageserver-protocol/node';
import { Commands } from '../../../core/commands';
import { initialTrust } from '../../../server/src/workspaceTrust';
import { RunModelRequest, WorkspaceTrustNotification } from '../../../core/protocol';
import { LspClient, ROOT } from '../../support/lspClient';

const EXAMPLE = readFileSync(path.join(ROOT, 'examples/example_vortex_dag.py'), 'utf8');
const RUN_COMMANDS: string[] = [Commands.runDag, Commands.runTask];

function runLenses(lenses: CodeLens[] | null): CodeLens[] {
  return (lenses ?? []).filter((l) => l.command && RUN_COMMANDS.includes(l.command.command));
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('run lenses and the run model (LSP)', () => {
  let folder: string;
  const clients: LspClient[] = [];

  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'vortex-runlens-'));
    writeFileSync(path.join(folder, 'example_vortex_dag.py'), EXAMPLE);
  });
  after(async () => {
    for (const c of clients) await c.stop();
  });

  async function start(initializationOptions?: unknown): Promise<{ client: LspClient; uri: string }> {
    const { client } = await LspClient.start(folder, initializationOptions);
    clients.push(client);
    const uri = pathToFileURL(path.join(folder, 'example_vortex_dag.py')).href;
    await client.open(uri, EXAMPLE);
    await client.waitForDiagnostics(uri);
    return { client, uri };
  }

  it('reads trust from initializationOptions, and only a literal true counts', () => {
    assert.equal(initialTrust({ workspaceTrusted: true }), true);
    assert.equal(initialTrust({ workspaceTrusted: 'yes' }), false);
    assert.equal(initialTrust(undefined), false);
    assert.equal(initialTrust(null), false);
  });

  it('serves no run lenses before the client says the workspace is trusted, then asks for a refresh and serves them', async () => {
    const { client, uri } = await start({ workspaceTrusted: false });
    const before = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    assert.deepEqual(runLenses(before), []);
    assert.ok((before ?? []).some((l) => l.command?.title === '4 tasks'), 'the informational lens stays');

    await client.connection.sendNotification(WorkspaceTrustNotification.type, { trusted: true });
    await waitUntil('a codeLens refresh', async () => (client.codeLensRefreshes > 0 ? true : undefined));
    const after = runLenses(await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }));
    assert.deepEqual(
      after.map((l) => [l.command?.title, l.command?.command, l.command?.arguments]),
      [
        ['▶ Run DAG', Commands.runDag, [uri, 'example_vortex_dag']],
        ['▶ Run task', Commands.runTask, [uri, 'example_vortex_dag', 'start']],
        ['▶ Run task', Commands.runTask, [uri, 'example_vortex_dag', 'run_script']],
        ['▶ Run task', Commands.runTask, [uri, 'example_vortex_dag', 'process_data']],
        ['▶ Run task', Commands.runTask, [uri, 'example_vortex_dag', 'end']],
      ],
    );
    // Each task's lens sits on the line of its operator call.
    const lines = EXAMPLE.split('\n');
    assert.match(lines[after[2].range.start.line], /run_script = BashOperator\(/);
  });

  it('puts "Debug task" beside a task that calls Python and "Run in terminal" beside a Bash task, in a trusted workspace only', async () => {
    const sideCommands: string[] = [Commands.debugTask, Commands.runTaskInTerminal];
    const side = (lenses: CodeLens[] | null) => (lenses ?? []).filter((l) => l.command && sideCommands.includes(l.command.command));
    const untrusted = await start({ workspaceTrusted: false });
    assert.deepEqual(side(await untrusted.client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: untrusted.uri } })), []);
    const { client, uri } = await start({ workspaceTrusted: true });
    const lenses = side(await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }));
    assert.deepEqual(
      lenses.map((l) => [EXAMPLE.split('\n')[l.range.start.line].trim(), l.command?.title, l.command?.command, l.command?.arguments]),
      [
        ['run_script = BashOperator(', 'Run in terminal', Commands.runTaskInTerminal, [uri, 'example_vortex_dag', 'run_script']],
        ['process_data = PythonOperator(', 'Debug task', Commands.debugTask, [uri, 'example_vortex_dag', 'process_data']],
      ],
    );
  });

  it('serves run lenses at once to a client that starts trusted', async () => {
    const { client, uri } = await start({ workspaceTrusted: true });
    const lenses = runLenses(await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }));
    assert.equal(lenses.length, 5);
  });

  it('answers vortex/runModel with every TaskModel field the executor needs, and null for unknown documents', async () => {
    const { client, uri } = await start();
    const model = await client.connection.sendRequest(RunModelRequest.type, { uri });
    assert.ok(model);
    assert.equal(model.version, 1);
    const [dag] = model.analysis.dags;
    assert.equal(dag.dagId, 'example_vortex_dag');
    const tasks = dag.taskIndices.map((i) => model.analysis.tasks[i]);
    const script = tasks.find((t) => t.taskId === 'run_script');
    assert.equal(script?.bashCommand, "echo 'Hello from VORTEX!'");
    assert.equal(tasks.find((t) => t.taskId === 'process_data')?.pythonCallable, 'my_python_logic');
    assert.deepEqual(tasks.find((t) => t.taskId === 'end')?.upstream, ['run_script', 'process_data']);
    assert.equal(await client.connection.sendRequest(RunModelRequest.type, { uri: `${uri}.missing.py` }), null);
  });
});
