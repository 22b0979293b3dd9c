import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { TaskModel } from '../../../../core/analysis/model';
import { RunFolder, RunStore, type RunSummary } from '../../../../core/run/runStore';
import {
  CycleError,
  findCycle,
  planFromModel,
  runPlan,
  type RunEvent,
  type RunOptions,
  type TaskSelection,
} from '../../../../core/run/scheduler';
import { MapVault } from '../../../../core/run/secrets';
import { maxOverlap, modelAnalysis, modelTask, printedPids, processRuns, REPO, scratchDir, SDK, withoutTimes } from '../../../support/execution';

let scratch: { dir: string; remove: () => void };
beforeEach(() => {
  scratch = scratchDir();
});
afterEach(() => scratch.remove());

/** Each task appends its id to `order.txt` in the scratch folder, then runs its own command. */
function task(taskId: string, upstream: string[] = [], command = 'true', fields: Partial<TaskModel> = {}): TaskModel {
  return modelTask(taskId, { upstream, bashCommand: `echo ${taskId} >> order.txt; ${command}`, ...fields });
}

function plan(tasks: TaskModel[], selection?: TaskSelection, dagFields = {}, runId = 'r1') {
  const { analysis, dag } = modelAnalysis('sched', tasks, dagFields);
  const context = { dagFilePath: path.join(scratch.dir, 'dag.py'), runId, sdkPath: SDK, timeoutSeconds: 10 };
  return planFromModel(analysis, dag, context, selection);
}

function ran(): string[] {
  const file = path.join(scratch.dir, 'order.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

function states(result: { tasks: { taskId: string; state: string }[] }): Record<string, string> {
  return Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state]));
}

