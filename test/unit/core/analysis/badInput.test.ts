import assert from 'node:assert/strict';
import { analyse, DEFAULT_MAX_FILE_SIZE } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { decodeSource } from '../../../../core/analysis/source';

const HEADER = 'from vortex import DAG\nfrom vortex.operators.bash import BashOperator\n';

function dagWithTasks(n: number): string {
  const lines = [HEADER, 'with DAG(dag_id="big", schedule_interval="@daily") as dag:'];
  for (let i = 0; i < n; i++) lines.push(`    t${i} = BashOperator(task_id="t${i}", bash_command="echo ${i}")`);
  for (let i = 1; i < n; i++) lines.push(`    t${i - 1} >> t${i}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Pads with statements, not comments: tree-sitter-python's scanner looks ahead
 * over every following comment line at each newline, so megabytes of
 * consecutive comments parse in quadratic time (a grammar limit, not ours).
 */
function padTo(text: string, size: number): string {
  const parts = [text];
  let length = text.length;
  for (let i = 0; length < size; i++) {
    const line = `padding_${i} = "${'x'.repeat(100)}"\n`;
    parts.push(line);
    length += line.length;
  }
  return parts.join('');
}

describe('bad input: precise diagnostics, never a crash', () => {
  before(async () => {
    await loadPython();
  });

  it('reports a syntax error (VX001) and still analyses the rest of the file', () => {
    const text = `${HEADER}with DAG("broken") as dag:\n    a = BashOperator(task_id="a", bash_command="echo a"\n    b = BashOperator(task_id="b", bash_command="echo b")\n\nwith DAG("fine") as other:\n    c = BashOperator(task_id="c", bash_command="echo c")\n    d = BashOperator(task_id="d", bash_command="echo d")\n    c >> d\n`;
    const analysis = analyse(text);
    const syntax = analysis.diagnostics.filter((d) => d.code === 'VX001');
    assert.ok(syntax.length >= 1, 'a VX001 is reported');
    assert.ok(syntax.every((d) => d.range.start.line >= 3 && d.range.start.line <= 4), 'at the broken call');
    const fine = analysis.dags.find((d) => d.dagId === 'fine');
    assert.ok(fine, 'the DAG after the error is still found');
    assert.deepEqual(fine.edges.map((e) => `${e.upstream}>${e.downstream}`), ['c>d']);
  });

  it('treats an empty file, and a file with only a framework import, as files with nothing to report', () => {
    assert.deepEqual(analyse('').diagnostics, []);
    assert.equal(analyse('').isDagFile, false);
    const onlyImport = analyse('from vortex import DAG\n');
    assert.equal(onlyImport.isDagFile, true);
    assert.deepEqual(onlyImport.dags, []);
  });

  it('reports bytes that are not UTF-8 (VX003) at their position and analyses the rest', () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}# caf`), Buffer.from([0xe9]), Buffer.from('\nwith DAG("latin1") as dag:\n    BashOperator(task_id="a", bash_command="echo a")\n')]);
    const decoded = decodeSource(bytes);
    assert.equal(decoded.diagnostics.length, 1);
    assert.equal(decoded.diagnostics[0].code, 'VX003');
    assert.deepEqual(decoded.diagnostics[0].range.start, { line: 2, character: 5 });
    const analysis = analyse(decoded.text);
    assert.equal(analysis.dags[0].dagId, 'latin1');
    assert.equal(analysis.tasks.length, 1);
  });

  it('declines a 10 MB file with one clear diagnostic, in bounded time', () => {
    const text = padTo(dagWithTasks(1000), 10 * 1024 * 1024);
    assert.ok(text.length > DEFAULT_MAX_FILE_SIZE);
    const started = performance.now();
    const analysis = analyse(text);
    const elapsed = performance.now() - started;
    assert.equal(analysis.diagnostics.length, 1);
    assert.equal(analysis.diagnostics[0].code, 'VX002');
    assert.match(analysis.diagnostics[0].message, /vortex\.analysis\.maxFileSize/);
    assert.ok(elapsed < 1000, `declining took ${elapsed.toFixed(0)} ms`);
  });

  it('analyses a 10 MB file in bounded time when the limit is raised', function () {
    this.timeout(60000);
    const text = padTo(dagWithTasks(2000), 10 * 1024 * 1024);
    const started = performance.now();
    const analysis = analyse(text, { maxFileSize: 20 * 1024 * 1024 });
    const elapsed = performance.now() - started;
    assert.equal(analysis.tasks.length, 2000);
    assert.equal(analysis.dags[0].edges.length, 1999);
    assert.ok(elapsed < 20000, `analysis took ${elapsed.toFixed(0)} ms`);
  });

  it('survives expressions nested 10,000 deep without a stack overflow', () => {
    const depth = 10000;
    const nestedParens = `${HEADER}with DAG("deep") as dag:\n    a = BashOperator(task_id="a", bash_command="echo a")\n    x = ${'('.repeat(depth)}a${')'.repeat(depth)}\n    y = ${'['.repeat(depth)}a${']'.repeat(depth)}\n    a >> ${'('.repeat(depth)}a${')'.repeat(depth)}\n`;
    const analysis = analyse(nestedParens);
    assert.equal(analysis.tasks.length, 1);
    const chain = `${HEADER}with DAG("long") as dag:\n    a = BashOperator(task_id="a", bash_command="echo a")\n    b = BashOperator(task_id="b", bash_command="echo b")\n    ${Array.from({ length: depth }, (_, i) => (i % 2 ? 'b' : 'a')).join(' >> ')}\n`;
    const cyclic = analyse(chain);
    assert.ok(cyclic.diagnostics.some((d) => d.code === 'VX301'), 'a >> b >> a … is a cycle');
    const nestedBlocks = `${HEADER}${Array.from({ length: 200 }, (_, i) => `${'    '.repeat(i)}if True:`).join('\n')}\n${'    '.repeat(200)}pass\n`;
    assert.doesNotThrow(() => analyse(nestedBlocks));
  });

  it('reads a string with a truncated or impossible escape as written, without a crash', () => {
    for (const [literal, read] of [['"\\u"', '\\u'], ['"\\x4"', '\\x4'], ['"\\UFFFFFFFF"', '\\UFFFFFFFF'], ['"\\u00e9"', '\u00e9']]) {
      const text = `${HEADER}with DAG("escapes") as dag:\n    a = BashOperator(task_id="a", bash_command=${literal})\n`;
      assert.equal(analyse(text).tasks[0].bashCommand, read, literal);
      assert.equal(analyse(text, { simpleStatements: false }).tasks[0].bashCommand, read, literal);
    }
  });

  it('gives a file that is not a DAG file nothing, without parsing it', () => {
    const analysis = analyse('import os\n\ndef main():\n    print(os.getcwd())\n');
    assert.equal(analysis.isDagFile, false);
    assert.deepEqual(analysis.diagnostics, []);
  });
});
