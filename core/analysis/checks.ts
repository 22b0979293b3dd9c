/**
 * The checks, each a pass of its own over the finished model (every name
 * bound, every task and dependency made), run in the order of `FILE_CHECKS`:
 * those of each construct's own call (callChecks.ts), then VX204 and VX403
 * (python_callable), VX102 and VX201 (duplicate ids), VX301 (cycles), VX401
 * (XCom).
 */
import type { Node } from 'web-tree-sitter';
import type { DagModel, Range, TaskModel } from './model';
import { CALL_CHECKS, type CallFacts } from './callChecks';
import { CONTEXT_PARAMETER_NAMES } from './operators';
import { makeRange, type EdgeRecord, type TaskRecord } from './records';
import { findCycles } from './graph';
import type { PendingCallable } from './builder';
import type { Binding } from './values';

/** What the checks read of a finished analysis (and of the calls that made it), and how they report. */
export interface FinishedModel extends CallFacts {
  readonly root: Node;
  /** Every name bound at module level, to what it was bound last. */
  readonly bindings: ReadonlyMap<string, Binding>;
  /** Every `python_callable` that names a function. */
  readonly pendingCallables: readonly PendingCallable[];
  /** The range of a node of this source. */
  range(node: Node): Range;
}

export type FileCheck = (model: FinishedModel) => void;

function textOf(model: FinishedModel, node: Node): string {
  return model.source.slice(node.startIndex, node.endIndex);
}

function checkCallables(model: FinishedModel): void {
  // Each function's parameters are read from the tree once, however many tasks call it.
  const parametersOf = new Map<Node, Array<{ type: string; name: string; text: string; range: Range }>>();
  for (const pending of model.pendingCallables) {
    const callable = pending.argument.text;
    const binding = pending.binding ?? model.bindings.get(callable);
    if (!binding) {
      model.report('VX204', pending.argument.valueRange, `python_callable "${callable}" is neither defined nor imported in this file: define the function (def ${callable}(): ...) or import it.`);
      continue;
    }
    if (binding.kind !== 'function') continue;
    let parameters = parametersOf.get(binding.node);
    if (!parameters) {
      parameters = readParameters(model, binding.node);
      parametersOf.set(binding.node, parameters);
    }
    for (const { type, name, text, range } of parameters) {
      const contextSplat = type === 'dictionary_splat_pattern' && (name === 'context' || pending.provideContext);
      if (contextSplat || (type !== 'dictionary_splat_pattern' && type !== 'list_splat_pattern' && CONTEXT_PARAMETER_NAMES.has(name))) {
        model.report('VX403', makeRange(range.start.line, range.start.character, range.end.line, range.end.character), `"${text}" takes Airflow's execution context: a local run passes it to "${callable}" at run time, as Airflow does.`);
      }
    }
  }
}

/** The parameters of a function definition: each one's node type, name, text and range. */
function readParameters(model: FinishedModel, definition: Node): Array<{ type: string; name: string; text: string; range: Range }> {
  const found: Array<{ type: string; name: string; text: string; range: Range }> = [];
  for (const param of definition.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!param) continue;
    const nameNode = param.type === 'identifier' ? param : param.type === 'dictionary_splat_pattern' ? param.namedChild(0) : param.childForFieldName('name') ?? param.namedChild(0);
    if (!nameNode) continue;
    found.push({ type: param.type, name: textOf(model, nameNode), text: textOf(model, param), range: model.range(param) });
  }
  return found;
}

function checkDuplicates(model: FinishedModel): void {
  const seenDags = new Map<string, DagModel>();
  for (const dag of model.dags) {
    if (dag.dagId === null) continue;
    const first = seenDags.get(dag.dagId);
    if (first) {
      model.report('VX102', dag.idRange ?? dag.nameRange, `The dag_id "${dag.dagId}" is already defined on line ${first.line + 1}: each DAG needs its own dag_id.`);
    } else {
      seenDags.set(dag.dagId, dag);
    }
  }
  for (const dag of model.dags) {
    const ids = new Map<string, TaskModel>();
    // Every id of the DAG, so that a suggested id is free; only made once a duplicate is found.
    let all: Set<string> | undefined;
    for (let i = 0; i < dag.taskIndices.length; i++) {
      const task = model.tasks[dag.taskIndices[i]];
      const first = ids.get(task.taskId);
      if (!first) {
        ids.set(task.taskId, task);
        continue;
      }
      all ??= new Set(dag.taskIndices.map((index) => model.tasks[index].taskId));
      // The fix renames the id as written; inside a TaskGroup the full id has the group's prefix.
      const own = (task as TaskRecord).ownId ?? task.taskId;
      const prefix = task.taskId.slice(0, task.taskId.length - own.length);
      let n = 2;
      while (all.has(`${prefix}${own}_${n}`)) n++;
      const suggestion = `${own}_${n}`;
      all.add(`${prefix}${suggestion}`);
      model.report('VX201', task.taskIdRange, `The task_id "${task.taskId}" is already used on line ${first.line + 1} of this DAG: task ids must be unique within a DAG (for example "${suggestion}").`, {
        kind: 'renameTaskId',
        suggestion,
      });
    }
  }
}

function checkCycles(model: FinishedModel): void {
  for (let d = 0; d < model.dags.length; d++) {
    // The analyser makes every edge of a DAG an EdgeRecord.
    for (const cycle of findCycles(model.dags[d].edges as EdgeRecord[])) {
      const names = cycle.path.map((i) => model.tasks[i].taskId);
      model.report('VX301', cycle.closing.range, `These dependencies form a cycle: ${names.join(' → ')}. A DAG cannot loop: remove one of these dependencies.`);
    }
  }
}

function reportXcom(model: FinishedModel): void {
  const pattern = /\bxcom_(push|pull)\b/g;
  for (let match = pattern.exec(model.source); match; match = pattern.exec(model.source)) {
    const node = model.root.descendantForIndex(match.index, match.index + match[0].length);
    if (node?.type !== 'identifier') continue; // in a comment or a string
    model.report('VX401', model.range(node), `XCom (${match[0]}): a local run passes XCom between the tasks of the run, as Airflow does.`);
  }
}

/** The checks of a finished model, in the order they run (which orders diagnostics at one position): each call's, then the file's. */
export const FILE_CHECKS: readonly FileCheck[] = [...CALL_CHECKS, checkCallables, checkDuplicates, checkCycles, reportXcom];
