/**
 * Runtime resolution through a real LSP connection: `dist/server.js --stdio`
 * as a process, which executes the DAG files with the real python3 and the
 * bundled SDK. Static diagnostics come first and never wait; the runtime's
 * view follows (diagnostics without VX404, every dynamic task in the graph's
 * model, the run model, the outline and the lenses), only in a trusted
 * workspace and only when `vortex.analysis.mode` asks for it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeLensRequest, DidChangeConfigurationNotification, DocumentSymbolRequest } from 'vscode-languageserver-protocol/node';
import type { CodeLens, DocumentSymbol, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { Commands } from '../../../core/commands';
import { DagModelRequest, DagSummaryRequest, RunModelRequest, WorkspaceTrustNotification } from '../../../core/protocol';
import { LspClient, ROOT } from '../../support/lspClient';
import { PANDAS_DAG } from '../../support/missingModules';

const EXAMPLE = readFileSync(path.join(ROOT, 'examples/dynamic_regions.py'), 'utf8');
const ALL_TASKS = [
  'export_csv', 'export_json', 'extract_amer', 'extract_apac', 'extract_emea', 'merge', 'start', 'summarise_amer', 'summarise_apac', 'summarise_emea',
];
const TRUSTED = { workspaceTrusted: true };

/** A loop-built DAG that raises on a known line (`RAISE_LINE`, 0-based) after building its tasks. */
const RAISES = [
  'from vortex import DAG',
  'from vortex.operators.bash import BashOperator',
  '',
  'with DAG(dag_id="raises_at_runtime", schedule_interval="@daily") as dag:',
  '    for name in ["a", "b"]:',
  '        BashOperator(task_id=f"step_{name}", bash_command="echo step")',
  '    raise ValueError("the source system is not reachable")',
  '',
].join('\n');
const RAISE_LINE = 6;

/** A loop-built DAG whose import takes `seconds`: long enough to edit, save or time out while it runs. */
function slow(dagId: string, seconds: number): string {
  return [
    'import time',
    'from vortex import DAG',
    'from vortex.operators.bash import BashOperator',
    '',
    `time.sleep(${seconds})`,
    '',
    `with DAG(dag_id="${dagId}", schedule_interval="@daily") as dag:`,
    '    for name in ["a", "b", "c"]:',
    '        BashOperator(task_id=f"slow_{name}", bash_command="echo slow")',
    '',
  ].join('\n');
}

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));

