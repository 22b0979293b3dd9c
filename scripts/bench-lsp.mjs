// Language server benchmark: median didChange → publishDiagnostics over stdio
// (debounce included) on generated 300- and 5,000-task DAG files, the
// server's resident memory with the large file open and after 1,000 edits,
// and the same 300-task latency while the server resolves a large loop-built
// file at runtime (python3 executing it, back to back), as a ratio against
// the latency without it, measured in the same run: static diagnostics must
// not wait for the runtime.
// The server is started with the V8 flags VS Code's client gives it
// (server/src/serverProcess.json). Run after `npm run build`: node scripts/bench-lsp.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest, InitializedNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, DidSaveTextDocumentNotification, PublishDiagnosticsNotification,
  ConfigurationRequest, ShutdownRequest, ExitNotification,
} from 'vscode-languageserver-protocol/node';

const TARGETS = { 300: 75, 5000: 250 };
const { execArgv } = JSON.parse(readFileSync(new URL('../server/src/serverProcess.json', import.meta.url), 'utf8'));
const RSS_LIMIT_MB = 150;
const EDITS_PER_SIZE = 40;
/** Tasks the loop-built file makes at runtime (and its source also names as many, so it is large to read too). */
const RUNTIME_TASKS = 5000;
/** The 300-task latency while resolving may be at most this many times the latency without. */
const RUNTIME_RATIO_TARGET = 1.5;

/** A DAG file of `n` tasks: a chain with a fan-out every ten tasks, like the perf notes' probe. */
export function generateDag(n) {
  const lines = ['from airflow import DAG', 'from airflow.operators.bash import BashOperator', '', 'with DAG(dag_id="bench_dag", schedule_interval="0 12 * * *") as dag:'];
  for (let i = 0; i < n; i++) lines.push(`    t${i} = BashOperator(task_id="t${i}", bash_command="echo ${i}")`);
  for (let i = 1; i < n; i++) lines.push(`    t${i % 10 === 0 ? i - 10 : i - 1} >> t${i}`);
  return lines.join('\n') + '\n';
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/**
 * A large DAG file that builds most of its tasks in loops (VX404, so the
 * default `auto` mode resolves it): `n` literal tasks, then `n` made in a loop.
 */
export function generateLoopDag(n) {
  const lines = generateDag(n)
    .replace('dag_id="bench_dag"', 'dag_id="bench_runtime_dag"')
    // The SDK's own imports: it runs as it is, whichever Airflow modules the SDK stands in for.
    .replace('from airflow import DAG', 'from vortex import DAG')
    .replace('from airflow.operators.bash import', 'from vortex.operators.bash import')
    .trimEnd()
    .split('\n');
  lines.push(
    `    previous = t${n - 1}`,
    `    for i in range(${n}):`,
    '        made = BashOperator(task_id=f"loop_{i}", bash_command=f"echo loop {i}")',
    '        if i % 10:',
    '            previous >> made',
    '        previous = made',
  );
  return lines.join('\n') + '\n';
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const child = spawn(process.execPath, [...execArgv, 'dist/server.js', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map();
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    const key = `${p.uri}@${p.version}`;
    waiting.get(key)?.(p);
    waiting.delete(key);
  });
  connection.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => ({})));
  // The runtime section resolves a file: the server asks which Python (python3) and announces each outcome.
  connection.onRequest('vortex/pythonInterpreter', () => null);
  const resolvedListeners = new Set();
  connection.onNotification('vortex/runtimeResolved', (p) => {
    for (const listener of resolvedListeners) listener(p);
  });
  connection.listen();
  // Trusted, as VS Code says in a trusted workspace: runtime resolution is on (mode `auto`); the 300- and 5,000-task files have no loops, so only the runtime section's file is resolved.
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: { workspace: { configuration: true } }, initializationOptions: { workspaceTrusted: true },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const published = (uri, version) => new Promise((resolve) => waiting.set(`${uri}@${version}`, resolve));

  /** Median didChange → publishDiagnostics over `edits` edits of a file opened earlier (`state` carries its version on). */
  const editLatency = async (state, edits) => {
    const times = [];
    for (let i = 0; i < edits; i++) {
      state.version++;
      // Alternately type a digit into the command and delete it again.
      const change = state.typed
        ? { range: { start: { line: state.line, character: state.column }, end: { line: state.line, character: state.column + 1 } }, text: '' }
        : { range: { start: { line: state.line, character: state.column }, end: { line: state.line, character: state.column } }, text: '9' };
      state.typed = !state.typed;
      const done = published(state.uri, state.version);
      const start = performance.now();
      await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: state.uri, version: state.version }, contentChanges: [change] });
      await done;
      times.push(performance.now() - start);
    }
    return times;
  };

  const results = {};
  for (const n of [300, 5000]) {
    const uri = `file:///bench/dag_${n}.py`;
    const text = generateDag(n);
    let opened = published(uri, 1);
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
    await opened;
    const line = 4 + Math.floor(n / 2); // a task in the middle: `    tK = BashOperator(task_id="tK", bash_command="echo K")`
    const lineText = text.split('\n')[line];
    const column = lineText.indexOf('echo ') + 5;
    const times = [];
    let version = 1;
    for (let i = 0; i < EDITS_PER_SIZE; i++) {
      version++;
      // Alternately type a digit into the command and delete it again.
      const change = i % 2 === 0
        ? { range: { start: { line, character: column }, end: { line, character: column } }, text: '9' }
        : { range: { start: { line, character: column }, end: { line, character: column + 1 } }, text: '' };
      const done = published(uri, version);
      const start = performance.now();
      await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
      await done;
      times.push(performance.now() - start);
    }
    results[n] = { median: median(times), max: Math.max(...times), uri, version, line, column };
    console.log(`didChange → publishDiagnostics, ${n} tasks (${(text.length / 1024).toFixed(0)} KB): median ${median(times).toFixed(1)} ms (target ≤ ${TARGETS[n]} ms), max ${Math.max(...times).toFixed(1)} ms`);
  }

  const big = results[5000];
  const openRss = rssMb(child.pid);
  console.log(`server RSS with the 5,000-task file open: ${openRss.toFixed(1)} MB (target ≤ ${RSS_LIMIT_MB} MB)`);
  let version = big.version;
  let last;
  for (let i = 0; i < 1000; i++) {
    version++;
    const change = i % 2 === 0
      ? { range: { start: { line: big.line, character: big.column }, end: { line: big.line, character: big.column } }, text: '7' }
      : { range: { start: { line: big.line, character: big.column }, end: { line: big.line, character: big.column + 1 } }, text: '' };
    // Wait for every tenth publish so the edits are analysed, not only coalesced.
    if (i % 10 === 9) last = published(big.uri, version);
    await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: big.uri, version }, contentChanges: [change] });
    if (last) {
      await last;
      last = undefined;
    }
  }
  const afterRss = rssMb(child.pid);
  console.log(`server RSS after 1,000 edits: ${afterRss.toFixed(1)} MB (${afterRss - openRss >= 0 ? '+' : ''}${(afterRss - openRss).toFixed(1)} MB)`);

  await runtimeSection(connection, editLatency, resolvedListeners, results[300]);

  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  connection.dispose();
  child.kill();
}

