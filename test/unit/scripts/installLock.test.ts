/**
 * The install lock of the test tooling (scripts/vscode-server.mjs): tiers
 * started together on a fresh machine install one at a time, and a lock whose
 * owner died is taken over. Real processes race for it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withLock } from '../../../scripts/vscode-server.mjs';
import { REPO } from '../../support/execution';

/** A process that holds the lock for a while, writing when it takes it and when it lets go. */
function contender(root: string, journal: string): Promise<number | null> {
  const script = `
    import { appendFileSync } from 'node:fs';
    import { withLock } from ${JSON.stringify(path.join(REPO, 'scripts', 'vscode-server.mjs'))};
    await withLock(${JSON.stringify(root)}, async () => {
      appendFileSync(${JSON.stringify(journal)}, 'in ' + process.pid + '\\n');
      await new Promise((resolve) => setTimeout(resolve, 150));
      appendFileSync(${JSON.stringify(journal)}, 'out ' + process.pid + '\\n');
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('the install lock of the test tooling', function () {
  this.timeout(30_000);
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'vortex-lock-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lets processes that race for it in one at a time', async () => {
    const journal = path.join(root, 'journal');
    const codes = await Promise.all([1, 2, 3, 4].map(() => contender(path.join(root, 'cache'), journal)));
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    assert.equal(lines.length, 8);
    for (let i = 0; i < lines.length; i += 2) {
      const [, pid] = lines[i].split(' ');
      assert.deepEqual([lines[i], lines[i + 1]], [`in ${pid}`, `out ${pid}`], 'two processes held the lock at once');
    }
    assert.equal(existsSync(path.join(root, 'cache', '.lock')), false, 'the lock is let go');
  });

  it('takes over a lock whose owner is gone, and an old lock with no owner written in it', async () => {
    const gone = Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
    mkdirSync(path.join(root, '.lock'));
    writeFileSync(path.join(root, '.lock', 'pid'), String(gone));
    const started = Date.now();
    assert.equal(await withLock(root, () => 'ran'), 'ran');
    assert.ok(Date.now() - started < 2000, 'it waited for a lock whose owner is gone');

    mkdirSync(path.join(root, '.lock'));
    const old = new Date(Date.now() - 120_000);
    utimesSync(path.join(root, '.lock'), old, old);
    assert.equal(await withLock(root, () => 'ran again'), 'ran again');
  });

  it('lets go only of its own lock', async () => {
    await withLock(root, () => {
      // A waiter that took this lock for stale (a reused pid, say) now holds it.
      writeFileSync(path.join(root, '.lock', 'pid'), String(process.ppid));
    });
    assert.equal(readFileSync(path.join(root, '.lock', 'pid'), 'utf8'), String(process.ppid));
  });
});
