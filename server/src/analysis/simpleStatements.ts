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
 * Tree-sitter stays the authority on structure: only statements it parsed
 * without error come here, and anything outside these shapes (other values,
 * comments, continuation lines, keywords) returns undefined so that the
 * analyser walks the tree as usual. A unit test checks that both ways give the
 * same analysis on every fixture and on thousands of mutated files.
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

type TokenKind = 'name' | 'string' | 'number' | '(' | ')' | '[' | ']' | ',' | '=' | '.' | '>>' | '<<';

interface Token {
  kind: TokenKind;
  start: number;
  end: number;
}

/**
 * Tokens are kept in typed arrays reused from statement to statement: making
 * an object per token was most of the garbage analysis left behind.
 */
const KINDS: TokenKind[] = ['name', 'string', 'number', '(', ')', '[', ']', ',', '=', '.', '>>', '<<'];
const KIND_CODE = new Map<TokenKind, number>(KINDS.map((k, i) => [k, i]));

class TokenBuffer {
  kinds = new Uint8Array(256);
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  length = 0;

  push(kind: TokenKind, start: number, end: number): void {
    if (this.length === this.kinds.length) {
      const grow = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.kinds = grow(this.kinds, (n) => new Uint8Array(n));
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
    }
    this.kinds[this.length] = KIND_CODE.get(kind)!;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }
}

const buffer = new TokenBuffer();

const PYTHON_KEYWORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally',
  'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield', 'True', 'False', 'None',
]);

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** Tokens of `source[start, end)`, or undefined at anything outside the simple shapes. */
function tokenize(source: string, start: number, end: number): TokenBuffer | undefined {
  const tokens = buffer;
  tokens.length = 0;
  let depth = 0;
  let i = start;
  while (i < end) {
    const c = source.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (c === 10 || c === 13) {
      if (depth === 0) return undefined;
      i++;
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < end && isNamePart(source.charCodeAt(j))) j++;
      const next = source.charCodeAt(j);
      if (next === 34 || next === 39) {
        // A string prefix: only plain and raw strings are simple.
        const prefix = source.slice(i, j).toLowerCase();
        if (prefix !== 'r' && prefix !== 'u') return undefined;
        const stringEnd = scanString(source, j, end);
        if (stringEnd < 0) return undefined;
        tokens.push('string', i, stringEnd);
        i = stringEnd;
        continue;
      }
      tokens.push('name', i, j);
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      const stringEnd = scanString(source, i, end);
      if (stringEnd < 0) return undefined;
      tokens.push('string', i, stringEnd);
      i = stringEnd;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      for (let d = source.charCodeAt(j); j < end && ((d >= 48 && d <= 57) || d === 95 || d === 46); d = source.charCodeAt(++j));
      if (j < end && isNamePart(source.charCodeAt(j))) return undefined; // 1e5, 0x1f, 10j: not simple
      tokens.push('number', i, j);
      i = j;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '>>' || two === '<<') {
      if (source[i + 2] === '=') return undefined; // >>= is an augmented assignment
      tokens.push(two, i, i + 2);
      i += 2;
      continue;
    }
    const one = source[i];
    if (one === '(' || one === '[') depth++;
    else if (one === ')' || one === ']') depth--;
    else if (one === '=') {
      if (source[i + 1] === '=') return undefined;
    } else if (one !== ',' && one !== '.') {
      return undefined; // comments, operators, backslash continuations, …
    }
    tokens.push(one as TokenKind, i, i + 1);
    i++;
  }
  return depth === 0 ? tokens : undefined;
}

/** End of a one-line, single-quoted string starting at its quote, or -1. */
function scanString(source: string, at: number, end: number): number {
  const quote = source[at];
  if (source[at + 1] === quote && source[at + 2] === quote) return -1; // triple-quoted
  for (let i = at + 1; i < end; i++) {
    const ch = source[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '\n' || ch === '\r') return -1;
    if (ch === quote) return i + 1;
  }
  return -1;
}

class Reader {
  private index = 0;

  constructor(private readonly tokens: TokenBuffer, private readonly source: string) {}

  private at(i: number): Token | undefined {
    if (i >= this.tokens.length) return undefined;
    return { kind: KINDS[this.tokens.kinds[i]], start: this.tokens.starts[i], end: this.tokens.ends[i] };
  }

  /** The kind of the token `offset` ahead, without making a Token. */
  peekKind(offset = 0): TokenKind | undefined {
    const i = this.index + offset;
    return i < this.tokens.length ? KINDS[this.tokens.kinds[i]] : undefined;
  }

  next(): Token | undefined {
    return this.at(this.index++);
  }

  /** Consumes a token of `kind` when it comes next; for tokens whose position nobody needs. */
  skip(kind: TokenKind): boolean {
    if (this.peekKind() !== kind) return false;
    this.index++;
    return true;
  }

