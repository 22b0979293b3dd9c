/**
 * "Fit" on a real 37-task DAG in the shape of Airflow's example_complex.py
 * (test/fixtures/graph/catalog_complex.py), in the real webview bundle in
 * headless Chromium: task names at Fit are at least 9 px on screen, whole or
 * cut with an ellipsis inside their box, the full id in the tooltip; no two
 * tasks overlap; the drawing starts at its roots, the minimap showing the
 * rest. A graph whose names stay legible whole is shown whole.
 * The screenshot is docs/images/graph-fit-complex.png.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../core/analysis/analyse';
import { dagsJson } from '../../server/src/features/dagRequests';
import { runLayoutJob } from '../../client/src/graph/layoutJob';
import type { HostMessage } from '../../client/src/graph/messages';
import { graphModelOf } from '../../client/src/graph/dagGraph';
import type { GraphModel } from '../../client/src/graph/dagGraph';
import { FIXTURES_DIR } from '../support/fixtures';
import { ARTIFACTS, useGraphBrowser } from './graphPage';
import type { GraphPage } from './graphPage';

const PANEL = { width: 1200, height: 800 };

function fixtureModel(...file: string[]): GraphModel {
  return graphModelOf(dagsJson(analyse(readFileSync(path.join(FIXTURES_DIR, ...file), 'utf8')))[0], 0);
}

async function graphMessage(model: GraphModel): Promise<Extract<HostMessage, { type: 'graph' }>> {
  const view = await runLayoutJob({ id: 0, model, focus: null });
  return { type: 'graph', view, dags: [{ index: 0, label: model.dagId ?? 'DAG' }], uri: 'file:///w/dag.py', fileName: 'dag.py', keepViewport: false };
}

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface DrawnNode {
  id: string;
  /** The node's box on screen. */
  box: Rect;
  /** Each name line: its text, font size on screen (CSS size × the drawing's scale), and its box on screen. */
  lines: Array<{ text: string; px: number; rect: Rect }>;
}

/** What the page shows, measured on screen after layout and transform. */
async function drawn(graph: GraphPage): Promise<{ nodes: DrawnNode[]; canvas: Rect; minimap: boolean }> {
  // A string: the test runner's transpiler adds helpers to named functions that the page lacks.
  return graph.page.evaluate(`(() => {
    const plain = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
    const svg = document.getElementById('graph');
    // The drawing's scale on screen: its drawn width over its own width.
    const scale = svg.getBoundingClientRect().width / Number(svg.getAttribute('width'));
    const nodes = [...document.querySelectorAll('#nodes .node')].map((g) => ({
      id: (g.querySelector('title')?.textContent ?? '').split('\\n')[0],
      box: plain(g.querySelector('rect.box:not(.stack)').getBoundingClientRect()),
      lines: [...g.querySelectorAll('.task-id')].map((t) => ({ text: t.textContent ?? '', px: parseFloat(getComputedStyle(t).fontSize) * scale, rect: plain(t.getBoundingClientRect()) })),
    }));
    return { nodes, canvas: plain(document.getElementById('canvas').getBoundingClientRect()), minimap: !document.getElementById('minimap').hasAttribute('hidden') };
  })()`) as Promise<{ nodes: DrawnNode[]; canvas: Rect; minimap: boolean }>;
}

function inside(inner: Rect, outer: Rect, slack = 0.5): boolean {
  return inner.left >= outer.left - slack && inner.top >= outer.top - slack && inner.right <= outer.right + slack && inner.bottom <= outer.bottom + slack;
}

function overlap(a: Rect, b: Rect): boolean {
  return a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
}

describe('graph webview: Fit keeps task names legible', function () {
  this.timeout(60_000);
  const browser = useGraphBrowser();
  let graph: GraphPage;

  beforeEach(async () => {
    graph = await browser().open(PANEL);
  });
  afterEach(async () => {
    await graph?.close();
  });

  async function pressFit(): Promise<void> {
    // Zoomed out first, so the press has something to undo.
    await graph.page.locator('#zoom-out').click();
    await graph.page.locator('#zoom-out').click();
    const zoomed = await graph.page.locator('#graph').evaluate((e) => (e as HTMLElement).style.transform);
    await graph.page.locator('#fit').click();
    await graph.page.waitForFunction((before) => (document.getElementById('graph') as HTMLElement).style.transform !== before, zoomed);
  }

  it('a 37-task DAG: names at 9 px or more, cut with an ellipsis inside their box, no overlaps, the roots in view', async () => {
    const model = fixtureModel('graph', 'catalog_complex.py');
    assert.equal(model.nodes.length, 37);
    await graph.draw(await graphMessage(model));
    await pressFit();
    const { nodes, canvas, minimap } = await drawn(graph);
    assert.equal(nodes.length, 37);
    const inView = nodes.filter((n) => inside(n.box, canvas));
    assert.ok(inView.length >= 25, `${inView.length} of 37 tasks in view at Fit`);
    for (const n of nodes) {
      for (const line of n.lines) {
        assert.ok(line.px >= 9 - 1e-6, `${n.id}: its name is ${line.px.toFixed(2)} px on screen`);
        assert.ok(line.rect.right <= n.box.right + 0.5, `${n.id}: "${line.text}" stays inside its box`);
      }
      const shown = n.lines.map((l) => l.text.replace(/…$/, '')).join('');
      assert.ok(n.id.startsWith(shown), `${n.id}: shows "${shown}", the start of its id`);
      assert.ok(shown === n.id || n.lines.some((l) => l.text.endsWith('…')), `${n.id}: a cut name ends with an ellipsis`);
    }
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) assert.ok(!overlap(nodes[i].box, nodes[j].box), `${nodes[i].id} and ${nodes[j].id} overlap`);
    }
    const root = nodes.find((n) => n.id === 'create_entry_group');
    assert.ok(root && inside(root.box, canvas), 'the root is in view');
    assert.ok(minimap, 'the minimap shows where the view is in the rest of the DAG');
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-fit-complex.png') });
  });

  it('a DAG whose names stay legible whole is shown whole', async () => {
    await graph.draw(await graphMessage(fixtureModel('seed_example.py')));
    await pressFit();
    const { nodes, canvas, minimap } = await drawn(graph);
    assert.ok(nodes.length > 0);
    for (const n of nodes) {
      assert.ok(inside(n.box, canvas), `${n.id} in view`);
      for (const line of n.lines) assert.ok(line.px >= 9, `${n.id}: ${line.px} px`);
    }
    assert.equal(minimap, false);
  });
});
