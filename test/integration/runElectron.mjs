// Runs the same integration suite in desktop VS Code through @vscode/test-electron,
// for machines that can download VS Code (a contributor's laptop). It cannot run
// where only the package registries are reachable; runHeadless.mjs is the
// launcher for those, and for CI.
//
//   npm run test:electron [-- --grep PATTERN] [-- --vscode-version 1.139.1]
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { printResults, readResults } from './report.mjs';
import { ensureDebugPython } from '../../scripts/python-tools.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const { values: options } = parseArgs({
  options: {
    grep: { type: 'string' },
    // The version the offline launcher tests with, so both launchers see the same VS Code.
    'vscode-version': { type: 'string', default: '1.139.1' },
  },
});

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vortex-electron-test-'));
const workspace = path.join(tmp, 'workspace');
const resultsFile = path.join(tmp, 'results.json');
// A copy, so tests that create or edit files never touch the checkout: the
// test fixtures, and the project's examples as users get them.
cpSync(path.join(REPO_ROOT, 'test', 'integration', 'workspace'), workspace, { recursive: true });
cpSync(path.join(REPO_ROOT, 'examples'), path.join(workspace, 'examples'), { recursive: true });

/** The whole run, download included: a workbench that never reports its end must not hang CI. */
const RUN_DEADLINE_MS = Number(process.env.VORTEX_TEST_DEADLINE_MS ?? 20 * 60_000);
// @vscode/test-electron stops VS Code on a first Ctrl+C and kills its whole process tree on a
// second: the deadline sends both, so what it started goes with it.
setTimeout(() => {
  process.stderr.write(`[electron] the run passed its ${Math.round(RUN_DEADLINE_MS / 1000)} s deadline; stopping VS Code\n`);
  process.kill(process.pid, 'SIGINT');
  setTimeout(() => process.kill(process.pid, 'SIGINT'), 5000).unref();
  setTimeout(() => process.exit(1), 15_000).unref();
}, RUN_DEADLINE_MS).unref();

let code = 1;
try {
  code = await runTests({
    version: options['vscode-version'],
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'suite', 'index.js'),
    // These tests are not about workspace trust.
    launchArgs: [workspace, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: {
      VORTEX_TEST_RESULTS: resultsFile,
      VORTEX_TEST_DEBUG_PYTHON: (await ensureDebugPython()).python,
      ...(options.grep ? { VORTEX_TEST_GREP: options.grep } : {}),
    },
  });
} catch (error) {
  // runTests rejects with the exit code when the suite fails, or with an Error when VS Code could not be had.
  if (error instanceof Error) process.stderr.write(`[electron] ${error.message}\n`);
}
const results = readResults(resultsFile);
if (results) printResults(results);
else process.stderr.write('[electron] the suite wrote no results\n');
rmSync(tmp, { recursive: true, force: true });
process.exit(code === 0 && results?.failed === 0 ? 0 : 1);
