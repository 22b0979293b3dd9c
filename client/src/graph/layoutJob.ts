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
