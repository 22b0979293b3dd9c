/**
 * Simple statements (`x = Operator(k=literal, …)`, `a >> [b, c]`) read from
 * their text rather than node by node (see simpleStatements.ts), and
 * handled exactly as the tree walk would handle them: a call becomes the
 * same CallSite the tree walk makes, for the same construct handler.
 */
import type { Node } from 'web-tree-sitter';
import type { Argument } from './model';
import { ArgumentRecord, makeRange } from './records';
import type { StatementReader } from './simpleStatements';
import { indentationEnd } from './source';
import { classifyCallee, type Callee } from './callees';
import { NO_NODES, type CallSite } from './callSite';
import { moduleScope, type Scope } from './scope';
import type { Binding, Value } from './values';
import { DependencyReader } from './dependencies';
import { NO_ARGUMENTS, preparedCall, type PreparedChain, type PreparedStatement, type StatementCache } from './statementCache';

/** The tree does not have a statement where the text walk says one starts. */
export class TreeMismatch extends Error {}

export abstract class TextStatements extends DependencyReader {
  constructor(
    source: string,
    root: Node,
    /** Reads simple statements from the text; what it read is in its fields until the next read. */
    protected readonly reader: StatementReader,
    protected readonly simpleStatements: boolean,
    protected readonly statementCache: StatementCache | undefined,
  ) {
    super(source, root);
  }


  /**
   * Handles the simple statement that starts at `at`, read from the text up
   * to the end of its logical line; returns where it ends, or -1 when there is
   * none there the analyser takes (the tree then handles what is there). A
   * statement alone on its line is looked up in the statement cache by the
   * line's text.
   */
  protected textStatement(at: number, blockEnd: number, scope: Scope): number {
    const { source, reader } = this;
    let prepared: PreparedStatement | undefined;
    let end = -1;
    // Looked up by its line's text when alone on its line (the language server keeps a cache).
    let line = -1;
    let lineStart = -1;
    let lineEnd = -1;
    if (this.statementCache) {
      line = this.lineOf(at);
      lineStart = this.lineStarts[line];
      lineEnd = this.lineEnd(line);
      if (indentationEnd(source, lineStart) === at) {
        const entry = this.statementCache.lookup(source, line, lineStart, lineEnd);
        if (entry) {
          if (!entry.statement) return -1;
          prepared = entry.statement;
          end = this.preparedEnd(prepared);
        }
      } else {
        line = -1;
      }
    }
    if (!prepared) {
      // The statement must end its line, with \n, \r\n or the end of the text.
      if (!reader.readLine(source, at) || !this.endsLine(reader.lineEnd)) return -1;
      const readLineEnd = reader.lineEnd;
      end = reader.end;
      const kept = line >= 0 && readLineEnd <= lineEnd;
      prepared = this.prepareReading(kept);
      if (kept) this.statementCache!.store(line, source.slice(lineStart, lineEnd), prepared);
    }
    if (end > blockEnd) throw new TreeMismatch();
    return this.simpleStatement(prepared, scope) ? end : -1;
  }

  /** Whether a line ends at `index`: a \n, a \r\n or the end of the text. */
  protected endsLine(index: number): boolean {
    const c = this.source.charCodeAt(index);
    return index >= this.source.length || c === 10 || (c === 13 && this.source.charCodeAt(index + 1) === 10);
  }

  /** Walks a block node by node with a cursor: for trees with errors, and to check the text walk in tests. */

  /** Where line `line` ends: the index of its line break, or the end of the text. */
  protected lineEnd(line: number): number {
    return line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.source.length;
  }

  /** Whether `source[from, to)` holds only spaces and tabs (and a carriage return ending the line at `to`). */
  protected blank(from: number, to: number): boolean {
    let i = indentationEnd(this.source, from);
    if (i === to - 1 && this.source.charCodeAt(i) === 13) i++;
    return i >= to;
  }

  /**
   * Handles the expression statement the tree has at [start, end) when it is
   * a simple statement, read from its text; false when it is not one. A
   * statement alone on its line is looked up in the statement cache by the
   * line's text.
   */
  protected treeStatement(start: number, end: number, scope: Scope): boolean {
    const line = this.lineOf(start);
    const lineStart = this.lineStarts[line];
    const lineEnd = this.lineEnd(line);
    let prepared: PreparedStatement | undefined;
    if (this.statementCache && indentationEnd(this.source, lineStart) === start && end <= lineEnd && this.blank(end, lineEnd)) {
      const entry =
        this.statementCache.lookup(this.source, line, lineStart, lineEnd) ??
        this.statementCache.store(line, this.source.slice(lineStart, lineEnd), this.reader.readStatement(this.source, start, end) ? this.prepareReading(true) : undefined);
      prepared = entry.statement;
    } else {
      prepared = this.reader.readStatement(this.source, start, end) ? this.prepareReading(false) : undefined;
    }
    return prepared !== undefined && this.simpleStatement(prepared, scope);
  }

