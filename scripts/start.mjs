// The demo: `npm start` packages the extension, installs the .vsix into a real
// VS Code server (the one the integration tests use) and serves it on
// 127.0.0.1 with examples/ open and an example DAG in the editor. Ctrl+C stops
// everything it started.
//
//   npm start                     examples/ on a free port
//   npm start -- --port 8080 DIR  another folder, a fixed port
//
// Workspace trust stays on: VS Code asks before anything in the folder runs (a
// DAG file is Python that VORTEX executes), the examples included. VS Code keeps
// the folders a user trusted in the browser's own storage, out of a server's
// reach, so the demo cannot answer that question for anyone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureVSCodeServer } from './vscode-server.mjs';
import { killProcessGroup, killProcessGroupNow, serverArgs, waitForHttp, writeSettings, QUIET_WORKBENCH_SETTINGS } from './vscode-server-process.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VSIX = path.join(REPO_ROOT, 'vortex-dags.vsix');
export const EXAMPLES = path.join(REPO_ROOT, 'examples');
/** The example the demo opens in the editor, as the README shows it. */
export const FIRST_EXAMPLE = path.join(EXAMPLES, 'example_vortex_dag.py');

/** The user settings of the demo's fresh server; workspace trust keeps VS Code's default (on). */
export function demoSettings() {
  return { ...QUIET_WORKBENCH_SETTINGS };
}

/**
 * The address that opens `folder` in the web workbench served at `base`, with the
 * first example in the editor when the folder is the examples (`openFile` is the
 * workbench's own start-up payload, as `code --goto FILE` passes it).
 */
export function demoUrl(base, folder) {
  const url = new URL('/', base);
  url.searchParams.set('folder', folder);
  if (path.resolve(folder) === EXAMPLES) {
    const remote = `vscode-remote://${url.host}${FIRST_EXAMPLE}`;
    url.searchParams.set('payload', JSON.stringify([['openFile', remote]]));
  }
  return url.href;
}

function log(message) {
  process.stderr.write(`[start] ${message}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function main() {
  const { values: options, positionals } = parseArgs({
    options: { port: { type: 'string' } },
    allowPositionals: true,
  });
  const folder = positionals[0] ? path.resolve(REPO_ROOT, positionals[0]) : EXAMPLES;
  if (!existsSync(folder)) throw new Error(`${folder} does not exist`);

  // The .vsix a user would install: it is built (production bundles) and packaged here.
  log('building and packaging the extension');
  const packaged = spawnSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 });
  if (packaged.status !== 0) throw new Error(`npm run package failed (${packaged.error?.message ?? packaged.status ?? packaged.signal})`);

  const install = await ensureVSCodeServer();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vortex-demo-'));
  const dataDir = path.join(tmp, 'data');
  const extensionsDir = path.join(tmp, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  writeSettings(dataDir, demoSettings());

  const installed = spawnSync(
    install.nodeBin,
    [install.serverMain, '--install-extension', VSIX, '--extensions-dir', extensionsDir, '--user-data-dir', dataDir, '--server-data-dir', dataDir, '--accept-server-license-terms'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (!/successfully installed/i.test(`${installed.stdout}${installed.stderr}`)) {
    throw new Error(`installing ${VSIX} failed:\n${installed.stdout}${installed.stderr}`);
  }

  const port = options.port ? Number(options.port) : await freePort();
  const logFile = path.join(tmp, 'server.log');
  const logFd = openSync(logFile, 'a');
  const server = spawn(install.nodeBin, [install.serverMain, ...serverArgs({ port, dataDir, extensionsDir, smokeTestDriver: false })], {
    // Its own process group, stopped whole: the server leaves children behind otherwise.
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    log('stopping the VS Code server');
    await killProcessGroup(server);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));
  process.on('exit', () => killProcessGroupNow(server));
  server.on('exit', (code, signal) => {
    if (stopping) return;
    log(`the VS Code server exited (${code ?? signal}); its log:\n${readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}`);
    void stop(1);
  });

  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(base, 60_000);
  const url = demoUrl(base, folder);
  process.stdout.write(`\nVORTEX for VS Code (VS Code ${install.vscodeVersion}) is serving ${path.relative(REPO_ROOT, folder) || folder}:\n\n    ${url}\n\nOpen it in a browser. Ctrl+C stops it. Server log: ${logFile}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
