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
/*
 * These patterns are shared by every StatementReader, though sticky and
 * global patterns carry `lastIndex`: every use sets it first (`endOf`, and
 * `NAMES.lastIndex = 0` before an `exec` loop) or ignores it (`match`), and
 * reading is synchronous, so no read sees what another left. Shared, each is
 * compiled (and optimised to native code) once per process, not per reader.
 */

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

/** `>>` or `<<` (not `>>=`) at `at`, or undefined. */
function shiftAt(source: string, at: number): '>>' | '<<' | undefined {
  const c = source.charCodeAt(at);
  if ((c !== 62 && c !== 60) || source.charCodeAt(at + 1) !== c || source.charCodeAt(at + 2) === 61) return undefined;
  return c === 62 ? '>>' : '<<';
}

/**
 * Reads statements in the simple shapes. Its fields hold what the last
 * successful `readStatement`/`readLine` found, in buffers reused from one
 * statement to the next: reading makes no objects for a statement's
 * structure, only the strings the model keeps (names, values). Offsets are
 * into the source read; valid until the next read. Whoever analyses creates
 * a reader and holds it (the language server, one per document, so that the
 * strings it repeats are shared from one analysis to the next).
 */
export class StatementReader {
  kind: 'assignCall' | 'chain' = 'assignCall';
  start = 0;
  /** The end of the statement's last token. */
  end = 0;
  /** Where its line ends, past trailing blanks (reading a line): a line break, or the end of the text. */
  lineEnd = 0;
  // `target = callee(name=value, …)`
  target = '';
  calleeStart = 0;
  calleeEnd = 0;
  /** The callee as written (`BashOperator`, `vortex.operators.BashOperator`). */
  calleeText = '';
  argCount = 0;
  readonly argNames: string[] = [];
  readonly argNameStarts: number[] = [];
  readonly argValueStarts: number[] = [];
  readonly argValueEnds: number[] = [];
  /** The tree-sitter node type each value would have (`string`, `identifier`, `list`, …). */
  readonly argKinds: string[] = [];
  readonly argValues: Array<LiteralValue | undefined> = [];
  readonly argTexts: string[] = [];
  // `a >> [b, c] << d`
  operandCount = 0;
  readonly operandStarts: number[] = [];
  readonly operandEnds: number[] = [];
  /** One name, or the names of a list. */
  readonly operandNames: Array<string | string[]> = [];
  /** operators[i] joins operands i and i + 1. */
  readonly operators: Array<'>>' | '<<'> = [];

  /** Where the statement may end: at `boundEnd` (read from the tree), or at the end of its line. */
  private boundEnd = 0;
  private lineMode = false;
  /** The kind and value of the last value `valueOf` read. */
  private valueKind = '';
  private value: LiteralValue | undefined = undefined;
  private readonly keywords = new RepeatedStrings();
  private readonly callees = new RepeatedStrings();
  private readonly valueNames = new RepeatedStrings();

  /** Reads the statement `source[start, end)` (its bounds from the tree); false when it is not in a simple shape. */
  readStatement(source: string, start: number, end: number): boolean {
    this.boundEnd = end;
    this.lineMode = false;
    return this.read(source, start);
  }

  /**
   * Reads the statement that starts at `start` and ends with its logical line
   * (at the first line break outside brackets); false when it is not in a
   * simple shape.
   */
  readLine(source: string, start: number): boolean {
    this.boundEnd = source.length;
    this.lineMode = true;
    return this.read(source, start);
  }

  /** The last reading (of `source`) as a statement object. */
  statement(source: string): SimpleStatement {
    if (this.kind === 'assignCall') {
      const args: SimpleArgument[] = [];
      for (let i = 0; i < this.argCount; i++) {
        const nameStart = this.argNameStarts[i];
        const name = this.argNames[i];
        args.push({ name, nameStart, nameEnd: nameStart + name.length, valueStart: this.argValueStarts[i], valueEnd: this.argValueEnds[i], kind: this.argKinds[i], value: this.argValues[i] });
      }
      const callee = this.calleeText.includes('.') ? this.calleeText.split('.').map((part) => part.trim()) : [this.calleeText];
      return { kind: 'assignCall', target: { name: this.target, start: this.start, end: this.start + this.target.length }, callee, calleeStart: this.calleeStart, calleeEnd: this.calleeEnd, callEnd: this.end, args };
    }
    const operands: SimpleOperand[] = [];
    for (let i = 0; i < this.operandCount; i++) {
      const names = this.operandNames[i];
      const start = this.operandStarts[i];
      if (typeof names === 'string') {
        operands.push({ kind: 'name', name: names, start, end: this.operandEnds[i] });
      } else {
        // Item positions, for the object form only.
        const text = source.slice(start, this.operandEnds[i]);
        const items: SimpleName[] = [];
        NAMES.lastIndex = 0;
        for (let item = NAMES.exec(text); item; item = NAMES.exec(text)) items.push({ name: item[0], start: start + item.index, end: start + item.index + item[0].length });
        operands.push({ kind: 'list', items, start, end: this.operandEnds[i] });
      }
    }
    return { kind: 'chain', operands, operators: this.operators.slice(0, this.operandCount - 1) };
  }

  /**
   * Whether the statement can end at `at`: only spaces and tabs follow it, up to
   * the end (from the tree), or up to a line break or the end of the text
   * (reading a line). Returns where those blanks end, or -1.
   */
  private endAt(source: string, at: number): number {
    const after = skipBlanks(source, at, false);
    if (!this.lineMode) return at <= this.boundEnd && after >= this.boundEnd ? after : -1;
    const c = source.charCodeAt(after);
    return after >= source.length || c === 10 || c === 13 ? after : -1;
  }

