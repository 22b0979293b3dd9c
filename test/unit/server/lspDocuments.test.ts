import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LspClient, ROOT } from '../../support/lspClient';

const SEED_TEXT = readFileSync(path.join(ROOT, 'test/fixtures/seed_example.py'), 'utf8');
let seeds = 0;
/** The seed DAG under a dag_id of its own: open documents sharing one would be VX102 to each other. */
function seed(): string {
  return SEED_TEXT.replace('example_vortex_dag', `seed_${++seeds}`);
}

function lineOf(text: string, needle: string): { line: number; character: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `"${needle}" not in the text`);
  const before = text.slice(0, index);
  return { line: before.split('\n').length - 1, character: index - (before.lastIndexOf('\n') + 1) };
}

describe('LSP over stdio: documents and diagnostics', () => {
  let client: LspClient;

  before(async () => {
    ({ client } = await LspClient.start());
  });
  after(async () => {
    await client.stop();
  });

  it('declares incremental sync, and wants to hear of saves (runtime resolution executes the saved file)', async () => {
    const { client: other, result } = await LspClient.start();
    await other.stop();
    assert.deepEqual(result.capabilities.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
  });

  it('publishes no diagnostics for a clean DAG file, with its version', async () => {
    const uri = 'file:///tmp/vx/clean.py';
    await client.open(uri, seed(), 3);
    const published = await client.waitForDiagnostics(uri);
    assert.equal(published.version, 3);
    assert.deepEqual(published.diagnostics, []);
  });

  it('reports an invalid schedule after an incremental change, with source, code and a link to its docs', async () => {
    const uri = 'file:///tmp/vx/change.py';
    const text = seed();
    await client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1);
    const at = lineOf(text, '0 12 * * *');
    await client.change(uri, 2, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '99' }]);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 2);
    assert.equal(published.diagnostics.length, 1);
    const [d] = published.diagnostics;
    assert.equal(d.code, 'VX103');
    assert.equal(d.source, 'vortex');
    assert.match(d.codeDescription?.href ?? '', /^file:.*docs\/diagnostics\.md#vx103$/);
    assert.equal(d.range.start.line, at.line);
    // Undo the edit: the tree is edited again and the diagnostic goes away.
    await client.change(uri, 3, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: '0' }]);
    assert.deepEqual((await client.waitForDiagnostics(uri, (p) => p.version === 3)).diagnostics, []);
  });

  it('clears diagnostics on close', async () => {
    const uri = 'file:///tmp/vx/close.py';
    await client.open(uri, seed().replace('0 12 * * *', '@daly'), 1);
    assert.equal((await client.waitForDiagnostics(uri, (p) => p.version === 1)).diagnostics.length, 1);
    await client.close(uri);
    const cleared = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    assert.equal(cleared.version, undefined);
  });

  it('gives nothing to Python files that are not DAG files', async () => {
    const uri = 'file:///tmp/vx/plain.py';
    await client.open(uri, 'import os\nprint(os.getcwd(\n', 1);
    assert.deepEqual((await client.waitForDiagnostics(uri)).diagnostics, []);
  });

  it('a burst of 50 rapid changes ends in the diagnostics of the last version only', async () => {
    const uri = 'file:///tmp/vx/burst.py';
    const text = seed();
    await client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1);
    const since = client.published.length;
    const at = lineOf(text, '0 12 * * *');
    // Each change retypes the minute field; odd versions leave an invalid value, the last a valid one.
    let version = 1;
    for (let i = 0; i < 50; i++) {
      version++;
      const text = i === 49 ? '5' : i % 2 === 0 ? '99' : '7';
      await client.change(uri, version, [{ range: { start: at, end: { line: at.line, character: at.character + (i === 0 ? 1 : i % 2 === 1 ? 2 : 1) } }, text }]);
    }
    const last = await client.waitForDiagnostics(uri, (p) => p.version === version, 10000, since);
    assert.deepEqual(last.diagnostics, []);
    // Anything for the document after the last version's publish would be stale work.
    const sentinel = 'file:///tmp/vx/sentinel.py';
    await client.open(sentinel, seed(), 1);
    await client.waitForDiagnostics(sentinel);
    const after = client.published.slice(client.published.indexOf(last) + 1).filter((p) => p.uri === uri);
    assert.deepEqual(after, []);
    assert.ok(client.published.slice(since).filter((p) => p.uri === uri).every((p) => (p.version ?? 0) <= version));
  });
});
