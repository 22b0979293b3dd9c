/**
 * The graph webview's script (bundled by esbuild into dist/webview/graph.js,
 * type-checked with the DOM library by ./tsconfig.json). It draws what the host
 * sends and reports what the user does; it computes no layout itself.
 *
 * Every string from a DAG file reaches the page through `textContent` or an
 * attribute set by `setAttribute`, never through HTML parsing, so a task id
 * such as `<img src=x onerror=alert(1)>` shows as those characters.
 */
import { aggregateRunState, isHostMessage, MAX_SCALE, MIN_SCALE } from '../messages';
import { LINE_HEIGHT, wrapLabel } from '../labels';
import { fitViewport, LEGIBLE_SCALE, rootsOf, wholeScale } from '../layoutFit';
import type { GraphPanelState, HostMessage, RunState, TaskRunState, WebviewMessage } from '../messages';
import type { DagChoice } from '../dagGraph';
import type { CollapsedGroupView, EdgeView, GraphView, GroupBoxView, NodeView } from '../graphView';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: GraphPanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG_NS = 'http://www.w3.org/2000/svg';

function byId<T extends Element>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page lacks #${id}`);
  return element;
}

const canvas = byId('canvas', HTMLDivElement);
const svg = byId('graph', SVGSVGElement);
const boxLayer = byId('boxes', SVGGElement);
const edgeLayer = byId('edges', SVGGElement);
const edgeLabelLayer = byId('edge-labels', SVGGElement);
const nodeLayer = byId('nodes', SVGGElement);
const minimap = byId('minimap', SVGSVGElement);
const minimapNodes = byId('minimap-nodes', SVGGElement);
const minimapView = byId('minimap-view', SVGRectElement);
const picker = byId('dag-picker', HTMLSelectElement);
const search = byId('search', HTMLInputElement);
const taskIds = byId('task-ids', HTMLDataListElement);
const depth = byId('depth', HTMLSelectElement);
const focusButton = byId('focus', HTMLButtonElement);
const unfocusButton = byId('unfocus', HTMLButtonElement);
const runButton = byId('run', HTMLButtonElement);
const runTaskButton = byId('run-task', HTMLButtonElement);
const runDownstreamButton = byId('run-downstream', HTMLButtonElement);
const runUpstreamButton = byId('run-upstream', HTMLButtonElement);
const debugTaskButton = byId('debug-task', HTMLButtonElement);
const outputPane = byId('output', HTMLElement);
const outputTitle = byId('output-title', HTMLSpanElement);
const stdoutView = byId('stdout', HTMLPreElement);
const stderrView = byId('stderr', HTMLPreElement);
const renderedView = byId('rendered', HTMLPreElement);
const xcomView = byId('xcom', HTMLPreElement);
const status = byId('status', HTMLDivElement);

/** Above this many tasks the minimap shows; so it does for a smaller graph too big to read whole in the panel. */
const MINIMAP_MIN_TASKS = 40;
/** Below this scale labels are unreadable anyway; hiding them keeps large graphs cheap to draw. */
const LABEL_MIN_SCALE = 0.35;
/** After this long without zooming, the graph is drawn again at the new scale (crisp text). */
const RERASTER_DELAY_MS = 150;
/** A pan or zoom is saved once it has settled this long: dragging moves the graph at every frame. */
const SAVE_DELAY_MS = 200;

const OPERATOR_ICONS: Record<NodeView['kind'], string> = { bash: '$', python: 'λ', dummy: '○', other: '◆' };
/** Run states carry an icon as well as a colour, so they read without colour vision. */
const STATE_ICONS: Record<RunState, string> = {
  queued: '◷',
  running: '⟳',
  success: '✓',
  failed: '✗',
  upstream_failed: '⚠',
  skipped: '⤼',
};

let view: GraphView | undefined;
/** The file the drawn graph comes from. */
let viewUri: string | undefined;
let transform = { x: 0, y: 0, k: 1 };
const nodeElements = new Map<string, SVGGElement>();
const idOfElement = new WeakMap<Element, string>();
/** Collapsed groups' nodes, by group id. */
const groupElements = new Map<string, { g: SVGGElement; group: CollapsedGroupView }>();
/** Group ids of the elements a click on which collapses or expands a group. */
const groupOfElement = new WeakMap<Element, string>();
/**
 * True from a fit until the user pans or zooms: while it holds, a resized
 * panel fits the graph again; once the user has placed the graph, a resize
 * leaves it where they put it.
 */
