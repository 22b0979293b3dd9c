/**
 * Cleaning up after a run whose owner died, on real processes: what it says it
 * stopped must be what was still running.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { procStat } from '../../../../core/process/procfs';
import { cleanUpInterruptedRuns } from '../../../../core/run/interruptedRuns';
import { GROUPS_FILE, RunStore, type RunSummary } from '../../../../core/run/runStore';
import { scratchDir } from '../../../support/execution';

/**
 * A process group whose leader has ended but was never reaped (its parent
 * here does not wait, as an init that does not reap would not once the
 * run's owner died): a zombie, nothing of the group runs.
 */
async function zombieGroupLeader(): Promise<{ pid: number; parent: ChildProcess }> {
  const script = 'import os, sys, time\npid = os.fork()\nif pid == 0:\n    os.setsid()\n    os._exit(0)\nprint(pid, flush=True)\ntime.sleep(60)\n';
  const parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(parent.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const pid = Number(chunk.toString().trim());
  for (let i = 0; i < 200 && procStat(pid)?.state !== 'Z'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(procStat(pid)?.state, 'Z', 'the child did not become a zombie');
  return { pid, parent };
}

describe('cleaning up interrupted runs', () => {
  it('a recorded group of which only its unreaped leader is left is not reported as stopped', async function () {
    if (process.platform !== 'linux') this.skip();
    const s = scratchDir();
    const { pid, parent } = await zombieGroupLeader();
    try {
      const store = new RunStore(s.dir);
      await store.prepare();
      const folder = await store.createRun({ runId: 'r', dagId: 'd', dagFilePath: '/d.py', startedAt: Date.now(), tasks: [{ taskId: 't', operator: 'BashOperator' }] });
      // Its owner is gone: the pid names another process now (another start time).
      const file = path.join(folder.dir, 'run.json');
      const summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
      writeFileSync(file, JSON.stringify({ ...summary, owner: { pid: process.pid, start_time: -1 } }));
      appendFileSync(path.join(folder.dir, GROUPS_FILE), `${JSON.stringify({ pid, start_time: procStat(pid)?.startTime, temp_dir: null })}\n`);

      const [cleaned] = await cleanUpInterruptedRuns(store, { killGraceMs: 100 });
      assert.equal(cleaned.runId, 'r');
      assert.deepEqual(cleaned.stoppedGroups, []);
      assert.equal((JSON.parse(readFileSync(file, 'utf8')) as RunSummary).state, 'interrupted');
    } finally {
      parent.kill('SIGKILL');
      s.remove();
    }
  });

  it('a run whose owner died before any task started is marked interrupted; finished runs are left as they are', async () => {
    const s = scratchDir();
    try {
      const store = new RunStore(s.dir);
      await store.prepare();
      const tasks = [{ taskId: 't', operator: 'BashOperator' }];
      const finished = await store.createRun({ runId: 'done', dagId: 'd', dagFilePath: '/d.py', startedAt: Date.now() - 1000, tasks });
      await store.finishRun(finished, { state: 'success', durationMs: 5, tasks: [] });
      const early = await store.createRun({ runId: 'early', dagId: 'd', dagFilePath: '/d.py', startedAt: Date.now(), tasks });
      const file = path.join(early.dir, 'run.json');
      const summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
      writeFileSync(file, JSON.stringify({ ...summary, owner: { pid: process.pid, start_time: -1 } }));

      const cleaned = await cleanUpInterruptedRuns(store, { killGraceMs: 100 });
      assert.deepEqual(cleaned.map((c) => c.runId), ['early']);
      assert.equal((JSON.parse(readFileSync(file, 'utf8')) as RunSummary).state, 'interrupted');
      assert.equal((JSON.parse(readFileSync(path.join(finished.dir, 'run.json'), 'utf8')) as RunSummary).state, 'success');
    } finally {
      s.remove();
    }
  });
});
