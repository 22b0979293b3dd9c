/** The Outline (each DAG with its tasks) and workspace symbols (any DAG or task by id). */
import { SymbolKind } from 'vscode-languageserver/node';
import type { Connection, DocumentSymbol, DocumentSymbolParams, WorkspaceSymbol, WorkspaceSymbolParams } from 'vscode-languageserver/node';
import type { DagModel, GroupModel, Range, TaskModel } from '../../../core/analysis/model';
import { dagGroups, taskStructure } from '../../../core/graphFields';
import type { Analyses } from '../analyses';
import type { WorkspaceIndex } from '../workspaceIndex';
import { compare, guarded } from './util';
import type { Logger } from './util';

/** Workspace symbol answers stop here: a picker shows no more anyway. */
const MAX_WORKSPACE_SYMBOLS = 500;

function taskSymbol(task: TaskModel): DocumentSymbol {
  return { name: task.taskId, detail: task.operator, kind: SymbolKind.Function, range: task.range, selectionRange: task.taskIdRange };
}

export class DocumentSymbolFeature {
  constructor(private readonly analyses: Analyses, private readonly logger: Logger) {}

  register(connection: Connection): void {
    connection.onDocumentSymbol((params) => guarded(this.logger, 'documentSymbol', [], () => this.provideDocumentSymbols(params)));
  }

  async provideDocumentSymbols({ textDocument }: DocumentSymbolParams): Promise<DocumentSymbol[]> {
    // The resolved view: the outline lists the tasks a file builds dynamically too.
    const analysis = await this.analyses.resolved(textDocument.uri);
    if (!analysis) return [];
    const symbols: DocumentSymbol[] = analysis.dags.map((dag) => ({
      name: dag.dagId ?? '(DAG without dag_id)',
      detail: dag.schedule ?? 'DAG',
      kind: SymbolKind.Module,
      // VS Code finds the symbol at the cursor (breadcrumbs, the Outline following the cursor) by
      // descending only into ranges that contain it, so a DAG's range covers its tasks and dependencies.
      range: cover([dag.range, ...dag.taskIndices.map((i) => analysis.tasks[i].range), ...dag.edges.map((e) => e.range)]),
      selectionRange: dag.idRange ?? dag.nameRange,
      children: groupedSymbols(dag, analysis.tasks),
    }));
    // Tasks of no DAG (VX206) are still in the outline, at the top level.
    for (const task of analysis.tasks) if (task.dagIndex < 0) symbols.push(taskSymbol(task));
    return symbols;
  }
}

/**
 * A DAG's tasks, nested in its TaskGroups as Airflow nests them: a group's
 * symbol holds its tasks and inner groups, and covers them all.
 */
function groupedSymbols(dag: DagModel, tasks: readonly TaskModel[]): DocumentSymbol[] {
  const groups = dagGroups(dag);
  if (groups.length === 0) return dag.taskIndices.map((i) => taskSymbol(tasks[i]));
  const byId = new Map<string, { group: GroupModel; children: DocumentSymbol[] }>();
  for (const group of groups) if (!byId.has(group.id)) byId.set(group.id, { group, children: [] });
  const top: DocumentSymbol[] = [];
  const placed = new Map<string, DocumentSymbol>();
  const symbolOf = (id: string): DocumentSymbol => {
    let symbol = placed.get(id);
    if (symbol) return symbol;
    const { group } = byId.get(id)!;
    symbol = { name: group.id, detail: 'TaskGroup', kind: SymbolKind.Namespace, range: group.range, selectionRange: group.range, children: [] };
    placed.set(id, symbol);
    const parent = group.parentId && byId.has(group.parentId) ? symbolOf(group.parentId) : undefined;
    (parent ? parent.children! : top).push(symbol);
    return symbol;
  };
  for (const group of groups) symbolOf(group.id);
  for (const index of dag.taskIndices) {
    const task = tasks[index];
    const groupId = taskStructure(task).groupId;
    const holder = groupId && byId.has(groupId) ? symbolOf(groupId) : undefined;
    (holder ? holder.children! : top).push(taskSymbol(task));
  }
  // A group covers what it holds, so the symbol at the cursor is found through it.
  const widen = (symbol: DocumentSymbol): Range => {
    if (symbol.kind !== SymbolKind.Namespace || !symbol.children || symbol.children.length === 0) return symbol.range;
    symbol.range = cover([symbol.range, ...symbol.children.map(widen)]);
    return symbol.range;
  };
  top.forEach(widen);
  return top;
}

/** The smallest range holding all of `ranges` (at least one). */
function cover(ranges: readonly Range[]): Range {
  let { start, end } = ranges[0];
  for (const r of ranges) {
    if (compare(r.start, start) < 0) start = r.start;
    if (compare(r.end, end) > 0) end = r.end;
  }
  return { start, end };
}

/** Whether every character of the query appears in the name, in order (how editors filter symbols). */
function matches(query: string, name: string): boolean {
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let at = 0;
  for (const ch of q) {
    at = n.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

export class WorkspaceSymbolFeature {
  constructor(private readonly index: WorkspaceIndex, private readonly logger: Logger) {}

  register(connection: Connection): void {
    connection.onWorkspaceSymbol((params) => guarded(this.logger, 'workspaceSymbol', [], () => this.provideWorkspaceSymbols(params)));
  }

  provideWorkspaceSymbols({ query }: WorkspaceSymbolParams): WorkspaceSymbol[] {
    const found: WorkspaceSymbol[] = [];
    for (const [uri, summary] of this.index.entries()) {
      for (const dag of summary.dags) {
        if (matches(query, dag.dagId)) found.push({ name: dag.dagId, kind: SymbolKind.Module, containerName: 'DAG', location: { uri, range: dag.range } });
      }
      for (const task of summary.tasks) {
        if (matches(query, task.taskId)) found.push({ name: task.taskId, kind: SymbolKind.Function, containerName: task.dagId ?? task.operator, location: { uri, range: task.range } });
      }
      if (found.length >= MAX_WORKSPACE_SYMBOLS) break;
    }
    return found.slice(0, MAX_WORKSPACE_SYMBOLS);
  }
}