let fitted = false;
const runStates = new Map<string, TaskRunState>();
let runDagId: string | null = null;
let selected: string | null = null;
let highlighted: string | null = null;

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function text(content: string, attributes: Record<string, string | number>): SVGTextElement {
  const element = svgElement('text', attributes);
  element.textContent = content;
  return element;
}

/** Trims a label to what fits the node's estimated width; the full text is in the tooltip. */
function fit(label: string, width: number): string {
  const max = Math.max(4, Math.floor((width - 24) / 7.2));
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The marks of a task in words, for its tooltip and its accessible name. */
function markWords(n: NodeView): string[] {
  return [
    ...(n.branch ? ['branch task: decides which downstream tasks run'] : []),
    ...(n.mapped ? ['mapped task: one instance per input at run time'] : []),
    ...(n.decorated ? ['@task function'] : []),
    ...(n.triggerRule !== null ? [`trigger rule ${n.triggerRule}`] : []),
  ];
}

function drawNode(n: NodeView): SVGGElement {
  const marks = markWords(n);
  const classes = ['node', `kind-${n.kind}`, ...(n.branch ? ['branch'] : []), ...(n.mapped ? ['mapped'] : []), ...(n.decorated ? ['decorated'] : [])];
  const g = svgElement('g', { class: classes.join(' '), transform: `translate(${n.x},${n.y})`, tabindex: 0, role: 'button' });
  g.setAttribute('aria-label', `${n.id} (${n.operator})${marks.length > 0 ? `, ${marks.join(', ')}` : ''}`);
  idOfElement.set(g, n.id);
  const title = svgElement('title', {});
  title.textContent = `${n.id}\n${n.operator}${marks.map((m) => `\n${m}`).join('')}${n.badge ? `\n${n.badge.count} problem${n.badge.count === 1 ? '' : 's'}` : ''}`;
  g.append(title);
  // A mapped task is drawn as a stack: the cards of its instances behind it.
  if (n.mapped) for (const offset of [6, 3]) g.append(svgElement('rect', { class: 'box stack', x: offset, y: -offset, width: n.width, height: n.height, rx: 4 }));
  g.append(svgElement('rect', { class: 'box', width: n.width, height: n.height, rx: 4 }));
  const lines = wrapLabel(n.label);
  lines.forEach((l, i) => g.append(text(fit(l, n.width - (n.branch && i === 0 ? 16 : 0)), { class: 'task-id', x: 10, y: 18 + LINE_HEIGHT * i })));
  const extra = LINE_HEIGHT * (lines.length - 1);
  g.dataset.stateY = String(50 + extra);
  const operator = `${n.decorated ? '@task ' : ''}${n.operator}`;
  const line = text(`${n.decorated ? '' : `${OPERATOR_ICONS[n.kind]} `}${fit(operator, n.width - 14 - (n.mapped ? 22 : 0))}${n.mapped ? ' [ ]' : ''}`, { class: 'operator', x: 10, y: 35 + extra });
  g.append(line);
  if (n.branch) {
    // A diamond, the flowchart's sign of a decision, at the node's top right.
    g.append(svgElement('path', { class: 'branch-mark', d: `M${n.width - 12},5 L${n.width - 6},11 L${n.width - 12},17 L${n.width - 18},11 Z` }));
  }
  if (n.badge) {
    const badge = svgElement('g', { class: `badge badge-${n.badge.severity}`, transform: `translate(${n.width - 2},2)` });
    badge.append(svgElement('circle', { r: 8 }));
    badge.append(text(String(Math.min(n.badge.count, 99)), { class: 'badge-count', 'text-anchor': 'middle', y: 3.5 }));
    g.append(badge);
  }
  return g;
}

/** A collapsed group: one node with its name, its task count and, during a run, its tasks' aggregated state. */
function drawGroupNode(group: CollapsedGroupView): SVGGElement {
  const g = svgElement('g', { class: 'node group-node', transform: `translate(${group.x},${group.y})`, tabindex: 0, role: 'button' });
  const count = `${group.taskIds.length} task${group.taskIds.length === 1 ? '' : 's'}`;
  g.setAttribute('aria-label', `Task group ${group.id}, ${count}, collapsed: activate to expand`);
  g.setAttribute('aria-expanded', 'false');
  groupOfElement.set(g, group.id);
  const title = svgElement('title', {});
  title.textContent = `Task group ${group.id}\n${count}\nClick to expand`;
  g.append(title);
  for (const offset of [6, 3]) g.append(svgElement('rect', { class: 'box stack', x: offset, y: -offset, width: group.width, height: group.height, rx: 6 }));
  g.append(svgElement('rect', { class: 'box', width: group.width, height: group.height, rx: 6 }));
  // The count always shows; a long name gives way.
  const room = Math.max(4, Math.floor((group.width - 24) / 7.2) - count.length - 5);
  const name = group.label.length <= room ? group.label : `${group.label.slice(0, room - 1)}…`;
  g.append(text(`▸ ${name} (${count})`, { class: 'task-id group-title', x: 10, y: 18 }));
  g.append(text('Task group', { class: 'operator', x: 10, y: 35 }));
  return g;
}

/** An expanded group: a box behind its contents, its header a button that collapses it. */
function drawBox(box: GroupBoxView): SVGGElement {
  const g = svgElement('g', { class: 'group-box', transform: `translate(${box.x},${box.y})` });
  g.append(svgElement('rect', { class: 'group-frame', width: box.width, height: box.height, rx: 6 }));
  const header = svgElement('g', { class: 'group-header', tabindex: 0, role: 'button' });
  header.setAttribute('aria-label', `Task group ${box.id}, ${box.tasks} tasks, expanded: activate to collapse`);
  header.setAttribute('aria-expanded', 'true');
  groupOfElement.set(header, box.id);
  const title = svgElement('title', {});
  title.textContent = `Task group ${box.id}\n${box.tasks} task${box.tasks === 1 ? '' : 's'}\nClick to collapse`;
  header.append(title);
  header.append(svgElement('rect', { class: 'group-header-back', width: box.width, height: 20, rx: 6 }));
  // 11 px bold text: about 6.6 px a character; the count always shows, a long name gives way.
  const count = ` · ${box.tasks}`;
  const room = Math.max(4, Math.floor((box.width - 16) / 6.6) - count.length - 2);
  const name = box.label.length <= room ? box.label : `${box.label.slice(0, room - 1)}…`;
  header.append(text(`▾ ${name}${count}`, { class: 'group-label', x: 8, y: 14 }));
  g.append(header);
  return g;
}

/** An edge's label: text on a plate the colour of the background, so the line does not strike it through. */
function drawEdgeLabel(e: EdgeView): SVGGElement | undefined {
  if (e.label === null || e.labelAt === null) return undefined;
  const shown = e.label.length > 28 ? `${e.label.slice(0, 27)}…` : e.label;
  const width = shown.length * 6.6 + 8;
  const g = svgElement('g', { class: 'edge-label', transform: `translate(${e.labelAt.x},${e.labelAt.y})` });
  const title = svgElement('title', {});
  title.textContent = e.label;
  g.append(title);
  g.append(svgElement('rect', { x: -width / 2, y: -8, width, height: 16, rx: 3 }));
  g.append(text(shown, { 'text-anchor': 'middle', y: 4 }));
  return g;
}

/**
 * Pans and zooms with a CSS transform on the <svg> element, which Chromium
 * moves as one composited layer without drawing the graph again: that is what
 * keeps a thousand-task graph smooth. The layer is redrawn at the new scale once
 * zooming pauses, so text ends sharp.
 */
let rasterScale = 1;
let rerasterTimer: ReturnType<typeof setTimeout> | undefined;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function applyTransform(): void {
  svg.style.transform = `translate(${transform.x}px, ${transform.y}px) scale(${transform.k})`;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveState, SAVE_DELAY_MS);
  canvas.classList.toggle('far', transform.k < LABEL_MIN_SCALE);
  if (transform.k !== rasterScale) {
    clearTimeout(rerasterTimer);
    rerasterTimer = setTimeout(() => {
      rasterScale = transform.k;
      svg.style.willChange = 'auto';
      requestAnimationFrame(() => (svg.style.willChange = 'transform'));
    }, RERASTER_DELAY_MS);
  }
  updateMinimapView();
}

