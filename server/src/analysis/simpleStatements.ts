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
 * reads one piece; the pieces are joined in code below. Inside brackets line
 * breaks are blanks; outside them a statement is one line.
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
/** A keyword argument's value: a string, a number, a name (not followed by `.`, `(` or `[`), or a list of strings. */
const VALUE = String.raw`${STRING}|[0-9][0-9_.]*(?![A-Za-z0-9_])|${NAME}(?!${BLANKS}[.([])|\[${BLANKS}(?:${STRING}${BLANKS}(?:,${BLANKS}${STRING}${BLANKS})*(?:,${BLANKS})?)?\]`;

/** `target = callee.parts(`: the target, what joins it to the callee, the callee. */
const CALL_HEAD = new RegExp(String.raw`(${NAME})([ \t]*=(?!=)[ \t]*)(${NAME}(?:[ \t]*\.[ \t]*${NAME})*)[ \t]*\(`, 'y');
/** `name=value` and the comma after it, or none before `)`: the blanks before it, the name, `=`, the value, the comma. */
const ARGUMENT = new RegExp(String.raw`(${BLANKS})(${NAME})(${BLANKS}=(?!=)${BLANKS})(${VALUE})${BLANKS}(,|(?=\)))`, 'y');
const CALL_END = new RegExp(String.raw`${BLANKS}\)`, 'y');
/** A name, or a list of names. */
const OPERAND_PATTERN = String.raw`${NAME}|\[${BLANKS}(?:${NAME}${BLANKS}(?:,${BLANKS}${NAME}${BLANKS})*(?:,${BLANKS})?)?\]`;
const OPERAND = new RegExp(OPERAND_PATTERN, 'y');
/** `>>` or `<<` and the operand after it. */
const LINK = new RegExp(String.raw`[ \t]*(>>|<<)(?!=)[ \t]*(${OPERAND_PATTERN})`, 'y');
const SPACES = /[ \t]*/y;
const NAMES = /[A-Za-z_][A-Za-z0-9_]*/g;
const STRINGS = new RegExp(STRING, 'g');

/** Runs a sticky pattern at `at`: the match, or null. */
function matchAt(pattern: RegExp, source: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(source);
}

/** Where the statement may end: at `end` (read from the tree), or at the end of its line. */
interface Bounds {
  end: number;
  lineMode: boolean;
}

/**
 * Whether the statement can end at `at`: only spaces and tabs follow it, up to
 * the end (from the tree), or up to a line break or the end of the text
 * (reading a line). Returns where those blanks end, or -1.
 */
function endAt(source: string, at: number, bounds: Bounds): number {
  let after = at;
  let c = source.charCodeAt(at);
  if (c === 32 || c === 9) {
    SPACES.lastIndex = at;
    SPACES.test(source);
    after = SPACES.lastIndex;
    c = source.charCodeAt(after);
  }
  if (!bounds.lineMode) return at <= bounds.end && after >= bounds.end ? after : -1;
  return after >= source.length || c === 10 || c === 13 ? after : -1;
}

/** Reads a statement `source[start, end)` in one of the simple shapes, or undefined. */
export function readSimpleStatement(source: string, start: number, end: number): SimpleStatement | undefined {
  return read(source, start, { end, lineMode: false })?.statement;
}

/**
 * Reads the statement that starts at `start` and ends with its logical line
 * (at the first line break outside brackets), or undefined when it is not in
 * a simple shape. `end` is the end of its last token; `lineEnd` where its line
 * ends (at a line break, or the end of the text), past any trailing blanks.
 */
export function readSimpleLine(source: string, start: number): { statement: SimpleStatement; end: number; lineEnd: number } | undefined {
  const read_ = read(source, start, { end: source.length, lineMode: true });
  return read_ && { statement: read_.statement, end: statementEnd(read_.statement), lineEnd: read_.lineEnd };
}

/** The end of a statement's last token. */
export function statementEnd(statement: SimpleStatement): number {
  return statement.kind === 'assignCall' ? statement.callEnd : statement.operands[statement.operands.length - 1].end;
}

function read(source: string, from: number, bounds: Bounds): { statement: SimpleStatement; lineEnd: number } | undefined {
  let start = from;
  const c = source.charCodeAt(from);
  if (c === 32 || c === 9) {
    SPACES.lastIndex = from;
    SPACES.test(source);
    start = SPACES.lastIndex;
  }
  const head = matchAt(CALL_HEAD, source, start);
  return head ? readAssignCall(source, start, head, bounds) : readChain(source, start, bounds);
}

