import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionRequest, CompletionRequest, DefinitionRequest, DidChangeWatchedFilesNotification, DocumentSymbolRequest, HoverRequest,
  ReferencesRequest, WorkspaceSymbolRequest,
} from 'vscode-languageserver-protocol/node';
import type { CodeAction, CompletionItem, DocumentSymbol, Hover, Location, MarkupContent, TextEdit } from 'vscode-languageserver-protocol/node';
import { DagModelRequest, DagSummaryRequest } from '../../server/src/protocol';
import { LspClient, ROOT } from '../support/lspClient';

const SEED = readFileSync(path.join(ROOT, 'test/fixtures/seed_example.py'), 'utf8');

/** The position of the `nth` occurrence of `needle`, plus `shift` characters. */
function at(text: string, needle: string, shift = 0, nth = 0): { line: number; character: number } {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  assert.ok(index >= 0, `"${needle}" not in the text`);
  return TextDocument.create('x', 'python', 0, text).positionAt(index + shift);
}

function hoverText(hover: Hover | null): string {
  assert.ok(hover, 'no hover');
  return (hover.contents as MarkupContent).value;
}

describe('LSP over stdio: features', () => {
  let client: LspClient;
  let folder: string;
  const uri = (name: string) => pathToFileURL(path.join(folder, name)).href;

  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'vortex-lsp-'));
    writeFileSync(path.join(folder, 'seed.py'), SEED);
    writeFileSync(path.join(folder, 'other.py'), SEED.replace('"example_vortex_dag"', '"other_dag"'));
    ({ client } = await LspClient.start(folder));
    await client.open(uri('seed.py'), SEED);
    await client.waitForDiagnostics(uri('seed.py'));
  });
  after(async () => {
    await client.stop();
  });

  const hover = (name: string, position: { line: number; character: number }) =>
    client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uri(name) }, position });

  it('hovers an operator name with its summary, parameters and how VORTEX runs it', async () => {
    const text = hoverText(await hover('seed.py', at(SEED, 'BashOperator(', 2)));
    assert.match(text, /Runs a shell command/);
    assert.match(text, /`bash_command` \(required\)/);
    assert.match(text, /sh -c/);
  });

  it('hovers a cron string with its reading and the next five runs, local and UTC', async () => {
    const text = hoverText(await hover('seed.py', at(SEED, '0 12 * * *', 1)));
    assert.match(text, /At 12:00 PM/);
    assert.match(text, /\| UTC \|/);
    assert.equal(text.split('\n').filter((l) => /^\| \d{4}-\d\d-\d\d \d\d:\d\d \| \d{4}-/.test(l)).length, 5);
  });

  it('hovers a task variable and a task_id with operator, upstream and downstream', async () => {
    const byVariable = hoverText(await hover('seed.py', at(SEED, 'start >>', 1)));
    assert.match(byVariable, /`start`: DummyOperator/);
    assert.match(byVariable, /Downstream: `run_script`, `process_data`/);
    const byId = hoverText(await hover('seed.py', at(SEED, '"end"', 2)));
    assert.match(byId, /Upstream: `run_script`, `process_data`/);
  });

  it('hovers a dag_id with schedule, owner, tags, tasks, roots and leaves', async () => {
    const text = hoverText(await hover('seed.py', at(SEED, 'example_vortex_dag', 3)));
    assert.match(text, /At 12:00 PM/);
    assert.match(text, /Owner: vortex_team/);
    assert.match(text, /Tags: `example`, `python`/);
    assert.match(text, /Tasks: 4/);
    assert.match(text, /Roots: `start`/);
    assert.match(text, /Leaves: `end`/);
  });

  it('gives no hover for ordinary Python names', async () => {
    assert.equal(await hover('seed.py', at(SEED, 'datetime', 2, 1)), null);
    assert.equal(await hover('seed.py', at(SEED, 'print', 1)), null);
  });

  it('outlines each DAG with its tasks and their operators', async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: uri('seed.py') } })) as DocumentSymbol[];
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0].name, 'example_vortex_dag');
    assert.deepEqual(symbols[0].children?.map((c) => [c.name, c.detail]), [
      ['start', 'DummyOperator'], ['run_script', 'BashOperator'], ['process_data', 'PythonOperator'], ['end', 'DummyOperator'],
    ]);
  });

  it('completes operator keyword arguments with docs, and not those already given', async () => {
    const text = SEED.replace('end = DummyOperator(task_id="end")', 'end = BashOperator(task_id="end", )');
    const name = 'completion.py';
    await client.open(uri(name), text.replace('example_vortex_dag', 'completion_dag'));
    const items = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri(name) }, position: at(text, 'task_id="end", ', 15) })) as CompletionItem[];
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('bash_command='));
    assert.ok(!labels.includes('task_id='));
    assert.match((items.find((i) => i.label === 'bash_command=')?.documentation as MarkupContent).value, /sh -c/);
    await client.close(uri(name));
  });

  it('completes presets and cron patterns in a schedule string, and task variables after >>', async () => {
    const schedule = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri('seed.py') }, position: at(SEED, '0 12 * * *') })) as CompletionItem[];
    assert.ok(schedule.some((i) => i.label === '@daily'));
    assert.ok(schedule.some((i) => i.label === '*/15 * * * *'));
    const tasks = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri('seed.py') }, position: at(SEED, 'start >> ', 9) })) as CompletionItem[];
    assert.deepEqual(tasks.map((i) => i.label).sort(), ['end', 'process_data', 'run_script', 'start']);
    const plain = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri('seed.py') }, position: at(SEED, 'print(', 6) })) as CompletionItem[];
    assert.deepEqual(plain, []);
  });

  for (const [label, broken, code] of [
    ['VX103 preset', SEED.replace('"0 12 * * *"', '"@daly"'), 'VX103'],
    ['VX105 keyword', SEED.replace('owner="vortex_team"', 'ownr="vortex_team"'), 'VX105'],
    ['VX201 task_id', SEED.replace('task_id="end"', 'task_id="start"'), 'VX201'],
    ['VX203 argument', SEED.replace(',\n        bash_command="echo \'Hello from VORTEX!\'"', ''), 'VX203'],
  ] as const) {
    it(`a quick fix mends ${label}: applied and re-sent, the diagnostic is gone`, async () => {
      const name = `fix_${code}.py`;
      const text = broken.replace('example_vortex_dag', `fix_${code}`);
      await client.open(uri(name), text, 1);
      const published = await client.waitForDiagnostics(uri(name), (p) => p.version === 1);
      const diagnostic = published.diagnostics.find((d) => d.code === code);
      assert.ok(diagnostic, `no ${code} in ${JSON.stringify(published.diagnostics)}`);
      const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: uri(name) }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
      })) as CodeAction[];
      assert.equal(actions.length, 1);
      const edits: TextEdit[] = actions[0].edit?.changes?.[uri(name)] ?? [];
      const fixed = TextDocument.applyEdits(TextDocument.create(uri(name), 'python', 1, text), edits);
      await client.change(uri(name), 2, [{ text: fixed }]);
      const after = await client.waitForDiagnostics(uri(name), (p) => p.version === 2);
      assert.deepEqual(after.diagnostics.filter((d) => d.code === code), []);
      await client.close(uri(name));
    });
  }

  it('finds DAGs and tasks across the workspace by id, files on disk included', async () => {
    const deadline = Date.now() + 10000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      const symbols = await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'dag' });
      names = (symbols ?? []).map((s) => s.name);
      if (names.includes('other_dag')) break;
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(names.includes('other_dag') && names.includes('example_vortex_dag'), names.join(', '));
  });

  it('reports VX102 for a dag_id another workspace file defines, and updates when files change on disk', async () => {
    const name = 'clash.py';
    writeFileSync(path.join(folder, name), SEED.replace('"example_vortex_dag"', '"clash_dag"'));
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(name), type: 1 }] });
    const text = SEED.replace('"example_vortex_dag"', '"clash_dag"').replace('"start"', '"begin"');
    await client.open(uri('mine.py'), text, 1);
    const published = await client.waitForDiagnostics(uri('mine.py'), (p) => p.diagnostics.some((d) => d.code === 'VX102'));
    assert.match(String(published.diagnostics[0].message), /clash\.py/);
    writeFileSync(path.join(folder, name), SEED.replace('"example_vortex_dag"', '"renamed_dag"'));
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(name), type: 2 }] });
    await client.waitForDiagnostics(uri('mine.py'), (p) => p.diagnostics.length === 0, 10000, client.published.indexOf(published) + 1);
  });

  it('finds the uses of a task from its task_id, and its definition from a dependency', async () => {
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: uri('seed.py') }, position: at(SEED, '"run_script"', 2), context: { includeDeclaration: true },
    })) as Location[];
    const dependency = at(SEED, 'run_script, process_data]');
    assert.deepEqual(refs.map((r) => r.range.start), [at(SEED, '"run_script"'), dependency]);
    const definition = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri('seed.py') }, position: dependency })) as Location;
    assert.deepEqual(definition.range.start, at(SEED, 'BashOperator('));
    assert.equal(await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri('seed.py') }, position: at(SEED, 'my_python_logic', 1, 1) }), null);
  });

  it('answers the status bar summary and the graph model requests', async () => {
    assert.deepEqual(await client.connection.sendRequest(DagSummaryRequest.type, { uri: uri('seed.py') }), { dags: 1, tasks: 4 });
    const model = await client.connection.sendRequest(DagModelRequest.type, { uri: uri('seed.py') });
    assert.equal(model?.dags[0].tasks.length, 4);
    assert.equal(model?.dags[0].edges.length, 4);
    assert.equal(await client.connection.sendRequest(DagSummaryRequest.type, { uri: uri('nothing.py') }), null);
  });
});