/**
 * Saves what a reload restores (VS Code hands it to the panel serializer) and
 * tells the host, which places the graph so again when the page loads anew.
 * The viewport only for the whole DAG: a restored panel shows the whole DAG.
 */
function saveState(): void {
  clearTimeout(saveTimer);
  if (!view || viewUri === undefined) return;
  const state: GraphPanelState = { uri: viewUri, dagIndex: view.dagIndex, ...(view.focus === null ? { viewport: { ...transform } } : {}) };
  vscode.setState(state);
  post({ type: 'state', state });
}

function panelSize(): { width: number; height: number } {
  const box = canvas.getBoundingClientRect();
  return { width: Math.max(box.width, 1), height: Math.max(box.height, 1) };
}

/** Nodes and collapsed groups, keyed apart (a group may share a task's id), with where they are. */
function placedNodes(v: GraphView): Array<{ id: string; x: number; y: number; width: number; height: number }> {
  return [...v.nodes.map((n) => ({ ...n, id: `t:${n.id}` })), ...v.groups.map((g) => ({ ...g, id: `g:${g.id}` }))];
}

/**
 * The whole graph when its task names stay legible at that scale, else a
 * legible scale on its roots (layoutFit.ts): the user pans on from where the
 * DAG starts, the minimap showing the rest.
 */
