/**
 * A run's plan: which tasks of a DAG run, with their specs and dependencies,
 * in the Airflow run they belong to (logical date, conf). Built from the
 * analyser's model; the scheduler runs it.
 */
import path from 'node:path';
import { findCycles } from '../analysis/graph';
import type { DagModel, FileAnalysis } from '../analysis/model';
import { makeRunContext, type RunContext } from './runContext';
import { specFromModel, type SpecContext, type TaskRunSpec } from './taskSpec';

export interface PlannedTask {
  spec: TaskRunSpec;
  /** Upstream task ids within the plan. */
  upstream: string[];
}

export interface RunPlan {
  runId: string;
  dagId: string;
  dagFilePath: string;
  /** In source order, which is also the order among tasks ready at the same time. */
  tasks: PlannedTask[];
  /** The Airflow run: logical date, data interval, conf. */
  context: RunContext;
  /**
   * Tasks of the plan an earlier try of this run already settled (a rerun of
   * its failed tasks, a task cleared with its downstream): they keep the
   * state and the XComs they had and do not run again; the others decide by
   * their trigger rules as they would have.
   */
  settled?: SettledTasks;
}

export interface SettledTasks {
  states: Record<string, 'success' | 'failed' | 'upstream_failed' | 'skipped'>;
  /** Task id → key → the JSON value it pushed. */
  xcoms: Record<string, Record<string, unknown>>;
}

/**
 * The whole DAG; one task alone (as `airflow tasks test` does); one task and
 * everything upstream of it; one task and everything downstream of it.
 */
export type TaskSelection =
  | { kind: 'dag' }
  | { kind: 'task'; taskId: string }
  | { kind: 'withUpstream'; taskId: string }
  | { kind: 'withDownstream'; taskId: string };

/** A task and every task downstream of it, by the plan's dependencies. */
export function withDownstream(tasks: readonly PlannedTask[], taskIds: Iterable<string>): Set<string> {
  const downstream = new Map<string, string[]>();
  for (const t of tasks) {
    for (const up of t.upstream) {
      const list = downstream.get(up);
      if (list) list.push(t.spec.taskId);
      else downstream.set(up, [t.spec.taskId]);
    }
  }
  return reachable(downstream, taskIds);
}

/** `start` and every task reachable from it through `next` (each task's downstream tasks, by id). */
export function reachable(next: ReadonlyMap<string, readonly string[]>, start: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (found.has(id)) continue;
    found.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return found;
}

/** A plan that cannot run: unknown or duplicate task ids, or a cycle. */
export class PlanError extends Error {
  override name = 'PlanError';
}

export class CycleError extends PlanError {
  override name = 'CycleError';

  /** The cycle's task ids, the first repeated at the end: `['a', 'b', 'a']`. */
  constructor(readonly cycle: string[]) {
    super(`DAG has a cycle: ${cycle.join(' → ')}`);
  }
}

/** Narrows a plan's tasks to a selection, dropping dependencies on tasks left out. */
function selectTasks(tasks: readonly PlannedTask[], selection: TaskSelection): PlannedTask[] {
  if (selection.kind === 'dag') return [...tasks];
  const byId = new Map(tasks.map((t) => [t.spec.taskId, t]));
  const target = byId.get(selection.taskId);
  if (!target) throw new PlanError(`no task '${selection.taskId}'`);
  const keep = selection.kind === 'withDownstream' ? withDownstream(tasks, [selection.taskId]) : new Set<string>([selection.taskId]);
  if (selection.kind === 'withUpstream') {
    const stack = [...target.upstream];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (keep.has(id)) continue;
      keep.add(id);
      stack.push(...(byId.get(id)?.upstream ?? []));
    }
  }
  return tasks
    .filter((t) => keep.has(t.spec.taskId))
    .map((t) => ({ spec: t.spec, upstream: t.upstream.filter((u) => keep.has(u)) }));
}

/** The plan for a DAG of an analysed file. */
export function planFromModel(
  analysis: FileAnalysis,
  dag: DagModel,
  context: SpecContext,
  selection: TaskSelection = { kind: 'dag' },
  runContext: RunContext = makeRunContext({ schedule: dag.schedule }),
): RunPlan {
  const models = dag.taskIndices.map((i) => analysis.tasks[i]);
  const ids = new Set(models.map((t) => t.taskId));
  const tasks = models.map((task) => ({
    spec: specFromModel(task, dag, context),
    upstream: task.upstream.filter((u) => ids.has(u)),
  }));
  return {
    runId: context.runId,
    dagId: dag.dagId ?? '',
    dagFilePath: path.resolve(context.dagFilePath),
    tasks: selectTasks(tasks, selection),
    context: runContext,
  };
}

/**
 * A cycle among the tasks, or null: the analyser's own cycle search, reported
 * in the order the tasks would run, from the task written first.
 */
export function findCycle(tasks: readonly PlannedTask[]): string[] | null {
  const index = new Map(tasks.map((t, i) => [t.spec.taskId, i]));
  const edges = tasks.flatMap((t, down) => t.upstream.filter((u) => index.has(u)).map((u) => ({ up: index.get(u)!, down })));
  const [cycle] = findCycles(edges);
  if (!cycle) return null;
  const around = cycle.path.slice(0, -1);
  const first = around.indexOf(Math.min(...around));
  const rotated = [...around.slice(first), ...around.slice(0, first)];
  return [...rotated, rotated[0]].map((i) => tasks[i].spec.taskId);
}
