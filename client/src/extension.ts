/**
 * The VS Code side of VORTEX: starts the language server (`dist/server.js`)
 * over IPC once a DAG file is in sight, and adds what only the editor can show:
 * the status bar item, the output channel and the commands.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ErrorCodes,
  LanguageClient,
  ResponseError,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { Commands } from '../../core/commands';
import { DagSummaryRequest, PythonInterpreterRequest, RuntimeResolvedNotification } from '../../core/protocol';
import type { RuntimeResolvedParams } from '../../core/protocol';
import { SERVER_EXEC_ARGV } from '../../server/src/serverProcess';
import { looksLikeDagDocument, workspaceHasDagFileNames } from './dagFile';
import { interpreterFor } from './runs/interpreter';
import { registerRuns, type RunsApi } from './runs';
import { DagStatusBar, type DagSummary, type StatusBarSnapshot } from './statusBar';
import { registerGraph } from './graph/register';
import type { GraphPanels } from './graph/panel';
import type { RunEvent } from '../../core/run/scheduler';
import type { GraphSnapshot } from './graph/panel';
import { MAX_OUTPUT_CHARS, type TaskRunState } from './graph/messages';
import type { TaskResult } from '../../core/run/taskExecutor';

/** The client id: VS Code reads the `vortex.trace.server` setting from it. */
const CLIENT_ID = 'vortex';
const CLIENT_NAME = 'VORTEX';

/**
 * What `activate` returns. The integration tests read it through
 * `vscode.extensions.getExtension(...).exports`, since an extension cannot see
 * another's status bar items or child processes.
 */
export interface VortexApi {
  /** Starts the language server unless it runs already; resolves once it answers. */
  ensureServerStarted(): Promise<void>;
  /** The language server's process id while it runs. */
  serverPid(): number | undefined;
  /** `not started` until a DAG file is in sight: ordinary Python workspaces never start the server. */
  serverState(): 'not started' | 'starting' | 'running' | 'stopped';
  /** What the status bar item shows now. */
  statusBar(): StatusBarSnapshot;
  /** Running DAGs and tasks: secrets and runs in progress. */
  runs: RunsApi;
  /** The graph panel's state, and a way to deliver a webview message to it (the tests cannot reach into the webview). */
  graph: {
    snapshot(): GraphSnapshot;
    receive(message: unknown): Promise<void>;
    /**
     * Hands `panel` (of view type `vortex.graph`) and a saved state to the serializer registered
     * with VS Code, as VS Code does after a window reload (which the test harness cannot do).
     */
    deserialize(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
    /** Shows task states of a run on the graph (the run engine's entry point). */
    showRunStates(dagId: string, tasks: TaskRunState[], reset?: boolean): void;
  };
  /** Every `vortex/runtimeResolved` the server sent this session, in order (its URIs as the server names them). */
  runtimeResolutions(): RuntimeResolvedParams[];
}

/** The one language client of this extension host; `deactivate` stops it. */
let server: ServerProcess | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<VortexApi> {
  const output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(output);

  /** Cleared when the server answers that it does not know the request, until its next start. */
  let summarySupported = true;
  const summarize = async (uri: vscode.Uri): Promise<DagSummary | null | undefined> => {
    const client = server?.client;
    if (!client?.isRunning() || !summarySupported) return undefined;
    try {
      return await client.sendRequest(DagSummaryRequest.type, { uri: client.code2ProtocolConverter.asUri(uri) });
    } catch (error) {
      if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) summarySupported = false;
      return undefined;
    }
  };
  const statusBar = new DagStatusBar(summarize);
  context.subscriptions.push(statusBar);

  // The server executed a DAG file (or dropped what it learned from doing so): what shows its tasks follows.
  const runtimeResolutions: RuntimeResolvedParams[] = [];
  const runtimeResolved = new vscode.EventEmitter<{ uri: vscode.Uri; params: RuntimeResolvedParams }>();
  context.subscriptions.push(runtimeResolved);
  const onRuntimeResolved = (params: RuntimeResolvedParams, uri: vscode.Uri): void => {
    runtimeResolutions.push(params);
    output.info(`Runtime view of ${uri.fsPath}: ${params.status ?? 'dropped'}, ${params.dags} DAG(s), ${params.tasks} task(s)`);
    runtimeResolved.fire({ uri, params });
  };

