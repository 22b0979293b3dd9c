/**
 * The `vortex` debug type in VS Code: a configuration provider that turns a
 * launch into a debugpy attach (see debugConfiguration.ts for why), the
 * adapter (`python -m debugpy.adapter` with the interpreter a run uses, so the
 * Python extension is not needed), and a tracker that starts the task's run
 * through the RunController once the adapter listens. The run records the
 * task in the run store and the runs view, as any run does.
 */
import * as vscode from 'vscode';
import type { RunEvent } from '../../../core/run/scheduler';
import type { RunPlan, TaskSelection } from '../../../core/run/plan';
import { interpreterFor } from '../runs/interpreter';
import type { RunCommandResult, RunController } from '../runs/runController';
import { MANAGE_TRUST_ACTION, MANAGE_TRUST_COMMAND, runRefusal } from '../runs/trust';
import { DEBUG_TYPE, debugpyArgs, debugpyAttach, debuggablePlan, installCommand, isDebugpyAttach, parseLaunch, type DebugpyAttach } from './debugConfiguration';
import { probeDebugpy } from './debugpyProbe';

/** How long a run may outlive its ended session: the task's process ends just after debugpy lets go of it. */
const END_GRACE_MS = 3000;

const INSTALL_ACTION = 'Install';

/** What the `vortex.debugTask` command resolves to once the task has run (the integration tests read it). */
export type DebugCommandResult = RunCommandResult | { outcome: 'notStarted'; reason: string };

interface SessionRun {
  runId: string | null;
  /** Resolves once the run ended, or was refused. */
  result: Promise<RunCommandResult>;
}

