/**
 * The graph webview's messages, in both directions, as two discriminated
 * unions. Everything that crosses `postMessage` arrives as `unknown` and is
 * narrowed by the guards below before use: the webview trusts nothing from the
 * page, and the host trusts nothing from the webview. Imported by both the
 * extension host and the webview bundle, so it must not import `vscode`.
 */
import type { DagChoice } from './dagGraph';
import type { CollapsedGroupView, EdgeView, GraphView, GroupBoxView, NodeView } from './graphView';

export const RUN_STATES = ['queued', 'running', 'success', 'failed', 'upstream_failed', 'skipped'] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface TaskRunState {
  taskId: string;
  state: RunState;
  /** Elapsed (running) or total (finished) time; absent when not started. */
  durationMs?: number;
  /** A finished task's output (the run engine caps it); a click on the node shows it in the panel. */
  stdout?: string;
  stderr?: string;
  /** Its templated fields as it ran them (`bash_command: echo 2024-03-05`), one per line; absent for none. */
  rendered?: string;
  /** What it pushed to XCom, as JSON text; absent for nothing. */
  xcom?: string;
}

/**
 * What a collapsed group's node shows for a run: the state that most needs
 * the user, first of failed (something broke), running (work under way),
 * upstream failed (its tasks will not run), queued (still to come), success,
 * skipped. A group whose tasks all succeeded or were skipped reads as a
 * success unless every one was skipped. Undefined when none of its tasks has
 * a state.
 */
export const GROUP_STATE_ORDER: readonly RunState[] = ['failed', 'running', 'upstream_failed', 'queued', 'success', 'skipped'];

export function aggregateRunState(states: Iterable<RunState | undefined>): RunState | undefined {
  let best: number | undefined;
  for (const s of states) {
    if (s === undefined) continue;
    const rank = GROUP_STATE_ORDER.indexOf(s);
    if (best === undefined || rank < best) best = rank;
  }
  return best === undefined ? undefined : GROUP_STATE_ORDER[best];
}

/** The most output per stream the webview accepts in one message. */
export const MAX_OUTPUT_CHARS = 1_000_000;

/** The zoom the page allows, out and in. */
export const MIN_SCALE = 0.02;
export const MAX_SCALE = 4;

/** Where the graph sits in the panel: a translation in CSS pixels, then a scale. */
export interface Viewport {
  x: number;
  y: number;
  k: number;
}

/** host → webview */
export type HostMessage =
  /**
   * A new picture of the followed DAG; `keepViewport` is false when a different DAG or file is shown.
   * `viewport`, when given, places it where the user left it instead (a panel restored after a
   * reload, or a page VS Code loaded again after hiding it).
   */
  | { type: 'graph'; view: GraphView; dags: DagChoice[]; uri: string; fileName: string; keepViewport: boolean; viewport?: Viewport }
  /** Nothing to draw (no DAG file in sight, or the server is not running), with why. */
  | { type: 'empty'; reason: string }
  /** The task whose code holds the editor's cursor, or null. */
  | { type: 'highlight'; taskId: string | null }
  /**
   * Task states of a run of the shown DAG, sent by the run engine
   * through `GraphPanels.showRunStates`; states for tasks not listed stay as they are,
   * `reset` clears every state first (a new run).
   */
  | { type: 'runStates'; dagId: string; reset: boolean; tasks: TaskRunState[] };

/** webview → host */
export type WebviewMessage =
  /** The script has loaded and listens: the host sends nothing before this (the ready handshake). */
  | { type: 'ready' }
  /** Show the task's definition in the editor. */
  | { type: 'reveal'; taskId: string }
  /** The DAG picker's choice. */
  | { type: 'selectDag'; dagIndex: number }
  /** Show only the task's neighbourhood to `depth` steps; null shows the whole DAG. */
  | { type: 'focus'; taskId: string | null; depth: number }
  /** The run button. */
  | { type: 'runDag'; dagId: string | null }
  /** The selected task's run buttons: the task alone, or with everything upstream of it. */
  | { type: 'runTask'; dagId: string | null; taskId: string; withUpstream: boolean; withDownstream?: boolean }
  /** The selected task's debug button (a task that calls Python). */
  | { type: 'debugTask'; dagId: string | null; taskId: string }
  /** A click on a group's header or on a collapsed group: collapse it, or expand it. */
  | { type: 'toggleGroup'; groupId: string }
  /** The export button: the drawn graph as a standalone SVG document. */
  | { type: 'exportSvg'; svg: string }
  /**
   * What the page just saved with `setState` (after each drawing, and once a pan or zoom
   * settles): the host keeps it to place the graph again when the page loads anew.
   */
  | { type: 'state'; state: GraphPanelState };

