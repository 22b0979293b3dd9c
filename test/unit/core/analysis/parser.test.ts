import assert from 'node:assert/strict';
import { createPythonParser, loadPython } from '../../../../core/analysis/parser';

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