export class DebugSessions implements vscode.DebugConfigurationProvider, vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private readonly runs = new Map<string, SessionRun>();
  /** Sessions started by `debugTask`, by the id it put in their configuration. */
  private readonly waiting = new Map<string, (run: SessionRun | null) => void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private nextRequest = 1;

  constructor(private readonly controller: RunController) {
    this.subscriptions.push(
      vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, this),
      vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, this),
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (message: unknown) => {
            const event = message as { type?: string; event?: string; body?: { host?: unknown; port?: unknown } };
            if (event.type !== 'event' || event.event !== 'debugpyWaitingForServer') return;
            const { host, port } = event.body ?? {};
            if (typeof host === 'string' && typeof port === 'number') this.startRun(session, host, port);
          },
        }),
      }),
      vscode.debug.onDidTerminateDebugSession((session) => this.sessionEnded(session)),
      controller.onRunEvent((event) => this.mirrorOutput(event)),
    );
  }

  /** F5 without a launch.json, this debugger chosen: the task under the cursor of the active DAG file. */
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    if (!config.type && !config.request && !config.name) {
      return { type: DEBUG_TYPE, request: 'launch', name: 'Debug task', file: '${file}' };
    }
    return config;
  }

  /** Turns the launch into the attach debugpy's adapter is started with; undefined stops the launch, having said why. */
  async resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    // A restart hands back what this returned the first time.
    if (isDebugpyAttach(config)) return config;
    const refusal = runRefusal(vscode.workspace.isTrusted);
    if (refusal) {
      refuseUntrusted(refusal);
      return undefined;
    }
    const launch = parseLaunch(config);
    if ('problem' in launch) {
      void vscode.window.showErrorMessage(`VORTEX: cannot debug: ${launch.problem}.`);
      return undefined;
    }
    const python = await interpreterFor(vscode.Uri.file(launch.file));
    const probe = await probeDebugpy(python);
    if (probe.status === 'noInterpreter') {
      void vscode.window.showErrorMessage(`VORTEX: cannot debug: ${probe.reason}; choose the interpreter with the vortex.python.interpreter setting.`);
      return undefined;
    }
    if (probe.status === 'missing') {
      offerInstall(python);
      return undefined;
    }
    const attach: vscode.DebugConfiguration = debugpyAttach(config.name || 'Debug task', launch, python);
    // Carried through so the command that started the session learns how its run ended.
    if (typeof config.vortexRequest === 'string') attach.vortexRequest = config.vortexRequest;
    return attach;
  }

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const { python } = (session.configuration as DebugpyAttach).vortex;
    return new vscode.DebugAdapterExecutable(python, ['-m', 'debugpy.adapter']);
  }

  /**
   * Debugs one task: the document's (the active editor's without one), the
   * DAG and task given (else the one under the cursor, or picked). Resolves
   * once the task's run ended.
   */
  async debugTask(uri: vscode.Uri, dagId: string | null, taskId: string | null): Promise<DebugCommandResult> {
    const refusal = runRefusal(vscode.workspace.isTrusted);
    if (refusal) {
      refuseUntrusted(refusal);
      return { outcome: 'refused', reason: refusal };
    }
    const requestId = `debug-${this.nextRequest++}`;
    const started = new Promise<SessionRun | null>((resolve) => this.waiting.set(requestId, resolve));
    const config: vscode.DebugConfiguration = {
      type: DEBUG_TYPE,
      request: 'launch',
      name: taskId ? `Debug ${taskId}` : 'Debug task',
      file: uri.fsPath,
      dag: dagId,
      task: taskId,
      vortexRequest: requestId,
    };
    let ok: boolean;
    try {
      ok = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), config);
    } catch (error) {
      ok = false;
      void vscode.window.showErrorMessage(`VORTEX: the debugger did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    // False also when the session ended before debugpy's attach was answered, which is how a
    // refused run ends it: what counts is whether the run was started.
    if (!ok && this.waiting.has(requestId)) {
      this.waiting.delete(requestId);
      return { outcome: 'notStarted', reason: 'the debug session did not start' };
    }
    const run = await started;
    return run ? run.result : { outcome: 'notStarted', reason: 'the debug session ended before debugpy was ready' };
  }

  /** debugpy's adapter listens: run the task, its runner connecting to it. */
  private startRun(session: vscode.DebugSession, host: string, port: number): void {
    const config = session.configuration;
    if (!isDebugpyAttach(config) || this.runs.has(session.id)) return;
    const { file, dag, task, logicalDate, withUpstream, xcomFrom } = config.vortex;
    const sessionRun: SessionRun = { runId: null, result: Promise.resolve({ outcome: 'refused', reason: '' }) };
    const adjustPlan = (plan: RunPlan, selection: TaskSelection): RunPlan => {
      // A task run always names its task; the debugged one is the one chosen, not its upstream (nor the rest of an earlier run).
      const chosen = xcomFrom !== null && task !== null ? task : selection.kind === 'dag' ? '' : selection.taskId;
      const debuggable = debuggablePlan(plan, chosen, debugpyArgs(host, port));
      sessionRun.runId = debuggable.runId;
      return debuggable;
    };
    // With xcomFrom, the task runs again as another try of that run: its upstream XComs are that run's.
    const earlier = xcomFrom !== null && dag !== null && task !== null ? this.controller.storedRun(dag, xcomFrom) : Promise.resolve(undefined);
    sessionRun.result = earlier
      .then((stored) =>
        this.controller.run({
          uri: vscode.Uri.file(file),
          dagId: dag,
          mode: withUpstream ? 'withUpstream' : 'task',
          taskId: task,
          logicalDate: logicalDate === null ? undefined : new Date(logicalDate),
          ...(stored && task !== null ? { again: { stored, rerun: { kind: 'cleared', taskId: task, downstream: false } as const } } : {}),
          adjustPlan,
        }),
      )
      .catch((error: unknown): RunCommandResult => {
        const reason = error instanceof Error ? error.message : String(error);
        void vscode.window.showErrorMessage(`VORTEX: cannot debug with the XComs of run "${xcomFrom}": ${reason}`);
        return { outcome: 'refused', reason };
      })
      .then((result) => {
        // The run is over: a debugged task that never started (refused, upstream failed, stopped)
        // leaves the adapter waiting for it for ever; one that ran has let go of the session already.
        vscode.debug.stopDebugging(session).then(undefined, () => undefined);
        return result;
      });
    this.runs.set(session.id, sessionRun);
    const request = config.vortexRequest;
    if (typeof request === 'string') {
      this.waiting.get(request)?.(sessionRun);
      this.waiting.delete(request);
    }
    void sessionRun.result.finally(() => this.runs.delete(session.id));
  }

  /** The session was stopped (or its debuggee let go): a task still running after a grace is stopped with it. */
  private sessionEnded(session: vscode.DebugSession): void {
    const request: unknown = session.configuration.vortexRequest;
    if (typeof request === 'string' && this.waiting.has(request)) {
      this.waiting.get(request)?.(null);
      this.waiting.delete(request);
    }
    const run = this.runs.get(session.id);
    if (!run) return;
    const timer = setTimeout(() => {
      if (run.runId !== null && this.runs.get(session.id) === run) this.controller.stop(run.runId);
    }, END_GRACE_MS);
    void run.result.finally(() => clearTimeout(timer));
  }

  /** The task's output, masked as the run masked it, in the Debug Console of its session. */
  private mirrorOutput(event: RunEvent): void {
    if (event.type !== 'task-output') return;
    const active = vscode.debug.activeDebugSession;
    if (active && this.runs.get(active.id)?.runId === event.runId) vscode.debug.activeDebugConsole.append(event.text);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function refuseUntrusted(refusal: string): void {
  void vscode.window.showErrorMessage(refusal, MANAGE_TRUST_ACTION).then((choice) => choice && vscode.commands.executeCommand(MANAGE_TRUST_COMMAND));
}

/** Says debugpy is missing from `python`, with the command that installs it and an action that runs it in a terminal. */
export function offerInstall(python: string): void {
  const command = installCommand(python);
  void vscode.window
    .showErrorMessage(`VORTEX: debugging a task needs debugpy in the interpreter VORTEX runs tasks with (${python}). Install it with: ${command}`, INSTALL_ACTION)
    .then((choice) => {
      if (choice !== INSTALL_ACTION) return;
      // The interpreter itself is the terminal's program: no shell, so no quoting to get wrong.
      vscode.window.createTerminal({ name: 'Install debugpy', shellPath: python, shellArgs: ['-m', 'pip', 'install', 'debugpy'] }).show();
    });
}