function fitToView(): void {
  if (!view || view.nodes.length + view.groups.length === 0) return;
  fitted = true;
  const edges = view.edges.map((e) => ({ to: `${e.toGroup ? 'g' : 't'}:${e.to}` }));
  const { x, y, k } = fitViewport(view, panelSize(), rootsOf(placedNodes(view), edges));
  transform = { k: Math.min(MAX_SCALE, Math.max(MIN_SCALE, k)), x, y };
  applyTransform();
}

function centreOn(id: string): void {
  const n = view?.nodes.find((node) => node.id === id) ?? view?.groups.find((g) => g.id === id);
  if (!n) return;
  fitted = false;
  const { width, height } = panelSize();
  const k = Math.max(transform.k, 0.8);
  transform = { k, x: width / 2 - (n.x + n.width / 2) * k, y: height / 2 - (n.y + n.height / 2) * k };
  applyTransform();
}

function zoomAt(factor: number, cx: number, cy: number): void {
  fitted = false;
  const k = Math.min(MAX_SCALE, Math.max(MIN_SCALE, transform.k * factor));
  const ratio = k / transform.k;
  transform = { k, x: cx - (cx - transform.x) * ratio, y: cy - (cy - transform.y) * ratio };
  applyTransform();
}

/** The collapsed group a task is drawn as, if it is inside one. */
function collapsedGroupOf(taskId: string): CollapsedGroupView | undefined {
  return view?.groups.find((g) => g.taskIds.includes(taskId));
}

function setClass(id: string | null, name: string, on: boolean): void {
  if (id === null) return;
  // A task inside a collapsed group marks the group's node (the cursor in its code, say).
  const element = nodeElements.get(id) ?? groupElements.get(collapsedGroupOf(id)?.id ?? '')?.g;
  element?.classList.toggle(name, on);
}

function select(id: string | null): void {
  setClass(selected, 'selected', false);
  selected = id;
  setClass(selected, 'selected', true);
  focusButton.disabled = selected === null;
  runTaskButton.disabled = selected === null;
  runUpstreamButton.disabled = selected === null;
  runDownstreamButton.disabled = selected === null;
  // Only a task that calls Python has code for the debugger to stop in.
  debugTaskButton.disabled = view?.nodes.find((n) => n.id === selected)?.kind !== 'python';
}

const FINISHED: readonly RunState[] = ['success', 'failed', 'upstream_failed', 'skipped'];

