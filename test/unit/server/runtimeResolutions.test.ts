/**
 * RuntimeResolutions with a resolver the test controls: which documents are
 * resolved (mode, trust, scheme), that a newer resolution aborts the older and
 * only the newer outcome counts, and that closing forgets. The real resolver
 * and python3 are exercised over LSP in lspRuntime.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Analyses } from '../../../server/src/analyses';
import { createPythonParser, loadPython } from '../../../core/analysis/parser';
import type { Parser } from '../../../core/analysis/parser';
import { DocumentStore } from '../../../server/src/documents';
import type { RuntimeOptions, RuntimeOutcome } from '../../../core/runtime/report';
import { RuntimeResolutions } from '../../../server/src/runtimeResolutions';
import { DEFAULT_SETTINGS } from '../../../core/settings';
import type { AnalysisMode } from '../../../core/settings';

const ROOT = path.resolve(__dirname, '../../..');
const DYNAMIC = readFileSync(path.join(ROOT, 'examples/dynamic_regions.py'), 'utf8');
const STATIC = readFileSync(path.join(ROOT, 'examples/example_vortex_dag.py'), 'utf8');
const URI = 'file:///work/dags/regions.py';

interface Call {
  file: string;
  options: RuntimeOptions;
  finish(outcome?: Partial<RuntimeOutcome>): void;
}

/** Every store a test made: their trees are wasm memory, freed after each test. */
const stores: DocumentStore[] = [];

function harness(parser: Parser, options: { mode?: AnalysisMode; trusted?: boolean; interpreter?: string | null } = {}) {
  const documents = new DocumentStore(parser);
  stores.push(documents);
  // Called only once both exist: the analyses read the resolutions' outcomes.
  const analyses: Analyses = new Analyses(documents, async () => ({ ...DEFAULT_SETTINGS, analysisMode: options.mode ?? 'auto', runtimeTimeoutSeconds: 7 }), (uri) => resolutions.outcome(uri));
  const calls: Call[] = [];
  const outcomes: Array<{ uri: string; outcome: RuntimeOutcome | undefined }> = [];
  const logs: string[] = [];
  const progress: string[] = [];
  const resolutions: RuntimeResolutions = new RuntimeResolutions({
    analyses,
    isTrusted: () => options.trusted ?? true,
    resolve: (file, opts) =>
      new Promise<RuntimeOutcome>((resolve, reject) => {
        opts.signal?.addEventListener('abort', () => {
          const error = new Error('runtime resolution was cancelled');
          error.name = 'AbortError';
          reject(error);
        });
        calls.push({
          file,
          options: opts,
          finish: (o = {}) => resolve({ status: 'resolved', path: file, dags: [], diagnostics: [], pythonPath: opts.pythonPath ?? 'python3', durationMs: 5, ...o }),
        });
      }),
    interpreter: async () => options.interpreter ?? null,
    sdkPath: '/sdk',
    progress: (message) => {
      progress.push(`begin ${message}`);
      return () => progress.push(`end ${message}`);
    },
    onOutcome: (uri, outcome) => outcomes.push({ uri, outcome }),
    logger: { log: (m) => logs.push(m), error: (m) => logs.push(`error: ${m}`) },
  });
  return { documents, analyses, resolutions, calls, outcomes, logs, progress };
}

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(probe(), `never: ${what}`);
}