describe('LSP over stdio: runtime resolution', function () {
  // Each test starts a server and a Python process; a loaded 2-core machine needs the room.
  this.timeout(60_000);
  let folder: string;
  const clients: LspClient[] = [];
  let files = 0;

  /** Writes `text` as a new file of the workspace (a dag_id of its own, so open files never clash: VX102). */
  function file(text: string, dagId = 'dynamic_regions'): { uri: string; filePath: string; text: string } {
    const name = `dag_${++files}.py`;
    const own = text.replace(`"${dagId}"`, `"${dagId}_${files}"`);
    const filePath = path.join(folder, name);
    writeFileSync(filePath, own);
    return { uri: pathToFileURL(filePath).href, filePath, text: own };
  }

  async function start(initializationOptions: unknown, settings: unknown = {}): Promise<LspClient> {
    const { client } = await LspClient.start(folder, initializationOptions);
    client.settings = settings;
    clients.push(client);
    return client;
  }

  const resolvedFor = (client: LspClient, uri: string, since = 0) =>
    client.waitUntil(`vortex/runtimeResolved for ${path.basename(uri)}`, () => client.runtimeResolved.slice(since).find((r) => r.uri === uri));

  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'vortex-runtime-'));
  });
  after(async () => {
    for (const c of clients) await c.stop();
  });

  it('trusted, auto: static diagnostics (VX404) first, then the runtime view with every dynamic task and no VX404', async () => {
    const client = await start(TRUSTED);
    const { uri } = file(EXAMPLE);
    const opened = Date.now();
    await client.open(uri, readFileSync(new URL(uri), 'utf8'));

    const first = await client.waitForDiagnostics(uri, () => true, 20_000, 0);
    assert.deepEqual(codes(first), ['VX404', 'VX404', 'VX404'], 'the static diagnostics come first');
    const staticModel = await client.connection.sendRequest(DagModelRequest.type, { uri });
    const resolved = await resolvedFor(client, uri);
    assert.equal(resolved.status, 'resolved');
    assert.deepEqual([resolved.dags, resolved.tasks], [1, 10]);
    const after = await client.waitForDiagnostics(uri, (p) => !codes(p).includes('VX404'), 20_000, 0);
    assert.deepEqual(after.diagnostics, []);
    assert.ok(client.published.indexOf(first) < client.published.indexOf(after));
    // Before the runtime answered, the graph had what the source shows (unless Python was very quick).
    if (staticModel && client.runtimeResolved.length === 0) assert.equal(staticModel.dags[0].tasks.length, 2);

    const model = await client.connection.sendRequest(DagModelRequest.type, { uri });
    assert.ok(model);
    assert.deepEqual(model.dags[0].tasks.map((t) => t.taskId).sort(), ALL_TASKS);
    assert.equal(model.dags[0].edges.length, 11);
    const summarise = model.dags[0].tasks.find((t) => t.taskId === 'summarise_emea');
    assert.equal(summarise?.kind, 'python');
    assert.equal(summarise?.line, EXAMPLE.split('\n').findIndex((l) => l.includes('summary = PythonOperator(')));

    const run = await client.connection.sendRequest(RunModelRequest.type, { uri });
    assert.ok(run);
    assert.equal(run.analysis.tasks.length, 10);
    const exportCsv = run.analysis.tasks.find((t) => t.taskId === 'export_csv');
    assert.equal(exportCsv?.kind, 'bash');
    assert.equal(exportCsv?.bashCommand, "echo 'exporting the report as csv (text/csv)'");
    assert.deepEqual(exportCsv?.upstream, ['merge']);
    assert.deepEqual(run.analysis.diagnostics, []);

    assert.deepEqual(await client.connection.sendRequest(DagSummaryRequest.type, { uri }), { dags: 1, tasks: 10 });
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    assert.deepEqual(symbols[0].children?.map((c) => c.name).sort(), ALL_TASKS);

    // A run lens per task, the dynamic ones on the line that made them, named since they share it.
    assert.ok(client.codeLensRefreshes > 0, 'the lenses were refreshed when the outcome arrived');
    const lenses = ((await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? []) as CodeLens[];
    const taskLenses = lenses.filter((l) => l.command?.command === Commands.runTask);
    assert.equal(taskLenses.length, 10);
    const helperLine = EXAMPLE.split('\n').findIndex((l) => l.includes('return BashOperator('));
    const onHelper = taskLenses.filter((l) => l.range.start.line === helperLine);
    assert.deepEqual(onHelper.map((l) => [l.command?.title, l.command?.arguments?.[2]]), [['▶ Run export_csv', 'export_csv'], ['▶ Run export_json', 'export_json']]);
    assert.ok(lenses.some((l) => l.command?.title === '10 tasks'));

    // Progress was shown while it ran, and ended.
    const begin = client.progress.find((p) => p.kind === 'begin');
    assert.ok(begin && begin.kind === 'begin');
    assert.equal(begin.title, 'VORTEX');
    assert.match(begin.message ?? '', /^resolving dag_\d+\.py$/);
    await client.waitUntil('the progress to end', () => (client.progress.some((p) => p.kind === 'end') ? true : undefined));
    // And the server's log says which file, how it ended and how long it took.
    assert.ok(client.logs.some((l) => l.includes(path.basename(new URL(uri).pathname)) && / resolved in \d+ ms/.test(l)), client.logs.join('\n'));
    assert.ok(Date.now() - opened < 20_000);
  });

  it('an exception on a known line arrives as VX501 on that line; the static model and VX404 stand', async () => {
    const client = await start(TRUSTED);
    const { uri, text } = file(RAISES, 'raises_at_runtime');
    await client.open(uri, text);
    const resolved = await resolvedFor(client, uri);
    assert.equal(resolved.status, 'failed');
    const published = await client.waitForDiagnostics(uri, (p) => codes(p).includes('VX501'), 20_000, 0);
    const vx501 = published.diagnostics.find((d) => d.code === 'VX501');
    assert.ok(vx501);
    assert.equal(vx501.range.start.line, RAISE_LINE);
    assert.equal(vx501.severity, 1, 'an error');
    assert.match(typeof vx501.message === 'string' ? vx501.message : vx501.message.value, /the source system is not reachable/);
    assert.ok(codes(published).includes('VX404'), 'still not resolved: the loop stays unseen');
    const model = await client.connection.sendRequest(DagModelRequest.type, { uri });
    assert.equal(model?.dags[0].tasks.length, 0);
  });

  it('a save resolves the file again: a region added on disk appears', async () => {
    const client = await start(TRUSTED);
    const { uri, filePath, text } = file(EXAMPLE);
    await client.open(uri, text);
    assert.equal((await resolvedFor(client, uri)).tasks, 10);
    const since = client.runtimeResolved.length;

    const edited = text.replace('REGIONS = ["emea", "amer", "apac"]', 'REGIONS = ["emea", "amer", "apac", "latam"]');
    assert.notEqual(edited, text);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('REGIONS = '));
    await client.change(uri, 2, [{ range: { start: { line, character: 0 }, end: { line, character: lines[line].length } }, text: edited.split('\n')[line] }]);
    writeFileSync(filePath, edited);
    await client.save(uri);
    const again = await resolvedFor(client, uri, since);
    assert.equal(again.status, 'resolved');
    assert.equal(again.tasks, 12);
    const model = await client.connection.sendRequest(DagModelRequest.type, { uri });
    assert.ok(model?.dags[0].tasks.some((t) => t.taskId === 'summarise_latam'));
  });

  it('static diagnostics never wait for a running resolution; a newer resolution (a save) supersedes the older', async () => {
    const client = await start(TRUSTED);
    const { uri, text } = file(slow('slow_dag', 3), 'slow_dag');
    const opened = Date.now();
    await client.open(uri, text);
    const first = await client.waitForDiagnostics(uri, () => true, 20_000, 0);
    assert.ok(codes(first).includes('VX404'));
    assert.ok(Date.now() - opened < 2_000, `static diagnostics took ${Date.now() - opened} ms while the file sleeps 3 s`);
    // An edit while it runs is answered at once too.
    const edited = Date.now();
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
    await client.waitForDiagnostics(uri, (p) => p.version === 2);
    assert.ok(Date.now() - edited < 2_000);
    assert.equal(client.runtimeResolved.length, 0, 'still resolving');
    await client.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    await client.save(uri);
    const resolved = await resolvedFor(client, uri);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.tasks, 3);
    await client.waitUntil('the superseded resolution in the log', () => (client.logs.some((l) => / superseded /.test(l)) ? true : undefined));
    assert.equal(client.runtimeResolved.filter((r) => r.uri === uri).length, 1, 'only the newer resolution is reported');
  });

  it('a resolution past vortex.analysis.runtimeTimeoutSeconds is stopped: timedOut, the static model stands', async () => {
    const client = await start(TRUSTED, { analysis: { runtimeTimeoutSeconds: 1 } });
    const { uri, text } = file(slow('sleepy_dag', 30), 'sleepy_dag');
    const opened = Date.now();
    await client.open(uri, text);
    const resolved = await resolvedFor(client, uri);
    assert.equal(resolved.status, 'timedOut');
    assert.ok(Date.now() - opened < 15_000, 'stopped long before the file would have finished');
    const model = await client.connection.sendRequest(DagModelRequest.type, { uri });
    assert.equal(model?.dags[0].tasks.length, 0);
  });

  it('mode "static" never resolves; switching it to "auto" resolves the open file', async () => {
    const client = await start(TRUSTED, { analysis: { mode: 'static' } });
    const { uri, text } = file(EXAMPLE);
    await client.open(uri, text);
    await client.waitForDiagnostics(uri, (p) => codes(p).includes('VX404'), 20_000, 0);
    await client.save(uri);
    // As long as a whole resolution takes on this machine, and then some.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.deepEqual(client.runtimeResolved, []);
    assert.deepEqual(client.progress, []);
    assert.equal((await client.connection.sendRequest(DagModelRequest.type, { uri }))?.dags[0].tasks.length, 2);

    client.settings = { analysis: { mode: 'auto' } };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
    assert.equal((await resolvedFor(client, uri)).tasks, 10);
    await client.waitForDiagnostics(uri, (p) => !codes(p).includes('VX404'), 20_000, 0);

    // And back: the runtime view is dropped, VX404 is back.
    client.settings = { analysis: { mode: 'static' } };
    const since = client.published.length;
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
    await client.waitForDiagnostics(uri, (p) => codes(p).includes('VX404'), 20_000, since);
    assert.equal((await client.connection.sendRequest(DagModelRequest.type, { uri }))?.dags[0].tasks.length, 2);
  });

  it('mode "runtime" resolves a DAG file without dynamic constructs too; "auto" does not', async () => {
    const seed = readFileSync(path.join(ROOT, 'examples/example_vortex_dag.py'), 'utf8');
    const client = await start(TRUSTED, { analysis: { mode: 'runtime' } });
    const { uri, text } = file(seed, 'example_vortex_dag');
    await client.open(uri, text);
    const resolved = await resolvedFor(client, uri);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.tasks, 4);
  });

  it('a module the file imports that is not installed (pandas, used only in a task) is information, never an error', async function () {
    if (spawnSync('python3', ['-c', 'import pandas']).status === 0) this.skip();
    const client = await start(TRUSTED, { analysis: { mode: 'runtime' } });
    const { uri, text } = file(PANDAS_DAG, 'pandas_report');
    await client.open(uri, text);
    const resolved = await resolvedFor(client, uri);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.tasks, 3);
    const published = await client.waitForDiagnostics(uri, (p) => codes(p).includes('VX508'), 20_000, 0);
    assert.deepEqual(
      published.diagnostics.filter((d) => d.severity === 1),
      [],
      'no error',
    );
    const [vx508] = published.diagnostics;
    assert.deepEqual([codes(published), vx508.severity, vx508.range.start.line], [['VX508'], 3, 0]);
    assert.match(typeof vx508.message === 'string' ? vx508.message : vx508.message.value, /^pandas is not installed in .* -m pip install pandas/);
    const model = await client.connection.sendRequest(DagModelRequest.type, { uri });
    assert.deepEqual(model?.dags[0].tasks.map((t) => t.taskId), ['summarise', 'count', 'notify']);
  });

  it('an untrusted workspace never resolves, until trust is granted', async () => {
    const client = await start({ workspaceTrusted: false });
    const { uri, text } = file(EXAMPLE);
    await client.open(uri, text);
    await client.waitForDiagnostics(uri, (p) => codes(p).includes('VX404'), 20_000, 0);
    await client.save(uri);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.deepEqual(client.runtimeResolved, []);
    assert.equal((await client.connection.sendRequest(DagModelRequest.type, { uri }))?.dags[0].tasks.length, 2);

    await client.connection.sendNotification(WorkspaceTrustNotification.type, { trusted: true });
    assert.equal((await resolvedFor(client, uri)).tasks, 10);
  });

  it('a client that says nothing about trust (another editor) never resolves', async () => {
    const client = await start(undefined);
    const { uri, text } = file(EXAMPLE);
    await client.open(uri, text);
    await client.waitForDiagnostics(uri, (p) => codes(p).includes('VX404'), 20_000, 0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(client.runtimeResolved, []);
  });

  it('closing the document drops its runtime view and clears its diagnostics', async () => {
    const client = await start(TRUSTED);
    const { uri, text } = file(EXAMPLE);
    await client.open(uri, text);
    await resolvedFor(client, uri);
    await client.close(uri);
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0 && p.version === undefined);
    assert.equal(await client.connection.sendRequest(DagModelRequest.type, { uri }), null);
    // Opened again: static first, then resolved anew.
    const since = client.runtimeResolved.length;
    await client.open(uri, text, 5);
    assert.deepEqual(codes(await client.waitForDiagnostics(uri, (p) => p.version === 5)), ['VX404', 'VX404', 'VX404']);
    assert.equal((await resolvedFor(client, uri, since)).tasks, 10);
  });

  it('asks the client which Python to use, and says so when it cannot start', async () => {
    const client = await start(TRUSTED);
    client.interpreter = path.join(folder, 'no-such-python');
    const { uri, text } = file(EXAMPLE);
    await client.open(uri, text);
    const resolved = await resolvedFor(client, uri);
    assert.equal(resolved.status, 'unavailable');
    assert.ok(client.logs.some((l) => l.includes('no-such-python')), client.logs.join('\n'));
    // The static view stands.
    assert.equal((await client.connection.sendRequest(DagModelRequest.type, { uri }))?.dags[0].tasks.length, 2);
  });
});