/**
 * What the webview keeps across a reload (`setState`), which VS Code hands back
 * to the panel serializer: the file, the DAG picked, and where the whole DAG
 * was in view (absent while a task's neighbourhood is focused).
 */
export interface GraphPanelState {
  uri: string;
  dagIndex: number;
  viewport?: Viewport;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

const KINDS = ['bash', 'python', 'dummy', 'other'];
const SEVERITIES = ['error', 'warning', 'info'];

function isNodeView(v: unknown): v is NodeView {
  if (!isObject(v)) return false;
  const badge = v.badge;
  const badgeOk = badge === null || (isObject(badge) && SEVERITIES.includes(badge.severity as string) && isFiniteNumber(badge.count));
  return (
    isString(v.id) && isString(v.label) && isString(v.operator) && KINDS.includes(v.kind as string) && isBox(v) && badgeOk &&
    typeof v.decorated === 'boolean' && typeof v.mapped === 'boolean' && typeof v.branch === 'boolean' &&
    (v.triggerRule === null || isString(v.triggerRule))
  );
}

function isBox(v: Json): boolean {
  return isFiniteNumber(v.x) && isFiniteNumber(v.y) && isFiniteNumber(v.width) && isFiniteNumber(v.height);
}

function isCollapsedGroupView(v: unknown): v is CollapsedGroupView {
  return isObject(v) && isString(v.id) && isString(v.label) && isBox(v) && Array.isArray(v.taskIds) && v.taskIds.every(isString);
}

function isGroupBoxView(v: unknown): v is GroupBoxView {
  return isObject(v) && isString(v.id) && isString(v.label) && isBox(v) && isFiniteNumber(v.tasks);
}

function isPoint(v: unknown): boolean {
  return isObject(v) && isFiniteNumber(v.x) && isFiniteNumber(v.y);
}

function isEdgeView(v: unknown): v is EdgeView {
  // Path data goes into an attribute; only numbers, commas, spaces and M/L commands may appear.
  return (
    isObject(v) && isString(v.from) && isString(v.to) && typeof v.fromGroup === 'boolean' && typeof v.toGroup === 'boolean' &&
    isString(v.d) && /^[ML0-9.,\s-]*$/.test(v.d) && (v.label === null || isString(v.label)) && (v.labelAt === null || isPoint(v.labelAt))
  );
}

export function isGraphView(v: unknown): v is GraphView {
  if (!isObject(v)) return false;
  const focus = v.focus;
  const focusOk = focus === null || (isObject(focus) && isString(focus.taskId) && isFiniteNumber(focus.depth));
  return (
    isFiniteNumber(v.dagIndex) && (v.dagId === null || isString(v.dagId)) && isFiniteNumber(v.width) && isFiniteNumber(v.height) &&
    Array.isArray(v.nodes) && v.nodes.every(isNodeView) && Array.isArray(v.edges) && v.edges.every(isEdgeView) &&
    Array.isArray(v.groups) && v.groups.every(isCollapsedGroupView) && Array.isArray(v.boxes) && v.boxes.every(isGroupBoxView) &&
    focusOk && isFiniteNumber(v.totalTasks)
  );
}

/** Positions far beyond any layout (5,000 tasks span a few hundred thousand pixels) are refused. */
const MAX_OFFSET = 10_000_000;

export function isViewport(v: unknown): v is Viewport {
  return (
    isObject(v) && isFiniteNumber(v.x) && isFiniteNumber(v.y) && isFiniteNumber(v.k) &&
    Math.abs(v.x) <= MAX_OFFSET && Math.abs(v.y) <= MAX_OFFSET && v.k >= MIN_SCALE && v.k <= MAX_SCALE
  );
}

function isDagChoice(v: unknown): v is DagChoice {
  return isObject(v) && isFiniteNumber(v.index) && isString(v.label);
}

export function isTaskRunState(v: unknown): v is TaskRunState {
  return (
    isObject(v) && isString(v.taskId) && RUN_STATES.includes(v.state as RunState) &&
    (v.durationMs === undefined || (isFiniteNumber(v.durationMs) && v.durationMs >= 0)) &&
    (v.stdout === undefined || (isString(v.stdout) && v.stdout.length <= MAX_OUTPUT_CHARS)) &&
    (v.stderr === undefined || (isString(v.stderr) && v.stderr.length <= MAX_OUTPUT_CHARS)) &&
    (v.rendered === undefined || (isString(v.rendered) && v.rendered.length <= MAX_OUTPUT_CHARS)) &&
    (v.xcom === undefined || (isString(v.xcom) && v.xcom.length <= MAX_OUTPUT_CHARS))
  );
}

export function isHostMessage(v: unknown): v is HostMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'graph':
      return (
        isGraphView(v.view) && Array.isArray(v.dags) && v.dags.every(isDagChoice) && isString(v.uri) && isString(v.fileName) &&
        typeof v.keepViewport === 'boolean' && (v.viewport === undefined || isViewport(v.viewport))
      );
    case 'empty':
      return isString(v.reason);
    case 'highlight':
      return v.taskId === null || isString(v.taskId);
    case 'runStates':
      return isString(v.dagId) && typeof v.reset === 'boolean' && Array.isArray(v.tasks) && v.tasks.every(isTaskRunState);
    default:
      return false;
  }
}

