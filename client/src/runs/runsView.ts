/**
 * The "VORTEX Runs" view: per DAG, its runs (those in progress first, then the
 * stored ones, newest first), and per run each task's state and duration; a
 * task's log is one click away, its rendered command and XCom in its hover,
 * and what it pushed to XCom one row per key beneath it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatDuration } from '../../../core/run/runService';
import { readXComs, type RunStore, type StoredRun, type StoredTaskState } from '../../../core/run/runStore';
import { Commands } from '../../../core/commands';
import type { LiveRun, RunController } from './runController';

/** When a run started: the time alone for today's runs, so the state and duration stay readable in a narrow view. */
function startedLabel(epochMs: number, now = new Date()): string {
  const started = new Date(epochMs);
  return started.toDateString() === now.toDateString() ? started.toLocaleTimeString() : started.toLocaleString();
}

type Node =
  | { kind: 'dag'; dagId: string }
  | { kind: 'run'; dagId: string; live: LiveRun | null; stored: StoredRun | null; newest?: boolean }
  | {
      kind: 'task';
      runKey: string;
      taskId: string;
      state: StoredTaskState;
      durationMs: number | null;
      logPath: string | null;
      details: TaskDetails;
      /** The stored run's folder; null while the run goes on. */
      runDir: string | null;
    }
  | { kind: 'xcom'; runKey: string; taskId: string; key: string; value: unknown };

/** What a task did beyond its state: its XCom and its templated fields as it ran them (both masked). */
interface TaskDetails {
  xcom: Record<string, unknown>;
  rendered: Record<string, string>;
  tries: number | null;
}

const NO_DETAILS: TaskDetails = { xcom: {}, rendered: {}, tries: null };

/** An XCom value on one line, as the view's description; the hover has it whole. */
function oneLine(value: unknown, max = 80): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The hover of a task: its rendered fields (a Bash task's command first), its XCom and its log. */
function taskTooltip(node: Extract<Node, { kind: 'task' }>): vscode.MarkdownString | undefined {
  const { rendered, xcom, tries } = node.details;
  if (Object.keys(rendered).length === 0 && Object.keys(xcom).length === 0 && !node.logPath) return undefined;
  const md = new vscode.MarkdownString();
  md.appendText(`${node.taskId}: ${node.state}${tries && tries > 1 ? ` after ${tries} tries` : ''}\n`);
  for (const [field, value] of Object.entries(rendered)) {
    md.appendMarkdown('\n\n');
    md.appendText(`${field} (rendered):`);
    md.appendCodeblock(value, field === 'bash_command' ? 'shellscript' : 'python');
  }
  for (const [key, value] of Object.entries(xcom)) {
    md.appendMarkdown('\n\n');
    md.appendText(`XCom ${key}:`);
    md.appendCodeblock(JSON.stringify(value, null, 2) ?? 'null', 'json');
  }
  if (node.logPath) {
    md.appendMarkdown('\n\n');
    md.appendText(`Log: ${node.logPath}`);
  }
  return md;
}

const ICONS: Record<StoredTaskState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('circle-outline'),
  running: new vscode.ThemeIcon('sync~spin'),
  success: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  upstream_failed: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconFailed')),
  skipped: new vscode.ThemeIcon('debug-step-over'),
  interrupted: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('testing.iconErrored')),
};

/** One row the view was given: its label and the text beside it. */
export interface RunsViewRow {
  label: string;
  description: string;
  tooltip: string | null;
}

/**
 * What the workbench last asked the view for and was given, by parent: `''`
 * for the top level, a DAG id for its runs, `run:<run id>` for a run's tasks.
 * Only the workbench asks (when it shows the view, and after each refresh), so
 * this is what the view renders; an empty view never asks.
 */
export type RunsViewRows = Record<string, RunsViewRow[]>;

function rowKey(node?: Node): string {
  if (!node) return '';
  if (node.kind === 'dag') return node.dagId;
  if (node.kind === 'run') return `run:${node.live?.runId ?? node.stored?.summary.run_id ?? '?'}`;
  if (node.kind === 'task') return `task:${node.runKey}/${node.taskId}`;
  return `xcom:${node.runKey}/${node.taskId}/${node.key}`;
}

/** What the runs view's context menu hands its commands: a stored run's folder, and the task for a task's item. */
export function runsViewTarget(arg: unknown): { runDir: string; taskId: string | null } | null {
  if (typeof arg === 'string') return { runDir: arg, taskId: null };
  if (arg === null || typeof arg !== 'object') return null;
  const node = arg as Partial<Node>;
  if (node.kind === 'run' && node.stored) return { runDir: node.stored.dir, taskId: null };
  if (node.kind === 'task' && typeof node.runDir === 'string') return { runDir: node.runDir, taskId: node.taskId ?? null };
  return null;
}

