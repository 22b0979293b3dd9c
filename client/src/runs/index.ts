/**
 * Everything about running, wired into the extension: the run, stop, secret
 * and history commands, the runs view, the `vortex.isDagFile` context key the
 * commands' `when` clauses read, and telling the server when trust is granted.
 * `extension.ts` calls `registerRuns` once and adds nothing else.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { documentUri, optionalString } from '../commandArgs';
import type { RunEvent } from '../../../core/run/scheduler';
import type { LanguageClient } from 'vscode-languageclient/node';
import { cleanUpInterruptedRuns } from '../../../core/run/interruptedRuns';
import { interruptedRunLine, openRunStore } from '../../../core/run/runService';
import type { RunStore } from '../../../core/run/runStore';
import { parseConf, parseLogicalDate, RunContextError } from '../../../core/run/runContext';
import { isMasked, UNMASKED_REASON } from '../../../core/run/secrets';
import { Commands, Views } from '../../../core/commands';
import { WorkspaceTrustNotification } from '../../../core/protocol';
import { looksLikeDagDocument } from '../dagFile';
import { registerDebug } from '../debug';
import { type RunCommandResult, RunController } from './runController';
import { RunsView, runsViewTarget, type RunsViewRows } from './runsView';
import { extraPathsWithSdk, hasUnresolvedVortexImport } from './sdkPath';
import { secretNameProblem, WorkspaceSecrets, workspaceKey } from './workspaceSecrets';

/** Runs kept per DAG in the history. */
const KEEP_RUNS_PER_DAG = 20;

/** What the runs add to the extension's API (the integration tests use it). */
export interface RunsApi {
  /** Every event of every run (the graph shows their states). */
  onRunEvent: vscode.Event<RunEvent>;
  /** Names of this workspace's secrets. */
  secretNames(): Promise<string[]>;
  /** Ids of the runs in progress. */
  liveRunIds(): string[];
  /** Whether this session offered to add the SDK to python.analysis.extraPaths. */
  sdkPathOffered(): boolean;
  /** The "VORTEX Runs" view: whether the workbench shows it, and the rows it was last given. */
  view(): { visible: boolean; rows: RunsViewRows };
}

/** The workspace's identity for the secrets vault: its .code-workspace file, else its folders. */
function currentWorkspaceKey(): string {
  const file = vscode.workspace.workspaceFile;
  const uris = file && file.scheme !== 'untitled' ? [file.toString()] : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
  return workspaceKey(uris);
}

