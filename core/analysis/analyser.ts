/**
 * The statement walks: one pass over the statements of the module (and of
 * the blocks that can hold DAG constructs: `with`, `if`, `try`, loops), each
 * block in its scope (scope.ts), building DAGs, tasks and dependencies;
 * function bodies are only searched for operator calls, which are dynamic
 * (VX404). The checks that need the finished model then run as passes of
 * their own (checks.ts). The walks are iterative, since blocks nest without
 * bound.
 */
import type { Node } from 'web-tree-sitter';
import type { FileAnalysis } from './model';
import type { StatementReader } from './simpleStatements';
import { FRAMEWORKS } from './callees';
import { FILE_CHECKS, type FinishedModel } from './checks';
import { emptyAnalysis } from './builder';
import type { Binding } from './values';
import { literalValue } from './literals';
import { conditionalScope, functionScope, loopScope, moduleScope, unknownWithScope, withScope, type Scope } from './scope';
import type { StatementCache } from './statementCache';
import { TextStatements, TreeMismatch } from './textStatements';

/** `if __name__ == "__main__":`, in either order and quoting. */
const MAIN_GUARD = /^\s*(__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__)\s*$/;

/** What tree-sitter-python skips as whitespace beyond ASCII (its extras: `\\s` and three zero-width characters). */
const EXTRA_WHITESPACE = /[\s\uFEFF\u2060\u200B]/;

const EXPRESSION_TYPES = new Set([
  'call', 'binary_operator', 'assignment', 'identifier', 'list', 'tuple', 'parenthesized_expression', 'attribute', 'keyword_argument',
]);

/** A block to walk next, and the scope it is in. */
interface Block {
  node: Node;
  scope: Scope;
}

export class Analyser extends TextStatements {
  constructor(
    source: string,
    protected readonly root: Node,
    reader: StatementReader,
    simpleStatements: boolean,
    statementCache: StatementCache | undefined,
    /** Walk blocks by their text where the tree has no errors (see `walkText`). */
    protected readonly textWalk: boolean,
  ) {
    super(source, root, reader, simpleStatements, statementCache);
  }

  run(): FileAnalysis {
    try {
      return this.analyse();
    } finally {
      this.cursor.delete();
      this.statementCache?.finish(this.lineStarts.length);
    }
  }

  protected analyse(): FileAnalysis {
    this.walkStatements(this.root, moduleScope());
    if (!this.importsFramework) return emptyAnalysis();
    this.reportUncalledDagFunctions();
    this.linkTasks();
    const finished: FinishedModel = {
      source: this.source,
      root: this.root,
      dags: this.dags,
      tasks: this.tasks,
      bindings: this.bindings,
      pendingCallables: this.pendingCallables,
      dagCalls: this.dagCalls,
      taskCalls: this.taskCalls,
      groupCalls: this.groupCalls,
      position: (offset) => this.position(offset),
      offset: (position) => this.offset(position),
      range: (node) => this.range(node),
      report: (code, range, message, fix) => this.report(code, range, message, fix),
    };
    for (const check of FILE_CHECKS) check(finished);
    return this.model();
  }

  protected walkBody(body: Node, scope: Scope): void {
    this.walkStatements(body, scope);
  }

  /** Walks the statements of a block in source order; iterative, since blocks nest without bound. */
  protected walkStatements(block: Node, scope: Scope): void {
    if (this.textWalk && this.simpleStatements && !this.treeHasError) this.walkText(block, scope);
    else this.walkTree(block, scope);
  }

