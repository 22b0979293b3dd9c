/**
 * The VORTEX language server: owns the documents, the workspace index and one
 * object per feature, declares the capabilities and routes LSP events to them.
 */
import { CodeActionKind, DidChangeWatchedFilesNotification, FileChangeType, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { ClientCapabilities, Connection, InitializeParams, ServerCapabilities } from 'vscode-languageserver/node';
import { createPythonParser } from './analysis/parser';
import type { Parser } from './analysis/parser';
import { Analyses } from './analyses';
import { DocumentStore } from './documents';
import { CodeActionFeature } from './features/codeActions';
import { CodeLensFeature, TaskCountLens } from './features/codeLens';
import { COMPLETION_TRIGGERS, CompletionFeature } from './features/completion';
import { DagModelFeature } from './features/dagModel';
import { DiagnosticsFeature } from './features/diagnostics';
import { ShowGraphLens } from './features/graphCodeLens';
import { HoverFeature } from './features/hover';
import { NavigationFeature } from './features/navigation';
import { RunFeature } from './features/runCodeLens';
import { DocumentSymbolFeature, WorkspaceSymbolFeature } from './features/symbols';
import type { Logger } from './features/util';
import { DEFAULT_SETTINGS, settingsFrom } from './settings';
import type { VortexSettings } from './settings';
import { WorkspaceIndex } from './workspaceIndex';

/** A feature that answers LSP requests registers its handlers on the connection. */
export interface Feature {
  register(connection: Connection): void;
}

export class VortexServer {
  readonly documents: DocumentStore;
  readonly analyses: Analyses;
  readonly index: WorkspaceIndex;
  readonly diagnostics: DiagnosticsFeature;
  private readonly features: Feature[];
  private readonly logger: Logger;
  private readonly workspaceFolders: string[];

  private constructor(
    private readonly connection: Connection,
    private readonly clientCapabilities: ClientCapabilities,
    params: InitializeParams,
    private readonly parser: Parser,
  ) {
    this.logger = connection.console;
    this.documents = new DocumentStore(parser);
    this.analyses = new Analyses(this.documents, (uri) => this.readSettings(uri));
    // Files on disk are analysed under the limits open documents get.
    this.index = new WorkspaceIndex({ maxFileSize: async (uri) => (await this.analyses.settings(this.folderOf(uri))).maxFileSize, logger: this.logger });
    this.diagnostics = new DiagnosticsFeature(this.analyses, this.index, (p) => void connection.sendDiagnostics(p), this.logger);
    const runs = new RunFeature(this.analyses, clientCapabilities, params.initializationOptions, this.logger);
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
  static async initialize(connection: Connection, params: InitializeParams): Promise<VortexServer> {
    const parser = await createPythonParser();
    const server = new VortexServer(connection, params.capabilities, params, parser);
    server.register();
    return server;
  }

  capabilities(): ServerCapabilities {
    return {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
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
    });
    connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
      this.documents.change(d.uri, d.version, contentChanges);
      this.diagnostics.schedule(d.uri);
    });
    connection.onDidCloseTextDocument(({ textDocument: d }) => {
      this.documents.close(d.uri);
      this.analyses.forgetSettings(d.uri);
      this.diagnostics.clear(d.uri);
      // The file on disk is what the workspace holds now.
      void this.index.refreshFromDisk(d.uri).then((changed) => this.diagnostics.revalidateDefining(changed), (e: unknown) => this.logger.error(String(e)));
    });
    connection.onDidChangeConfiguration(() => {
      this.analyses.forgetSettings();
      for (const uri of this.documents.uris()) this.diagnostics.schedule(uri);
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
    for (const feature of this.features) feature.register(connection);
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
    this.diagnostics.dispose();
    this.documents.dispose();
    this.parser.delete();
  }
}