function readAssignCall(source: string, start: number, head: RegExpExecArray, bounds: Bounds): { statement: SimpleStatement; lineEnd: number } | undefined {
  const [, target, joint, calleeText] = head;
  if (PYTHON_KEYWORDS.has(target)) return undefined;
  const callee = calleeText.includes('.') ? calleeText.split('.').map((part) => part.trim()) : [calleeText];
  if (callee.some((part) => PYTHON_KEYWORDS.has(part))) return undefined;
  const calleeStart = start + target.length + joint.length;
  const args: SimpleArgument[] = [];
  let at = CALL_HEAD.lastIndex;
  let callEnd: number;
  for (;;) {
    const match = matchAt(ARGUMENT, source, at);
    if (!match) {
      // No argument here: the call ends (`()`, or a comma before `)`), or the statement is not simple.
      if (!matchAt(CALL_END, source, at)) return undefined;
      callEnd = CALL_END.lastIndex;
      break;
    }
    const [, blanks, name, equals, valueText, comma] = match;
    if (PYTHON_KEYWORDS.has(name)) return undefined;
    const nameStart = at + blanks.length;
    const valueStart = nameStart + name.length + equals.length;
    const value = valueOf(valueText);
    if (!value) return undefined;
    args.push({ name, nameStart, nameEnd: nameStart + name.length, valueStart, valueEnd: valueStart + valueText.length, kind: value.kind, value: value.value });
    at = ARGUMENT.lastIndex;
    if (!comma) {
      // ARGUMENT saw `)` next, after the blanks it took.
      callEnd = at + 1;
      break;
    }
  }
  const lineEnd = endAt(source, callEnd, bounds);
  if (lineEnd < 0) return undefined;
  const statement: SimpleStatement = { kind: 'assignCall', target: { name: target, start, end: start + target.length }, callee, calleeStart, calleeEnd: calleeStart + calleeText.length, callEnd, args };
  return { statement, lineEnd };
}

/** The kind and value of a keyword argument's value (as VALUE matches it), or undefined when it is not simple after all. */
function valueOf(text: string): { kind: string; value: LiteralValue | undefined } | undefined {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (first === 34 || first === 39) {
    // Most values are plain strings without escapes: their body is the value.
    const value = text.includes('\\') ? stringFromText(text) : text.slice(1, -1);
    return value === undefined ? undefined : { kind: 'string', value };
  }
  if (last === 34 || last === 39) {
    const value = stringFromText(text);
    return value === undefined ? undefined : { kind: 'string', value };
  }
  if (first >= 48 && first <= 57) {
    if (text.includes('.') ? !/^[0-9_]+\.[0-9_]*$/.test(text) : !/^[0-9_]+$/.test(text)) return undefined;
    const value = Number(text.replace(/_/g, ''));
    return Number.isFinite(value) ? { kind: text.includes('.') ? 'float' : 'integer', value } : undefined;
  }
  if (first === 91) {
    // A list of plain strings (tags, secrets); anything else is left to the tree.
    const values: string[] = [];
    for (const item of text.match(STRINGS) ?? []) {
      const value = stringFromText(item);
      if (value === undefined) return undefined;
      values.push(value);
    }
    return { kind: 'list', value: values };
  }
  if (text === 'True' || text === 'False') return { kind: text.toLowerCase(), value: text === 'True' };
  if (text === 'None') return { kind: 'none', value: null };
  return PYTHON_KEYWORDS.has(text) ? undefined : { kind: 'identifier', value: undefined };
}

/** The operand whose text is `text`, at `at` (a name, or a list of names), or undefined. */
function operand(text: string, at: number): SimpleOperand | undefined {
  const end = at + text.length;
  if (text.charCodeAt(0) !== 91) return PYTHON_KEYWORDS.has(text) ? undefined : { kind: 'name', name: text, start: at, end };
  const items: SimpleName[] = [];
  NAMES.lastIndex = 0;
  for (let item = NAMES.exec(text); item; item = NAMES.exec(text)) {
    if (PYTHON_KEYWORDS.has(item[0])) return undefined;
    items.push({ name: item[0], start: at + item.index, end: at + item.index + item[0].length });
  }
  return { kind: 'list', items, start: at, end };
}

function readChain(source: string, start: number, bounds: Bounds): { statement: SimpleStatement; lineEnd: number } | undefined {
  const first = matchAt(OPERAND, source, start);
  const head = first ? operand(first[0], start) : undefined;
  // `print >> f` is Python 2's print statement to tree-sitter-python, not a dependency.
  if (!head || (head.kind === 'name' && head.name === 'print')) return undefined;
  const operands: SimpleOperand[] = [head];
  const operators: Array<'>>' | '<<'> = [];
  for (let at = head.end; ;) {
    const lineEnd = endAt(source, at, bounds);
    if (lineEnd >= 0) return operators.length > 0 ? { statement: { kind: 'chain', operands, operators }, lineEnd } : undefined;
    const link = matchAt(LINK, source, at);
    const next = link ? operand(link[2], LINK.lastIndex - link[2].length) : undefined;
    if (!next) return undefined;
    operators.push(link![1] as '>>' | '<<');
    operands.push(next);
    at = next.end;
  }
}
