// `npm start` as a user runs it, in the real VS Code server and Chromium: the
// examples open with the example DAG in the editor, and neither they nor a
// user's own folder are trusted before the user says so (Restricted Mode).
//
//   node test/integration/demo.mjs
//
// Exit code 0 when both checks passed, 1 otherwise; the page of a failed check
// is saved as test-artifacts/demo-<name>-failed.png.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureChromium } from '../../scripts/vscode-server.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** Packaging, the server's start and two workbenches take about a minute; a hang never ends. */
const DEADLINE_MS = 5 * 60_000;

function log(message) {
  process.stderr.write(`[demo] ${message}\n`);
}

/** Starts `npm start`'s script on `args` and resolves with the child and the address it printed. */
function startDemo(args) {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let printed = '';
    child.stdout.on('data', (chunk) => {
      printed += chunk;
      const url = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(printed)?.[1];
      if (url) resolve({ child, url });
    });
    child.on('exit', (code, signal) => reject(new Error(`scripts/start.mjs exited (${code ?? signal}) before it printed its address`)));
  });
}

/** Stops the demo the way Ctrl+C does: it stops its VS Code server, then exits. */
function stopDemo(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT');
  });
}

const demos = [];
async function check(name, args, expectations) {
  const started = Date.now();
  const demo = await startDemo(args);
  demos.push(demo.child);
  const browser = await chromium.launch({ executablePath: await ensureChromium(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    await page.goto(demo.url);
    await expectations(page);
    log(`ok: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `demo-${name}-failed.png`) }).catch(() => undefined);
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    await browser.close();
    await stopDemo(demo.child);
  }
}

/** The workbench's own status bar item for an untrusted folder. */
function restrictedMode(page) {
  return page.locator('.statusbar-item').filter({ hasText: 'Restricted Mode' }).first();
}

async function main() {
  await check('examples', [], async (page) => {
    await page.locator('.tabs-container .tab', { hasText: 'example_vortex_dag.py' }).waitFor({ state: 'visible', timeout: 60_000 });
    await restrictedMode(page).waitFor({ state: 'visible', timeout: 30_000 });
  });

  const userFolder = mkdtempSync(path.join(os.tmpdir(), 'vortex-user-dags-'));
  try {
    copyFileSync(path.join(REPO_ROOT, 'examples', 'etl_pipeline.py'), path.join(userFolder, 'my_pipeline.py'));
    await check('user-folder', [userFolder], async (page) => {
      await page.locator('.explorer-folders-view').getByText('my_pipeline.py').waitFor({ state: 'visible', timeout: 60_000 });
      await restrictedMode(page).waitFor({ state: 'visible', timeout: 30_000 });
    });
  } finally {
    rmSync(userFolder, { recursive: true, force: true });
  }
}

const deadline = setTimeout(() => {
  log(`still running after ${DEADLINE_MS / 1000} s; stopping`);
  for (const child of demos) child.kill('SIGINT');
  setTimeout(() => process.exit(1), 15_000).unref();
}, DEADLINE_MS);
deadline.unref();

try {
  await main();
  process.exitCode = 0;
} catch (error) {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await Promise.all(demos.map(stopDemo));
}
