/**
 * What makes a laid-out DAG readable, measured: the figures
 * `npm run bench:graph-layout` compares option sets by. Pure functions of a
 * `Layout`, so the unit tier checks them on graphs whose answers are known.
 */
import type { Layout, LaidOutEdge, LaidOutNode, Point } from '../../client/src/graph/layout';

type Segment = [Point, Point];

function segmentsOf(points: readonly Point[]): Segment[] {
  return points.slice(1).map((p, i) => [points[i], p]);
}

/** True when the two segments cross at a point inside both (touching ends and collinear overlaps do not count). */
export function segmentsCross(a: Segment, b: Segment): boolean {
  const side = (p: Point, q: Point, r: Point): number => (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
  return side(b[0], b[1], a[0]) * side(b[0], b[1], a[1]) < 0 && side(a[0], a[1], b[0]) * side(a[0], a[1], b[1]) < 0;
}

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function boxOf(points: readonly Point[]): Box {
  return {
    minX: Math.min(...points.map((p) => p.x)),
    minY: Math.min(...points.map((p) => p.y)),
    maxX: Math.max(...points.map((p) => p.x)),
    maxY: Math.max(...points.map((p) => p.y)),
  };
}

function boxesMeet(a: Box, b: Box): boolean {
  return a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY;
}

/**
 * Pairs of edges that cross somewhere. Edges that share a task meet there by
 * design and are not counted; a pair crossing twice counts once.
 */
export function crossings(layout: Layout): number {
  const edges = layout.edges.filter((e) => e.points.length > 1).map((e) => ({ e, segments: segmentsOf(e.points), box: boxOf(e.points) }));
  // Sweep along x: only edges whose extents overlap can cross, which keeps thousands of edges cheap.
  edges.sort((a, b) => a.box.minX - b.box.minX);
  let count = 0;
  for (let i = 0; i < edges.length; i++) {
    const a = edges[i];
    for (let j = i + 1; j < edges.length && edges[j].box.minX <= a.box.maxX; j++) {
      const b = edges[j];
      if (!boxesMeet(a.box, b.box)) continue;
      if (a.e.from === b.e.from || a.e.to === b.e.to || a.e.from === b.e.to || a.e.to === b.e.from) continue;
      if (a.segments.some((s) => b.segments.some((t) => segmentsCross(s, t)))) count++;
    }
  }
  return count;
}

export function edgeLength(edge: Pick<LaidOutEdge, 'points'>): number {
  return segmentsOf(edge.points).reduce((sum, [p, q]) => sum + Math.hypot(q.x - p.x, q.y - p.y), 0);
}

export function totalEdgeLength(layout: Layout): number {
  return layout.edges.reduce((sum, e) => sum + edgeLength(e), 0);
}

export type FlowDirection = 'right' | 'down';

/** Edges with a stretch that runs against the flow (leftwards in a left-to-right drawing) by more than `tolerance` pixels. */
export function backwardEdges(layout: Layout, direction: FlowDirection = 'right', tolerance = 2): number {
  const along = (p: Point): number => (direction === 'right' ? p.x : p.y);
  return layout.edges.filter((e) => segmentsOf(e.points).some(([p, q]) => along(q) < along(p) - tolerance)).length;
}

/**
 * Edges that swing wide of the straight band between their two tasks: across
 * the flow, the path leaves the span of its ends by more than `slack` pixels
 * (a node's height by default). These are the long sweeps around the drawing
 * the eye cannot follow.
 */
export function wrapAroundEdges(layout: Layout, direction: FlowDirection = 'right', slack = 56): number {
  const across = (p: Point): number => (direction === 'right' ? p.y : p.x);
  return layout.edges.filter((e) => {
    if (e.points.length < 2) return false;
    const ends = [across(e.points[0]), across(e.points[e.points.length - 1])];
    const low = Math.min(...ends) - slack;
    const high = Math.max(...ends) + slack;
    return e.points.some((p) => across(p) < low || across(p) > high);
  }).length;
}

/** Node pairs that overlap by more than a pixel each way: a layout must have none. */
export function overlappingNodes(nodes: readonly LaidOutNode[]): number {
  const sorted = [...nodes].sort((a, b) => a.x - b.x);
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    for (let j = i + 1; j < sorted.length && sorted[j].x < a.x + a.width - 1; j++) {
      const b = sorted[j];
      if (b.y < a.y + a.height - 1 && a.y < b.y + b.height - 1) count++;
    }
  }
  return count;
}

/** Edges that run through a task other than their own two. */
export function edgesThroughNodes(layout: Layout, inset = 2): number {
  const nodes = [...layout.nodes].sort((a, b) => a.x - b.x);
  const inside = (s: Segment, n: LaidOutNode): boolean => {
    const box = { minX: n.x + inset, minY: n.y + inset, maxX: n.x + n.width - inset, maxY: n.y + n.height - inset };
    const corners: Point[] = [{ x: box.minX, y: box.minY }, { x: box.maxX, y: box.minY }, { x: box.maxX, y: box.maxY }, { x: box.minX, y: box.maxY }];
    const within = (p: Point): boolean => p.x > box.minX && p.x < box.maxX && p.y > box.minY && p.y < box.maxY;
    if (within(s[0]) || within(s[1])) return true;
    return corners.some((c, i) => segmentsCross(s, [c, corners[(i + 1) % 4]]));
  };
  let count = 0;
  for (const e of layout.edges) {
    const box = boxOf(e.points.length > 0 ? e.points : [{ x: 0, y: 0 }]);
    const segments = segmentsOf(e.points);
    const through = nodes.some((n) => {
      if (n.id === e.from || n.id === e.to || n.x > box.maxX || n.x + n.width < box.minX || n.y > box.maxY || n.y + n.height < box.minY) return false;
      return segments.some((s) => inside(s, n));
    });
    if (through) count++;
  }
  return count;
}
