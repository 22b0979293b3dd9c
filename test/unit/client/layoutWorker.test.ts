/**
 * The layout worker, run as the extension runs it (bundled by esbuild, a
 * worker thread behind `LayoutService`): it answers every job,
 * also the ones that arrive while it warms its layout library up between
 * jobs, with the same view the job gives in-process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import path from 'node:path';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { dagsJson } from '../../../server/src/features/dagRequests';
import { graphModelOf } from '../../../client/src/graph/dagGraph';
import { LayoutService } from '../../../client/src/graph/layoutService';
import { runLayoutJob, warmUpModel } from '../../../client/src/graph/layoutJob';
import { layoutGraph } from '../../../client/src/graph/layout';
import { overlappingNodes } from '../../../scripts/bench/layoutMeasures';
import { FIXTURES_DIR } from '../../support/fixtures';

const WORKER_SOURCE = path.resolve(__dirname, '..', '..', '..', 'client', 'src', 'graph', 'layoutWorker.ts');

describe('graph: the layout worker', function () {
  this.timeout(60_000);
  let service: LayoutService | undefined;
  let dir: string;
  let worker: string;

  before(async () => {
    await loadPython();
    dir = mkdtempSync(path.join(tmpdir(), 'vortex-layout-worker-'));
    worker = path.join(dir, 'graphLayout.js');
    await build({ entryPoints: [WORKER_SOURCE], outfile: worker, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    service?.dispose();
    service = undefined;
  });

  it('answers jobs that arrive while it warms up, with the view the job gives in-process', async () => {
    const model = graphModelOf(dagsJson(analyse(readFileSync(path.join(FIXTURES_DIR, 'graph', 'catalog_complex.py'), 'utf8')))[0], 0);
    service = new LayoutService(worker);
    const first = await service.layout(model, null);
    // The worker is now warming up between jobs: these arrive in the middle of it.
    const more = await Promise.all([service.layout(model, null), service.layout(model, { taskId: 'search_catalog', depth: 1 }), service.layout(model, null)]);
    const inProcess = await runLayoutJob({ id: 0, model, focus: null });
    for (const view of [first, more[0], more[2]]) assert.deepEqual(view, inProcess);
    assert.equal(more[1].focus?.taskId, 'search_catalog');
    assert.ok(more[1].nodes.length < model.nodes.length);
  });

  it('warms up on a DAG laid out the way a small DAG is', async () => {
    const layout = await layoutGraph(warmUpModel());
    assert.equal(layout.nodes.length, 60);
    assert.equal(overlappingNodes(layout.nodes), 0);
  });
});
