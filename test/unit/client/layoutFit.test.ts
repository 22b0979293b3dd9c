/**
 * "Fit": the whole graph when its names stay legible, else a legible scale on
 * the roots, never an edge of the drawing pulled inside the panel.
 */
import assert from 'node:assert/strict';
import { FIT_PADDING, fitViewport, LEGIBLE_FONT_PX, LEGIBLE_SCALE, MAX_FIT_SCALE, rootsOf, TASK_FONT_PX, wholeScale } from '../../../client/src/graph/layoutFit';

const PANEL = { width: 1200, height: 800 };

describe('graph: Fit', () => {
  it('keeps a task name at least 9 px tall', () => {
    assert.equal(LEGIBLE_FONT_PX, 9);
    assert.equal(TASK_FONT_PX * LEGIBLE_SCALE, LEGIBLE_FONT_PX);
  });

  it('shows a graph whole and centred when its names stay legible, enlarging a small one at most 1.5 times', () => {
    const v = fitViewport({ width: 1000, height: 400 }, PANEL, [{ x: 0, y: 0, width: 100, height: 56 }]);
    const k = PANEL.width / (1000 + 2 * FIT_PADDING);
    assert.ok(v.whole);
    assert.ok(Math.abs(v.k - k) < 1e-9);
    assert.ok(Math.abs(v.x - (PANEL.width - 1000 * k) / 2) < 1e-9);
    assert.ok(Math.abs(v.y - (PANEL.height - 400 * k) / 2) < 1e-9);
    assert.equal(fitViewport({ width: 100, height: 60 }, PANEL, []).k, MAX_FIT_SCALE);
  });

  it('stops at the legible scale on a graph too big, with the first column of roots at the left, centred across', () => {
    const graph = { width: 2300, height: 2000 };
    assert.ok(wholeScale(graph, PANEL) < LEGIBLE_SCALE);
    // Two roots in the first column around y = 948, and one far right (a root feeding a late task).
    const roots = [{ x: 16, y: 880, width: 150, height: 56 }, { x: 16, y: 960, width: 150, height: 56 }, { x: 1800, y: 16, width: 150, height: 56 }];
    const v = fitViewport(graph, PANEL, roots);
    assert.equal(v.whole, false);
    assert.equal(v.k, LEGIBLE_SCALE);
    assert.equal(v.x, FIT_PADDING - 16 * LEGIBLE_SCALE, "the first column at the left edge");
    assert.ok(Math.abs(v.y + 948 * LEGIBLE_SCALE - PANEL.height / 2) < 1e-9, `the roots' middle (y 948) is at the panel's middle: ${v.y}`);
  });

  it('never leaves empty room past the drawing when its roots sit at an edge', () => {
    const graph = { width: 3000, height: 2000 };
    const top = fitViewport(graph, PANEL, [{ x: 16, y: 16, width: 150, height: 56 }]);
    assert.equal(top.y, FIT_PADDING, 'the top of the drawing stays at the top');
    const bottom = fitViewport(graph, PANEL, [{ x: 16, y: 1930, width: 150, height: 56 }]);
    assert.equal(bottom.y, PANEL.height - graph.height * LEGIBLE_SCALE - FIT_PADDING, 'the bottom of the drawing stays at the bottom');
  });

  it('centres the axis a too-big graph fits on: a long chain is centred top to bottom', () => {
    const v = fitViewport({ width: 4000, height: 100 }, PANEL, [{ x: 16, y: 22, width: 150, height: 56 }]);
    assert.equal(v.k, LEGIBLE_SCALE);
    assert.equal(v.y, (PANEL.height - 100 * LEGIBLE_SCALE) / 2);
    assert.equal(v.x, FIT_PADDING - 16 * LEGIBLE_SCALE);
  });

  it('finds the roots: nodes no edge points to', () => {
    const nodes = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];
    assert.deepEqual(rootsOf(nodes, [{ to: 'b' }, { to: 'c' }]).map((n) => n.id), ['a', 'd']);
  });
});
