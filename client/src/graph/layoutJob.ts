/**
 * One layout job, from model to view-model: what the layout worker runs, and
 * what the benchmark times. Pure, no `vscode`.
 */
import { layoutGraph } from './layout';
import type { LayoutEngine } from './layout';
import { neighbourhood } from './dagGraph';
import { collapsedGroups } from './groups';
import type { GraphModel } from './dagGraph';
import { viewModelOf } from './graphView';
import type { GraphView } from './graphView';

export interface LayoutRequest {
  id: number;
  model: GraphModel;
  focus: { taskId: string; depth: number } | null;
  /** Groups the user collapsed or expanded, against the default (`collapsedGroups`). */
  toggled?: string[];
  /** Forces a library (the benchmark); otherwise chosen by size. */
  engine?: LayoutEngine;
}

export type LayoutResponse = { id: number; view: GraphView } | { id: number; error: string };

export async function runLayoutJob(request: LayoutRequest): Promise<GraphView> {
  const { model, focus } = request;
  const shown = focus ? neighbourhood(model, focus.taskId, focus.depth) : model;
  // A focus on a task that no longer exists (renamed in an edit) shows the whole DAG.
  const effectiveFocus = focus && shown !== model ? focus : null;
  // The default follows the whole DAG's size, so focusing does not expand what was collapsed.
  const collapsed = collapsedGroups(model, new Set(request.toggled ?? []));
  const layout = await layoutGraph(shown, request.engine, { collapsed });
  return viewModelOf(shown, layout, effectiveFocus, model.nodes.length, collapsed);
}

/**
 * elkjs is compiled from Java and runs several times slower for its first
 * dozen or so layouts, until the JIT has compiled it: a 100-task DAG takes
 * ≈ 0.2 s cold and ≈ 0.05 s warm. The worker spends its idle time after its
 * first job on this many layouts of a small made-up DAG, so the edits that
 * follow are laid out warm (scripts/bench/graph.ts warms the same way).
 */
export const WARM_UP_LAYOUTS = 20;

/** A 60-task DAG with fan-outs, fan-ins and long edges: every step of the layout has work to do. */
export function warmUpModel(): GraphModel {
  const ids = Array.from({ length: 60 }, (_, i) => `warm_up_task_${i}`);
  const edges: GraphModel['edges'] = [];
  for (let i = 1; i < ids.length; i++) {
    edges.push({ from: ids[i % 6 === 0 ? Math.max(0, i - 6) : i - 1], to: ids[i], label: null });
    if (i % 5 === 0) edges.push({ from: ids[Math.floor(i / 3)], to: ids[i], label: null });
  }
  const nodes = ids.map((id) => ({ id, operator: 'BashOperator', kind: 'bash' as const, diagnostics: { errors: 0, warnings: 0, infos: 0 }, groupId: null, decorated: false, mapped: false, branch: false, triggerRule: null }));
  return { dagIndex: 0, dagId: 'warm_up', nodes, edges, groups: [] };
}

/** One warm-up layout, as the panel would lay out a DAG of that size. */
export async function warmUpOnce(): Promise<void> {
  await layoutGraph(warmUpModel());
}
