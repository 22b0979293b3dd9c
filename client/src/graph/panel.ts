/**
 * The "DAG Graph" webview panel: opens beside the editor, follows the active
 * DAG file, redraws after edits, reveals tasks on click, highlights the task
 * under the cursor, exports SVG and forwards run requests. One panel per
 * window: it follows the user rather than pinning one file.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../core/commands';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DagModelRequest } from '../../../core/protocol';
import type { DagModelResult } from '../../../core/protocol';
import { looksLikeDagDocument } from '../dagFile';
import { graphHtml } from './html';
import { isWebviewMessage, readGraphPanelState } from './messages';
import type { GraphPanelState, HostMessage, TaskRunState, Viewport, WebviewMessage } from './messages';
import type { LayoutService } from './layoutService';
import { dagAt, dagChoices, graphModelOf, taskAt } from './dagGraph';

export const GRAPH_VIEW_TYPE = 'vortex.graph';
/** Edits are coalesced this long before the graph asks the server again; with the layout it stays within 200 ms. */
const EDIT_DEBOUNCE_MS = 30;

/** What the integration tests read about the panel (they cannot see inside the webview). */
export interface GraphSnapshot {
  open: boolean;
  uri: string | undefined;
  dagId: string | null | undefined;
  dagIndex: number | undefined;
  nodes: string[];
  /** The TaskGroups drawn, collapsed (one node each, not in `nodes`) and expanded (boxes). */
  groups: { collapsed: string[]; expanded: string[] };
  edges: number;
  highlighted: string | null;
  /** Graph messages posted since the panel opened: a redraw after an edit adds one. */
  draws: number;
  /** `Date.now()` when the last graph message was posted. */
  drawnAt: number;
  /** What the page said it saved last (`setState`): what VS Code would hand the serializer after a reload. */
  saved: GraphPanelState | null;
  /** The last run states the loaded page was sent: the run's DAG and the tasks the message named. */
  runStates: { dagId: string; tasks: string[] } | null;
  /** The message the page shows instead of a graph (once delivered to the loaded page), or null. */
  message: string | null;
}

const CLOSED: GraphSnapshot = { open: false, uri: undefined, dagId: undefined, dagIndex: undefined, nodes: [], groups: { collapsed: [], expanded: [] }, edges: 0, highlighted: null, draws: 0, drawnAt: 0, saved: null, message: null, runStates: null };

/** Which picture the page shows: the same key keeps the user's zoom. */
function viewKey(uri: string, dagIndex: number, focus: { taskId: string; depth: number } | null): string {
  return JSON.stringify([uri, dagIndex, focus]);
}

