/**
 * Runs DAGs and tasks in the extension host through the run service (the one
 * `vortex run` uses): the model is the language server's analysis
 * (`vortex/runModel`, up to date with `vortex.analysis.mode`); this adds what
 * only VS Code has: pickers for the DAG and task, a cancellable progress
 * notification, the "VORTEX Runs" output channel and the closing notification.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { DagModel, FileAnalysis } from '../../../core/analysis/model';
import {
  checkRunnable,
  chooseDag,
  dynamicTasksNote,
  unreadSettingsNote,
  executeRun,
  findStoredRun,
  planRerun,
  planRun,
  type Rerun,
  runLabel,
  type RunModel,
  runnableDags,
  RunRefused,
  summaryLine,
  unmaskedSecrets,
} from '../../../core/run/runService';
import type { RunStore, StoredRun } from '../../../core/run/runStore';
import { unmaskedSecretWarning } from '../../../core/run/secrets';
import type { DagRunResult, RunEvent, RunPlan, TaskRunState, TaskSelection } from '../../../core/run/scheduler';
import type { TaskResult } from '../../../core/run/taskExecutor';
import { Commands } from '../../../core/commands';
import { RunModelRequest } from '../../../core/protocol';
import { pythonInterpreter } from './interpreter';
import { type ExecutionSettings, executionSettings } from './runSettings';
import { hintFor, needsSecret, RunTranscript } from './runTranscript';
import { serverRunModel } from './serverModel';
import { MANAGE_TRUST_ACTION, MANAGE_TRUST_COMMAND, runRefusal } from './trust';
import type { WorkspaceSecrets } from './workspaceSecrets';

/** What a run command resolves to; the integration tests read it. */
export type RunCommandResult =
  | { outcome: 'refused'; reason: string }
  | { outcome: 'finished'; result: DagRunResult; transcript: string };

/** A run in progress, as the runs view shows it. */
export interface LiveRun {
  runId: string;
  dagId: string;
  startedAt: number;
  states: Map<string, TaskRunState>;
  /** The tasks that ended so far: their XCom and rendered fields show in the view while the run goes on. */
  results: Map<string, TaskResult>;
  controller: AbortController;
}

export interface RunTarget {
  uri: vscode.Uri;
  /** Null: the document's only DAG, or the one the user picks. */
  dagId: string | null;
  mode: TaskSelection['kind'];
  /** For a task run; null: the task under the cursor, or the one the user picks. */
  taskId: string | null;
  /** Changes the plan before it runs (a debug session runs its task under debugpy); an error it throws refuses the run. */
  adjustPlan?: (plan: RunPlan, selection: TaskSelection) => RunPlan;
  /** The run's logical date; default now. */
  logicalDate?: Date;
  /** Overrides of the DAG's params. */
  conf?: Record<string, unknown>;
  /** Another try of a stored run (its DAG, date and conf), running what `rerun` says again. */
  again?: { stored: StoredRun; rerun: Rerun };
}

/** A run planned and not yet started, with what to tell the user before it starts. */
interface PlannedRun {
  plan: RunPlan;
  selection: TaskSelection;
  /** What the user should know before the run, one line each (tasks that cannot run, settings that cannot be read). */
  notes: string[];
  settings: ExecutionSettings;
}

export class RunController implements vscode.Disposable {
  private readonly live = new Map<string, LiveRun>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts, a task changes state, or a run ends. */
  readonly onDidChange = this.changed.event;
  private readonly events = new vscode.EventEmitter<RunEvent>();
  /** Every event of every run, as the scheduler reports it (the graph shows states from them). */
  readonly onRunEvent = this.events.event;

  constructor(
    private readonly client: () => Promise<LanguageClient | undefined>,
    private readonly channel: vscode.OutputChannel,
    private readonly secrets: WorkspaceSecrets,
    private readonly store: () => Promise<RunStore | undefined>,
    private readonly sdkPath: string,
  ) {}

  /** A finished run of the DAG from the run history, by its run id or `latest`; rejects with why when there is none. */
  async storedRun(dagId: string, runId: string): Promise<StoredRun> {
    const store = await this.store();
    if (!store) throw new Error('the run history needs a workspace folder');
    return findStoredRun(store, dagId, runId);
  }

  liveRuns(): LiveRun[] {
    return [...this.live.values()];
  }

  /** Stops one run (by id), or every run; resolves to how many were stopped. */
  stop(runId?: string): number {
    const runs = runId === undefined ? this.liveRuns() : this.liveRuns().filter((r) => r.runId === runId);
    for (const run of runs) run.controller.abort();
    return runs.length;
  }

  async run(target: RunTarget): Promise<RunCommandResult> {
    return this.trusted(async () => {
      const planned = await this.planTrusted(target);
      return 'outcome' in planned ? planned : this.execute(planned);
    });
  }

