/**
 * The two statement shapes that make up nearly all of a large DAG file, read
 * from the source text of a statement tree-sitter has already parsed:
 *
 *     name = Operator(task_id="...", bash_command="...", python_callable=f)
 *     a >> b >> [c, d] << e
 *
 * Why: crossing from JavaScript into the wasm parser costs about a microsecond
 * per node property, and walking these statements node by node made analysis
 * cost several times the parse itself. Scanning the statement's text is cheap.
 * Tree-sitter stays the authority on structure: only statements of a tree
 * parsed without error come here, and anything outside these shapes (other
 * values, comments, continuation lines, keywords) returns undefined so that the
 * analyser walks the tree as usual. A unit test checks that both ways give the
 * same analysis on every fixture and on thousands of mutated files.
 *
 * The scanner reads characters straight into the statement, with no token
 * objects in between: on a large file those were most of the garbage.
 */
import type { LiteralValue } from './model';
import { stringFromText } from './literals';

export interface SimpleArgument {
  name: string;
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
  /** The tree-sitter node type the value would have (`string`, `identifier`, `list`, …). */
  kind: string;
  value: LiteralValue | undefined;
}

export interface SimpleName {
  name: string;
  start: number;
  end: number;
}

export type SimpleOperand = ({ kind: 'name' } & SimpleName) | { kind: 'list'; items: SimpleName[]; start: number; end: number };

export type SimpleStatement =
  | {
      kind: 'assignCall';
      target: SimpleName;
      /** The callee's dotted parts (`vortex`, `operators`, `bash`, `BashOperator`). */
      callee: string[];
      calleeStart: number;
      calleeEnd: number;
      /** End of the closing parenthesis. */
      callEnd: number;
      args: SimpleArgument[];
    }
  | { kind: 'chain'; operands: SimpleOperand[]; operators: Array<'>>' | '<<'> };

const PYTHON_KEYWORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally',
  'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield', 'True', 'False', 'None',
]);

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;

/** What `Scanner.peek` returns at the end of the statement. */
const END = -1;
/** What `Scanner.peek` returns at a line break that ends the statement where the statement may not end. */
const BROKEN = -2;

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isQuote(c: number): boolean {
  return c === DOUBLE_QUOTE || c === SINGLE_QUOTE;
}

/** End of a one-line, single-quoted string starting at its quote, or -1. */
function scanString(source: string, at: number, end: number): number {
  const quote = source.charCodeAt(at);
  if (source.charCodeAt(at + 1) === quote && source.charCodeAt(at + 2) === quote) return -1; // triple-quoted
  for (let i = at + 1; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === BACKSLASH) {
      i++;
      continue;
    }
    if (c === LF || c === CR) return -1;
    if (c === quote) return i + 1;
  }
  return -1;
}

/**
 * A cursor over one statement's characters. Between tokens it skips spaces
 * and tabs, and line breaks inside brackets. The statement ends at `end`, or,
 * reading a whole line (`lineMode`), at the first line break outside brackets.
 */
class Scanner {
  pos: number;
  private depth = 0;

  constructor(
    readonly source: string,
    start: number,
    readonly end: number,
    private readonly lineMode: boolean,
  ) {
    this.pos = start;
  }

  /** The next significant character, END at the end of the statement, or BROKEN at a line break it cannot hold. */
  peek(): number {
    const { source, end } = this;
    for (;;) {
      if (this.pos >= end) return END;
      const c = source.charCodeAt(this.pos);
      if (c === SPACE || c === TAB) {
        this.pos++;
        continue;
      }
      if (c === LF || c === CR) {
        if (this.depth > 0) {
          this.pos++;
          continue;
        }
        return this.lineMode ? END : BROKEN;
      }
      return c;
    }
  }

  /** Consumes `c` when it comes next. */
  eat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  open(c: number): boolean {
    if (!this.eat(c)) return false;
    this.depth++;
    return true;
  }

  /** Consumes a closing bracket; returns its end, or -1. */
  close(c: number): number {
    if (this.peek() !== c) return -1;
    this.depth--;
    return ++this.pos;
  }

  /** Consumes a lone `=` (not `==`). */
  equals(): boolean {
    if (!this.eat(61)) return false;
    return this.source.charCodeAt(this.pos) !== 61;
  }

