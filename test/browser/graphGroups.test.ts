/**
 * TaskGroups, edge labels and task marks in the real webview bundle in
 * headless Chromium: groups as boxes that collapse and expand by a click (the
 * host's part, re-laying out with the toggled group, is played by the test
 * through the same layout job the worker runs), big DAGs collapsed by default
 * with counts and aggregated run states, edges drawn to a collapsed group,
 * labels as text, marks, and a re-fit when the panel is resized.
 * Screenshots go to test-artifacts/ (two of them are docs/images/graph-groups-*.png).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { dagsJson } from '../../server/src/features/dagRequests';
import { runLayoutJob } from '../../client/src/graph/layoutJob';
import type { HostMessage } from '../../client/src/graph/messages';
import { graphModelOf } from '../../client/src/graph/dagGraph';
import type { GraphModel, GraphNode } from '../../client/src/graph/dagGraph';
import { groupedSections } from '../support/groupedSections';
import { ARTIFACTS, useGraphBrowser } from './graphPage';
import type { GraphPage } from './graphPage';

const HOSTILE = '<img src=x onerror=alert(1)>';

async function graphMessage(model: GraphModel, toggled: string[] = [], keepViewport = false): Promise<Extract<HostMessage, { type: 'graph' }>> {
  const view = await runLayoutJob({ id: 0, model, focus: null, toggled });
  return { type: 'graph', view, dags: [{ index: 0, label: model.dagId ?? 'DAG' }], uri: 'file:///w/dag.py', fileName: 'dag.py', keepViewport };
}

function sectionsModel(labels?: Array<[string, string, string]>): GraphModel {
  return graphModelOf(dagsJson(groupedSections(labels))[0], 0);
}

/** `groups` groups of `size` tasks each, one after another: start → g0 → g1 → … → end. */
function bigGroupedModel(groups: number, size: number): GraphModel {
  const task = (id: string, groupId: string | null): GraphNode => ({
    id,
    operator: 'BashOperator',
    kind: 'bash',
    diagnostics: { errors: 0, warnings: 0, infos: 0 },
    groupId,
    decorated: false,
    mapped: false,
    branch: false,
    triggerRule: null,
  });
  const nodes: GraphNode[] = [task('start', null)];
  const edges: GraphModel['edges'] = [];
  let previous = ['start'];
  for (let g = 0; g < groups; g++) {
    const ids = Array.from({ length: size }, (_, i) => `load_region_${g + 1}.partition_${i + 1}`);
    nodes.push(...ids.map((id) => task(id, `load_region_${g + 1}`)));
    for (const from of previous) for (const to of ids) edges.push({ from, to, label: null });
    previous = ids;
  }
  nodes.push(task('end', null));
  for (const from of previous) edges.push({ from, to: 'end', label: null });
  const groupList = Array.from({ length: groups }, (_, g) => ({ id: `load_region_${g + 1}`, parentId: null, label: `load_region_${g + 1}` }));
  return { dagIndex: 0, dagId: 'regions', nodes, edges, groups: groupList };
}

function box(page: GraphPage, id: string) {
  return page.page.locator('.group-box').filter({ has: page.page.locator('.group-label', { hasText: new RegExp(`^▾ ${id.split('.').at(-1)} ·`) }) });
}

/** A rendered element's bounding box in graph coordinates is not needed: screen boxes compare the same way. */
async function rect(locator: ReturnType<GraphPage['page']['locator']>) {
  const r = await locator.boundingBox();
  assert.ok(r, 'the element is drawn');
  return r;
}

