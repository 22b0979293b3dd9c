/**
 * The structure fields of the model (TaskGroups, edge labels, task marks) with
 * their defaults: the analysis model declares them optional, so every reader
 * (the server's graph model, the CLI's JSON and text graphs) takes them from
 * here and sees one answer for "not given".
 */
import type { DagModel, EdgeModel, GroupModel, TaskModel } from './analysis/model';

export interface TaskStructure {
  groupId: string | null;
  decorated: boolean;
  mapped: boolean;
  branch: boolean;
  triggerRule: string | null;
}

export function taskStructure(task: TaskModel): TaskStructure {
  return {
    groupId: task.groupId ?? null,
    decorated: task.decorated ?? false,
    mapped: task.mapped ?? false,
    branch: task.branch ?? false,
    triggerRule: task.triggerRule ?? null,
  };
}

export function edgeLabel(edge: EdgeModel): string | null {
  return edge.label ?? null;
}

export function dagGroups(dag: DagModel): GroupModel[] {
  return dag.groups ?? [];
}
