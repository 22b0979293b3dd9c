/**
 * The DAG analyser: a Python syntax tree in, the plain DAG model out.
 *
 * One pass over the statements of the module (and of the blocks that can hold
 * DAG constructs: `with`, `if`, `try`) builds DAGs, tasks and dependencies;
 * function bodies and loops are only searched for operator calls, which are
 * dynamic (VX404). A few checks run once at the end, when every name is known.
 * The walk is iterative where input can nest deeply, and expression evaluation
 * stops at a fixed depth, so no input can exhaust the stack.
 *
 * Most statements of a large file are read from their text rather than node
 * by node (see `Analyser.walkText` and simpleStatements.ts), and the tasks,
 * arguments and edges of the model are compact records (records.ts): both
 * because analysing a file must cost little next to parsing it.
 */
import type { Node, Parser, Tree, TreeCursor } from 'web-tree-sitter';
import { newPythonParser } from './parser';
import { durationSeconds, literalValue, rangeOf, SIMPLE_LITERALS, simpleLiteral } from './literals';
import type {
  Argument, DagModel, Diagnostic, DiagnosticCode, FileAnalysis, FixData, LiteralValue, Position, Range, TaskModel,
} from './model';
import { diagnostic } from '../diagnostics';
import { CONTEXT_PARAMETER_NAMES, KNOWN_DAG_ARGS, REQUIRED_ARGUMENT, knownOperatorArgs, operatorKind } from './operators';
import { ArgumentRecord, EdgeRecord, makeRange, NONE, stringList, TaskRecord, type CallPositions } from './records';
import { checkSchedule } from './schedule';
import { closest } from './suggest';
import { findCycles, type IndexedEdge } from './graph';
import { StatementReader } from './simpleStatements';
import { pythonLineBreaks } from './source';

export interface AnalyseOptions {
  /** Files longer than this (in characters) get one VX002 diagnostic and no analysis. */
  maxFileSize?: number;
  /**
   * A parse of the file that takes longer than this is given up and the file
   * gets one VX002 instead; the re-parses that read past syntax errors share
   * one more such budget. No limit when absent (the command line).
   */
  parseTimeoutMs?: number;
  /** Read simple statements from their text (see simpleStatements.ts); off only to test that both ways agree. */
  simpleStatements?: boolean;
  /** Kept by the caller from one analysis of a document to the next (the language server does). */
  statementCache?: StatementCache;
  /**
   * The caller's parser, for `analyse` and for the re-parses that read past
   * syntax errors. Without one, a parser is made for the call and deleted
   * after it (parsers hold wasm memory, which is not collected).
   */
  parser?: Parser;
}

/**
 * `name = Operator(...)` made ready for the analyser: positions rather than
 * offsets (its own fields place the call), its arguments built.
 */
interface PreparedCall extends CallPositions {
  kind: 'assignCall';
  target: string;
  /** The callee as written (`BashOperator`, `vortex.operators.BashOperator`). */
  fnText: string;
  hasTaskId: boolean;
  byName: Record<string, Argument>;
  list: ArgumentRecord[];
}

/** `a >> [b, c] << d` made ready for the analyser. */
interface PreparedChain {
  kind: 'chain';
  /** How many operands (the arrays may be longer). */
  count: number;
  /** Each operand's name, or the names of a list (`[a, b]`). */
  names: Array<string | string[]>;
  /** Each operand's start line and character, end line and character, one after the other. */
  positions: number[];
  /** operators[i] joins operands i and i + 1. */
  operators: Array<'>>' | '<<'>;
}

type PreparedStatement = PreparedCall | PreparedChain;

/** What one line held the last time it was read: a simple statement, or nothing simple (undefined). */
interface CachedLine {
  /** The line's text. */
  text: string;
  statement: PreparedStatement | undefined;
  /** The last analysis that used it. */
  run: number;
}

/**
 * What each line holding one statement alone made in the last analysis of a
 * document: re-analysing after an edit reuses it for every line whose text
 * is unchanged, with no scanning and the same argument objects instead of
 * new copies. Why: on a large file each keystroke otherwise allocated the
 * whole model again, and the garbage, not the model, drove the server's
 * memory. By line number, since positions are what the model keeps: an edit
 * that does not add or remove lines spoils no other line. A line's text is
 * compared in place, with no copy of it made.
 */
export class StatementCache {
  /** Reads this document's statements; kept with it so the strings it repeats are shared from one analysis to the next. */
  readonly reader = new StatementReader();
  private lines: Array<CachedLine | undefined> = [];
  private run = 0;

  /** What `source[lineStart, lineEnd)` (line `line`) made in the last analysis, if it held the same text then. */
  lookup(source: string, line: number, lineStart: number, lineEnd: number): CachedLine | undefined {
    const entry = this.lines[line];
    if (!entry || entry.text.length !== lineEnd - lineStart || !source.startsWith(entry.text, lineStart)) return undefined;
    entry.run = this.run;
    return entry;
  }

  store(line: number, text: string, statement: PreparedStatement | undefined): CachedLine {
    const entry = { text, statement, run: this.run };
    this.lines[line] = entry;
    return entry;
  }