  /** `>>` or `<<` (not `>>=`), or undefined. */
  shift(): '>>' | '<<' | undefined {
    const c = this.peek();
    if ((c !== 62 && c !== 60) || this.source.charCodeAt(this.pos + 1) !== c || this.source.charCodeAt(this.pos + 2) === 61) return undefined;
    this.pos += 2;
    return c === 62 ? '>>' : '<<';
  }

  /** A name that is not a Python keyword nor a string prefix. */
  name(): SimpleName | undefined {
    const start = this.pos;
    if (!isNameStart(this.peek())) return undefined;
    const from = this.pos;
    let to = from + 1;
    while (to < this.end && isNamePart(this.source.charCodeAt(to))) to++;
    if (isQuote(this.source.charCodeAt(to))) {
      this.pos = start;
      return undefined;
    }
    const name = this.source.slice(from, to);
    if (PYTHON_KEYWORDS.has(name)) return undefined;
    this.pos = to;
    return { name, start: from, end: to };
  }

  /**
   * The end of the string literal that comes next (its prefix included), -1
   * when no string comes next, or undefined for a string that is not simple:
   * only plain and raw strings on one line are.
   */
  string(): number | undefined {
    const c = this.peek();
    let quoteAt = this.pos;
    if (isNameStart(c)) {
      while (quoteAt < this.end && isNamePart(this.source.charCodeAt(quoteAt))) quoteAt++;
      if (!isQuote(this.source.charCodeAt(quoteAt))) return -1;
      const prefix = this.source.slice(this.pos, quoteAt).toLowerCase();
      if (prefix !== 'r' && prefix !== 'u') return undefined;
    } else if (!isQuote(c)) {
      return -1;
    }
    const stringEnd = scanString(this.source, quoteAt, this.end);
    if (stringEnd < 0) return undefined;
    this.pos = stringEnd;
    return stringEnd;
  }

  /** Whether only the end of the statement is left. */
  done(): boolean {
    return this.peek() === END;
  }
}

/** Reads a statement `source[start, end)` in one of the simple shapes, or undefined. */
export function readSimpleStatement(source: string, start: number, end: number): SimpleStatement | undefined {
  return read(new Scanner(source, start, end, false));
}

/**
 * Reads the statement that starts at `start` and ends with its logical line
 * (at the first line break outside brackets), or undefined when it is not in
 * a simple shape. `end` is the end of its last token; `lineEnd` where its line
 * ends (at a line break, or the end of the text), past any trailing blanks.
 */
export function readSimpleLine(source: string, start: number): { statement: SimpleStatement; end: number; lineEnd: number } | undefined {
  const scanner = new Scanner(source, start, source.length, true);
  const statement = read(scanner);
  return statement ? { statement, end: statementEnd(statement), lineEnd: scanner.pos } : undefined;
}

/** The end of a statement's last token. */
export function statementEnd(statement: SimpleStatement): number {
  return statement.kind === 'assignCall' ? statement.callEnd : statement.operands[statement.operands.length - 1].end;
}

function read(scanner: Scanner): SimpleStatement | undefined {
  const first = scanner.name();
  if (first && scanner.peek() === 61) return readAssignCall(scanner, first);
  return readChain(scanner, first);
}

function readAssignCall(scanner: Scanner, target: SimpleName): SimpleStatement | undefined {
  if (!scanner.equals()) return undefined;
  const first = scanner.name();
  if (!first) return undefined;
  const callee = [first.name];
  let calleeEnd = first.end;
  while (scanner.eat(46)) {
    const part = scanner.name();
    if (!part) return undefined;
    callee.push(part.name);
    calleeEnd = part.end;
  }
  if (!scanner.open(40)) return undefined;
  const args: SimpleArgument[] = [];
  for (;;) {
    const callEnd = scanner.close(41);
    if (callEnd >= 0) return scanner.done() ? { kind: 'assignCall', target, callee, calleeStart: first.start, calleeEnd, callEnd, args } : undefined;
    const argument = readKeywordArgument(scanner);
    if (!argument) return undefined;
    args.push(argument);
    if (!scanner.eat(44) && scanner.peek() !== 41) return undefined;
  }
}

