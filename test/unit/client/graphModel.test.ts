/**
 * The graph's pure steps on real analyses: model (from the server's JSON of a
 * real fixture) → layout (both libraries) → view-model, and the messages'
 * type guards.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { dagsJson } from '../../../server/src/features/dagRequests';
import type { DagJson } from '../../../core/protocol';
import { layoutChoiceFor, layoutGraph, NETWORK_SIMPLEX_MAX_TASKS, NODE_HEIGHT, nodeWidth } from '../../../client/src/graph/layout';
import type { Layout } from '../../../client/src/graph/layout';
import { dagAt, dagChoices, graphModelOf, neighbourhood, taskAt } from '../../../client/src/graph/dagGraph';
import type { GraphModel } from '../../../client/src/graph/dagGraph';
import { pathOf, viewModelOf } from '../../../client/src/graph/graphView';
import { runLayoutJob } from '../../../client/src/graph/layoutJob';
import { isGraphPanelState, isHostMessage, isViewport, isWebviewMessage, readGraphPanelState } from '../../../client/src/graph/messages';
import { FIXTURES_DIR } from '../../support/fixtures';
import { generateDag } from '../../support/generate';

/** A task outside any group, without marks. */
const UNMARKED = { groupId: null, decorated: false, mapped: false, branch: false, triggerRule: null };

function dagsOf(text: string): DagJson[] {
  return dagsJson(analyse(text));
}

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES_DIR, name), 'utf8');
}

function onBorder(p: { x: number; y: number }, n: { x: number; y: number; width: number; height: number }): boolean {
  const inOuter = p.x >= n.x - 2 && p.x <= n.x + n.width + 2 && p.y >= n.y - 2 && p.y <= n.y + n.height + 2;
  const inInner = p.x > n.x + 2 && p.x < n.x + n.width - 2 && p.y > n.y + 2 && p.y < n.y + n.height - 2;
  return inOuter && !inInner;
}

/** Every edge's first point on its upstream node's border and last on its downstream's. */
function assertEdgesJoinNodes(layout: Layout): void {
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  for (const e of layout.edges) {
    assert.ok(e.points.length >= 2, `${e.from}→${e.to} has a path`);
    const from = byId.get(e.from)!;
    const to = byId.get(e.to)!;
    const first = e.points[0];
    const last = e.points[e.points.length - 1];
    assert.ok(onBorder(first, from), `${e.from}→${e.to} starts on ${e.from}'s border`);
    assert.ok(onBorder(last, to), `${e.from}→${e.to} ends on ${e.to}'s border`);
    assert.ok(last.x > first.x, `${e.from}→${e.to} goes left to right`);
  }
}

function overlaps(layout: Layout): boolean {
  const ns = layout.nodes;
  for (let i = 0; i < ns.length; i++) {
    for (let j = i + 1; j < ns.length; j++) {
      const a = ns[i];
      const b = ns[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) return true;
    }
  }
  return false;
}

