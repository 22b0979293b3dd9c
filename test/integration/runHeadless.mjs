// Runs the integration suite inside a real VS Code with no display and no
// internet: the VS Code server from the npm package `code-server`, its web
// workbench driven by Debian's Chromium through playwright-core (README.md,
// "Testing inside VS Code", says what it installs and where). The default for
// `npm test` and CI.
//
//   node test/integration/runHeadless.mjs [--grep PATTERN] [--vsix FILE] [--keep]
//
// --grep PATTERN  run only the tests whose full title matches
// --vsix FILE     install FILE into the server and test that installed copy
//                 (the suite's "packaged" tests) instead of the working tree
// --workspace DIR open a copy of DIR instead of the test workspace and the
//                 examples (the suite's tests for that workspace then run)
// --untrusted     leave workspace trust on, so the workspace opens in Restricted
//                 Mode (the suite's "untrusted" tests then run)
// --keep          keep the temporary folder (server logs, user data) for a look
//
// Exit code 0 when every test passed; 1 when a test failed or the run broke.
// Failing tests are printed with their messages, and the server's logs are
// copied to test-artifacts/ when anything went wrong.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ensureVSCodeServer } from '../../scripts/vscode-server.mjs';
import { ensureDebugPython } from '../../scripts/python-tools.mjs';
import { printResults, readResults } from './report.mjs';
import { killProcessGroup, killProcessGroupNow, serverArgs, waitForHttp, writeSettings, QUIET_WORKBENCH_SETTINGS } from '../../scripts/vscode-server-process.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEST_INDEX = path.join(REPO_ROOT, 'out', 'test', 'integration', 'suite', 'index.js');
const WORKSPACE_FIXTURE = path.join(REPO_ROOT, 'test', 'integration', 'workspace');
const EXAMPLES = path.join(REPO_ROOT, 'examples');
/** A do-nothing extension: the development path when the tested extension is an installed .vsix. */
const VSIX_HOST = path.join(REPO_ROOT, 'test', 'integration', 'vsix-host');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** The whole run, install excluded: CI must never hang on a stuck workbench. */
const RUN_DEADLINE_MS = Number(process.env.VORTEX_TEST_DEADLINE_MS ?? 15 * 60_000);

