import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionRequest, CodeLensRequest, CompletionRequest, DefinitionRequest, DidChangeWatchedFilesNotification, DocumentSymbolRequest, HoverRequest,
  ReferencesRequest, WorkspaceSymbolRequest,
} from 'vscode-languageserver-protocol/node';
import type { CodeAction, CompletionItem, DocumentSymbol, Hover, Location, MarkupContent, TextEdit } from 'vscode-languageserver-protocol/node';
import { DagModelRequest, DagSummaryRequest } from '../../../core/protocol';
import { LspClient, ROOT } from '../../support/lspClient';

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

  it('routes each feature request to its feature class (what each answers is checked on the fixtures, featureFixtures.test.ts)', async () => {
    const textDocument = { uri: uri('seed.py') };
    const send = client.connection.sendRequest.bind(client.connection);
    assert.match(hoverText(await send(HoverRequest.type, { textDocument, position: at(SEED, 'BashOperator(', 2) })), /\*\*BashOperator\*\*/);
    const symbols = (await send(DocumentSymbolRequest.type, { textDocument })) as DocumentSymbol[];
    assert.deepEqual(symbols.map((s) => [s.name, s.children?.length]), [['example_vortex_dag', 4]]);
    const completion = (await send(CompletionRequest.type, { textDocument, position: at(SEED, 'start >> ', 9) })) as CompletionItem[];
    assert.ok(completion.some((i) => i.label === 'end'));
    const dependency = at(SEED, 'run_script, process_data]');
    const references = (await send(ReferencesRequest.type, { textDocument, position: at(SEED, '"run_script"', 2), context: { includeDeclaration: true } })) as Location[];
    assert.deepEqual(references.map((r) => r.range.start), [at(SEED, '"run_script"'), dependency]);
    const definition = (await send(DefinitionRequest.type, { textDocument, position: dependency })) as Location;
    assert.deepEqual(definition.range.start, at(SEED, 'BashOperator('));
    const lenses = (await send(CodeLensRequest.type, { textDocument })) ?? [];
    assert.deepEqual(lenses.map((l) => l.command?.title), ['4 tasks', 'Show graph']);
  });

  // The fixtures check each quick fix's edit; this one goes the whole way: the fix's data through JSON, the edit re-sent.
  it('a quick fix mends VX203: applied and re-sent, the diagnostic is gone', async () => {
    const name = 'fix_VX203.py';
    const text = SEED.replace(',\n        bash_command="echo \'Hello from VORTEX!\'"', '').replace('example_vortex_dag', 'fix_VX203');
    await client.open(uri(name), text, 1);
    const published = await client.waitForDiagnostics(uri(name), (p) => p.version === 1);
    const diagnostic = published.diagnostics.find((d) => d.code === 'VX203');
    assert.ok(diagnostic, `no VX203 in ${JSON.stringify(published.diagnostics)}`);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: uri(name) }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
    })) as CodeAction[];
    assert.equal(actions.length, 1);
    const edits: TextEdit[] = actions[0].edit?.changes?.[uri(name)] ?? [];
    const fixed = TextDocument.applyEdits(TextDocument.create(uri(name), 'python', 1, text), edits);
    await client.change(uri(name), 2, [{ text: fixed }]);
    const after = await client.waitForDiagnostics(uri(name), (p) => p.version === 2);
    assert.deepEqual(after.diagnostics.filter((d) => d.code === 'VX203'), []);
    await client.close(uri(name));
  });

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

  it('answers the status bar summary and the graph model requests', async () => {
    assert.deepEqual(await client.connection.sendRequest(DagSummaryRequest.type, { uri: uri('seed.py') }), { dags: 1, tasks: 4 });
    const model = await client.connection.sendRequest(DagModelRequest.type, { uri: uri('seed.py') });
    assert.equal(model?.dags[0].tasks.length, 4);
    assert.equal(model?.dags[0].edges.length, 4);
    assert.equal(await client.connection.sendRequest(DagSummaryRequest.type, { uri: uri('nothing.py') }), null);
  });
});
