/** Installs or checks Chromium before the browser tier's first test (a mocha global fixture). */
import { ensureTier } from '../../scripts/vscode-server.mjs';

export async function mochaGlobalSetup(): Promise<void> {
  await ensureTier('browser');
}
