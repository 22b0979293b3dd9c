/**
 * The layout benchmark's measures on tiny drawings whose answers are known by
 * hand: the layout options are chosen by these numbers, so they must be right.
 */
import assert from 'node:assert/strict';
import type { Layout, LaidOutEdge, LaidOutNode, Point } from '../../../../client/src/graph/layout';
import { backwardEdges, crossings, edgeLength, edgesThroughNodes, overlappingNodes, segmentsCross, totalEdgeLength, wrapAroundEdges } from '../../../../scripts/bench/layoutMeasures';

function node(id: string, x: number, y: number, width = 40, height = 20): LaidOutNode {
  return { id, x, y, width, height };
}

function edge(from: string, to: string, ...points: Array<[number, number]>): LaidOutEdge {
  return { from, to, points: points.map(([x, y]): Point => ({ x, y })), labelAt: null };
}

function layout(nodes: LaidOutNode[], edges: LaidOutEdge[]): Layout {
  return { width: 400, height: 400, nodes, edges, boxes: [] };
}

describe('layout measures', () => {
  it('segments cross only at a point inside both', () => {
    assert.equal(segmentsCross([{ x: 0, y: 0 }, { x: 10, y: 10 }], [{ x: 0, y: 10 }, { x: 10, y: 0 }]), true);
    assert.equal(segmentsCross([{ x: 0, y: 0 }, { x: 10, y: 0 }], [{ x: 0, y: 5 }, { x: 10, y: 5 }]), false, 'parallel');
    assert.equal(segmentsCross([{ x: 0, y: 0 }, { x: 10, y: 0 }], [{ x: 10, y: 0 }, { x: 20, y: 5 }]), false, 'touching ends');
    assert.equal(segmentsCross([{ x: 0, y: 0 }, { x: 10, y: 0 }], [{ x: 5, y: 0 }, { x: 15, y: 0 }]), false, 'collinear overlap');
    assert.equal(segmentsCross([{ x: 0, y: 0 }, { x: 4, y: 4 }], [{ x: 0, y: 10 }, { x: 10, y: 0 }]), false, 'would cross if longer');
  });

  it('counts crossing pairs of edges: an X is one, a pair crossing twice is one, edges sharing a task none', () => {
    // a and b on the left, c and d on the right: a→d and b→c cross once.
    const x = layout([node('a', 0, 0), node('b', 0, 100), node('c', 200, 0), node('d', 200, 100)], [edge('a', 'd', [40, 10], [200, 110]), edge('b', 'c', [40, 110], [200, 10])]);
    assert.equal(crossings(x), 1);
    // e→f zigzags across g→h twice: still one pair.
    const twice = layout([], [edge('e', 'f', [0, 0], [50, 100], [100, 0]), edge('g', 'h', [0, 50], [100, 50])]);
    assert.equal(crossings(twice), 1);
    // a→d crosses b→c, and a→c shares a task with both: one crossing in all.
    const shared = layout([], [edge('a', 'd', [40, 10], [200, 110]), edge('b', 'c', [40, 110], [200, 10]), edge('a', 'c', [40, 10], [200, 10])]);
    assert.equal(crossings(shared), 1);
    // Three edges straight across, none crossing; then a fourth that cuts all three.
    const straight = [edge('p', 'q', [0, 0], [100, 0]), edge('r', 's', [0, 20], [100, 20]), edge('t', 'u', [0, 40], [100, 40])];
    assert.equal(crossings(layout([], straight)), 0);
    assert.equal(crossings(layout([], [...straight, edge('v', 'w', [50, -10], [50, 50])])), 3);
  });

  it('adds edge lengths along their bends', () => {
    assert.equal(edgeLength(edge('a', 'b', [0, 0], [3, 4])), 5);
    assert.equal(edgeLength(edge('a', 'b', [0, 0], [10, 0], [10, 10])), 20);
    assert.equal(totalEdgeLength(layout([], [edge('a', 'b', [0, 0], [3, 4]), edge('a', 'b', [0, 0], [10, 0], [10, 10])])), 25);
  });

  it('finds edges that run backwards, and edges that swing wide of their ends', () => {
    const back = edge('a', 'b', [0, 0], [50, 0], [30, 10], [80, 10]);
    const forward = edge('a', 'c', [0, 0], [40, 0], [40, 30], [80, 30]);
    const sweep = edge('d', 'e', [0, 100], [20, 100], [20, 300], [180, 300], [180, 110], [200, 110]);
    const l = layout([], [back, forward, sweep]);
    assert.equal(backwardEdges(l, 'right'), 1);
    assert.equal(wrapAroundEdges(l, 'right', 56), 1, 'only the sweep leaves its band by more than a node height');
    assert.equal(backwardEdges(l, 'down'), 1, 'the sweep runs upwards on its way back');
  });

  it('finds overlapping nodes and edges drawn across a task not theirs', () => {
    assert.equal(overlappingNodes([node('a', 0, 0), node('b', 39.5, 0), node('c', 0, 19.5)]), 0, 'a pixel of touch is not an overlap');
    assert.equal(overlappingNodes([node('a', 0, 0), node('b', 20, 10), node('c', 100, 100)]), 1);
    const nodes = [node('a', 0, 0), node('m', 100, 0), node('b', 200, 0)];
    assert.equal(edgesThroughNodes(layout(nodes, [edge('a', 'b', [40, 10], [200, 10])])), 1, 'straight through m');
    assert.equal(edgesThroughNodes(layout(nodes, [edge('a', 'b', [40, 10], [70, 10], [70, 40], [170, 40], [170, 10], [200, 10])])), 0, 'around m');
  });
});
