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
