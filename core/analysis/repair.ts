/**
 * Reading past syntax errors: parsing within a time budget, closing what a
 * file leaves open, blanking broken statements so the rest still parses, and
 * the VX001 diagnostics for what Python cannot parse.
 */
import { diagnostic } from '../diagnostics';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { rangeOf } from './literals';
import type { Diagnostic, FileAnalysis, Position, Range } from './model';
import { TaskRecord } from './records';
import { indentationEnd, pythonLineBreaks } from './source';

const MAX_SYNTAX_ERRORS = 20;

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


const MAX_REPAIRS = 8;

/**
 * Tree-sitter's error recovery can swallow everything after an unclosed
 * bracket into one ERROR node. So that the rest of the file is still analysed,
 * the lines of each broken statement (from the error to the next line indented
 * no deeper) are blanked and the text parsed again; the line numbers of every
 * other line stay as they were.
 */
export function repairedParse(parser: Parser, tree: Tree, text: string, deadline: number | undefined): { tree: Tree; text: string } {
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

export function findUnclosed(text: string): Unclosed | undefined {
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

export function unclosedDiagnostic(text: string, unclosed: Unclosed): Diagnostic {
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
export function closeUnclosed(parser: Parser, tree: Tree, text: string, unclosed: Unclosed, deadline: number | undefined): Closed {
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
export function endBeforeInsertion(analysis: FileAnalysis, inserted: { line: number; character: number; length: number }): void {
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

export function findSyntaxErrors(root: Node, text: string): Diagnostic[] {
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

function firstLineRange(node: Node): Range {
  const range = rangeOf(node);
  if (range.end.line > range.start.line) return { start: range.start, end: { line: range.start.line, character: range.start.character + 1 } };
  return range;
}