  const current = new ServerProcess(() => createClient(context, output, onRuntimeResolved), () => {
    summarySupported = true;
    void statusBar.refresh();
  });
  server = current;
  context.subscriptions.push(current);

  const startLogged = (): void => {
    current.ensureStarted().catch((error: unknown) => {
      output.error(`The VORTEX language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    });
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.restartServer, () => current.restart()),
    vscode.commands.registerCommand(Commands.showOutput, () => output.show(true)),
  );
  const { panels: graph, serializer: graphSerializer } = registerGraph(context, async () => {
    await current.ensureStarted().catch(() => undefined);
    return current.client?.isRunning() ? current.client : undefined;
  }, output);
  context.subscriptions.push(
    runtimeResolved.event(({ uri }) => {
      graph.runtimeResolved(uri);
      refreshOutline(uri);
      if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) void statusBar.refresh();
    }),
  );

  // A run needs the server's analysis, so it starts the server if nothing else has.
  const runs = registerRuns(context, () => current.ensureStarted().then(() => current.client));
  context.subscriptions.push(runs.onRunEvent(runStatesOnGraph(graph)));

  // The server costs a process; ordinary Python workspaces never pay for it.
  if (vscode.workspace.textDocuments.some(looksLikeDagDocument) || (await workspaceHasDagFileNames())) {
    startLogged();
  } else {
    const watcher = vscode.workspace.onDidOpenTextDocument((document) => {
      if (looksLikeDagDocument(document)) {
        watcher.dispose();
        startLogged();
      }
    });
    context.subscriptions.push(watcher);
  }

  return {
    ensureServerStarted: () => current.ensureStarted(),
    serverPid: () => current.client?.serverProcess?.pid,
    serverState: () => current.state(),
    statusBar: () => statusBar.snapshot(),
    runs,
    graph: {
      snapshot: () => graph.snapshot(),
      receive: (message) => graph.receive(message),
      deserialize: async (panel, state) => graphSerializer.deserializeWebviewPanel(panel, state),
      showRunStates: (dagId, tasks, reset) => graph.showRunStates(dagId, tasks, reset),
    },
    runtimeResolutions: () => [...runtimeResolutions],
  };
}

/**
 * Owns the language client across restarts. A client whose start failed cannot
 * start again (it keeps returning the failed start), so a restart then makes a
 * new one.
 */
class ServerProcess implements vscode.Disposable {
  client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly create: () => LanguageClient,
    private readonly onRunning: () => void,
  ) {}

  ensureStarted(): Promise<void> {
    this.starting ??= this.startNew();
    return this.starting;
  }

  async restart(): Promise<void> {
    if (this.client?.state === State.Running) {
      await this.client.restart();
      return;
    }
    const failed = this.client;
    this.client = undefined;
    this.starting = undefined;
    await failed?.dispose().catch(() => undefined);
    await this.ensureStarted();
  }

  state(): 'not started' | 'starting' | 'running' | 'stopped' {
    if (!this.client) return 'not started';
    switch (this.client.state) {
      case State.Starting:
        return 'starting';
      case State.Running:
        return 'running';
      default:
        return 'stopped';
    }
  }

  /** Stops a running server; resolves at once when there is none. */
  async stop(): Promise<void> {
    if (this.client?.state === State.Running) await this.client.stop();
  }

  private async startNew(): Promise<void> {
    const client = this.create();
    this.client = client;
    this.subscriptions.push(
      // Also after the automatic restart of a server that died.
      client.onDidChangeState((e) => {
        if (e.newState === State.Running) this.onRunning();
      }),
    );
    await client.start();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}

function createClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  onRuntimeResolved: (params: RuntimeResolvedParams, uri: vscode.Uri) => void,
): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  // IPC: the server runs on the extension host's own Node, with no stdio framing to get wrong.
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Only files on disk: the server reads the workspace's other DAG files from disk too.
    documentSelector: [{ scheme: 'file', language: 'python' }],
    diagnosticCollectionName: CLIENT_ID,
    outputChannel: output,
    // Tells the server when a `vortex.*` setting changes; it then pulls the
    // settings per document (workspace/configuration). File changes on disk need
    // nothing here: the server registers its own watcher for them.
    synchronize: { configurationSection: 'vortex' },
    // Run lenses execute code, so the server serves them only in a trusted workspace.
    // A function: read again at every (re)start, so a restart after trust was granted keeps the lenses.
    initializationOptions: () => ({ workspaceTrusted: vscode.workspace.isTrusted }),
    // The default error handler restarts a server that dies, up to 4 times in 3 minutes.
  };
  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  // Registered before start: the client installs them on every (re)start's connection.
  // The server executes DAG files with the same Python the runs use.
  client.onRequest(PythonInterpreterRequest.type, ({ uri }) => interpreterFor(client.protocol2CodeConverter.asUri(uri)));
  client.onNotification(RuntimeResolvedNotification.type, (params) => onRuntimeResolved(params, client.protocol2CodeConverter.asUri(params.uri)));
  return client;
}

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}

/** Shows each run's progress on the graph: states as they change, then durations and output. */
function runStatesOnGraph(graph: GraphPanels): (event: RunEvent) => void {
  // Task events name their run, not their DAG; the graph keys states by DAG.
  const dagOfRun = new Map<string, string>();
  return (event) => {
    switch (event.type) {
      case 'run-started':
        dagOfRun.set(event.runId, event.dagId);
        graph.showRunStates(event.dagId, event.taskIds.map((taskId) => ({ taskId, state: 'queued' as const })), true);
        return;
      case 'task-state': {
        const dagId = dagOfRun.get(event.runId);
        if (dagId === undefined) return;
        graph.showRunStates(dagId, [{ taskId: event.taskId, state: event.state, ...(event.result ? { durationMs: event.result.durationMs } : {}) }]);
        return;
      }
      case 'run-finished':
        dagOfRun.delete(event.result.runId);
        graph.showRunStates(
          event.result.dagId,
          event.result.tasks.map((t) => ({
            taskId: t.taskId,
            state: t.state,
            ...(t.result ? { durationMs: t.result.durationMs, stdout: t.result.stdout, stderr: t.result.stderr, ...runDetails(t.result) } : {}),
          })),
        );
        return;
      default:
        return;
    }
  };
}

/** A task's rendered fields and XCom as the graph's output pane shows them; absent when it has none. */
function runDetails(result: TaskResult): { rendered?: string; xcom?: string } {
  const rendered = Object.entries(result.rendered).map(([field, value]) => `${field}: ${value}`);
  return {
    ...(rendered.length > 0 ? { rendered: rendered.join('\n').slice(0, MAX_OUTPUT_CHARS) } : {}),
    ...(Object.keys(result.xcom).length > 0 ? { xcom: JSON.stringify(result.xcom, null, 2).slice(0, MAX_OUTPUT_CHARS) } : {}),
  };
}

/**
 * Makes VS Code ask for a document's symbols again, so the Outline and the
 * breadcrumbs list the tasks a runtime resolution found although the text did
 * not change. NOTE: VS Code caches symbols per document version and has no API
 * to refresh them (microsoft/vscode#108722); it drops that cache whenever a
 * symbol provider is registered or removed, so one that serves nothing is
 * registered for this file alone and removed at once.
 */
function refreshOutline(uri: vscode.Uri): void {
  vscode.languages.registerDocumentSymbolProvider({ scheme: uri.scheme, pattern: new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), path.basename(uri.fsPath)) }, { provideDocumentSymbols: () => [] }).dispose();
}