export function registerRuns(context: vscode.ExtensionContext, client: () => Promise<LanguageClient | undefined>): RunsApi {
  const channel = vscode.window.createOutputChannel('VORTEX Runs');
  const secrets = new WorkspaceSecrets(context.secrets, currentWorkspaceKey());

  // Per workspace (storageUri); a window without a folder keeps its runs globally.
  const historyDir = path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs');
  let store: Promise<RunStore | undefined> | undefined;
  const runStore = (): Promise<RunStore | undefined> => {
    store ??= (async () => {
      // A run without a history beats no run: the channel says why there is none.
      const opened = await openRunStore(historyDir, KEEP_RUNS_PER_DAG, (message) => channel.appendLine(`VORTEX ${message}.`));
      // Runs an earlier extension host left unfinished (it crashed or was killed): stop what they left running.
      for (const run of opened ? await cleanUpInterruptedRuns(opened).catch(() => []) : []) {
        channel.appendLine(`VORTEX: ${interruptedRunLine(run)}.`);
      }
      return opened;
    })();
    return store;
  };

  void runStore();

  const sdkPath = context.asAbsolutePath(path.join('dist', 'sdk'));
  const runs = new RunController(client, channel, secrets, runStore, sdkPath);
  registerDebug(context, runs, secrets);
  const sdkOffer = new SdkPathOffer(context.workspaceState, sdkPath);
  const view = new RunsView(runs, runStore);
  // Registered before `vortex.showRunsView` can reveal the view, so it never shows without its data.
  const treeView = vscode.window.createTreeView(Views.runs, { treeDataProvider: view });

  const updateDagContext = (editor: vscode.TextEditor | undefined) => {
    const isDag = editor !== undefined && looksLikeDagDocument(editor.document);
    void vscode.commands.executeCommand('setContext', 'vortex.isDagFile', isDag);
    if (isDag) void vscode.commands.executeCommand('setContext', 'vortex.showRunsView', true);
  };

  const run = (mode: 'dag' | 'task' | 'withUpstream' | 'withDownstream') =>
    async (uriArg?: unknown, dagArg?: unknown, taskArg?: unknown): Promise<RunCommandResult> => {
      const uri = documentUri(uriArg);
      if (!uri) {
        const reason = 'open a DAG file first: VORTEX runs the DAG of the active editor';
        void vscode.window.showErrorMessage(`VORTEX: ${reason}`);
        return { outcome: 'refused', reason };
      }
      return runs.run({ uri, dagId: optionalString(dagArg), mode, taskId: optionalString(taskArg) });
    };

  /** Run DAG for Date…: the logical date and conf from arguments (tests, keybindings) or from two prompts. */
  const runForDate = async (uriArg?: unknown, dagArg?: unknown, dateArg?: unknown, confArg?: unknown): Promise<RunCommandResult> => {
    const uri = documentUri(uriArg);
    if (!uri) {
      const reason = 'open a DAG file first: VORTEX runs the DAG of the active editor';
      void vscode.window.showErrorMessage(`VORTEX: ${reason}`);
      return { outcome: 'refused', reason };
    }
    const problem = (parse: () => unknown) => {
      try {
        parse();
        return null;
      } catch (error) {
        return error instanceof RunContextError ? error.message : String(error);
      }
    };
    const dateText =
      optionalString(dateArg) ??
      (await vscode.window.showInputBox({
        title: 'VORTEX: Run DAG for Date',
        prompt: 'The logical date of the run (as airflow dags test DAG_ID DATE): a date, or a date and time; UTC unless an offset is given',
        value: new Date().toISOString().slice(0, 10),
        validateInput: (value) => problem(() => parseLogicalDate(value)),
      }));
    if (dateText === undefined) return { outcome: 'refused', reason: 'no logical date given' };
    const confText =
      optionalString(confArg) ??
      (await vscode.window.showInputBox({
        title: 'VORTEX: Run DAG for Date',
        prompt: 'The run\'s conf, overriding the DAG\'s params (as dags test -c): a JSON object, or nothing',
        placeHolder: '{"region": "emea"}',
        validateInput: (value) => (value.trim() === '' ? null : problem(() => parseConf(value))),
      }));
    if (confText === undefined) return { outcome: 'refused', reason: 'no conf given' };
    let logicalDate: Date;
    let conf: Record<string, unknown> | undefined;
    try {
      logicalDate = parseLogicalDate(dateText);
      conf = confText.trim() === '' ? undefined : parseConf(confText);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`VORTEX: ${reason}`);
      return { outcome: 'refused', reason };
    }
    return runs.run({ uri, dagId: optionalString(dagArg), mode: 'dag', taskId: null, logicalDate, conf });
  };

  /** Run Failed Tasks Again / Clear Task and Downstream: another try of a stored run, from the runs view (or a run folder and task id). */
  const runAgain = (kind: 'failed' | 'cleared') =>
    async (targetArg?: unknown, taskArg?: unknown): Promise<RunCommandResult> => {
      const target = runsViewTarget(targetArg);
      const store = await runStore();
      const stored = target && store ? (await store.listRuns()).find((r) => r.dir === target.runDir) : undefined;
      const taskId = optionalString(taskArg) ?? target?.taskId ?? null;
      if (!stored || (kind === 'cleared' && taskId === null)) {
        const reason = 'choose a run (or one of its tasks) in the VORTEX Runs view';
        void vscode.window.showErrorMessage(`VORTEX: ${reason}`);
        return { outcome: 'refused', reason };
      }
      const rerun = kind === 'failed' || taskId === null ? ({ kind: 'failed' } as const) : ({ kind: 'cleared', taskId, downstream: true } as const);
      const uri = vscode.Uri.file(stored.summary.dag_file);
      return runs.run({ uri, dagId: stored.summary.dag_id, mode: 'dag', taskId: null, again: { stored, rerun } });
    };

  context.subscriptions.push(
    channel,
    runs,
    sdkOffer,
    view,
    treeView,
    vscode.window.onDidChangeActiveTextEditor(updateDagContext),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) updateDagContext(vscode.window.activeTextEditor);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      // Run lenses appear once the server knows; the client's next start reads trust itself.
      const c = await client();
      await c?.sendNotification(WorkspaceTrustNotification.type, { trusted: true });
    }),
    vscode.commands.registerCommand(Commands.runDag, run('dag')),
    vscode.commands.registerCommand(Commands.runDagForDate, runForDate),
    vscode.commands.registerCommand(Commands.runTask, run('task')),
    vscode.commands.registerCommand(Commands.runTaskWithUpstream, run('withUpstream')),
    vscode.commands.registerCommand(Commands.runTaskWithDownstream, run('withDownstream')),
    vscode.commands.registerCommand(Commands.runFailedAgain, runAgain('failed')),
    vscode.commands.registerCommand(Commands.clearTask, runAgain('cleared')),
    vscode.commands.registerCommand(Commands.stopRun, async (runIdArg?: unknown) => stopRun(runs, optionalString(runIdArg))),
    vscode.commands.registerCommand(Commands.setSecret, (nameArg?: unknown, valueArg?: unknown) => setSecret(secrets, optionalString(nameArg), typeof valueArg === 'string' ? valueArg : null)),
    vscode.commands.registerCommand(Commands.deleteSecret, (nameArg?: unknown) => deleteSecret(secrets, optionalString(nameArg))),
    vscode.commands.registerCommand(Commands.listSecrets, () => listSecrets(secrets)),
    vscode.commands.registerCommand(Commands.showRunHistory, () => showRunHistory(runStore)),
    vscode.commands.registerCommand(Commands.openRunLog, async (logPath?: unknown) => {
      if (typeof logPath !== 'string') return;
      await vscode.window.showTextDocument(vscode.Uri.file(logPath), { preview: true });
    }),
  );

  updateDagContext(vscode.window.activeTextEditor);
  // Show the view once there is a history, even before a DAG file is opened;
  // a workspace that never ran anything gets no storage folder made for it.
  if (existsSync(historyDir)) {
    void runStore()
      .then((s) => s?.listRuns())
      .then((stored) => {
        if (stored && stored.length > 0) void vscode.commands.executeCommand('setContext', 'vortex.showRunsView', true);
      });
  }

  return {
    onRunEvent: runs.onRunEvent,
    secretNames: () => secrets.names(),
    liveRunIds: () => runs.liveRuns().map((r) => r.runId),
    sdkPathOffered: () => sdkOffer.offered,
    view: () => ({ visible: treeView.visible, rows: view.rows() }),
  };
}

