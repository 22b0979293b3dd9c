/**
 * `npm run bench:graph-layout`: how readable each candidate layout is, on real
 * DAG shapes (scripts/bench/layoutShapes.ts), and what it costs. For each
 * shape and option set it prints
 *
 * - crossings: pairs of edges that cross (edges sharing a task excepted);
 * - edge length: the total, in layout pixels;
 * - backward: edges with a stretch running right to left;
 * - wrap: edges that swing more than a node's height outside the band
 *   between their two tasks (the long sweeps around the drawing);
 * - through: edges drawn across a task that is not theirs;
 * - the drawing's size and aspect ratio (width / height);
 * - fit: the scale that shows the whole drawing in a 1200 × 800 panel, and
 *   the task names' size at that scale (12 px at scale 1; legible from 9 px);
 * - read: how many task names "Fit" shows whole and legible (layoutFit.ts:
 *   the whole drawing, or a legible scale on the roots);
 * - the layout time (median of warm runs).
 *
 * A summary then adds the Airflow shapes up per option set. `layoutChoiceFor`
 * in client/src/graph/layout.ts is what the panel uses; its row is marked ◀.
 * VORTEX_BENCH_LAYOUT_SIZES=100,1000 limits the generated sizes (default
 * 100,150,300,1000,5000).
 */
import { layoutChoiceFor, layoutGraph, READABLE_TUNING } from '../../client/src/graph/layout';
import type { Layout, LayoutEngine } from '../../client/src/graph/layout';
import { fitViewport, LEGIBLE_FONT_PX, rootsOf, TASK_FONT_PX, wholeScale } from '../../client/src/graph/layoutFit';
import { loadPython } from '../../core/analysis/parser';
import { airflowShapes, generatedShape } from './layoutShapes';
import type { Shape } from './layoutShapes';
import { backwardEdges, crossings, edgesThroughNodes, overlappingNodes, totalEdgeLength, wrapAroundEdges } from './layoutMeasures';

const PANEL = { width: 1200, height: 800 };
const SIZES = (process.env.VORTEX_BENCH_LAYOUT_SIZES ?? '100,150,300,1000,5000').split(',').map(Number);

interface Candidate {
  name: string;
  engine: LayoutEngine;
  /** Options on top of layout.ts's own for that library. */
  tuning: Record<string, string | number>;
  /** The largest generated DAG it is tried on (default 100): some take seconds, or overflow the stack, on thousands of tasks. */
  upTo?: number;
}

