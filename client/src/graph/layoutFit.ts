/**
 * Where "Fit" puts the graph: the whole drawing when its task names stay
 * legible at the scale that shows it all, else a legible scale on its roots
 * (the user scrolls on from where the DAG starts, with the minimap for the
 * rest) rather than a field of boxes too small to read. Pure and free of the
 * layout libraries: the webview, the benchmark and the unit tests share it.
 */

/** The task name's font size at scale 1 (media/graph/graph.css, `.node text`). */
export const TASK_FONT_PX = 12;
/** The smallest task name, in screen pixels, that still reads. */
export const LEGIBLE_FONT_PX = 9;
/** Below this scale "Fit" stops shrinking. */
export const LEGIBLE_SCALE = LEGIBLE_FONT_PX / TASK_FONT_PX;
/** Fit never enlarges a small graph past this. */
export const MAX_FIT_SCALE = 1.5;
/** Room left between the drawing and the panel's edges. */
export const FIT_PADDING = 10;

export interface Size {
  width: number;
  height: number;
}

export interface Rect extends Size {
  x: number;
  y: number;
}

export interface FitResult {
  /** Translation in screen pixels, then scale. */
  x: number;
  y: number;
  k: number;
  /** True when the whole drawing is in view. */
  whole: boolean;
}

/** The scale that shows the whole drawing in the panel. */
export function wholeScale(graph: Size, panel: Size): number {
  return Math.min(panel.width / (graph.width + 2 * FIT_PADDING), panel.height / (graph.height + 2 * FIT_PADDING), MAX_FIT_SCALE);
}

/** Keeps the drawing's edge from leaving empty room inside the panel when it is larger than the panel. */
function clampAxis(panel: number, extent: number, k: number, offset: number): number {
  if (extent * k + 2 * FIT_PADDING <= panel) return (panel - extent * k) / 2;
  return Math.min(FIT_PADDING, Math.max(panel - extent * k - FIT_PADDING, offset));
}

/**
 * "Fit" for a left-to-right drawing of `graph`'s size in a `panel`; `roots`
 * are the nodes nothing points to. When the whole would be illegible, the
 * view shows the first column of roots at the legible scale: at the left
 * edge, centred across (or from the top when the column is taller than the
 * panel). An axis on which the drawing fits is centred.
 */
export function fitViewport(graph: Size, panel: Size, roots: readonly Rect[]): FitResult {
  const whole = wholeScale(graph, panel);
  if (whole >= LEGIBLE_SCALE) return { k: whole, x: (panel.width - graph.width * whole) / 2, y: (panel.height - graph.height * whole) / 2, whole: true };
  const k = LEGIBLE_SCALE;
  const left = roots.length === 0 ? 0 : Math.min(...roots.map((r) => r.x));
  // The roots in the first column: a root that feeds only a late task is laid out beside it, far right.
  const first = roots.filter((r) => r.x <= left + r.width / 2);
  const top = first.length === 0 ? 0 : Math.min(...first.map((r) => r.y));
  const bottom = first.length === 0 ? 0 : Math.max(...first.map((r) => r.y + r.height));
  const y = (bottom - top) * k + 2 * FIT_PADDING <= panel.height ? panel.height / 2 - ((top + bottom) / 2) * k : FIT_PADDING - top * k;
  return { k, x: clampAxis(panel.width, graph.width, k, FIT_PADDING - left * k), y: clampAxis(panel.height, graph.height, k, y), whole: false };
}

/** Nodes with no incoming edge, among `nodes` (by id), for `fitViewport`. */
export function rootsOf<T extends { id: string }>(nodes: readonly T[], edges: ReadonlyArray<{ to: string }>): T[] {
  const pointedTo = new Set(edges.map((e) => e.to));
  return nodes.filter((n) => !pointedTo.has(n.id));
}