export class RunsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly served: RunsViewRows = {};

  constructor(private readonly runs: RunController, private readonly store: () => Promise<RunStore | undefined>) {
    this.subscription = runs.onDidChange(() => this.scheduleRefresh());
  }

  private refreshTimer: NodeJS.Timeout | undefined;

  /**
   * Coalesces refreshes: a wide DAG changes many task states at once, and each
   * refresh re-reads the history from disk; a tenth of a second still looks live.
   */
  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.changed.fire(undefined);
    }, 100);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const children = await this.childrenOf(node);
    this.served[rowKey(node)] = children.map((child) => {
      const item = this.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : typeof item.tooltip === 'string' ? item.tooltip : null;
      return { label, description: typeof item.description === 'string' ? item.description : '', tooltip };
    });
    return children;
  }

  /** The rows the workbench was last given (see {@link RunsViewRows}). */
  rows(): RunsViewRows {
    return structuredClone(this.served);
  }

  private async childrenOf(node?: Node): Promise<Node[]> {
    if (!node) {
      const stored = await this.storedRuns();
      // DAGs running now first, then by their latest run (the history comes newest first):
      // the DAG just run is where the eye looks, at the top.
      const ids = new Set([...this.runs.liveRuns().map((r) => r.dagId), ...stored.map((r) => r.summary.dag_id)]);
      return [...ids].map((dagId) => ({ kind: 'dag', dagId }));
    }
    if (node.kind === 'dag') {
      const live = this.runs.liveRuns().filter((r) => r.dagId === node.dagId);
      const liveIds = new Set(live.map((r) => r.runId));
      const stored = (await this.storedRuns(node.dagId)).filter((r) => !liveIds.has(r.summary.run_id));
      return [
        ...live.map((r): Node => ({ kind: 'run', dagId: node.dagId, live: r, stored: null })),
        // The latest run opens with its tasks in sight: it is the one just made, or the one to look at.
        ...stored.map((r, i): Node => ({ kind: 'run', dagId: node.dagId, live: null, stored: r, newest: i === 0 && live.length === 0 })),
      ];
    }
    if (node.kind === 'run') {
      const live = node.live;
      if (live) {
        const runKey = live.runId;
        return [...live.states].map(([taskId, state]): Node => {
          const result = live.results.get(taskId);
          const details = result ? { xcom: result.xcom, rendered: result.rendered, tries: result.tryNumber } : NO_DETAILS;
          return { kind: 'task', runKey, taskId, state, durationMs: result?.durationMs ?? null, logPath: result?.logPath ?? null, details, runDir: null };
        });
      }
      const stored = node.stored;
      if (!stored) return [];
      const xcoms = await readXComs(stored.dir);
      return stored.summary.tasks.map((t) => ({
        kind: 'task',
        runKey: stored.summary.run_id,
        taskId: t.task_id,
        state: t.state,
        durationMs: t.duration_ms,
        logPath: path.join(stored.dir, t.log),
        details: { xcom: xcoms[t.task_id] ?? {}, rendered: t.rendered ?? {}, tries: t.tries ?? null },
        runDir: stored.dir,
      }));
    }
    if (node.kind === 'task') {
      return Object.entries(node.details.xcom).map(([key, value]) => ({ kind: 'xcom', runKey: node.runKey, taskId: node.taskId, key, value }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'dag') {
      const item = new vscode.TreeItem(node.dagId, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('type-hierarchy');
      item.contextValue = 'dag';
      return item;
    }
    if (node.kind === 'run') {
      if (node.live) {
        const item = new vscode.TreeItem(startedLabel(node.live.startedAt), vscode.TreeItemCollapsibleState.Expanded);
        item.description = 'running';
        item.iconPath = ICONS.running;
        item.contextValue = 'liveRun';
        return item;
      }
      const summary = node.stored?.summary;
      const collapsed = node.newest ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
      const item = new vscode.TreeItem(summary ? startedLabel(Date.parse(summary.started_at)) : '?', collapsed);
      item.description = summary ? `${summary.state} · ${formatDuration(summary.duration_ms)}` : '';
      item.tooltip = summary ? `run ${summary.run_id}` : undefined;
      const state = summary?.state;
      item.iconPath = state === 'success' || state === 'interrupted' ? ICONS[state] : state === 'running' ? ICONS.queued : ICONS.failed;
      if (state === 'interrupted') item.tooltip = `run ${summary?.run_id}: the process that ran it ended before the run did`;
      item.contextValue = 'storedRun';
      return item;
    }
    if (node.kind === 'xcom') {
      const item = new vscode.TreeItem(`XCom ${node.key}`, vscode.TreeItemCollapsibleState.None);
      item.description = oneLine(node.value);
      item.tooltip = JSON.stringify(node.value, null, 2) ?? 'null';
      item.iconPath = new vscode.ThemeIcon('symbol-variable');
      item.contextValue = 'xcom';
      return item;
    }
    const hasXCom = Object.keys(node.details.xcom).length > 0;
    const item = new vscode.TreeItem(node.taskId, hasXCom ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = node.durationMs !== null ? `${node.state} · ${formatDuration(node.durationMs)}` : node.state;
    if (node.details.tries !== null && node.details.tries > 1) item.description += ` · ${node.details.tries} tries`;
    item.iconPath = ICONS[node.state];
    item.tooltip = taskTooltip(node);
    if (node.runDir) item.contextValue = 'storedTask';
    if (node.logPath) item.command = { title: 'Open Log', command: Commands.openRunLog, arguments: [node.logPath] };
    return item;
  }

  private async storedRuns(dagId?: string): Promise<StoredRun[]> {
    const store = await this.store();
    return store ? store.listRuns(dagId) : [];
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
