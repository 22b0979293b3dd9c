/**
 * A real LSP client for protocol tests: starts `dist/server.js --stdio` as a
 * separate process and speaks JSON-RPC to it over the child's stdio.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  DidChangeTextDocumentNotification, DidCloseTextDocumentNotification, DidOpenTextDocumentNotification, DidSaveTextDocumentNotification, ExitNotification,
  InitializeRequest, InitializedNotification, PublishDiagnosticsNotification, ShutdownRequest, createProtocolConnection,
  StreamMessageReader, StreamMessageWriter, ConfigurationRequest, LogMessageNotification, WorkDoneProgress, WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';
import type {
  ClientCapabilities, InitializeResult, ProtocolConnection, PublishDiagnosticsParams, TextDocumentContentChangeEvent, WorkDoneProgressBegin,
  WorkDoneProgressEnd, WorkDoneProgressReport,
} from 'vscode-languageserver-protocol/node';
import { PythonInterpreterRequest, RuntimeResolvedNotification } from '../../core/protocol';
import type { RuntimeResolvedParams } from '../../core/protocol';

export const ROOT = path.resolve(__dirname, '../..');
export const SERVER = path.join(ROOT, 'dist', 'server.js');

let built = false;
/** Builds the bundles once per test process, so the tests never run a stale server. */
export function buildOnce(): void {
  if (built) return;
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
  built = true;
}

const CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true, symbol: {}, codeLens: { refreshSupport: true } },
  window: { workDoneProgress: true },
  textDocument: {
    publishDiagnostics: { versionSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown'] } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
  },
};

export class LspClient {
  readonly connection: ProtocolConnection;
  /** Every publishDiagnostics received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters = new Set<() => void>();
  /** What `workspace/configuration` answers for the `vortex` section. */
  settings: unknown = {};
  /** How many `workspace/codeLens/refresh` requests the server sent. */
  codeLensRefreshes = 0;
  /** What `vortex/pythonInterpreter` answers (null: python3). */
  interpreter: string | null = null;
  /** Every `vortex/runtimeResolved` received, in order. */
  readonly runtimeResolved: RuntimeResolvedParams[] = [];
  /** Every work-done progress the server reported, in order: `begin` (with its message) and `end`. */
  readonly progress: Array<WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd> = [];
  /** Every `window/logMessage` the server sent (its log), in order. */
  readonly logs: string[] = [];

  private constructor(readonly child: ChildProcess) {
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      for (const wake of this.waiters) wake();
    });
    this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => this.settings));
    this.connection.onNotification(LogMessageNotification.type, (params) => {
      this.logs.push(params.message);
      for (const wake of this.waiters) wake();
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/codeLens/refresh', () => {
      this.codeLensRefreshes++;
      return null;
    });
    this.connection.onRequest(PythonInterpreterRequest.type, () => this.interpreter);
    this.connection.onNotification(RuntimeResolvedNotification.type, (params) => {
      this.runtimeResolved.push(params);
      for (const wake of this.waiters) wake();
    });
    this.connection.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      this.connection.onProgress(WorkDoneProgress.type, token, (value) => {
        this.progress.push(value);
        for (const wake of this.waiters) wake();
      });
    });
    this.connection.listen();
  }

  /** Starts a server on `workspaceFolder`; `settings` is the `vortex` section it is given from the start. */
  static async start(workspaceFolder?: string, initializationOptions?: unknown, settings: unknown = {}): Promise<{ client: LspClient; result: InitializeResult }> {
    buildOnce();
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const client = new LspClient(child);
    client.settings = settings;
    const folderUri = workspaceFolder ? `file://${workspaceFolder}` : null;
    const result = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folderUri,
      capabilities: CAPABILITIES,
      workspaceFolders: folderUri ? [{ uri: folderUri, name: 'ws' }] : null,
      initializationOptions,
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return { client, result };
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
  }

  save(uri: string): Promise<void> {
    return this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Resolves with the first value `probe` returns other than undefined, polled after every message received; rejects after `timeoutMs`. */
  waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const first = probe();
      if (first !== undefined) {
        resolve(first);
        return;
      }
      const wake = () => {
        const value = probe();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Resolves with the first publish for `uri` (received from now on, or already received if `since` is given) that satisfies `accept`. */
  waitForDiagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10000, since = this.published.length): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      let seen = since;
      const check = (): boolean => {
        for (; seen < this.published.length; seen++) {
          const p = this.published[seen];
          if (p.uri === uri && accept(p)) {
            resolve(p);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const wake = () => {
        if (check()) done();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(this.published.filter((p) => p.uri === uri).slice(-3))}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } finally {
      this.connection.dispose();
      this.child.kill();
    }
  }
}