/** The largest SVG the host accepts for export: far above a 5,000-task graph (≈ 3 MB). */
export const MAX_EXPORT_CHARS = 50_000_000;

export function isWebviewMessage(v: unknown): v is WebviewMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'reveal':
      return isString(v.taskId);
    case 'selectDag':
      return Number.isInteger(v.dagIndex) && (v.dagIndex as number) >= 0;
    case 'focus':
      return (v.taskId === null || isString(v.taskId)) && Number.isInteger(v.depth) && (v.depth as number) >= 1 && (v.depth as number) <= 50;
    case 'runDag':
      return v.dagId === null || isString(v.dagId);
    case 'runTask':
      return (
        (v.dagId === null || isString(v.dagId)) && isString(v.taskId) && typeof v.withUpstream === 'boolean' &&
        (v.withDownstream === undefined || typeof v.withDownstream === 'boolean')
      );
    case 'debugTask':
      return (v.dagId === null || isString(v.dagId)) && isString(v.taskId);
    case 'toggleGroup':
      return isString(v.groupId);
    case 'exportSvg':
      return isString(v.svg) && v.svg.length <= MAX_EXPORT_CHARS && v.svg.startsWith('<svg');
    case 'state':
      return isGraphPanelState(v.state);
    default:
      return false;
  }
}

export function isGraphPanelState(v: unknown): v is GraphPanelState {
  return (
    isObject(v) && isString(v.uri) && Number.isInteger(v.dagIndex) && (v.dagIndex as number) >= 0 &&
    (v.viewport === undefined || isViewport(v.viewport))
  );
}

/**
 * Reads what VS Code hands the panel serializer after a reload: whatever a page
 * saved, in this or another version of VORTEX. A viewport it cannot use is
 * dropped (the graph is then fitted) rather than losing the file and the DAG.
 */
export function readGraphPanelState(v: unknown): GraphPanelState | undefined {
  if (!isObject(v)) return undefined;
  const { viewport, ...rest } = v;
  if (!isGraphPanelState(rest)) return undefined;
  return { uri: rest.uri, dagIndex: rest.dagIndex, ...(isViewport(viewport) ? { viewport: { x: viewport.x, y: viewport.y, k: viewport.k } } : {}) };
}