/** Stops the given run, the only one, or the one the user picks; resolves to how many were stopped. */
async function stopRun(runs: RunController, runId: string | null): Promise<number> {
  if (runId !== null) return runs.stop(runId);
  const live = runs.liveRuns();
  if (live.length === 0) {
    void vscode.window.showInformationMessage('VORTEX: no run is in progress.');
    return 0;
  }
  if (live.length === 1) return runs.stop(live[0].runId);
  const picked = await vscode.window.showQuickPick(
    [{ label: 'All runs', runId: undefined }, ...live.map((r) => ({ label: r.dagId, description: `run ${r.runId}`, runId: r.runId }))],
    { placeHolder: 'Stop which run?' },
  );
  return picked ? runs.stop(picked.runId) : 0;
}

/** Arguments (name, value) skip the prompts: for tests and keybindings. Resolves to the name set, if any. */
async function setSecret(secrets: WorkspaceSecrets, nameArg: string | null, valueArg: string | null): Promise<string | undefined> {
  const name =
    nameArg ??
    (await vscode.window.showInputBox({
      title: 'VORTEX: Set Secret',
      prompt: 'The name tasks list in secrets=[...]; they receive it as an environment variable',
      placeHolder: 'API_TOKEN',
      validateInput: (value) => secretNameProblem(value.trim()),
    }))?.trim();
  if (!name) return undefined;
  const problem = secretNameProblem(name);
  if (problem) {
    void vscode.window.showErrorMessage(`VORTEX: ${problem}`);
    return undefined;
  }
  const value =
    valueArg ??
    (await vscode.window.showInputBox({
      title: `VORTEX: Set Secret ${name}`,
      prompt: `The value of ${name}; kept in VS Code's secret storage for this workspace, never written to the workspace`,
      password: true,
      ignoreFocusOut: true,
    }));
  if (value === undefined) return undefined;
  await secrets.set(name, value);
  if (value !== '' && !isMasked(value)) void vscode.window.showWarningMessage(`VORTEX: secret ${name} is set for this workspace, but its value ${UNMASKED_REASON}`);
  else void vscode.window.showInformationMessage(`VORTEX: secret ${name} is set for this workspace.`);
  return name;
}

