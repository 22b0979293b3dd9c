/**
 * The open documents: text, syntax tree and analysis of each, kept up to date
 * incrementally. Each content change is applied to the previous tree
 * (`tree.edit`) and the next parse reuses it; a tree is deleted as soon as it
 * is replaced or its document closes, since wasm memory is not collected.
 * Only DAG files (the cheap `mightContainDag` test) are ever parsed.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { Edit } from 'web-tree-sitter';
import type { Parser, Point, Tree } from 'web-tree-sitter';
import { analyseTree, DEFAULT_PARSE_TIMEOUT_MS, emptyAnalysis, mightContainDag, parseTimedOut, parseWithin, precheck, StatementCache } from '../../core/analysis/analyse';
import type { FileAnalysis } from '../../core/analysis/model';
import { pythonLineBreaks } from '../../core/analysis/source';

interface Entry {
  document: TextDocument;
  /** The tree of `treeVersion`, with every edit since applied; null before the first parse. */
  tree: Tree | null;
  treeVersion: number;
  analysis: { version: number; maxFileSize: number; result: FileAnalysis } | null;
  /** Lets each re-analysis reuse what unchanged statements produced last time. */
  statements: StatementCache;
  /** Text length at which parsing last timed out: parsing is retried only once the text is shorter. */
  gaveUpAtLength: number | null;
}

export interface DocumentStoreOptions {
  /** The parse time cap; `DEFAULT_PARSE_TIMEOUT_MS`, the workspace scan's too, unless a test sets another. */
  parseTimeoutMs?: number;
}

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();
  private readonly parseTimeoutMs: number;

  constructor(private readonly parser: Parser, options: DocumentStoreOptions = {}) {
    this.parseTimeoutMs = options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS;
  }

  open(uri: string, languageId: string, version: number, text: string): void {
    this.close(uri);
    this.entries.set(uri, { document: TextDocument.create(uri, languageId, version, text), tree: null, treeVersion: -1, analysis: null, gaveUpAtLength: null, statements: new StatementCache() });
  }

  /** Applies LSP content changes in order, editing the tree alongside the text. */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    for (const change of changes) {
      if ('range' in change) {
        if (entry.tree) entry.tree.edit(editFor(entry.document, change.range, change.text));
      } else {
        // A whole-text replacement leaves nothing for the old tree to share.
        this.freeTree(entry);
      }
      entry.document = TextDocument.update(entry.document, [change], version);
    }
  }

  close(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    this.freeTree(entry);
    this.entries.delete(uri);
  }

  get(uri: string): TextDocument | undefined {
    return this.entries.get(uri)?.document;
  }

  uris(): string[] {
    return [...this.entries.keys()];
  }

  /** Whether the document is open and (by the cheap textual test) a DAG file. */
  isDagFile(uri: string): boolean {
    const document = this.get(uri);
    return document !== undefined && isPython(document) && mightContainDag(document.getText());
  }

  /**
   * The analysis of the document's current version, computed at most once per
   * version (and file size limit). Undefined when the document is not open.
   */
  analysis(uri: string, maxFileSize: number): FileAnalysis | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    const { document } = entry;
    const cached = entry.analysis;
    if (cached && cached.version === document.version && cached.maxFileSize === maxFileSize) return cached.result;
    const result = this.analyse(entry, maxFileSize);
    entry.analysis = { version: document.version, maxFileSize, result };
    return result;
  }

  /** The current tree of a DAG file (parsing if needed), or null. Valid until the next change. */
  tree(uri: string): Tree | null {
    const entry = this.entries.get(uri);
    return entry ? this.currentTree(entry) : null;
  }

  /** Frees every tree (server shutdown). */
  dispose(): void {
    for (const entry of this.entries.values()) this.freeTree(entry);
    this.entries.clear();
  }

  private analyse(entry: Entry, maxFileSize: number): FileAnalysis {
    if (!isPython(entry.document)) return emptyAnalysis();
    const text = pythonLineBreaks(entry.document.getText());
    const declined = precheck(text, { maxFileSize });
    if (declined) {
      this.freeTree(entry);
      return declined;
    }
    const tree = this.currentTree(entry);
    if (!tree) return parseTimedOut(text, this.parseTimeoutMs);
    return analyseTree(tree, text, { maxFileSize, parseTimeoutMs: this.parseTimeoutMs, statementCache: entry.statements, parser: this.parser });
  }

  private currentTree(entry: Entry): Tree | null {
    const { document } = entry;
    if (!isPython(document)) return null;
    const text = document.getText();
    if (!mightContainDag(text)) {
      this.freeTree(entry);
      return null;
    }
    if (entry.tree && entry.treeVersion === document.version) return entry.tree;
    if (entry.gaveUpAtLength !== null && text.length >= entry.gaveUpAtLength) return null;
    const tree = parseWithin(this.parser, text, entry.tree, this.parseTimeoutMs);
    if (!tree) {
      entry.gaveUpAtLength = text.length;
      return null;
    }
    entry.gaveUpAtLength = null;
    entry.tree?.delete();
    entry.tree = tree;
    entry.treeVersion = document.version;
    return tree;
  }

  private freeTree(entry: Entry): void {
    entry.tree?.delete();
    entry.tree = null;
    entry.treeVersion = -1;
  }
}

function isPython(document: TextDocument): boolean {
  return document.languageId === 'python' || document.uri.endsWith('.py');
}

/**
 * The tree-sitter edit for replacing `range` of `document` with `text`.
 * web-tree-sitter counts indices and columns in UTF-16 code units, as LSP does,
 * so LSP positions carry over unchanged; so do rows, since the tree reads
 * line breaks as LSP does (see `pythonLineBreaks`).
 */
export function editFor(document: TextDocument, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Edit {
  const startIndex = document.offsetAt(range.start);
  const oldEndIndex = document.offsetAt(range.end);
  // Positions from the clamped offsets: clients may send characters past a line's end.
  const start = document.positionAt(startIndex);
  const oldEnd = document.positionAt(oldEndIndex);
  const startPosition: Point = { row: start.line, column: start.character };
  return new Edit({
    startIndex,
    oldEndIndex,
    newEndIndex: startIndex + text.length,
    startPosition,
    oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
    newEndPosition: advance(startPosition, pythonLineBreaks(text)),
  });
}

/** The point reached after writing `text` at `from` (rows split on `\n`, as tree-sitter counts them). */
function advance(from: Point, text: string): Point {
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak < 0) return { row: from.row, column: from.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  return { row: from.row + rows, column: text.length - lastBreak - 1 };
}
