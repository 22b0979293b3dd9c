/** Where the bundled Python SDK is, for the executor, runtime resolution and the spawner alike. */
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder holding the bundled Python SDK (`vortex/`): `sdk/` beside the
 * bundle in `dist/` (the build copies it there), or the repository's `python/`
 * when running from source.
 */
export function bundledSdkPath(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.join(here, 'sdk'), path.resolve(here, '..', 'python')];
  return candidates.find((dir) => existsSync(path.join(dir, 'vortex', '__init__.py'))) ?? candidates[0];
}
