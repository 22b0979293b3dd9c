// Starting and stopping the VS Code server (installed by vscode-server.mjs), shared
// by the integration launcher and `npm start`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The server's command-line switches. Only ever on 127.0.0.1: without a
 * connection token anyone who can reach the port can drive the workbench.
 */
export function serverArgs({ port, dataDir, extensionsDir, smokeTestDriver = true }) {
  return [
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-telemetry',
    '--user-data-dir', dataDir,
    '--server-data-dir', dataDir,
    '--extensions-dir', extensionsDir,
    // Makes the built workbench honour the extension-development `payload` of the URL.
    ...(smokeTestDriver ? ['--enable-smoke-test-driver'] : []),
  ];
}

/**
 * A workbench that shows the extension rather than itself: no gallery look-ups
 * (the network cannot reach one), no chat panel, no welcome page.
 */
export const QUIET_WORKBENCH_SETTINGS = {
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  // The web workbench saves edits after a second by default (the desktop does not): a test's
  // edits must stay unsaved until its clean-up puts the file back as it was on disk.
  'files.autoSave': 'off',
  // The checkout's own repository, found above a test workspace, is not the user's.
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Settings for a fresh server, written before the first window opens: as the
 * remote machine's settings and as the user's (the web workbench keeps the
 * user's settings on the server too), since some settings, workspace trust
 * among them, are read only at the user level.
 */
export function writeSettings(dataDir, settings) {
  for (const folder of [path.join(dataDir, 'Machine'), path.join(dataDir, 'User')]) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'settings.json'), JSON.stringify(settings, null, 2));
  }
}

/** Resolves once `url` answers any HTTP status; rejects after `timeoutMs`. */
export async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops every process of a child started with `detached: true` (its own group):
 * SIGTERM first so the server can clean up, SIGKILL for what is left after 5 s.
 * Stopping only the main process leaves its file watcher, agent host and
 * bundled runtimes running.
 */
export async function killProcessGroup(child) {
  const pgid = child.pid;
  if (pgid === undefined || !groupAlive(pgid)) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone between the check and the kill.
    }
  }
}

/** The last resort on `process.exit`, where nothing asynchronous runs any more. */
export function killProcessGroupNow(child) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
