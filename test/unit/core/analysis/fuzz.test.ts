import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { loadFixtures } from '../../../support/fixtures';
import { mutate, randomSource } from '../../../support/mutate';

const CASES = Number(process.env.VORTEX_FUZZ_CASES ?? 2000);

describe('fuzz: random mutations of the fixtures', function () {
  this.timeout(0);

  it(`never throws and stays fast over ${CASES} mutated files`, async () => {
    await loadPython();
    const fixtures = loadFixtures();
    assert.ok(fixtures.length > 0);
    const random = randomSource(Number(process.env.VORTEX_FUZZ_SEED ?? 20261126));
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const fixture = fixtures[i % fixtures.length];
      const text = mutate(fixture.text, random);
      const started = performance.now();
      try {
        const analysis = analyse(text);
        for (const d of analysis.diagnostics) {
          assert.ok(d.range.start.line <= d.range.end.line, `a diagnostic range runs backwards in case ${i}`);
        }
      } catch (error) {
        assert.fail(`case ${i} (from ${fixture.name}) threw ${String(error)}\n--- text ---\n${text}`);
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    assert.ok(slowest < 1000, `the slowest case took ${slowest.toFixed(0)} ms`);
  });
});
