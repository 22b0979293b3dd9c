import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse, analyseTree } from '../../../core/analysis/analyse';
import { createPythonParser, loadPython } from '../../../core/analysis/parser';
import type { Parser } from '../../../core/analysis/parser';
import { DocumentStore } from '../../../server/src/documents';
import { FIXTURES_DIR } from '../../support/fixtures';

const URI = 'file:///tmp/doc.py';
const SEED = readFileSync(path.join(FIXTURES_DIR, 'seed_example.py'), 'utf8');

describe('DocumentStore: incremental text and trees', () => {
  let parser: Parser;
  before(async () => {
    await loadPython();
    parser = await createPythonParser();
  });
  after(() => parser.delete());

  it('edits the tree with each change so the incremental result equals a fresh analysis', () => {
    const store = new DocumentStore(parser);
    store.open(URI, 'python', 1, SEED);
    assert.equal(store.analysis(URI, 1e9)?.tasks.length, 4);
    // Non-ASCII text before the edit: indices and columns are UTF-16 code units on both sides.
    const lines = SEED.split('\n');
    const schedule = lines.findIndex((l) => l.includes('0 12 * * *'));
    const column = lines[schedule].indexOf('0 12');
    store.change(URI, 2, [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# café ☕ 😀\n' },
      { range: { start: { line: schedule + 1, character: column }, end: { line: schedule + 1, character: column + 1 } }, text: '99' },
    ]);
    const text = store.get(URI)!.getText();
    const incremental = store.analysis(URI, 1e9)!;
    assert.deepEqual(incremental, analyse(text));
    assert.deepEqual(incremental.diagnostics.map((d) => d.code), ['VX103']);
    assert.equal(store.tree(URI)!.rootNode.text, text);
    store.dispose();
  });

  it('analyses once per version', () => {
    const store = new DocumentStore(parser);
    store.open(URI, 'python', 1, SEED);
    assert.equal(store.analysis(URI, 1e9), store.analysis(URI, 1e9));
    store.dispose();
  });

  it('parses no file that is not a DAG file', () => {
    const store = new DocumentStore(parser);
    store.open(URI, 'python', 1, 'print("hello")\n');
    assert.equal(store.tree(URI), null);
    assert.equal(store.analysis(URI, 1e9)?.isDagFile, false);
    store.dispose();
  });

  it('gives up a parse that runs past the time cap and reports one diagnostic instead', () => {
    const store = new DocumentStore(parser, { parseTimeoutMs: 50 });
    // tree-sitter-python's scanner is quadratic on runs of comment lines.
    store.open(URI, 'python', 1, `from airflow import DAG\n${'# a comment line\n'.repeat(3000)}dag = DAG("x")\n`);
    const started = performance.now();
    const analysis = store.analysis(URI, 1e9)!;
    assert.ok(performance.now() - started < 1000, 'the parse was not cut short');
    assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['VX002']);
    assert.match(analysis.diagnostics[0].message, /took longer than/);
    // The parser stays usable for the next document.
    store.open('file:///tmp/other.py', 'python', 1, SEED);
    assert.equal(store.analysis('file:///tmp/other.py', 1e9)?.tasks.length, 4);
    store.dispose();
  });

  it('stops re-parsing past syntax errors once the parse time cap is spent, and analyses what it has', () => {
    // An unclosed bracket swallows the DAG below it until the broken line is blanked and the text parsed again.
    const text = `from vortex import DAG\nbroken = (\nwith DAG(dag_id="after_the_error") as dag:\n    pass\n${'value = 1\n'.repeat(2000)}`;
    const tree = parser.parse(text)!;
    try {
      assert.deepEqual(analyseTree(tree, text).dags.map((d) => d.dagId), ['after_the_error']);
      // No time left: the repair's parse is cancelled at its first progress check.
      const spent = analyseTree(tree, text, { parseTimeoutMs: 0 });
      assert.deepEqual(spent.dags.map((d) => d.dagId), []);
      assert.deepEqual([...new Set(spent.diagnostics.map((d) => d.code))], ['VX001']);
    } finally {
      tree.delete();
    }
    // Without a parser given, the repairs parse with one of their own.
    assert.deepEqual(analyse(text).dags.map((d) => d.dagId), ['after_the_error']);
  });

  it('parses, and parses again past syntax errors, with the parser it was given', () => {
    const store = new DocumentStore(parser);
    let parses = 0;
    parser.setLogger((message) => {
      if (message === 'new_parse') parses++;
    });
    try {
      store.open(URI, 'python', 1, 'from vortex import DAG\nbroken = (\nwith DAG(dag_id="after_the_error") as dag:\n    pass\n');
      assert.deepEqual(store.analysis(URI, 1e9)?.dags.map((d) => d.dagId), ['after_the_error']);
      assert.equal(parses, 2, 'the document\'s parse and the repair both ran on the store\'s parser');
    } finally {
      parser.setLogger(null);
      store.dispose();
    }
  });

  it('reports one VX002 and no analysis over the size limit', () => {
    const store = new DocumentStore(parser);
    store.open(URI, 'python', 1, SEED);
    const analysis = store.analysis(URI, 100)!;
    assert.deepEqual(analysis.diagnostics.map((d) => [d.code, d.severity]), [['VX002', 'info']]);
    store.dispose();
  });
});