/** A finished task's output in the pane, as text; a task without output closes the pane. */
function showOutput(id: string): void {
  const state = runDagId === view?.dagId ? runStates.get(id) : undefined;
  if (!state || !FINISHED.includes(state.state) || (state.stdout === undefined && state.stderr === undefined)) {
    outputPane.hidden = true;
    return;
  }
  outputTitle.textContent = `${id}: ${state.state.replace('_', ' ')}${state.durationMs === undefined ? '' : ` in ${formatDuration(state.durationMs)}`}`;
  stdoutView.textContent = state.stdout || '(nothing)';
  stderrView.textContent = state.stderr || '(nothing)';
  // What a run did beyond its output: the command as rendered, and its XCom; each shows only when there is one.
  for (const [pre, text] of [[renderedView, state.rendered], [xcomView, state.xcom]] as const) {
    pre.textContent = text ?? '';
    pre.hidden = text === undefined;
    if (pre.previousElementSibling instanceof HTMLElement) pre.previousElementSibling.hidden = text === undefined;
  }
  outputPane.hidden = false;
}

function highlight(id: string | null): void {
  setClass(highlighted, 'highlighted', false);
  highlighted = id;
  setClass(highlighted, 'highlighted', true);
}

function applyRunState(id: string): void {
  const g = nodeElements.get(id);
  if (!g) return;
  for (const s of Object.keys(STATE_ICONS)) g.classList.remove(`state-${s}`);
  g.querySelector('.run-state')?.remove();
  const state = runDagId === view?.dagId ? runStates.get(id) : undefined;
  if (!state) return;
  g.classList.add(`state-${state.state}`);
  // The state in words as well as icon and colour: readable without colour vision or a legend.
  const words = state.state.replace('_', ' ');
  const duration = state.durationMs === undefined ? '' : ` · ${formatDuration(state.durationMs)}`;
  const label = svgElement('g', { class: 'run-state', transform: `translate(10,${g.dataset.stateY ?? 50})` });
  label.append(text(`${STATE_ICONS[state.state]} ${words}${duration}`, {}));
  g.append(label);
}

/** A collapsed group's state: its tasks' states aggregated (see `aggregateRunState`). */
function applyGroupState(id: string): void {
  const entry = groupElements.get(id);
  if (!entry) return;
  const { g, group } = entry;
  for (const s of Object.keys(STATE_ICONS)) g.classList.remove(`state-${s}`);
  g.querySelector('.run-state')?.remove();
  const ours = runDagId === view?.dagId;
  const state = ours ? aggregateRunState(group.taskIds.map((t) => runStates.get(t)?.state)) : undefined;
  if (!state) return;
  g.classList.add(`state-${state}`);
  const done = group.taskIds.filter((t) => runStates.get(t)?.state === state).length;
  const label = svgElement('g', { class: 'run-state', transform: 'translate(10,50)' });
  label.append(text(`${STATE_ICONS[state]} ${state.replace('_', ' ')} · ${done} of ${group.taskIds.length}`, {}));
  g.append(label);
}

function applyAllRunStates(): void {
  for (const id of nodeElements.keys()) applyRunState(id);
  for (const id of groupElements.keys()) applyGroupState(id);
}

/** A big DAG, or one whose names would be unreadable shown whole in this panel (so "Fit" shows part of it). */
function minimapWanted(): boolean {
  return view !== undefined && (view.nodes.length + view.groups.length >= MINIMAP_MIN_TASKS || wholeScale(view, panelSize()) < LEGIBLE_SCALE);
}

function showMinimapIfWanted(): void {
  minimap.toggleAttribute('hidden', !minimapWanted());
  updateMinimapView();
}

function drawMinimap(): void {
  minimapNodes.replaceChildren();
  if (view) {
    minimap.setAttribute('viewBox', `0 0 ${view.width} ${view.height}`);
    const fragment = document.createDocumentFragment();
    for (const n of [...view.nodes, ...view.groups]) fragment.append(svgElement('rect', { x: n.x, y: n.y, width: n.width, height: n.height }));
    minimapNodes.append(fragment);
  }
  showMinimapIfWanted();
}

function updateMinimapView(): void {
  if (minimap.hasAttribute('hidden')) return;
  const { width, height } = panelSize();
  minimapView.setAttribute('x', String(-transform.x / transform.k));
  minimapView.setAttribute('y', String(-transform.y / transform.k));
  minimapView.setAttribute('width', String(width / transform.k));
  minimapView.setAttribute('height', String(height / transform.k));
}

