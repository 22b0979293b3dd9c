/**
 * The DAG analyser's entry points: a Python file (or its syntax tree) in, the
 * plain DAG model out.
 *
 * How it is made, each layer of the analyser on the one before:
 * - builder.ts holds the model as it is built, records.ts its compact
 *   records, values.ts what names and expressions stand for; structure.ts
 *   adds Airflow's structure: TaskGroups (their ids, roots and leaves),
 *   Labels, dependencies between them;
 * - constructs.ts makes DAGs and tasks from a CallSite (callSite.ts),
 *   whichever reader found the call; taskflow.ts makes TaskFlow's: `@task`
 *   calls, `@dag` and `@task_group` functions walked where they are called;
 * - expressions.ts evaluates expressions and calls, looking each callee up in
 *   the registry (callees.ts); mapping.ts reads `.partial(...).expand(...)`;
 *   dependencies.ts reads `>>`, `set_downstream`, `chain`, `chain_linear`,
 *   `cross_downstream`;
 * - textStatements.ts reads most statements of a large file from their text
 *   (simpleStatements.ts) rather than node by node, statementCache.ts keeps
 *   what each line made for the next analysis of a document;
 * - analyser.ts walks the statements, each block in its scope (scope.ts);
 * - checks.ts and callChecks.ts run the checks, as passes over the finished
 *   model;
 * - repair.ts reads past syntax errors.
 * All of it because analysing a file must cost little next to parsing it.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { newPythonParser } from './parser';
import type { FileAnalysis } from './model';
import { diagnostic } from '../diagnostics';
import { StatementReader } from './simpleStatements';
import { pythonLineBreaks } from './source';
import { Analyser } from './analyser';
import { byPosition, emptyAnalysis } from './builder';
import { closeUnclosed, endBeforeInsertion, findSyntaxErrors, findUnclosed, parseWithin, repairedParse, unclosedDiagnostic } from './repair';
import { StatementCache } from './statementCache';
import { TreeMismatch } from './textStatements';

export { emptyAnalysis } from './builder';
export { parseWithin } from './repair';
export { StatementCache } from './statementCache';

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

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

/**
 * The language server gives up a parse that takes longer than this, for open
 * documents and for the workspace scan alike: tree-sitter-python's scanner is
 * quadratic on long runs of consecutive comment lines (4,000 take seconds).
 */
export const DEFAULT_PARSE_TIMEOUT_MS = 2000;

/**
 * Airflow's own test for "might contain a DAG": the text mentions a DAG and one
 * of the frameworks. Cheap enough to run on every Python file before parsing.
 */
export function mightContainDag(text: string): boolean {
  return /dag/i.test(text) && /\b(vortex|airflow)\b/.test(text);
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
    return new Analyser(text, root, reader, simpleStatements, statementCache, simpleStatements).run();
  } catch (error) {
    if (!(error instanceof TreeMismatch)) throw error;
    return new Analyser(text, root, reader, simpleStatements, statementCache, false).run();
  }
}