  /** Where a prepared statement ends in this analysis's text. */
  protected preparedEnd(prepared: PreparedStatement): number {
    if (prepared.kind === 'assignCall') return this.lineStarts[prepared.endLine] + prepared.endCharacter;
    const { positions, count } = prepared;
    return this.lineStarts[positions[4 * count - 2]] + positions[4 * count - 1];
  }

  /**
   * The statement just read from the text (see `StatementReader`), made ready for
   * `simpleStatement`. Unless it is to be `kept` (in the statement cache), it
   * is made in objects reused from one statement to the next: without a
   * cache (the CLI), they would be garbage at once.
   */
  protected prepareReading(kept: boolean): PreparedStatement {
    const { lineStarts } = this;
    const r = this.reader;
    if (r.kind === 'chain') {
      const count = r.operandCount;
      const chain: PreparedChain = kept ? { kind: 'chain', count, names: r.operandNames.slice(0, count), positions: new Array<number>(4 * count), operators: r.operators.slice(0, count - 1) } : this.scratchChain;
      if (!kept) {
        chain.count = count;
        chain.names = r.operandNames;
        chain.operators = r.operators;
      }
      const { positions } = chain;
      for (let i = 0; i < count; i++) {
        const start = r.operandStarts[i];
        const end = r.operandEnds[i];
        const startLine = this.lineOf(start);
        const endLine = this.lineOf(end);
        positions[4 * i] = startLine;
        positions[4 * i + 1] = start - lineStarts[startLine];
        positions[4 * i + 2] = endLine;
        positions[4 * i + 3] = end - lineStarts[endLine];
      }
      return chain;
    }
    const byName: Record<string, Argument> = {};
    // Of the exact length: pushing would leave most of each list's room unused.
    const list = kept ? new Array<ArgumentRecord>(r.argCount) : this.scratchCall.list;
    list.length = r.argCount;
    let hasTaskId = false;
    const line = this.lineOf(r.calleeStart);
    const lineStart = lineStarts[line];
    // Most calls are on one line: every position is then on the callee's.
    const oneLine = line + 1 >= lineStarts.length || r.end < lineStarts[line + 1];
    // Indexed loops: this code runs mostly unoptimised in a short process (the CLI), where for…of costs an iterator per loop.
    for (let i = 0; i < r.argCount; i++) {
      const name = r.argNames[i];
      const nameStart = r.argNameStarts[i];
      const valueStart = r.argValueStarts[i];
      const valueEnd = r.argValueEnds[i];
      const argument = oneLine
        ? new ArgumentRecord(name, r.argValues[i], r.argTexts[i], r.argKinds[i], line, nameStart - lineStart, line, valueStart - lineStart, line, valueEnd - lineStart)
        : this.argument(name, r.argValues[i], r.argKinds[i], nameStart, valueStart, valueEnd);
      byName[name] ??= argument;
      list[i] = argument;
      if (name === 'task_id') hasTaskId = true;
    }
    const call = kept ? preparedCall(list) : this.scratchCall;
    call.target = r.target;
    call.fnText = r.calleeText;
    call.hasTaskId = hasTaskId;
    call.byName = byName;
    if (oneLine) {
      call.line = call.endLine = call.operatorEndLine = line;
      call.character = r.calleeStart - lineStart;
      call.endCharacter = r.end - lineStart;
      call.operatorEndCharacter = r.calleeEnd - lineStart;
    } else {
      Object.assign(call, this.callPositions(r.calleeStart, r.end, r.calleeEnd));
    }
    return call;
  }

  /** See `prepareReading`. */
  protected readonly scratchCall = preparedCall([]);

  protected readonly scratchChain: PreparedChain = { kind: 'chain', count: 0, names: [], positions: [], operators: [] };

  /**
   * Handles a statement read from text (see simpleStatements.ts) exactly as the
   * tree walk would; false when it is not an operator call or a chain after all.
   */
  protected simpleStatement(statement: PreparedStatement, scope: Scope): boolean {
    if (statement.kind === 'chain') {
      const { names, positions: p, operators, count } = statement;
      let left = this.simpleOperand(names[0], p, 0);
      for (let i = 0; i + 1 < count; i++) {
        const right = this.simpleOperand(names[i + 1], p, i + 1);
        // The edge spans from the start of its left operand to the end of its right one.
        if (left && right) {
          const forward = operators[i] === '>>';
          const up = forward ? left : right;
          const down = forward ? right : left;
          if (up.kind === 'tasks' && down.kind === 'tasks') this.connect(up.tasks, down.tasks, p[4 * i], p[4 * i + 1], p[4 * i + 6], p[4 * i + 7]);
          else this.link(up, down, makeRange(p[4 * i], p[4 * i + 1], p[4 * i + 6], p[4 * i + 7]));
        }
        left = right;
      }
      return true;
    }
    const callee = this.classifySimpleCallee(statement.fnText, statement.hasTaskId);
    if (callee.kind !== 'operator') return false;
    const site = this.textSite;
    site.line = statement.line;
    site.character = statement.character;
    site.endLine = site.argsEndLine = statement.endLine;
    site.endCharacter = site.argsEndCharacter = statement.endCharacter;
    site.operatorEndLine = statement.operatorEndLine;
    site.operatorEndCharacter = statement.operatorEndCharacter;
    site.calleeText = statement.fnText;
    site.scope = scope;
    // A name given as an argument may be a constant (read as its value) or an XComArg (a dependency).
    let names = false;
    for (let i = 0; i < statement.list.length && !names; i++) names = statement.list[i].kind === 'identifier';
    if (names) {
      const { list, byName } = this.withConstants(statement.list, statement.byName);
      site.byName = byName;
      site.list = list;
    } else {
      site.byName = statement.byName;
      site.list = statement.list;
    }
    const upstream = names && !scope.dynamic ? this.templatedReferences(callee, site, 0) : undefined;
    const value = this.createTask(callee, site);
    if (upstream && upstream.length > 0 && value.kind === 'tasks') this.connectAt(upstream, value.tasks, this.tasks[value.tasks[0]].range);
    this.bindName(statement.target, this.bindingOf(value), scope);
    return true;
  }

