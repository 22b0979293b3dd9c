/**
 * TaskGroups, edge labels and marks on their way to the graph: the server's
 * JSON of them, the graph model, which groups start collapsed, what a
 * collapsed group stands for, both layout libraries' boxes, and a collapsed
 * group's aggregated run state.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { dagsJson } from '../../../server/src/features/dagRequests';
import { graphModelOf } from '../../../client/src/graph/dagGraph';
import type { GraphModel, GraphNode } from '../../../client/src/graph/dagGraph';
import { COLLAPSE_ABOVE_TASKS, collapsedGroups, displayModelOf, groupKey, taskLabel } from '../../../client/src/graph/groups';
import { BOX_HEADER, layoutGraph } from '../../../client/src/graph/layout';
import { runLayoutJob } from '../../../client/src/graph/layoutJob';
import { aggregateRunState } from '../../../client/src/graph/messages';
import { FIXTURES_DIR } from '../../support/fixtures';
import { groupedSections } from '../../support/groupedSections';

function sections(): GraphModel {
  return graphModelOf(dagsJson(groupedSections())[0], 0);
}

function task(id: string, groupId: string | null): GraphNode {
  return { id, operator: 'BashOperator', kind: 'bash', diagnostics: { errors: 0, warnings: 0, infos: 0 }, groupId, decorated: false, mapped: false, branch: false, triggerRule: null };
}

describe('graph: TaskGroups, labels and marks', () => {
  before(async () => {
    await loadPython();
  });

  it('the server\'s JSON gives every task, edge and DAG the new fields, with defaults for a file without them', () => {
    const [plain] = dagsJson(analyse(readFileSync(path.join(FIXTURES_DIR, 'seed_example.py'), 'utf8')));
    assert.deepEqual(plain.groups, []);
    for (const t of plain.tasks) assert.deepEqual([t.groupId, t.decorated, t.mapped, t.branch, t.triggerRule], [null, false, false, false, null]);
    for (const e of plain.edges) assert.equal(e.label, null);
    const [grouped] = dagsJson(groupedSections());
    assert.deepEqual(grouped.groups.map((g) => [g.id, g.parentId, g.label]), [['section_1', null, 'section_1'], ['section_2', null, 'section_2'], ['section_2.inner_section_2', 'section_2', 'inner_section_2']]);
    const t2 = grouped.tasks.find((t) => t.taskId === 'section_1.task_2');
    assert.deepEqual([t2?.groupId, t2?.mapped], ['section_1', true]);
    assert.equal(grouped.edges.find((e) => e.downstream === 'nothing_to_do')?.label, 'no data');
  });

  it('the graph model keeps known groups, parents first; a task naming an unknown group, or a group cycle, falls back to the top', () => {
    const [dag] = dagsJson(groupedSections());
    const model = graphModelOf(
      {
        ...dag,
        groups: [{ ...dag.groups[2] }, { ...dag.groups[1] }, { ...dag.groups[0], parentId: 'loop_b' }, { ...dag.groups[0], id: 'loop_a', parentId: 'loop_b' }, { ...dag.groups[0], id: 'loop_b', parentId: 'loop_a' }],
        tasks: dag.tasks.map((t) => (t.taskId === 'end' ? { ...t, groupId: 'no_such_group' } : t)),
      },
      0,
    );
    const ids = model.groups.map((g) => g.id);
    assert.ok(ids.indexOf('section_2') < ids.indexOf('section_2.inner_section_2'), 'parent before child');
    assert.equal(model.groups.find((g) => g.id === 'section_1')?.parentId, 'loop_b');
    const loop = model.groups.filter((g) => g.id.startsWith('loop_'));
    assert.equal(loop.filter((g) => g.parentId === null).length, 1, 'a cycle is cut once');
    assert.equal(model.nodes.find((n) => n.id === 'end')?.groupId, null);
  });

  it('groups start expanded up to 60 tasks and collapsed above; a toggle flips one group from that default', () => {
    const small = sections();
    assert.deepEqual([...collapsedGroups(small, new Set())], []);
    assert.deepEqual([...collapsedGroups(small, new Set(['section_2']))], ['section_2']);
    const nodes = Array.from({ length: COLLAPSE_ABOVE_TASKS + 1 }, (_, i) => task(`g.t${i}`, 'g'));
    const big: GraphModel = { dagIndex: 0, dagId: 'big', nodes, edges: [], groups: [{ id: 'g', parentId: null, label: 'g' }, { id: 'h', parentId: null, label: 'h' }] };
    assert.deepEqual([...collapsedGroups(big, new Set())], ['g', 'h']);
    assert.deepEqual([...collapsedGroups(big, new Set(['g']))], ['h']);
    assert.deepEqual([...collapsedGroups({ ...big, nodes: nodes.slice(1) }, new Set())], [], 'exactly 60 tasks stay expanded');
  });

  it('a collapsed group stands for every task inside it, nested ones too; edges follow, merge, and vanish inside it', () => {
    const model = sections();
    const display = displayModelOf(model, new Set(['section_2', 'section_2.inner_section_2']));
    assert.deepEqual(display.collapsed.map((g) => [g.id, g.taskIds.length, g.parent]), [['section_2', 4, null]], 'the inner group is inside the outer, not drawn');
    assert.deepEqual(display.boxes.map((b) => [b.id, b.tasks]), [['section_1', 3]]);
    assert.ok(!display.tasks.some((t) => t.id.startsWith('section_2.')));
    const key = groupKey('section_2');
    assert.deepEqual(display.edges.filter((e) => e.to === key).map((e) => e.from).sort(), ['section_1.task_2', 'section_1.task_3']);
    assert.deepEqual(display.edges.filter((e) => e.from === key).map((e) => e.to), ['end'], 'three edges to end merge into one');
    assert.ok(!display.edges.some((e) => e.from === key && e.to === key));
    // Only the inner group collapsed: it sits in the outer box.
    const inner = displayModelOf(model, new Set(['section_2.inner_section_2']));
    assert.deepEqual(inner.collapsed.map((g) => [g.id, g.parent, g.taskIds.length]), [['section_2.inner_section_2', 'section_2', 3]]);
    assert.equal(inner.tasks.find((t) => t.id === 'section_2.task_1')?.parent, 'section_2');
  });

  it('merged edges keep a label only all of them share', () => {
    const model: GraphModel = {
      dagIndex: 0,
      dagId: 'm',
      nodes: [task('a', null), task('g.x', 'g'), task('g.y', 'g'), task('b', null), task('g.z', 'g')],
      edges: [
        { from: 'a', to: 'g.x', label: 'go' },
        { from: 'a', to: 'g.y', label: 'go' },
        { from: 'b', to: 'g.x', label: 'one' },
        { from: 'b', to: 'g.z', label: 'two' },
      ],
      groups: [{ id: 'g', parentId: null, label: 'g' }],
    };
    const edges = displayModelOf(model, new Set(['g'])).edges;
    assert.deepEqual(edges.map((e) => [e.from, e.label]), [['a', 'go'], ['b', null]]);
  });

  it('a task shows its id without its group\'s prefix', () => {
    assert.equal(taskLabel('section_2.inner.task_3', 'section_2.inner'), 'task_3');
    assert.equal(taskLabel('task_3', 'section_2'), 'task_3', 'an id that does not carry the prefix stays whole');
    assert.equal(taskLabel('section_2.', 'section_2'), 'section_2.');
  });

  for (const engine of ['dagre', 'elk', undefined] as const) {
    it(`${engine ?? 'the panel’s choice'}: each task lies in its box below the header, inner boxes in outer ones, and edges end at the nodes they join`, async () => {
      const model = sections();
      const layout = await layoutGraph(model, engine);
      const boxes = new Map(layout.boxes.map((b) => [b.id, b]));
      assert.equal(boxes.size, 3);
      const inside = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }, top = 0) =>
        a.x >= b.x - 0.5 && a.y >= b.y + top - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
      for (const n of layout.nodes) {
        const groupId = model.nodes.find((m) => m.id === n.id)?.groupId;
        if (groupId) assert.ok(inside(n, boxes.get(groupId)!, BOX_HEADER), `${n.id} in ${groupId}: ${JSON.stringify([n, boxes.get(groupId)])}`);
      }
      assert.ok(inside(boxes.get('section_2.inner_section_2')!, boxes.get('section_2')!));
      const byId = new Map(layout.nodes.map((n) => [n.id, n]));
      for (const e of layout.edges) {
        const last = e.points.at(-1)!;
        const to = byId.get(e.to)!;
        assert.ok(Math.abs(last.x - to.x) <= 2 && last.y >= to.y - 2 && last.y <= to.y + to.height + 2, `${e.from} → ${e.to} ends on ${e.to}'s left side`);
      }
      const labelled = layout.edges.filter((e) => e.labelAt !== null).length;
      assert.equal(labelled, 2);
    });
  }

  it('the layout job collapses by the whole DAG\'s size even when focused, and draws a collapsed group as one node', async () => {
    const view = await runLayoutJob({ id: 0, model: sections(), focus: null, toggled: ['section_2'] });
    assert.deepEqual(view.groups.map((g) => [g.id, g.taskIds.length]), [['section_2', 4]]);
    assert.equal(view.nodes.length, 7);
    assert.equal(view.totalTasks, 11);
    const focused = await runLayoutJob({ id: 0, model: sections(), focus: { taskId: 'section_1.task_1', depth: 1 }, toggled: [] });
    assert.deepEqual(focused.boxes.map((b) => b.id), ['section_1'], 'a box without a task in sight is not drawn');
  });

  it('a collapsed group\'s run state: failed, then running, upstream failed, queued, success, skipped', () => {
    assert.equal(aggregateRunState([]), undefined);
    assert.equal(aggregateRunState([undefined, undefined]), undefined);
    assert.equal(aggregateRunState(['success', 'failed', 'running']), 'failed');
    assert.equal(aggregateRunState(['success', 'running', 'queued']), 'running');
    assert.equal(aggregateRunState(['upstream_failed', 'queued', 'success']), 'upstream_failed');
    assert.equal(aggregateRunState(['queued', 'success', undefined]), 'queued');
    assert.equal(aggregateRunState(['success', 'skipped']), 'success');
    assert.equal(aggregateRunState(['skipped', 'skipped', undefined]), 'skipped');
  });
});
