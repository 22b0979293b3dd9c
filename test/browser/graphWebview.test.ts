/**
 * The graph webview's bundle in headless Chromium, loaded from its real HTML
 * with its real CSP: it draws a model the host would send, reports clicks,
 * shows run states, keeps hostile task ids as text, and runs no injected
 * inline script. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../core/analysis/analyse';
import { dagsJson } from '../../server/src/features/dagRequests';
import { runLayoutJob } from '../../client/src/graph/layoutJob';
import type { HostMessage } from '../../client/src/graph/messages';
import { graphModelOf } from '../../client/src/graph/dagGraph';
import type { GraphModel } from '../../client/src/graph/dagGraph';
import { FIXTURES_DIR } from '../support/fixtures';
import { ARTIFACTS, useGraphBrowser } from './graphPage';
import type { GraphPage } from './graphPage';

const HOSTILE = '<img src=x onerror=alert(1)>';

async function graphMessage(model: GraphModel, keepViewport = false): Promise<Extract<HostMessage, { type: 'graph' }>> {
  const view = await runLayoutJob({ id: 0, model, focus: null });
  return { type: 'graph', view, dags: [{ index: 0, label: model.dagId ?? 'DAG' }], uri: 'file:///w/dag.py', fileName: 'dag.py', keepViewport };
}

function seedModel(): GraphModel {
  const [dag] = dagsJson(analyse(readFileSync(path.join(FIXTURES_DIR, 'seed_example.py'), 'utf8')));
  return graphModelOf(dag, 0);
}

describe('graph webview in headless Chromium', function () {
  this.timeout(60_000);
  const browser = useGraphBrowser();
  let graph: GraphPage;
  const dialogs: string[] = [];

  beforeEach(async () => {
    graph = await browser().open();
    graph.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterEach(async () => {
    await graph?.close();
  });

  it('says "ready" first and carries a strict CSP with a nonce', async () => {
    const posted = await graph.posted();
    assert.deepEqual(posted[0], { type: 'ready' });
    const csp = await graph.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[\w-]{16,}'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const nonce = await graph.page.locator('script').first().getAttribute('nonce');
    assert.ok(csp.includes(`'nonce-${nonce}'`), 'the one script carries the nonce');
  });

  it('draws the seed example: four tasks with their operators, four arrows', async () => {
    await graph.draw(await graphMessage(seedModel()));
    const ids = await graph.page.locator('.node .task-id').allTextContents();
    assert.deepEqual(ids.sort(), ['end', 'process_data', 'run_script', 'start']);
    const operators = await graph.page.locator('.node .operator').allTextContents();
    assert.ok(operators.some((o) => o.includes('BashOperator')));
    assert.equal(await graph.page.locator('path.edge').count(), 4);
    assert.equal(await graph.page.locator('path.edge[marker-end]').count(), 4);
    assert.match((await graph.page.locator('#status').textContent()) ?? '', /4 tasks, 4 edges/);
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-webview-seed.png') });
  });

  it('a click on a node posts the reveal message for that task', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.page.locator('.node', { has: graph.page.locator('.task-id', { hasText: 'run_script' }) }).click();
    const posted = await graph.posted();
    assert.deepEqual(posted.at(-1), { type: 'reveal', taskId: 'run_script' });
  });

  it('shows run states with a colour class, an icon and a duration', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.send({
      type: 'runStates',
      dagId: 'example_vortex_dag',
      reset: true,
      tasks: [
        { taskId: 'start', state: 'success', durationMs: 120 },
        { taskId: 'run_script', state: 'failed', durationMs: 2500 },
        { taskId: 'process_data', state: 'running', durationMs: 800 },
        { taskId: 'end', state: 'upstream_failed' },
      ],
    });
    const node = (id: string) => graph.page.locator('.node', { has: graph.page.locator('.task-id', { hasText: new RegExp(`^${id}$`) }) });
    await node('run_script').locator('.run-state').waitFor();
    assert.match((await node('start').getAttribute('class')) ?? '', /state-success/);
    assert.match((await node('run_script').getAttribute('class')) ?? '', /state-failed/);
    assert.match((await node('end').getAttribute('class')) ?? '', /state-upstream_failed/);
    assert.equal(await node('run_script').locator('.run-state text').textContent(), '✗ failed · 2.5 s');
    assert.equal(await node('start').locator('.run-state text').textContent(), '✓ success · 120 ms');
    assert.equal(await node('end').locator('.run-state text').textContent(), '⚠ upstream failed');
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-webview-run-states.png') });
    // A new run clears the old states.
    await graph.send({ type: 'runStates', dagId: 'example_vortex_dag', reset: true, tasks: [{ taskId: 'start', state: 'queued' }] });
    await graph.page.waitForFunction(() => document.querySelectorAll('.node .run-state').length === 1);
    assert.match((await node('start').getAttribute('class')) ?? '', /state-queued/);
  });

  it('shows a hostile task id as those very characters, and runs nothing', async () => {
    const model: GraphModel = {
      dagIndex: 0,
      dagId: '<b>dag</b>',
      nodes: [HOSTILE, 'after'].map((id) => ({ id, operator: '<script>x</script>', kind: 'bash', diagnostics: { errors: 1, warnings: 0, infos: 0 }, groupId: null, decorated: false, mapped: false, branch: false, triggerRule: null })),
      edges: [{ from: HOSTILE, to: 'after', label: null }],
      groups: [],
    };
    await graph.draw(await graphMessage(model));
    const labels = await graph.page.locator('.node .task-id').allTextContents();
    assert.ok(labels.some((l) => HOSTILE.startsWith(l.replace(/…$/, ''))), `labels: ${labels.join(' | ')}`);
    const titles = await graph.page.locator('.node > title').allTextContents();
    assert.ok(titles.some((t) => t.startsWith(HOSTILE)));
    assert.equal(await graph.page.locator('img').count(), 0, 'no element was made from the id');
    assert.equal(await graph.page.locator('#nodes script').count(), 0);
    await graph.page.locator('.node').first().click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'reveal', taskId: HOSTILE });
    assert.deepEqual(dialogs, []);
    assert.equal(await graph.page.locator('.badge-error').count(), 2, 'tasks with errors carry a badge');
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-webview-hostile.png') });
  });

  it('ignores messages that are not the host\'s', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.send({ type: 'graph', view: { nodes: 'nope' } });
    await graph.send({ type: 'empty' });
    assert.equal(await graph.page.locator('.node').count(), 4);
  });

  it('the CSP blocks an injected inline script and inline style', async () => {
    const violations = graph.page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          document.addEventListener('securitypolicyviolation', (e) => {
            seen.push(e.violatedDirective);
            if (seen.length >= 2) resolve(seen);
          });
          setTimeout(() => resolve(seen), 3000);
        }),
    );
    await graph.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__pwned = true;';
      document.body.append(script);
      const style = document.createElement('style');
      style.textContent = 'body { display: none; }';
      document.head.append(style);
    });
    const seen = await violations;
    assert.equal(await graph.page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
    assert.ok(seen.some((d) => d.startsWith('script-src')), `violations: ${seen.join(', ')}`);
    assert.ok(seen.some((d) => d.startsWith('style-src')), `violations: ${seen.join(', ')}`);
    assert.ok(await graph.page.locator('#toolbar').isVisible(), 'the injected style did not apply');
  });

  it('search centres a task; focus asks for a neighbourhood; the picker lists several DAGs', async () => {
    const message = await graphMessage(seedModel());
    await graph.draw({ ...message, dags: [{ index: 0, label: 'first' }, { index: 1, label: 'second' }] });
    assert.ok(await graph.page.locator('#dag-picker').isVisible());
    await graph.page.locator('#dag-picker').selectOption('1');
    assert.deepEqual((await graph.posted()).at(-1), { type: 'selectDag', dagIndex: 1 });
    await graph.page.locator('#search').fill('process');
    await graph.page.locator('#search').press('Enter');
    const selected = graph.page.locator('.node.selected .task-id');
    assert.equal(await selected.textContent(), 'process_data');
    const box = await graph.page.locator('.node.selected').boundingBox();
    const svgBox = await graph.page.locator('#canvas').boundingBox();
    assert.ok(box && svgBox);
    assert.ok(Math.abs(box.x + box.width / 2 - (svgBox.x + svgBox.width / 2)) < 3, 'centred horizontally');
    await graph.page.locator('#depth').selectOption('1');
    await graph.page.locator('#focus').click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'focus', taskId: 'process_data', depth: 1 });
  });

  it('keeps zoom and position across a redraw of the same DAG; a highlight marks the node', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.page.locator('#zoom-in').click();
    const before = await graph.page.locator('#graph').evaluate((e) => (e as SVGSVGElement).style.transform);
    assert.match(before, /scale/);
    await graph.draw(await graphMessage(seedModel(), true));
    assert.equal(await graph.page.locator('#graph').evaluate((e) => (e as SVGSVGElement).style.transform), before);
    await graph.send({ type: 'highlight', taskId: 'end' });
    await graph.page.locator('.node.highlighted').waitFor();
    assert.equal(await graph.page.locator('.node.highlighted .task-id').textContent(), 'end');
  });

  it('saves the file, the DAG and the viewport after drawing and once a zoom settles, and places a restored graph where it was', async () => {
    // The page's transform, as numbers (CSS serialises them rounded).
    const transformOf = async () => {
      const css = await graph.page.locator('#graph').evaluate((e) => (e as SVGSVGElement).style.transform);
      const [x, y, k] = (/translate\(([-\d.e]+)px, ([-\d.e]+)px\) scale\(([-\d.e]+)\)/.exec(css) ?? []).slice(1).map(Number);
      return { x, y, k };
    };
    const near = (a: { x: number; y: number; k: number }, b: { x: number; y: number; k: number }) =>
      assert.ok(Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01 && Math.abs(a.k - b.k) < 1e-4, `${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
    await graph.draw(await graphMessage(seedModel()));
    const fitted = await graph.saved();
    assert.equal(fitted.told.length, 1, 'one state per drawing');
    const state = fitted.told[0] as { uri: string; dagIndex: number; viewport: { x: number; y: number; k: number } };
    assert.deepEqual(fitted.setState, state, 'what it tells the host is what VS Code keeps');
    assert.equal(state.uri, 'file:///w/dag.py');
    assert.equal(state.dagIndex, 0);
    near(await transformOf(), state.viewport);

    await graph.page.locator('#zoom-in').click();
    await graph.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'state').length === 2);
    const zoomed = (await graph.saved()).setState as typeof state;
    assert.ok(Math.abs(zoomed.viewport.k - state.viewport.k * 1.25) < 1e-9, 'the zoom is saved');

    // A new page (a reload): the host hands back the saved viewport with the graph, and the page uses it instead of fitting.
    await graph.close();
    graph = await browser().open();
    const restored = { x: 37, y: -21, k: 1.75 };
    await graph.draw({ ...(await graphMessage(seedModel())), viewport: restored });
    near(await transformOf(), restored);
    assert.deepEqual((await graph.saved()).setState, { uri: 'file:///w/dag.py', dagIndex: 0, viewport: restored });
  });

  it('shows why there is no graph on its own, without the tools that act on one', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.send({ type: 'empty', reason: 'dags/removed.py no longer exists. Open a DAG file to see its graph.' });
    await graph.page.locator('body[data-state="empty"]').waitFor({ state: 'attached' });
    assert.equal(await graph.page.locator('#status').textContent(), 'dags/removed.py no longer exists. Open a DAG file to see its graph.');
    assert.ok(await graph.page.locator('#status').isVisible());
    assert.equal(await graph.page.locator('#toolbar').isVisible(), false);
    assert.equal(await graph.page.locator('.node').count(), 0);
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-webview-empty.png') });
    // A DAG file again: the graph and its tools come back.
    await graph.draw(await graphMessage(seedModel()));
    assert.ok(await graph.page.locator('#toolbar').isVisible());
    assert.equal(await graph.page.locator('.node').count(), 4);
  });

  it('exports a standalone SVG through the host, with a minimap for large graphs', async () => {
    const nodes = Array.from({ length: 120 }, (_, i) => ({ id: `t${i}`, operator: 'BashOperator', kind: 'bash' as const, diagnostics: { errors: 0, warnings: 0, infos: 0 }, groupId: null, decorated: false, mapped: false, branch: false, triggerRule: null }));
    const edges = nodes.slice(1).map((n, i) => ({ from: `t${i % 10 === 9 ? i - 9 : i}`, to: n.id, label: null }));
    await graph.draw(await graphMessage({ dagIndex: 0, dagId: 'big', nodes, edges, groups: [] }));
    assert.ok(await graph.page.locator('#minimap').isVisible());
    assert.equal(await graph.page.locator('#minimap-nodes rect').count(), 120);
    await graph.page.locator('#export').click();
    const last = (await graph.posted()).at(-1) as { type: string; svg: string };
    assert.equal(last.type, 'exportSvg');
    assert.match(last.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((last.svg.match(/class="node /g) ?? []).length, 120);
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-webview-minimap.png') });
  });

  it('a click on a finished task shows its stdout and stderr in the panel, as text', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.send({
      type: 'runStates',
      dagId: 'example_vortex_dag',
      reset: true,
      tasks: [
        { taskId: 'run_script', state: 'failed', durationMs: 1500, stdout: `Hello from VORTEX!\n${HOSTILE}`, stderr: 'exit code 2' },
        { taskId: 'process_data', state: 'running', durationMs: 300 },
      ],
    });
    const node = (id: string) => graph.page.locator('.node', { has: graph.page.locator('.task-id', { hasText: new RegExp(`^${id}$`) }) });
    await node('run_script').locator('.run-state').waitFor();
    await node('run_script').click();
    await graph.page.locator('#output').waitFor({ state: 'visible' });
    assert.equal(await graph.page.locator('#stdout').textContent(), `Hello from VORTEX!\n${HOSTILE}`);
    assert.equal(await graph.page.locator('#stderr').textContent(), 'exit code 2');
    assert.match((await graph.page.locator('#output-title').textContent()) ?? '', /run_script: failed in 1\.5 s/);
    assert.equal(await graph.page.locator('img').count(), 0);
    await graph.page.screenshot({ path: path.join(ARTIFACTS, 'graph-webview-output.png') });
    // A task still running has no output to show yet.
    await node('process_data').click();
    await graph.page.locator('#output').waitFor({ state: 'hidden' });
  });

  it('a click on a finished task also shows its rendered command and its XCom, as text, and hides them for a task without', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.send({
      type: 'runStates',
      dagId: 'example_vortex_dag',
      reset: true,
      tasks: [
        { taskId: 'run_script', state: 'success', durationMs: 20, stdout: 'hi\n', stderr: '', rendered: `bash_command: echo 2024-03-05 ${HOSTILE}`, xcom: '{\n  "return_value": "hi"\n}' },
        { taskId: 'end', state: 'success', durationMs: 1, stdout: '', stderr: '' },
      ],
    });
    const node = (id: string) => graph.page.locator('.node', { has: graph.page.locator('.task-id', { hasText: new RegExp(`^${id}$`) }) });
    await node('run_script').locator('.run-state').waitFor();
    await node('run_script').click();
    await graph.page.locator('#output').waitFor({ state: 'visible' });
    assert.equal(await graph.page.locator('#rendered').textContent(), `bash_command: echo 2024-03-05 ${HOSTILE}`);
    assert.equal(await graph.page.locator('#xcom').textContent(), '{\n  "return_value": "hi"\n}');
    assert.ok(await graph.page.locator('#xcom-heading').isVisible());
    assert.equal(await graph.page.locator('img').count(), 0);
    await node('end').click();
    await graph.page.locator('#xcom').waitFor({ state: 'hidden' });
    assert.ok(await graph.page.locator('#rendered-heading').isHidden());
  });

  it('the selected task\'s run buttons post runTask, alone, with its upstream or with its downstream', async () => {
    await graph.draw(await graphMessage(seedModel()));
    assert.ok(await graph.page.locator('#run-task').isDisabled(), 'no task selected yet');
    await graph.page.locator('.node', { has: graph.page.locator('.task-id', { hasText: 'end' }) }).click();
    await graph.page.locator('#run-task').click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'runTask', dagId: 'example_vortex_dag', taskId: 'end', withUpstream: false });
    await graph.page.locator('#run-upstream').click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'runTask', dagId: 'example_vortex_dag', taskId: 'end', withUpstream: true });
    await graph.page.locator('#run-downstream').click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'runTask', dagId: 'example_vortex_dag', taskId: 'end', withUpstream: false, withDownstream: true });
  });

  it('the debug button is offered for a task that calls Python only, and posts debugTask', async () => {
    await graph.draw(await graphMessage(seedModel()));
    const node = (id: string) => graph.page.locator('.node', { has: graph.page.locator('.task-id', { hasText: new RegExp(`^${id}$`) }) });
    assert.ok(await graph.page.locator('#debug-task').isDisabled(), 'no task selected yet');
    await node('run_script').click();
    assert.ok(await graph.page.locator('#debug-task').isDisabled(), 'a Bash task has no Python to debug');
    await node('process_data').click();
    await graph.page.locator('#debug-task').click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'debugTask', dagId: 'example_vortex_dag', taskId: 'process_data' });
  });

  it('the run button posts runDag', async () => {
    await graph.draw(await graphMessage(seedModel()));
    await graph.page.locator('#run').click();
    assert.deepEqual((await graph.posted()).at(-1), { type: 'runDag', dagId: 'example_vortex_dag' });
  });
});