function showPicker(dags: DagChoice[], current: number): void {
  picker.replaceChildren(
    ...dags.map((d) => {
      const option = document.createElement('option');
      option.value = String(d.index);
      option.textContent = d.label;
      option.selected = d.index === current;
      return option;
    }),
  );
  picker.hidden = dags.length < 2;
}

function render(message: Extract<HostMessage, { type: 'graph' }>): void {
  const first = view === undefined;
  view = message.view;
  viewUri = message.uri;
  showPicker(message.dags, view.dagIndex);
  nodeElements.clear();
  groupElements.clear();
  const boxes = document.createDocumentFragment();
  for (const b of view.boxes) boxes.append(drawBox(b));
  const edges = document.createDocumentFragment();
  const edgeLabels = document.createDocumentFragment();
  for (const e of view.edges) {
    edges.append(svgElement('path', { class: e.label === null ? 'edge' : 'edge labelled', d: e.d, 'marker-end': 'url(#arrow)' }));
    const label = drawEdgeLabel(e);
    if (label) edgeLabels.append(label);
  }
  const nodes = document.createDocumentFragment();
  for (const n of view.nodes) {
    const g = drawNode(n);
    nodeElements.set(n.id, g);
    nodes.append(g);
  }
  for (const group of view.groups) {
    const g = drawGroupNode(group);
    groupElements.set(group.id, { g, group });
    nodes.append(g);
  }
  boxLayer.replaceChildren(boxes);
  edgeLayer.replaceChildren(edges);
  edgeLabelLayer.replaceChildren(edgeLabels);
  nodeLayer.replaceChildren(nodes);
  svg.setAttribute('width', String(Math.max(view.width, 1)));
  svg.setAttribute('height', String(Math.max(view.height, 1)));
  taskIds.replaceChildren(...view.nodes.slice(0, 2000).map((n) => Object.assign(document.createElement('option'), { value: n.id })));
  if (selected !== null && !nodeElements.has(selected)) selected = null;
  select(selected);
  highlight(highlighted);
  applyAllRunStates();
  unfocusButton.hidden = view.focus === null;
  const name = view.dagId ?? 'DAG';
  status.textContent = view.focus
    ? `${message.fileName} · ${name}: ${view.nodes.length} of ${view.totalTasks} tasks around ${view.focus.taskId}`
    : `${message.fileName} · ${name}: ${view.totalTasks} task${view.totalTasks === 1 ? '' : 's'}, ${view.edges.length} edge${view.edges.length === 1 ? '' : 's'}${groupSummary(view)}`;
  document.body.dataset.state = 'graph';
  drawMinimap();
  if (message.viewport) {
    fitted = false;
    transform = { ...message.viewport };
    applyTransform();
  } else if (first || !message.keepViewport) fitToView();
  else applyTransform();
  saveState();
  // The browser tests and the benchmark read this mark as "first complete paint".
  requestAnimationFrame(() => {
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
  });
}

function groupSummary(v: GraphView): string {
  const groups = v.groups.length + v.boxes.length;
  if (groups === 0) return '';
  return ` in ${groups} group${groups === 1 ? '' : 's'}${v.groups.length > 0 ? ` (${v.groups.length} collapsed)` : ''}`;
}

function showEmpty(reason: string): void {
  view = undefined;
  viewUri = undefined;
  clearTimeout(saveTimer);
  outputPane.hidden = true;
  nodeElements.clear();
  groupElements.clear();
  boxLayer.replaceChildren();
  edgeLayer.replaceChildren();
  edgeLabelLayer.replaceChildren();
  nodeLayer.replaceChildren();
  drawMinimap();
  picker.hidden = true;
  status.textContent = reason;
  document.body.dataset.state = 'empty';
}

function onMessage(message: HostMessage): void {
  switch (message.type) {
    case 'graph':
      render(message);
      break;
    case 'empty':
      showEmpty(message.reason);
      break;
    case 'highlight':
      highlight(message.taskId);
      break;
    case 'runStates':
      if (message.reset || message.dagId !== runDagId) {
        runStates.clear();
        outputPane.hidden = true;
      }
      runDagId = message.dagId;
      for (const t of message.tasks) runStates.set(t.taskId, t);
      applyAllRunStates();
      break;
  }
}