describe('graph webview: TaskGroups, labels and marks', function () {
  this.timeout(60_000);
  const browser = useGraphBrowser();
  let graph: GraphPage;
  const dialogs: string[] = [];

  beforeEach(async () => {
    graph = await browser().open({ width: 1280, height: 560 });
    graph.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterEach(async () => {
    await graph?.close();
  });

  it('draws each group as a box around its tasks, nested boxes inside their parent, tasks named without the group prefix', async () => {
    await graph.draw(await graphMessage(sectionsModel()));
    assert.equal(await graph.page.locator('.group-box').count(), 3);
    assert.deepEqual(await graph.page.locator('.group-label').allTextContents(), ['▾ section_1 · 3', '▾ section_2 · 4', '▾ inner_section_2 · 3']);
    const inner = await rect(box(graph, 'section_2.inner_section_2').locator('.group-frame'));
    const outer = await rect(box(graph, 'section_2').locator('.group-frame'));
    assert.ok(inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height, 'the inner box lies in the outer');
    const task4 = graph.page.locator('.node[aria-label^="section_2.inner_section_2.task_4 "]');
    assert.equal(await task4.locator('.task-id').textContent(), 'task_4');
    const t = await rect(task4.locator('.box'));
    assert.ok(t.x >= inner.x && t.y >= inner.y + 18 && t.x + t.width <= inner.x + inner.width && t.y + t.height <= inner.y + inner.height, 'the task lies in its box, below the header');
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-groups-expanded.png') });
  });

  it('a click on a group header asks to collapse it; collapsed, it is one node with its count and the edges go to it, once each', async () => {
    const model = sectionsModel();
    await graph.draw(await graphMessage(model));
    await box(graph, 'section_2').locator('.group-header').first().click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'toggleGroup', groupId: 'section_2' });
    await graph.draw(await graphMessage(model, ['section_2'], true));
    assert.equal(await graph.page.locator('.group-box').count(), 1, 'section_1 stays a box; section_2 and the group inside it are gone');
    const collapsed = graph.page.locator('.group-node');
    assert.equal(await collapsed.count(), 1);
    assert.equal(await collapsed.locator('.group-title').textContent(), '▸ section_2 (4 tasks)');
    assert.equal(await collapsed.getAttribute('aria-expanded'), 'false');
    assert.equal(await graph.page.locator('.node[aria-label^="section_2.task_1 "]').count(), 0);
    // task_2 and task_3 of section_1 lead into it, it leads to end: three edges, not seven.
    const view = (await graphMessage(model, ['section_2'])).view;
    assert.deepEqual(view.edges.filter((e) => e.toGroup).map((e) => e.from).sort(), ['section_1.task_2', 'section_1.task_3']);
    assert.deepEqual(view.edges.filter((e) => e.fromGroup).map((e) => e.to), ['end']);
    const g = view.groups[0];
    for (const e of view.edges.filter((x) => x.toGroup)) {
      const [x, y] = (e.d.split(' ').at(-1) ?? '').slice(1).split(',').map(Number);
      assert.ok(Math.abs(x - g.x) <= 1 && y >= g.y && y <= g.y + g.height, `the edge from ${e.from} ends on the group's left side (${x},${y})`);
    }
    await collapsed.click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'toggleGroup', groupId: 'section_2' });
    await graph.draw(await graphMessage(model, [], true));
    assert.equal(await graph.page.locator('.group-box').count(), 3, 'expanded again');
  });

  it('collapses every group of a DAG of more than 60 tasks, each node showing its task count and its tasks\' aggregated run state', async () => {
    const model = bigGroupedModel(4, 20);
    await graph.draw(await graphMessage(model));
    assert.equal(await graph.page.locator('.group-box').count(), 0);
    assert.deepEqual(await graph.page.locator('.group-title').allTextContents(), [1, 2, 3, 4].map((i) => `▸ load_region_${i} (20 tasks)`));
    assert.equal(await graph.page.locator('.node:not(.group-node)').count(), 2);
    const ids = (g: number) => Array.from({ length: 20 }, (_, i) => `load_region_${g}.partition_${i + 1}`);
    await graph.send({
      type: 'runStates',
      dagId: 'regions',
      reset: true,
      tasks: [
        { taskId: 'start', state: 'success' },
        ...ids(1).map((taskId) => ({ taskId, state: 'success' as const })),
        ...ids(2).map((taskId, i) => ({ taskId, state: i === 3 ? ('failed' as const) : i < 10 ? ('success' as const) : ('running' as const) })),
        ...ids(3).map((taskId) => ({ taskId, state: 'queued' as const })),
      ],
    });
    const state = (i: number) => graph.page.locator('.group-node').nth(i);
    await graph.page.waitForFunction(() => document.querySelectorAll('.group-node .run-state').length === 3);
    assert.match((await state(0).getAttribute('class')) ?? '', /state-success/);
    assert.equal(await state(0).locator('.run-state text').textContent(), '✓ success · 20 of 20');
    assert.match((await state(1).getAttribute('class')) ?? '', /state-failed/);
    assert.equal(await state(1).locator('.run-state text').textContent(), '✗ failed · 1 of 20');
    assert.equal(await state(2).locator('.run-state text').textContent(), '◷ queued · 20 of 20');
    assert.equal(await state(3).locator('.run-state').count(), 0, 'a group none of whose tasks has a state shows none');
    assert.match((await graph.page.locator('#status').textContent()) ?? '', /82 tasks.* in 4 groups \(4 collapsed\)/);
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-groups-collapsed.png') });
    // The cursor in a task inside a collapsed group marks the group; a search for it names the group.
    await graph.send({ type: 'highlight', taskId: 'load_region_3.partition_2' });
    await graph.page.waitForFunction(() => document.querySelectorAll('.group-node.highlighted').length === 1);
    assert.match((await state(2).getAttribute('class')) ?? '', /highlighted/);
    await graph.page.locator('#search').fill('region_4.partition_7');
    await graph.page.locator('#search').press('Enter');
    assert.match((await graph.page.locator('#status').textContent()) ?? '', /inside the collapsed group load_region_4/);
    // One click expands one group; the others stay collapsed.
    await state(1).click();
    await graph.draw(await graphMessage(model, ['load_region_2'], true));
    assert.equal(await graph.page.locator('.group-box').count(), 1);
    assert.equal(await graph.page.locator('.group-node').count(), 3);
  });

  it('writes edge labels as text on the edge, a hostile one as its very characters', async () => {
    await graph.draw(await graphMessage(sectionsModel([['check_source', 'section_1.task_1', 'data ready'], ['check_source', 'nothing_to_do', HOSTILE]])));
    const labels = await graph.page.locator('.edge-label text').allTextContents();
    assert.deepEqual(labels.sort(), ['<img src=x onerror=alert(1)>', 'data ready'].sort());
    assert.equal(await graph.page.locator('img').count(), 0, 'no element was made from the label');
    assert.deepEqual(dialogs, []);
    // The label sits on its edge: within the bounds of the edge's path.
    const view = (await graphMessage(sectionsModel())).view;
    const edge = view.edges.find((e) => e.label === 'data ready');
    assert.ok(edge?.labelAt);
    const xs = edge.d.split(' ').map((p) => Number(p.slice(1).split(',')[0]));
    assert.ok(edge.labelAt.x >= Math.min(...xs) && edge.labelAt.x <= Math.max(...xs));
  });

  it('marks branch, mapped and decorated tasks, in the drawing and in words', async () => {
    await graph.draw(await graphMessage(sectionsModel()));
    const branch = graph.page.locator('.node[aria-label^="check_source "]');
    assert.equal(await branch.locator('.branch-mark').count(), 1, 'a diamond');
    assert.match((await branch.getAttribute('aria-label')) ?? '', /branch task/);
    const mapped = graph.page.locator('.node[aria-label^="section_1.task_2 "]');
    assert.equal(await mapped.locator('.box.stack').count(), 2, 'a stack of cards');
    assert.match((await mapped.locator('.operator').textContent()) ?? '', /\[ \]$/);
    assert.match((await mapped.locator('title').textContent()) ?? '', /mapped task/);
    const decorated = graph.page.locator('.node[aria-label^="section_1.task_1 "]');
    assert.match((await decorated.locator('.operator').textContent()) ?? '', /^@task /);
    assert.match((await graph.page.locator('.node[aria-label^="section_2.task_1 "] title').textContent()) ?? '', /trigger rule none_failed/);
    const plain = graph.page.locator('.node[aria-label^="start "]');
    assert.equal(await plain.locator('.branch-mark, .box.stack').count(), 0);
    assert.equal(await plain.getAttribute('aria-label'), 'start (EmptyOperator)');
  });

  it('fits the graph again when the panel is resized, until the user zooms or pans', async () => {
    const transform = () => graph.page.locator('#graph').evaluate((e) => (e as HTMLElement).style.transform);
    // Wide enough to show the DAG whole: a narrower panel then fits it smaller, down to the legible scale.
    await graph.page.setViewportSize({ width: 1600, height: 700 });
    await graph.draw(await graphMessage(sectionsModel()));
    const wide = await transform();
    await graph.page.setViewportSize({ width: 700, height: 560 });
    await graph.page.waitForFunction((before) => (document.getElementById('graph') as HTMLElement).style.transform !== before, wide);
    const narrow = await transform();
    const scale = (t: string) => Number(/scale\(([\d.]+)\)/.exec(t)?.[1]);
    assert.ok(scale(narrow) < scale(wide), `fitted smaller: ${wide} → ${narrow}`);
    await graph.page.locator('#zoom-in').click();
    const zoomed = await transform();
    await graph.page.setViewportSize({ width: 1100, height: 560 });
    await graph.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    assert.equal(await transform(), zoomed, 'a zoomed graph stays where the user put it');
    await graph.page.locator('#fit').click();
    const refitted = await transform();
    await graph.page.setViewportSize({ width: 1600, height: 700 });
    await graph.page.waitForFunction((before) => (document.getElementById('graph') as HTMLElement).style.transform !== before, refitted);
  });
});
