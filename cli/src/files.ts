/** Reading the files the CLI is given: one file, or every DAG file under a directory. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyse, type AnalyseOptions } from '../../core/analysis/analyse';
import type { FileAnalysis } from '../../core/analysis/model';
import { newPythonParser } from '../../core/analysis/parser';
import { decodeSource } from '../../core/analysis/source';

/** A bad-usage or unreadable-file error: one line on stderr, exit status 2. */
export class UsageError extends Error {}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', 'dist']);

export interface AnalysedFile {
  path: string;
  text: string;
  analysis: FileAnalysis;
}

/** Lists Python files under `dir`, sorted, skipping tool and dependency folders. */
function pythonFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.')) pending.push(full);
      } else if (entry.isFile() && entry.name.endsWith('.py')) {
        found.push(full);
      }
    }
  }
  return found.sort();
}

export function analyseFile(file: string, options: AnalyseOptions): AnalysedFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((error as Error).message);
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
  const decoded = decodeSource(bytes);
  const analysis = analyse(decoded.text, options);
  if (decoded.diagnostics.length > 0) {
    analysis.isDagFile = analysis.isDagFile || analysis.dags.length > 0;
    analysis.diagnostics.unshift(...decoded.diagnostics);
  }
  return { path: file, text: decoded.text, analysis };
}

/**
 * Expands the command line's paths: a file is analysed whatever it holds; a
 * directory contributes the DAG files under it.
 */
export function analysePaths(paths: string[], options: AnalyseOptions): { files: AnalysedFile[]; errors: string[] } {
  // One parser for every file the command reads (`loadPython()` has resolved).
  const parser = newPythonParser();
  try {
    return analyseEach(paths, { ...options, parser });
  } finally {
    parser.delete();
  }
}

function analyseEach(paths: string[], options: AnalyseOptions): { files: AnalysedFile[]; errors: string[] } {
  const files: AnalysedFile[] = [];
  const errors: string[] = [];
  for (const p of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(p).isDirectory();
    } catch {
      errors.push(`cannot read ${p}: no such file or directory`);
      continue;
    }
    try {
      if (!isDirectory) {
        files.push(analyseFile(p, options));
        continue;
      }
      for (const file of pythonFilesUnder(p)) {
        const result = analyseFile(file, options);
        if (result.analysis.isDagFile) files.push(result);
      }
    } catch (error) {
      if (error instanceof UsageError) errors.push(error.message);
      else throw error;
    }
  }
  return { files, errors };
}