async function deleteSecret(secrets: WorkspaceSecrets, nameArg: string | null): Promise<boolean> {
  const names = await secrets.names();
  const name = nameArg ?? (names.length > 0 ? await vscode.window.showQuickPick(names, { placeHolder: 'Delete which secret?' }) : undefined);
  if (nameArg === null && names.length === 0) void vscode.window.showInformationMessage('VORTEX: this workspace has no secrets.');
  if (!name) return false;
  const existed = await secrets.delete(name);
  void vscode.window.showInformationMessage(existed ? `VORTEX: secret ${name} deleted.` : `VORTEX: there was no secret ${name}.`);
  return existed;
}

/** Shows the names only; values never leave the vault except into a task's environment. */
async function listSecrets(secrets: WorkspaceSecrets): Promise<string[]> {
  const names = await secrets.names();
  if (names.length === 0) {
    void vscode.window.showInformationMessage('VORTEX: this workspace has no secrets. Add one with "VORTEX: Set Secret".');
  } else {
    void vscode.window.showQuickPick(names, { placeHolder: `${names.length} secret${names.length === 1 ? '' : 's'} of this workspace (names only)`, canPickMany: false });
  }
  return names;
}

async function showRunHistory(runStore: () => Promise<RunStore | undefined>): Promise<void> {
  const store = await runStore();
  const stored = store ? await store.listRuns() : [];
  if (stored.length === 0) {
    void vscode.window.showInformationMessage('VORTEX: no runs yet. Run a DAG with "VORTEX: Run DAG" or the ▶ lens above it.');
    return;
  }
  const run = await vscode.window.showQuickPick(
    stored.map((r) => ({ label: r.summary.dag_id, description: `${r.summary.state} · ${new Date(r.summary.started_at).toLocaleString()}`, run: r })),
    { placeHolder: 'Which run?' },
  );
  if (!run) return;
  const task = await vscode.window.showQuickPick(
    run.run.summary.tasks.map((t) => ({ label: t.task_id, description: t.state, detail: t.message ?? undefined, log: path.join(run.run.dir, t.log) })),
    { placeHolder: 'Open which task\'s log?' },
  );
  if (task) await vscode.window.showTextDocument(vscode.Uri.file(task.log), { preview: true });
}

/**
 * Offers, once per session and until declined for good, to add the bundled SDK
 * to `python.analysis.extraPaths` when Pylance reports it cannot resolve
 * `vortex`: DAG files then type-check against the package their tasks run with.
 */
class SdkPathOffer implements vscode.Disposable {
  private static readonly NEVER_KEY = 'vortex.sdkPathOffer.never';
  offered = false;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: vscode.Memento, private readonly sdkPath: string) {
    this.subscription = vscode.languages.onDidChangeDiagnostics((e) => this.check(e.uris));
  }

  private check(uris: readonly vscode.Uri[]): void {
    if (this.offered || this.state.get<boolean>(SdkPathOffer.NEVER_KEY) === true) return;
    const uri = uris.find((u) => hasUnresolvedVortexImport(vscode.languages.getDiagnostics(u)));
    if (!uri) return;
    const config = vscode.workspace.getConfiguration('python.analysis', uri);
    const next = extraPathsWithSdk(config.get('extraPaths'), this.sdkPath);
    // Already listed: Pylance has not re-read it yet; nothing to offer.
    if (!next) return;
    this.offered = true;
    const add = 'Add to Workspace Settings';
    const never = 'Don\'t Ask Again';
    void vscode.window
      .showInformationMessage('Pylance cannot resolve "vortex". Add VORTEX\'s bundled SDK to python.analysis.extraPaths, so DAG files type-check against the package their tasks run with?', add, never)
      .then(async (choice) => {
        if (choice === never) await this.state.update(SdkPathOffer.NEVER_KEY, true);
        if (choice !== add) return;
        const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
        await config.update('extraPaths', next, target);
      });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
