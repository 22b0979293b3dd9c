// `npm run fuzz`: the unit tier's fuzz test with 50,000 cases (override with VORTEX_FUZZ_CASES).
import { spawnSync } from 'node:child_process';

// --no-config: .mocharc's spec would add the whole unit tier to the file named here.
const args = ['mocha', '--no-config', '--import=tsx', '--require', 'test/unit/prerequisites.ts', 'test/unit/core/analysis/fuzz.test.ts'];
const result = spawnSync('npx', args, {
  stdio: 'inherit',
  env: { ...process.env, VORTEX_FUZZ_CASES: process.env.VORTEX_FUZZ_CASES ?? '50000' },
});
process.exit(result.status ?? 1);
