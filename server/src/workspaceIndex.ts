/**
 * The DAGs and tasks of every DAG file in the workspace, by id: what the
 * cross-file VX102 check and workspace symbols read. Files on disk are scanned
 * once at start-up and again when the client reports them changed; an open
 * document's own analysis stands in for its file on disk while it is open.
 * A file on disk is analysed under the open documents' limits (size, parse
 * time); one over them is not indexed.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyse, DEFAULT_MAX_FILE_SIZE, DEFAULT_PARSE_TIMEOUT_MS, mightContainDag } from '../../core/analysis/analyse';
import type { FileAnalysis, Range } from '../../core/analysis/model';
import type { Parser } from '../../core/analysis/parser';
import type { Logger } from './features/util';

export interface IndexedDag {
  dagId: string;
  /** The dag_id value (or the `DAG` callee when the id is not written as a literal in place). */
  range: Range;
}

export interface IndexedTask {
  taskId: string;
  dagId: string | null;
  operator: string;
  range: Range;
}

export interface FileSummary {
  dags: IndexedDag[];
  tasks: IndexedTask[];
}

/** Folders no DAG lives in, skipped by the scan. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'venv', '.venv', 'env', 'site-packages', 'dist', 'build']);
/** The scan stops here: a workspace with more Python files than this is not a DAG folder. */
const MAX_SCANNED_FILES = 20000;

export function summarise(analysis: FileAnalysis): FileSummary {
  return { dags: indexedDags(analysis), tasks: indexedTasks(analysis) };
}

/**
 * The summary of an open document, whose analysis is kept anyway: its tasks
 * are listed only when asked for (by a workspace symbol search), not on each
 * keystroke in a large file.
 */
export function summariseOpen(analysis: FileAnalysis): FileSummary {
  let tasks: IndexedTask[] | undefined;
  return {
    dags: indexedDags(analysis),
    get tasks() {
      return (tasks ??= indexedTasks(analysis));
    },
  };
}

function indexedDags(analysis: FileAnalysis): IndexedDag[] {
  const dags: IndexedDag[] = [];
  for (const dag of analysis.dags) if (dag.dagId !== null) dags.push({ dagId: dag.dagId, range: dag.idRange ?? dag.nameRange });
  return dags;
}

function indexedTasks(analysis: FileAnalysis): IndexedTask[] {
  return analysis.tasks.map((t) => ({ taskId: t.taskId, dagId: analysis.dags[t.dagIndex]?.dagId ?? null, operator: t.operator, range: t.taskIdRange }));
}

export interface WorkspaceIndexOptions {
  /** The size limit (`vortex.analysis.maxFileSize`) of the resource a file belongs to; the default limit when absent. */
  maxFileSize?: (uri: string) => Promise<number>;
  /** The parse time cap: the open documents' own unless a test sets another. */
  parseTimeoutMs?: number;
  /** Hears which files were not indexed, and why. */
  logger?: Logger;
  /** The parser to read files with (the open documents'); without one, each file gets a parser of its own. */
  parser?: Parser;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, FileSummary>();

  constructor(private readonly options: WorkspaceIndexOptions = {}) {}

  /** Records a file's summary; returns the dag ids whose set of defining files changed. */
  set(uri: string, summary: FileSummary | undefined): Set<string> {
    const before = new Set(this.files.get(uri)?.dags.map((d) => d.dagId) ?? []);
    if (summary && (summary.dags.length > 0 || summary.tasks.length > 0)) this.files.set(uri, summary);
    else this.files.delete(uri);
    const after = new Set(summary?.dags.map((d) => d.dagId) ?? []);
    const changed = new Set<string>();
    for (const id of before) if (!after.has(id)) changed.add(id);
    for (const id of after) if (!before.has(id)) changed.add(id);
    return changed;
  }

  /** The other files that define `dagId`. */
  otherFilesDefining(dagId: string, uri: string): string[] {
    const found: string[] = [];
    for (const [other, summary] of this.files) if (other !== uri && summary.dags.some((d) => d.dagId === dagId)) found.push(other);
    return found.sort();
  }

  entries(): IterableIterator<[string, FileSummary]> {
    return this.files.entries();
  }

  /** Re-reads one file from disk (or forgets it when it is gone); returns the dag ids that changed. */
  async refreshFromDisk(uri: string): Promise<Set<string>> {
    return this.set(uri, await this.readSummary(uri));
  }

  /** Reads every DAG file under the folders. `skip` names URIs to leave alone (open documents). */
  async scan(folderUris: readonly string[], skip: (uri: string) => boolean): Promise<void> {
    let budget = MAX_SCANNED_FILES;
    for (const folderUri of folderUris) {
      if (!folderUri.startsWith('file:')) continue;
      const pending = [fileURLToPath(folderUri)];
      while (pending.length > 0 && budget > 0) {
        const dir = pending.pop()!;
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          continue; // unreadable folders hold nothing we can serve
        }
        for (const entry of entries) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) pending.push(full);
          } else if (entry.isFile() && entry.name.endsWith('.py') && budget-- > 0) {
            const uri = pathToFileURL(full).href;
            if (skip(uri)) continue;
            const summary = await this.readSummary(uri);
            // The document may have opened while the file was read; its own analysis wins.
            if (summary && !skip(uri)) this.set(uri, summary);
          }
        }
      }
    }
  }

  /** The summary of a DAG file on disk; undefined when it cannot be read, is no DAG file, or is over the limits. */
  private async readSummary(uri: string): Promise<FileSummary | undefined> {
    let text: string;
    try {
      text = await readFile(fileURLToPath(uri), 'utf8');
    } catch {
      return undefined;
    }
    if (!mightContainDag(text)) return undefined;
    const maxFileSize = this.options.maxFileSize ? await this.options.maxFileSize(uri) : DEFAULT_MAX_FILE_SIZE;
    const analysis = analyse(text, { maxFileSize, parseTimeoutMs: this.options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS, parser: this.options.parser });
    const skipped = analysis.diagnostics.find((d) => d.code === 'VX002');
    if (skipped) {
      this.options.logger?.log(`VORTEX did not index ${fileURLToPath(uri)}: ${skipped.message}`);
      return undefined;
    }
    return summarise(analysis);
  }
}