const { values: options } = parseArgs({
  options: {
    grep: { type: 'string' },
    vsix: { type: 'string' },
    untrusted: { type: 'boolean', default: false },
    workspace: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

function log(message) {
  process.stderr.write(`[integration] ${message}\n`);
}

/** Everything to undo, run once on every way out: normal end, failure, Ctrl+C, deadline. */
const cleanups = [];
let cleaningUp;
function cleanUp() {
  cleaningUp ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaningUp;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: stopping the VS Code server and the browser`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}


/** Copies the server's and extension host's logs next to the screenshots, for a failed run. */
function keepLogs(tmp) {
  const target = path.join(ARTIFACTS, 'logs');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const name of ['server.log', 'browser.log']) {
    if (existsSync(path.join(tmp, name))) cpSync(path.join(tmp, name), path.join(target, name));
  }
  const logsDir = path.join(tmp, 'data', 'logs');
  if (existsSync(logsDir)) cpSync(logsDir, path.join(target, 'vscode'), { recursive: true });
  log(`logs kept in ${path.relative(process.cwd(), target) || target}`);
}

async function main() {
  const runStarted = Date.now();
  if (!existsSync(TEST_INDEX)) throw new Error(`${TEST_INDEX} is missing: run npm run build first`);
  const vsix = options.vsix ? path.resolve(options.vsix) : undefined;
  if (vsix && !existsSync(vsix)) throw new Error(`${vsix} does not exist`);

  const install = await ensureVSCodeServer();
  // The debugger tests run tasks with an interpreter that has debugpy.
  const debugPython = await ensureDebugPython();
  const installMs = Date.now() - runStarted;
  // The suite's deadline is checked while it runs; this one also bounds every step around it
  // (a browser that never closes, a screenshot that never comes). The server dies with the process.
  setTimeout(() => {
    log(`still running ${Math.round(RUN_DEADLINE_MS / 1000) + 60} s after the install check; exiting`);
    process.exit(1);
  }, RUN_DEADLINE_MS + 60_000).unref();

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vortex-vscode-test-'));
  cleanups.push(() => {
    if (options.keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  });
  const dataDir = path.join(tmp, 'data');
  const extensionsDir = path.join(tmp, 'extensions');
  const workspace = path.join(tmp, 'workspace');
  const resultsFile = path.join(tmp, 'results.json');
  const screenshotRequests = path.join(tmp, 'screenshots');
  for (const dir of [dataDir, extensionsDir, screenshotRequests]) mkdirSync(dir, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  // A copy, so tests that create or edit files never touch the checkout: the
  // test fixtures, and the project's examples as users get them.
  if (options.workspace) {
    cpSync(path.resolve(options.workspace), workspace, { recursive: true });
  } else {
    cpSync(WORKSPACE_FIXTURE, workspace, { recursive: true });
    cpSync(EXAMPLES, path.join(workspace, 'examples'), { recursive: true });
  }
  writeSettings(dataDir, {
    ...QUIET_WORKBENCH_SETTINGS,
    // Off unless the run is about Restricted Mode: then a fresh folder is untrusted.
    'security.workspace.trust.enabled': options.untrusted,
  });

  if (vsix) {
    log(`installing ${path.basename(vsix)} into the server's extensions folder`);
    const result = await runToEnd(install.nodeBin, [install.serverMain, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', dataDir, '--server-data-dir', dataDir, '--accept-server-license-terms'], 120_000);
    if (!/successfully installed/i.test(result)) throw new Error(`installing ${vsix} failed:\n${result}`);
  }

  const port = await freePort();
  const serverLog = openSync(path.join(tmp, 'server.log'), 'a');
  const server = spawn(install.nodeBin, [install.serverMain, ...serverArgs({ port, dataDir, extensionsDir })], {
    // Its own process group: the server's children (file watcher, agent host, …)
    // outlive a kill of the main process, so the whole group is stopped.
    detached: true,
    stdio: ['ignore', serverLog, serverLog],
    env: {
      ...process.env,
      VORTEX_TEST_RESULTS: resultsFile,
      VORTEX_SCREENSHOT_REQUESTS: screenshotRequests,
      VORTEX_TEST_DEBUG_PYTHON: debugPython.python,
      ...(options.grep ? { VORTEX_TEST_GREP: options.grep } : {}),
      ...(vsix ? { VORTEX_TEST_PACKAGED: '1' } : {}),
      ...(options.untrusted ? { VORTEX_TEST_UNTRUSTED: '1' } : {}),
      ...(options.workspace ? { VORTEX_TEST_WORKSPACE: path.basename(path.resolve(options.workspace)) } : {}),
    },
  });
  cleanups.push(() => killProcessGroup(server));
  // An exit that skips the cleanup (an uncaught error) must still not leave the server behind.
  process.on('exit', () => killProcessGroupNow(server));
  let serverExited;
  const serverExit = new Promise((resolve) => server.on('exit', (code, signal) => resolve((serverExited = `${code ?? signal}`))));

  const base = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitForHttp(base, 60_000),
    serverExit.then((code) => {
      throw new Error(`the VS Code server exited (${code}) before it answered; see ${path.join(tmp, 'server.log')}`);
    }),
  ]);
  log(`VS Code server on ${base} (started in ${((Date.now() - runStarted - installMs) / 1000).toFixed(1)} s)`);

  const browser = await chromium.launch({
    executablePath: install.chromium,
    headless: true,
    // Without the networking switches Chromium keeps dialling out, and this network refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const browserLog = [];
  page.on('console', (m) => browserLog.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => browserLog.push(`[pageerror] ${e.message}`));
  cleanups.push(() => writeFileSync(path.join(tmp, 'browser.log'), browserLog.join('\n')));

  let exitCode;
  const suiteExit = new Promise((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code) => resolve((exitCode = Number(code))));
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    browserLog.push(`[automation.${type}] ${Array.isArray(args) ? args.join(' ') : String(args)}`);
  });

  const extensionRoot = vsix ? VSIX_HOST : REPO_ROOT;
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionRoot)],
    ['extensionTestsPath', remote(TEST_INDEX)],
    ['skipWelcome', 'true'],
  ];
  const url = `${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const suiteStarted = Date.now();
  await page.goto(url);

  const deadline = runStarted + installMs + RUN_DEADLINE_MS;
  const finished = await Promise.race([
    suiteExit.then(() => 'exit'),
    serverExit.then(() => 'server-exit'),
    // The packaged run's pictures get their own names, so both runs' are kept.
    serveScreenshots(page, screenshotRequests, vsix ? '-packaged' : '', () => exitCode !== undefined || serverExited !== undefined, deadline),
  ]);
  log(`suite finished in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s (install check ${(installMs / 1000).toFixed(1)} s)`);

  const results = readResults(resultsFile);
  let ok = finished === 'exit' && exitCode === 0 && results !== undefined && results.failed === 0;
  if (finished === 'deadline') log(`the run passed its ${Math.round(RUN_DEADLINE_MS / 1000)} s deadline; stopping it`);
  if (results && !results.finished) {
    ok = false;
    // Counted as a failure, so the closing line never reads "0 failed" for a run that was cut short.
    results.tests.push({
      title: results.running ?? '(the suite, between tests)',
      state: 'failed',
      durationMs: 0,
      message: `did not finish: ${finished === 'deadline' ? `the run passed its ${Math.round(RUN_DEADLINE_MS / 1000)} s deadline` : 'the VS Code server or the extension host stopped'}`,
    });
    results.failed += 1;
  }
  if (finished === 'server-exit') log(`the VS Code server exited (${serverExited}) during the run`);
  if (results) printResults(results);
  else log('the suite wrote no results (it did not start, or crashed before the end); see the logs');
  if (results?.tests.length === 0) {
    log('no test ran');
    ok = false;
  }
  if (!ok) {
    // NOTE: taken after the suite: the workbench has stopped the extension host by then, so every
    // extension view reads "There is no data provider registered that can provide view data".
    // The page at the moment a test failed is in failed-<test>.png (the suite asks for it).
    await page.screenshot({ path: path.join(ARTIFACTS, `failure${vsix ? '-packaged' : ''}.png`) }).catch(() => undefined);
    keepLogs(tmp);
  }
  return ok;
}

/**
 * Takes the screenshots the suite asks for (it cannot: the browser is out here)
 * until `stop()` says the run is over. Resolves 'deadline' if the run's
 * deadline passes first, never otherwise.
 */
async function serveScreenshots(page, folder, suffix, stop, deadline) {
  while (!stop()) {
    if (Date.now() > deadline) return 'deadline';
    for (const entry of readdirSync(folder)) {
      if (!entry.endsWith('.request')) continue;
      const name = entry.slice(0, -'.request'.length);
      const request = JSON.parse(readFileSync(path.join(folder, entry), 'utf8'));
      rmSync(path.join(folder, entry), { force: true });
      const file = path.join(ARTIFACTS, `${name}${suffix}.png`);
      try {
        for (const selector of request.hiddenBefore ?? []) {
          await page.locator(selector).first().waitFor({ state: 'hidden', timeout: 15_000 });
        }
        if (request.click) await page.locator(request.click).first().click({ timeout: 15_000 });
        for (const selector of request.visible ?? []) {
          await page.locator(selector).first().waitFor({ state: 'visible', timeout: 15_000 });
        }
        for (const selector of request.webviewVisible ?? []) {
          await webviewContent(page).locator(selector).first().waitFor({ state: 'visible', timeout: 15_000 });
        }
        for (const selector of request.absent ?? []) {
          if (await page.locator(selector).first().isVisible()) throw new Error(`${selector} shows, and must not`);
        }
        await page.screenshot({ path: file });
        // A pointer left on what it clicked keeps a tooltip open in the next pictures.
        if (request.click) await page.mouse.move(page.viewportSize().width * 0.7, 3);
        log(`screenshot ${path.relative(REPO_ROOT, file)}`);
        writeFileSync(path.join(folder, `${name}.done`), file);
      } catch (error) {
        // The page as it was when the request failed, with the extension host still running.
        const failed = path.join(ARTIFACTS, `${name}${suffix}-failed.png`);
        await page.screenshot({ path: failed }).then(() => log(`screenshot "${name}" failed; the page then: ${path.relative(REPO_ROOT, failed)}`), () => undefined);
        writeFileSync(path.join(folder, `${name}.done`), `error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return new Promise(() => {});
}

/**
 * The page inside the (only) webview: VS Code hosts it in an iframe, which
 * holds the extension's own page in a second one.
 */
function webviewContent(page) {
  return page.locator('iframe.webview.ready').first().contentFrame().locator('iframe#active-frame').contentFrame();
}

/** Runs a short command to its end and returns its output; kills it past `timeoutMs`. */
function runToEnd(command, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      killProcessGroup(child);
      reject(new Error(`${path.basename(command)} ${args.slice(1, 3).join(' ')} did not finish in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      // --install-extension leaves helper processes behind in its group, like the server.
      killProcessGroup(child);
      resolve(output);
    });
  });
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanUp();
}
process.exit(ok ? 0 : 1);
