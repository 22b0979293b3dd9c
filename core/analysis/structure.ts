/**
 * A DAG's structure beyond tasks and edges, with Airflow's rules (its
 * task-sdk's `taskgroup.py`, `edges.py`, `get_unique_task_id`):
 *
 * - TaskGroups: a child's id is `"<group id>.<id>"` unless the group says
 *   `prefix_group_id=False`; a nested group's id is prefixed by its parent's
 *   full id; a group id, like a task id, is used once per DAG.
 * - Dependencies with a group: `x >> g` links x to the group's roots (its
 *   tasks with no upstream inside it) and `g >> x` links its leaves to x, as
 *   they are when the dependency is written.
 * - Labels: `a >> Label("x") >> b` is the edge a → b carrying "x".
 */
import type { FileAnalysis, GroupModel, Range } from './model';
import { ModelBuilder } from './builder';
import type { LabelValue, Value } from './values';
import type { GroupCall } from './callChecks';
import type { Scope } from './scope';

/** A TaskGroup as it is built. */
export interface GroupRecord {
  /** Full dotted id (`section_2.inner`). */
  id: string;
  /** Its own id as written (the last segment unless a parent does not prefix). */
  ownId: string;
  /** Index of the enclosing group, or -1. */
  parent: number;
  dag: number;
  /** `prefix_group_id`: whether the ids of its children are prefixed with its id. */
  prefix: boolean;
  /** The tasks in it and in the groups inside it, by index, in the order made. */
  members: number[];
  line: number;
  range: Range;
  /** It holds tasks static analysis cannot see (made in a loop, a helper, a comprehension): its roots and leaves are not known. */
  incomplete: boolean;
}

/** An id without its `__N` suffix. */
function withoutSuffix(id: string): string {
  return id.replace(/__\d+$/, '');
}

/** The highest N of the ids taken as `<id without its suffix>__N`, or 0: what Airflow's suffixing counts from. */
function highestSuffix(ids: ReadonlySet<string>, id: string): number {
  const prefix = `${withoutSuffix(id)}__`;
  let highest = 0;
  for (const taken of ids) {
    if (!taken.startsWith(prefix)) continue;
    const suffix = taken.slice(prefix.length);
    if (/^\d+$/.test(suffix)) highest = Math.max(highest, Number(suffix));
  }
  return highest;
}

export class StructureBuilder extends ModelBuilder {
  protected readonly groups: GroupRecord[] = [];
  /** Each group's id as made, for the call checks (VX201, VX207). */
  protected readonly groupCalls: GroupCall[] = [];
  /** The group of each task made in one, by task index. */
  private readonly taskGroups = new Map<number, number>();
  /** The ids taken in each DAG (tasks' and groups' full ids), by DAG index. */
  private readonly usedIds: Array<Set<string>> = [];

  /**
   * The ids taken in DAG `dag` (its tasks' and groups' full ids), gathered
   * the first time a TaskFlow call or a group asks and kept up to date from
   * then on: a file without either never pays for it.
   */
  protected idsOf(dag: number): Set<string> {
    let ids = this.usedIds[dag];
    if (!ids) {
      ids = new Set(this.dags[dag].taskIndices.map((i) => this.tasks[i].taskId));
      for (const group of this.groups) if (group.dag === dag) ids.add(group.id);
      this.usedIds[dag] = ids;
    }
    return ids;
  }

  /** `child_id`: the full id of `id` made inside group `group` (-1: none). */
  protected childId(group: number, id: string): string {
    if (group < 0) return id;
    const g = this.groups[group];
    return g.prefix ? `${g.id}.${id}` : id;
  }

  /**
   * Records task `index`, made with full id `taskId` in group `group` of DAG
   * `dag`: the group and every group around it count it as a member.
   */
  protected placeTask(index: number, taskId: string, dag: number, group: number): void {
    if (dag >= 0) this.usedIds[dag]?.add(taskId);
    if (group >= 0) this.taskGroups.set(index, group);
    for (let g = group; g >= 0; g = this.groups[g].parent) this.groups[g].members.push(index);
  }

  /** The group task `index` was made in, or -1. */
  protected groupOfTask(index: number): number {
    return this.taskGroups.get(index) ?? -1;
  }

  /**
   * Airflow's `get_unique_task_id` for a TaskFlow call: `id` if its full id is
   * free in the DAG, else the id with the next free `__N` suffix.
   */
  protected uniqueTaskId(dag: number, group: number, id: string): string {
    if (dag < 0) return id;
    const ids = this.idsOf(dag);
    const full = this.childId(group, id);
    if (!ids.has(full)) return id;
    return `${withoutSuffix(id)}__${highestSuffix(ids, full) + 1}`;
  }

