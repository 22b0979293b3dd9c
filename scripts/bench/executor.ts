/**
 * The executor's figures, each against a baseline measured in the
 * same run: a bare Node loop that spawns `sh -c true`, the physical floor.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { analyse } from '../../core/analysis/analyse';
import { loadPython } from '../../core/analysis/parser';
import { executeTask } from '../../core/run/taskExecutor';
import { newRunId, specFromModel } from '../../core/run/taskSpec';
import { planFromModel, runPlan } from '../../core/run/scheduler';

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

function spawnPythonPass(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', 'pass'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** A DAG file of `n` chained PythonOperator tasks that call a function doing nothing. */
function pythonDagFile(dir: string, n: number): string {
  const lines = ['from vortex import DAG', 'from vortex.operators.python import PythonOperator', '', 'def noop():', '    pass', '', `with DAG(dag_id="bench_python_${n}") as dag:`];
  for (let i = 0; i < n; i++) lines.push(`    t${i} = PythonOperator(task_id="t${i}", python_callable=noop)`);
  for (let i = 1; i < n; i++) lines.push(`    t${i - 1} >> t${i}`);
  const file = path.join(dir, `bench_python_${n}.py`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A DAG file of `n` no-op Bash tasks, chained or independent. */
function dagFile(dir: string, n: number, chained: boolean): string {
  const lines = ['from vortex import DAG', 'from vortex.operators.bash import BashOperator', '', `with DAG(dag_id="bench_${n}") as dag:`];
  for (let i = 0; i < n; i++) lines.push(`    t${i} = BashOperator(task_id="t${i}", bash_command="true")`);
  if (chained) for (let i = 1; i < n; i++) lines.push(`    t${i - 1} >> t${i}`);
  const file = path.join(dir, `bench_${n}_${chained ? 'chain' : 'flat'}.py`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function runDag(file: string, text: string, parallelism: number): Promise<number> {
  const analysis = analyse(text);
  const plan = planFromModel(analysis, analysis.dags[0], { dagFilePath: file, runId: newRunId() });
  const started = performance.now();
  const result = await runPlan(plan, { parallelism });
  if (result.state !== 'success') throw new Error(`the benchmark DAG did not succeed: ${result.state}`);
  return performance.now() - started;
}

/** Wall time of a whole process, in milliseconds. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore', env });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return performance.now() - started;
}

/**
 * `vortex run` of 300 chained no-op Bash tasks as a user runs it (the built
 * CLI, its run store and logs included) against a whole Node process that
 * spawns `sh -c true` 300 times in sequence.
 */
function wholeProcessRatio(dir: string, chain: string): void {
  console.log('\nWhole processes: `vortex run` of the 300-task chain (run store and logs included), parallelism 1, against a Node process spawning `sh -c true` 300 times');
  const bareScript = path.join(dir, 'bare.js');
  writeFileSync(
    bareScript,
    "const { spawn } = require('node:child_process');\n(async () => { for (let i = 0; i < 300; i++) await new Promise((res, rej) => { const c = spawn('sh', ['-c', 'true'], { stdio: 'ignore' }); c.on('error', rej); c.on('exit', res); }); })();\n",
  );
  const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
  const env = { ...process.env, VORTEX_RUNS_DIR: path.join(dir, 'runs') };
  timeProcess([cli, 'run', chain, '--parallelism', '1'], env);
  const ratios: number[] = [];
  for (let round = 0; round < 7; round++) {
    const bare = timeProcess([bareScript]);
    const vortex = timeProcess([cli, 'run', chain, '--parallelism', '1'], env);
    ratios.push(vortex / bare);
    console.log(`  round ${round + 1}: vortex run ${vortex.toFixed(0)} ms vs bare ${bare.toFixed(0)} ms, ratio ${(vortex / bare).toFixed(2)}`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`  median ratio of 7 rounds ${sorted[3].toFixed(2)} ${sorted[3] <= 1.3 ? '✓' : '✗'} target ≤ 1.3 (best ${sorted[0].toFixed(2)})`);
}

async function main(): Promise<void> {
  await loadPython();
  const dir = mkdtempSync(path.join(tmpdir(), 'vortex-bench-exec-'));
  try {
    if (process.argv.includes('--whole')) {
      wholeProcessRatio(dir, dagFile(dir, 300, true));
      return;
    }
    console.log('Executor: 300 chained no-op Bash tasks, parallelism 1, against 300 sequential bare spawns of `sh -c true`');
    const chain = dagFile(dir, 300, true);
    const chainText = readFileSync(chain, 'utf8');
    // One round of each first, uncounted: the executor's code is compiled by then, as in an editor session.
    for (let i = 0; i < 50; i++) await spawnTrue();
    await runDag(chain, chainText, 1);
    const ratios: number[] = [];
    for (let round = 0; round < 5; round++) {
      const bareStarted = performance.now();
      for (let i = 0; i < 300; i++) await spawnTrue();
      const bare = performance.now() - bareStarted;
      const executor = await runDag(chain, chainText, 1);
      ratios.push(executor / bare);
      console.log(`  round ${round + 1}: executor ${executor.toFixed(0)} ms vs bare ${bare.toFixed(0)} ms, ratio ${(executor / bare).toFixed(2)}`);
    }
    const median = [...ratios].sort((a, b) => a - b)[2];
    console.log(`  median ratio of 5 rounds ${median.toFixed(2)} ${median <= 1.3 ? '✓' : '✗'} target ≤ 1.3`);
    wholeProcessRatio(dir, chain);

    console.log('\nPython tasks: 20 chained no-op PythonOperator tasks, parallelism 1, against 20 sequential `python3 -c pass`');
    const pythonDag = pythonDagFile(dir, 20);
    const pythonText = readFileSync(pythonDag, 'utf8');
    await runDag(pythonDag, pythonText, 1);
    const pythonRatios: number[] = [];
    for (let round = 0; round < 5; round++) {
      const bareStarted = performance.now();
      for (let i = 0; i < 20; i++) await spawnPythonPass();
      const bare = performance.now() - bareStarted;
      const executor = await runDag(pythonDag, pythonText, 1);
      pythonRatios.push(executor / bare);
      console.log(`  round ${round + 1}: executor ${(executor / 20).toFixed(1)} ms a task vs bare ${(bare / 20).toFixed(1)} ms a start, ratio ${(executor / bare).toFixed(2)}`);
    }
    console.log(`  median ratio of 5 rounds ${[...pythonRatios].sort((a, b) => a - b)[2].toFixed(2)}`);

    console.log('\n1,000 independent no-op tasks: throughput by parallelism (bare sequential spawns for reference)');
    const flat = dagFile(dir, 1000, false);
    const flatText = readFileSync(flat, 'utf8');
    const bareStarted = performance.now();
    for (let i = 0; i < 1000; i++) await spawnTrue();
    const bareRate = 1000 / ((performance.now() - bareStarted) / 1000);
    console.log(`  bare spawns, one at a time: ${bareRate.toFixed(0)} per second`);
    for (const parallelism of [1, 2, 8]) {
      const ms = await runDag(flat, flatText, parallelism);
      const rate = 1000 / (ms / 1000);
      console.log(`  parallelism ${parallelism}: ${rate.toFixed(0)} tasks per second (${(rate / bareRate).toFixed(2)}× the bare rate; ${availableParallelism()} CPUs)`);
    }

    console.log('\nA task printing 200 MB: the executor process\'s memory, and the log holds it all');
    const analysis = analyse(`from vortex import DAG\nfrom vortex.operators.bash import BashOperator\nwith DAG(dag_id="loud") as dag:\n    loud = BashOperator(task_id="loud", bash_command="head -c 209715200 /dev/zero | tr '\\\\\\\\0' x")\n`);
    const spec = specFromModel(analysis.tasks[0], analysis.dags[0], { dagFilePath: path.join(dir, 'loud.py'), runId: newRunId() });
    const logPath = path.join(dir, 'loud.log');
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const result = await executeTask(spec, { logPath });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const logged = statSync(logPath).size;
    console.log(`  state ${result.state}; log ${(logged / 1048576).toFixed(0)} MB; peak RSS ${(peak / 1048576).toFixed(0)} MB (${((peak - before) / 1048576).toFixed(0)} MB above the start) ${peak < 200 * 1048576 && logged >= 200 * 1048576 ? '✓' : '✗'} target < 200 MB with the full output logged`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
