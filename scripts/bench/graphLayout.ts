/**
 * `npm run bench:graph-layout`: how readable the graph's layout is on a real
 * DAG (test/fixtures/graph/catalog_complex.py, in the shape of Airflow's
 * example_complex.py: ~40 tasks, long ids, fan-outs and long edges), for a few
 * option sets of each layout library. For each it prints
 *
 * - edge crossings (pairs of edge segments that cross, away from shared ends);
 * - total edge length, in layout pixels;
 * - the drawing's size, and the scale "Fit" gives it in a 1000 × 600 panel,
 *   with the task names' resulting size in screen pixels (12 px at scale 1;
 *   the webview hides text below scale 0.35);
 * - the layout time.
 *
 * The option set the panel uses is marked; layout.ts's defaults are the winner.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../core/analysis/analyse';
import { loadPython } from '../../core/analysis/parser';
import { dagsJson } from '../../server/src/features/dagRequests';
import { graphModelOf } from '../../client/src/graph/dagGraph';
import { layoutGraph } from '../../client/src/graph/layout';
import type { Layout, LayoutEngine, Point } from '../../client/src/graph/layout';
import { groupedSections } from '../../test/support/groupedSections';

const FILE = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'graph', 'catalog_complex.py');
const PANEL = { width: 1000, height: 600 };
/** The webview's font size and the scale below which it hides text. */
const FONT_PX = 12;
const LABEL_MIN_SCALE = 0.35;

interface Candidate {
  name: string;
  engine: LayoutEngine;
  tuning: Record<string, string | number>;
}

const CANDIDATES: Candidate[] = [
  { name: 'dagre, layout.ts defaults', engine: 'dagre', tuning: {} },
  { name: 'dagre, ranker longest-path', engine: 'dagre', tuning: { ranker: 'longest-path' } },
  { name: 'dagre, ranker tight-tree', engine: 'dagre', tuning: { ranker: 'tight-tree' } },
  { name: 'dagre, nodesep 10, ranksep 40', engine: 'dagre', tuning: { nodesep: 10, ranksep: 40 } },
  { name: 'elkjs, layout.ts defaults', engine: 'elk', tuning: {} },
  { name: 'elkjs, thoroughness 10', engine: 'elk', tuning: { 'elk.layered.thoroughness': 10 } },
  { name: 'elkjs, network-simplex placement', engine: 'elk', tuning: { 'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX' } },
  { name: 'elkjs, model order kept', engine: 'elk', tuning: { 'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES' } },
  { name: 'elkjs, network-simplex + model order', engine: 'elk', tuning: { 'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX', 'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES' } },
];

function segments(points: Point[]): Array<[Point, Point]> {
  return points.slice(1).map((p, i) => [points[i], p]);
}

function cross(a: [Point, Point], b: [Point, Point]): boolean {
  const d = (p: Point, q: Point, r: Point) => (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
  const d1 = d(b[0], b[1], a[0]);
  const d2 = d(b[0], b[1], a[1]);
  const d3 = d(a[0], a[1], b[0]);
  const d4 = d(a[0], a[1], b[1]);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

export function crossings(layout: Layout): number {
  let count = 0;
  const edges = layout.edges.map((e) => ({ e, segs: segments(e.points) }));
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const a = edges[i];
      const b = edges[j];
      // Edges that share an end meet there by design.
      if (a.e.from === b.e.from || a.e.to === b.e.to || a.e.from === b.e.to || a.e.to === b.e.from) continue;
      if (a.segs.some((s) => b.segs.some((t) => cross(s, t)))) count++;
    }
  }
  return count;
}

export function edgeLength(layout: Layout): number {
  return layout.edges.reduce((sum, e) => sum + segments(e.points).reduce((s, [p, q]) => s + Math.hypot(q.x - p.x, q.y - p.y), 0), 0);
}

/** The webview's fitToView scale. */
export function fitScale(layout: Layout): number {
  return Math.min(PANEL.width / (layout.width + 20), PANEL.height / (layout.height + 20), 1.5);
}

async function main(): Promise<void> {
  await loadPython();
  const models = [
    { name: 'catalog_complex.py (37 tasks)', model: graphModelOf(dagsJson(analyse(readFileSync(FILE, 'utf8')))[0], 0) },
    { name: 'grouped_sections.py with its TaskGroups (11 tasks, 3 groups)', model: graphModelOf(dagsJson(groupedSections())[0], 0) },
  ];
  // Warm both libraries: the panel's worker pays their start-up once.
  for (const engine of ['dagre', 'elk'] as const) await layoutGraph(models[0].model, engine);
  for (const { name, model } of models) {
    console.log(`\n${name}, ${model.edges.length} edges; "Fit" in a ${PANEL.width} × ${PANEL.height} panel`);
    console.log('| options | crossings | edge length | size | fit scale | text at fit | layout |');
    console.log('|---|---|---|---|---|---|---|');
    for (const c of CANDIDATES) {
      const started = performance.now();
      const layout = await layoutGraph(model, c.engine, { tuning: c.tuning });
      const ms = performance.now() - started;
      const k = fitScale(layout);
      const text = k < LABEL_MIN_SCALE ? 'hidden' : `${(FONT_PX * k).toFixed(1)} px`;
      console.log(`| ${c.name} | ${crossings(layout)} | ${Math.round(edgeLength(layout))} | ${Math.round(layout.width)} × ${Math.round(layout.height)} | ${k.toFixed(2)} | ${text} | ${ms.toFixed(0)} ms |`);
    }
  }
}

void main();
