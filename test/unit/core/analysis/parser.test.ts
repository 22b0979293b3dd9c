import assert from 'node:assert/strict';
import { analyse, analyseTree } from '../../../../core/analysis/analyse';
import { createPythonParser, loadPython } from '../../../../core/analysis/parser';
import type { Parser } from '../../../../core/analysis/parser';

describe('parser: web-tree-sitter with the Python grammar', () => {
  it('loads the grammar shipped by tree-sitter-python and parses Python', async () => {
    const language = await loadPython();
    assert.equal(language.name, 'python');
    const parser = await createPythonParser();
    const tree = parser.parse('with DAG("x") as dag:\n    a >> b\n')!;
    assert.equal(tree.rootNode.type, 'module');
    assert.equal(tree.rootNode.hasError, false);
    assert.equal(tree.rootNode.child(0)!.type, 'with_statement');
    tree.delete();
    parser.delete();
  });

  it('counts columns in UTF-16 code units, as LSP does', async () => {
    const parser = await createPythonParser();
    const source = 'x = "é😀" >> b\n';
    const tree = parser.parse(source)!;
    const b = tree.rootNode.descendantForIndex(source.indexOf('b'))!;
    assert.equal(b.type, 'identifier');
    assert.equal(b.startPosition.column, source.indexOf('b'));
    tree.delete();
    parser.delete();
  });
});

/** Records each parse `parser` starts (tree-sitter logs `new_parse` at the start of every parse). */
function countParses(parser: Parser): { count: number } {
  const parses = { count: 0 };
  parser.setLogger((message) => {
    if (message === 'new_parse') parses.count++;
  });
  return parses;
}

describe('analysis: parses with the parser its caller gives it', () => {
  // An unclosed bracket swallows the DAG below it: the analysis parses again with the bracket closed.
  const broken = 'from vortex import DAG\nbroken = (\nwith DAG(dag_id="after_the_error") as dag:\n    pass\n';

  it('parses, and parses again past syntax errors, with the given parser and leaves it usable', async () => {
    const parser = await createPythonParser();
    try {
      const parses = countParses(parser);
      assert.deepEqual(analyse(broken, { parser }).dags.map((d) => d.dagId), ['after_the_error']);
      assert.equal(parses.count, 2, 'the first parse and the repair both ran on the given parser');
      const tree = parser.parse(broken)!;
      parses.count = 0;
      try {
        assert.deepEqual(analyseTree(tree, broken, { parser }).dags.map((d) => d.dagId), ['after_the_error']);
      } finally {
        tree.delete();
      }
      assert.equal(parses.count, 1, 'the repair of a tree the caller parsed ran on the given parser');
      parser.setLogger(null);
      assert.equal(parser.parse('x = 1\n')!.rootNode.hasError, false);
    } finally {
      parser.delete();
    }
  });

  it('gives the same analysis with a parser of its own as with one given', async () => {
    const parser = await createPythonParser();
    try {
      assert.deepEqual(analyse(broken), analyse(broken, { parser }));
    } finally {
      parser.delete();
    }
  });
});
