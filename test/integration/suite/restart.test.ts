import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../core/commands';
import { cleanUp, codeOf, openFile, positionOf, recordMetric, vortexApi, vortexDiagnostics, waitFor, waitForDiagnostics, waitForHover, waitForSymbols } from '../support/helpers';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('server restarts', () => {
  after(cleanUp);

  it('comes back by itself after the server process is killed', async () => {
    const api = await vortexApi();
    await api.ensureServerStarted();
    const { document } = await openFile('examples/example_vortex_dag.py');
    const schedule = positionOf(document, '"0 12 * * *"', 3);
    await waitForHover(document.uri, schedule);
    const before = await waitFor('the server process id', () => api.serverPid());

    process.kill(before, 'SIGKILL');
    await waitFor('the killed server to be gone', () => (alive(before) ? undefined : true));
    const after = await waitFor('a new server process', () => {
      const pid = api.serverPid();
      return pid !== undefined && pid !== before ? pid : undefined;
    });
    assert.ok(alive(after));
    // The new server has the open documents again and answers for them.
    await waitForHover(document.uri, schedule, (text) => /12:00/.test(text));
  });

  it('restarts on the "Restart Language Server" command, and diagnostics come back', async () => {
    const api = await vortexApi();
    const seed = await openFile('examples/example_vortex_dag.py');
    const { document } = await openFile('dags/broken_pipeline.py');
    await waitForDiagnostics(document.uri, 'VX103', (ds) => ds.some((d) => codeOf(d) === 'VX103'));
    const before = await waitFor('the server process id', () => api.serverPid());

    // A restart is a cold start of the server, like activation: the new process
    // loads the parser and analyses the open documents from nothing.
    const started = Date.now();
    await vscode.commands.executeCommand(Commands.restartServer);
    const after = api.serverPid();
    assert.ok(after !== undefined && after !== before, `pid ${before} → ${after}`);
    await waitForDiagnostics(document.uri, 'VX103 again', (ds) => ds.some((d) => codeOf(d) === 'VX103'));
    recordMetric('server (re)start → first diagnostics (broken_pipeline.py)', Date.now() - started);
    await waitForSymbols(seed.document.uri);
    recordMetric('server (re)start → seed example analysed', Date.now() - started);
    assert.ok(vortexDiagnostics(document.uri).length >= 2);
  });
});