  /**
   * Ends a run over a text of `lineCount` lines: what this run did not use is
   * dropped (it would keep the text it was read from alive).
   */
  finish(lineCount: number): void {
    const { lines, run } = this;
    if (lines.length > lineCount) lines.length = lineCount;
    for (let i = 0; i < lines.length; i++) if (lines[i] !== undefined && lines[i]!.run !== run) lines[i] = undefined;
    this.run++;
  }
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

/**
 * The language server gives up a parse that takes longer than this, for open
 * documents and for the workspace scan alike: tree-sitter-python's scanner is
 * quadratic on long runs of consecutive comment lines (4,000 take seconds).
 */
export const DEFAULT_PARSE_TIMEOUT_MS = 2000;

const FRAMEWORKS = new Set(['vortex', 'airflow']);
const MAX_EXPRESSION_DEPTH = 200;
const MAX_SYNTAX_ERRORS = 20;
/**
 * Airflow's rule for a `dag_id` and a `task_id` (`validate_key`): 1 to 250
 * characters matching Python's `[\w.-]`, where `\w` is a letter or a digit of
 * any script (`str.isalnum()`) or `_`. Most ids are ASCII, so that is tried first.
 */
const ASCII_ID = /^[A-Za-z0-9_.-]{1,250}$/;
const ID_CHARACTERS = /^[\p{L}\p{N}_.-]+$/u;
const MAX_ID_LENGTH = 250;

/** Why Airflow refuses `id` as a `dag_id` or `task_id` (after "The task_id "…" "), or undefined when it accepts it. */
function idProblem(id: string): string | undefined {
  if (ASCII_ID.test(id)) return undefined;
  // Python counts code points, not UTF-16 units.
  const length = [...id].length;
  if (length === 0) return 'is empty';
  if (length > MAX_ID_LENGTH) return `is ${length} characters long (the limit is ${MAX_ID_LENGTH})`;
  if (ID_CHARACTERS.test(id)) return undefined;
  return 'may use only letters and digits (of any script), "_", "-" and "."';
}

/** An id as a message shows it: at most 60 characters, and one line. */
function shownId(id: string): string {
  const line = id.replace(/[\r\n]+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}

/**
 * Airflow's own test for "might contain a DAG": the text mentions a DAG and one
 * of the frameworks. Cheap enough to run on every Python file before parsing.
 */
export function mightContainDag(text: string): boolean {
  return /dag/i.test(text) && /\b(vortex|airflow)\b/.test(text);
}

export function emptyAnalysis(): FileAnalysis {
  return { isDagFile: false, dags: [], tasks: [], diagnostics: [], hasDynamicConstructs: false };
}

/**
 * Parses `text` (reusing the unchanged parts of `oldTree` when given), giving
 * up after `timeoutMs`: null then. The parser stays usable for the next text.
 */
export function parseWithin(parser: Parser, text: string, oldTree: Tree | null, timeoutMs: number | undefined): Tree | null {
  // Rows of the tree are then lines as Python and the editor count them (see pythonLineBreaks).
  const source = pythonLineBreaks(text);
  if (timeoutMs === undefined) return parser.parse(source, oldTree);
  const deadline = performance.now() + timeoutMs;
  // Returning true from the progress callback cancels the parse.
  const tree = parser.parse(source, oldTree, { progressCallback: () => performance.now() > deadline });
  // A cancelled parse would otherwise resume on the next call.
  if (!tree) parser.reset();
  return tree;
}

/** The answer for a DAG file whose parse was given up after `timeoutMs`. */
export function parseTimedOut(text: string, timeoutMs: number): FileAnalysis {
  return skippedAnalysis(
    text,
    `Parsing this file took longer than ${(timeoutMs / 1000).toFixed(0)} s, so VORTEX skipped its analysis (very long runs of comment lines are slow to parse). Shorten the file to have it analysed again.`,
  );
}

/**
 * Parses and analyses `text`. `loadPython()` must have resolved first.
 * The tree is freed before returning; callers that keep trees (the language
 * server) parse themselves and call `analyseTree`.
 */
export function analyse(source: string, options: AnalyseOptions = {}): FileAnalysis {
  const text = pythonLineBreaks(source);
  const declined = precheck(text, options);
  if (declined) return declined;
  const parser = options.parser ?? newPythonParser();
  try {
    const tree = parseWithin(parser, text, null, options.parseTimeoutMs);
    if (!tree) return options.parseTimeoutMs === undefined ? emptyAnalysis() : parseTimedOut(text, options.parseTimeoutMs);
    try {
      return analyseTree(tree, text, options.parser ? options : { ...options, parser });
    } finally {
      tree.delete();
    }
  } finally {
    if (parser !== options.parser) parser.delete();
  }
}

/** A DAG file VORTEX did not analyse: one VX002 on its first line saying why. */
export function skippedAnalysis(text: string, message: string): FileAnalysis {
  const analysis = emptyAnalysis();
  analysis.isDagFile = true;
  const firstLineEnd = text.indexOf('\n');
  const end = Math.min(firstLineEnd < 0 ? text.length : firstLineEnd, 200);
  analysis.diagnostics.push(diagnostic('VX002', { start: { line: 0, character: 0 }, end: { line: 0, character: end } }, message));
  return analysis;
}

/** The answer for files that are not analysed at all: not DAG files, or too large. */
export function precheck(text: string, options: AnalyseOptions = {}): FileAnalysis | undefined {
  if (!mightContainDag(text)) return emptyAnalysis();
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  if (text.length > limit) {
    return skippedAnalysis(
      text,
      `This file is ${(text.length / 1048576).toFixed(1)} MB, over the ${(limit / 1048576).toFixed(1)} MB analysis limit: VORTEX skipped it. Raise the "vortex.analysis.maxFileSize" setting to analyse it.`,
    );
  }
  return undefined;
}

/**
 * Analyses an already parsed tree of `text` (the tree stays the caller's; it
 * is parsed by `parseWithin`, which reads line breaks as this does).
 */
export function analyseTree(tree: Tree, source: string, options: AnalyseOptions = {}): FileAnalysis {
  const text = pythonLineBreaks(source);
  const declined = precheck(text, options);
  if (declined) return declined;
  const simple = options.simpleStatements ?? true;
  if (!tree.rootNode.hasError) return analyseRoot(text, tree.rootNode, simple, options.statementCache);
  const parser = options.parser ?? newPythonParser();
  try {
    return analyseBrokenTree(parser, tree, text, simple, options);
  } finally {
    if (parser !== options.parser) parser.delete();
  }
}

/** `analyseTree` for a tree with syntax errors: what is left open is closed, and broken statements blanked, by parsing again. */
function analyseBrokenTree(parser: Parser, tree: Tree, text: string, simple: boolean, options: AnalyseOptions): FileAnalysis {
  const deadline = options.parseTimeoutMs === undefined ? undefined : performance.now() + options.parseTimeoutMs;
  const unclosed = findUnclosed(text);
  // Python's own error when something is left open at the end: everything
  // after it is inside it. Closed, the file says what else is wrong.
  const closed = unclosed ? closeUnclosed(parser, tree, text, unclosed, deadline) : { tree, text, inserted: undefined };
  const syntaxErrors = unclosed ? [unclosedDiagnostic(text, unclosed), ...findSyntaxErrors(closed.tree.rootNode, closed.text)] : findSyntaxErrors(tree.rootNode, text);
  const start = { tree: closed.tree, text: closed.text };
  const repaired = repairedParse(parser, start.tree, start.text, deadline);
  try {
    const analysis = analyseRoot(repaired.text, repaired.tree.rootNode, simple);
    if (!analysis.isDagFile) {
      // The repairs may have taken the imports away: a file that imports a framework still gets its syntax errors.
      if (!IMPORTS_FRAMEWORK.test(text)) return analysis;
      analysis.isDagFile = true;
    }
    if (closed.inserted) endBeforeInsertion(analysis, closed.inserted);
    analysis.diagnostics = [...syntaxErrors, ...analysis.diagnostics.filter((d) => d.code !== 'VX001')].sort(byPosition);
    return analysis;
  } finally {
    if (repaired.tree !== start.tree) repaired.tree.delete();
    if (start.tree !== tree) start.tree.delete();
  }
}

/** An import of VORTEX or Airflow, read from the text alone (for a file whose tree is broken). */
const IMPORTS_FRAMEWORK = /^[ \t]*(?:from[ \t]+(?:vortex|airflow)\b|import[ \t]+(?:vortex|airflow)\b)/m;

/**
 * Runs the analyser over a tree. Walking blocks by their text (see
 * `Analyser.walkText`) is checked against the tree as it goes; should the tree
 * ever disagree, the file is analysed again with the tree walk alone.
 */
function analyseRoot(text: string, root: Node, simpleStatements: boolean, statementCache?: StatementCache): FileAnalysis {
  const reader = statementCache?.reader ?? new StatementReader();
  try {
    return new Analyser(text, root, reader, simpleStatements, statementCache, simpleStatements).run(root);
  } catch (error) {
    if (!(error instanceof TreeMismatch)) throw error;
    return new Analyser(text, root, reader, simpleStatements, statementCache, false).run(root);
  }
}

/** The tree does not have a statement where the text walk says one starts. */
class TreeMismatch extends Error {}

const MAX_REPAIRS = 8;

/**
 * Tree-sitter's error recovery can swallow everything after an unclosed
 * bracket into one ERROR node. So that the rest of the file is still analysed,
 * the lines of each broken statement (from the error to the next line indented
 * no deeper) are blanked and the text parsed again; the line numbers of every
 * other line stay as they were.
 */
function repairedParse(parser: Parser, tree: Tree, text: string, deadline: number | undefined): { tree: Tree; text: string } {
  let current = { tree, text };
  let lastLine = -1;
  for (let attempt = 0; attempt < MAX_REPAIRS && current.tree.rootNode.hasError; attempt++) {
    const line = firstErrorLine(current.tree.rootNode);
    if (line === undefined || line <= lastLine) break;
    lastLine = line;
    const lines = current.text.split('\n');
    const indent = (l: string) => l.length - l.trimStart().length;
    const base = indent(lines[line] ?? '');
    let end = line + 1;
    while (end < lines.length && (lines[end].trim() === '' || lines[end].trimStart().startsWith('#') || indent(lines[end]) > base)) end++;
    for (let i = line; i < end; i++) lines[i] = '';
    const repairedText = lines.join('\n');
    // Out of time, the analysis goes on with the tree repaired so far.
    const next = parseWithin(parser, repairedText, null, remaining(deadline));
    if (!next) break;
    if (current.tree !== tree) current.tree.delete();
    current = { tree: next, text: repairedText };
  }
  return current;
}

/** How long is left until `deadline` (none: no limit). */
function remaining(deadline: number | undefined): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Reads `text[from, to)` as Python's tokenizer does as far as brackets go,
 * skipping strings and comments: the offsets of the brackets left open, in
 * order, that of a triple-quoted string left open (else -1), and where the
 * last code ends. Undefined when a closing bracket matches no opening one (an
 * error of another kind, left to the tree). With `strings`, the start and end
 * of each triple-quoted string are pushed to it.
 */
function openBrackets(text: string, from: number, to: number, strings?: number[]): { brackets: number[]; string: number; codeEnd: number } | undefined {
  const brackets: number[] = [];
  let codeEnd = from;
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 35) {
      // A comment, to the end of its line.
      const lineBreak = text.indexOf('\n', i);
      i = lineBreak < 0 || lineBreak > to ? to : lineBreak;
    } else if (c === 34 || c === 39) {
      const triple = text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c;
      const start = i;
      let closed = false;
      for (i += triple ? 3 : 1; i < to; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 10 && !triple) break;
        else if (d === c && (!triple || (text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c))) {
          i += triple ? 3 : 1;
          closed = true;
          break;
        }
      }
      if (!closed && triple) return { brackets, string: start, codeEnd };
      if (triple) strings?.push(start, i);
      codeEnd = Math.min(i, to);
    } else {
      if (c === 40 || c === 91 || c === 123) {
        brackets.push(i);
      } else if (c === 41 || c === 93 || c === 125) {
        const open = brackets.pop();
        if (open === undefined || CLOSING[text[open]] !== text[i]) return undefined;
      }
      if (c > 32) codeEnd = i + 1;
      // A backslash joins the next line (or escapes whatever follows it).
      i += c === 92 ? 2 : 1;
    }
  }
  return { brackets, string: -1, codeEnd };
}

/** What Python finds open at the end of the file: the innermost bracket (and the outermost), or a triple-quoted string. */
type Unclosed = { kind: 'bracket'; at: number; outermost: number } | { kind: 'string'; at: number };

function findUnclosed(text: string): Unclosed | undefined {
  const scan = openBrackets(text, 0, text.length);
  if (!scan) return undefined;
  if (scan.string >= 0) return { kind: 'string', at: scan.string };
  const { brackets } = scan;
  return brackets.length > 0 ? { kind: 'bracket', at: brackets[brackets.length - 1], outermost: brackets[0] } : undefined;
}

/** The position of offset `index` of `text`. */
function positionIn(text: string, index: number): Position {
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return { line, character: index === 0 ? 0 : index - (text.lastIndexOf('\n', index - 1) + 1) };
}

function unclosedDiagnostic(text: string, unclosed: Unclosed): Diagnostic {
  const start = positionIn(text, unclosed.at);
  if (unclosed.kind === 'bracket') {
    const bracket = text[unclosed.at];
    return diagnostic(
      'VX001',
      { start, end: { line: start.line, character: start.character + 1 } },
      `Syntax error: this "${bracket}" is never closed, so Python reads the rest of the file as inside it. Close it with "${CLOSING[bracket]}"; the rest of the file is still analysed.`,
    );
  }
  const quotes = text.slice(unclosed.at, unclosed.at + 3);
  return diagnostic(
    'VX001',
    { start, end: { line: start.line, character: start.character + 3 } },
    `Syntax error: this ${quotes} string is never closed, so Python reads the rest of the file as part of it. Close it with ${quotes}.`,
  );
}

/**
 * The statement holding the bracket left open, mended so that the rest of the
 * file parses as it reads: where the next line indented no deeper starts (a
 * statement typed half, `b = BashOperator(task_id="b"`, and the next one), its
 * open brackets are closed after its last code; if that still does not parse,
 * its lines are blanked. Lines keep their numbers. The tree returned is the
 * one given when nothing could be parsed in time.
 */
