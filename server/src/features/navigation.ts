/**
 * Navigation only VORTEX can give: from a task_id string to where the task is
 * used in dependencies (references), and from a task variable inside a
 * dependency expression to the task's definition. Any other position gets
 * null, so Pylance answers for ordinary Python names alone.
 */
import type { Connection, DefinitionParams, Location, ReferenceParams } from 'vscode-languageserver/node';
import type { Node } from '../../../core/analysis/parser';
import type { FileAnalysis, Position, Range, TaskModel } from '../../../core/analysis/model';
import type { Analyses } from '../analyses';
import { taskByVariable } from './hover';
import { contains, guarded } from './util';
import type { Logger } from './util';

export class NavigationFeature {
  constructor(private readonly analyses: Analyses, private readonly logger: Logger) {}

  register(connection: Connection): void {
    connection.onReferences((params) => guarded(this.logger, 'references', null, () => this.provideReferences(params)));
    connection.onDefinition((params) => guarded(this.logger, 'definition', null, () => this.provideDefinition(params)));
  }

  async provideReferences({ textDocument, position, context }: ReferenceParams): Promise<Location[] | null> {
    const { uri } = textDocument;
    const analysis = await this.analyses.analysis(uri);
    const tree = this.analyses.documents.tree(uri);
    if (!analysis || !tree) return null;
    const task = analysis.tasks.find((t) => contains(t.taskIdRange, position));
    if (!task) return null;
    const locations: Location[] = context.includeDeclaration ? [{ uri, range: task.taskIdRange }] : [];
    const seen = new Set<string>();
    for (const range of usesOf(task, analysis, tree.rootNode)) {
      const key = `${range.start.line}:${range.start.character}`;
      if (seen.has(key)) continue;
      seen.add(key);
      locations.push({ uri, range });
    }
    return locations;
  }

  async provideDefinition({ textDocument, position }: DefinitionParams): Promise<Location | null> {
    const { uri } = textDocument;
    const analysis = await this.analyses.analysis(uri);
    const tree = this.analyses.documents.tree(uri);
    const document = this.analyses.documents.get(uri);
    if (!analysis || !tree || !document) return null;
    const node = tree.rootNode.descendantForPosition({ row: position.line, column: position.character });
    // A string naming a task by its full id (`xcom_pull(task_ids="section_1.task_1")`, a branch's return value): the task.
    const string = node?.type === 'string_content' ? node.parent : node?.type === 'string' ? node : null;
    if (string) {
      const value = document.getText().slice(string.startIndex, string.endIndex).replace(/^[rRuU]?(['"]{1,3})([\s\S]*)\1$/, '$2');
      const named = taskById(analysis, value, position);
      return named && !contains(named.taskIdRange, position) ? { uri, range: named.range } : null;
    }
    const inDependency = analysis.dags.some((dag) => dag.edges.some((e) => contains(e.range, position)));
    if (!inDependency) return null;
    if (node?.type !== 'identifier') return null;
    const task = taskByVariable(analysis, document.getText().slice(node.startIndex, node.endIndex), position);
    return task ? { uri, range: task.range } : null;
  }
}

/** The task with full id `id`: of the DAG around `position` first, else of any DAG of the file. */
export function taskById(analysis: FileAnalysis, id: string, position: Position): TaskModel | undefined {
  const matching = analysis.tasks.filter((t) => t.taskId === id);
  if (matching.length <= 1) return matching[0];
  const around = analysis.dags.findIndex((dag) => dag.taskIndices.some((i) => contains(analysis.tasks[i].range, position)) || contains(dag.range, position));
  return matching.find((t) => t.dagIndex === around) ?? matching[0];
}

/**
 * The places the task is named in the dependency expressions that involve it:
 * each use of its variable within those expressions, or the whole expression
 * when the variable is not written there (a list built elsewhere).
 */
function usesOf(task: TaskModel, analysis: FileAnalysis, root: Node): Range[] {
  const dag = analysis.dags[task.dagIndex];
  if (!dag) return [];
  const found: Range[] = [];
  for (const edge of dag.edges) {
    if (edge.upstream !== task.taskId && edge.downstream !== task.taskId) continue;
    const hits = task.variable ? usesOfName(root, edge.range, task.variable) : [];
    if (hits.length === 0) found.push(edge.range);
    found.push(...hits);
  }
  return found;
}

/** The identifiers in `range` that use the variable `name`: not words in comments or strings, not `x.name` or `name=`. */
function usesOfName(root: Node, range: Range, name: string): Range[] {
  const point = (p: Position) => ({ row: p.line, column: p.character });
  const found: Range[] = [];
  for (const node of root.descendantsOfType('identifier', point(range.start), point(range.end))) {
    if (node.text !== name) continue;
    const parent = node.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(node)) continue;
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.equals(node)) continue;
    found.push({ start: { line: node.startPosition.row, character: node.startPosition.column }, end: { line: node.endPosition.row, character: node.endPosition.column } });
  }
  return found;
}
