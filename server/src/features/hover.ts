/**
 * Hovers only on what is DAG-specific: operator names, schedule strings,
 * tasks (their variable or task_id string) and dag_id strings. Ordinary Python
 * names get nothing, so Pylance's hover stands alone there.
 */
import { MarkupKind } from 'vscode-languageserver/node';
import type { Connection, Hover, HoverParams } from 'vscode-languageserver/node';
import type { DagModel, FileAnalysis, Position, TaskModel } from '../../../core/analysis/model';
import { BASE_OPERATOR_PARAMETERS, OPERATORS } from '../../../core/analysis/operators';
import { PRESETS_WITHOUT_CRON, SCHEDULE_PRESETS, checkSchedule, describeCron, nextRuns } from '../../../core/analysis/schedule';
import type { Analyses } from '../analyses';
import { code, plain } from './markdown';
import { taskStructure } from '../../../core/graphFields';
import { compare, contains, guarded } from './util';
import type { Logger } from './util';

const NEXT_RUNS = 5;

export class HoverFeature {
  constructor(private readonly analyses: Analyses, private readonly logger: Logger, private readonly now: () => Date = () => new Date()) {}

  register(connection: Connection): void {
    connection.onHover((params) => guarded(this.logger, 'hover', null, () => this.provideHover(params)));
  }

  async provideHover({ textDocument, position }: HoverParams): Promise<Hover | null> {
    const analysis = await this.analyses.analysis(textDocument.uri);
    if (!analysis) return null;
    for (const dag of analysis.dags) {
      if (dag.scheduleRange && contains(dag.scheduleRange, position)) {
        const value = scheduleValue(dag);
        if (value !== null) return markdown(scheduleMarkdown(value, this.now()), dag.scheduleRange);
        return dag.scheduleDescription ? markdown(`**Schedule**: ${plain(dag.scheduleDescription)}.`, dag.scheduleRange) : null;
      }
      if (dag.idRange && contains(dag.idRange, position)) return markdown(dagMarkdown(dag, analysis), dag.idRange);
    }
    for (const task of analysis.tasks) {
      if (contains(task.taskIdRange, position)) return markdown(taskMarkdown(task, analysis), task.taskIdRange);
      if (contains(task.operatorRange, position)) {
        if (task.decorated) return markdown(taskMarkdown(task, analysis), task.operatorRange);
        const name = operatorName(task.operator);
        return markdown(operatorMarkdown(name), task.operatorRange);
      }
    }
    const word = this.identifierAt(textDocument.uri, position);
    if (!word) return null;
    const task = taskByVariable(analysis, word.name, position);
    if (task) return markdown(taskMarkdown(task, analysis), word.range);
    // A TaskFlow function's name (in its definition or its decorator): what calling it makes.
    const made = analysis.tasks.filter((t) => t.decorated && t.pythonCallable === word.name);
    if (made.length > 0) return markdown(taskFlowFunctionMarkdown(word.name, made), word.range);
    if (OPERATORS[word.name]) return markdown(operatorMarkdown(word.name), word.range);
    return null;
  }

  private identifierAt(uri: string, position: Position): { name: string; range: { start: Position; end: Position } } | undefined {
    const tree = this.analyses.documents.tree(uri);
    const document = this.analyses.documents.get(uri);
    if (!tree || !document) return undefined;
    const node = tree.rootNode.descendantForPosition({ row: position.line, column: position.character });
    if (node?.type !== 'identifier') return undefined;
    const text = document.getText();
    return {
      name: text.slice(node.startIndex, node.endIndex),
      range: { start: { line: node.startPosition.row, character: node.startPosition.column }, end: { line: node.endPosition.row, character: node.endPosition.column } },
    };
  }
}

/** The task a variable names at `position`: the latest one assigned before it (variables can be rebound). */
export function taskByVariable(analysis: FileAnalysis, name: string, position: Position): TaskModel | undefined {
  let found: TaskModel | undefined;
  for (const task of analysis.tasks) {
    if (task.variable !== name) continue;
    if (!found || compare(task.range.start, position) <= 0) found = task;
  }
  return found;
}