function closeStatement(parser: Parser, tree: Tree, text: string, unclosed: Extract<Unclosed, { kind: 'bracket' }>, deadline: number | undefined): Closed {
  const statementStart = text.lastIndexOf('\n', unclosed.outermost - 1) + 1;
  const base = indentationEnd(text, statementStart) - statementStart;
  // A line of a string that spans lines is no statement: where the strings after the statement's start are.
  const strings: number[] = [];
  openBrackets(text, statementStart, text.length, strings);
  let inString = 0;
  let statementEnd = text.length;
  for (let lineBreak = text.indexOf('\n', unclosed.outermost); lineBreak >= 0; lineBreak = text.indexOf('\n', lineBreak + 1)) {
    const lineStart = lineBreak + 1;
    const codeStart = indentationEnd(text, lineStart);
    const c = text.charCodeAt(codeStart);
    if (codeStart >= text.length || c === 10 || c === 13 || c === 35 || codeStart - lineStart > base) continue;
    while (inString < strings.length && strings[inString + 1] <= lineStart) inString += 2;
    if (inString < strings.length && strings[inString] < lineStart) continue;
    statementEnd = lineStart;
    break;
  }
  const firstRow = positionIn(text, statementStart).line;
  const endRow = firstRow + countLineBreaks(text, statementStart, statementEnd);
  const scan = openBrackets(text, statementStart, statementEnd);
  if (scan && scan.string < 0 && scan.brackets.length > 0) {
    const closers = scan.brackets.map((at) => CLOSING[text[at]]).reverse().join('');
    const closedText = text.slice(0, scan.codeEnd) + closers + text.slice(scan.codeEnd);
    const closed = parseWithin(parser, closedText, null, remaining(deadline));
    if (!closed) return { tree, text, inserted: undefined };
    if (!hasErrorOnRows(closed.rootNode, firstRow, endRow)) {
      return { tree: closed, text: closedText, inserted: { ...positionIn(text, scan.codeEnd), length: closers.length } };
    }
    closed.delete();
  }
  // The names it assigns stay bound, to a value no one can read (a call of
  // nothing known), so that their uses below are not "not defined" (VX302).
  const targets = ASSIGNMENT_TARGETS.exec(text.slice(statementStart, statementEnd));
  const kept = targets ? `${targets[0]} _()` : '';
  const firstLineEnd = text.indexOf('\n', statementStart);
  const rest = firstLineEnd < 0 || firstLineEnd > statementEnd ? statementEnd : firstLineEnd;
  const blankedText = text.slice(0, statementStart) + kept + text.slice(rest, statementEnd).replace(/[^\n]+/g, '') + text.slice(statementEnd);
  const blanked = parseWithin(parser, blankedText, null, remaining(deadline));
  return { ...(blanked ? { tree: blanked, text: blankedText } : { tree, text }), inserted: undefined };
}