  accept(kind: TokenKind): Token | undefined {
    if (this.peekKind() !== kind) return undefined;
    return this.at(this.index++);
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  text(token: Token): string {
    return this.source.slice(token.start, token.end);
  }

  /** A name that is not a Python keyword. */
  name(): SimpleName | undefined {
    const token = this.accept('name');
    if (!token) return undefined;
    const name = this.text(token);
    return PYTHON_KEYWORDS.has(name) ? undefined : { name, start: token.start, end: token.end };
  }
}

/** Reads a statement `source[start, end)` in one of the simple shapes, or undefined. */
export function readSimpleStatement(source: string, start: number, end: number): SimpleStatement | undefined {
  const tokens = tokenize(source, start, end);
  if (!tokens || tokens.length < 3) return undefined;
  const reader = new Reader(tokens, source);
  if (reader.peekKind(1) === '=') return readAssignCall(reader);
  return readChain(reader);
}

function readAssignCall(reader: Reader): SimpleStatement | undefined {
  const target = reader.name();
  if (!target || !reader.skip('=')) return undefined;
  const callee: string[] = [];
  const first = reader.name();
  if (!first) return undefined;
  callee.push(first.name);
  let calleeEnd = first.end;
  while (reader.skip('.')) {
    const part = reader.name();
    if (!part) return undefined;
    callee.push(part.name);
    calleeEnd = part.end;
  }
  if (!reader.skip('(')) return undefined;
  const args: SimpleArgument[] = [];
  for (;;) {
    const close = reader.accept(')');
    if (close) {
      if (!reader.done()) return undefined;
      return { kind: 'assignCall', target, callee, calleeStart: first.start, calleeEnd, callEnd: close.end, args };
    }
    const argument = readKeywordArgument(reader);
    if (!argument) return undefined;
    args.push(argument);
    if (!reader.skip(',') && reader.peekKind() !== ')') return undefined;
  }
}

function readKeywordArgument(reader: Reader): SimpleArgument | undefined {
  const name = reader.name();
  if (!name || !reader.skip('=')) return undefined;
  const token = reader.next();
  if (!token) return undefined;
  const text = reader.text(token);
  const argument = (kind: string, value: LiteralValue | undefined, valueEnd = token.end): SimpleArgument => ({
    name: name.name,
    nameStart: name.start,
    nameEnd: name.end,
    valueStart: token.start,
    valueEnd,
    kind,
    value,
  });
  switch (token.kind) {
    case 'string': {
      // Most values are plain strings without escapes: their body is the value.
      const first = text.charCodeAt(0);
      const value = (first === 34 || first === 39) && !text.includes('\\') ? text.slice(1, -1) : stringFromText(text);
      return value === undefined ? undefined : argument('string', value);
    }
    case 'number': {
      if (text.includes('.') ? !/^[0-9_]+\.[0-9_]*$/.test(text) : !/^[0-9_]+$/.test(text)) return undefined;
      const value = Number(text.replace(/_/g, ''));
      return Number.isFinite(value) ? argument(text.includes('.') ? 'float' : 'integer', value) : undefined;
    }
    case 'name': {
      if (text === 'True' || text === 'False') return argument(text.toLowerCase(), text === 'True');
      if (text === 'None') return argument('none', null);
      if (PYTHON_KEYWORDS.has(text) || reader.peekKind() === '.' || reader.peekKind() === '(' || reader.peekKind() === '[') return undefined;
      return argument('identifier', undefined);
    }
    case '[': {
      // A list of plain strings (tags, secrets); anything else is left to the tree.
      const values: string[] = [];
      for (;;) {
        const close = reader.accept(']');
        if (close) return argument('list', values, close.end);
        const item = reader.accept('string');
        const value = item ? stringFromText(reader.text(item)) : undefined;
        if (value === undefined) return undefined;
        values.push(value);
        if (!reader.skip(',') && reader.peekKind() !== ']') return undefined;
      }
    }
    default:
      return undefined;
  }
}

function readOperand(reader: Reader): SimpleOperand | undefined {
  const open = reader.accept('[');
  if (!open) {
    const name = reader.name();
    return name ? { kind: 'name', ...name } : undefined;
  }
  const items: SimpleName[] = [];
  for (;;) {
    const close = reader.accept(']');
    if (close) return { kind: 'list', items, start: open.start, end: close.end };
    const item = reader.name();
    if (!item) return undefined;
    items.push(item);
    if (!reader.skip(',') && reader.peekKind() !== ']') return undefined;
  }
}

function readChain(reader: Reader): SimpleStatement | undefined {
  const operands: SimpleOperand[] = [];
  const operators: Array<'>>' | '<<'> = [];
  const first = readOperand(reader);
  if (!first) return undefined;
  operands.push(first);
  while (!reader.done()) {
    const op = reader.accept('>>') ?? reader.accept('<<');
    if (!op) return undefined;
    const operand = readOperand(reader);
    if (!operand) return undefined;
    operators.push(op.kind as '>>' | '<<');
    operands.push(operand);
  }
  return operators.length > 0 ? { kind: 'chain', operands, operators } : undefined;
}
