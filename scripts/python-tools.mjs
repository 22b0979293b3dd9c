// The Python SDK's checks: ruff, mypy --strict and pytest, pinned in
// python/requirements-dev.txt and installed (once) with pip into a virtual
// environment in the same cache as the VS Code server, keyed by that file's
// content, so a second run costs a hash and a `stat`. Environments of other
// requirements stay (another checkout may be using one right now); deleting
// the cache's python-tools folder reclaims them. The integration tier's
// debugger tests get an environment of their own the same way, from
// test/integration/requirements-debug.txt (debugpy).
//
//   node scripts/python-tools.mjs [PYTEST ARGS...]   install if needed, then ruff, mypy, pytest
//   import { ensurePythonTools } from ...            the virtual environment's python, installed if needed
//   import { ensureDebugPython } from ...            the same for the debugger tests' environment
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, withLock } from './vscode-server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON_DIR = path.join(REPO, 'python');
const REQUIREMENTS = path.join(PYTHON_DIR, 'requirements-dev.txt');
const DEBUG_REQUIREMENTS = path.join(REPO, 'test', 'integration', 'requirements-debug.txt');
/** Written last, so an install that was interrupted half-way is redone rather than trusted. */
const COMPLETE_MARKER = '.vortex-install-complete';
const TOOLS_DIR = 'python-tools';
/** pip may retry an unreachable index for minutes; a check must still end. */
const INSTALL_TIMEOUT_MS = 20 * 60_000;
const CHECK_TIMEOUT_MS = 10 * 60_000;

function log(message) {
  process.stderr.write(`[python-tools] ${message}\n`);
}

/** The interpreter the virtual environment is made from: VORTEX_PYTHON, else python3. */
function basePython() {
  return process.env.VORTEX_PYTHON || 'python3';
}

function venvPython(dir) {
  return path.join(dir, 'venv', 'bin', 'python');
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`, { cause: result.error });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/**
 * Makes sure the pinned tools are installed; idempotent, and a few milliseconds when cached.
 * @returns {Promise<{ python: string, cacheDir: string }>} the virtual environment's python and its folder
 */
export function ensurePythonTools() {
  return ensureRequirements(REQUIREMENTS);
}

/**
 * The debugger tests' environment: debugpy, which the extension runs as the
 * debug adapter and the task's launcher with the interpreter a run uses.
 * @returns {Promise<{ python: string, cacheDir: string }>}
 */
export function ensureDebugPython() {
  return ensureRequirements(DEBUG_REQUIREMENTS);
}

/**
 * A virtual environment holding exactly `requirementsFile`'s pins, keyed by its content.
 * @param {string} requirementsFile
 * @returns {Promise<{ python: string, cacheDir: string }>}
 */
async function ensureRequirements(requirementsFile) {
  const requirements = readFileSync(requirementsFile);
  const key = createHash('sha256').update(requirements).digest('hex').slice(0, 16);
  // A folder (and a lock) of their own, so they need not wait for a VS Code server install.
  const root = path.join(cacheRoot(), TOOLS_DIR);
  const dir = path.join(root, key);
  const python = venvPython(dir);
  // The interpreter is checked too: the environment links to the Python it was made from, which may be gone.
  if (existsSync(path.join(dir, COMPLETE_MARKER)) && existsSync(python)) return { python, cacheDir: dir };

  await withLock(root, () => {
    if (existsSync(path.join(dir, COMPLETE_MARKER)) && existsSync(python)) return;
    const started = Date.now();
    rmSync(dir, { recursive: true, force: true });
    log(`installing ${requirements.toString('utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(', ')} into ${dir}`);
    try {
      run(basePython(), ['-m', 'venv', path.join(dir, 'venv')], { timeout: INSTALL_TIMEOUT_MS });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Debian and Ubuntu ship the venv module apart from Python.
      const notFound = error instanceof Error && /** @type {NodeJS.ErrnoException | undefined} */ (error.cause)?.code === 'ENOENT';
      const hint = notFound ? `${basePython()} was not found` : "Python's venv module is needed (on Debian and Ubuntu, the python3-venv package)";
      throw new Error(`${message}: ${hint}; VORTEX_PYTHON chooses another Python`, { cause: error });
    }
    const pipInstall = (retries) =>
      run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--retries', String(retries), '--requirement', requirementsFile], {
        timeout: INSTALL_TIMEOUT_MS,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
    try {
      // An index that cannot be reached (where only a local one is) costs pip's
      // back-off on every package: seconds with no retries, minutes with them.
      pipInstall(0);
    } catch {
      log('the install without retries failed; trying again with them');
      pipInstall(5);
    }
    writeFileSync(path.join(dir, COMPLETE_MARKER), new Date().toISOString());
    log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  return { python, cacheDir: dir };
}

/** Runs ruff, mypy --strict and pytest on python/; resolves to the first failing exit status, or 0. */
export async function checkPython(pytestArgs = []) {
  const { python, cacheDir } = await ensurePythonTools();
  // Caches go to the tools' folder and no bytecode is written: the checks leave nothing in the repository.
  const env = {
    ...process.env,
    PYTHONDONTWRITEBYTECODE: '1',
    RUFF_CACHE_DIR: path.join(cacheDir, 'ruff-cache'),
    MYPY_CACHE_DIR: path.join(cacheDir, 'mypy-cache'),
  };
  const steps = [
    ['ruff', ['-m', 'ruff', 'check', '--no-fix', '.']],
    ['mypy --strict', ['-m', 'mypy', '--strict']],
    ['pytest', ['-m', 'pytest', ...pytestArgs]],
  ];
  for (const [name, args] of steps) {
    log(name);
    const result = spawnSync(python, args, { cwd: PYTHON_DIR, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: CHECK_TIMEOUT_MS, killSignal: 'SIGKILL' });
    if (result.error) {
      log(`${name} failed: ${result.error.message}`);
      return 1;
    }
    if (result.status !== 0) {
      log(`${name} failed (${result.status ?? result.signal})`);
      return result.status || 1;
    }
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await checkPython(process.argv.slice(2));
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
