/**
 * `vortex run` of a DAG whose retries come from default_args, as most Airflow
 * DAGs set them: the built CLI as a process on a fixture in Airflow's shape,
 * from the static model and from executing the file, with the run record and
 * the logs it leaves.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunJson } from '../../../cli/src/runCommand';
import { buildOnce } from '../../support/lspClient';
import { REPO, scratchDir } from '../../support/execution';

const CLI = path.join(REPO, 'dist', 'cli.js');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'run', 'default_args_retries.py');

interface StoredRun {
  tasks: Array<{ task_id: string; state: string; tries: number; log: string }>;
}

describe('vortex run: retries from default_args', function () {
  this.timeout(60_000);
  let scratch: { dir: string; remove: () => void };

  before(() => {
    buildOnce();
    scratch = scratchDir();
  });
  after(() => scratch.remove());

  const run = (mode: 'static' | 'runtime') => {
    const r = spawnSync(process.execPath, [CLI, 'run', FIXTURE, '--mode', mode, '--json'], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, mode) },
    });
    assert.ok(r.stdout.startsWith('{'), `no JSON on stdout; stderr: ${r.stderr}`);
    const json = JSON.parse(r.stdout) as RunJson;
    const runsDir = path.join(scratch.dir, mode, 'flaky_defaults');
    const [runDir] = readdirSync(runsDir);
    const stored = JSON.parse(readFileSync(path.join(runsDir, runDir, 'run.json'), 'utf8')) as StoredRun;
    const log = (taskId: string) => readFileSync(path.join(runsDir, runDir, stored.tasks.find((t) => t.task_id === taskId)!.log), 'utf8');
    return { status: r.status, stderr: r.stderr, json, stored, log };
  };

  const outcome = (json: RunJson) => Object.fromEntries(json.tasks.map((t) => [t.task_id, [t.state, t.tries]]));

  it('from the static model: the DAG\'s retries=2 give three tries, a group\'s retries=0 one; what it cannot read it says, and does not guess', () => {
    const r = run('static');
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(outcome(r.json), {
      flaky: ['success', 3],
      flaky_python: ['success', 3],
      'publish.once': ['failed', 1],
      'report.second_try': ['failed', 1],
    });
    assert.deepEqual(r.stored.tasks.map((t) => [t.task_id, t.tries]), [['flaky', 3], ['flaky_python', 3], ['publish.once', 1], ['report.second_try', 1]]);
    const log = r.log('flaky');
    assert.deepEqual(log.match(/bash try \d/g), ['bash try 1', 'bash try 2', 'bash try 3']);
    assert.match(log, /try 3 of 3/);
    assert.deepEqual(r.log('flaky_python').match(/python try \d/g), ['python try 1', 'python try 2', 'python try 3']);
    assert.match(r.stderr, /vortex: note: static analysis cannot read retries, retry_delay, .* of report\.second_try: the run uses Airflow's defaults for them/);
  });

  it('from executing the file: the same tries, and the default_args a call builds as well', () => {
    const r = run('runtime');
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(outcome(r.json), {
      flaky: ['success', 3],
      flaky_python: ['success', 3],
      'publish.once': ['failed', 1],
      'report.second_try': ['success', 2],
    });
    assert.deepEqual(r.log('report.second_try').match(/report try \d/g), ['report try 1', 'report try 2']);
    assert.doesNotMatch(r.stderr, /cannot read/);
  });
});