  /** The plan a run of `target` would execute, chosen and refused as a run is, without running it ("Run in terminal" runs its task). */
  async plan(target: RunTarget): Promise<{ plan: RunPlan } | { outcome: 'refused'; reason: string }> {
    return this.trusted(() => this.planTrusted(target));
  }

  /** Refuses in an untrusted workspace; an error becomes a refusal the user is shown. */
  private async trusted<T>(work: () => Promise<T>): Promise<T | { outcome: 'refused'; reason: string }> {
    const refusal = runRefusal(vscode.workspace.isTrusted);
    if (refusal) {
      void vscode.window.showErrorMessage(refusal, MANAGE_TRUST_ACTION).then((choice) => {
        if (choice) void vscode.commands.executeCommand(MANAGE_TRUST_COMMAND);
      });
      return { outcome: 'refused', reason: refusal };
    }
    try {
      return await work();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`VORTEX: ${reason}`);
      return { outcome: 'refused', reason };
    }
  }

  private async planTrusted(target: RunTarget): Promise<PlannedRun | { outcome: 'refused'; reason: string }> {
    const document = await vscode.workspace.openTextDocument(target.uri);
    const fileName = path.basename(document.uri.fsPath);
    // The task imports the DAG file from disk, while the plan comes from the editor's text: make them one.
    if (document.isDirty && !(await document.save())) throw new Error(`${fileName} could not be saved; save it, then run again`);
    const model = await this.modelOf(document.uri, fileName);
    const { analysis } = model;
    try {
      checkRunnable(model, fileName);
    } catch (error) {
      if (error instanceof RunRefused) throw new Error(`${error.message} (see the Problems panel)`, { cause: error });
      throw error;
    }
    const dag = await this.chooseDag(model, fileName, target.again?.stored.summary.dag_id ?? target.dagId);
    if (!dag) return { outcome: 'refused', reason: 'no DAG chosen' };
    let selection: TaskSelection = { kind: 'dag' };
    if (target.mode !== 'dag' && !target.again) {
      const taskId = target.taskId ?? (await this.chooseTask(analysis, dag, document));
      if (taskId === undefined) return { outcome: 'refused', reason: 'no task chosen' };
      selection = { kind: target.mode, taskId };
    }

    const settings = executionSettings((key) => vscode.workspace.getConfiguration(undefined, document.uri).get(key));
    const request = {
      filePath: document.uri.fsPath,
      dag,
      selection,
      timeoutSeconds: settings.timeoutSeconds,
      pythonPath: await pythonInterpreter(document.uri, settings.interpreter),
      sdkPath: this.sdkPath,
      logicalDate: target.logicalDate,
      conf: target.conf,
    };
    const planned = target.again ? await planRerun(model, request, target.again.stored, target.again.rerun) : planRun(model, request);
    return { plan: target.adjustPlan ? target.adjustPlan(planned, selection) : planned, selection, notes: [dynamicTasksNote(model), unreadSettingsNote(model, request.dag)].filter((n): n is string => n !== null), settings };
  }

  private async execute({ plan, selection, notes, settings }: PlannedRun): Promise<RunCommandResult> {
    const label = runLabel(plan, selection);

    let transcript = '';
    const write = (text: string) => {
      transcript += text;
      this.channel.append(text);
    };
    const view = new RunTranscript(write, `Run ${label} from ${path.basename(plan.dagFilePath)} (run ${plan.context.airflowRunId})`);
    for (const note of notes) write(`Note: ${note}\n`);
    const unmasked = await unmaskedSecrets(plan, this.secrets);
    for (const name of unmasked) write(`Warning: ${unmaskedSecretWarning(name)}\n`);
    if (unmasked.length > 0) void vscode.window.showWarningMessage(`VORTEX: ${unmaskedSecretWarning(unmasked[0])}`);
    if (settings.retryDelaySeconds !== null && plan.tasks.some((t) => t.spec.retries > 0)) {
      write(`Retries wait ${settings.retryDelaySeconds} s (vortex.execution.retryDelaySeconds), not each task's retry_delay\n`);
    }
    if (settings.revealOutput === 'always') this.channel.show(true);

    const liveRun: LiveRun = { runId: plan.runId, dagId: plan.dagId, startedAt: Date.now(), states: new Map(), results: new Map(), controller: new AbortController() };
    this.live.set(plan.runId, liveRun);
    this.changed.fire();
    void vscode.commands.executeCommand('setContext', 'vortex.runActive', true);

    let result: DagRunResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `VORTEX: running ${label}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => liveRun.controller.abort());
          const total = plan.tasks.length;
          let done = 0;
          return executeRun(plan, {
            parallelism: settings.parallelism,
            vault: this.secrets,
            signal: liveRun.controller.signal,
            store: await this.store(),
            retryDelaySeconds: settings.retryDelaySeconds ?? undefined,
            onEvent: (event: RunEvent) => {
              view.onEvent(event);
              this.events.fire(event);
              if (event.type !== 'task-state') return;
              liveRun.states.set(event.taskId, event.state);
              if (event.result) liveRun.results.set(event.taskId, event.result);
              this.changed.fire();
              if (event.state === 'queued') return;
              const running = [...liveRun.states].filter(([, s]) => s === 'running').map(([id]) => id);
              const finished = event.state !== 'running';
              if (finished) done++;
              progress.report({
                increment: finished && total > 0 ? 100 / total : 0,
                message: `${done}/${total} done${running.length > 0 ? ` · running ${running.join(', ')}` : ''}`,
              });
            },
          });
        },
      );
    } finally {
      this.live.delete(plan.runId);
      void vscode.commands.executeCommand('setContext', 'vortex.runActive', this.live.size > 0);
      this.changed.fire();
    }
    if (settings.revealOutput === 'onFailure' && result.state === 'failed') this.channel.show(true);
    this.announce(result, label);
    return { outcome: 'finished', result, transcript };
  }

  /** The server's model of a document it may only just have been told about. */
  private async modelOf(uri: vscode.Uri, fileName: string): Promise<RunModel> {
    const client = await this.client();
    if (!client) throw new Error('the VORTEX language server is not running; see "VORTEX: Show Output"');
    const protocolUri = client.code2ProtocolConverter.asUri(uri);
    return serverRunModel(() => client.sendRequest(RunModelRequest.type, { uri: protocolUri }), fileName);
  }

  /** The DAG the target names or the file's only one, else the one the user picks. */
  private async chooseDag(model: RunModel, fileName: string, dagId: string | null): Promise<DagModel | undefined> {
    try {
      return chooseDag(model, fileName, dagId);
    } catch (error) {
      if (!(error instanceof RunRefused) || error.kind !== 'severalDags') throw error;
    }
    const picked = await vscode.window.showQuickPick(
      runnableDags(model.analysis).map((d) => ({ label: d.dagId ?? '', description: `${d.taskIndices.length} tasks`, dag: d })),
      { placeHolder: 'Which DAG?' },
    );
    return picked?.dag;
  }

  /**
   * The task under the active editor's cursor in this document, else the one
   * the user picks: among those under the cursor when several are (a loop's
   * tasks all sit on the line that made them), else among all.
   */
  private async chooseTask(analysis: FileAnalysis, dag: DagModel, document: vscode.TextDocument): Promise<string | undefined> {
    let tasks = dag.taskIndices.map((i) => analysis.tasks[i]);
    const editor = vscode.window.activeTextEditor;
    if (editor?.document === document) {
      const cursor = editor.selection.active;
      const under = tasks.filter((t) => new vscode.Range(t.range.start.line, t.range.start.character, t.range.end.line, t.range.end.character).contains(cursor));
      if (under.length === 1) return under[0].taskId;
      if (under.length > 1) tasks = under;
    }
    const picked = await vscode.window.showQuickPick(
      tasks.map((t) => ({ label: t.taskId, description: t.operator })),
      { placeHolder: `Which task of DAG "${dag.dagId}"?` },
    );
    return picked?.label;
  }

  /** The notification at the end of a run; not awaited, so the command resolves while it shows. */
  private announce(result: DagRunResult, label: string): void {
    const showOutput = 'Show Output';
    const setSecret = 'Set Secret';
    const summary = summaryLine(result);
    if (result.state === 'success') {
      void vscode.window.showInformationMessage(`VORTEX: ${summary}`, showOutput).then((c) => c && this.channel.show());
      return;
    }
    if (result.state === 'cancelled') {
      void vscode.window.showWarningMessage(`VORTEX: ${label} was stopped. ${summary}`, showOutput).then((c) => c && this.channel.show());
      return;
    }
    const failed = result.tasks.find((t) => t.state === 'failed');
    const hint = failed ? hintFor(failed) : null;
    const detail = failed ? ` ${failed.taskId}: ${failed.result?.message ?? 'failed'}.${hint ? ` ${hint}` : ''}` : '';
    const actions = failed && needsSecret(failed) ? [setSecret, showOutput] : [showOutput];
    void vscode.window.showErrorMessage(`VORTEX: ${summary}.${detail}`, ...actions).then((choice) => {
      if (choice === setSecret) void vscode.commands.executeCommand(Commands.setSecret);
      else if (choice === showOutput) this.channel.show();
    });
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
    this.events.dispose();
  }
}
