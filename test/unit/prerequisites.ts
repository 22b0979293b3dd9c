/** Installs or checks python3 before the unit tier's first test (a mocha global fixture). */
import { ensureTier } from '../../scripts/vscode-server.mjs';

export async function mochaGlobalSetup(): Promise<void> {
  await ensureTier('unit');
}
