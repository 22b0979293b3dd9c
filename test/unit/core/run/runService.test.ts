/**
 * One run path: `vortex run` (the built CLI as a process) and the editor's
 * run controller (the model from a real language server over LSP, then the
 * run service) run the same file the same way: the same DAG, the same tasks,
 * the same summary. The analysis mode decides as the editor's does: `auto`
 * executes a file that makes tasks in loops, so all of them run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverRunModel } from '../../../../client/src/runs/serverModel';
import { chooseDag, executeRun, openRunStore, planRun, type RunJson, summaryLine } from '../../../../core/run/runService';
import { RunModelRequest } from '../../../../core/protocol';
import { buildOnce, LspClient } from '../../../support/lspClient';
import { processRuns, REPO, scratchDir } from '../../../support/execution';

const CLI = path.join(REPO, 'dist', 'cli.js');
const EXAMPLE = path.join(REPO, 'examples', 'dynamic_regions.py');
const ALL_TASKS = ['start', 'merge', 'extract_emea', 'summarise_emea', 'extract_amer', 'summarise_amer', 'extract_apac', 'summarise_apac', 'export_csv', 'export_json'];

/** The pid of a `python -m vortex._inspector` executing `file`, if one runs. */
function inspectorOf(file: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('vortex._inspector') && args.includes(file)) return Number(entry);
    } catch {
      // Ended meanwhile.
    }
  }
  return undefined;
}

/** A summary line with its duration taken out: the one part two runs never share. */
const withoutDuration = (line: string) => line.replace(/ in [\d.]+ s(ec)?:/, ' in …:');

describe('one run path: vortex run and the editor through the run service', function () {
  this.timeout(90_000);
  let scratch: { dir: string; remove: () => void };
  let file: string;

  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'run', file, ...args], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'cli-runs') },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(() => {
    buildOnce();
    scratch = scratchDir();
    file = path.join(scratch.dir, 'dynamic_regions.py');
    copyFileSync(EXAMPLE, file);
  });
  after(() => scratch.remove());

  it('vortex run executes a file with dynamic tasks by default (auto) and runs all 10', () => {
    const r = cli('--json');
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as RunJson;
    assert.equal(json.state, 'success');
    assert.deepEqual(json.tasks.map((t) => t.task_id), ALL_TASKS);
    assert.ok(json.tasks.every((t) => t.state === 'success'));
    assert.doesNotMatch(r.stderr, /cannot run|VX404/);
    assert.deepEqual(cli('--mode', 'runtime', '--json').status, 0);
  });

  it('--mode static runs only the 2 tasks the source shows, and says the others cannot run', () => {
    const r = cli('--mode', 'static', '--json');
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(json.tasks.map((t) => t.task_id), ['start', 'merge']);
    assert.match(r.stderr, /^vortex: note: some tasks are created dynamically and cannot run: static analysis cannot see them, and the analysis mode "static" does not execute the file to see them$/m);
  });

  it('a file whose execution ends its interpreter is not run: the error says how it ended', () => {
    const crash = path.join(scratch.dir, 'crash.py');
    writeFileSync(crash, readFileSync(file, 'utf8').replace('with DAG(', 'os._exit(3)\n\nwith DAG(').replace(/^/, 'import os\n'));
    const r = spawnSync(process.execPath, [CLI, 'run', crash], { cwd: scratch.dir, encoding: 'utf8', env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'cli-runs') } });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /crash\.py:\d+:\d+: error VX507 Executing the file ended the Python process before it could report: it exited with code 3/);
    assert.match(r.stderr, /^vortex: not running .*crash\.py: it has 1 error$/m);
    assert.equal(r.stdout, '');
  });

  it('an interpreter vortex run cannot start is named with how vortex run chooses another (VORTEX_PYTHON; run has no --python)', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--mode', 'runtime'], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'cli-runs'), VORTEX_PYTHON: path.join(scratch.dir, 'no-such-python') },
    });
    const line = r.stderr.split('\n').find((l) => l.includes('VX505')) ?? '';
    assert.match(line, /could not be started \(not found\)/);
    assert.match(line, /VORTEX_PYTHON for vortex run/);
    // What the message offers must be something run accepts.
    const offered = spawnSync(process.execPath, [CLI, 'run', file, '--python', 'python3', '--mode', 'static'], { cwd: scratch.dir, encoding: 'utf8' });
    assert.equal(offered.status, 2);
    assert.doesNotMatch(line, /\(--python on the command line\)/);
  });

  it('Ctrl-C while the file is being executed to see its tasks stops it, runs nothing and exits 130', async () => {
    const slow = path.join(scratch.dir, 'slow.py');
    writeFileSync(slow, readFileSync(file, 'utf8').replace('with DAG(', 'time.sleep(60)\n\nwith DAG(').replace(/^/, 'import time\n'));
    const child = spawn(process.execPath, [CLI, 'run', slow], { cwd: scratch.dir, env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'slow-runs') } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The file is being executed once its interpreter is there to see.
    const started = Date.now();
    let inspector: number | undefined;
    while ((inspector = inspectorOf(slow)) === undefined) {
      assert.ok(Date.now() - started < 20_000, 'the file was never executed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /^vortex: interrupted before any task started$/m);
    assert.equal(existsSync(path.join(scratch.dir, 'slow-runs')), false);
    assert.equal(processRuns(inspector), false, 'the file\'s interpreter outlived the run');
  });

  it('--mode takes auto, static or runtime only', () => {
    const r = cli('--mode', 'dynamic');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'vortex: --mode must be static, runtime, auto, not "dynamic"\n');
  });

  it('the editor\'s model (the language server\'s, asked right after opening) plans and sums up the run as vortex run does', async () => {
    const uri = pathToFileURL(file).href;
    const { client } = await LspClient.start(scratch.dir, { workspaceTrusted: true });
    try {
      await client.open(uri, readFileSync(file, 'utf8'));
      // Asked at once, as a click on the lens right after opening does: the server answers once executing the file is done.
      const model = await serverRunModel(() => client.connection.sendRequest(RunModelRequest.type, { uri }), 'dynamic_regions.py');
      assert.equal(model.basis, 'runtime');
      const dag = chooseDag(model, 'dynamic_regions.py', null);
      const plan = planRun(model, { filePath: file, dag, selection: { kind: 'dag' } });
      assert.deepEqual(plan.tasks.map((t) => t.spec.taskId), ALL_TASKS);

      const warnings: string[] = [];
      const store = await openRunStore(path.join(scratch.dir, 'editor-runs'), 20, (m) => warnings.push(m));
      const result = await executeRun(plan, { store, parallelism: 2 });
      assert.deepEqual(warnings, []);
      assert.ok(result.runDir && existsSync(path.join(result.runDir, 'run.json')));

      const text = cli();
      assert.equal(text.status, 0, text.stderr);
      const cliSummary = text.stdout.split('\n').find((l) => l.startsWith('DAG "dynamic_regions"'));
      assert.equal(withoutDuration(summaryLine(result)), 'DAG "dynamic_regions" success in …: 10 tasks, 10 success');
      assert.equal(withoutDuration(cliSummary ?? ''), withoutDuration(summaryLine(result)));
    } finally {
      await client.stop();
    }
  });
});