function readKeywordArgument(scanner: Scanner): SimpleArgument | undefined {
  const name = scanner.name();
  if (!name || !scanner.equals()) return undefined;
  const value = readValue(scanner);
  if (!value) return undefined;
  return { name: name.name, nameStart: name.start, nameEnd: name.end, valueStart: value.start, valueEnd: scanner.pos, kind: value.kind, value: value.value };
}

/** A keyword argument's value: a plain string, a number, a name, True/False/None, or a list of plain strings. */
function readValue(scanner: Scanner): { kind: string; value: LiteralValue | undefined; start: number } | undefined {
  const { source } = scanner;
  const c = scanner.peek();
  const start = scanner.pos;
  const stringEnd = scanner.string();
  if (stringEnd === undefined) return undefined;
  if (stringEnd >= 0) {
    // Most values are plain strings without escapes: their body is the value.
    const text = source.slice(start, stringEnd);
    const value = isQuote(c) && !text.includes('\\') ? text.slice(1, -1) : stringFromText(text);
    return value === undefined ? undefined : { kind: 'string', value, start };
  }
  if (c >= 48 && c <= 57) {
    let to = start + 1;
    for (let d = source.charCodeAt(to); to < scanner.end && ((d >= 48 && d <= 57) || d === 95 || d === 46); d = source.charCodeAt(++to));
    if (to < scanner.end && isNamePart(source.charCodeAt(to))) return undefined; // 1e5, 0x1f, 10j: not simple
    const text = source.slice(start, to);
    if (text.includes('.') ? !/^[0-9_]+\.[0-9_]*$/.test(text) : !/^[0-9_]+$/.test(text)) return undefined;
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isFinite(value)) return undefined;
    scanner.pos = to;
    return { kind: text.includes('.') ? 'float' : 'integer', value, start };
  }
  if (isNameStart(c)) {
    let to = start + 1;
    while (to < scanner.end && isNamePart(source.charCodeAt(to))) to++;
    const text = source.slice(start, to);
    scanner.pos = to;
    if (text === 'True' || text === 'False') return { kind: text.toLowerCase(), value: text === 'True', start };
    if (text === 'None') return { kind: 'none', value: null, start };
    const next = scanner.peek();
    if (PYTHON_KEYWORDS.has(text) || next === 46 || next === 40 || next === 91) return undefined;
    scanner.pos = to;
    return { kind: 'identifier', value: undefined, start };
  }
  if (c === 91 && scanner.open(91)) {
    // A list of plain strings (tags, secrets); anything else is left to the tree.
    const values: string[] = [];
    for (;;) {
      if (scanner.close(93) >= 0) return { kind: 'list', value: values, start };
      scanner.peek();
      const itemStart = scanner.pos;
      const itemEnd = scanner.string();
      const item = itemEnd === undefined || itemEnd < 0 ? undefined : stringFromText(source.slice(itemStart, itemEnd));
      if (item === undefined) return undefined;
      values.push(item);
      if (!scanner.eat(44) && scanner.peek() !== 93) return undefined;
    }
  }
  return undefined;
}

function readOperand(scanner: Scanner, name?: SimpleName): SimpleOperand | undefined {
  if (name) return { kind: 'name', ...name };
  if (!scanner.open(91)) {
    const only = scanner.name();
    return only ? { kind: 'name', ...only } : undefined;
  }
  const start = scanner.pos - 1;
  const items: SimpleName[] = [];
  for (;;) {
    const end = scanner.close(93);
    if (end >= 0) return { kind: 'list', items, start, end };
    const item = scanner.name();
    if (!item) return undefined;
    items.push(item);
    if (!scanner.eat(44) && scanner.peek() !== 93) return undefined;
  }
}

function readChain(scanner: Scanner, first: SimpleName | undefined): SimpleStatement | undefined {
  // `print >> f` is Python 2's print statement to tree-sitter-python, not a dependency.
  if (first?.name === 'print') return undefined;
  const operands: SimpleOperand[] = [];
  const operators: Array<'>>' | '<<'> = [];
  const head = readOperand(scanner, first);
  if (!head) return undefined;
  operands.push(head);
  while (!scanner.done()) {
    const op = scanner.shift();
    if (!op) return undefined;
    const operand = readOperand(scanner);
    if (!operand) return undefined;
    operators.push(op);
    operands.push(operand);
  }
  return operators.length > 0 ? { kind: 'chain', operands, operators } : undefined;
}
