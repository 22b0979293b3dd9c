/**
 * The VORTEX language server: owns the documents, the workspace index and one
 * object per feature, declares the capabilities and routes LSP events to them.
 */
import { CodeActionKind, CodeLensRefreshRequest, DidChangeWatchedFilesNotification, FileChangeType, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { ClientCapabilities, Connection, InitializeParams, ServerCapabilities } from 'vscode-languageserver/node';
import { createPythonParser } from '../../core/analysis/parser';
import type { Parser } from '../../core/analysis/parser';
import { Analyses } from './analyses';
import { DocumentStore } from './documents';
import { CodeActionFeature } from './features/codeActions';
import { CodeLensFeature, TaskCountLens } from './features/codeLens';
import { COMPLETION_TRIGGERS, CompletionFeature } from './features/completion';
import { DagModelFeature } from './features/dagRequests';
import { DiagnosticsFeature } from './features/diagnostics';
import { ShowGraphLens } from './features/graphCodeLens';
import { HoverFeature } from './features/hover';
import { NavigationFeature } from './features/navigation';
import { RunFeature } from './features/runCodeLens';
import { DocumentSymbolFeature, WorkspaceSymbolFeature } from './features/symbols';
import type { Logger } from './features/util';
import { bundledSdkPath } from '../../core/sdk';
import { PythonInterpreterRequest, RuntimeResolvedNotification } from '../../core/protocol';
import { resolveAtRuntime } from '../../core/runtime/resolver';
import type { RuntimeOutcome } from '../../core/runtime/report';
import { RuntimeResolutions } from './runtimeResolutions';
import type { Resolve } from './runtimeResolutions';
import { DEFAULT_SETTINGS, settingsFrom } from '../../core/settings';
import type { VortexSettings } from '../../core/settings';
import { WorkspaceIndex } from './workspaceIndex';
import { WorkspaceTrust } from './workspaceTrust';

/** A feature that answers LSP requests registers its handlers on the connection. */
export interface Feature {
  register(connection: Connection): void;
}

export class VortexServer {
  readonly documents: DocumentStore;
  readonly analyses: Analyses;
  readonly index: WorkspaceIndex;
  readonly diagnostics: DiagnosticsFeature;
  readonly trust: WorkspaceTrust;
  readonly runtime: RuntimeResolutions;
  private readonly features: Feature[];
  private readonly logger: Logger;
  private readonly workspaceFolders: string[];

  private constructor(
    private readonly connection: Connection,
    private readonly clientCapabilities: ClientCapabilities,
    params: InitializeParams,
    private readonly parser: Parser,
    resolve: Resolve,
  ) {
    this.logger = connection.console;
    this.documents = new DocumentStore(parser);
    this.analyses = new Analyses(this.documents, (uri) => this.readSettings(uri), (uri) => this.runtime.outcome(uri));
    // Files on disk are analysed under the limits open documents get.
    this.index = new WorkspaceIndex({ maxFileSize: async (uri) => (await this.analyses.settings(this.folderOf(uri))).maxFileSize, logger: this.logger, parser });
    this.diagnostics = new DiagnosticsFeature(this.analyses, this.index, (p) => void connection.sendDiagnostics(p), this.logger);
    this.trust = new WorkspaceTrust(params.initializationOptions);
    this.runtime = new RuntimeResolutions({
      analyses: this.analyses,
      isTrusted: () => this.trust.isTrusted(),
      resolve,
      interpreter: (uri) => this.pythonInterpreter(uri),
      sdkPath: bundledSdkPath(),
      progress: (message) => this.progress(message),
      onOutcome: (uri, outcome) => void this.runtimeChanged(uri, outcome),
      logger: this.logger,
    });
    this.trust.onDidChange((trusted) => {
      // Files opened while untrusted are resolved once trust is granted.
      if (trusted) for (const uri of this.documents.uris()) void this.runtime.consider(uri, 'trust');
    });
    const runs = new RunFeature(this.analyses, this.trust, () => this.refreshCodeLenses(), this.logger, (uri) => this.runtime.settle(uri));
    this.features = [
      new HoverFeature(this.analyses, this.logger),
      new DocumentSymbolFeature(this.analyses, this.logger),
      new WorkspaceSymbolFeature(this.index, this.logger),
      new CompletionFeature(this.analyses, this.logger),
      new CodeActionFeature(this.analyses, this.logger),
      new NavigationFeature(this.analyses, this.logger),
      new CodeLensFeature(this.analyses, [new TaskCountLens(), runs.lenses, new ShowGraphLens()], this.logger),
      new DagModelFeature(this.analyses, this.logger),
      runs,
    ];
    this.workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (this.workspaceFolders.length === 0 && params.rootUri) this.workspaceFolders.push(params.rootUri);
  }

  /** Loads the parser and builds the server; the connection's handlers are registered by `register()`. */
  static async initialize(connection: Connection, params: InitializeParams, resolve: Resolve = resolveAtRuntime): Promise<VortexServer> {
    const parser = await createPythonParser();
    const server = new VortexServer(connection, params.capabilities, params, parser, resolve);
    server.register();
    return server;
  }

  capabilities(): ServerCapabilities {
    return {
      // `save`: a saved file is resolved at runtime again (the runtime executes the file on disk).
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      hoverProvider: true,
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      completionProvider: { triggerCharacters: COMPLETION_TRIGGERS },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      referencesProvider: true,
      definitionProvider: true,
      codeLensProvider: { resolveProvider: false },
    };
  }

  private register(): void {
    const { connection } = this;
    connection.onDidOpenTextDocument(({ textDocument: d }) => {
      this.documents.open(d.uri, d.languageId, d.version, d.text);
      this.diagnostics.schedule(d.uri, 0);
      void this.runtime.consider(d.uri, 'open');
    });
    connection.onDidSaveTextDocument(({ textDocument: d }) => void this.runtime.consider(d.uri, 'save'));
    connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
      this.documents.change(d.uri, d.version, contentChanges);
      this.diagnostics.schedule(d.uri);
    });
    connection.onDidCloseTextDocument(({ textDocument: d }) => {
      this.documents.close(d.uri);
      this.runtime.forget(d.uri);
      this.analyses.forget(d.uri);
      this.diagnostics.clear(d.uri);
      // The file on disk is what the workspace holds now.
      void this.index.refreshFromDisk(d.uri).then((changed) => this.diagnostics.revalidateDefining(changed), (e: unknown) => this.logger.error(String(e)));
    });
    connection.onDidChangeConfiguration(() => {
      this.analyses.forgetSettings();
      for (const uri of this.documents.uris()) {
        this.diagnostics.schedule(uri);
        // A mode that now asks for a resolution gets one; one that no longer does drops it.
        void this.runtime.consider(uri, 'settings');
      }
    });
    connection.onDidChangeWatchedFiles(async ({ changes }) => {
      const changed = new Set<string>();
      for (const change of changes) {
        if (!change.uri.endsWith('.py') || this.documents.get(change.uri)) continue;
        const ids = change.type === FileChangeType.Deleted ? this.index.set(change.uri, undefined) : await this.index.refreshFromDisk(change.uri);
        for (const id of ids) changed.add(id);
      }
      this.diagnostics.revalidateDefining(changed);
    });
    connection.onInitialized(() => void this.initialized());
    connection.onShutdown(() => this.dispose());
    this.trust.register(connection);
    for (const feature of this.features) feature.register(connection);
  }

  /** Republishes the diagnostics of a document whose runtime view changed, refreshes its lenses and tells the client. */
  private async runtimeChanged(uri: string, outcome: RuntimeOutcome | undefined): Promise<void> {
    this.diagnostics.schedule(uri, 0);
    this.refreshCodeLenses();
    try {
      const view = await this.analyses.resolved(uri);
      await this.connection.sendNotification(RuntimeResolvedNotification.type, {
        uri,
        status: outcome?.status ?? null,
        dags: view?.dags.length ?? 0,
        tasks: view?.tasks.length ?? 0,
        durationMs: outcome?.durationMs ?? 0,
      });
    } catch (error) {
      this.logger.error(`VORTEX could not announce the runtime view of ${uri}: ${String(error)}`);
    }
  }

  /** Asks the client to ask for code lenses again (they were computed under other trust, or before a resolution). */
  private refreshCodeLenses(): void {
    if (!this.clientCapabilities.workspace?.codeLens?.refreshSupport) return;
    this.connection.sendRequest(CodeLensRefreshRequest.type).catch((e: unknown) => this.logger.error(`VORTEX codeLens refresh failed: ${String(e)}`));
  }

  /** The client's interpreter for a document (`vortex/pythonInterpreter`); null when it has no answer. */
  private async pythonInterpreter(uri: string): Promise<string | null> {
    try {
      const answer = await this.connection.sendRequest(PythonInterpreterRequest.type, { uri });
      return typeof answer === 'string' && answer.trim() !== '' ? answer : null;
    } catch {
      // A client without the request (another editor): python3.
      return null;
    }
  }

  /** Shows server-initiated progress (VS Code puts it in the status bar); the returned function ends it. */
  private progress(message: string): () => void {
    if (!this.clientCapabilities.window?.workDoneProgress) return () => undefined;
    let ended = false;
    let end: (() => void) | undefined;
    this.connection.window.createWorkDoneProgress().then(
      (reporter) => {
        // Begun only if the work is still going; a token created for nothing is just ended.
        if (!ended) reporter.begin('VORTEX', undefined, message);
        end = () => reporter.done();
        if (ended) end();
      },
      (e: unknown) => this.logger.error(`VORTEX progress failed: ${String(e)}`),
    );
    return () => {
      ended = true;
      end?.();
    };
  }

  private async initialized(): Promise<void> {
    try {
      if (this.clientCapabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.py' }] });
      }
      await this.index.scan(this.workspaceFolders, (uri) => this.documents.get(uri) !== undefined);
      // Open documents may now clash with files that were not indexed when they were first checked.
      for (const uri of this.documents.uris()) this.diagnostics.schedule(uri);
    } catch (error) {
      this.logger.error(`VORTEX start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  /**
   * The workspace folder holding `uri` (the innermost), else `uri` itself. A
   * resource's settings are its folder's, so the scan asks once per folder
   * rather than once per file.
   */
  private folderOf(uri: string): string {
    let found: string | undefined;
    for (const folder of this.workspaceFolders) {
      const prefix = folder.endsWith('/') ? folder : `${folder}/`;
      if (uri.startsWith(prefix) && (!found || folder.length > found.length)) found = folder;
    }
    return found ?? uri;
  }

  private async readSettings(uri: string): Promise<VortexSettings> {
    if (!this.clientCapabilities.workspace?.configuration) return DEFAULT_SETTINGS;
    try {
      return settingsFrom(await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'vortex' }));
    } catch (error) {
      this.logger.error(`VORTEX could not read the settings of ${uri}: ${String(error)}`);
      return DEFAULT_SETTINGS;
    }
  }

  private dispose(): void {
    this.runtime.dispose();
    this.diagnostics.dispose();
    this.documents.dispose();
    this.parser.delete();
  }
}
