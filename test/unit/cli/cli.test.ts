/**
 * `vortex inspect` and `vortex graph` as users run them: the built dist/cli.js
 * as a separate process, its stdout, stderr and exit status.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');
const FIXTURES = path.join(REPO, 'test/fixtures');
/** A task's TaskGroup and marks in `inspect --json` when it has none. */
const UNMARKED = { group_id: null, decorated: false, mapped: false, branch: false, trigger_rule: null };

function vortex(args: string[], cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cli: vortex inspect and vortex graph', function () {
  this.timeout(60000);
  let scratch: string;

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    scratch = mkdtempSync(path.join(tmpdir(), 'vortex-cli-'));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('inspect --json prints the documented shape for the seed example, exit 0', () => {
    const r = vortex(['inspect', '--json', 'test/fixtures/seed_example.py']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout);
    assert.equal(report.files.length, 1);
    const file = report.files[0];
    assert.equal(file.path, 'test/fixtures/seed_example.py');
    assert.deepEqual(file.diagnostics, []);
    const dag = file.dags[0];
    assert.equal(dag.dag_id, 'example_vortex_dag');
    assert.equal(dag.schedule, '0 12 * * *');
    assert.equal(dag.owner, 'vortex_team');
    assert.deepEqual(dag.tags, ['example', 'python']);
    assert.deepEqual(dag.tasks[0], { ...UNMARKED, task_id: 'start', operator: 'DummyOperator', line: 18, upstream: [], downstream: ['run_script', 'process_data'] });
    assert.deepEqual(dag.edges[0], { upstream: 'start', downstream: 'run_script', label: null });
    assert.deepEqual(dag.groups, []);
  });

  it('inspect prints path:line:col: severity VXnnn message and exits 1 on errors', () => {
    const r = vortex(['inspect', 'test/fixtures/vx103_invalid_schedule.py']);
    assert.equal(r.status, 1);
    const lines = r.stdout.split('\n').filter((l) => / VX\d{3} /.test(l));
    assert.ok(lines.length > 0);
    for (const line of lines) assert.match(line, /^test\/fixtures\/vx103_invalid_schedule\.py:\d+:\d+: (error|warning|info) VX\d{3} \S/);
    assert.ok(lines.some((l) => /error VX103 .*minute/.test(l)), 'the message names the bad field');
  });

  it('inspect --json reports diagnostics with 1-based lines and columns', () => {
    const r = vortex(['inspect', '--json', 'test/fixtures/vx201_duplicate_task_id.py']);
    assert.equal(r.status, 1);
    const diagnostic = JSON.parse(r.stdout).files[0].diagnostics.find((d: { code: string }) => d.code === 'VX201');
    assert.ok(diagnostic);
    assert.equal(diagnostic.severity, 'error');
    assert.ok(diagnostic.line >= 1 && diagnostic.column >= 1 && diagnostic.endColumn > diagnostic.column);
  });

  it('warnings alone exit 0', () => {
    const r = vortex(['inspect', 'test/fixtures/vx205_unsupported_operator.py']);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /warning VX205/);
  });

  it('a missing file is one clear line on stderr and exit 2, without a stack trace', () => {
    const r = vortex(['inspect', 'no/such/dag.py']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /no\/such\/dag\.py: no such file/);
    assert.doesNotMatch(r.stderr, /\s+at /);
  });

  it('a directory is inspected for its DAG files only, recursively', () => {
    const dir = path.join(scratch, 'project');
    mkdirSync(path.join(dir, 'dags', 'nested'), { recursive: true });
    copyFileSync(path.join(FIXTURES, 'seed_example.py'), path.join(dir, 'dags', 'seed.py'));
    copyFileSync(path.join(FIXTURES, 'two_dags.py'), path.join(dir, 'dags', 'nested', 'two.py'));
    writeFileSync(path.join(dir, 'dags', 'helpers.py'), 'def helper():\n    return 1\n');
    const r = vortex(['inspect', '--json', dir]);
    assert.equal(r.status, 0, r.stdout);
    const paths = JSON.parse(r.stdout).files.map((f: { path: string }) => path.relative(dir, f.path)).sort();
    assert.deepEqual(paths, ['dags/nested/two.py', 'dags/seed.py']);
  });

  it('a file that is not UTF-8 gets VX003 and the rest is analysed', () => {
    const file = path.join(scratch, 'latin1.py');
    writeFileSync(file, Buffer.concat([Buffer.from('from vortex import DAG\n# caf'), Buffer.from([0xe9]), Buffer.from('\nwith DAG("latin") as d:\n    pass\n')]));
    const r = vortex(['inspect', '--json', file]);
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout).files[0];
    assert.equal(report.diagnostics[0].code, 'VX003');
    assert.equal(report.dags[0].dag_id, 'latin');
  });

  it('bad usage exits 2 with one line', () => {
    for (const args of [['inspect'], ['frobnicate'], ['inspect', '--bogus', 'x.py'], ['graph', 'test/fixtures/seed_example.py', '--format', 'png']]) {
      const r = vortex(args);
      assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}`);
      assert.match(r.stderr.split('\n')[0], /^vortex: /);
    }
  });

  it('an unknown or missing command is followed by the usage; a command\'s own usage error is not', () => {
    const unknown = vortex(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^vortex: unknown command "frobnicate"\nUsage:\n {2}vortex inspect /);
    const none = vortex([]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^vortex: no command given\nUsage:\n/);
    const bad = vortex(['inspect', '--bogus', 'x.py']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.split('\n').filter(Boolean).length, 1, bad.stderr);
  });

  it('graph prints DOT by default, Mermaid and JSON on request', () => {
    const dot = vortex(['graph', 'test/fixtures/seed_example.py']);
    assert.equal(dot.status, 0, dot.stderr);
    assert.match(dot.stdout, /^digraph "example_vortex_dag" \{/);
    assert.match(dot.stdout, /"start" -> "run_script";/);
    const mermaid = vortex(['graph', 'test/fixtures/seed_example.py', '--format', 'mermaid']);
    assert.match(mermaid.stdout, /^flowchart LR/);
    assert.equal((mermaid.stdout.match(/-->/g) ?? []).length, 4);
    const json = JSON.parse(vortex(['graph', 'test/fixtures/seed_example.py', '--format', 'json']).stdout);
    assert.equal(json.dags[0].nodes.length, 4);
    assert.equal(json.dags[0].edges.length, 4);
  });

  it('graph --dag picks one DAG of several and names the choices when it is wrong', () => {
    const r = vortex(['graph', 'test/fixtures/two_dags.py', '--format', 'json', '--dag', 'nope']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no DAG "nope".*defines: /);
    const all = JSON.parse(vortex(['graph', 'test/fixtures/two_dags.py', '--format', 'json']).stdout);
    assert.equal(all.dags.length, 2);
    const one = JSON.parse(vortex(['graph', 'test/fixtures/two_dags.py', '--format', 'json', '--dag', all.dags[1].dag_id]).stdout);
    assert.deepEqual(one.dags, [all.dags[1]]);
  });

  it('graph escapes hostile task ids in DOT and Mermaid', () => {
    const file = path.join(scratch, 'hostile.py');
    writeFileSync(file, 'from vortex import DAG\nfrom vortex.operators.dummy import DummyOperator\nwith DAG("h") as d:\n    a = DummyOperator(task_id="a\\"b")\n    c = DummyOperator(task_id="c")\n    a >> c\n');
    const dot = vortex(['graph', file]).stdout;
    assert.match(dot, /"a\\"b" -> "c"/);
    const mermaid = vortex(['graph', file, '--format', 'mermaid']).stdout;
    assert.match(mermaid, /a#34;b/);
  });

  describe('a file Python cannot parse never passes', () => {
    const HEAD = 'from vortex import DAG\nfrom vortex.operators.bash import BashOperator\n\n';
    const cases: Record<string, string> = {
      'an unclosed bracket after the DAG': `${HEAD}with DAG(dag_id="broken_bracket") as dag:\n    x = (((\n`,
      'an unclosed bracket after a task': 'test/fixtures/vx001_unclosed_bracket.py',
      'an unclosed triple-quoted string': 'test/fixtures/vx001_unclosed_string.py',
      'an unclosed string before any task': `${HEAD}with DAG(dag_id="broken_string") as dag:\n"""\n    a = BashOperator(task_id="a", bash_command="echo a")\n`,
      'an unclosed bracket in the imports': 'from vortex import (DAG,\nwith DAG(dag_id="broken_import") as dag:\n    pass\n',
    };
    for (const [what, source] of Object.entries(cases)) {
      it(`${what}: inspect reports VX001 and exits 1`, () => {
        let file = source;
        if (!source.startsWith('test/')) {
          file = path.join(scratch, `${what.replace(/\W+/g, '_')}.py`);
          writeFileSync(file, source);
        }
        const r = vortex(['inspect', '--json', file]);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        const [report] = JSON.parse(r.stdout).files;
        const syntax = report.diagnostics.filter((d: { code: string }) => d.code === 'VX001');
        assert.equal(syntax.length, 1, JSON.stringify(report.diagnostics));
        assert.match(syntax[0].message, /never closed/);
        assert.match(vortex(['inspect', file]).stdout, /error VX001 .*never closed/);
      });
    }
  });

  it('a file whose lines end with \\r alone is read as its \\n and \\r\\n twins are: the same DAGs, lines and diagnostics', () => {
    const cr = readFileSync(path.join(FIXTURES, 'line_breaks_cr.py'), 'utf8');
    assert.ok(cr.includes('\r') && !cr.includes('\n'), 'the fixture ends its lines with \\r alone');
    const reports = [cr, cr.replace(/\r/g, '\n'), cr.replace(/\r/g, '\r\n')].map((text, i) => {
      const file = path.join(scratch, `line_breaks_${i}.py`);
      writeFileSync(file, text);
      const r = vortex(['inspect', '--json', file]);
      assert.equal(r.status, 1, r.stderr);
      const [report] = JSON.parse(r.stdout).files;
      return { dags: report.dags, diagnostics: report.diagnostics };
    });
    assert.equal(reports[0].dags[0].tasks.length, 3);
    assert.deepEqual(reports[0].diagnostics.map((d: { code: string; line: number }) => `${d.code}@${d.line}`), ['VX105@22', 'VX302@26']);
    assert.deepEqual(reports[1], reports[0]);
    assert.deepEqual(reports[2], reports[0]);
  });

  describe('ids at and past Airflow\'s limits', () => {
    const dagFile = (dagId: string, taskId: string) =>
      `from vortex import DAG\nfrom vortex.operators.bash import BashOperator\n\nwith DAG(dag_id=${JSON.stringify(dagId)}) as dag:\n    only = BashOperator(task_id=${JSON.stringify(taskId)}, bash_command="true")\n`;
    const cases: Array<[string, string, string, string | null]> = [
      ['250-character ids pass', 'd'.repeat(250), 't'.repeat(250), null],
      ['a 251-character dag_id', 'd'.repeat(251), 'only', 'VX106'],
      ['a 300-character dag_id', 'd'.repeat(300), 'only', 'VX106'],
      ['a dag_id with a slash', 'a/b', 'only', 'VX106'],
      ['a 251-character task_id', 'ids', 't'.repeat(251), 'VX207'],
      ['a task_id with a slash', 'ids', 'a/b', 'VX207'],
    ];
    for (const [what, dagId, taskId, code] of cases) {
      it(`${what}: ${code ? `inspect and run report ${code} and exit 1` : 'inspect finds nothing wrong'}`, () => {
        const file = path.join(scratch, `ids_${what.replace(/\W+/g, '_')}.py`);
        writeFileSync(file, dagFile(dagId, taskId));
        const inspect = vortex(['inspect', '--json', file]);
        const codes = JSON.parse(inspect.stdout).files[0].diagnostics.map((d: { code: string }) => d.code);
        assert.deepEqual(codes, code ? [code] : []);
        assert.equal(inspect.status, code ? 1 : 0);
        if (!code) return;
        const run = vortex(['run', file]);
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stderr, new RegExp(`error ${code} The (dag|task)_id`));
        assert.match(run.stderr, /not running .*: it has 1 error/);
        assert.doesNotMatch(run.stderr, /internal error/);
      });
    }
  });
});
