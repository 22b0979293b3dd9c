/**
 * The panel's layout of a real 37-task DAG in the shape of Airflow's
 * example_complex.py, held to the figures that chose it
 * (scripts/bench/graphLayout.ts): few crossings, no edge across a task, and
 * most task names legible at "Fit" in a 1200 × 800 panel.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { dagsJson } from '../../../server/src/features/dagRequests';
import { graphModelOf } from '../../../client/src/graph/dagGraph';
import { layoutGraph } from '../../../client/src/graph/layout';
import { fitViewport, LEGIBLE_SCALE, rootsOf } from '../../../client/src/graph/layoutFit';
import { crossings, edgesThroughNodes, overlappingNodes, wrapAroundEdges } from '../../../scripts/bench/layoutMeasures';
import { FIXTURES_DIR } from '../../support/fixtures';

describe('graph layout: a 37-task DAG at "Fit"', () => {
  before(async () => {
    await loadPython();
  });

  it('crosses few edges, draws none across a task, and shows most names legibly', async () => {
    const text = readFileSync(path.join(FIXTURES_DIR, 'graph', 'catalog_complex.py'), 'utf8');
    const model = graphModelOf(dagsJson(analyse(text))[0], 0);
    assert.equal(model.nodes.length, 37);
    const layout = await layoutGraph(model);
    assert.equal(overlappingNodes(layout.nodes), 0);
    assert.equal(edgesThroughNodes(layout), 0, 'no edge crosses a task (dagre drew 13)');
    assert.ok(crossings(layout) <= 10, `crossings: ${crossings(layout)} (dagre: 29)`);
    assert.ok(wrapAroundEdges(layout) <= 4, `wrap-around edges: ${wrapAroundEdges(layout)}`);
    const panel = { width: 1200, height: 800 };
    const v = fitViewport(layout, panel, rootsOf(layout.nodes, layout.edges));
    assert.equal(v.k, LEGIBLE_SCALE);
    const inView = layout.nodes.filter((n) => v.x + n.x * v.k >= 0 && v.y + n.y * v.k >= 0 && v.x + (n.x + n.width) * v.k <= panel.width && v.y + (n.y + n.height) * v.k <= panel.height);
    assert.ok(inView.length >= 30, `${inView.length} of 37 names in view at Fit (dagre: 11)`);
  });
});