  /**
   * Walks a block by its text, asking the tree only for the statements that
   * are not simple (see simpleStatements.ts): most statements of a large file
   * are, and a crossing into wasm for each node property was the largest cost
   * of analysing one. Blank lines, comments and `;` are skipped.
   *
   * Only trees without errors are walked this way, where Python's own rules
   * settle where each statement starts and ends: after a finished statement
   * the next one starts at the next character that is not blank nor a comment,
   * and a simple statement ends at the first line break outside brackets (it
   * holds no backslash and no string spanning lines). Each statement the tree
   * is asked for must start where the text says; if one ever does not,
   * TreeMismatch makes the whole file be analysed again with the tree walk.
   */
  protected walkText(block: Node, scope: Scope): void {
    const stack = [{ block, at: block.startIndex, end: block.endIndex, scope }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const at = this.skipTrivia(frame.at, frame.end);
      if (at >= frame.end) {
        stack.pop();
        continue;
      }
      const end = this.textStatement(at, frame.end, frame.scope);
      if (end >= 0) {
        frame.at = end;
        continue;
      }
      const node = frame.block.firstNamedChildForIndex(at);
      if (!node || node.startIndex !== at) throw new TreeMismatch();
      frame.at = node.endIndex;
      if (node.type === 'expression_statement' && this.treeStatement(at, frame.at, frame.scope)) continue;
      const nested = this.statement(node, frame.scope);
      if (!nested) continue;
      // The first nested block goes on top, so blocks run in the order written.
      for (let i = nested.length - 1; i >= 0; i--) {
        const { node: inner, scope: innerScope } = nested[i];
        stack.push({ block: inner, at: inner.startIndex, end: inner.endIndex, scope: innerScope });
      }
    }
  }

  /** The first offset from `at` (up to `end`) that is not blank, a line break, a comment or a `;`. */
  protected skipTrivia(at: number, end: number): number {
    const { source } = this;
    let i = at;
    while (i < end) {
      const c = source.charCodeAt(i);
      if (c === 32 || (c >= 9 && c <= 13) || c === 59) {
        i++;
      } else if (c === 35) {
        const lineBreak = source.indexOf('\n', i);
        i = lineBreak < 0 ? end : lineBreak;
      } else if (c > 127 && EXTRA_WHITESPACE.test(source[i])) {
        i++;
      } else {
        break;
      }
    }
    return i;
  }
  /** Walks a block node by node with a cursor: for trees with errors, and to check the text walk in tests. */
  protected walkTree(block: Node, scope: Scope): void {
    // Each block is read with its own cursor, which makes no Node object for
    // statements that can be read from their text.
    const open = (node: Node, s: Scope) => {
      const cursor = node.walk();
      return { cursor, scope: s, started: false };
    };
    const stack = [open(block, scope)];
    try {
      while (stack.length > 0) {
        const frame = stack[stack.length - 1];
        const moved = frame.started ? frame.cursor.gotoNextSibling() : frame.cursor.gotoFirstChild();
        frame.started = true;
        if (!moved) {
          stack.pop()!.cursor.delete();
          continue;
        }
        const cursor = frame.cursor;
        if (!cursor.nodeIsNamed) continue;
        if (cursor.nodeType === 'expression_statement' && this.simpleStatements && !this.treeHasError && this.treeStatement(cursor.startIndex, cursor.endIndex, frame.scope)) continue;
        const nested = this.statement(cursor.currentNode, frame.scope);
        if (!nested) continue;
        // The first nested block goes on top, so blocks run in the order written.
        for (let i = nested.length - 1; i >= 0; i--) stack.push(open(nested[i].node, nested[i].scope));
      }
    } finally {
      for (const frame of stack) frame.cursor.delete();
    }
  }