  private read(source: string, from: number): boolean {
    const start = skipBlanks(source, from, false);
    this.start = start;
    const targetEnd = endOf(NAME_AT, source, start);
    if (targetEnd >= 0) {
      const calleeStart = endOf(ASSIGN_AT, source, targetEnd);
      if (calleeStart >= 0) return this.readAssignCall(source, start, targetEnd, calleeStart);
    }
    return this.readChain(source, start, targetEnd);
  }

  private readAssignCall(source: string, start: number, targetEnd: number, calleeStart: number): boolean {
    const calleeEnd = endOf(CALLEE_AT, source, calleeStart);
    let at = calleeEnd < 0 ? -1 : endOf(OPEN_AT, source, calleeEnd);
    if (at < 0) return false;
    const target = source.slice(start, targetEnd);
    const calleeText = this.callees.slice(source, calleeStart, calleeEnd);
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
      const name = this.keywords.slice(source, at, nameEnd);
      // A name given as a value (`python_callable=transform`) is often the same for many tasks.
      const first = source.charCodeAt(valueStart);
      const text = (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95 ? this.valueNames.slice(source, valueStart, valueEnd) : source.slice(valueStart, valueEnd);
      if (PYTHON_KEYWORDS.has(name) || !this.valueOf(text)) return false;
      this.argNames[count] = name;
      this.argNameStarts[count] = at;
      this.argValueStarts[count] = valueStart;
      this.argValueEnds[count] = valueEnd;
      this.argKinds[count] = this.valueKind;
      this.argValues[count] = this.value;
      this.argTexts[count] = text;
      count++;
      at = skipBlanks(source, valueEnd, true);
      const c = source.charCodeAt(at);
      if (c === 44) at++; // `,`
      else if (c === 41) break;
      else return false;
    }
    const callEnd = at + 1;
    const lineEnd = this.endAt(source, callEnd);
    if (lineEnd < 0) return false;
    this.kind = 'assignCall';
    this.end = callEnd;
    this.lineEnd = lineEnd;
    this.target = target;
    this.calleeStart = calleeStart;
    this.calleeEnd = calleeEnd;
    this.calleeText = calleeText;
    this.argCount = count;
    return true;
  }

  /** Reads a keyword argument's value (as VALUE_AT matches it) into `valueKind` and `value`; false when it is not simple after all. */
  private valueOf(text: string): boolean {
    const first = text.charCodeAt(0);
    const last = text.charCodeAt(text.length - 1);
    if (first === 34 || first === 39 || last === 34 || last === 39) {
      // Most values are plain strings without escapes: their body is the value.
      this.value = (first === 34 || first === 39) && !text.includes('\\') ? text.slice(1, -1) : stringFromText(text);
      this.valueKind = 'string';
      return this.value !== undefined;
    }
    if (first >= 48 && first <= 57) {
      if (text.includes('.') ? !/^[0-9_]+\.[0-9_]*$/.test(text) : !/^[0-9_]+$/.test(text)) return false;
      this.value = Number(text.replace(/_/g, ''));
      this.valueKind = text.includes('.') ? 'float' : 'integer';
      return Number.isFinite(this.value);
    }
    if (first === 91) {
      // A list of plain strings (tags, secrets); anything else is left to the tree.
      const values: string[] = [];
      for (const item of text.match(STRINGS) ?? []) {
        const itemValue = stringFromText(item);
        if (itemValue === undefined) return false;
        values.push(itemValue);
      }
      this.value = values;
      this.valueKind = 'list';
      return true;
    }
    if (text === 'True' || text === 'False') {
      this.value = text === 'True';
      this.valueKind = text === 'True' ? 'true' : 'false';
      return true;
    }
    if (text === 'None') {
      this.value = null;
      this.valueKind = 'none';
      return true;
    }
    this.value = undefined;
    this.valueKind = 'identifier';
    return !PYTHON_KEYWORDS.has(text);
  }

  /** Reads the operand at `at` (a name, or a list of names) as operand `index`; its end, or -1. */
  private readOperand(source: string, at: number, index: number): number {
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
    this.operandStarts[index] = at;
    this.operandEnds[index] = end;
    this.operandNames[index] = names;
    return end;
  }

  private readChain(source: string, start: number, nameEnd: number): boolean {
    // `print >> f` is Python 2's print statement to tree-sitter-python, not a dependency.
    if (nameEnd - start === 5 && source.startsWith('print', start)) return false;
    let at = this.readOperand(source, start, 0);
    if (at < 0) return false;
    let count = 1;
    for (;;) {
      const lineEnd = this.endAt(source, at);
      if (lineEnd >= 0) {
        if (count < 2) return false;
        this.kind = 'chain';
        this.end = at;
        this.lineEnd = lineEnd;
        this.operandCount = count;
        return true;
      }
      const shiftStart = skipBlanks(source, at, false);
      const shift = shiftAt(source, shiftStart);
      if (!shift) return false;
      at = this.readOperand(source, skipBlanks(source, shiftStart + 2, false), count);
      if (at < 0) return false;
      this.operators[count - 1] = shift;
      count++;
    }
  }
}

/** Reads a statement `source[start, end)` in one of the simple shapes, as an object (for tests), or undefined. */
export function readSimpleStatement(source: string, start: number, end: number): SimpleStatement | undefined {
  const reader = new StatementReader();
  return reader.readStatement(source, start, end) ? reader.statement(source) : undefined;
}

/** `readLine`, as an object (for tests); `end` is the end of its last token, `lineEnd` where its line ends. */
export function readSimpleLine(source: string, start: number): { statement: SimpleStatement; end: number; lineEnd: number } | undefined {
  const reader = new StatementReader();
  return reader.readLine(source, start) ? { statement: reader.statement(source), end: reader.end, lineEnd: reader.lineEnd } : undefined;
}