  /**
   * A TaskGroup made with own id `ownId` in DAG `dag` inside group `parent`.
   * `addSuffix` (a `@task_group` function's group) gives a taken id the next
   * `__N` suffix; a TaskGroup made by hand with a taken id is an error, as in
   * Airflow (VX201, reported by the call checks). Returns the group's index.
   */
  protected createGroup(ownId: string, idRange: Range, dag: number, parent: number, prefix: boolean, addSuffix: boolean, line: number, range: Range): number {
    let own = ownId;
    let duplicate = false;
    let id = this.childId(parent, own);
    const ids = dag >= 0 ? this.idsOf(dag) : new Set<string>();
    if (ids.has(id)) {
      if (addSuffix) {
        const highest = highestSuffix(ids, id);
        own = highest === 0 ? `${own}__1` : `${withoutSuffix(own)}__${highest + 1}`;
        id = this.childId(parent, own);
      } else {
        duplicate = true;
      }
    }
    ids.add(id);
    this.groupCalls.push({ ownId, id, idRange, duplicate });
    const index = this.groups.length;
    this.groups.push({ id, ownId: own, parent, dag, prefix, members: [], line, range, incomplete: false });
    return index;
  }

  protected override reportDynamic(range: Range, message: string, scope?: Scope): void {
    super.reportDynamic(range, message);
    if (scope) this.markIncomplete(scope.group);
  }

  /** Group `group` and those around it hold tasks static analysis cannot see. */
  protected markIncomplete(group: number): void {
    for (let g = group; g >= 0; g = this.groups[g].parent) this.groups[g].incomplete = true;
  }

  /** The first group a side of a dependency holds whose tasks are not all known, if any. */
  private incompleteGroup(value: Value): GroupRecord | undefined {
    if (value.kind === 'group') return this.groups[value.group].incomplete ? this.groups[value.group] : undefined;
    if (value.kind === 'list') {
      for (const item of value.items) {
        const found = this.incompleteGroup(item);
        if (found) return found;
      }
    }
    return undefined;
  }

  // -- dependencies -----------------------------------------------------------

  /** A group's tasks with no upstream among its own tasks (`roots`), as they are now. */
  protected groupRoots(group: number): number[] {
    return this.groupEnds(group, true);
  }

  /** A group's tasks with no downstream among its own tasks (`leaves`), as they are now. */
  protected groupLeaves(group: number): number[] {
    return this.groupEnds(group, false);
  }

  private groupEnds(group: number, roots: boolean): number[] {
    const members = this.groups[group].members;
    const inside = new Set(members);
    const linked = new Set<number>();
    for (const { up, down } of this.links) {
      if (inside.has(up) && inside.has(down)) linked.add(roots ? down : up);
    }
    return members.filter((m) => !linked.has(m));
  }

  /** The tasks of a dependency's upstream side (`value` in `value >> x`). */
  protected upstreamSide(value: Value): number[] | undefined {
    if (value.kind === 'tasks') return value.tasks;
    if (value.kind === 'group') return this.groupLeaves(value.group);
    if (value.kind === 'list') return value.items.flatMap((item) => this.upstreamSide(item) ?? []);
    return undefined;
  }

  /** The tasks of a dependency's downstream side (`value` in `x >> value`). */
  protected downstreamSide(value: Value): number[] | undefined {
    if (value.kind === 'tasks') return value.tasks;
    if (value.kind === 'group') return this.groupRoots(value.group);
    if (value.kind === 'list') return value.items.flatMap((item) => this.downstreamSide(item) ?? []);
    return undefined;
  }

  /**
   * Whether a value can be one side of a dependency; reports VX302 when it
   * cannot (dynamic values can, silently: nothing is known of them).
   */
  protected dependencySide(value: Value, text: string, range: Range): Value | undefined {
    switch (value.kind) {
      case 'tasks':
      case 'group':
      case 'label':
      case 'list':
        return value;
      default:
        this.operandTasks(value, text, range);
        return undefined;
    }
  }

  /** `up >> down` (or `down << up`), either side a task list, a group or a Label, written at `range`. */
  protected link(up: Value, down: Value, range: Range): void {
    // A group's roots and leaves are only known when all its tasks are: no edge is better than a wrong one.
    const unknown = this.incompleteGroup(up) ?? this.incompleteGroup(down);
    if (unknown) {
      this.reportDynamic(range, `The TaskGroup "${unknown.id}" holds tasks static analysis cannot see, so which of its tasks this dependency joins is known only when the file runs. Runtime resolution (vortex inspect --runtime) can.`);
      return;
    }
    if (down.kind === 'label') {
      const ups = this.upstreamSide(up);
      if (!ups) return;
      down.label.ups.push(...ups);
      if (down.label.downs.length > 0) this.connectAt(ups, down.label.downs, range, down.label.text);
      return;
    }
    if (up.kind === 'label') {
      const downs = this.downstreamSide(down);
      if (!downs) return;
      up.label.downs.push(...downs);
      this.connectAt(up.label.ups, downs, range, up.label.text);
      return;
    }
    const ups = this.upstreamSide(up);
    const downs = this.downstreamSide(down);
    if (ups && downs) this.connectAt(ups, downs, range);
  }

  protected newLabel(text: string | null): LabelValue {
    return { text, ups: [], downs: [] };
  }

  /** The finished model, each DAG with its groups. */
  protected override model(): FileAnalysis {
    for (const group of this.groups) {
      if (group.dag < 0) continue;
      const model: GroupModel = {
        id: group.id,
        parentId: group.parent >= 0 ? this.groups[group.parent].id : null,
        label: group.ownId,
        line: group.line,
        range: group.range,
      };
      (this.dags[group.dag].groups ??= []).push(model);
    }
    return super.model();
  }
}