  /**
   * Handles one statement; returns the blocks inside it that must be walked
   * next (each with its scope), or undefined.
   */
  protected statement(node: Node, scope: Scope): Block[] | undefined {
    switch (node.type) {
      case 'import_statement':
        this.importStatement(node);
        return undefined;
      case 'import_from_statement':
        this.importFrom(node);
        return undefined;
      case 'expression_statement': {
        // In a tree without errors `walkStatements` has already tried the text.
        // Statements tree-sitter could not parse cleanly (MISSING nodes) always take the tree walk.
        const simple = this.simpleStatements && this.treeHasError && !node.hasError && this.reader.readStatement(this.source, node.startIndex, node.endIndex);
        if (simple && this.simpleStatement(this.prepareReading(false), scope)) return undefined;
        for (const child of node.namedChildren) if (child) this.expression(child, scope, 0);
        return undefined;
      }
      case 'with_statement':
        return this.withStatement(node, scope);
      case 'if_statement': {
        const condition = node.childForFieldName('condition');
        // What runs only as a script (`dag.test()`) is not what Airflow loads.
        if (condition && MAIN_GUARD.test(this.text(condition))) return undefined;
        const blocks: Block[] = [];
        const inBranch = conditionalScope(scope);
        const consequence = node.childForFieldName('consequence');
        if (consequence) blocks.push({ node: consequence, scope: inBranch });
        for (const alt of node.childrenForFieldName('alternative')) {
          const body = alt?.childForFieldName('consequence') ?? alt?.childForFieldName('body');
          if (body) blocks.push({ node: body, scope: inBranch });
        }
        return blocks;
      }
      case 'try_statement': {
        const blocks: Block[] = [];
        const inBranch = conditionalScope(scope);
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'block') blocks.push({ node: child, scope: inBranch });
          else {
            const body = child.namedChildren.find((n) => n?.type === 'block');
            if (body) blocks.push({ node: body, scope: inBranch });
          }
        }
        return blocks;
      }
      case 'return_statement': {
        const value = node.namedChildren.find((c) => c && c.type !== 'comment');
        if (value && this.returns.length > 0 && scope.kind !== 'function') this.returns[this.returns.length - 1] = this.expression(value, scope, 0);
        return undefined;
      }
      case 'for_statement':
      case 'while_statement': {
        const body = node.childForFieldName('body');
        const alternative = node.childForFieldName('alternative');
        const inLoop = loopScope(scope);
        if (node.type === 'for_statement') {
          const left = node.childForFieldName('left');
          if (left) this.bindTargets(left, { kind: 'dynamic' }, inLoop);
        }
        const blocks: Block[] = [];
        if (body) blocks.push({ node: body, scope: inLoop });
        if (alternative) blocks.push({ node: alternative, scope: inLoop });
        return blocks;
      }
      case 'function_definition':
        this.functionDefinition(node, scope);
        return undefined;
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) this.bind(this.text(name), this.classBinding(node, this.text(name)), scope);
        return undefined;
      }
      case 'decorated_definition': {
        const definition = node.childForFieldName('definition');
        if (!definition) return undefined;
        const decorators = node.namedChildren.filter((c): c is Node => c?.type === 'decorator');
        if (definition.type === 'function_definition' && this.decoratedDefinition(definition, decorators, scope)) return undefined;
        return this.statement(definition, scope);
      }
      case 'block':
      case 'ERROR':
        // Error recovery leaves well-formed statements inside ERROR nodes; keep analysing them.
        return [{ node, scope }];
      default:
        if (EXPRESSION_TYPES.has(node.type)) this.expression(node, scope, 0);
        return undefined;
    }
  }

  protected importStatement(node: Node): void {
    for (const child of node.childrenForFieldName('name')) {
      if (!child) continue;
      if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name && alias) this.bindImport(this.text(alias), this.text(name).replace(/\s+/g, ''));
      } else {
        const dotted = this.text(child).replace(/\s+/g, '');
        const head = dotted.split('.')[0];
        this.bindImport(head, head);
      }
    }
  }

  protected importFrom(node: Node): void {
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode || moduleNode.type === 'relative_import') return;
    const module = this.text(moduleNode).replace(/\s+/g, '');
    if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
      if (FRAMEWORKS.has(module.split('.')[0])) {
        this.importsFramework = true;
        this.starImports.push(module);
      }
      return;
    }
    for (const child of node.childrenForFieldName('name')) {
      if (!child) continue;
      if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name && alias) this.bindImport(this.text(alias), `${module}.${this.text(name)}`);
      } else {
        this.bindImport(this.text(child), `${module}.${this.text(child)}`);
      }
    }
  }

  protected bindImport(name: string, qualified: string): void {
    if (FRAMEWORKS.has(qualified.split('.')[0])) this.importsFramework = true;
    // Bound even in a loop: an import names the same thing on every pass.
    this.bindings.set(name, { kind: 'import', qualified });
  }

  protected withStatement(node: Node, scope: Scope): Block[] {
    let dag = scope.dag;
    let group = scope.group;
    let unknown: string | undefined;
    const clause = node.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      if (!item || item.type !== 'with_item') continue;
      let value = item.childForFieldName('value');
      let alias: Node | null = null;
      if (value?.type === 'as_pattern') {
        alias = value.childForFieldName('alias');
        value = value.namedChild(0);
      }
      if (!value) continue;
      const result = this.expression(value, scope, 0);
      if (result.kind === 'dag') {
        dag = result.dag;
        // A `with DAG` inside a group's block starts outside any group.
        group = -1;
      } else if (result.kind === 'group') {
        group = result.group;
        dag = this.groups[group].dag;
      } else if (result.kind === 'dynamic' && result.reason) {
        unknown = result.reason;
      }
      if (alias) {
        const target = alias.namedChild(0) ?? alias;
        this.bindTargets(target, this.bindingOf(result), scope);
      }
    }
    const body = node.childForFieldName('body');
    if (!body) return [];
    return [{ node: body, scope: unknown ? unknownWithScope(scope, `inside ${unknown}`) : withScope(scope, dag, group) }];
  }

  /**
   * What a class defined in the file is: an operator class when one of its
   * bases is BaseOperator, an operator (`…Operator`, `…Sensor`) or an operator
   * class of the file; its `template_fields` from its body, else from its
   * bases of the file (BaseOperator's are none; another package's, unknown).
   */
  protected classBinding(node: Node, name: string): Binding {
    const bases = node.childForFieldName('superclasses')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment') ?? [];
    let operator = false;
    let inherited: string[] | null | undefined;
    for (const base of bases) {
      const text = this.text(base);
      const last = text.slice(text.lastIndexOf('.') + 1);
      const binding = base.type === 'identifier' ? this.bindings.get(text) : undefined;
      if (binding?.kind === 'operatorClass') {
        operator = true;
        inherited ??= binding.templateFields;
      } else if (last === 'BaseOperator' || last === 'BaseSensorOperator') {
        operator = true;
        inherited ??= [];
      } else if (/(Operator|Sensor)$/.test(last)) {
        operator = true;
        inherited ??= null;
      }
    }
    if (!operator) return { kind: 'other' };
    return { kind: 'operatorClass', name, templateFields: this.ownTemplateFields(node) ?? inherited ?? null };
  }

  /** A class body's `template_fields = ("a", "b")` (annotated or not), when it is a literal. */
  private ownTemplateFields(node: Node): string[] | undefined {
    for (const statement of node.childForFieldName('body')?.namedChildren ?? []) {
      const assignment = statement?.type === 'expression_statement' ? statement.namedChild(0) : null;
      if (assignment?.type !== 'assignment') continue;
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'identifier' || this.text(left) !== 'template_fields' || !right) continue;
      const value = literalValue(right, this.source, this.constants);
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : undefined;
    }
    return undefined;
  }

  protected functionDefinition(node: Node, scope: Scope): void {
    const name = node.childForFieldName('name');
    // A function is bound even in a loop: python_callable may name it (VX204, VX403).
    if (name) this.bindings.set(this.text(name), { kind: 'function', node });
    const body = node.childForFieldName('body');
    // Function bodies are only searched for operator calls: tasks made by helper
    // functions exist only when the function runs.
    if (body && this.findDynamicTasks(body, functionScope(scope, name ? this.text(name) : '?').dynamic) && name) this.taskMakingFunctions.add(this.text(name));
  }
}
