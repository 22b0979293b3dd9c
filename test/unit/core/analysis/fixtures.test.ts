import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { inspectDags } from '../../../../cli/src/report';
import { loadFixtures } from '../../../support/fixtures';

const fixtures = loadFixtures();

describe('fixtures: every expectation written in the fixture files holds', () => {
  before(async () => {
    await loadPython();
  });

  for (const fixture of fixtures) {
    it(`${fixture.name}: diagnostics are exactly the expected ones`, () => {
      const analysis = analyse(fixture.text);
      const actual = new Map<number, string[]>();
      for (const d of analysis.diagnostics) {
        const line = d.range.start.line + 1;
        actual.set(line, [...(actual.get(line) ?? []), d.code].sort());
      }
      const describe = (m: Map<number, string[]>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([l, c]) => `${l}: ${c.join(', ')}`);
      const messages = analysis.diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('\n');
      assert.deepEqual(describe(actual), describe(fixture.expected), `reported:\n${messages}`);
    });
    if (fixture.golden !== undefined) {
      it(`${fixture.name}: DAGs, tasks and edges match the golden JSON`, () => {
        const analysis = analyse(fixture.text);
        assert.deepEqual({ dags: inspectDags(analysis) }, fixture.golden);
      });
    }
  }
});
