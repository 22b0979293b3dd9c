/**
 * Runtime resolution's figures: executing a generated 5,000-task DAG file
 * (about 10,000 lines) with the bundled SDK, whole process, target ≤ 2 s,
 * and a typical 50-task file, whole process, target ≤ 300 ms,
 * each figure also a ratio against baselines measured in the same run (these
 * machines are shared and noisy): Python's bare start-up, and the static
 * `vortex inspect --json` process on the same file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveAtRuntime } from '../../core/runtime/resolver';
import { generateDag } from '../../test/support/generate';

const REPO = path.resolve(__dirname, '../..');
const SDK = path.join(REPO, 'dist', 'sdk');
const RUNS = 7;
const TARGET_MS = 2000;
const TYPICAL_TASKS = 50;
const TYPICAL_TARGET_MS = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Medians of `RUNS` timings of each candidate, taken in turn so that the machine's load falls on all alike; one warm-up each. */
async function timeEach(candidates: Array<() => Promise<void> | void>): Promise<number[]> {
  for (const run of candidates) await run();
  const samples: number[][] = candidates.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, run] of candidates.entries()) {
      const started = performance.now();
      await run();
      samples[j].push(performance.now() - started);
    }
  }
  return samples.map(median);
}

function processRun(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): () => void {
  return () => {
    const r = spawnSync(file, args, { cwd: REPO, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr}`);
  };
}

function row(label: string, ms: number, baselines: Array<[string, number]>, target?: number): void {
  const ratios = baselines.map(([name, base]) => `×${(ms / base).toFixed(1)} ${name}`).join(', ');
  const verdict = target === undefined ? '' : ms <= target ? `  ✓ target ≤ ${target} ms` : `  ✗ target ≤ ${target} ms`;
  console.log(`${label.padEnd(44)} ${`${ms.toFixed(0)} ms`.padStart(8)}${ratios ? `  (${ratios})` : ''}${verdict}`);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'vortex-bench-runtime-'));
  try {
    const text = generateDag(5000);
    const file = path.join(scratch, 'dag5000.py');
    writeFileSync(file, text);
    const typical = path.join(scratch, `dag${TYPICAL_TASKS}.py`);
    writeFileSync(typical, generateDag(TYPICAL_TASKS));
    const pythonEnv = { ...process.env, PYTHONPATH: SDK, PYTHONDONTWRITEBYTECODE: '1' };
    let tasks = 0;
    const [pythonStart, staticInspect, inspector, resolver, cli, typicalResolver, typicalCli] = await timeEach([
      processRun('python3', ['-c', 'pass']),
      processRun(process.execPath, [path.join(REPO, 'dist/cli.js'), 'inspect', '--json', file]),
      processRun('python3', ['-m', 'vortex._inspector', file], pythonEnv),
      async () => {
        const outcome = await resolveAtRuntime(file, { sdkPath: SDK });
        if (outcome.status !== 'resolved') throw new Error(`not resolved: ${JSON.stringify(outcome.diagnostics)}`);
        tasks = outcome.dags[0].tasks.length;
      },
      processRun(process.execPath, [path.join(REPO, 'dist/cli.js'), 'inspect', '--runtime', '--json', file]),
      async () => {
        const outcome = await resolveAtRuntime(typical, { sdkPath: SDK });
        if (outcome.dags[0]?.tasks.length !== TYPICAL_TASKS) throw new Error(`not resolved: ${JSON.stringify(outcome.diagnostics)}`);
      },
      processRun(process.execPath, [path.join(REPO, 'dist/cli.js'), 'inspect', '--runtime', '--json', typical]),
    ]);
    console.log(`Runtime resolution of a generated ${tasks}-task DAG file (${(text.length / 1024).toFixed(0)} KB, ${text.split('\n').length - 1} lines), median of ${RUNS} runs`);
    const baselines: Array<[string, number]> = [['python3 -c pass', pythonStart], ['static inspect process', staticInspect]];
    row('baseline: python3 -c pass', pythonStart, []);
    row('baseline: vortex inspect --json (static)', staticInspect, []);
    row('python3 -m vortex._inspector FILE', inspector, baselines);
    row('resolveAtRuntime (spawn, read, check)', resolver, baselines, TARGET_MS);
    row('vortex inspect --runtime --json', cli, baselines);
    console.log(`A typical ${TYPICAL_TASKS}-task DAG file, whole process`);
    row(`resolveAtRuntime (${TYPICAL_TASKS} tasks)`, typicalResolver, [['python3 -c pass', pythonStart]], TYPICAL_TARGET_MS);
    row(`vortex inspect --runtime --json (${TYPICAL_TASKS} tasks)`, typicalCli, [['python3 -c pass', pythonStart]]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