/** `a = ` or `a, b = ` at the start of a statement (with its indentation). */
const ASSIGNMENT_TARGETS = /^[ \t]*[A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*[ \t]*=(?!=)/;

/** A text mended by `closeUnclosed`, its tree, and where it got closing brackets that are not in the file. */
interface Closed {
  tree: Tree;
  text: string;
  inserted: { line: number; character: number; length: number } | undefined;
}

/**
 * What is left open at the end of the file, closed: a bracket where its
 * statement ends (`closeStatement`), a triple-quoted string at the end of the
 * file, where Python would have it end. The tree returned is the one given
 * when nothing could be parsed in time.
 */
function closeUnclosed(parser: Parser, tree: Tree, text: string, unclosed: Unclosed, deadline: number | undefined): Closed {
  if (unclosed.kind === 'bracket') return closeStatement(parser, tree, text, unclosed, deadline);
  // On a line of its own, so that no backslash at the end of the file escapes it.
  const closedText = `${text}\n${text.slice(unclosed.at, unclosed.at + 3)}`;
  const closed = parseWithin(parser, closedText, null, remaining(deadline));
  return { ...(closed ? { tree: closed, text: closedText } : { tree, text }), inserted: undefined };
}

/**
 * The calls that end in closing brackets the repair inserted end where the
 * file's own code does, so that a range never covers what is not there.
 */
function endBeforeInsertion(analysis: FileAnalysis, inserted: { line: number; character: number; length: number }): void {
  const clamp = (end: { line: number; character: number }) => end.line === inserted.line && end.character > inserted.character;
  for (const task of analysis.tasks) {
    if (task instanceof TaskRecord && clamp({ line: task.endLine, character: task.endCharacter })) {
      (task as { -readonly [K in 'endCharacter']: number }).endCharacter = Math.max(inserted.character, task.endCharacter - inserted.length);
    }
  }
  for (const dag of analysis.dags) {
    if (clamp(dag.range.end)) dag.range.end.character = Math.max(inserted.character, dag.range.end.character - inserted.length);
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Whether a syntax error of the tree starts on a row in [firstRow, endRow). */
function hasErrorOnRows(root: Node, firstRow: number, endRow: number): boolean {
  let found = false;
  visitSyntaxErrors(root, (node) => {
    const row = node.startPosition.row;
    found = row >= firstRow && row < endRow;
    return !found && row < endRow;
  });
  return found;
}

function firstErrorLine(root: Node): number | undefined {
  let line: number | undefined;
  visitSyntaxErrors(root, (node) => {
    line = node.startPosition.row;
    return false;
  });
  return line;
}

/** Calls `visit` for each ERROR or MISSING node, in order, until it returns false. */
function visitSyntaxErrors(root: Node, visit: (node: Node) => boolean): void {
  if (!root.hasError) return;
  const cursor = root.walk();
  try {
    let descend = true;
    for (;;) {
      if (descend) {
        const node = cursor.currentNode;
        if (node.isMissing || node.isError) {
          if (!visit(node)) return;
          descend = false;
        } else if (!node.hasError) {
          descend = false;
        }
      }
      if (descend && cursor.gotoFirstChild()) continue;
      if (cursor.gotoNextSibling()) {
        descend = true;
        continue;
      }
      if (!cursor.gotoParent()) return;
      descend = false;
    }
  } finally {
    cursor.delete();
  }
}

function findSyntaxErrors(root: Node, text: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  visitSyntaxErrors(root, (node) => {
    if (node.isMissing) {
      found.push(diagnostic('VX001', rangeOf(node), `Syntax error: missing "${node.type}" here.`));
    } else {
      const snippet = text.slice(node.startIndex, node.endIndex).split('\n')[0].trim().slice(0, 30);
      found.push(diagnostic('VX001', firstLineRange(node), `Syntax error: Python cannot parse ${snippet ? `"${snippet}"` : 'this'}. The rest of the file is still analysed.`));
    }
    return found.length < MAX_SYNTAX_ERRORS;
  });
  return found;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

// ---------------------------------------------------------------------------

type Binding =
  | { kind: 'tasks'; tasks: number[] }
  | { kind: 'dag'; dag: number }
  | { kind: 'import'; qualified: string }
  | { kind: 'function'; node: Node }
  | { kind: 'literal'; value: LiteralValue }
  /** Made by code we cannot follow statically (loops, unknown calls, other modules). */
  | { kind: 'dynamic' }
  | { kind: 'other' };

/** What an expression evaluates to, as far as dependencies are concerned. */
type Value =
  | { kind: 'tasks'; tasks: number[] }
  | { kind: 'dag'; dag: number }
  | { kind: 'dynamic' }
  | { kind: 'notTask'; reason: string }
  | { kind: 'none' };

interface Context {
  /** The DAG of the enclosing `with` block, or -1. */
  dag: number;
  /** Inside a loop or a function body: every task made here is dynamic. */
  dynamic: string | null;
}

type Callee =
  | { kind: 'dag' }
  | { kind: 'operator'; name: string; qualified: string; known: boolean }
  | { kind: 'chain' }
  | { kind: 'crossDownstream' }
  | { kind: 'other' };

interface PendingCallable {
  task: number;
  /** The `python_callable` argument: an identifier. */
  argument: Argument;
  provideContext: boolean;
}

interface ReadArguments {
  byName: Record<string, Argument>;
  hasSplat: boolean;
  list: Argument[];
  /** Value nodes of arguments that are not simple literals, by name. */
  nodes: Record<string, Node>;
}

const NO_NODES: Record<string, Node> = Object.freeze({}) as Record<string, Node>;

/** What tree-sitter-python skips as whitespace beyond ASCII (its extras: `\\s` and three zero-width characters). */
const EXTRA_WHITESPACE = /[\s\uFEFF\u2060\u200B]/;

/** A call to fill in (see `Analyser.prepareReading`). */
function preparedCall(list: ArgumentRecord[]): PreparedCall {
  return {
    kind: 'assignCall', target: '', fnText: '', hasTaskId: false, byName: NO_ARGUMENTS, list,
    line: 0, character: 0, endLine: 0, endCharacter: 0, operatorEndLine: 0, operatorEndCharacter: 0,
  };
}

const NO_ARGUMENTS: Record<string, Argument> = Object.freeze({});

/** The range of a call's callee. */
function operatorRange(call: CallPositions): Range {
  return makeRange(call.line, call.character, call.operatorEndLine, call.operatorEndCharacter);
}

/** The indentation of a line: its leading spaces and tabs. */
function indentationEnd(source: string, lineStart: number): number {
  let i = lineStart;
  for (let c = source.charCodeAt(i); c === 32 || c === 9; c = source.charCodeAt(++i));
  return i;
}

class Analyser {
  private readonly dags: DagModel[] = [];
  private readonly tasks: TaskRecord[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  /** Every name bound at module level (what a `python_callable` may name), to what it was bound last. */
  private readonly bindings = new Map<string, Binding>();
  private readonly pendingCallables: PendingCallable[] = [];
  /**
   * The dependencies made so far, by `up * 2^15 + down` while both indices are
   * below 2^15 (small integers V8 keeps unboxed), else in `wideEdgeKeys`.
   */
  private readonly edgeKeys = new Set<number>();
  private readonly wideEdgeKeys = new Set<number>();
  /** Every dependency, in the order written: the DAGs' edges, and the few joining tasks of no DAG. */
  private readonly links: IndexedEdge[] = [];
  private readonly starImports: string[] = [];
  private importsFramework = false;
  private hasDynamic = false;

  /** Start index of each line, for positions computed without asking the tree. */
  private readonly lineStarts: Int32Array;
  private readonly cursor: TreeCursor;
  private readonly treeHasError: boolean;

  constructor(
    private readonly source: string,
    root: Node,
    /** Reads simple statements from the text; what it read is in its fields until the next read. */
    private readonly reader: StatementReader,
    private readonly simpleStatements: boolean,
    private readonly statementCache: StatementCache | undefined,
    /** Walk blocks by their text where the tree has no errors (see `walkText`). */
    private readonly textWalk: boolean,
  ) {
    let lines = 1;
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lines++;
    this.lineStarts = new Int32Array(lines);
    for (let i = source.indexOf('\n'), line = 1; i >= 0; i = source.indexOf('\n', i + 1)) this.lineStarts[line++] = i + 1;
    this.cursor = root.walk();
    this.treeHasError = root.hasError;
  }

  /** The line of the last position asked for: positions come in source order, mostly on that line. */
  private lastLine = 0;

  /** The 0-based line `index` falls on. */
  private lineOf(index: number): number {
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

  private position(index: number): Position {
    const line = this.lineOf(index);
    return { line, character: index - this.lineStarts[line] };
  }

  /** The index of a position of this source. */
  private offset(position: Position): number {
    return this.lineStarts[position.line] + position.character;
  }

  private span(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  private range(node: Node): Range {
    return this.span(node.startIndex, node.endIndex);
  }

  /** An argument, its positions from offsets; `nameStart` is -1 for a positional argument. */
  private argument(name: string, value: LiteralValue | undefined, kind: string, nameStart: number, valueStart: number, valueEnd: number): ArgumentRecord {
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
  private callPositions(start: number, end: number, calleeEnd: number): CallPositions {
    const line = this.lineOf(start);
    const endLine = this.lineOf(end);
    const operatorEndLine = this.lineOf(calleeEnd);
    const starts = this.lineStarts;
    return { line, character: start - starts[line], endLine, endCharacter: end - starts[endLine], operatorEndLine, operatorEndCharacter: calleeEnd - starts[operatorEndLine] };
  }

  run(root: Node): FileAnalysis {
    try {
      return this.analyse(root);
    } finally {
      this.cursor.delete();
      this.statementCache?.finish(this.lineStarts.length);
    }
  }

  private analyse(root: Node): FileAnalysis {
    this.walkStatements(root, { dag: -1, dynamic: null });
    if (!this.importsFramework) return emptyAnalysis();
    this.linkTasks();
    this.checkCallables();
    this.checkDuplicates();
    this.checkCycles();
    this.reportXcom(root);
    this.diagnostics.sort(byPosition);
    return {
      isDagFile: true,
      dags: this.dags,
      tasks: this.tasks,
      diagnostics: this.diagnostics,
      hasDynamicConstructs: this.hasDynamic,
    };
  }

  // -- plumbing -------------------------------------------------------------

  private text(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  private report(code: DiagnosticCode, range: Range, message: string, fix?: FixData): void {
    this.diagnostics.push(diagnostic(code, range, message, fix));
  }

  private reportDynamic(range: Range, message: string): void {
    this.hasDynamic = true;
    this.report('VX404', range, message);
  }

  private bind(name: string, binding: Binding, ctx: Context): void {
    this.bindings.set(name, ctx.dynamic && binding.kind !== 'function' ? { kind: 'dynamic' } : binding);
  }

  // -- statements -------------------------------------------------------------

  /** Walks the statements of a block in source order; iterative, since blocks nest without bound. */
  private walkStatements(block: Node, ctx: Context): void {
    if (this.textWalk && this.simpleStatements && !this.treeHasError) this.walkText(block, ctx);
    else this.walkTree(block, ctx);
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
  private walkText(block: Node, ctx: Context): void {
    const stack = [{ block, at: block.startIndex, end: block.endIndex, ctx }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const at = this.skipTrivia(frame.at, frame.end);
      if (at >= frame.end) {
        stack.pop();
        continue;
      }
      const end = this.textStatement(at, frame.end, frame.ctx);
      if (end >= 0) {
        frame.at = end;
        continue;
      }
      const node = frame.block.firstNamedChildForIndex(at);
      if (!node || node.startIndex !== at) throw new TreeMismatch();
      frame.at = node.endIndex;
      if (node.type === 'expression_statement' && this.treeStatement(at, frame.at, frame.ctx)) continue;
      const nested = this.statement(node, frame.ctx);
      if (!nested) continue;
      // The first nested block goes on top, so blocks run in the order written.
      for (let i = nested.length - 1; i >= 0; i--) {
        const { node: inner, ctx: innerCtx } = nested[i];
        stack.push({ block: inner, at: inner.startIndex, end: inner.endIndex, ctx: innerCtx });
      }
    }
  }

  /** The first offset from `at` (up to `end`) that is not blank, a line break, a comment or a `;`. */
  private skipTrivia(at: number, end: number): number {
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

  /**
   * Handles the simple statement that starts at `at`, read from the text up
   * to the end of its logical line; returns where it ends, or -1 when there is
   * none there the analyser takes (the tree then handles what is there). A
   * statement alone on its line is looked up in the statement cache by the
   * line's text.
   */
  private textStatement(at: number, blockEnd: number, ctx: Context): number {
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
    return this.simpleStatement(prepared, ctx) ? end : -1;
  }

  /** Whether a line ends at `index`: a \n, a \r\n or the end of the text. */
  private endsLine(index: number): boolean {
    const c = this.source.charCodeAt(index);
    return index >= this.source.length || c === 10 || (c === 13 && this.source.charCodeAt(index + 1) === 10);
  }

  /** Walks a block node by node with a cursor: for trees with errors, and to check the text walk in tests. */
  private walkTree(block: Node, ctx: Context): void {
    // Each block is read with its own cursor, which makes no Node object for
    // statements that can be read from their text.
    const open = (node: Node, c: Context) => {
      const cursor = node.walk();
      return { cursor, ctx: c, started: false };
    };
    const stack = [open(block, ctx)];
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
        if (cursor.nodeType === 'expression_statement' && this.simpleStatements && !this.treeHasError && this.treeStatement(cursor.startIndex, cursor.endIndex, frame.ctx)) continue;
        const nested = this.statement(cursor.currentNode, frame.ctx);
        if (!nested) continue;
        // The first nested block goes on top, so blocks run in the order written.
        for (let i = nested.length - 1; i >= 0; i--) stack.push(open(nested[i].node, nested[i].ctx));
      }
    } finally {
      for (const frame of stack) frame.cursor.delete();
    }
  }

  /** Where line `line` ends: the index of its line break, or the end of the text. */
  private lineEnd(line: number): number {
    return line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.source.length;
  }

  /** Whether `source[from, to)` holds only spaces and tabs (and a carriage return ending the line at `to`). */
  private blank(from: number, to: number): boolean {
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
  private treeStatement(start: number, end: number, ctx: Context): boolean {
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
    return prepared !== undefined && this.simpleStatement(prepared, ctx);
  }

  /** Where a prepared statement ends in this analysis's text. */
  private preparedEnd(prepared: PreparedStatement): number {
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
  private prepareReading(kept: boolean): PreparedStatement {
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
  private readonly scratchCall = preparedCall([]);

  private readonly scratchChain: PreparedChain = { kind: 'chain', count: 0, names: [], positions: [], operators: [] };

  /**
   * Handles one statement; returns the blocks inside it that must be walked
   * next (with their context), or undefined.
   */
  private statement(node: Node, ctx: Context): Array<{ node: Node; ctx: Context }> | undefined {
    switch (node.type) {
      case 'import_statement':
        this.importStatement(node, ctx);
        return undefined;
      case 'import_from_statement':
        this.importFrom(node, ctx);
        return undefined;
      case 'expression_statement': {
        // In a tree without errors `walkStatements` has already tried the text.
        // Statements tree-sitter could not parse cleanly (MISSING nodes) always take the tree walk.
        const simple = this.simpleStatements && this.treeHasError && !node.hasError && this.reader.readStatement(this.source, node.startIndex, node.endIndex);
        if (simple && this.simpleStatement(this.prepareReading(false), ctx)) return undefined;
        for (const child of node.namedChildren) if (child) this.expression(child, ctx, 0);
        return undefined;
      }
      case 'with_statement':
        return this.withStatement(node, ctx);
      case 'if_statement': {
        const blocks: Array<{ node: Node; ctx: Context }> = [];
        const consequence = node.childForFieldName('consequence');
        if (consequence) blocks.push({ node: consequence, ctx });
        for (const alt of node.childrenForFieldName('alternative')) {
          const body = alt?.childForFieldName('consequence') ?? alt?.childForFieldName('body');
          if (body) blocks.push({ node: body, ctx });
        }
        return blocks;
      }
      case 'try_statement': {
        const blocks: Array<{ node: Node; ctx: Context }> = [];
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'block') blocks.push({ node: child, ctx });
          else {
            const body = child.namedChildren.find((n) => n?.type === 'block');
            if (body) blocks.push({ node: body, ctx });
          }
        }
        return blocks;
      }
      case 'for_statement':
      case 'while_statement': {
        const body = node.childForFieldName('body');
        const alternative = node.childForFieldName('alternative');
        const loopCtx: Context = { dag: ctx.dag, dynamic: ctx.dynamic ?? 'a loop' };
        if (node.type === 'for_statement') {
          const left = node.childForFieldName('left');
          if (left) this.bindTargets(left, { kind: 'dynamic' }, loopCtx);
        }
        const blocks: Array<{ node: Node; ctx: Context }> = [];
        if (body) blocks.push({ node: body, ctx: loopCtx });
        if (alternative) blocks.push({ node: alternative, ctx: loopCtx });
        return blocks;
      }
      case 'function_definition':
        this.functionDefinition(node, ctx);
        return undefined;
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) this.bind(this.text(name), { kind: 'other' }, ctx);
        return undefined;
      }
      case 'decorated_definition': {
        const definition = node.childForFieldName('definition');
        return definition ? this.statement(definition, ctx) : undefined;
      }
      case 'block':
      case 'ERROR':
        // Error recovery leaves well-formed statements inside ERROR nodes; keep analysing them.
        return [{ node, ctx }];
      default:
        if (isExpressionType(node.type)) this.expression(node, ctx, 0);
        return undefined;
    }
  }

  private importStatement(node: Node, ctx: Context): void {
    for (const child of node.childrenForFieldName('name')) {
      if (!child) continue;
      if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name && alias) this.bindImport(this.text(alias), this.text(name).replace(/\s+/g, ''), ctx);
      } else {
        const dotted = this.text(child).replace(/\s+/g, '');
        const head = dotted.split('.')[0];
        this.bindImport(head, head, ctx);
      }
    }
  }

  private importFrom(node: Node, ctx: Context): void {
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
        if (name && alias) this.bindImport(this.text(alias), `${module}.${this.text(name)}`, ctx);
      } else {
        this.bindImport(this.text(child), `${module}.${this.text(child)}`, ctx);
      }
    }
  }

  private bindImport(name: string, qualified: string, ctx: Context): void {
    if (FRAMEWORKS.has(qualified.split('.')[0])) this.importsFramework = true;
    this.bind(name, { kind: 'import', qualified }, { ...ctx, dynamic: null });
  }

  private withStatement(node: Node, ctx: Context): Array<{ node: Node; ctx: Context }> {
    let dag = ctx.dag;
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
      const result = this.expression(value, ctx, 0);
      if (result.kind === 'dag') dag = result.dag;
      if (alias) {
        const target = alias.namedChild(0) ?? alias;
        this.bindTargets(target, this.bindingOf(result), ctx);
      }
    }
    const body = node.childForFieldName('body');
    return body ? [{ node: body, ctx: { dag, dynamic: ctx.dynamic } }] : [];
  }

  private functionDefinition(node: Node, ctx: Context): void {
    const name = node.childForFieldName('name');
    if (name) this.bind(this.text(name), { kind: 'function', node }, { ...ctx, dynamic: null });
    const body = node.childForFieldName('body');
    // Function bodies are only searched for operator calls: tasks made by helper
    // functions exist only when the function runs.
    if (body) this.findDynamicTasks(body, `inside the function "${name ? this.text(name) : '?'}"`);
  }

  /** Reports every operator call under `node` as dynamic (VX404). */
  private findDynamicTasks(node: Node, where: string): void {
    const slice = this.source.slice(node.startIndex, node.endIndex);
    if (!/Operator|Sensor|task_id/.test(slice)) return;
    const cursor = node.walk();
    try {
      let descend = true;
      for (;;) {
        if (descend && cursor.nodeType === 'call') {
          const call = cursor.currentNode;
          const fn = call.childForFieldName('function');
          const callee = fn ? this.resolveCallee(fn, call.childForFieldName('arguments')) : undefined;
          if (fn && callee?.kind === 'operator') {
            this.reportDynamic(this.range(fn), `${this.text(fn)} is called ${where}: static analysis cannot see the tasks it makes. Runtime resolution (vortex inspect --runtime) can.`);
          }
        }
        if (descend && cursor.gotoFirstChild()) continue;
        if (cursor.gotoNextSibling()) {
          descend = true;
          continue;
        }
        if (!cursor.gotoParent() || cursor.currentNode.equals(node)) break;
        descend = false;
      }
    } finally {
      cursor.delete();
    }
  }

  // -- expressions ------------------------------------------------------------

  private bindingOf(value: Value): Binding {
    switch (value.kind) {
      case 'tasks':
      case 'dag':
      case 'dynamic':
        // These values have the shape of the binding they make: no copy needed.
        return value;
      default:
        return { kind: 'other' };
    }
  }

  private bindName(name: string, binding: Binding, ctx: Context): void {
    if (binding.kind === 'tasks' && binding.tasks.length === 1) this.tasks[binding.tasks[0]].variable ??= name;
    if (binding.kind === 'dag') this.dags[binding.dag].variable ??= name;
    this.bind(name, binding, ctx);
  }

  private bindTargets(target: Node, binding: Binding, ctx: Context): void {
    if (target.type === 'identifier') {
      this.bindName(this.text(target), binding, ctx);
      return;
    }
    if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern') {
      for (const t of target.namedChildren) if (t) this.bindTargets(t, { kind: 'dynamic' }, ctx);
    }
  }

  private expression(node: Node, ctx: Context, depth: number): Value {
    if (depth > MAX_EXPRESSION_DEPTH) return { kind: 'dynamic' };
    switch (node.type) {
      case 'assignment':
        return this.assignment(node, ctx, depth);
      case 'call':
        return this.call(node, ctx, depth);
      case 'binary_operator': {
        const op = node.childForFieldName('operator');
        if (op && (op.type === '>>' || op.type === '<<')) return this.dependencyChain(node, ctx, depth);
        return { kind: 'notTask', reason: 'an arithmetic expression' };
      }
      case 'identifier':
        return this.nameValue(this.text(node));
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.expression(inner, ctx, depth + 1) : { kind: 'none' };
      }
      case 'list':
      case 'tuple':
      case 'set': {
        const tasks: number[] = [];
        let dynamic = false;
        for (const item of node.namedChildren) {
          if (!item || item.type === 'comment') continue;
          const value = this.expression(item, ctx, depth + 1);
          if (value.kind === 'tasks') tasks.push(...value.tasks);
          else if (value.kind === 'dynamic') dynamic = true;
          else if (value.kind === 'notTask' || value.kind === 'dag') {
            return { kind: 'notTask', reason: value.kind === 'dag' ? 'a list holding a DAG' : value.reason };
          }
        }
        if (dynamic) return { kind: 'dynamic' };
        return { kind: 'tasks', tasks };
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        this.findDynamicTasks(node, 'in a comprehension');
        return { kind: 'dynamic' };
      case 'string':
      case 'concatenated_string':
        return { kind: 'notTask', reason: `${this.text(node).slice(0, 40)} is a string` };
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return { kind: 'notTask', reason: `${this.text(node)} is not a task` };
      case 'attribute':
      case 'subscript':
      case 'conditional_expression':
      case 'await':
        return { kind: 'dynamic' };
      default:
        return { kind: 'dynamic' };
    }
  }

  /** What a name evaluates to, for dependencies. */
  private nameValue(name: string): Value {
    const binding = this.bindings.get(name);
    if (!binding) return { kind: 'notTask', reason: `"${name}" is not defined` };
    switch (binding.kind) {
      case 'tasks':
      case 'dag':
      case 'dynamic':
        // These bindings have the shape of the value they stand for: no copy needed.
        return binding;
      case 'import':
        return FRAMEWORKS.has(binding.qualified.split('.')[0]) ? { kind: 'notTask', reason: `"${name}" is an import` } : { kind: 'dynamic' };
      case 'function':
        return { kind: 'notTask', reason: `"${name}" is a function` };
      case 'literal':
        return { kind: 'notTask', reason: `"${name}" is ${describeLiteral(binding.value)}` };
      default:
        return { kind: 'notTask', reason: `"${name}" is not a task` };
    }
  }

  /**
   * Handles a statement read from text (see simpleStatements.ts) exactly as the
   * tree walk would; false when it is not an operator call or a chain after all.
   */
  private simpleStatement(statement: PreparedStatement, ctx: Context): boolean {
    if (statement.kind === 'chain') {
      const { names, positions: p, operators, count } = statement;
      let left = this.simpleOperand(names[0], p, 0);
      for (let i = 0; i + 1 < count; i++) {
        const right = this.simpleOperand(names[i + 1], p, i + 1);
        // The edge spans from the start of its left operand to the end of its right one.
        if (left && right) {
          if (operators[i] === '>>') this.connect(left, right, p[4 * i], p[4 * i + 1], p[4 * i + 6], p[4 * i + 7]);
          else this.connect(right, left, p[4 * i], p[4 * i + 1], p[4 * i + 6], p[4 * i + 7]);
        }
        left = right;
      }
      return true;
    }
    const callee = this.classifySimpleCallee(statement.fnText, statement.hasTaskId);
    if (callee.kind !== 'operator') return false;
    const value = this.createTask(callee, ctx, statement, statement.endLine, statement.endCharacter, statement.byName, statement.list, false, NO_NODES);
    this.bindName(statement.target, this.bindingOf(value), ctx);
    return true;
  }

  /** The tasks of operand `index` of a chain (its `names`, at `positions[4 * index…]`); reports VX302 when it is not a task. */
  private simpleOperand(names: string | string[], positions: number[], index: number): number[] | undefined {
    let value: Value;
    if (typeof names === 'string') {
      value = this.nameValue(names);
    } else {
      const tasks: number[] = [];
      let dynamic = false;
      value = { kind: 'tasks', tasks };
      for (let i = 0; i < names.length; i++) {
        const v = this.nameValue(names[i]);
        if (v.kind === 'tasks') tasks.push(...v.tasks);
        else if (v.kind === 'dynamic') dynamic = true;
        else if (v.kind === 'notTask' || v.kind === 'dag') {
          value = { kind: 'notTask', reason: v.kind === 'dag' ? 'a list holding a DAG' : v.reason };
          break;
        }
      }
      if (dynamic && value.kind === 'tasks') value = { kind: 'dynamic' };
    }
    if (value.kind === 'tasks') return value.tasks;
    const { lineStarts } = this;
    const [startLine, startCharacter, endLine, endCharacter] = positions.slice(4 * index, 4 * index + 4);
    const text = this.source.slice(lineStarts[startLine] + startCharacter, lineStarts[endLine] + endCharacter);
    return this.operandTasks(value, text, makeRange(startLine, startCharacter, endLine, endCharacter));
  }

  private assignment(node: Node, ctx: Context, depth: number): Value {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!right) return { kind: 'none' };
    if (left?.type === 'pattern_list' && right.type === 'expression_list') {
      // `a, b = X(...), Y(...)`: pair targets with values.
      const targets = left.namedChildren;
      const values = right.namedChildren;
      for (let i = 0; i < values.length; i++) {
        const value = values[i] ? this.expression(values[i]!, ctx, depth + 1) : ({ kind: 'none' } as Value);
        const target = targets[i];
        if (target && targets.length === values.length) this.bindTargets(target, this.bindingOf(value), ctx);
        else if (target) this.bindTargets(target, { kind: 'dynamic' }, ctx);
      }
      return { kind: 'none' };
    }
    const value = this.expression(right, ctx, depth + 1);
    if (left) {
      let binding = this.bindingOf(value);
      if (binding.kind === 'other') {
        const literal = literalValue(right, this.source, (n) => this.literalOf(n));
        if (literal !== undefined) binding = { kind: 'literal', value: literal };
      }
      this.bindTargets(left, binding, ctx);
    }
    return value;
  }

  private literalOf(name: string): LiteralValue | undefined {
    const binding = this.bindings.get(name);
    return binding?.kind === 'literal' ? binding.value : undefined;
  }

  /** The dotted name of a callee, resolved through the imports: `vortex.operators.bash.BashOperator`. */
  private qualify(node: Node): { qualified: string | null; last: string } {
    const parts: string[] = [];
    let current: Node | null = node;
    let depth = 0;
    while (current && current.type === 'attribute' && depth++ < MAX_EXPRESSION_DEPTH) {
      const attr = current.childForFieldName('attribute');
      if (!attr) return { qualified: null, last: '' };
      parts.unshift(this.text(attr));
      current = current.childForFieldName('object');
    }
    if (!current || current.type !== 'identifier') return { qualified: null, last: parts[parts.length - 1] ?? '' };
    parts.unshift(this.text(current));
    return this.qualifyParts(parts);
  }

  /** `qualify` for a callee already split into names: [head, ...attributes]. */
  private qualifyParts(parts: string[]): { qualified: string | null; last: string } {
    const [head, ...rest] = parts;
    const last = parts[parts.length - 1];
    const binding = this.bindings.get(head);
    if (binding?.kind === 'import') {
      // An alias (`import BashOperator as Bash`) names the class it stands for.
      const qualified = [binding.qualified, ...rest].join('.');
      return { qualified, last: qualified.slice(qualified.lastIndexOf('.') + 1) };
    }
    if (!binding && this.starImports.length > 0 && rest.length === 0) {
      return { qualified: `${this.starImports[0]}.${head}`, last };
    }
    return { qualified: null, last };
  }

  private resolveCallee(fn: Node, args: Node | null): Callee {
    const { qualified, last } = this.qualify(fn);
    return this.classifyCallee(qualified, last, this.text(fn), () => !!args && hasKeyword(args, 'task_id', this.source));
  }

  /**
   * Classifies a callee read from text, remembering the answer per callee text
   * for as long as the name it starts with stays bound to the same thing.
   */
  private classifySimpleCallee(fnText: string, hasTaskId: boolean): Callee {
    const dot = fnText.indexOf('.');
    const head = this.bindings.get(dot < 0 ? fnText : fnText.slice(0, dot).trim());
    const cache = this.calleeCaches[hasTaskId ? 1 : 0];
    const cached = cache.get(fnText);
    if (cached && cached.head === head && cached.starImports === this.starImports.length) return cached.callee;
    const { qualified, last } = this.qualifyParts(dot < 0 ? [fnText] : fnText.split('.').map((part) => part.trim()));
    const callee = this.classifyCallee(qualified, last, fnText, hasTaskId);
    cache.set(fnText, { head, starImports: this.starImports.length, callee });
    return callee;
  }

  /** Classified callees by their text: without `task_id` given, and with it. */
  private readonly calleeCaches = [
    new Map<string, { head: Binding | undefined; starImports: number; callee: Callee }>(),
    new Map<string, { head: Binding | undefined; starImports: number; callee: Callee }>(),
  ];

  private classifyCallee(qualified: string | null, last: string, fnText: string, hasTaskId: boolean | (() => boolean)): Callee {
    const framework = qualified !== null && FRAMEWORKS.has(qualified.split('.')[0]);
    if (framework && last === 'DAG') return { kind: 'dag' };
    if (framework && last === 'chain') return { kind: 'chain' };
    if (framework && last === 'cross_downstream') return { kind: 'crossDownstream' };
    const qualifiedName = qualified ?? fnText;
    if (framework && operatorKind(last) !== 'other') return { kind: 'operator', name: last, qualified: qualifiedName, known: true };
    if (/(Operator|Sensor)$/.test(last)) return { kind: 'operator', name: last, qualified: qualifiedName, known: false };
    if (framework && /^[A-Z]/.test(last) && (typeof hasTaskId === 'function' ? hasTaskId() : hasTaskId)) {
      return { kind: 'operator', name: last, qualified: qualifiedName, known: false };
    }
    return { kind: 'other' };
  }

  private call(node: Node, ctx: Context, depth: number): Value {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn) return { kind: 'dynamic' };
    if (fn.type === 'attribute') {
      const method = fn.childForFieldName('attribute');
      const methodName = method ? this.text(method) : '';
      if (methodName === 'set_upstream' || methodName === 'set_downstream') {
        this.setStream(node, fn, args, methodName === 'set_downstream', ctx, depth);
        return { kind: 'none' };
      }
      if (methodName === 'partial' || methodName === 'expand' || methodName === 'expand_kwargs') {
        this.report('VX402', this.range(method!), `Dynamic task mapping (.${methodName}(...)) is not supported by VORTEX: create the tasks explicitly, or run this DAG in Airflow.`);
        const object = fn.childForFieldName('object');
        if (object?.type === 'call') {
          const inner = object.childForFieldName('function');
          const callee = inner ? this.resolveCallee(inner, object.childForFieldName('arguments')) : undefined;
          if (inner && callee?.kind === 'operator') {
            this.reportDynamic(this.range(inner), `Mapped tasks are created at run time: static analysis cannot see them.`);
          }
          if (callee?.kind !== 'operator') this.expression(object, ctx, depth + 1);
        }
        return { kind: 'dynamic' };
      }
    }
    const callee = this.resolveCallee(fn, args);
    switch (callee.kind) {
      case 'dag':
        return { kind: 'dag', dag: this.createDag(node, fn, args) };
      case 'operator': {
        const { byName, list, hasSplat, nodes } = this.readArguments(args);
        const argsEnd = args ? this.position(args.endIndex) : null;
        const call = this.callPositions(node.startIndex, node.endIndex, fn.endIndex);
        return this.createTask(callee, ctx, call, argsEnd?.line ?? -1, argsEnd?.character ?? -1, byName, list, hasSplat, nodes);
      }
      case 'chain':
        if (args) this.chain(node, args, ctx, depth);
        return { kind: 'none' };
      case 'crossDownstream':
        if (args) this.crossDownstream(node, args, ctx, depth);
        return { kind: 'none' };
      default:
        // An unknown call may still hold operator calls in its arguments (`print(BashOperator(...))`).
        if (args && /Operator|Sensor|DAG/.test(this.text(args))) {
          for (const arg of args.namedChildren) {
            if (!arg) continue;
            const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
            if (value && (value.type === 'call' || value.type === 'list')) this.expression(value, ctx, depth + 1);
          }
        }
        return { kind: 'dynamic' };
    }
  }

  /**
   * Reads an argument list with one reused cursor: no Node objects for names
   * and simple literals, which is most of the cost of analysis on large files.
   * Values that later steps must inspect (calls, names, containers) keep their node.
   */
  private readArguments(args: Node | null): ReadArguments {
    const byName: Record<string, Argument> = {};
    const nodes: Record<string, Node> = {};
    const list: Argument[] = [];
    let hasSplat = false;
    if (!args) return { byName, hasSplat, list, nodes };
    let position = 0;
    const cursor = this.cursor;
    cursor.reset(args);
    if (!cursor.gotoFirstChild()) return { byName, hasSplat, list, nodes };
    do {
      const type = cursor.nodeType;
      if (type === 'list_splat' || type === 'dictionary_splat') {
        hasSplat = true;
        continue;
      }
      if (type === '(' || type === ')' || type === ',' || type === 'comment' || !cursor.nodeIsNamed) continue;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      let argument: Argument;
      if (type === 'keyword_argument') {
        cursor.gotoFirstChild();
        const nameStart = cursor.startIndex;
        const nameEnd = cursor.endIndex;
        let valueKind = '';
        let valueStart = end;
        let valueEnd = end;
        let valueNode: Node | undefined;
        while (cursor.gotoNextSibling()) {
          if (cursor.currentFieldName !== 'value') continue;
          valueKind = cursor.nodeType;
          valueStart = cursor.startIndex;
          valueEnd = cursor.endIndex;
          if (!SIMPLE_LITERALS.has(valueKind)) valueNode = cursor.currentNode;
          break;
        }
        cursor.gotoParent();
        if (!valueKind) continue;
        const name = this.source.slice(nameStart, nameEnd);
        const value = valueNode ? literalValue(valueNode, this.source) : simpleLiteral(valueKind, this.source.slice(valueStart, valueEnd));
        argument = end === valueEnd
          ? this.argument(name, value, valueKind, nameStart, valueStart, valueEnd)
          : {
              // Error recovery left something after the value: the argument's range is longer than the value's.
              name,
              value,
              text: this.source.slice(valueStart, valueEnd),
              kind: valueKind,
              range: this.span(start, end),
              valueRange: this.span(valueStart, valueEnd),
              nameRange: this.span(nameStart, nameEnd),
            };
        if (valueNode && !(name in nodes)) nodes[name] = valueNode;
      } else {
        const valueNode = SIMPLE_LITERALS.has(type) ? undefined : cursor.currentNode;
        const value = valueNode ? literalValue(valueNode, this.source) : simpleLiteral(type, this.source.slice(start, end));
        argument = this.argument(`#${position++}`, value, type, -1, start, end);
        if (valueNode) nodes[argument.name] = valueNode;
      }
      byName[argument.name] ??= argument;
      list.push(argument);
    } while (cursor.gotoNextSibling());
    return { byName, hasSplat, list, nodes };
  }

  private checkKeywords(list: Argument[], known: ReadonlySet<string>, what: string): void {
    for (let i = 0; i < list.length; i++) {
      const arg = list[i];
      // Positional arguments (`#0`, …) have no keyword to check.
      if (arg.name.charCodeAt(0) === 35 || known.has(arg.name)) continue;
      const suggestion = closest(arg.name, known);
      this.report(
        'VX105',
        arg.nameRange!,
        suggestion
          ? `Unknown argument "${arg.name}" for ${what}: did you mean "${suggestion}"?`
          : `Unknown argument "${arg.name}" for ${what}: neither VORTEX nor Airflow knows it. Check its spelling.`,
        suggestion ? { kind: 'replace', replacement: suggestion } : undefined,
      );
    }
  }

  private createDag(node: Node, fn: Node, argsNode: Node | null): number {
    const { byName, list, nodes } = this.readArguments(argsNode);
    const idArg = byName.dag_id ?? byName['#0'];
    const scheduleArg = byName.schedule_interval ?? byName.schedule;
    // Only literals count as values (cli.md), but `default_args` is so often a
    // module-level dict that its owner is looked up through the name.
    const defaultArgsNode = nodes.default_args;
    const defaultArgs = defaultArgsNode ? literalValue(defaultArgsNode, this.source, (name) => this.literalOf(name)) : undefined;
    const ownerFromDefaults =
      defaultArgs && typeof defaultArgs === 'object' && !Array.isArray(defaultArgs) && typeof defaultArgs.owner === 'string' ? defaultArgs.owner : null;
    const dag: DagModel = {
      dagId: typeof idArg?.value === 'string' ? idArg.value : null,
      schedule: null,
      owner: typeof byName.owner?.value === 'string' ? byName.owner.value : ownerFromDefaults,
      description: typeof byName.description?.value === 'string' ? byName.description.value : null,
      tags: stringList(byName.tags?.value),
      secrets: stringList(byName.secrets?.value),
      variable: null,
      range: this.range(node),
      nameRange: this.range(fn),
      idRange: idArg ? idArg.valueRange : null,
      scheduleRange: scheduleArg ? scheduleArg.valueRange : null,
      line: this.position(node.startIndex).line,
      args: byName,
      taskIndices: [],
      edges: [],
    };
    const index = this.dags.length;
    this.dags.push(dag);
    if (!idArg) {
      this.report('VX101', this.range(fn), 'This DAG has no dag_id: pass one as the first argument or as dag_id="...".');
    } else if (dag.dagId !== null) {
      const idWrong = idProblem(dag.dagId);
      if (idWrong) this.report('VX106', idArg.valueRange, `The dag_id "${shownId(dag.dagId)}" ${idWrong}.`);
    }
    if (scheduleArg) this.checkScheduleArgument(dag, scheduleArg);
    this.checkKeywords(list, KNOWN_DAG_ARGS, 'DAG');
    return index;
  }

  private checkScheduleArgument(dag: DagModel, arg: Argument): void {
    const value = arg.value;
    if (value === null) return;
    if (typeof value === 'string') {
      const check = checkSchedule(value);
      if (check.ok) {
        dag.schedule = value;
      } else if (check.unsupported) {
        this.report('VX104', arg.valueRange, check.message);
      } else {
        this.report('VX103', arg.valueRange, check.message, check.suggestion ? { kind: 'replace', replacement: JSON.stringify(check.suggestion) } : undefined);
      }
      return;
    }
    let what: string;
    if (arg.kind === 'list' || arg.kind === 'tuple') what = 'A list of Datasets/Assets';
    else if (arg.kind === 'call') what = /timedelta/.test(arg.text) ? 'A timedelta' : `"${arg.text.split('(')[0]}(...)"`;
    else if (arg.kind === 'identifier' || arg.kind === 'attribute') what = `"${arg.text}", which is not a literal,`;
    else what = 'This value';
    this.report('VX104', arg.valueRange, `${what} is not a schedule VORTEX supports: use a cron expression such as "0 12 * * *", a preset such as "@daily", or None.`);
  }

  /**
   * The task an operator call makes, or why it makes none.
   * @param call where the call and its callee are
   * @param argsEndLine where its argument list ends (-1 when it has none), as line and character
   * @param nodes the value nodes of arguments that are not simple literals
   */
  private createTask(
    callee: Extract<Callee, { kind: 'operator' }>,
    ctx: Context,
    call: CallPositions,
    argsEndLine: number,
    argsEndCharacter: number,
    byName: Record<string, Argument>,
    list: Argument[],
    hasSplat: boolean,
    nodes: Record<string, Node>,
  ): Value {
    if (ctx.dynamic) {
      this.reportDynamic(operatorRange(call), `${callee.name} is called in ${ctx.dynamic}: static analysis cannot see the tasks it makes. Runtime resolution (vortex inspect --runtime) can.`);
      return { kind: 'dynamic' };
    }
    const kind = callee.known ? operatorKind(callee.name) : 'other';
    const idArg = byName.task_id;
    if (!idArg) {
      if (!hasSplat) this.report('VX202', operatorRange(call), `This ${callee.name} has no task_id: add task_id="..." (unique within its DAG).`);
      else this.reportDynamic(operatorRange(call), `The task_id of this ${callee.name} comes from ** arguments: static analysis cannot see it.`);
      return { kind: 'dynamic' };
    }
    if (typeof idArg.value !== 'string') {
      this.reportDynamic(idArg.valueRange, `This task_id is computed (${idArg.text.slice(0, 60)}): static analysis cannot see the task. Runtime resolution (vortex inspect --runtime) can.`);
      return { kind: 'dynamic' };
    }
    const taskId = idArg.value;
    const idWrong = idProblem(taskId);
    if (idWrong) this.report('VX207', idArg.valueRange, `The task_id "${shownId(taskId)}" ${idWrong}.`);
    let dagIndex = ctx.dag;
    const dagArg = byName.dag;
    if (dagArg) {
      const binding = dagArg.kind === 'identifier' ? this.bindings.get(dagArg.text) : undefined;
      if (binding?.kind === 'dag') dagIndex = binding.dag;
    }
    if (dagIndex < 0 && !dagArg) {
      this.report('VX206', operatorRange(call), `The task "${taskId}" belongs to no DAG: create it inside a "with DAG(...)" block or pass dag=....`);
    }
    if (kind === 'other') {
      this.report('VX205', operatorRange(call), `VORTEX cannot run ${callee.name} locally (it runs BashOperator, PythonOperator, DummyOperator and EmptyOperator); the task still appears in the graph.`);
    } else {
      this.checkKeywords(list, knownOperatorArgs(callee.name)!, callee.name);
    }
    const required = REQUIRED_ARGUMENT[kind];
    if (required && !byName[required.name] && !hasSplat) {
      const end = argsEndLine >= 0 ? { line: argsEndLine, character: argsEndCharacter } : { line: call.operatorEndLine, character: call.operatorEndCharacter };
      // After a trailing comma the argument goes right behind it (another comma would be a syntax error); else before `)`.
      const last = list.at(-1);
      let comma = last ? this.offset(last.range.end) : -1;
      while (comma >= 0 && (this.source[comma] === ' ' || this.source[comma] === '\t')) comma++;
      const trailingComma = comma >= 0 && this.source[comma] === ',';
      const insertAt = trailingComma ? this.position(comma + 1) : { line: end.line, character: Math.max(0, end.character - 1) };
      const separator = trailingComma ? ' ' : list.length > 0 ? ', ' : '';
      this.report('VX203', operatorRange(call), `${callee.name} "${taskId}" needs ${required.name}=...: it is what the task runs.`, {
        kind: 'insertArgument',
        argument: required.name,
        insertAt,
        text: `${separator}${required.name}=${required.placeholder}`,
      });
    }
    const bashCommand = typeof byName.bash_command?.value === 'string' ? byName.bash_command.value : null;
    if (bashCommand !== null && bashCommand.includes('{{') && /\{\{.*?\}\}/s.test(bashCommand)) {
      this.report('VX405', byName.bash_command.valueRange, 'This bash_command holds a Jinja template ({{ ... }}): VORTEX runs it as written, without rendering templates.');
    }
    if (byName.do_xcom_push?.value === true) {
      this.report('VX401', byName.do_xcom_push.nameRange ?? byName.do_xcom_push.range, 'XCom (do_xcom_push) is not supported by VORTEX: pass data through files or environment variables.');
    }
    const timeoutNode = nodes.execution_timeout;
    const task = new TaskRecord(
      taskId,
      callee.name,
      callee.qualified,
      kind,
      dagIndex,
      call,
      byName,
      timeoutNode ? durationSeconds(timeoutNode, this.source) : typeof byName.execution_timeout?.value === 'number' ? byName.execution_timeout.value : null,
    );
    const index = this.tasks.length;
    this.tasks.push(task);
    if (dagIndex >= 0) this.dags[dagIndex].taskIndices.push(index);
    const callable = byName.python_callable;
    if (callable?.kind === 'identifier') {
      this.pendingCallables.push({ task: index, argument: callable, provideContext: byName.provide_context?.value === true });
    }
    return { kind: 'tasks', tasks: [index] };
  }

  // -- dependencies -----------------------------------------------------------

  /** A dependency from task `up` to task `down`, written at the range given as its four numbers. */
  private addEdge(up: number, down: number, startLine: number, startCharacter: number, endLine: number, endCharacter: number): void {
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
    if (keys.has(key)) return;
    keys.add(key);
    if (dag >= 0) {
      const edge = new EdgeRecord(a.taskId, b.taskId, up, down, startLine, startCharacter, endLine, endCharacter);
      this.dags[dag].edges.push(edge);
      this.links.push(edge);
    } else {
      this.links.push({ up, down });
    }
  }

  private connect(ups: number[], downs: number[], startLine: number, startCharacter: number, endLine: number, endCharacter: number): void {
    for (let i = 0; i < ups.length; i++) for (let j = 0; j < downs.length; j++) this.addEdge(ups[i], downs[j], startLine, startCharacter, endLine, endCharacter);
  }

  private connectAt(ups: number[], downs: number[], range: Range): void {
    this.connect(ups, downs, range.start.line, range.start.character, range.end.line, range.end.character);
  }

  /**
   * Fills each task's upstream and downstream ids, in the order the
   * dependencies were written, into arrays of the exact length (pushing one
   * by one left most of each array's room unused).
   */
  private linkTasks(): void {
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

  /** Evaluates an operand of a dependency; reports VX302 when it is not a task. */
  private operand(node: Node, ctx: Context, depth: number): number[] | undefined {
    return this.operandTasks(this.expression(node, ctx, depth + 1), this.text(node), this.range(node));
  }

  private operandTasks(value: Value, text: string, range: Range): number[] | undefined {
    switch (value.kind) {
      case 'tasks':
        return value.tasks;
      case 'dag':
        this.report('VX302', range, `"${text.slice(0, 40)}" is a DAG, not a task: dependencies join tasks.`);
        return undefined;
      case 'notTask':
        this.report('VX302', range, `${capitalise(value.reason)}: only tasks can be used in dependencies.`);
        return undefined;
      default:
        return undefined;
    }
  }

  /** `a >> b >> [c, d] << e`: flattened without recursion, each operand evaluated once. */
  private dependencyChain(node: Node, ctx: Context, depth: number): Value {
    const operands: Node[] = [];
    const operators: string[] = [];
    let current: Node = node;
    for (;;) {
      const op = current.type === 'binary_operator' ? current.childForFieldName('operator') : null;
      if (!op || (op.type !== '>>' && op.type !== '<<')) break;
      const right = current.childForFieldName('right');
      const left = current.childForFieldName('left');
      if (!right || !left) return { kind: 'dynamic' };
      operands.push(right);
      operators.push(op.type);
      current = left;
    }
    operands.push(current);
    operands.reverse();
    operators.reverse();
    const values = operands.map((o) => this.operand(o, ctx, depth));
    for (let i = 0; i < operators.length; i++) {
      const left = values[i];
      const right = values[i + 1];
      if (!left || !right) continue;
      const range = this.span(operands[i].startIndex, operands[i + 1].endIndex);
      if (operators[i] === '>>') this.connectAt(left, right, range);
      else this.connectAt(right, left, range);
    }
    const last = values[values.length - 1];
    return last ? { kind: 'tasks', tasks: last } : { kind: 'dynamic' };
  }

  private setStream(call: Node, fn: Node, args: Node | null, downstream: boolean, ctx: Context, depth: number): void {
    const object = fn.childForFieldName('object');
    const target = args?.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument');
    if (!object || !target) return;
    const self = this.operand(object, ctx, depth);
    const others = this.operand(target, ctx, depth);
    if (!self || !others) return;
    const range = this.range(call);
    if (downstream) this.connectAt(self, others, range);
    else this.connectAt(others, self, range);
  }

  private chain(call: Node, args: Node, ctx: Context, depth: number): void {
    const items = args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment' && c.type !== 'keyword_argument');
    if (items.some((i) => i.type === 'list_splat')) {
      this.reportDynamic(this.range(call), 'chain(*...) takes its tasks from a computed list: static analysis cannot see its dependencies.');
      return;
    }
    const values = items.map((i) => ({ node: i, tasks: this.operand(i, ctx, depth), isList: i.type === 'list' || i.type === 'tuple' || this.isTaskList(i) }));
    for (let i = 0; i + 1 < values.length; i++) {
      const a = values[i];
      const b = values[i + 1];
      if (!a.tasks || !b.tasks) continue;
      const range = this.span(a.node.startIndex, b.node.endIndex);
      if (a.isList && b.isList) {
        if (a.tasks.length !== b.tasks.length) {
          this.report('VX305', range, `chain() pairs adjacent lists one to one, but these have ${a.tasks.length} and ${b.tasks.length} tasks: make them the same length, or use cross_downstream() for all pairs.`);
          continue;
        }
        for (let k = 0; k < a.tasks.length; k++) this.connectAt([a.tasks[k]], [b.tasks[k]], range);
      } else {
        this.connectAt(a.tasks, b.tasks, range);
      }
    }
  }

  private isTaskList(node: Node): boolean {
    if (node.type !== 'identifier') return false;
    const binding = this.bindings.get(this.text(node));
    return binding?.kind === 'tasks' && binding.tasks.length !== 1;
  }

  private crossDownstream(call: Node, args: Node, ctx: Context, depth: number): void {
    const items = args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const from = items[0] ? this.operand(items[0].type === 'keyword_argument' ? items[0].childForFieldName('value')! : items[0], ctx, depth) : undefined;
    const to = items[1] ? this.operand(items[1].type === 'keyword_argument' ? items[1].childForFieldName('value')! : items[1], ctx, depth) : undefined;
    if (from && to) this.connectAt(from, to, this.range(call));
  }

  // -- whole-file checks ------------------------------------------------------

  private checkCallables(): void {
    // Each function's parameters are read from the tree once, however many tasks call it.
    const parametersOf = new Map<Node, Array<{ type: string; name: string; text: string; range: Range }>>();
    for (const pending of this.pendingCallables) {
      const callable = pending.argument.text;
      if (!this.bindings.has(callable)) {
        this.report('VX204', pending.argument.valueRange, `python_callable "${callable}" is neither defined nor imported in this file: define the function (def ${callable}(): ...) or import it.`);
        continue;
      }
      const binding = this.bindings.get(callable);
      if (binding?.kind !== 'function') continue;
      let parameters = parametersOf.get(binding.node);
      if (!parameters) {
        parameters = this.parameters(binding.node);
        parametersOf.set(binding.node, parameters);
      }
      for (const { type, name, text, range } of parameters) {
        const contextSplat = type === 'dictionary_splat_pattern' && (name === 'context' || pending.provideContext);
        if (contextSplat || (type !== 'dictionary_splat_pattern' && type !== 'list_splat_pattern' && CONTEXT_PARAMETER_NAMES.has(name))) {
          this.report('VX403', makeRange(range.start.line, range.start.character, range.end.line, range.end.character), `"${text}" expects Airflow's execution context, which VORTEX does not pass to "${callable}": read what you need from op_kwargs or environment variables instead.`);
        }
      }
    }
  }

  /** The parameters of a function definition: each one's node type, name, text and range. */
  private parameters(definition: Node): Array<{ type: string; name: string; text: string; range: Range }> {
    const found: Array<{ type: string; name: string; text: string; range: Range }> = [];
    for (const param of definition.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!param) continue;
      const nameNode = param.type === 'identifier' ? param : param.type === 'dictionary_splat_pattern' ? param.namedChild(0) : param.childForFieldName('name') ?? param.namedChild(0);
      if (!nameNode) continue;
      found.push({ type: param.type, name: this.text(nameNode), text: this.text(param), range: this.range(param) });
    }
    return found;
  }

  private checkDuplicates(): void {
    const seenDags = new Map<string, DagModel>();
    for (const dag of this.dags) {
      if (dag.dagId === null) continue;
      const first = seenDags.get(dag.dagId);
      if (first) {
        this.report('VX102', dag.idRange ?? dag.nameRange, `The dag_id "${dag.dagId}" is already defined on line ${first.line + 1}: each DAG needs its own dag_id.`);
      } else {
        seenDags.set(dag.dagId, dag);
      }
    }
    for (const dag of this.dags) {
      const ids = new Map<string, TaskModel>();
      // Every id of the DAG, so that a suggested id is free; only made once a duplicate is found.
      let all: Set<string> | undefined;
      for (let i = 0; i < dag.taskIndices.length; i++) {
        const task = this.tasks[dag.taskIndices[i]];
        const first = ids.get(task.taskId);
        if (!first) {
          ids.set(task.taskId, task);
          continue;
        }
        all ??= new Set(dag.taskIndices.map((index) => this.tasks[index].taskId));
        let n = 2;
        while (all.has(`${task.taskId}_${n}`)) n++;
        const suggestion = `${task.taskId}_${n}`;
        all.add(suggestion);
        this.report('VX201', task.taskIdRange, `The task_id "${task.taskId}" is already used on line ${first.line + 1} of this DAG: task ids must be unique within a DAG (for example "${suggestion}").`, {
          kind: 'renameTaskId',
          suggestion,
        });
      }
    }
  }

  private checkCycles(): void {
    for (let d = 0; d < this.dags.length; d++) {
      // The analyser makes every edge of a DAG an EdgeRecord.
      for (const cycle of findCycles(this.dags[d].edges as EdgeRecord[])) {
        const names = cycle.path.map((i) => this.tasks[i].taskId);
        this.report('VX301', cycle.closing.range, `These dependencies form a cycle: ${names.join(' → ')}. A DAG cannot loop: remove one of these dependencies.`);
      }
    }
  }

  private reportXcom(root: Node): void {
    const pattern = /\bxcom_(push|pull)\b/g;
    for (let match = pattern.exec(this.source); match; match = pattern.exec(this.source)) {
      const node = root.descendantForIndex(match.index, match.index + match[0].length);
      if (node?.type !== 'identifier') continue; // in a comment or a string
      this.report('VX401', this.range(node), `XCom (${match[0]}) is not supported by VORTEX: pass data through files or environment variables.`);
    }
  }
}

// ---------------------------------------------------------------------------

const EXPRESSION_TYPES = new Set([
  'call', 'binary_operator', 'assignment', 'identifier', 'list', 'tuple', 'parenthesized_expression', 'attribute', 'keyword_argument',
]);

function isExpressionType(type: string): boolean {
  return EXPRESSION_TYPES.has(type);
}


function hasKeyword(args: Node, name: string, source: string): boolean {
  return findKeywordValue(args, name, source) !== null;
}

function findKeywordValue(args: Node, name: string, source: string): Node | null {
  for (const arg of args.namedChildren) {
    if (arg?.type !== 'keyword_argument') continue;
    const n = arg.childForFieldName('name');
    if (n && source.slice(n.startIndex, n.endIndex) === name) return arg.childForFieldName('value');
  }
  return null;
}

function firstLineRange(node: Node): Range {
  const range = rangeOf(node);
  if (range.end.line > range.start.line) return { start: range.start, end: { line: range.start.line, character: range.start.character + 1 } };
  return range;
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

