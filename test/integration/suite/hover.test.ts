import * as assert from 'node:assert/strict';
import { cleanUp, openFile, positionOf, waitForHover } from '../support/helpers';

describe('hover', () => {
  after(cleanUp);

  it('reads a cron schedule in words, with the next runs', async () => {
    const { document } = await openFile('examples/example_vortex_dag.py');
    const text = await waitForHover(document.uri, positionOf(document, '"0 12 * * *"', 3));
    assert.match(text, /12:00/);
    assert.match(text, /UTC/, 'the next runs are given with UTC beside them');
  });

  it('explains why a schedule is invalid', async () => {
    const { document } = await openFile('dags/broken_pipeline.py');
    const text = await waitForHover(document.uri, positionOf(document, '"0 25 * * *"', 3));
    assert.match(text, /hour/i);
  });

  it('describes an operator and its parameters', async () => {
    const { document } = await openFile('examples/example_vortex_dag.py');
    const text = await waitForHover(document.uri, positionOf(document, 'BashOperator(', 2));
    assert.match(text, /bash_command/);
  });

  it('shows a task with its upstream and downstream tasks', async () => {
    const { document } = await openFile('examples/example_vortex_dag.py');
    const text = await waitForHover(document.uri, positionOf(document, 'run_script = ', 2));
    assert.match(text, /BashOperator/);
    assert.match(text, /start/);
    assert.match(text, /end/);
  });

  it('summarises a DAG on its dag_id', async () => {
    const { document } = await openFile('examples/example_vortex_dag.py');
    const text = await waitForHover(document.uri, positionOf(document, '"example_vortex_dag"', 3));
    assert.match(text, /\b4 tasks\b|\btasks\W+4\b/i, 'the number of tasks');
    assert.match(text, /vortex_team/);
    assert.match(text, /12:00/, 'the schedule in words');
  });
});