  /** The value of operand `index` of a chain (its `names`, at `positions[4 * index…]`); reports VX302 when it cannot be one. */
  protected simpleOperand(names: string | string[], positions: number[], index: number): Value | undefined {
    let value: Value;
    if (typeof names === 'string') {
      value = this.nameValue(names);
      if (value.kind === 'tasks') return value;
    } else {
      const tasks: number[] = [];
      let items: Value[] | undefined;
      let dynamic = false;
      value = { kind: 'tasks', tasks };
      for (let i = 0; i < names.length; i++) {
        const v = this.nameValue(names[i]);
        if (v.kind === 'tasks') tasks.push(...v.tasks);
        else if (v.kind === 'group') (items ??= []).push(v);
        else if (v.kind === 'dynamic') dynamic = true;
        else if (v.kind === 'notTask' || v.kind === 'dag' || v.kind === 'decorated') {
          value = { kind: 'notTask', reason: v.kind === 'dag' ? 'a list holding a DAG' : v.kind === 'decorated' ? `a list holding the function "${v.fn.name}"` : v.reason };
          break;
        }
      }
      if (dynamic && value.kind === 'tasks') value = { kind: 'dynamic' };
      else if (items && value.kind === 'tasks') value = { kind: 'list', items: tasks.length > 0 ? [{ kind: 'tasks', tasks }, ...items] : items };
      if (value.kind === 'tasks') return value;
    }
    const { lineStarts } = this;
    const [startLine, startCharacter, endLine, endCharacter] = positions.slice(4 * index, 4 * index + 4);
    const text = this.source.slice(lineStarts[startLine] + startCharacter, lineStarts[endLine] + endCharacter);
    return this.dependencySide(value, text, makeRange(startLine, startCharacter, endLine, endCharacter));
  }

  /**
   * Classifies a callee read from text, remembering the answer per callee text
   * for as long as the name it starts with stays bound to the same thing.
   */
  protected classifySimpleCallee(fnText: string, hasTaskId: boolean): Callee {
    const dot = fnText.indexOf('.');
    const head = this.bindings.get(dot < 0 ? fnText : fnText.slice(0, dot).trim());
    const cache = this.calleeCaches[hasTaskId ? 1 : 0];
    const cached = cache.get(fnText);
    if (cached && cached.head === head && cached.starImports === this.starImports.length) return cached.callee;
    if (head?.kind === 'operatorClass' && dot < 0) {
      const own = this.fileOperator(fnText)!;
      cache.set(fnText, { head, starImports: this.starImports.length, callee: own });
      return own;
    }
    const { qualified, last } = this.qualifyParts(dot < 0 ? [fnText] : fnText.split('.').map((part) => part.trim()));
    const callee = classifyCallee(qualified, last, fnText, hasTaskId);
    cache.set(fnText, { head, starImports: this.starImports.length, callee });
    return callee;
  }

  /** Classified callees by their text: without `task_id` given, and with it. */
  protected readonly calleeCaches = [
    new Map<string, { head: Binding | undefined; starImports: number; callee: Callee }>(),
    new Map<string, { head: Binding | undefined; starImports: number; callee: Callee }>(),
  ];

  /**
   * The CallSite of the statement just read: one object reused for every
   * simple statement, since this is the hot path of a large file and a
   * handler keeps no reference to the site (a task copies its positions).
   * A simple statement has no `*args`, and no value nodes (its values are
   * literals and names).
   */
  private readonly textSite: CallSite = {
    line: 0, character: 0, endLine: 0, endCharacter: 0, operatorEndLine: 0, operatorEndCharacter: 0,
    calleeText: '', argsEndLine: 0, argsEndCharacter: 0, byName: NO_ARGUMENTS, list: [], hasSplat: false, nodes: NO_NODES, scope: moduleScope(),
  };
}