describe('graph: model → layout → view-model', () => {
  before(async () => {
    await loadPython();
  });

  it('the seed example becomes four nodes and four edges', () => {
    const [dag] = dagsOf(fixture('seed_example.py'));
    const model = graphModelOf(dag, 0);
    assert.equal(model.dagId, 'example_vortex_dag');
    assert.deepEqual(model.nodes.map((n) => [n.id, n.operator, n.kind]), [
      ['start', 'DummyOperator', 'dummy'],
      ['run_script', 'BashOperator', 'bash'],
      ['process_data', 'PythonOperator', 'python'],
      ['end', 'DummyOperator', 'dummy'],
    ]);
    assert.deepEqual(model.edges.map((e) => `${e.from}>${e.to}`).sort(), ['process_data>end', 'run_script>end', 'start>process_data', 'start>run_script']);
  });

  it('collapses repeated edges and drops edges to unknown tasks', () => {
    const [dag] = dagsOf(fixture('seed_example.py'));
    const doubled: DagJson = {
      ...dag,
      edges: [...dag.edges, dag.edges[0], { upstream: 'start', downstream: 'ghost', range: dag.range, label: null }],
    };
    assert.equal(graphModelOf(doubled, 0).edges.length, 4);
  });

  it('counts a task\'s diagnostics for its badge', () => {
    const text = fixture('vx202_vx203_required_args.py');
    const dags = dagsOf(text);
    const model = graphModelOf(dags[0], 0);
    const flagged = model.nodes.filter((n) => n.diagnostics.errors > 0);
    assert.ok(flagged.length > 0, 'some task carries an error');
  });

  for (const engine of ['dagre', 'elk', undefined] as const) {
    it(`${engine ?? 'the panel’s choice'}: lays the seed example out left to right, without overlaps, edges joining their nodes`, async () => {
      const model = graphModelOf(dagsOf(fixture('seed_example.py'))[0], 0);
      const layout = await layoutGraph(model, engine);
      const node = new Map(layout.nodes.map((n) => [n.id, n]));
      const start = node.get('start')!;
      const run = node.get('run_script')!;
      const process = node.get('process_data')!;
      const end = node.get('end')!;
      assert.ok(start.x + start.width < run.x, 'start before its downstream');
      assert.ok(run.x + run.width < end.x, 'end after its upstream');
      assert.ok(run.x < process.x + process.width && process.x < run.x + run.width, 'siblings share a layer');
      assert.ok(!overlaps(layout));
      assertEdgesJoinNodes(layout);
      for (const n of layout.nodes) {
        assert.equal(n.height, NODE_HEIGHT);
        assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.width <= layout.width + 0.5 && n.y + n.height <= layout.height + 0.5, `${n.id} inside the drawing`);
      }
    });
  }

  it('chooses elkjs, with network-simplex placement up to the size the benchmark found and Brandes-Köpf past it', () => {
    const placement = (tasks: number) => layoutChoiceFor(tasks).tuning['elk.layered.nodePlacement.strategy'];
    assert.equal(layoutChoiceFor(4).engine, 'elk');
    assert.equal(layoutChoiceFor(5000).engine, 'elk');
    assert.equal(placement(4), 'NETWORK_SIMPLEX');
    assert.equal(placement(NETWORK_SIMPLEX_MAX_TASKS), 'NETWORK_SIMPLEX');
    assert.equal(placement(NETWORK_SIMPLEX_MAX_TASKS + 1), undefined);
  });

  it('sizes nodes from their labels, within bounds', () => {
    assert.equal(nodeWidth('a', 'B'), 96);
    assert.ok(nodeWidth('a_rather_long_task_identifier', 'BashOperator') > 96);
    assert.equal(nodeWidth('x'.repeat(500), 'BashOperator'), 320);
  });

  it('lays out an empty DAG as nothing', async () => {
    const layout = await layoutGraph({ dagIndex: 0, dagId: 'e', nodes: [], edges: [], groups: [] });
    assert.deepEqual(layout, { width: 0, height: 0, nodes: [], edges: [], boxes: [] });
  });

  it('a 300-task generated DAG lays out without overlaps', async () => {
    const model = graphModelOf(dagsOf(generateDag(300))[0], 0);
    assert.equal(model.nodes.length, 300);
    const layout = await layoutGraph(model);
    assert.equal(layout.nodes.length, 300);
    assert.ok(!overlaps(layout));
    assertEdgesJoinNodes(layout);
  });

  it('the view-model carries positions, labels, badges and path data', async () => {
    const [dag] = dagsOf(fixture('seed_example.py'));
    const model = graphModelOf(dag, 0);
    model.nodes[1] = { ...model.nodes[1], diagnostics: { errors: 0, warnings: 2, infos: 1 } };
    const view = viewModelOf(model, await layoutGraph(model, 'dagre'));
    assert.equal(view.nodes.length, 4);
    assert.equal(view.edges.length, 4);
    assert.deepEqual(view.nodes[1].badge, { severity: 'warning', count: 3 });
    assert.equal(view.nodes[0].badge, null);
    for (const e of view.edges) assert.match(e.d, /^M[\d.-]+,[\d.-]+( L[\d.-]+,[\d.-]+)+$/);
    assert.equal(view.focus, null);
    assert.equal(view.totalTasks, 4);
    assert.ok(isHostMessage({ type: 'graph', view, dags: [{ index: 0, label: 'x' }], uri: 'file:///x.py', fileName: 'x.py', keepViewport: false }));
  });

  it('pathOf draws a polyline and rounds to tenths', () => {
    assert.equal(pathOf([{ x: 1.234, y: 2 }, { x: 3, y: 4.56 }]), 'M1.2,2 L3,4.6');
    assert.equal(pathOf([]), '');
  });

  it('focus keeps a task\'s upstream and downstream to the chosen depth, not its siblings', () => {
    const model: GraphModel = {
      dagIndex: 0,
      dagId: 'd',
      nodes: ['a', 'b', 'c', 'd', 'e', 's'].map((id) => ({ id, operator: 'BashOperator', kind: 'bash', diagnostics: { errors: 0, warnings: 0, infos: 0 }, ...UNMARKED })),
      // a → b → c → d → e, and a → s (a sibling of b)
      edges: [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['a', 's']].map(([from, to]) => ({ from, to, label: null })),
      groups: [],
    };
    assert.deepEqual(neighbourhood(model, 'c', 1).nodes.map((n) => n.id), ['b', 'c', 'd']);
    assert.deepEqual(neighbourhood(model, 'c', 2).nodes.map((n) => n.id), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(neighbourhood(model, 'c', 2).edges.length, 4);
    assert.equal(neighbourhood(model, 'nope', 2), model);
  });

  it('a layout job shows a focused neighbourhood, and the whole DAG when the focused task is gone', async () => {
    const model = graphModelOf(dagsOf(fixture('seed_example.py'))[0], 0);
    const focused = await runLayoutJob({ id: 1, model, focus: { taskId: 'end', depth: 1 } });
    assert.deepEqual(focused.nodes.map((n) => n.id).sort(), ['end', 'process_data', 'run_script']);
    assert.deepEqual(focused.focus, { taskId: 'end', depth: 1 });
    assert.equal(focused.totalTasks, 4);
    const gone = await runLayoutJob({ id: 2, model, focus: { taskId: 'renamed_away', depth: 1 } });
    assert.equal(gone.nodes.length, 4);
    assert.equal(gone.focus, null);
  });

  it('finds the task and the DAG under the cursor', () => {
    const text = fixture('two_dags.py');
    const analysis = analyse(text);
    const result = { uri: 'file:///two_dags.py', version: 1, dags: dagsJson(analysis) };
    assert.equal(result.dags.length, 2);
    assert.deepEqual(dagChoices(result).map((c) => c.index), [0, 1]);
    const second = result.dags[1];
    const task = second.tasks[0];
    const inside = { line: task.range.start.line, character: task.range.start.character + 1 };
    assert.equal(taskAt(second, inside), task.taskId);
    assert.equal(dagAt(result, inside), 1);
    assert.equal(taskAt(second, { line: 0, character: 0 }), undefined);
  });
});

