import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { readSimpleLine, readSimpleStatement, StatementReader } from '../../../../core/analysis/simpleStatements';
import { loadFixtures } from '../../../support/fixtures';
import { generateDag } from '../../../support/generate';
import { mutate, randomSource } from '../../../support/mutate';

describe('simple statements: reading them from text agrees with the tree walk', function () {
  this.timeout(0);

  before(async () => {
    await loadPython();
  });

  it('reads the two shapes and declines everything else', () => {
    const read = (text: string) => readSimpleStatement(text, 0, text.length);
    const call = read('t1 = BashOperator(task_id="t1", bash_command=\'echo "hi"\', retries=3, tags=["a", "b"], dag=dag,)');
    assert.equal(call?.kind, 'assignCall');
    assert.deepEqual(call.kind === 'assignCall' && call.args.map((a) => [a.name, a.kind, a.value]), [
      ['task_id', 'string', 't1'],
      ['bash_command', 'string', 'echo "hi"'],
      ['retries', 'integer', 3],
      ['tags', 'list', ['a', 'b']],
      ['dag', 'identifier', undefined],
    ]);
    const chain = read('a >> [b, c] << d');
    assert.equal(chain?.kind, 'chain');
    for (const declined of [
      'a = Op(task_id=f"x{i}")', 'a = Op(task_id="x")  # comment', 'a = Op("positional")', 'a = Op(task_id="""x""")',
      'a = Op(x=1e5)', 'a = Op(x=b.c)', 'a = Op(x=g())', 'a >> b.c', 'a >>= b', 'a == b', 'a = b = Op()', 'print(a)',
      'a = Op(x=lambda: 1)', 'a >> None', 'a = Op(**kwargs)', 'a >> (b)', 'a = Op(x=[1, 2])', 'a = Op(x=b"bytes")',
    ]) {
      assert.equal(read(declined), undefined, declined);
    }
  });

  it('reads a statement to the end of its line, brackets spanning lines included', () => {
    const text = 't1 = BashOperator(task_id="t1")   \nt1 >> t2\n';
    const call = readSimpleLine(text, 0);
    assert.equal(call?.statement.kind, 'assignCall');
    assert.equal(call.end, text.indexOf(')') + 1, 'ends after its last token');
    assert.equal(call.lineEnd, text.indexOf('\n'), 'its line ends at the line break, past the blanks');
    assert.equal(readSimpleLine(text, text.indexOf('t1 >>'))?.statement.kind, 'chain');
    const spanning = 't1 = BashOperator(\n    task_id="t1",\n    bash_command="echo",\n)\nrest';
    assert.equal(readSimpleLine(spanning, 0)?.end, spanning.indexOf(')') + 1);
    assert.equal(readSimpleLine('t1 >> t2', 0)?.lineEnd, 8, 'the end of the text ends a line');
    for (const declined of ['t1 = Op(task_id="t1")  # note\n', 't1 = Op(task_id="t1"); t2 >> t3\n', 't1 >> \\\n  t2\n', 't1 = Op(task_id="t1"', 'print >> t1\n', 't1 >> t2 t3\n']) {
      assert.equal(readSimpleLine(declined, 0), undefined, declined);
    }
  });

  it('keeps in each reader what it read last, whatever other readers read', () => {
    const callText = 'extract = BashOperator(task_id="extract", retries=2)';
    const chainText = 'a >> [b, c] << d';
    const first = new StatementReader();
    const second = new StatementReader();
    assert.ok(first.readStatement(callText, 0, callText.length));
    assert.ok(second.readLine(chainText, 0));
    assert.ok(!second.readStatement('print(a)', 0, 8), 'a declined statement');
    assert.deepEqual(first.statement(callText), readSimpleStatement(callText, 0, callText.length));
    assert.equal(first.kind, 'assignCall');
    assert.deepEqual(first.argValues.slice(0, first.argCount), ['extract', 2]);
    assert.deepEqual(second.statement(chainText), readSimpleStatement(chainText, 0, chainText.length));
  });

  const same = (text: string, label: string) => {
    const fast = analyse(text);
    const slow = analyse(text, { simpleStatements: false });
    assert.deepEqual(fast, slow, `the two ways disagree on ${label}`);
  };

  it('gives the same analysis on every fixture and generated file', () => {
    for (const fixture of loadFixtures()) same(fixture.text, fixture.name);
    same(generateDag(300), 'a generated 300-task file');
  });

  it('gives the same analysis on 1,500 mutated fixtures', () => {
    const fixtures = loadFixtures();
    const random = randomSource(7);
    for (let i = 0; i < 1500; i++) {
      const fixture = fixtures[i % fixtures.length];
      same(mutate(fixture.text, random), `mutation ${i} of ${fixture.name}`);
    }
  });
});

describe('statement cache: re-analysis after edits equals a fresh analysis', function () {
  this.timeout(0);

  it('gives the same analysis as a fresh one after each of 300 random edits', async () => {
    await loadPython();
    const { createPythonParser } = await import('../../../../core/analysis/parser');
    const { analyseTree, parseWithin, StatementCache } = await import('../../../../core/analysis/analyse');
    const parser = await createPythonParser();
    const cache = new StatementCache();
    const random = randomSource(11);
    const fixtures = loadFixtures();
    let text = generateDag(60);
    for (let i = 0; i < 300; i++) {
      // Mostly small edits of the same file, now and then a different file altogether.
      text = i % 50 === 49 ? fixtures[i % fixtures.length].text : mutate(text, random).slice(0, 20000);
      const tree = parseWithin(parser, text, null, undefined)!;
      const cached = analyseTree(tree, text, { statementCache: cache });
      tree.delete();
      assert.deepEqual(cached, analyse(text), `edit ${i} differs`);
    }
    parser.delete();
  });
});
