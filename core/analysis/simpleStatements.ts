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

/*
 * The shapes are matched by sticky regular expressions, which run as native
 * code from their first use: a process that analyses one large file (the
 * CLI) never gets to optimise a scanner written in JavaScript. Each pattern
 * reads one piece and says where it ends (`test` and `lastIndex`, which make
 * no match objects); the pieces are joined in code below. Inside brackets
 * line breaks are blanks; outside them a statement is one line.
 *
 * Where a pattern could match less than a whole name or number (the regular
 * expression backtracks), the character after it is a name character, which
 * nothing that may follow accepts: the statement is declined all the same.
 */
/** A name, not the prefix of a string. */
const NAME = String.raw`[A-Za-z_][A-Za-z0-9_]*(?!['"])`;
/** A plain or raw string on one line (a backslash escapes any character, a line break too). */
const STRING = String.raw`[rRuU]?(?:"(?:[^"\\\r\n]|\\[\s\S])*"|'(?:[^'\\\r\n]|\\[\s\S])*')`;
const BLANKS = String.raw`[ \t\r\n]*`;

const NAME_AT = new RegExp(NAME, 'y');
/** `=` between a target and its callee. */
const ASSIGN_AT = /[ \t]*=(?!=)[ \t]*/y;
/** A callee, dotted or not. */
const CALLEE_AT = new RegExp(String.raw`${NAME}(?:[ \t]*\.[ \t]*${NAME})*`, 'y');
const OPEN_AT = /[ \t]*\(/y;
/** `=` between a keyword and its value. */
const KEYWORD_AT = new RegExp(String.raw`${BLANKS}=(?!=)${BLANKS}`, 'y');
/** A keyword argument's value: a string, a number, a name (not followed by `.`, `(` or `[`), or a list of strings. */
const VALUE_AT = new RegExp(
  String.raw`${STRING}|[0-9][0-9_.]*(?![A-Za-z0-9_])|${NAME}(?!${BLANKS}[.([])|\[${BLANKS}(?:${STRING}${BLANKS}(?:,${BLANKS}${STRING}${BLANKS})*(?:,${BLANKS})?)?\]`,
  'y',
);
/** A name, or a list of names. */
const OPERAND_AT = new RegExp(String.raw`${NAME}|\[${BLANKS}(?:${NAME}${BLANKS}(?:,${BLANKS}${NAME}${BLANKS})*(?:,${BLANKS})?)?\]`, 'y');
const SPACES_AT = /[ \t]*/y;
const BLANKS_AT = /[ \t\r\n]*/y;
const NAMES = /[A-Za-z_][A-Za-z0-9_]*/g;
const STRINGS = new RegExp(STRING, 'g');

/**
 * The strings a large file repeats (keywords, callees, the functions tasks
 * call), one kept per length: `source.slice(start, end)`, but the same string
 * each time the same text comes again, not a copy per statement. Fewer strings
 * to make and to keep, and a string's hash, once computed, serves every lookup.
 */
class RepeatedStrings {
  private readonly byLength: string[] = new Array<string>(64).fill('');

  slice(source: string, start: number, end: number): string {
    const slot = (end - start) & 63;
    const last = this.byLength[slot];
    if (last.length === end - start && source.startsWith(last, start)) return last;
    // A slice of 13 characters or more refers to the whole source in V8; kept
    // here past this analysis, it would keep the source alive. The slice of a
    // concatenation is made from a flat copy of that, not of the source.
    const text = end - start < 13 ? source.slice(start, end) : (' ' + source.slice(start, end)).slice(1);
    return (this.byLength[slot] = text);
  }
}

const keywords = new RepeatedStrings();
const callees = new RepeatedStrings();
const valueNames = new RepeatedStrings();

/** Where `pattern` matched from `at` ends, or -1. */
function endOf(pattern: RegExp, source: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(source) ? pattern.lastIndex : -1;
}

/** Past the spaces and tabs (with `lineBreaks`, line breaks too) from `at`. */
function skipBlanks(source: string, at: number, lineBreaks: boolean): number {
  const c = source.charCodeAt(at);
  if (c !== 32 && c !== 9 && (!lineBreaks || (c !== 10 && c !== 13))) return at;
  return endOf(lineBreaks ? BLANKS_AT : SPACES_AT, source, at);
}

/**
 * What the last successful `readStatement`/`readLine` found, in buffers
 * reused from one statement to the next: reading makes no objects for a
 * statement's structure, only the strings the model keeps (names, values).
 * Offsets are into the source read. Valid until the next read.
 */
export const reading = {
  kind: 'assignCall' as 'assignCall' | 'chain',
  start: 0,
  /** The end of the statement's last token. */
  end: 0,
  /** Where its line ends, past trailing blanks (reading a line): a line break, or the end of the text. */
  lineEnd: 0,
  // `target = callee(name=value, …)`
  target: '',
  calleeStart: 0,
  calleeEnd: 0,
  /** The callee as written (`BashOperator`, `vortex.operators.BashOperator`). */
  calleeText: '',
  argCount: 0,
  argNames: [] as string[],
  argNameStarts: [] as number[],
  argValueStarts: [] as number[],
  argValueEnds: [] as number[],
  /** The tree-sitter node type each value would have (`string`, `identifier`, `list`, …). */
  argKinds: [] as string[],
  argValues: [] as Array<LiteralValue | undefined>,
  argTexts: [] as string[],
  // `a >> [b, c] << d`
  operandCount: 0,
  operandStarts: [] as number[],
  operandEnds: [] as number[],
  /** One name, or the names of a list. */
  operandNames: [] as Array<string | string[]>,
  /** operators[i] joins operands i and i + 1. */
  operators: [] as Array<'>>' | '<<'>,
};

/** Where the statement may end: at `end` (read from the tree), or at the end of its line. */
let boundEnd = 0;
let lineMode = false;

/**
 * Whether the statement can end at `at`: only spaces and tabs follow it, up to
 * the end (from the tree), or up to a line break or the end of the text
 * (reading a line). Returns where those blanks end, or -1.
 */
function endAt(source: string, at: number): number {
  const after = skipBlanks(source, at, false);
  if (!lineMode) return at <= boundEnd && after >= boundEnd ? after : -1;
  const c = source.charCodeAt(after);
  return after >= source.length || c === 10 || c === 13 ? after : -1;
}

/** Reads the statement `source[start, end)` (its bounds from the tree) into `reading`; false when it is not in a simple shape. */
export function readStatement(source: string, start: number, end: number): boolean {
  boundEnd = end;
  lineMode = false;
  return read(source, start);
}

/**
 * Reads the statement that starts at `start` and ends with its logical line
 * (at the first line break outside brackets) into `reading`; false when it is
 * not in a simple shape.
 */
export function readLine(source: string, start: number): boolean {
  boundEnd = source.length;
  lineMode = true;
  return read(source, start);
}

/** Reads a statement `source[start, end)` in one of the simple shapes, as an object (for tests), or undefined. */
export function readSimpleStatement(source: string, start: number, end: number): SimpleStatement | undefined {
  return readStatement(source, start, end) ? simpleStatementOfReading(source) : undefined;
}

/** `readLine`, as an object (for tests); `end` is the end of its last token, `lineEnd` where its line ends. */
export function readSimpleLine(source: string, start: number): { statement: SimpleStatement; end: number; lineEnd: number } | undefined {
  return readLine(source, start) ? { statement: simpleStatementOfReading(source), end: reading.end, lineEnd: reading.lineEnd } : undefined;
}

/** The last reading (of `source`) as a statement object. */
function simpleStatementOfReading(source: string): SimpleStatement {
  const r = reading;
  if (r.kind === 'assignCall') {
    const args: SimpleArgument[] = [];
    for (let i = 0; i < r.argCount; i++) {
      const nameStart = r.argNameStarts[i];
      const name = r.argNames[i];
      args.push({ name, nameStart, nameEnd: nameStart + name.length, valueStart: r.argValueStarts[i], valueEnd: r.argValueEnds[i], kind: r.argKinds[i], value: r.argValues[i] });
    }
    const callee = r.calleeText.includes('.') ? r.calleeText.split('.').map((part) => part.trim()) : [r.calleeText];
    return { kind: 'assignCall', target: { name: r.target, start: r.start, end: r.start + r.target.length }, callee, calleeStart: r.calleeStart, calleeEnd: r.calleeEnd, callEnd: r.end, args };
  }
  const operands: SimpleOperand[] = [];
  for (let i = 0; i < r.operandCount; i++) {
    const names = r.operandNames[i];
    const start = r.operandStarts[i];
    if (typeof names === 'string') {
      operands.push({ kind: 'name', name: names, start, end: r.operandEnds[i] });
    } else {
      // Item positions, for the object form only.
      const text = source.slice(start, r.operandEnds[i]);
      const items: SimpleName[] = [];
      NAMES.lastIndex = 0;
      for (let item = NAMES.exec(text); item; item = NAMES.exec(text)) items.push({ name: item[0], start: start + item.index, end: start + item.index + item[0].length });
      operands.push({ kind: 'list', items, start, end: r.operandEnds[i] });
    }
  }
  return { kind: 'chain', operands, operators: r.operators.slice(0, r.operandCount - 1) };
}

function read(source: string, from: number): boolean {
  const start = skipBlanks(source, from, false);
  reading.start = start;
  const targetEnd = endOf(NAME_AT, source, start);
  if (targetEnd >= 0) {
    const calleeStart = endOf(ASSIGN_AT, source, targetEnd);
    if (calleeStart >= 0) return readAssignCall(source, start, targetEnd, calleeStart);
  }
  return readChain(source, start, targetEnd);
}

function readAssignCall(source: string, start: number, targetEnd: number, calleeStart: number): boolean {
  const r = reading;
  const calleeEnd = endOf(CALLEE_AT, source, calleeStart);
  let at = calleeEnd < 0 ? -1 : endOf(OPEN_AT, source, calleeEnd);
  if (at < 0) return false;
  const target = source.slice(start, targetEnd);
  const calleeText = callees.slice(source, calleeStart, calleeEnd);
  if (PYTHON_KEYWORDS.has(target)) return false;
  if (calleeText.includes('.') ? calleeText.split('.').some((part) => PYTHON_KEYWORDS.has(part.trim())) : PYTHON_KEYWORDS.has(calleeText)) return false;
  let count = 0;
  for (;;) {
    at = skipBlanks(source, at, true);
    if (source.charCodeAt(at) === 41) break; // `)`: `()`, or a comma before it
    // name=value
    const nameEnd = endOf(NAME_AT, source, at);
    const valueStart = nameEnd < 0 ? -1 : endOf(KEYWORD_AT, source, nameEnd);
    const valueEnd = valueStart < 0 ? -1 : endOf(VALUE_AT, source, valueStart);
    if (valueEnd < 0) return false;
    const name = keywords.slice(source, at, nameEnd);
    // A name given as a value (`python_callable=transform`) is often the same for many tasks.
    const first = source.charCodeAt(valueStart);
    const text = (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95 ? valueNames.slice(source, valueStart, valueEnd) : source.slice(valueStart, valueEnd);
    if (PYTHON_KEYWORDS.has(name) || !valueOf(text)) return false;
    r.argNames[count] = name;
    r.argNameStarts[count] = at;
    r.argValueStarts[count] = valueStart;
    r.argValueEnds[count] = valueEnd;
    r.argKinds[count] = valueKind;
    r.argValues[count] = value;
    r.argTexts[count] = text;
    count++;
    at = skipBlanks(source, valueEnd, true);
    const c = source.charCodeAt(at);
    if (c === 44) at++; // `,`
    else if (c === 41) break;
    else return false;
  }
  const callEnd = at + 1;
  const lineEnd = endAt(source, callEnd);
  if (lineEnd < 0) return false;
  r.kind = 'assignCall';
  r.end = callEnd;
  r.lineEnd = lineEnd;
  r.target = target;
  r.calleeStart = calleeStart;
  r.calleeEnd = calleeEnd;
  r.calleeText = calleeText;
  r.argCount = count;
  return true;
}

/** The kind and value of the last value `valueOf` read. */
let valueKind = '';
let value: LiteralValue | undefined;

/** Reads a keyword argument's value (as VALUE_AT matches it) into `valueKind` and `value`; false when it is not simple after all. */
function valueOf(text: string): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (first === 34 || first === 39 || last === 34 || last === 39) {
    // Most values are plain strings without escapes: their body is the value.
    value = (first === 34 || first === 39) && !text.includes('\\') ? text.slice(1, -1) : stringFromText(text);
    valueKind = 'string';
    return value !== undefined;
  }
  if (first >= 48 && first <= 57) {
    if (text.includes('.') ? !/^[0-9_]+\.[0-9_]*$/.test(text) : !/^[0-9_]+$/.test(text)) return false;
    value = Number(text.replace(/_/g, ''));
    valueKind = text.includes('.') ? 'float' : 'integer';
    return Number.isFinite(value);
  }
  if (first === 91) {
    // A list of plain strings (tags, secrets); anything else is left to the tree.
    const values: string[] = [];
    for (const item of text.match(STRINGS) ?? []) {
      const itemValue = stringFromText(item);
      if (itemValue === undefined) return false;
      values.push(itemValue);
    }
    value = values;
    valueKind = 'list';
    return true;
  }
  if (text === 'True' || text === 'False') {
    value = text === 'True';
    valueKind = text === 'True' ? 'true' : 'false';
    return true;
  }
  if (text === 'None') {
    value = null;
    valueKind = 'none';
    return true;
  }
  value = undefined;
  valueKind = 'identifier';
  return !PYTHON_KEYWORDS.has(text);
}

/** Reads the operand at `at` (a name, or a list of names) as operand `index`; its end, or -1. */
function readOperand(source: string, at: number, index: number): number {
  const end = endOf(OPERAND_AT, source, at);
  if (end < 0) return -1;
  let names: string | string[];
  if (source.charCodeAt(at) !== 91) {
    names = source.slice(at, end);
    if (PYTHON_KEYWORDS.has(names)) return -1;
  } else {
    names = source.slice(at, end).match(NAMES) ?? [];
    for (let i = 0; i < names.length; i++) if (PYTHON_KEYWORDS.has(names[i])) return -1;
  }
  reading.operandStarts[index] = at;
  reading.operandEnds[index] = end;
  reading.operandNames[index] = names;
  return end;
}

/** `>>` or `<<` (not `>>=`) at `at`, or undefined. */
function shiftAt(source: string, at: number): '>>' | '<<' | undefined {
  const c = source.charCodeAt(at);
  if ((c !== 62 && c !== 60) || source.charCodeAt(at + 1) !== c || source.charCodeAt(at + 2) === 61) return undefined;
  return c === 62 ? '>>' : '<<';
}

function readChain(source: string, start: number, nameEnd: number): boolean {
  const r = reading;
  // `print >> f` is Python 2's print statement to tree-sitter-python, not a dependency.
  if (nameEnd - start === 5 && source.startsWith('print', start)) return false;
  let at = readOperand(source, start, 0);
  if (at < 0) return false;
  let count = 1;
  for (;;) {
    const lineEnd = endAt(source, at);
    if (lineEnd >= 0) {
      if (count < 2) return false;
      r.kind = 'chain';
      r.end = at;
      r.lineEnd = lineEnd;
      r.operandCount = count;
      return true;
    }
    const shiftStart = skipBlanks(source, at, false);
    const shift = shiftAt(source, shiftStart);
    if (!shift) return false;
    at = readOperand(source, skipBlanks(source, shiftStart + 2, false), count);
    if (at < 0) return false;
    r.operators[count - 1] = shift;
    count++;
  }
}
