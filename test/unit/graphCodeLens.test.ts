/** The "Show graph" lens: one per DAG, naming the shared command with the file and the DAG's index. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../server/src/analysis/analyse';
import { loadPython } from '../../server/src/analysis/parser';
import { Commands } from '../../server/src/commands';
import { ShowGraphLens } from '../../server/src/features/graphCodeLens';
import { FIXTURES_DIR } from '../support/fixtures';

describe('graph: the "Show graph" code lens', () => {
  before(async () => {
    await loadPython();
  });

  it('sits on each DAG call and opens that DAG', () => {
    const analysis = analyse(readFileSync(path.join(FIXTURES_DIR, 'two_dags.py'), 'utf8'));
    const lenses = new ShowGraphLens().lenses('file:///w/two_dags.py', analysis);
    assert.equal(lenses.length, 2);
    lenses.forEach((lens, index) => {
      assert.deepEqual(lens.range, analysis.dags[index].nameRange);
      assert.deepEqual(lens.command, { title: 'Show graph', command: Commands.showGraph, arguments: ['file:///w/two_dags.py', index] });
    });
  });

  it('gives nothing for a file without DAGs', () => {
    assert.deepEqual(new ShowGraphLens().lenses('file:///w/x.py', analyse('print(1)\n')), []);
  });
});
