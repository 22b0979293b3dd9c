/**
 * `npm run bench`: the analyser's figures, each as a ratio against a baseline
 * measured in the same run (these machines are shared and noisy).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Edit, type Parser, type Tree } from 'web-tree-sitter';
import { analyse, analyseTree, StatementCache } from '../../core/analysis/analyse';
import { createPythonParser, loadPython } from '../../core/analysis/parser';
import { generateDag } from '../../test/support/generate';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Medians of `runs` timings of `a` and of `b`, taken alternately so that the
 * load of this shared machine falls on both alike; one warm-up call each.
 */
function timePair(runs: number, a: () => void, b: () => void): [number, number] {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let started = performance.now();
    a();
    as.push(performance.now() - started);
    started = performance.now();
    b();
    bs.push(performance.now() - started);
  }
  return [median(as), median(bs)];
}

/** Median of `runs` timings of `fn`, after one warm-up call. */
function time(runs: number, fn: () => void): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function row(label: string, value: string, baseline: string, ratio: number, target?: number): void {
  const verdict = target === undefined ? '' : ratio <= target ? `  ✓ target ≤ ${target}` : `  ✗ target ≤ ${target}`;
  console.log(`${label.padEnd(46)} ${value.padStart(10)}  vs ${baseline.padStart(10)}  ratio ${ratio.toFixed(2)}${verdict}`);
}

/**
 * The median time of an edit as the language server makes it (incremental
 * parse, then analysis with its statement cache), over 40 edits: edit `i`
 * replaces the text `from(i)` by `to(i)`. With `first`, the text starts with
 * that command replaced by the empty string, then grows by a character a time.
 */
function typingMedian(parser: Parser, text: string, from: (i: number) => string, to: (i: number) => string, first?: string): number {
  let current = first ? text.replace(`"${first}"`, '""') : text;
  let tree: Tree = parser.parse(current)!;
  const samples: number[] = [];
  const statementCache = new StatementCache();
  analyseTree(tree, current, { statementCache, parser });
  for (let i = 0; i < 41; i++) {
    const needle = from(i);
    const at = current.indexOf(needle);
    if (at < 0) throw new Error(`the bench's edit ${i} finds no ${needle}`);
    const replacement = to(i);
    const next = current.slice(0, at) + replacement + current.slice(at + needle.length);
    const started = performance.now();
    const before = current.slice(0, at);
    const row0 = before.split('\n').length - 1;
    const col0 = at - (before.lastIndexOf('\n') + 1);
    tree.edit(new Edit({
      startIndex: at,
      oldEndIndex: at + needle.length,
      newEndIndex: at + replacement.length,
      startPosition: { row: row0, column: col0 },
      oldEndPosition: { row: row0, column: col0 + needle.length },
      newEndPosition: { row: row0, column: col0 + replacement.length },
    }));
    const reparsed = parser.parse(next, tree)!;
    analyseTree(reparsed, next, { statementCache, parser });
    const elapsed = performance.now() - started;
    if (i > 0) samples.push(elapsed);
    tree.delete();
    tree = reparsed;
    current = next;
  }
  tree.delete();
  return median(samples);
}

async function main(): Promise<void> {
  await loadPython();
  const parser = await createPythonParser();
  const REPO = path.resolve(__dirname, '../..');
  const scratch = mkdtempSync(path.join(tmpdir(), 'vortex-bench-'));
  try {
    console.log('Analysis in process: analyse(text) (parse + analysis) against the bare tree-sitter parse of the same text');
    for (const n of [1000, 5000, 20000]) {
      const text = generateDag(n);
      const runs = n >= 20000 ? 5 : 11;
      const [parse, full] = timePair(runs, () => parser.parse(text)!.delete(), () => analyse(text, { parser }));
      row(`${n} tasks (${(text.length / 1024).toFixed(0)} KB, ${text.split('\n').length} lines)`, `${full.toFixed(1)} ms`, `${parse.toFixed(1)} ms`, full / parse, n === 5000 ? 1.5 : undefined);
      console.log(`${''.padEnd(46)} ${(full / n * 1000).toFixed(1)} µs per task`);
    }

    console.log('\nWhole process: `vortex inspect --json` against a process that only loads tree-sitter and parses');
    const file = path.join(scratch, 'dag5000.py');
    writeFileSync(file, generateDag(5000));
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    };
    const [baselineProcess, inspectProcess] = timePair(
      9,
      () => run([path.join(REPO, 'scripts/bench/parse-only.mjs'), file]),
      () => run([path.join(REPO, 'dist/cli.js'), 'inspect', '--json', file]),
    );
    row('5000 tasks, whole process', `${inspectProcess.toFixed(0)} ms`, `${baselineProcess.toFixed(0)} ms`, inspectProcess / baselineProcess, 1.5);

    console.log('\nRe-analysis after a one-line edit of a 500-task file (incremental parse + analysis, with the statement cache the language server keeps), target ≤ 10 ms');
    const text500 = generateDag(500);
    const fullParse500 = time(21, () => parser.parse(text500)!.delete());
    const edit = typingMedian(parser, text500, (i) => `echo step ${(i % 100) * 3}"`, (i) => `echo edited ${i}"`);
    row('500 tasks, edit → new analysis (median)', `${edit.toFixed(2)} ms`, `${fullParse500.toFixed(2)} ms`, edit / fullParse500);
    console.log(`${''.padEnd(46)} ${edit <= 10 ? '✓' : '✗'} ${edit.toFixed(2)} ms against the 10 ms target (baseline: a full parse of the file)`);

    console.log('\nRe-analysis per keystroke of a realistic modern DAG (test/fixtures/modern_pipeline.py: 40 tasks, TaskFlow, nested TaskGroups, Labels, mapping), target ≤ 10 ms');
    const modern = readFileSync(path.join(REPO, 'test/fixtures/modern_pipeline.py'), 'utf8');
    const fullParseModern = time(41, () => parser.parse(modern)!.delete());
    // Typing a command one character at a time, inside a task in a nested group.
    const typed = 'dbt run -s stg_orders --full-refresh';
    const keystroke = typingMedian(parser, modern, (i) => `"${typed.slice(0, i % typed.length)}"`, (i) => `"${typed.slice(0, (i % typed.length) + 1)}"`, 'dbt run -s stg_orders');
    row('40 modern tasks, keystroke → new analysis (median)', `${keystroke.toFixed(2)} ms`, `${fullParseModern.toFixed(2)} ms`, keystroke / fullParseModern);
    console.log(`${''.padEnd(46)} ${keystroke <= 10 ? '✓' : '✗'} ${keystroke.toFixed(2)} ms against the 10 ms target (baseline: a full parse of the file)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    parser.delete();
  }
}

void main();