/** What the panel used before these measurements: dagre up to 500 tasks, else elkjs as below. */
const ELK_BEFORE = { 'elk.spacing.nodeNode': 16, 'elk.layered.spacing.nodeNodeBetweenLayers': 56, 'elk.layered.considerModelOrder.strategy': 'NONE' };
const NS = { 'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX' };
const EDGES_6 = { 'elk.spacing.edgeNode': 8, 'elk.layered.spacing.edgeNodeBetweenLayers': 8, 'elk.spacing.edgeEdge': 6, 'elk.layered.spacing.edgeEdgeBetweenLayers': 6 };
const COMPACT = { 'elk.layered.compaction.postCompaction.strategy': 'EDGE_LENGTH' };
const CANDIDATES: Candidate[] = [
  { name: 'dagre (ranks 40, nodes 12)', engine: 'dagre', tuning: {}, upTo: 1000 },
  { name: 'dagre, tight-tree ranker', engine: 'dagre', tuning: { ranker: 'tight-tree' } },
  { name: 'dagre, longest-path ranker', engine: 'dagre', tuning: { ranker: 'longest-path' } },
  { name: 'elk before (Brandes-Köpf, layers 56, nodes 16)', engine: 'elk', tuning: ELK_BEFORE, upTo: Infinity },
  { name: 'elk before, thoroughness 7', engine: 'elk', tuning: { ...ELK_BEFORE, 'elk.layered.thoroughness': 7 } },
  { name: 'elk before, network simplex', engine: 'elk', tuning: { ...ELK_BEFORE, ...NS }, upTo: 1000 },
  { name: 'elk before, network simplex, model order', engine: 'elk', tuning: { ...ELK_BEFORE, ...NS, 'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES' } },
  { name: 'elk: model order, layers 40, nodes 12', engine: 'elk', tuning: {}, upTo: Infinity },
  { name: 'elk: … + edges 6 apart', engine: 'elk', tuning: EDGES_6, upTo: Infinity },
  { name: 'elk: … + Brandes-Köpf balanced', engine: 'elk', tuning: { 'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED' } },
  { name: 'elk: … + linear segments', engine: 'elk', tuning: { 'elk.layered.nodePlacement.strategy': 'LINEAR_SEGMENTS' } },
  { name: 'elk: … + network simplex', engine: 'elk', tuning: NS },
  { name: 'elk: … + network simplex, compaction', engine: 'elk', tuning: { ...NS, ...COMPACT } },
  { name: 'elk: … + network simplex, edges 6 apart ("readable")', engine: 'elk', tuning: READABLE_TUNING, upTo: 1000 },
  { name: 'readable + compaction', engine: 'elk', tuning: { ...READABLE_TUNING, ...COMPACT } },
  { name: 'readable + polyline edges', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.edgeRouting': 'POLYLINE' } },
  { name: 'readable + merged edges', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.layered.mergeEdges': 'true' } },
  { name: 'readable + top to bottom', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.direction': 'DOWN' } },
  { name: 'readable + longest-path layering', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.layered.layering.strategy': 'LONGEST_PATH' } },
  { name: 'readable + high-degree nodes', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.layered.highDegreeNodes.treatment': 'true' } },
  { name: 'readable + two-sided greedy switch', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.layered.crossingMinimization.greedySwitch.type': 'TWO_SIDED' } },
  { name: 'readable + thoroughness 10', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.layered.thoroughness': 10 } },
  { name: 'readable + node promotion', engine: 'elk', tuning: { ...READABLE_TUNING, 'elk.layered.layering.nodePromotion.strategy': 'DUMMYNODE_PERCENTAGE' } },
];

interface Row {
  shape: Shape;
  candidate: Candidate;
  crossings: number;
  length: number;
  backward: number;
  wrap: number;
  through: number;
  overlaps: number;
  width: number;
  height: number;
  fit: number;
  readable: number;
  ms: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function isChosen(c: Candidate, tasks: number): boolean {
  const chosen = layoutChoiceFor(tasks);
  return chosen.engine === c.engine && JSON.stringify(chosen.tuning) === JSON.stringify(c.tuning);
}

/** Task names shown whole, at a legible size, by "Fit" (see layoutFit.ts). */
function readableAtFit(layout: Layout): number {
  const roots = rootsOf(layout.nodes, layout.edges);
  const v = fitViewport(layout, PANEL, roots);
  return layout.nodes.filter((n) => {
    const left = v.x + n.x * v.k;
    const top = v.y + n.y * v.k;
    return left >= 0 && top >= 0 && left + n.width * v.k <= PANEL.width && top + n.height * v.k <= PANEL.height;
  }).length;
}

type Outcome = Row | { shape: Shape; candidate: Candidate; failed: string };

async function measure(shape: Shape, candidate: Candidate): Promise<Outcome> {
  const tasks = shape.model.nodes.length;
  const runs = tasks >= 5000 ? 1 : tasks >= 1000 ? 3 : 5;
  const times: number[] = [];
  let layout: Layout | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    try {
      layout = await layoutGraph(shape.model, candidate.engine, { tuning: candidate.tuning });
    } catch (error) {
      // elkjs's network simplex recurses once per node: thousands of tasks overflow the stack.
      return { shape, candidate, failed: error instanceof Error ? error.message : String(error) };
    }
    times.push(performance.now() - started);
  }
  if (!layout) throw new Error('no layout');
  const direction = candidate.tuning['elk.direction'] === 'DOWN' || candidate.tuning.rankdir === 'TB' ? 'down' : 'right';
  return {
    shape,
    candidate,
    crossings: crossings(layout),
    length: totalEdgeLength(layout),
    backward: backwardEdges(layout, direction),
    wrap: wrapAroundEdges(layout, direction),
    through: tasks <= 1000 ? edgesThroughNodes(layout) : Number.NaN,
    overlaps: overlappingNodes(layout.nodes),
    width: layout.width,
    height: layout.height,
    fit: wholeScale(layout, PANEL),
    readable: readableAtFit(layout),
    ms: median(times),
  };
}

function printShape(outcomes: Outcome[]): void {
  const { shape } = outcomes[0];
  console.log(`\n${shape.name}, ${shape.model.edges.length} edges; "Fit" in a ${PANEL.width} × ${PANEL.height} panel`);
  console.log('| options | crossings | edge length | backward | wrap | through | size (aspect) | fit scale (text) | read at Fit | layout |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of outcomes) {
    const mark = isChosen(r.candidate, shape.model.nodes.length) ? ' ◀' : '';
    if ('failed' in r) {
      console.log(`| ${r.candidate.name}${mark} | failed: ${r.failed} |`);
      continue;
    }
    const text = `${(TASK_FONT_PX * r.fit).toFixed(1)} px${TASK_FONT_PX * r.fit < LEGIBLE_FONT_PX ? ' ✗' : ''}`;
    const overlaps = r.overlaps > 0 ? ` (${r.overlaps} OVERLAPS)` : '';
    console.log(
      `| ${r.candidate.name}${mark} | ${r.crossings} | ${Math.round(r.length)} | ${r.backward} | ${r.wrap} | ${Number.isNaN(r.through) ? '–' : r.through} | ${Math.round(r.width)} × ${Math.round(r.height)} (${(r.width / r.height).toFixed(1)}) | ${r.fit.toFixed(2)} (${text}) | ${r.readable} of ${shape.model.nodes.length}${overlaps} | ${r.ms.toFixed(0)} ms |`,
    );
  }
}

/** Per option set, the Airflow shapes added up: the figures the choice is made on. */
function printSummary(rows: Row[]): void {
  console.log('\nAirflow shapes added up (length relative to the first option set; fit and read are means of per-shape figures)');
  console.log('| options | crossings | edge length | backward | wrap | through | fit scale | read at Fit | slowest |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const base = new Map(rows.filter((r) => r.candidate === CANDIDATES[0]).map((r) => [r.shape, r.length]));
  for (const c of CANDIDATES) {
    const mine = rows.filter((r) => r.candidate === c);
    const sum = (f: (r: Row) => number): number => mine.reduce((s, r) => s + f(r), 0);
    const mean = (f: (r: Row) => number): number => sum(f) / mine.length;
    const mark = isChosen(c, 40) ? ' ◀' : '';
    console.log(
      `| ${c.name}${mark} | ${sum((r) => r.crossings)} | ${mean((r) => r.length / (base.get(r.shape) ?? r.length)).toFixed(2)} | ${sum((r) => r.backward)} | ${sum((r) => r.wrap)} | ${sum((r) => r.through)} | ${mean((r) => r.fit).toFixed(2)} | ${(100 * mean((r) => r.readable / r.shape.model.nodes.length)).toFixed(0)} % | ${Math.max(...mine.map((r) => r.ms)).toFixed(0)} ms |`,
    );
  }
}

async function main(): Promise<void> {
  await loadPython();
  const shapes = airflowShapes();
  // Warm both libraries: the panel's worker pays their start-up once.
  for (const engine of ['dagre', 'elk'] as const) for (let i = 0; i < 3; i++) await layoutGraph(shapes[0].model, engine);
  const rows: Row[] = [];
  for (const shape of shapes) {
    const mine: Outcome[] = [];
    for (const c of CANDIDATES) mine.push(await measure(shape, c));
    printShape(mine);
    rows.push(...mine.filter((r): r is Row => !('failed' in r)));
  }
  printSummary(rows);
  for (const tasks of SIZES) {
    const shape = generatedShape(tasks);
    const candidates = CANDIDATES.filter((c) => tasks <= (c.upTo ?? 100));
    const mine: Outcome[] = [];
    for (const c of candidates) mine.push(await measure(shape, c));
    printShape(mine);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
