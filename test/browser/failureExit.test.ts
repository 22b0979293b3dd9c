/**
 * Browser tests as `npm test` runs them, each run a separate mocha process: when
 * the browser cannot start, when a before-all hook or a test fails, the run must
 * end at once with a non-zero exit code and say why, never sit there after
 * printing "1 failing" because something it started still holds it open.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
const MOCHA = path.join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js');
const GRAPH_WEBVIEW_TEST = path.join(REPO, 'test', 'browser', 'graphWebview.test.ts');
const FAILING_TEST = path.join(REPO, 'test', 'browser', 'fixtures', 'failingGraphTest.ts');
const MISSING_CHROMIUM = path.join(REPO, 'test', 'no-such-dir', 'chromium');
/** Starting mocha with tsx takes a few seconds on a busy machine; a hang never ends. */
const EXIT_WITHIN_MS = 45_000;

interface Ended {
  code: number | null;
  output: string;
  elapsedMs: number;
}

/** Runs mocha to its end, or kills it at `EXIT_WITHIN_MS` and says so. */
function runMocha(args: string[], env: NodeJS.ProcessEnv): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [MOCHA, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mocha ${args.join(' ')} was still running after ${EXIT_WITHIN_MS / 1000} s; its output:\n${output}`));
    }, EXIT_WITHIN_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, elapsedMs: Date.now() - started });
    });
  });
}

/** The browser tier's own switches, without its config (which would add its test files). */
const BROWSER_TIER = ['--no-config', '--import=tsx', '--timeout', '60000', '--reporter', 'spec'];

describe('browser tier: a failure ends the run with a non-zero exit', function () {
  this.timeout(EXIT_WITHIN_MS + 15_000);

  it('the graph webview tests exit non-zero at once when Chromium fails to start in their before-all hook', async () => {
    const ended = await runMocha([...BROWSER_TIER, GRAPH_WEBVIEW_TEST], { VORTEX_CHROMIUM: MISSING_CHROMIUM });
    assert.notEqual(ended.code, 0, ended.output);
    assert.match(ended.output, /"before all" hook/);
    assert.ok(ended.output.includes(MISSING_CHROMIUM), `the failure names the Chromium it looked for:\n${ended.output}`);
  });

  it('npm run test:browser stops before its tests with a clear message when Chromium is missing', async () => {
    const ended = await runMocha(['--config', path.join(REPO, 'test', 'browser', '.mocharc.json')], { VORTEX_CHROMIUM: MISSING_CHROMIUM });
    assert.notEqual(ended.code, 0, ended.output);
    assert.ok(ended.output.includes(`Chromium not found at ${MISSING_CHROMIUM}`), ended.output);
    assert.doesNotMatch(ended.output, /passing|failing/, 'no test ran');
  });

  it('a before-all hook that fails after Chromium started', async () => {
    const ended = await runMocha([...BROWSER_TIER, FAILING_TEST], { FAIL_IN: 'before' });
    assert.notEqual(ended.code, 0, ended.output);
    assert.match(ended.output, /"before all" hook[\s\S]*deliberate failure in before-all/);
  });

  it('a test that fails with its page open', async () => {
    const ended = await runMocha([...BROWSER_TIER, FAILING_TEST], { FAIL_IN: 'test' });
    assert.notEqual(ended.code, 0, ended.output);
    assert.match(ended.output, /1 failing[\s\S]*deliberate failure in a test/);
  });
});