describe('graph: message type guards', () => {
  it('accept the webview\'s messages and refuse everything else', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'reveal', taskId: '<img src=x onerror=alert(1)>' }));
    assert.ok(isWebviewMessage({ type: 'focus', taskId: null, depth: 2 }));
    assert.ok(isWebviewMessage({ type: 'runTask', dagId: 'd', taskId: 't', withUpstream: true }));
    assert.ok(!isWebviewMessage({ type: 'runTask', dagId: 'd', taskId: 't' }));
    assert.ok(isWebviewMessage({ type: 'runTask', dagId: 'd', taskId: 't', withUpstream: false, withDownstream: true }));
    assert.ok(!isWebviewMessage({ type: 'runTask', dagId: 'd', taskId: 't', withUpstream: false, withDownstream: 'yes' }));
    assert.ok(isWebviewMessage({ type: 'debugTask', dagId: null, taskId: 't' }));
    assert.ok(!isWebviewMessage({ type: 'debugTask', dagId: 'd', taskId: 7 }));
    assert.ok(isWebviewMessage({ type: 'exportSvg', svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' }));
    for (const bad of [null, 'ready', [], { type: 'reveal' }, { type: 'reveal', taskId: 3 }, { type: 'selectDag', dagIndex: -1 }, { type: 'focus', taskId: 'a', depth: 0 }, { type: 'exportSvg', svg: 'hello' }, { type: 'nope' }]) {
      assert.ok(!isWebviewMessage(bad), JSON.stringify(bad));
    }
  });

  it('accept the host\'s messages and refuse malformed ones', () => {
    assert.ok(isHostMessage({ type: 'highlight', taskId: null }));
    assert.ok(isHostMessage({ type: 'runStates', dagId: 'd', reset: true, tasks: [{ taskId: 'a', state: 'upstream_failed' }, { taskId: 'b', state: 'success', durationMs: 1200 }] }));
    assert.ok(!isHostMessage({ type: 'runStates', dagId: 'd', reset: true, tasks: [{ taskId: 'a', state: 'exploded' }] }));
    assert.ok(isHostMessage({ type: 'runStates', dagId: 'd', reset: false, tasks: [{ taskId: 'a', state: 'failed', stdout: 'out', stderr: '' }] }));
    assert.ok(!isHostMessage({ type: 'runStates', dagId: 'd', reset: false, tasks: [{ taskId: 'a', state: 'failed', stdout: 3 }] }));
    const edge = { from: 'a', to: 'b', fromGroup: false, toGroup: false, label: null, labelAt: null };
    const view = { dagIndex: 0, dagId: 'd', width: 10, height: 10, nodes: [], groups: [], boxes: [], edges: [{ ...edge, d: 'M0,0 L1,1" onload="x' }], focus: null, totalTasks: 0 };
    assert.ok(isHostMessage({ type: 'graph', view: { ...view, edges: [{ ...edge, d: 'M0,0 L1,1' }] }, dags: [], uri: 'u', fileName: 'f', keepViewport: true }));
    assert.ok(!isHostMessage({ type: 'graph', view, dags: [], uri: 'u', fileName: 'f', keepViewport: true }), 'path data is only numbers and commands');
    assert.ok(isGraphPanelState({ uri: 'file:///a.py', dagIndex: 0 }));
    assert.ok(!isGraphPanelState({ uri: 'file:///a.py' }));
    const drawn = { type: 'graph', view: { ...view, edges: [] }, dags: [], uri: 'u', fileName: 'f', keepViewport: false };
    assert.ok(isHostMessage({ ...drawn, viewport: { x: -40, y: 12.5, k: 1.5 } }));
    assert.ok(!isHostMessage({ ...drawn, viewport: { x: 0, y: 0, k: 0 } }), 'a scale the page cannot show');
  });

  it('the saved panel state: the file, the DAG and the viewport, read back leniently after a reload', () => {
    const viewport = { x: 37, y: -21, k: 1.75 };
    assert.ok(isViewport(viewport));
    for (const bad of [{ x: 0, y: 0 }, { x: Number.NaN, y: 0, k: 1 }, { x: 0, y: 0, k: 9 }, { x: 1e12, y: 0, k: 1 }, null]) assert.ok(!isViewport(bad), JSON.stringify(bad));
    const state = { uri: 'file:///w/two_dags.py', dagIndex: 1, viewport };
    assert.ok(isGraphPanelState(state));
    assert.ok(isWebviewMessage({ type: 'state', state }));
    assert.ok(isWebviewMessage({ type: 'state', state: { uri: 'file:///w/a.py', dagIndex: 0 } }), 'no viewport while a task is focused');
    assert.ok(!isWebviewMessage({ type: 'state', state: { ...state, viewport: { x: 0, y: 0, k: 'big' } } }));
    assert.deepEqual(readGraphPanelState(state), state);
    // Saved by another version, or damaged: what can be used is kept.
    assert.deepEqual(readGraphPanelState({ uri: 'file:///w/a.py', dagIndex: 2, viewport: { x: 0, y: 0, k: 99 }, extra: true }), { uri: 'file:///w/a.py', dagIndex: 2 });
    for (const bad of [undefined, null, 'file:///w/a.py', { uri: 'file:///w/a.py', dagIndex: -1 }, { dagIndex: 0 }]) assert.equal(readGraphPanelState(bad), undefined, JSON.stringify(bad));
  });
});