/** A standalone SVG of the drawn graph, with the theme's colours written in (the file has no VS Code around it). */
function exportSvg(): string {
  if (!view) return '';
  const style = getComputedStyle(document.body);
  const colour = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const out = svgElement('svg', { xmlns: SVG_NS, width: view.width, height: view.height, viewBox: `0 0 ${view.width} ${view.height}` });
  const css = svgElement('style', {});
  css.textContent = [
    `svg { background: ${colour('--vscode-editor-background', '#ffffff')}; font-family: sans-serif; font-size: 12px; }`,
    `.box { fill: ${colour('--vscode-editorWidget-background', '#f3f3f3')}; stroke: ${colour('--vscode-editorWidget-border', '#888888')}; }`,
    `text { fill: ${colour('--vscode-editor-foreground', '#333333')}; }`,
    `.operator { opacity: 0.75; font-size: 11px; }`,
    `.edge { fill: none; stroke: ${colour('--vscode-editorLineNumber-foreground', '#888888')}; }`,
    `.arrowhead { fill: ${colour('--vscode-editorLineNumber-foreground', '#888888')}; }`,
    `.group-frame { fill: none; stroke: ${colour('--vscode-editorWidget-border', '#888888')}; stroke-dasharray: 4 3; }`,
    `.group-header-back, .edge-label rect { fill: ${colour('--vscode-editor-background', '#ffffff')}; }`,
    `.edge-label text, .group-label { font-size: 11px; }`,
    `.badge circle { fill: ${colour('--vscode-editorError-foreground', '#e51400')}; } .badge-count { fill: #ffffff; font-size: 10px; }`,
  ].join('\n');
  out.append(css, svg.querySelector('defs')?.cloneNode(true) ?? svgElement('defs', {}));
  const content = svgElement('g', {});
  content.append(boxLayer.cloneNode(true), edgeLayer.cloneNode(true), edgeLabelLayer.cloneNode(true), nodeLayer.cloneNode(true));
  out.append(content);
  return new XMLSerializer().serializeToString(out);
}

// Pan by dragging the background, zoom with the wheel around the pointer.
let drag: { x: number; y: number; startX: number; startY: number } | undefined;
canvas.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 || (event.target instanceof Element && event.target.closest('.node, .group-header, #minimap'))) return;
  drag = { x: event.clientX, y: event.clientY, startX: transform.x, startY: transform.y };
  // Synthetic events (the benchmark's) have no active pointer to capture.
  if (event.isTrusted) canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener('pointermove', (event) => {
  if (!drag) return;
  transform = { ...transform, x: drag.startX + event.clientX - drag.x, y: drag.startY + event.clientY - drag.y };
  fitted = false;
  applyTransform();
});
canvas.addEventListener('pointerup', () => (drag = undefined));
canvas.addEventListener(
  'wheel',
  (event) => {
    event.preventDefault();
    const box = canvas.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
  },
  { passive: false },
);

function nodeIdOf(target: EventTarget | null): string | undefined {
  const g = target instanceof Element ? target.closest('.node') : null;
  return g ? idOfElement.get(g) : undefined;
}

function groupIdOf(target: EventTarget | null): string | undefined {
  const g = target instanceof Element ? target.closest('.group-node, .group-header') : null;
  return g ? groupOfElement.get(g) : undefined;
}

function toggleGroup(event: Event): boolean {
  const groupId = groupIdOf(event.target);
  if (groupId === undefined) return false;
  post({ type: 'toggleGroup', groupId });
  return true;
}

for (const layer of [nodeLayer, boxLayer]) {
  layer.addEventListener('click', (event) => void toggleGroup(event));
  layer.addEventListener('keydown', (event) => {
    if ((event.key === 'Enter' || event.key === ' ') && groupIdOf(event.target) !== undefined) {
      event.preventDefault();
      toggleGroup(event);
    }
  });
}

