/**
 * The CLI's DOT and Mermaid formatters on a model with TaskGroups and edge
 * labels (a unit test of the formatter: the analyser does not read groups
 * yet, so the real seed analysis is given them by `withStructure`), and the
 * real CLI on a real file, whose output keeps its old form.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { renderGraph } from '../../../cli/src/graphFormats';
import { REPO } from '../../support/execution';
import { withStructure } from '../../support/structure';

const SEED = path.join(REPO, 'test', 'fixtures', 'seed_example.py');

describe('graph formats with TaskGroups and edge labels', () => {
  before(async () => {
    await loadPython();
  });

  function grouped() {
    return withStructure(analyse(readFileSync(SEED, 'utf8')), {
      groups: [
        { id: 'work', parentId: null, label: 'Work "stage"' },
        { id: 'work.inner', parentId: 'work' },
      ],
      tasks: { run_script: { groupId: 'work' }, process_data: { groupId: 'work.inner' } },
      labels: [
        ['start', 'run_script', 'if "x"'],
        ['start', 'process_data', 'a|b <br>'],
      ],
    });
  }

  it('dot: nested clusters holding their tasks, labels on edges, all quoted', () => {
    const a = grouped();
    const dot = renderGraph(a, a.dags, 'dot');
    assert.equal(
      dot,
      [
        'digraph "example_vortex_dag" {',
        '  rankdir=LR;',
        '  node [shape=box, style=rounded];',
        '  "start" [label="start\\nDummyOperator"];',
        '  "end" [label="end\\nDummyOperator"];',
        '  subgraph "cluster_work" {',
        '    label="Work \\"stage\\"";',
        '    "run_script" [label="run_script\\nBashOperator"];',
        '    subgraph "cluster_work.inner" {',
        '      label="inner";',
        '      "process_data" [label="process_data\\nPythonOperator"];',
        '    }',
        '  }',
        '  "start" -> "run_script" [label="if \\"x\\""];',
        '  "start" -> "process_data" [label="a|b <br>"];',
        '  "run_script" -> "end";',
        '  "process_data" -> "end";',
        '}',
      ].join('\n'),
    );
  });

  it('mermaid: a subgraph per group, labels between pipes with markup as entities', () => {
    const a = grouped();
    const mermaid = renderGraph(a, a.dags, 'mermaid');
    assert.equal(
      mermaid,
      [
        'flowchart LR',
        '  d0t0["start (DummyOperator)"]',
        '  d0t3["end (DummyOperator)"]',
        '  subgraph d0g0["Work #34;stage#34;"]',
        '    d0t1["run_script (BashOperator)"]',
        '    subgraph d0g1["inner"]',
        '      d0t2["process_data (PythonOperator)"]',
        '    end',
        '  end',
        '  d0t0 -->|"if #34;x#34;"| d0t1',
        '  d0t0 -->|"a#124;b #60;br#62;"| d0t2',
        '  d0t1 --> d0t3',
        '  d0t2 --> d0t3',
      ].join('\n'),
    );
  });

  it('json: the new fields beside the old ones', () => {
    const a = grouped();
    const json = JSON.parse(renderGraph(a, a.dags, 'json')) as { dags: Array<{ nodes: Array<Record<string, unknown>>; edges: Array<Record<string, unknown>>; groups: unknown[] }> };
    const [dag] = json.dags;
    assert.deepEqual(dag.nodes.find((n) => n.id === 'process_data'), { id: 'process_data', operator: 'PythonOperator', group_id: 'work.inner', decorated: false, mapped: false, branch: false, trigger_rule: null });
    assert.deepEqual(dag.edges[0], { upstream: 'start', downstream: 'run_script', label: 'if "x"' });
    assert.deepEqual(dag.groups, [{ id: 'work', parent_id: null, label: 'Work "stage"' }, { id: 'work.inner', parent_id: 'work', label: 'inner' }]);
  });

  it('the real CLI on a file without groups prints what it always did', () => {
    const cli = path.join(REPO, 'dist', 'cli.js');
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const dot = spawnSync(process.execPath, [cli, 'graph', SEED], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(dot.status, 0, dot.stderr);
    assert.equal(
      dot.stdout,
      'digraph "example_vortex_dag" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n  "start" [label="start\\nDummyOperator"];\n  "run_script" [label="run_script\\nBashOperator"];\n  "process_data" [label="process_data\\nPythonOperator"];\n  "end" [label="end\\nDummyOperator"];\n  "start" -> "run_script";\n  "start" -> "process_data";\n  "run_script" -> "end";\n  "process_data" -> "end";\n}\n',
    );
    const mermaid = spawnSync(process.execPath, [cli, 'graph', '--format', 'mermaid', SEED], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(mermaid.status, 0, mermaid.stderr);
    assert.equal(
      mermaid.stdout,
      'flowchart LR\n  d0t0["start (DummyOperator)"]\n  d0t1["run_script (BashOperator)"]\n  d0t2["process_data (PythonOperator)"]\n  d0t3["end (DummyOperator)"]\n  d0t0 --> d0t1\n  d0t0 --> d0t2\n  d0t1 --> d0t3\n  d0t2 --> d0t3\n',
    );
  });
});
