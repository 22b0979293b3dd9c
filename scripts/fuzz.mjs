// `npm run fuzz`: the unit tier's fuzz test with 50,000 cases (override with VORTEX_FUZZ_CASES).
import { spawnSync } from 'node:child_process';

const result = spawnSync('npx', ['mocha', 'test/unit/core/analysis/fuzz.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, VORTEX_FUZZ_CASES: process.env.VORTEX_FUZZ_CASES ?? '50000' },
});
process.exit(result.status ?? 1);