nodeLayer.addEventListener('click', (event) => {
  const id = nodeIdOf(event.target);
  if (id === undefined) return;
  select(id);
  showOutput(id);
  post({ type: 'reveal', taskId: id });
});
nodeLayer.addEventListener('keydown', (event) => {
  const id = nodeIdOf(event.target);
  if (id === undefined || (event.key !== 'Enter' && event.key !== ' ')) return;
  event.preventDefault();
  select(id);
  post({ type: 'reveal', taskId: id });
});

minimap.addEventListener('click', (event) => {
  if (!view) return;
  const box = minimap.getBoundingClientRect();
  // The minimap keeps the graph's aspect ratio inside its box (preserveAspectRatio's default).
  const scale = Math.min(box.width / view.width, box.height / view.height);
  const offsetX = (box.width - view.width * scale) / 2;
  const offsetY = (box.height - view.height * scale) / 2;
  const gx = (event.clientX - box.left - offsetX) / scale;
  const gy = (event.clientY - box.top - offsetY) / scale;
  const { width, height } = panelSize();
  transform = { ...transform, x: width / 2 - gx * transform.k, y: height / 2 - gy * transform.k };
  fitted = false;
  applyTransform();
});

search.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || !view) return;
  const query = search.value.trim().toLowerCase();
  if (!query) return;
  const found = view.nodes.find((n) => n.id.toLowerCase() === query) ?? view.nodes.find((n) => n.id.toLowerCase().includes(query));
  const hidden = found ? undefined : view.groups.find((g) => g.taskIds.some((t) => t.toLowerCase().includes(query)));
  if (hidden) {
    // The task is inside a collapsed group: show the group, and say why the task itself is not there.
    centreOn(hidden.id);
    status.textContent = `“${search.value.trim()}” is inside the collapsed group ${hidden.id}: click it to expand`;
    return;
  }
  if (!found) {
    status.textContent = `No task matches “${search.value.trim()}”`;
    return;
  }
  select(found.id);
  centreOn(found.id);
});

picker.addEventListener('change', () => post({ type: 'selectDag', dagIndex: Number(picker.value) }));
focusButton.addEventListener('click', () => {
  if (selected !== null) post({ type: 'focus', taskId: selected, depth: Number(depth.value) });
});
unfocusButton.addEventListener('click', () => post({ type: 'focus', taskId: null, depth: Number(depth.value) }));
byId('fit', HTMLButtonElement).addEventListener('click', fitToView);
byId('zoom-in', HTMLButtonElement).addEventListener('click', () => zoomAt(1.25, panelSize().width / 2, panelSize().height / 2));
byId('zoom-out', HTMLButtonElement).addEventListener('click', () => zoomAt(0.8, panelSize().width / 2, panelSize().height / 2));
byId('export', HTMLButtonElement).addEventListener('click', () => {
  const content = exportSvg();
  if (content) post({ type: 'exportSvg', svg: content });
});
runButton.addEventListener('click', () => post({ type: 'runDag', dagId: view?.dagId ?? null }));
runTaskButton.addEventListener('click', () => {
  if (selected !== null) post({ type: 'runTask', dagId: view?.dagId ?? null, taskId: selected, withUpstream: false });
});
runUpstreamButton.addEventListener('click', () => {
  if (selected !== null) post({ type: 'runTask', dagId: view?.dagId ?? null, taskId: selected, withUpstream: true });
});
runDownstreamButton.addEventListener('click', () => {
  if (selected !== null) post({ type: 'runTask', dagId: view?.dagId ?? null, taskId: selected, withUpstream: false, withDownstream: true });
});
debugTaskButton.addEventListener('click', () => {
  if (selected !== null) post({ type: 'debugTask', dagId: view?.dagId ?? null, taskId: selected });
});
byId('output-close', HTMLButtonElement).addEventListener('click', () => (outputPane.hidden = true));
// A panel resized (dragged, or its editor group changed) fits the graph again, unless the user has placed it since the last fit.
new ResizeObserver(() => {
  showMinimapIfWanted();
  if (fitted && view) fitToView();
}).observe(canvas);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // Anything that is not one of the host's messages is ignored, whoever sent it.
  if (isHostMessage(event.data)) onMessage(event.data);
});

post({ type: 'ready' });