/**
 * The 300-task file's edit latency without, then with, a runtime resolution
 * of a large loop-built file running: each outcome saves the file again, so
 * resolutions run back to back (the Python process, reading its report,
 * merging and republishing) for as long as the edits last. Rounds of edits
 * alternate between the two so that machine noise falls on both alike.
 */
async function runtimeSection(connection, editLatency, resolvedListeners, small) {
  const folder = mkdtempSync(path.join(tmpdir(), 'vortex-bench-runtime-'));
  try {
    const file = path.join(folder, 'bench_runtime_dag.py');
    const text = generateLoopDag(RUNTIME_TASKS);
    writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    const state = { uri: small.uri, version: small.version, line: small.line, column: small.column, typed: false };

    let resolving = false;
    const durations = [];
    let lastStatus;
    let firstOutcome;
    const outcome = new Promise((resolve) => (firstOutcome = resolve));
    resolvedListeners.add((p) => {
      if (p.uri !== uri) return;
      durations.push(p.durationMs);
      lastStatus = `${p.status}, ${p.tasks} tasks`;
      firstOutcome(p);
      // Back to back while the edits run.
      if (resolving) void connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    });
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
    const first = await outcome;
    console.log(`runtime resolution of a ${RUNTIME_TASKS * 2}-task loop-built file (${(text.length / 1024).toFixed(0)} KB): ${first.status}, ${first.tasks} tasks in ${first.durationMs.toFixed(0)} ms`);

    const without = [];
    const during = [];
    const BLOCK = 10;
    const endedSince = async (count) => {
      while (durations.length <= count) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    for (let round = 0; round < EDITS_PER_SIZE / BLOCK; round++) {
      without.push(...(await editLatency(state, BLOCK)));
      resolving = true;
      const before = durations.length;
      await connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
      // Edits until two resolutions have ended, so they meet every phase of one: the Python process, reading its report, merging, republishing.
      for (let n = 0; n < BLOCK || durations.length < before + 2; n++) during.push(...(await editLatency(state, 1)));
      resolving = false;
      // The resolution the last outcome started ends before the next block without.
      await endedSince(durations.length);
    }
    const ratio = median(during) / median(without);
    console.log(
      `didChange → publishDiagnostics, 300 tasks, while resolving at runtime: median ${median(during).toFixed(1)} ms against ${median(without).toFixed(1)} ms without ` +
      `(ratio ${ratio.toFixed(2)}, target ≤ ${RUNTIME_RATIO_TARGET}), max ${Math.max(...during).toFixed(1)} ms; ` +
      `${during.length} edits during ${durations.length} resolutions (median ${median(durations).toFixed(0)} ms, last ${lastStatus})`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