describe('RuntimeResolutions: which files, one at a time, kept until close', () => {
  let parser: Parser;
  before(async () => {
    await loadPython();
    parser = await createPythonParser();
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.dispose();
  });
  after(() => parser.delete());

  it('resolves a file with dynamic tasks in auto mode, with the client\'s interpreter, the SDK and the timeout setting', async () => {
    const h = harness(parser, { interpreter: '/venv/bin/python' });
    h.documents.open(URI, 'python', 1, DYNAMIC);
    const pending = h.resolutions.consider(URI, 'open');
    await until('the resolver is called', () => h.calls.length === 1);
    assert.equal(h.calls[0].file, '/work/dags/regions.py');
    assert.equal(h.calls[0].options.pythonPath, '/venv/bin/python');
    assert.equal(h.calls[0].options.sdkPath, '/sdk');
    assert.equal(h.calls[0].options.timeoutMs, 7000);
    assert.ok(h.resolutions.isRunning(URI));
    assert.deepEqual(h.progress, ['begin resolving regions.py']);
    h.calls[0].finish();
    await pending;
    assert.equal(h.resolutions.outcome(URI)?.status, 'resolved');
    assert.equal(h.outcomes.length, 1);
    assert.deepEqual(h.progress, ['begin resolving regions.py', 'end resolving regions.py']);
    assert.match(h.logs[0], /regions\.py resolved in 5 ms with \/venv\/bin\/python/);
    assert.ok(!h.resolutions.isRunning(URI));
  });

  it('a newer resolution aborts the older; only the newer outcome is kept and announced', async () => {
    const h = harness(parser);
    h.documents.open(URI, 'python', 1, DYNAMIC);
    const first = h.resolutions.consider(URI, 'open');
    await until('the first call', () => h.calls.length === 1);
    const second = h.resolutions.consider(URI, 'save');
    await until('the second call', () => h.calls.length === 2);
    assert.ok(h.calls[0].options.signal?.aborted, 'the older was aborted');
    assert.ok(!h.calls[1].options.signal?.aborted);
    h.calls[1].finish({ durationMs: 9 });
    await Promise.all([first, second]);
    assert.equal(h.outcomes.length, 1);
    assert.equal(h.resolutions.outcome(URI)?.durationMs, 9);
    assert.ok(h.logs.some((l) => / superseded after \d+ ms/.test(l)), h.logs.join('\n'));
    assert.ok(!h.logs.some((l) => l.startsWith('error:')), h.logs.join('\n'));
  });

  it('the merged view follows the outcome: resolved() lays it over the static analysis', async () => {
    const h = harness(parser);
    h.documents.open(URI, 'python', 1, DYNAMIC);
    const pending = h.resolutions.consider(URI, 'open');
    await until('the call', () => h.calls.length === 1);
    assert.equal((await h.analyses.resolved(URI))?.tasks.length, 2, 'static until the outcome arrives');
    h.calls[0].finish({ status: 'failed', diagnostics: [{ code: 'VX501', severity: 'error', message: 'boom', range: { start: { line: 3, character: 0 }, end: { line: 3, character: 4 } } }] });
    await pending;
    const view = await h.analyses.resolved(URI);
    assert.equal(view?.tasks.length, 2);
    assert.deepEqual(view?.diagnostics.map((d) => d.code), ['VX404', 'VX404', 'VX404', 'VX501']);
    assert.equal(await h.analyses.resolved(URI), view, 'merged once per analysis and outcome');
    // The static view is untouched.
    assert.deepEqual((await h.analyses.analysis(URI))?.diagnostics.map((d) => d.code), ['VX404', 'VX404', 'VX404']);
  });

  it('auto mode leaves a file without dynamic tasks alone; runtime mode resolves it; static mode resolves nothing', async () => {
    const auto = harness(parser, { mode: 'auto' });
    auto.documents.open(URI, 'python', 1, STATIC);
    await auto.resolutions.consider(URI, 'open');
    assert.equal(auto.calls.length, 0);

    const runtime = harness(parser, { mode: 'runtime' });
    runtime.documents.open(URI, 'python', 1, STATIC);
    void runtime.resolutions.consider(URI, 'open');
    await until('the call', () => runtime.calls.length === 1);

    const never = harness(parser, { mode: 'static' });
    never.documents.open(URI, 'python', 1, DYNAMIC);
    await never.resolutions.consider(URI, 'open');
    await never.resolutions.consider(URI, 'save');
    assert.equal(never.calls.length, 0);
  });

  it('nothing runs untrusted, for files not on disk, or for ordinary Python', async () => {
    const untrusted = harness(parser, { trusted: false });
    untrusted.documents.open(URI, 'python', 1, DYNAMIC);
    await untrusted.resolutions.consider(URI, 'open');
    assert.equal(untrusted.calls.length, 0);

    const h = harness(parser, { mode: 'runtime' });
    h.documents.open('untitled:Untitled-1', 'python', 1, DYNAMIC);
    await h.resolutions.consider('untitled:Untitled-1', 'open');
    h.documents.open('file:///work/plain.py', 'python', 1, 'import os\nprint(os.getcwd())\n');
    await h.resolutions.consider('file:///work/plain.py', 'open');
    assert.equal(h.calls.length, 0);
  });

  it('after a trust or settings change, only a document without an outcome is resolved; one no longer asking is dropped', async () => {
    const h = harness(parser);
    h.documents.open(URI, 'python', 1, DYNAMIC);
    const pending = h.resolutions.consider(URI, 'open');
    await until('the call', () => h.calls.length === 1);
    h.calls[0].finish();
    await pending;
    await h.resolutions.consider(URI, 'settings');
    await h.resolutions.consider(URI, 'trust');
    assert.equal(h.calls.length, 1, 'already resolved');

    // The file no longer builds tasks dynamically: the runtime view goes, and the server hears of it.
    h.documents.change(URI, 2, [{ text: STATIC }]);
    await h.resolutions.consider(URI, 'save');
    assert.equal(h.resolutions.outcome(URI), undefined);
    assert.deepEqual(h.outcomes.map((o) => o.outcome?.status), ['resolved', undefined]);
  });

  it('closing forgets the outcome and aborts a running resolution, whose outcome is then ignored', async () => {
    const h = harness(parser);
    h.documents.open(URI, 'python', 1, DYNAMIC);
    const pending = h.resolutions.consider(URI, 'open');
    await until('the call', () => h.calls.length === 1);
    h.documents.close(URI);
    h.resolutions.forget(URI);
    assert.ok(h.calls[0].options.signal?.aborted);
    await pending;
    assert.equal(h.resolutions.outcome(URI), undefined);
    assert.deepEqual(h.outcomes, []);
    assert.deepEqual(h.progress, ['begin resolving regions.py', 'end resolving regions.py']);
  });
});