describe('scheduler', () => {
  it('runs a diamond in dependency order', async () => {
    const r = await runPlan(plan([task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b', 'c'])]), { parallelism: 4 });
    assert.equal(r.state, 'success');
    const order = ran();
    assert.equal(order[0], 'a');
    assert.equal(order[3], 'd');
    assert.deepEqual([...order].sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(states(r), { a: 'success', b: 'success', c: 'success', d: 'success' });
    assert.ok(r.durationMs > 0);
  });

  it('marks everything downstream of a failure upstream_failed and never starts it, while other branches go on', async () => {
    const r = await runPlan(
      plan([
        task('a'),
        task('b', ['a'], 'exit 1'),
        task('e', ['a']),
        task('c', ['b', 'e']),
        task('d', ['c']),
        task('f', ['e']),
      ]),
      { parallelism: 2 },
    );
    assert.equal(r.state, 'failed');
    assert.deepEqual(states(r), { a: 'success', b: 'failed', e: 'success', c: 'upstream_failed', d: 'upstream_failed', f: 'success' });
    assert.deepEqual(ran().sort(), ['a', 'b', 'e', 'f']);
    assert.equal(r.tasks.find((t) => t.taskId === 'c')?.result, null);
  });

  it('never runs more tasks at once than the parallelism, measured from start and end times', async () => {
    for (const parallelism of [1, 2, 3]) {
      // Each task's own process reports when it started and ended (ns since the epoch).
      const tasks = ['t1', 't2', 't3', 't4', 't5', 't6'].map((id) => task(id, [], 'echo START $(date +%s%N); sleep 0.2; echo END $(date +%s%N)'));
      const r = await runPlan(plan(tasks), { parallelism });
      const intervals = r.tasks.map((t) => {
        const out = t.result?.stdout ?? '';
        const at = (label: string) => Number(new RegExp(`${label} (\\d+)`).exec(out)?.[1]) / 1e6;
        return { start: at('START'), end: at('END') };
      });
      assert.ok(intervals.every((i) => i.end - i.start >= 190), JSON.stringify(intervals));
      assert.equal(maxOverlap(intervals), parallelism, `parallelism ${parallelism}`);
      // The executor's own clock agrees.
      const measured = r.tasks.map((t) => ({ start: t.result?.startedAt ?? 0, end: (t.result?.startedAt ?? 0) + (t.result?.durationMs ?? 0) }));
      assert.equal(maxOverlap(measured), parallelism);
      assert.ok(r.durationMs >= (6 / parallelism) * 200 - 20, `${r.durationMs} ms with parallelism ${parallelism}`);
    }
  });

  it('refuses a DAG with a cycle, naming it, before starting anything', async () => {
    const p = plan([task('a', ['c']), task('b', ['a']), task('c', ['b']), task('x')]);
    assert.deepEqual(findCycle(p.tasks), ['a', 'b', 'c', 'a']);
    await assert.rejects(runPlan(p), (err: unknown) => err instanceof CycleError && /a → b → c → a/.test(err.message));
    assert.deepEqual(ran(), []);
  });

  it('runs one task alone, ignoring its upstream', async () => {
    const r = await runPlan(plan([task('a'), task('b', ['a']), task('c', ['b'])], { kind: 'task', taskId: 'b' }));
    assert.deepEqual(states(r), { b: 'success' });
    assert.deepEqual(ran(), ['b']);
  });

  it('runs one task with everything upstream of it, and nothing else', async () => {
    const tasks = [task('a'), task('side'), task('b', ['a']), task('c', ['b']), task('d', ['c'])];
    const r = await runPlan(plan(tasks, { kind: 'withUpstream', taskId: 'c' }), { parallelism: 3 });
    assert.deepEqual(ran(), ['a', 'b', 'c']);
    assert.deepEqual(Object.keys(states(r)), ['a', 'b', 'c']);
  });

  it('reports every state change as it happens, in order', async () => {
    const events: RunEvent[] = [];
    await runPlan(plan([task('a', [], 'echo hello-from-a'), task('b', ['a'], 'exit 2')]), { onEvent: (e) => events.push(e) });
    assert.equal(events[0].type, 'run-started');
    assert.equal(events[events.length - 1].type, 'run-finished');
    const seq = events.flatMap((e) => (e.type === 'task-state' ? [`${e.taskId}:${e.state}`] : []));
    assert.deepEqual(seq, ['a:queued', 'b:queued', 'a:running', 'a:success', 'b:running', 'b:failed']);
    const output = events.flatMap((e) => (e.type === 'task-output' && e.taskId === 'a' ? [e.text] : [])).join('');
    assert.equal(output, 'hello-from-a\n');
  });

  it('cancels a run: running tasks are stopped with their process groups, the rest are skipped', async () => {
    const controller = new AbortController();
    const options: RunOptions = {
      parallelism: 1,
      signal: controller.signal,
      killGraceMs: 300,
      onEvent: (e) => {
        if (e.type === 'task-output' && e.text.includes('PID=')) controller.abort();
      },
    };
    const started = Date.now();
    const r = await runPlan(plan([task('long', [], 'sleep 30 & echo PID=$!; wait'), task('next'), task('after', ['long'])]), options);
    assert.ok(Date.now() - started < 3000);
    assert.equal(r.state, 'cancelled');
    assert.deepEqual(states(r), { long: 'failed', next: 'skipped', after: 'skipped' });
    const long = r.tasks[0].result;
    assert.equal(long?.cancelled, true);
    const [pid] = printedPids(long?.stdout ?? '');
    assert.equal(processRuns(pid), false);
    assert.deepEqual(ran(), ['long']);
  });

  it('gives each task its own and its DAG’s secrets; a missing one fails only that task and what depends on it', async () => {
    const tasks = [
      task('uses', [], 'echo "$DAG_SECRET/$TASK_SECRET"', { secrets: ['TASK_SECRET'] }),
      task('lacks', [], 'true', { secrets: ['ABSENT'] }),
      task('after', ['lacks']),
    ];
    const vault = new MapVault({ DAG_SECRET: 'dag-value-1', TASK_SECRET: 'task-value-2' });
    const r = await runPlan(plan(tasks, undefined, { secrets: ['DAG_SECRET'] }), { vault });
    assert.deepEqual(states(r), { uses: 'success', lacks: 'failed', after: 'upstream_failed' });
    assert.equal(r.tasks[0].result?.stdout, '***/***\n');
    assert.match(r.tasks[1].result?.message ?? '', /missing secret 'ABSENT'/);
  });

  it('keeps each run in a folder: masked logs and a run.json without secrets; old runs are pruned', async () => {
    const base = path.join(scratch.dir, 'runs');
    const store = new RunStore(base, 2);
    const vault = new MapVault({ TOKEN: 'tok-SECRET-123' });
    const tasks = [task('show', [], 'echo "token is $TOKEN"; echo "err $TOKEN" >&2', { secrets: ['TOKEN'] }), task('bad', ['show'], 'exit 5')];
    const r = await runPlan(plan(tasks), { store, vault });
    assert.ok(r.runDir);
    assert.equal(path.dirname(r.runDir), path.join(base, 'sched'));
    assert.deepEqual(readdirSync(r.runDir).sort(), ['bad.log', 'run.json', 'show.log', 'xcom.json']);
    // Two pipes: their lines may reach the log in either order.
    const showLog = withoutTimes(readFileSync(path.join(r.runDir, 'show.log'), 'utf8'));
    assert.deepEqual(showLog.split('\n').sort(), ['', '[vortex] running: echo show >> order.txt; echo "token is $TOKEN"; echo "err $TOKEN" >&2', 'err ***', 'token is ***']);
    assert.equal(withoutTimes(readFileSync(path.join(r.runDir, 'bad.log'), 'utf8')), '[vortex] running: echo bad >> order.txt; exit 5\n[vortex] exited with code 5\n');
    // The Bash task's last line of output is its XCom, masked like its log.
    assert.deepEqual(JSON.parse(readFileSync(path.join(r.runDir, 'xcom.json'), 'utf8')), { show: { return_value: 'token is ***' } });
    const raw = readFileSync(path.join(r.runDir, 'run.json'), 'utf8');
    assert.ok(!raw.includes('tok-SECRET-123'));
    const summary = JSON.parse(raw) as RunSummary;
    assert.equal(summary.state, 'failed');
    assert.deepEqual(
      summary.tasks.map((t) => [t.task_id, t.state, t.exit_code, t.log]),
      [
        ['show', 'success', 0, 'show.log'],
        ['bad', 'failed', 5, 'bad.log'],
      ],
    );

    for (const runId of ['r2', 'r3']) await runPlan(plan(tasks, undefined, {}, runId), { store, vault });
    const kept = await store.listRuns('sched');
    assert.equal(kept.length, 2);
    assert.equal(existsSync(r.runDir), false);
  });
});

describe('run store', () => {
  it('names log files safely and distinctly whatever the task ids', () => {
    const folder = new RunFolder('/runs/x', ['plain', 'a/b', 'a_b', '..', 'run', 'héllo']);
    assert.deepEqual(
      ['plain', 'a/b', 'a_b', '..', 'run', 'héllo'].map((id) => folder.logName(id)),
      ['plain.log', 'a_b.log', 'a_b-2.log', '_...log', 'run.log', 'h_llo.log'],
    );
    assert.throws(() => folder.logName('other'), /not part of this run/);
  });

  it('pruning keeps a run that another run of the same DAG is still writing, so it can finish', async () => {
    const s = scratchDir();
    try {
      const store = new RunStore(s.dir, 1);
      await store.prepare();
      const describe = (runId: string, startedAt: number) => ({ runId, dagId: 'shared', dagFilePath: '/d.py', startedAt, tasks: [{ taskId: 't', operator: 'BashOperator' }] });
      const outcome = { state: 'success' as const, durationMs: 1, tasks: [{ taskId: 't', state: 'success' as const, result: null }] };
      // A long run, still going in this (live) process, while two later runs of the DAG end.
      const long = await store.createRun(describe('long', Date.UTC(2024, 0, 1)));
      for (const [i, id] of ['quick1', 'quick2'].entries()) {
        await store.finishRun(await store.createRun(describe(id, Date.UTC(2024, 0, 2 + i))), outcome);
      }
      assert.equal(existsSync(long.dir), true, 'the live run was pruned');
      const summary = await store.finishRun(long, outcome);
      assert.equal(summary.state, 'success');
      // Once it has ended it counts like any other run.
      assert.deepEqual((await store.listRuns('shared')).map((r) => path.basename(r.dir)), ['quick2']);
    } finally {
      s.remove();
    }
  });

  it('keeps apart the histories of two DAGs whose ids make the same folder name', async () => {
    const s = scratchDir();
    try {
      const store = new RunStore(s.dir, 1);
      await store.prepare();
      const outcome = { state: 'success' as const, durationMs: 1, tasks: [] };
      const finish = async (dagId: string, runId: string, day: number) =>
        store.finishRun(await store.createRun({ runId, dagId, dagFilePath: '/d.py', startedAt: Date.UTC(2024, 0, day), tasks: [] }), outcome);
      // Both ids become `donn_es`.
      await finish('données', 'first', 1);
      await finish('donnèes', 'second', 2);
      assert.deepEqual((await store.listRuns('données')).map((r) => r.summary.run_id), ['first']);
      assert.deepEqual((await store.listRuns('donnèes')).map((r) => r.summary.run_id), ['second']);
      assert.equal((await store.listRuns()).length, 2);
    } finally {
      s.remove();
    }
  });

  it('lists runs newest first and survives folders that are not runs', async () => {
    const s = scratchDir();
    try {
      const store = new RunStore(s.dir);
      await store.prepare();
      const describe = (runId: string, startedAt: number) => ({ runId, dagId: '..', dagFilePath: '/d.py', startedAt, tasks: [] });
      await store.createRun(describe('old', Date.UTC(2024, 0, 1)));
      await store.createRun(describe('new', Date.UTC(2025, 0, 1)));
      mkdirSync(path.join(s.dir, '_..', 'junk'));
      const runs = await store.listRuns();
      assert.deepEqual(runs.map((r) => [path.basename(r.dir), r.summary.state]), [['new', 'running'], ['old', 'running']]);
      assert.equal(path.basename(path.dirname(runs[0].dir)), '_..');
    } finally {
      s.remove();
    }
  });
});

describe('scheduler: what a task decides for its downstream tasks', () => {
  const STEERING = path.join(REPO, 'test', 'fixtures', 'run', 'steering.py');

  /** A Python task of test/fixtures/run/steering.py. */
  function pythonTask(taskId: string, upstream: string[] = [], fields: Partial<TaskModel> = {}): TaskModel {
    return modelTask(taskId, { kind: 'python', operator: 'PythonOperator', bashCommand: null, pythonCallable: taskId, upstream, ...fields });
  }

  function steeringPlan(tasks: TaskModel[]) {
    const { analysis, dag } = modelAnalysis('steering', tasks);
    return planFromModel(analysis, dag, { dagFilePath: STEERING, runId: 'r1', sdkPath: SDK, timeoutSeconds: 20, cwd: scratch.dir });
  }

  it('skips what follows a short-circuit’s falsy result: everything, or with ignore_downstream_trigger_rules=False the direct tasks only', async () => {
    const r = await runPlan(
      steeringPlan([
        pythonTask('gate'),
        task('after_gate', ['gate']),
        task('cleanup_gate', ['after_gate'], 'true', { triggerRule: 'all_done' }),
        pythonTask('gate_direct'),
        task('after_direct', ['gate_direct']),
        task('cleanup_direct', ['after_direct'], 'true', { triggerRule: 'all_done' }),
      ]),
      { parallelism: 2 },
    );
    assert.deepEqual(states(r), {
      gate: 'success',
      after_gate: 'skipped',
      cleanup_gate: 'skipped',
      gate_direct: 'success',
      after_direct: 'skipped',
      cleanup_direct: 'success',
    });
    assert.deepEqual(ran(), ['cleanup_direct']);
    assert.equal(r.state, 'success');
  });

  it('ends a task that raises AirflowSkipException skipped, and its all_success downstream with it', async () => {
    const r = await runPlan(steeringPlan([pythonTask('skip_me'), task('load', ['skip_me']), task('report', ['load'], 'true', { triggerRule: 'none_skipped' })]));
    assert.deepEqual(states(r), { skip_me: 'skipped', load: 'skipped', report: 'skipped' });
    assert.match(r.tasks[0].result?.stderr ?? '', /skipped: no new files today/);
  });

  it('does not retry a task that raises AirflowFailException', async () => {
    const plan = steeringPlan([pythonTask('give_up')]);
    plan.tasks[0].spec.retries = 3;
    const r = await runPlan(plan, { retryDelaySeconds: 0 });
    assert.equal(r.tasks[0].state, 'failed');
    assert.equal(r.tasks[0].result?.tryNumber, 1);
    assert.equal(r.tasks[0].result?.stdout, 'trying\n');
    assert.equal(r.tasks[0].result?.noRetry, true);
  });

  it('retries a failing Bash task, and a Bash task exiting 99 is skipped', async () => {
    const flaky = task('flaky', [], '[ -f tried ] && exit 0; touch tried; exit 3');
    const quiet = task('quiet', [], 'exit 99');
    const plan = steeringPlan([flaky, quiet, task('after_quiet', ['quiet'])]);
    plan.tasks[0].spec.retries = 2;
    const events: string[] = [];
    const r = await runPlan(plan, { retryDelaySeconds: 0, onEvent: (e) => e.type === 'task-retry' && events.push(`${e.taskId} try ${e.tryNumber}`) });
    assert.deepEqual(states(r), { flaky: 'success', quiet: 'skipped', after_quiet: 'skipped' });
    assert.equal(r.tasks[0].result?.tryNumber, 2);
    assert.deepEqual(events, ['flaky try 2']);
  });

  it('follows every task a branch returns and skips the rest; a join with one_success runs', async () => {
    const r = await runPlan(
      steeringPlan([
        pythonTask('pick', [], { branch: true }),
        task('left', ['pick']),
        task('right', ['pick']),
        task('middle', ['pick']),
        task('after_middle', ['middle']),
        task('join', ['left', 'right', 'middle'], 'true', { triggerRule: 'one_success' }),
      ]),
      { parallelism: 2 },
    );
    assert.deepEqual(states(r), { pick: 'success', left: 'success', right: 'success', middle: 'skipped', after_middle: 'skipped', join: 'success' });
  });

  it('fails a branch that returns a task id the DAG does not have, as Airflow does', async () => {
    const r = await runPlan(steeringPlan([pythonTask('pick_unknown', [], { branch: true }), task('left', ['pick_unknown'])]));
    assert.deepEqual(states(r), { pick_unknown: 'failed', left: 'upstream_failed' });
    assert.match(r.tasks[0].result?.stderr ?? '', /'branch_task_ids' must contain only valid task_ids\. Invalid tasks found: \['nowhere'\]/);
  });
});
