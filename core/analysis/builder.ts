/**
 * The model as it is built: DAGs, tasks, dependencies, the names bound at
 * module level and the diagnostics, with positions computed from offsets
 * without asking the tree. The construct handlers (constructs.ts), the
 * expression reader (expressions.ts) and the statement walks (analyser.ts)
 * each extend this, one layer on the other.
 */
import type { Node, TreeCursor } from 'web-tree-sitter';
import type { Argument, DagModel, Diagnostic, DiagnosticCode, FileAnalysis, FixData, LiteralValue, Position, Range } from './model';
import { diagnostic } from '../diagnostics';
import { ArgumentRecord, EdgeRecord, makeRange, NONE, TaskRecord, type CallPositions } from './records';
import { FRAMEWORKS } from './callees';
import type { IndexedEdge } from './graph';
import type { Scope } from './scope';
import type { Binding, Value } from './values';

export function emptyAnalysis(): FileAnalysis {
  return { isDagFile: false, dags: [], tasks: [], diagnostics: [], hasDynamicConstructs: false };
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

/** A `python_callable` naming a function, checked once every name is known (VX204, VX403). */
export interface PendingCallable {
  task: number;
  /** The `python_callable` argument: an identifier. */
  argument: Argument;
  provideContext: boolean;
  /** What the name was bound to where the task was made (functions defined inside a `@dag` function are gone from the module's names by the end). */
  binding: Binding | undefined;
}

export class ModelBuilder {
  protected readonly dags: DagModel[] = [];
  protected readonly tasks: TaskRecord[] = [];
  protected readonly diagnostics: Diagnostic[] = [];
  /** Every name bound at module level (what a `python_callable` may name), to what it was bound last. */
  protected readonly bindings = new Map<string, Binding>();
  protected readonly pendingCallables: PendingCallable[] = [];
  /**
   * The dependencies made so far, by `up * 2^15 + down` while both indices are
   * below 2^15 (small integers V8 keeps unboxed), else in `wideEdgeKeys`.
   */
  protected readonly edgeKeys = new Set<number>();
  protected readonly wideEdgeKeys = new Set<number>();
  /** Every dependency, in the order written: the DAGs' edges, and the few joining tasks of no DAG. */
  protected readonly links: IndexedEdge[] = [];
  protected readonly starImports: string[] = [];
  protected importsFramework = false;
  protected hasDynamic = false;

  /** Start index of each line, for positions computed without asking the tree. */
  protected readonly lineStarts: Int32Array;
  /** Reused to read argument lists (see `ConstructBuilder.readArguments`). */
  protected readonly cursor: TreeCursor;
  protected readonly treeHasError: boolean;

  constructor(
    protected readonly source: string,
    root: Node,
  ) {
    let lines = 1;
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lines++;
    this.lineStarts = new Int32Array(lines);
    for (let i = source.indexOf('\n'), line = 1; i >= 0; i = source.indexOf('\n', i + 1)) this.lineStarts[line++] = i + 1;
    this.cursor = root.walk();
    this.treeHasError = root.hasError;
  }

  /** The line of the last position asked for: positions come in source order, mostly on that line. */
  protected lastLine = 0;

  /** The 0-based line `index` falls on. */
  protected lineOf(index: number): number {
    const starts = this.lineStarts;
    const line = this.lastLine;
    if (index >= starts[line]) {
      if (line + 1 >= starts.length || index < starts[line + 1]) return line;
      if (line + 2 >= starts.length || index < starts[line + 2]) return (this.lastLine = line + 1);
    }
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= index) low = mid;
      else high = mid - 1;
    }
    this.lastLine = low;
    return low;
  }

  protected position(index: number): Position {
    const line = this.lineOf(index);
    return { line, character: index - this.lineStarts[line] };
  }

  /** The index of a position of this source. */
  protected offset(position: Position): number {
    return this.lineStarts[position.line] + position.character;
  }

  protected span(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  protected range(node: Node): Range {
    return this.span(node.startIndex, node.endIndex);
  }

  /** An argument, its positions from offsets; `nameStart` is -1 for a positional argument. */
  protected argument(name: string, value: LiteralValue | undefined, kind: string, nameStart: number, valueStart: number, valueEnd: number): ArgumentRecord {
    const start = nameStart < 0 ? valueStart : nameStart;
    const startLine = this.lineOf(start);
    const valueLine = this.lineOf(valueStart);
    const endLine = this.lineOf(valueEnd);
    const starts = this.lineStarts;
    return new ArgumentRecord(
      name, value, this.source.slice(valueStart, valueEnd), kind,
      startLine, start - starts[startLine], valueLine, valueStart - starts[valueLine], endLine, valueEnd - starts[endLine],
    );
  }

  /** The positions of a call from offsets: the call's start and end, and the end of its callee. */
  protected callPositions(start: number, end: number, calleeEnd: number): CallPositions {
    const line = this.lineOf(start);
    const endLine = this.lineOf(end);
    const operatorEndLine = this.lineOf(calleeEnd);
    const starts = this.lineStarts;
    return { line, character: start - starts[line], endLine, endCharacter: end - starts[endLine], operatorEndLine, operatorEndCharacter: calleeEnd - starts[operatorEndLine] };
  }

  /** The finished model (after the checks), or that of a file that is no DAG file when it imports no framework. */
  protected model(): FileAnalysis {
    this.diagnostics.sort(byPosition);
    return {
      isDagFile: true,
      dags: this.dags,
      tasks: this.tasks,
      diagnostics: this.diagnostics,
      hasDynamicConstructs: this.hasDynamic,
    };
  }

  protected text(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  protected report(code: DiagnosticCode, range: Range, message: string, fix?: FixData): void {
    this.diagnostics.push(diagnostic(code, range, message, fix));
  }

  /** VX404: something static analysis cannot see; `scope` is where it is (the TaskGroups there are then not wholly known). */
  protected reportDynamic(range: Range, message: string, _scope?: Scope): void {
    this.hasDynamic = true;
    this.report('VX404', range, message);
  }

  protected bind(name: string, binding: Binding, scope: Scope): void {
    this.bindings.set(name, scope.dynamic && binding.kind !== 'function' ? { kind: 'dynamic' } : binding);
  }

  // -- bindings ---------------------------------------------------------------

  protected bindingOf(value: Value): Binding {
    switch (value.kind) {
      case 'tasks':
      case 'dag':
      case 'group':
      case 'decorated':
      case 'partial':
      case 'dynamic':
        // These values have the shape of the binding they make: no copy needed.
        return value;
      default:
        return { kind: 'other' };
    }
  }

  protected bindName(name: string, binding: Binding, scope: Scope): void {
    if (binding.kind === 'tasks' && binding.tasks.length === 1) this.tasks[binding.tasks[0]].variable ??= name;
    if (binding.kind === 'dag') this.dags[binding.dag].variable ??= name;
    this.bind(name, binding, scope);
  }

  /** What a name evaluates to, for dependencies. */
  protected nameValue(name: string): Value {
    const binding = this.bindings.get(name);
    if (!binding) return { kind: 'notTask', reason: `"${name}" is not defined` };
    switch (binding.kind) {
      case 'tasks':
      case 'dag':
      case 'group':
      case 'decorated':
      case 'partial':
      case 'dynamic':
        // These bindings have the shape of the value they stand for: no copy needed.
        return binding;
      case 'import':
        return FRAMEWORKS.has(binding.qualified.split('.')[0]) ? { kind: 'notTask', reason: `"${name}" is an import` } : { kind: 'dynamic' };
      case 'function':
        return { kind: 'notTask', reason: `"${name}" is a function` };
      case 'operatorClass':
        return { kind: 'notTask', reason: `"${name}" is an operator class: call it to make a task` };
      case 'literal':
        return { kind: 'notTask', reason: `"${name}" is ${describeLiteral(binding.value)}` };
      case 'dict':
        return { kind: 'notTask', reason: `"${name}" is a dictionary` };
      default:
        return { kind: 'notTask', reason: `"${name}" is not a task` };
    }
  }

  /** The literal a name is bound to, if any (module-level constants). */
  protected literalOf(name: string): LiteralValue | undefined {
    const binding = this.bindings.get(name);
    return binding?.kind === 'literal' ? binding.value : undefined;
  }

  // -- dependencies -----------------------------------------------------------

  /** A dependency from task `up` to task `down`, written at the range given as its four numbers. */
  protected addEdge(up: number, down: number, startLine: number, startCharacter: number, endLine: number, endCharacter: number, label: string | null = null): void {
    const a = this.tasks[up];
    const b = this.tasks[down];
    if (up === down) {
      this.report('VX303', makeRange(startLine, startCharacter, endLine, endCharacter), `The task "${a.taskId}" is made its own ${'upstream'}: a task cannot depend on itself.`);
      return;
    }
    if (a.dagIndex !== b.dagIndex && a.dagIndex >= 0 && b.dagIndex >= 0) {
      const da = this.dags[a.dagIndex].dagId ?? '?';
      const db = this.dags[b.dagIndex].dagId ?? '?';
      this.report('VX304', makeRange(startLine, startCharacter, endLine, endCharacter), `"${a.taskId}" (DAG "${da}") and "${b.taskId}" (DAG "${db}") are in different DAGs: dependencies can only join tasks of one DAG.`);
      return;
    }
    const dag = a.dagIndex >= 0 ? a.dagIndex : b.dagIndex;
    const keys = up < 0x8000 && down < 0x8000 ? this.edgeKeys : this.wideEdgeKeys;
    const key = keys === this.edgeKeys ? up * 0x8000 + down : up * 0x100000000 + down;
    if (keys.has(key)) {
      // Written again through a Label: the edge takes its text, as Airflow's edge info does.
      if (label !== null && dag >= 0) {
        const edge = (this.dags[dag].edges as EdgeRecord[]).find((e) => e.up === up && e.down === down);
        if (edge) edge.label = label;
      }
      return;
    }
    keys.add(key);
    if (dag >= 0) {
      const edge = new EdgeRecord(a.taskId, b.taskId, up, down, startLine, startCharacter, endLine, endCharacter);
      if (label !== null) edge.label = label;
      this.dags[dag].edges.push(edge);
      this.links.push(edge);
    } else {
      this.links.push({ up, down });
    }
  }

  protected connect(ups: number[], downs: number[], startLine: number, startCharacter: number, endLine: number, endCharacter: number, label: string | null = null): void {
    for (let i = 0; i < ups.length; i++) for (let j = 0; j < downs.length; j++) this.addEdge(ups[i], downs[j], startLine, startCharacter, endLine, endCharacter, label);
  }

  protected connectAt(ups: number[], downs: number[], range: Range, label: string | null = null): void {
    this.connect(ups, downs, range.start.line, range.start.character, range.end.line, range.end.character, label);
  }

  /**
   * Fills each task's upstream and downstream ids, in the order the
   * dependencies were written, into arrays of the exact length (pushing one
   * by one left most of each array's room unused).
   */
  protected linkTasks(): void {
    const { tasks, links } = this;
    // How many ids each list gets, then how many it has so far.
    const ups = new Int32Array(tasks.length);
    const downs = new Int32Array(tasks.length);
    for (let i = 0; i < links.length; i++) {
      downs[links[i].up]++;
      ups[links[i].down]++;
    }
    const upsFilled = new Int32Array(tasks.length);
    const downsFilled = new Int32Array(tasks.length);
    for (let i = 0; i < links.length; i++) {
      const { up, down } = links[i];
      const a = tasks[up];
      const b = tasks[down];
      // A list of one (most) is made whole; longer ones are filled in place.
      if (downs[up] === 1) {
        a.downstream = [b.taskId];
      } else {
        if (a.downstream === NONE) a.downstream = new Array<string>(downs[up]);
        a.downstream[downsFilled[up]++] = b.taskId;
      }
      if (ups[down] === 1) {
        b.upstream = [a.taskId];
      } else {
        if (b.upstream === NONE) b.upstream = new Array<string>(ups[down]);
        b.upstream[upsFilled[down]++] = a.taskId;
      }
    }
  }


  protected operandTasks(value: Value, text: string, range: Range): number[] | undefined {
    switch (value.kind) {
      case 'tasks':
        return value.tasks;
      case 'dag':
        this.report('VX302', range, `"${text.slice(0, 40)}" is a DAG, not a task: dependencies join tasks.`);
        return undefined;
      case 'notTask':
        this.report('VX302', range, `${capitalise(value.reason)}: only tasks can be used in dependencies.`);
        return undefined;
      case 'decorated':
        this.report('VX302', range, `"${text.slice(0, 40)}" is a decorated function, not a task: call it (${value.fn.name}()) to make one.`);
        return undefined;
      case 'partial':
        this.report('VX302', range, `"${text.slice(0, 40)}" is a partial task, not a task: call .expand(...) on it to make the mapped task.`);
        return undefined;
      default:
        return undefined;
    }
  }

}

function describeLiteral(value: LiteralValue): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (Array.isArray(value)) return 'a list of values';
  if (value === null) return 'None';
  return typeof value === 'boolean' ? 'a boolean' : 'a dictionary';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