export class GraphPanels implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  private uri: vscode.Uri | undefined;
  private dagIndex = 0;
  /** Set while the DAG to show is "the one at the cursor", until the server's answer says which that is. */
  private pendingCursor: vscode.Position | undefined;
  private focus: { taskId: string; depth: number } | null = null;
  private result: DagModelResult | undefined;
  /** Which file and DAG the webview shows, to keep the user's zoom while they stay the same. */
  private shownKey: string | undefined;
  /**
   * Where the page last left the whole DAG (or where a restored panel's state says it was), for
   * the next time the page loads: after a reload, or when VS Code shows a hidden panel again.
   */
  private savedViewport: { key: string; viewport: Viewport } | undefined;
  /**
   * The groups the user collapsed or expanded (against the default) in the DAG
   * `key` names: kept across redraws and focus, forgotten for another DAG.
   */
  private toggledGroups: { key: string; ids: Set<string> } = { key: '', ids: new Set() };
  /**
   * The last run's task states as they stand, for a page that loads anew (VS
   * Code tears a hidden webview down, so states sent while it was hidden would
   * be lost): replayed after the graph on every "ready".
   */
  private lastRun: { dagId: string; tasks: Map<string, TaskRunState> } | undefined;
  private sequence = 0;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private snapshotState: GraphSnapshot = { ...CLOSED };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => Promise<LanguageClient | undefined>,
    private readonly layout: LayoutService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || !editor || !looksLikeDagDocument(editor.document)) return;
        if (editor.document.uri.toString() === this.uri?.toString()) return;
        this.follow(editor.document.uri, editor.selection.active);
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (!this.panel || event.document.uri.toString() !== this.uri?.toString() || event.contentChanges.length === 0) return;
        clearTimeout(this.editTimer);
        this.editTimer = setTimeout(() => void this.refresh(), EDIT_DEBOUNCE_MS);
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (this.panel && event.textEditor.document.uri.toString() === this.uri?.toString()) this.highlightAt(event.selections[0].active);
      }),
    );
  }

  /** The command: shows the graph of `uri` (default: the active editor's file), `dagIndex` chosen or under the cursor. */
  async show(uri?: vscode.Uri, dagIndex?: number): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const target = uri ?? editor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('Open a DAG file to see its graph.');
      return;
    }
    const cursor = editor && editor.document.uri.toString() === target.toString() ? editor.selection.active : new vscode.Position(0, 0);
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(
        GRAPH_VIEW_TYPE,
        'DAG Graph',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: this.resourceRoots() },
      );
      this.adopt(panel);
    } else {
      this.panel.reveal(undefined, true);
    }
    this.follow(target, dagIndex ?? cursor);
  }

  /**
   * The serializer: a panel restored after a window reload shows what it showed,
   * the same file, DAG and viewport (`state` is what the page last saved).
   */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    if (this.panel) {
      // A second restored panel (two windows' state merged) would fight the first over the file.
      panel.dispose();
      return;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    this.adopt(panel);
    const saved = readGraphPanelState(state);
    const editor = vscode.window.activeTextEditor;
    if (saved) {
      const uri = vscode.Uri.parse(saved.uri);
      if (saved.viewport) this.savedViewport = { key: viewKey(uri.toString(), saved.dagIndex, null), viewport: saved.viewport };
      this.follow(uri, saved.dagIndex);
    } else if (editor && looksLikeDagDocument(editor.document)) {
      this.follow(editor.document.uri, editor.selection.active);
    }
    // Else it waits for a DAG file, and says so (see refresh).
  }

  /**
   * The server executed the followed file (or dropped what that showed): redraws
   * with the tasks it built, fitted anew since whole branches may have appeared.
   */
  runtimeResolved(uri: vscode.Uri): void {
    if (!this.panel || uri.toString() !== this.uri?.toString()) return;
    this.shownKey = undefined;
    this.savedViewport = undefined;
    void this.refresh();
  }

  /** For the run engine: shows task states of a run of `dagId` on the graph. */
  showRunStates(dagId: string, tasks: TaskRunState[], reset = false): void {
    if (reset || this.lastRun?.dagId !== dagId) this.lastRun = { dagId, tasks: new Map() };
    for (const t of tasks) this.lastRun.tasks.set(t.taskId, t);
    this.postRunStates(dagId, reset, tasks);
  }

  private postRunStates(dagId: string, reset: boolean, tasks: TaskRunState[]): void {
    this.post({ type: 'runStates', dagId, reset, tasks });
    if (this.ready) this.snapshotState = { ...this.snapshotState, runStates: { dagId, tasks: tasks.map((t) => t.taskId) } };
  }

  snapshot(): GraphSnapshot {
    return { ...this.snapshotState, nodes: [...this.snapshotState.nodes], groups: { collapsed: [...this.snapshotState.groups.collapsed], expanded: [...this.snapshotState.groups.expanded] } };
  }

  /** Handles a message as if the webview had sent it; the integration tests drive the panel through this. */
  receive(message: unknown): Promise<void> {
    return this.onMessage(message);
  }

  private resourceRoots(): vscode.Uri[] {
    // Only the webview's own script and style sheet: nothing else of the extension is readable from the page.
    return [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media', 'graph')];
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.shownKey = undefined;
    this.snapshotState = { ...this.snapshotState, open: true, draws: 0 };
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message)),
      panel.onDidDispose(() => this.forgetPanel()),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; once visible again it loads anew and says "ready".
        if (!panel.visible) this.ready = false;
      }),
    ];
    panel.webview.html = this.html(panel.webview);
  }

  private html(webview: vscode.Webview): string {
    return graphHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64url'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'graph.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'graph', 'graph.css')).toString(),
      codiconsUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'codicon.css')).toString(),
    });
  }

  private forgetPanel(): void {
    for (const d of this.panelSubscriptions) d.dispose();
    this.panelSubscriptions = [];
    this.panel = undefined;
    this.ready = false;
    this.uri = undefined;
    this.result = undefined;
    this.savedViewport = undefined;
    this.snapshotState = { ...CLOSED };
  }

  /** Shows `uri`'s DAG number `dag`, or the DAG around that position once the server has said where its DAGs are. */
  private follow(uri: vscode.Uri, dag: number | vscode.Position): void {
    this.uri = uri;
    this.dagIndex = typeof dag === 'number' ? dag : 0;
    this.pendingCursor = typeof dag === 'number' ? undefined : dag;
    this.focus = null;
    if (this.panel) this.panel.title = `DAG Graph: ${path.basename(uri.fsPath)}`;
    void this.refresh();
  }

  private post(message: HostMessage): void {
    // Before "ready" the page is not listening; the ready handler sends the current state.
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isWebviewMessage(raw)) {
      this.log.warn(`The graph view sent a message VORTEX does not know: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    const message: WebviewMessage = raw;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.shownKey = undefined;
        // A reloaded page has lost its highlight: forget it so the refresh sends it again.
        // Nor has it saved anything yet.
        this.snapshotState = { ...this.snapshotState, highlighted: null, saved: null, runStates: null };
        await this.refresh();
        // A run that went on (or ended) while the page was hidden shows as it stands now.
        if (this.lastRun) this.postRunStates(this.lastRun.dagId, true, [...this.lastRun.tasks.values()]);
        return;
      case 'reveal':
        await this.reveal(message.taskId);
        return;
      case 'selectDag':
        if (this.result && message.dagIndex < this.result.dags.length) {
          this.dagIndex = message.dagIndex;
          this.focus = null;
          await this.refresh();
        }
        return;
      case 'focus':
        this.focus = message.taskId === null ? null : { taskId: message.taskId, depth: message.depth };
        this.shownKey = undefined;
        await this.refresh();
        return;
      case 'runDag':
        await this.run(Commands.runDag, message.dagId ?? undefined);
        return;
      case 'runTask':
        await this.run(
          message.withDownstream ? Commands.runTaskWithDownstream : message.withUpstream ? Commands.runTaskWithUpstream : Commands.runTask,
          message.dagId ?? undefined,
          message.taskId,
        );
        return;
      case 'debugTask':
        await this.run(Commands.debugTask, message.dagId ?? undefined, message.taskId);
        return;
      case 'toggleGroup': {
        const ids = this.toggledGroups.ids;
        if (ids.has(message.groupId)) ids.delete(message.groupId);
        else ids.add(message.groupId);
        await this.refresh();
        return;
      }
      case 'exportSvg':
        await this.exportSvg(message.svg);
        return;
      case 'state': {
        const { state } = message;
        // A page still showing the previous file says so once more; only the followed file counts.
        if (state.uri !== this.uri?.toString()) return;
        this.snapshotState = { ...this.snapshotState, saved: state };
        if (state.viewport) this.savedViewport = { key: viewKey(state.uri, state.dagIndex, null), viewport: state.viewport };
        return;
      }
    }
  }

  /** Asks the server for the followed file's DAGs, lays the chosen one out off the UI thread and posts it. */
  private async refresh(): Promise<void> {
    const uri = this.uri;
    if (!this.panel) return;
    const sequence = ++this.sequence;
    if (!uri) {
      this.showMessage('Open a DAG file to see its graph.');
      return;
    }
    const missing = await this.openDocument(uri);
    if (sequence !== this.sequence) return;
    if (missing) {
      this.result = undefined;
      this.shownKey = undefined;
      this.snapshotState = { ...this.snapshotState, uri: uri.toString(), dagId: undefined, dagIndex: undefined, nodes: [], groups: { collapsed: [], expanded: [] }, edges: 0 };
      this.showMessage(missing);
      return;
    }
    const client = await this.client();
    if (!client) {
      this.showMessage('The VORTEX language server is not running.');
      return;
    }
    let result: DagModelResult | null;
    try {
      result = await client.sendRequest(DagModelRequest.type, { uri: client.code2ProtocolConverter.asUri(uri) });
    } catch (error) {
      this.log.error(`The graph could not get the DAGs of ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (sequence !== this.sequence) return;
    this.result = result ?? undefined;
    const fileName = path.basename(uri.fsPath);
    if (!result || result.dags.length === 0) {
      this.shownKey = undefined;
      this.snapshotState = { ...this.snapshotState, uri: uri.toString(), dagId: undefined, dagIndex: undefined, nodes: [], groups: { collapsed: [], expanded: [] }, edges: 0 };
      this.showMessage(result ? `${fileName} defines no DAG.` : `${fileName} is not a DAG file.`);
      return;
    }
    if (this.pendingCursor) {
      this.dagIndex = dagAt(result, { line: this.pendingCursor.line, character: this.pendingCursor.character }) ?? 0;
      this.pendingCursor = undefined;
    }
    if (this.dagIndex >= result.dags.length) this.dagIndex = 0;
    const dag = result.dags[this.dagIndex];
    const model = graphModelOf(dag, this.dagIndex);
    const groupsKey = JSON.stringify([uri.toString(), this.dagIndex]);
    if (this.toggledGroups.key !== groupsKey) this.toggledGroups = { key: groupsKey, ids: new Set() };
    let view;
    try {
      view = await this.layout.layout(model, this.focus, [...this.toggledGroups.ids]);
    } catch (error) {
      this.log.error(`The graph of ${fileName} could not be laid out: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (sequence !== this.sequence) return;
    const key = viewKey(uri.toString(), this.dagIndex, this.focus);
    const keepViewport = key === this.shownKey;
    // A page that loaded anew (or a panel restored) shows the graph where the user left it.
    const viewport = !keepViewport && this.savedViewport?.key === key ? this.savedViewport.viewport : undefined;
    this.shownKey = key;
    this.post({ type: 'graph', view, dags: dagChoices(result), uri: uri.toString(), fileName, keepViewport, ...(viewport ? { viewport } : {}) });
    this.snapshotState = {
      ...this.snapshotState,
      uri: uri.toString(),
      dagId: dag.dagId,
      dagIndex: this.dagIndex,
      nodes: view.nodes.map((n) => n.id),
      groups: { collapsed: view.groups.map((g) => g.id), expanded: view.boxes.map((b) => b.id) },
      edges: view.edges.length,
      draws: this.snapshotState.draws + (this.ready ? 1 : 0),
      drawnAt: Date.now(),
      message: this.ready ? null : this.snapshotState.message,
    };
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (editor) this.highlightAt(editor.selection.active);
  }

  /** Shows `reason` instead of a graph. */
  private showMessage(reason: string): void {
    this.post({ type: 'empty', reason });
    if (this.ready) this.snapshotState = { ...this.snapshotState, message: reason };
  }

  /**
   * The server answers only for documents open in VS Code, and a panel restored
   * after a reload may follow a file no editor has opened yet (or one deleted
   * meanwhile): opens it, without showing it. Resolves to why it cannot be
   * shown, or undefined.
   */
  private async openDocument(uri: vscode.Uri): Promise<string | undefined> {
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return undefined;
    try {
      await vscode.workspace.openTextDocument(uri);
      return undefined;
    } catch (error) {
      const name = uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri) : uri.toString();
      const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
      if (exists) {
        this.log.warn(`The graph could not open ${uri.toString()}: ${error instanceof Error ? error.message : String(error)}`);
        return `${name} could not be opened. Open a DAG file to see its graph.`;
      }
      return `${name} no longer exists. Open a DAG file to see its graph.`;
    }
  }

  private highlightAt(position: vscode.Position): void {
    const dag = this.result?.dags[this.dagIndex];
    const taskId = dag ? (taskAt(dag, { line: position.line, character: position.character }) ?? null) : null;
    if (taskId === this.snapshotState.highlighted) return;
    this.snapshotState = { ...this.snapshotState, highlighted: taskId };
    this.post({ type: 'highlight', taskId });
  }

  private async reveal(taskId: string): Promise<void> {
    const uri = this.uri;
    const task = this.result?.dags[this.dagIndex]?.tasks.find((t) => t.taskId === taskId);
    if (!uri || !task) return;
    const start = new vscode.Position(task.range.start.line, task.range.start.character);
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const editor = await vscode.window.showTextDocument(uri, {
      viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One,
      selection: new vscode.Range(start, start),
      preserveFocus: false,
    });
    editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /**
   * Runs through the extension's run commands, which `registerRuns` registers as
   * the extension activates: a DAG with the file's URI and the DAG id; a task with
   * the task id too. Whether the workspace is trusted enough to run is theirs to say.
   */
  private async run(command: string, ...args: Array<string | undefined>): Promise<void> {
    await vscode.commands.executeCommand(command, this.uri, ...args);
  }

  private async exportSvg(svg: string): Promise<void> {
    const dagId = this.result?.dags[this.dagIndex]?.dagId ?? 'dag';
    const folder = this.uri ? vscode.Uri.joinPath(this.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const safeName = `${dagId.replace(/[^\w.-]+/g, '_')}.svg`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, safeName) : undefined,
      filters: { SVG: ['svg'] },
      title: 'Export the DAG graph as SVG',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`, 'utf8'));
    void vscode.window.showInformationMessage(`Saved the graph as ${path.basename(target.fsPath)}.`);
  }

  dispose(): void {
    clearTimeout(this.editTimer);
    this.panel?.dispose();
    for (const d of this.subscriptions) d.dispose();
    this.layout.dispose();
  }
}

