/**
 * A realistic DAG file run as `airflow dags test sales_etl 2024-03-05` runs
 * it: each task's state, output, XCom and rendered command as Airflow would
 * give them. Real analysis of the fixture, real task processes, a real run
 * store; the CLI test runs the same file through `vortex run`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { readXComs, type RunSummary } from '../../../../core/run/runStore';
import { chooseDag, executeRun, modelOf, openRunStore, planRun } from '../../../../core/run/runService';
import { parseLogicalDate } from '../../../../core/run/runContext';
import { MapVault } from '../../../../core/run/secrets';
import type { DagRunResult } from '../../../../core/run/scheduler';
import { REPO, scratchDir, SDK, withoutTimes } from '../../../support/execution';

const SALES_ETL = path.join(REPO, 'test', 'fixtures', 'run', 'sales_etl.py');

function states(result: DagRunResult): Record<string, string> {
  return Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state]));
}

function task(result: DagRunResult, id: string) {
  const found = result.tasks.find((t) => t.taskId === id);
  assert.ok(found?.result, `task ${id} ran`);
  return found.result;
}

describe('a local run with Airflow’s semantics', function () {
  this.timeout(60_000);
  let scratch: { dir: string; remove: () => void };
  let result: DagRunResult;

  before(async () => {
    await loadPython();
    scratch = scratchDir();
    const analysis = analyse(readFileSync(SALES_ETL, 'utf8'));
    assert.equal(analysis.tasks.find((t) => t.taskId === 'choose_path')?.branch, true, 'the analyser marks the branch');
    const model = modelOf(analysis);
    const dag = chooseDag(model, 'sales_etl.py', null);
    const plan = planRun(model, {
      filePath: SALES_ETL,
      dag,
      selection: { kind: 'dag' },
      sdkPath: SDK,
      logicalDate: parseLogicalDate('2024-03-05'),
      conf: { region: 'apac' },
    });
    const store = await openRunStore(path.join(scratch.dir, 'runs'), undefined, (m) => assert.fail(m));
    // The Variable comes from the vault, as from the secrets file or the editor's secret storage: a secret.
    const vault = new MapVault({ AIRFLOW_VAR_WAREHOUSE: 'warehouse-main' });
    result = await executeRun(plan, { parallelism: 2, vault, store, retryDelaySeconds: 0 });
  });
  after(() => scratch.remove());

  it('gives each task the state Airflow gives it, and the run Airflow’s verdict from its leaves', () => {
    assert.deepEqual(states(result), {
      start: 'success',
      announce: 'success',
      extract: 'success',
      transform: 'success',
      choose_path: 'success',
      load_full: 'success',
      load_sample: 'skipped',
      join: 'success',
      export: 'failed',
      cleanup: 'success',
      notify: 'upstream_failed',
    });
    assert.equal(result.state, 'failed');
  });

  it('renders templates with ds, params overridden by the conf, macros and Variables, masking the Variable', () => {
    const announce = task(result, 'announce');
    assert.equal(announce.stdout, 'sales of 2024-03-05 (20240305) for apac, next 2024-03-06, into ***\n');
    assert.equal(announce.rendered.bash_command, "echo 'sales of 2024-03-05 (20240305) for apac, next 2024-03-06, into ***'");
    assert.equal(task(result, 'cleanup').stdout, 'cleaning up manual__2024-03-05T00:00:00+00:00\n');
  });

  it('passes the context to callables and XCom between tasks, pulled in templates too', () => {
    assert.equal(task(result, 'extract').stdout, 'extracted 3 rows for apac on 2024-03-05\n');
    assert.deepEqual(task(result, 'extract').xcom, {
      row_count: 3,
      return_value: [3, 4, 5].map((amount) => ({ region: 'apac', day: '2024-03-05', amount })),
    });
    assert.deepEqual(task(result, 'transform').xcom, { return_value: { total: 12, regions: ['apac'] } });
    assert.deepEqual(task(result, 'choose_path').xcom, { return_value: 'load_full' });
    assert.deepEqual(task(result, 'choose_path').follow, ['load_full']);
    assert.equal(task(result, 'load_full').stdout, 'loading 3 rows, total 12\n');
    // A Bash task's XCom is its last line of output.
    assert.deepEqual(task(result, 'load_full').xcom, { return_value: 'loading 3 rows, total 12' });
  });

  it('gives the data interval of the cron schedule, and retries a failed task before failing it', () => {
    const exported = task(result, 'export');
    assert.equal(exported.tryNumber, 2);
    assert.match(exported.stdout, /exporting 2024-03-04T00:00:00\+00:00 to 2024-03-05T00:00:00\+00:00/);
    assert.match(exported.stderr, /RuntimeError: the partner endpoint refused the connection/);
    // The runner's own frames are not in the traceback.
    assert.doesNotMatch(exported.stderr, /_runner\.py/);
    const log = withoutTimes(readFileSync(exported.logPath ?? '', 'utf8'));
    assert.equal(log.match(/\[vortex\] calling export_to_partner\(\) with the task context/g)?.length, 2, log);
    assert.match(log, /\[vortex\] try 2 of 2/);
  });

  it('keeps the XComs beside the logs, and the run’s logical date and rendered commands in run.json', async () => {
    assert.ok(result.runDir);
    const xcoms = await readXComs(result.runDir);
    assert.deepEqual(xcoms.transform, { return_value: { total: 12, regions: ['apac'] } });
    assert.equal(xcoms.load_sample, undefined);
    const raw = readFileSync(path.join(result.runDir, 'run.json'), 'utf8');
    assert.ok(!raw.includes('warehouse-main'), 'no Variable value in run.json');
    const summary = JSON.parse(raw) as RunSummary;
    assert.equal(summary.logical_date, '2024-03-05T00:00:00+00:00');
    assert.equal(summary.airflow_run_id, 'manual__2024-03-05T00:00:00+00:00');
    assert.equal(summary.tasks.find((t) => t.task_id === 'load_full')?.rendered?.bash_command, 'echo loading 3 rows, total 12');
    assert.ok(!readFileSync(path.join(result.runDir, 'announce.log'), 'utf8').includes('warehouse-main'));
  });
});
