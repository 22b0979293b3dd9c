// Language server benchmark: median didChange → publishDiagnostics over stdio
// (debounce included) on generated 300- and 5,000-task DAG files, and the
// server's resident memory with the large file open and after 1,000 edits.
// The server is started with the V8 flags VS Code's client gives it
// (server/src/serverProcess.json). Run after `npm run build`: node scripts/bench-lsp.mjs
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest, InitializedNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, PublishDiagnosticsNotification, ConfigurationRequest,
  ShutdownRequest, ExitNotification,
} from 'vscode-languageserver-protocol/node';

const TARGETS = { 300: 75, 5000: 250 };
const { execArgv } = JSON.parse(readFileSync(new URL('../server/src/serverProcess.json', import.meta.url), 'utf8'));
const RSS_LIMIT_MB = 150;
const EDITS_PER_SIZE = 40;

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
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
  await connection.sendNotification(InitializedNotification.type, {});
  const published = (uri, version) => new Promise((resolve) => waiting.set(`${uri}@${version}`, resolve));

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

  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  connection.dispose();
  child.kill();
}

await main();