function markdown(value: string, range: Hover['range']): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range };
}

function operatorName(operator: string): string {
  return operator.split('.').pop() ?? operator;
}

function scheduleValue(dag: DagModel): string | null {
  const arg = dag.args.schedule_interval ?? dag.args.schedule;
  return typeof arg?.value === 'string' ? arg.value : null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function formatLocal(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function formatUtc(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A schedule string read aloud with its next runs, or why it is invalid. */
export function scheduleMarkdown(value: string, now: Date): string {
  const check = checkSchedule(value);
  if (!check.ok) return `**Invalid schedule** ${code(value)}\n\n${plain(check.message)}`;
  const trimmed = value.trim();
  if (check.cron === null) return `**Schedule** ${code(trimmed)}: ${PRESETS_WITHOUT_CRON[trimmed] ?? 'runs once, when triggered'}.`;
  // Read from a valid cron expression: words, digits and times, no markdown.
  const reading = describeCron(check.cron) ?? check.cron;
  const preset = check.kind === 'preset' ? ` (the preset for ${code(SCHEDULE_PRESETS[trimmed])})` : '';
  // "Local" always heads the first column, so a machine on UTC does not show two "UTC" columns.
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = timeZone ? `Local (${timeZone})` : 'Local';
  const rows = nextRuns(check.cron, NEXT_RUNS, now).map((d) => `| ${formatLocal(d)} | ${formatUtc(d)} |`);
  return [`**Schedule** ${code(trimmed)}${preset}: ${reading}`, '', `Next ${NEXT_RUNS} runs:`, '', `| ${zone} | UTC |`, '|---|---|', ...rows].join('\n');
}

/** The schedule in words, for a DAG's hover. */
function scheduleInWords(schedule: string | null, description: string | null): string {
  if (schedule === null) return description === null ? 'none (triggered manually)' : plain(description);
  const check = checkSchedule(schedule);
  if (!check.ok) return `${code(schedule)} (invalid)`;
  if (check.cron === null) return `${code(schedule)}: ${PRESETS_WITHOUT_CRON[schedule.trim()] ?? 'once'}`;
  return `${code(schedule)}: ${describeCron(check.cron) ?? check.cron}`;
}

function list(ids: readonly string[]): string {
  return ids.length > 0 ? ids.map(code).join(', ') : '—';
}

export function dagMarkdown(dag: DagModel, analysis: FileAnalysis): string {
  const tasks = dag.taskIndices.map((i) => analysis.tasks[i]);
  const roots = tasks.filter((t) => t.upstream.length === 0).map((t) => t.taskId);
  const leaves = tasks.filter((t) => t.downstream.length === 0).map((t) => t.taskId);
  return [
    `**DAG** ${code(dag.dagId ?? '?')}`,
    '',
    `- Schedule: ${scheduleInWords(dag.schedule, dag.scheduleDescription ?? null)}`,
    `- Owner: ${dag.owner === null ? '—' : plain(dag.owner)}`,
    `- Tags: ${list(dag.tags)}`,
    `- Tasks: ${tasks.length}`,
    `- Roots: ${list(roots)}`,
    `- Leaves: ${list(leaves)}`,
  ].join('\n');
}

/** What a task is made by: its operator class, or its TaskFlow decorator. */
function madeBy(task: TaskModel): string {
  return task.decorated ? `${code(`@${task.operator}`)} function ${code(task.pythonCallable ?? '?')}` : plain(operatorName(task.operator));
}

/** The kinds a task is beyond its operator: TaskFlow, mapped, branch. */
function marks(task: TaskModel): string[] {
  const s = taskStructure(task);
  const out: string[] = [];
  if (s.decorated) out.push('TaskFlow task: its return value is its XCom, and passing it to another task makes a dependency');
  if (s.mapped) out.push('mapped: one task instance per input when Airflow runs it');
  if (s.branch) out.push('branch: it decides which of its downstream tasks run');
  return out;
}

export function taskMarkdown(task: TaskModel, analysis: FileAnalysis): string {
  const dag = analysis.dags[task.dagIndex];
  const s = taskStructure(task);
  return [
    `**Task** ${code(task.taskId)}: ${madeBy(task)}`,
    '',
    `- DAG: ${dag ? code(dag.dagId ?? '?') : 'none'}`,
    ...(s.groupId ? [`- TaskGroup: ${code(s.groupId)}`] : []),
    ...marks(task).map((m) => `- ${m}`),
    `- Trigger rule: ${code(s.triggerRule ?? 'all_success')}${s.triggerRule ? fromDefaults(task, 'trigger_rule') : ' (the default)'}`,
    ...runSettings(task),
    `- Upstream: ${list(task.upstream)}`,
    `- Downstream: ${list(task.downstream)}`,
  ].join('\n');
}

/** ` (from default_args)` when the task takes `setting` from default_args rather than its own argument. */
function fromDefaults(task: TaskModel, setting: string): string {
  return task.inheritedSettings?.includes(setting) ? ' (from default_args)' : '';
}

function seconds(value: number): string {
  if (value >= 3600 && value % 3600 === 0) return `${value / 3600} h`;
  if (value >= 60 && value % 60 === 0) return `${value / 60} min`;
  return `${value} s`;
}

/** The task's retries as a run gives them, and the run settings static analysis cannot read (a run from the source takes Airflow's defaults for them). */
function runSettings(task: TaskModel): string[] {
  const out: string[] = [];
  if (task.retries !== undefined && task.retries > 0) {
    const delay = task.retryDelaySeconds === undefined ? `${seconds(300)}, Airflow's default` : seconds(task.retryDelaySeconds) + fromDefaults(task, 'retry_delay');
    out.push(`- Retries: ${task.retries}${fromDefaults(task, 'retries')}, each after ${delay}`);
  }
  if (task.unreadSettings && task.unreadSettings.length > 0) {
    out.push(`- Not readable statically: ${list(task.unreadSettings)}; a run from the source takes Airflow's defaults for them (executing the file reads them)`);
  }
  return out;
}

/** A TaskFlow function: the decorator, and the tasks its calls made. */
export function taskFlowFunctionMarkdown(name: string, made: TaskModel[]): string {
  const decorator = made[0].operator;
  const kind = TASKFLOW_KINDS[decorator] ?? 'a task Airflow runs its own way; VORTEX shows it in the graph but does not run it locally';
  return [
    `**TaskFlow function** ${code(name)} (${code(`@${decorator}`)}): ${kind}.`,
    '',
    `Each call inside a DAG makes a task: ${list(made.map((t) => t.taskId))}.`,
  ].join('\n');
}

const TASKFLOW_KINDS: Readonly<Record<string, string>> = {
  task: 'a Python task; what it returns is its XCom',
  'task.python': 'a Python task; what it returns is its XCom',
  'task.branch': 'a branch task; it returns the id (or ids) of the downstream tasks to run, the others are skipped',
  'task.short_circuit': 'a short-circuit task; when it returns a falsy value its downstream tasks are skipped',
  'task.bash': 'a Bash task; the function returns the command to run',
};

export function operatorMarkdown(name: string): string {
  const doc = OPERATORS[name];
  if (!doc) return `**${plain(name)}**\n\nAn operator VORTEX cannot run locally: it appears in the graph, but a run fails it (VX205).`;
  const own = new Set(doc.parameters.map((p) => p.name));
  const inherited = BASE_OPERATOR_PARAMETERS.filter((p) => !own.has(p.name));
  return [
    `**${name}**: ${doc.summary}`,
    '',
    '**Parameters**',
    '',
    ...doc.parameters.map((p) => `- \`${p.name}\`${p.required ? ' (required)' : ''}: ${p.doc}`),
    '',
    '**Inherited from BaseOperator**',
    '',
    ...inherited.map((p) => `- \`${p.name}\`${p.required ? ' (required)' : ''}: ${p.doc}`),
    '',
    `**In VORTEX**: ${doc.execution}`,
  ].join('\n');
}
