/**
 * `vortex run FILE --logical-date … --conf … --secrets-file …` on realistic
 * fixtures, as a user runs it: the built CLI as a process, each task's state
 * and output as `airflow dags test` gives them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunJson } from '../../../cli/src/runCommand';
import { buildOnce } from '../../support/lspClient';
import { REPO, scratchDir } from '../../support/execution';

const CLI = path.join(REPO, 'dist', 'cli.js');
const SALES_ETL = path.join(REPO, 'test', 'fixtures', 'run', 'sales_etl.py');
const TASKFLOW_ETL = path.join(REPO, 'test', 'fixtures', 'run', 'taskflow_etl.py');
const FLAKY_LOAD = path.join(REPO, 'test', 'fixtures', 'run', 'flaky_load.py');
const fixture = (name: string) => path.join(REPO, 'test', 'fixtures', 'run', name);

describe('vortex run with a logical date, conf, Variables and retries', function () {
  this.timeout(60_000);
  let scratch: { dir: string; remove: () => void };

  before(() => {
    buildOnce();
    scratch = scratchDir();
  });
  after(() => scratch.remove());

  const run = (...args: string[]) => {
    const secrets = path.join(scratch.dir, 'secrets.env');
    writeFileSync(secrets, 'AIRFLOW_VAR_WAREHOUSE=warehouse-main\n');
    const r = spawnSync(process.execPath, [CLI, 'run', SALES_ETL, '--secrets-file', secrets, ...args], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs') },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('runs the DAG for the logical date: templates, XCom, trigger rules, retries, and the run’s verdict', () => {
    const r = run('--logical-date', '2024-03-05', '--conf', '{"region": "apac"}', '--retry-delay', '0', '--json');
    assert.equal(r.status, 1, r.stderr);
    const json = JSON.parse(r.stdout) as RunJson;
    assert.equal(json.run_id, 'manual__2024-03-05T00:00:00+00:00');
    assert.equal(json.logical_date, '2024-03-05T00:00:00+00:00');
    assert.deepEqual([json.data_interval_start, json.data_interval_end], ['2024-03-04T00:00:00+00:00', '2024-03-05T00:00:00+00:00']);
    const byId = new Map(json.tasks.map((t) => [t.task_id, t]));
    const stateOf = (id: string) => byId.get(id)?.state;
    assert.deepEqual(
      ['start', 'announce', 'extract', 'transform', 'choose_path', 'load_full', 'load_sample', 'join', 'export', 'cleanup', 'notify'].map(stateOf),
      ['success', 'success', 'success', 'success', 'success', 'success', 'skipped', 'success', 'failed', 'success', 'upstream_failed'],
    );
    assert.equal(byId.get('announce')?.stdout, 'sales of 2024-03-05 (20240305) for apac, next 2024-03-06, into ***\n');
    assert.equal(byId.get('announce')?.rendered.bash_command, "echo 'sales of 2024-03-05 (20240305) for apac, next 2024-03-06, into ***'");
    assert.equal(byId.get('load_full')?.stdout, 'loading 3 rows, total 12\n');
    assert.deepEqual(byId.get('transform')?.xcom, { return_value: { total: 12, regions: ['apac'] } });
    assert.equal(byId.get('export')?.tries, 2);
    assert.equal(byId.get('cleanup')?.stdout, 'cleaning up manual__2024-03-05T00:00:00+00:00\n');
    assert.ok(!r.stdout.includes('warehouse-main'));
  });

  it('says which run it is and that retries wait less, in the table', () => {
    const r = run('--logical-date', '2024-03-05T06:30', '--retry-delay', '0');
    assert.match(r.stdout, /\(run manual__2024-03-05T06:30:00\+00:00, logical date 2024-03-05T06:30:00\+00:00\)/);
    assert.match(r.stdout, /Retries wait 0 s \(--retry-delay\), not each task's retry_delay/);
    const logs = /logs: (.*)/.exec(r.stdout)?.[1];
    assert.ok(logs);
    const xcoms = JSON.parse(readFileSync(path.join(logs, 'xcom.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(xcoms.extract, { row_count: 3, return_value: [3, 4, 5].map((amount) => ({ region: 'emea', day: '2024-03-05', amount })) });
  });

  it('refuses a date or a conf it cannot read, as bad usage', () => {
    const badDate = run('--logical-date', 'tuesday');
    assert.equal(badDate.status, 2);
    assert.match(badDate.stderr, /^vortex: --logical-date: the logical date "tuesday" is not a date such as 2024-03-05/m);
    const badConf = run('--conf', '[1, 2]');
    assert.equal(badConf.status, 2);
    assert.match(badConf.stderr, /^vortex: --conf: the conf must be a JSON object/m);
  });

  it('runs TaskFlow: values passed between @task functions, @task.branch, @task.bash, a short-circuit, Variable.get', () => {
    const secrets = path.join(scratch.dir, 'taskflow.env');
    writeFileSync(secrets, 'AIRFLOW_VAR_WAREHOUSE=warehouse-main\n');
    const r = spawnSync(process.execPath, [CLI, 'run', TASKFLOW_ETL, '--logical-date', '2024-03-05', '--secrets-file', secrets, '--json'], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs') },
    });
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as RunJson;
    const byId = new Map(json.tasks.map((t) => [t.task_id, t]));
    assert.deepEqual(Object.fromEntries(json.tasks.map((t) => [t.task_id, t.state])), {
      extract: 'success',
      transform: 'success',
      choose: 'success',
      big: 'success',
      small: 'skipped',
      join: 'success',
      announce: 'success',
      gate: 'success',
      never: 'skipped',
    });
    assert.deepEqual(byId.get('extract')?.xcom, { return_value: { rows: [1, 2, 3], region: 'emea', warehouse: '***' } });
    assert.deepEqual(byId.get('transform')?.xcom, { return_value: { total: 6, region: 'emea' }, total: 6, region: 'emea' });
    assert.equal(byId.get('big')?.stdout, 'big 6\n');
    assert.equal(byId.get('announce')?.stdout, 'announcing 2024-03-05 for emea\n');
  });

  it('runs a failed run’s failed and not-run tasks again, with the run’s date and the XComs of the tasks that stay, then a task cleared with its downstream', () => {
    const flag = path.join(scratch.dir, 'input-arrived');
    const flaky = (...args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, 'run', FLAKY_LOAD, ...args], {
        cwd: scratch.dir,
        encoding: 'utf8',
        env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'flaky-runs'), FLAG: flag },
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const first = flaky('--logical-date', '2024-03-05', '--json');
    assert.equal(first.status, 1, first.stderr);
    assert.deepEqual((JSON.parse(first.stdout) as RunJson).tasks.map((t) => [t.task_id, t.state]), [['prepare', 'success'], ['load', 'failed'], ['report', 'upstream_failed']]);

    writeFileSync(flag, '');
    const again = flaky('--from', 'latest', '--only-failed', '--json');
    assert.equal(again.status, 0, again.stderr);
    const json = JSON.parse(again.stdout) as RunJson;
    assert.equal(json.run_id, 'manual__2024-03-05T00:00:00+00:00');
    // prepare is not run again (no try), and its XCom from the first try is what load pulls.
    assert.deepEqual(json.tasks.map((t) => [t.task_id, t.state, t.tries]), [['prepare', 'success', 0], ['load', 'success', 1], ['report', 'success', 1]]);
    const loaded = json.tasks[1].stdout;
    assert.match(loaded, /^loaded prepared 2024-03-05 at \d+\n$/);

    const cleared = flaky('--from', 'latest', '--task', 'load', '--downstream', '--json');
    assert.equal(cleared.status, 0, cleared.stderr);
    const clearedJson = JSON.parse(cleared.stdout) as RunJson;
    assert.deepEqual(clearedJson.tasks.map((t) => [t.task_id, t.tries]), [['prepare', 0], ['load', 1], ['report', 1]]);
    assert.notEqual(clearedJson.tasks[1].stdout, loaded);

    const nothing = flaky('--from', 'latest', '--only-failed');
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /has no failed or unfinished task to run again/);
    const unknown = flaky('--from', 'no-such-run', '--only-failed');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no finished run "no-such-run" of DAG "flaky_load"/);
  });

  it('runs a task with everything downstream of it', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', FLAKY_LOAD, '--task', 'load', '--downstream', '--json'], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs'), FLAG: path.join(scratch.dir, 'input-arrived') },
    });
    assert.deepEqual((JSON.parse(r.stdout) as RunJson).tasks.map((t) => t.task_id), ['load', 'report']);
  });

  it('runs Airflow’s tutorial: the templated loop rendered for the logical date, the data interval of its timedelta schedule', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', fixture('tutorial.py'), '--logical-date', '2024-03-05', '--json'], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs') },
    });
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual([json.data_interval_start, json.data_interval_end], ['2024-03-04T00:00:00+00:00', '2024-03-05T00:00:00+00:00']);
    assert.deepEqual(json.tasks.map((t) => [t.task_id, t.state]), [['print_date', 'success'], ['sleep', 'success'], ['templated', 'success']]);
    assert.equal(json.tasks[2].stdout, '2024-03-05\n2024-03-12\n'.repeat(5));
  });

  it('runs Airflow’s example_branch_operator: one random branch and its follower run, the other three pairs are skipped, the join runs', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', fixture('example_branch_operator.py'), '--json'], {
      cwd: scratch.dir,
      encoding: 'utf8',
      env: { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs') },
    });
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as RunJson;
    const state = Object.fromEntries(json.tasks.map((t) => [t.task_id, t.state]));
    const chosen = json.tasks.find((t) => t.task_id === 'branching')?.xcom.return_value as string;
    assert.match(chosen, /^branch_[abcd]$/);
    for (const option of ['branch_a', 'branch_b', 'branch_c', 'branch_d']) {
      const expected = option === chosen ? 'success' : 'skipped';
      assert.deepEqual([state[option], state[`follow_${option}`]], [expected, expected], option);
    }
    assert.deepEqual([state.run_this_first, state.branching, state.join], ['success', 'success', 'success']);
  });
});
