/**
 * Launching through the spawner (a small Python process that starts the
 * children), with real processes: what a child gets (its own session, its
 * environment, its working directory), what comes back (output, exit,
 * failures to start), and what happens when the spawner or its owner dies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, type LaunchRequest, prepareLaunch, spawnerPid } from '../../../../core/process/launch';
import { groupAlive } from '../../../../core/process/processGroup';
import { procStat } from '../../../../core/process/procfs';

interface Launched {
  pid: number | undefined;
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  error: NodeJS.ErrnoException | null;
  /** The order events came in. */
  events: string[];
}

function run(req: Partial<LaunchRequest> & { args: string[] }, onStarted?: (pid: number) => void): Promise<Launched> {
  const out: Launched = { pid: undefined, stdout: '', stderr: '', code: null, signal: null, error: null, events: [] };
  return new Promise((resolve) => {
    launch(
      { file: 'sh', cwd: os.tmpdir(), env: process.env, ...req },
      {
        started(pid) {
          out.pid = pid;
          out.events.push('started');
          onStarted?.(pid);
        },
        spawnError(error) {
          out.error = error;
          out.events.push('spawnError');
        },
        data(stream, chunk) {
          out[stream] += chunk.toString();
          if (out.events[out.events.length - 1] !== stream) out.events.push(stream);
        },
        exited(code, signal) {
          out.code = code;
          out.signal = signal;
          out.events.push('exited');
        },
        closed() {
          out.events.push('closed');
          resolve(out);
        },
      },
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) if (condition()) return true;
  return condition();
}

describe('launch through the spawner', function () {
  this.timeout(20000);

  before(async () => {
    prepareLaunch();
    await run({ args: ['-c', 'true'] });
    assert.ok(spawnerPid() !== undefined, 'python3 is on this machine, so tasks must start through the spawner');
  });

  it('starts the child from the spawner, as the leader of a new session, stdin from /dev/null', async () => {
    // Fields 4 to 6 of /proc/PID/stat: parent, process group, session.
    const r = await run({ args: ['-c', 'cut -d" " -f4-6 /proc/$$/stat; readlink /proc/$$/fd/0'] });
    const [ppid, pgid, sid] = r.stdout.split('\n')[0].trim().split(/\s+/).map(Number);
    assert.equal(ppid, spawnerPid(), 'the spawner is the parent, not this process');
    assert.equal(pgid, r.pid);
    assert.equal(sid, r.pid);
    assert.equal(r.stdout.split('\n')[1], '/dev/null');
  });

  it('forwards both streams and the exit code, the exit before the close', async () => {
    const r = await run({ args: ['-c', 'echo out; echo err >&2; exit 3'] });
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 3);
    assert.equal(r.signal, null);
    assert.equal(r.events[0], 'started');
    assert.ok(r.events.indexOf('exited') < r.events.indexOf('closed'));
    assert.equal(r.events[r.events.length - 1], 'closed');
  });

  it('reports the signal that ended the child', async () => {
    const r = await run({ args: ['-c', 'kill -TERM $$'] });
    assert.equal(r.code, null);
    assert.equal(r.signal, 'SIGTERM');
  });

  it('gives the child exactly the environment asked for: variables added, changed and removed', async () => {
    process.env.USER ??= 'someone';
    const env: NodeJS.ProcessEnv = { ...process.env, VORTEX_ADDED: 'a b=c', HOME: '/changed/home' };
    delete env.USER;
    const r = await run({ args: ['-c', 'echo "$VORTEX_ADDED|$HOME|${USER-unset}"'], env });
    assert.equal(r.stdout, 'a b=c|/changed/home|unset\n');
  });

  it('runs in the working directory asked for, and looks the program up on the PATH the child gets', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vortex-launch-'));
    try {
      writeFileSync(path.join(dir, 'hello-vortex'), '#!/bin/sh\necho "hello from $(pwd)"\n', { mode: 0o755 });
      const r = await run({ file: 'hello-vortex', args: [], cwd: dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      assert.equal(r.stdout, `hello from ${dir}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says why a program could not start, with the system code, and nothing starts', async () => {
    const missing = await run({ file: 'no-such-program-vortex', args: [] });
    assert.equal(missing.error?.code, 'ENOENT');
    assert.match(missing.error?.message ?? '', /^spawn no-such-program-vortex ENOENT/);
    assert.deepEqual(missing.events, ['spawnError', 'closed']);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vortex-launch-'));
    try {
      writeFileSync(path.join(dir, 'not-executable'), 'echo no\n', { mode: 0o644 });
      const denied = await run({ file: path.join(dir, 'not-executable'), args: [] });
      assert.equal(denied.error?.code, 'EACCES');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a NUL byte in a variable without quoting its value', async () => {
    const r = await run({ args: ['-c', 'true'], env: { ...process.env, TOKEN: 'hunter2\0rest' } });
    assert.match(r.error?.message ?? '', /an environment variable holds a NUL byte/);
    assert.doesNotMatch(r.error?.message ?? '', /hunter2/);
  });

  it('passes large output through whole', async () => {
    const r = await run({ args: ['-c', 'head -c 3000000 /dev/zero | tr "\\0" x; echo; echo done >&2'] });
    assert.equal(r.stdout.length, 3_000_001);
    assert.equal(r.stderr, 'done\n');
  });

  it('survives Ctrl-C sent to it (the executor decides what a cancel stops)', async () => {
    const pid = spawnerPid() as number;
    process.kill(pid, 'SIGINT');
    const r = await run({ args: ['-c', 'echo still here'] });
    assert.equal(r.stdout, 'still here\n');
    assert.equal(spawnerPid(), pid);
  });

  it('a spawner killed mid-task: the task is stopped with its group and said so, and the next launch starts another spawner', async () => {
    const before = spawnerPid() as number;
    let group = 0;
    const pending = run({ args: ['-c', 'sleep 30 & sleep 30'] }, (pid) => {
      group = pid;
      process.kill(before, 'SIGKILL');
    });
    const r = await pending;
    assert.equal(r.signal, 'SIGKILL');
    assert.match(r.stderr, /the process that started this task ended unexpectedly/);
    assert.ok(await waitUntil(() => !groupAlive(group), 3000), 'the task\'s group was stopped');
    const next = await run({ args: ['-c', 'echo $PPID'] });
    assert.notEqual(spawnerPid(), before);
    assert.equal(Number(next.stdout.trim()), spawnerPid());
  });

  it('kills the groups still running when its owner dies, even by SIGKILL', async () => {
    const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'vortex-owner-')), 'owner.ts');
    writeFileSync(
      script,
      `import { launch, prepareLaunch } from ${JSON.stringify(path.resolve('core/process/launch.ts'))};\n` +
        "prepareLaunch();\n" +
        "launch({ file: 'sh', args: ['-c', 'exec sleep 60'], cwd: '/', env: process.env }, { started: (pid) => console.log(pid), spawnError() {}, data() {}, exited() {}, closed() {} });\n" +
        'setInterval(() => undefined, 1000);\n',
    );
    const owner = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const group = await new Promise<number>((resolve, reject) => {
        owner.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        owner.once('exit', () => reject(new Error('the owner ended before it started its task')));
      });
      assert.ok(groupAlive(group));
      assert.equal(procStat(group)?.command, 'sleep');
      owner.kill('SIGKILL');
      assert.ok(await waitUntil(() => !groupAlive(group), 5000), 'the task outlived its owner');
    } finally {
      owner.kill('SIGKILL');
      rmSync(path.dirname(script), { recursive: true, force: true });
    }
  });
});
