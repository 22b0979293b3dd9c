/**
 * The integration suite's entry point, loaded by VS Code's extension host as
 * `extensionTestsPath`. Both launchers (the offline VS Code server driven by
 * Chromium, and @vscode/test-electron) call this `run()`.
 *
 * Mocha's own output goes to the extension host's log, which the launcher does
 * not see, so the results are also written as JSON to the file named by
 * `VORTEX_TEST_RESULTS`, for the launcher to print.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { metricsStore, requestScreenshot } from '../support/helpers';
import { RESULTS_ENV, type SuiteResults, type TestOutcome } from '../support/results';

/** The repository root: this file runs from `out/test/integration/suite/`. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function resultsFile(): string {
  return process.env[RESULTS_ENV] ?? path.join(REPO_ROOT, 'test-artifacts', 'integration-results.json');
}

function describeError(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    // Each test polls with its own, shorter deadlines; this only catches a test that hangs.
    timeout: 90_000,
  });
  const grep = process.env.VORTEX_TEST_GREP;
  if (grep) mocha.grep(grep);
  // The workbench as it was when a test failed. The launcher's own picture comes after the
  // suite, once the extension host has stopped, when every extension view is empty.
  mocha.suite.afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const name = `failed-${test.fullTitle().replace(/[^\w-]+/g, '-').slice(0, 100)}`;
    await requestScreenshot(name).catch((error: unknown) => console.log(`no screenshot of the failure: ${String(error)}`));
  });

  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  const outcomes: TestOutcome[] = [];
  const started = Date.now();
  let running: string | null = null;
  let done = false;
  /**
   * Written after every test, not only at the end, so that a run stopped by the
   * launcher's deadline still tells what passed and which test hung.
   */
  const writeResults = (): void => {
    const results: SuiteResults = {
      vscodeVersion: vscode.version,
      remoteName: vscode.env.remoteName ?? null,
      nodeVersion: process.version,
      durationMs: Date.now() - started,
      finished: done,
      running,
      passed: outcomes.filter((o) => o.state === 'passed').length,
      failed: outcomes.filter((o) => o.state === 'failed').length,
      pending: outcomes.filter((o) => o.state === 'pending').length,
      tests: outcomes,
      metrics: { ...metricsStore() },
    };
    const file = resultsFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(results, null, 2));
  };
  return new Promise<void>((resolve, reject) => {
    mocha
      .loadFilesAsync()
      .then(() => {
        const runner = mocha.run((failures) => {
          running = null;
          done = true;
          writeResults();
          if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
          else resolve();
        });
        runner.on('test', (test) => {
          running = test.fullTitle();
          writeResults();
        });
        runner.on('pass', (test) => {
          running = null;
          outcomes.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
          writeResults();
        });
        runner.on('pending', (test) => {
          outcomes.push({ title: test.fullTitle(), state: 'pending', durationMs: 0 });
          writeResults();
        });
        // Also fires for failing hooks, whose title names the hook and its test.
        runner.on('fail', (test, error: unknown) => {
          running = null;
          outcomes.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, ...describeError(error) });
          writeResults();
        });
      })
      .catch(reject);
  });
}
