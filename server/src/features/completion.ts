/**
 * Completion only where Pylance cannot know the answer, and only in DAG files:
 * keyword arguments of DAG and operator calls (with VORTEX's docs), schedule
 * presets and cron patterns inside a schedule string, task variables after
 * `>>` / `<<`. The context is read from the text before the cursor, because
 * while typing the statement is usually not yet valid Python.
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver/node';
import type { CompletionItem, CompletionParams, Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ParameterDoc } from '../../../core/analysis/operators';
import { BASE_OPERATOR_PARAMETERS, DAG_PARAMETERS, OPERATORS } from '../../../core/analysis/operators';
import { COMMON_CRON_PATTERNS, SCHEDULE_PRESETS, describeCron } from '../../../core/analysis/schedule';
import type { Analyses } from '../analyses';
import type { FileAnalysis } from '../../../core/analysis/model';
import { pythonLineBreaks } from '../../../core/analysis/source';
import { taskByVariable } from './hover';
import { guarded } from './util';
import type { Logger } from './util';

export const COMPLETION_TRIGGERS = ['(', ',', '"', "'", '@', '>', '<'];

/** How far back the enclosing call is looked for. */
const MAX_LOOKBACK = 4000;

export class CompletionFeature {
  constructor(private readonly analyses: Analyses, private readonly logger: Logger) {}

  register(connection: Connection): void {
    connection.onCompletion((params) => guarded(this.logger, 'completion', [], () => this.provideCompletion(params)));
  }

  async provideCompletion({ textDocument, position }: CompletionParams): Promise<CompletionItem[]> {
    const document = this.analyses.documents.get(textDocument.uri);
    const analysis = await this.analyses.analysis(textDocument.uri);
    if (!document || !analysis) return [];
    const offset = document.offsetAt(position);
    // Lines end at \r too, as the editor counts them.
    const text = pythonLineBreaks(document.getText());
    const line = text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);

    const schedule = /\b(?:schedule_interval|schedule)\s*=\s*(['"])([^'"]*)$/.exec(line);
    if (schedule) return scheduleItems(document, position, schedule[2].length, schedule[1]);

    // A string that names tasks: `xcom_pull(task_ids="...")`, a branch callable's `return "..."`.
    const taskIds = /(?:\btask_ids\s*=\s*|\bfollow_task_ids_if_(?:true|false)\s*=\s*|\breturn\s+)[[(]?(?:\s*(['"])[^'"\n]*\1\s*,)*\s*(['"])([^'"\n]*)$/.exec(line);
    if (taskIds) return taskIdItems(analysis, document, position, taskIds[3].length, taskIds[2]);

    const code = blankStringsAndComments(line);
    if (/(?:>>|<<)\s*(?:\[(?:\s*\w+\s*,)*)?\s*\w*$/.test(code)) {
      // The tasks of the DAG the expression already names: another DAG's task would be VX304.
      const dags = new Set<number>();
      for (const [name] of code.matchAll(/[A-Za-z_]\w*/g)) {
        const named = taskByVariable(analysis, name, position);
        if (named && named.dagIndex >= 0) dags.add(named.dagIndex);
      }
      const seen = new Set<string>();
      const items: CompletionItem[] = [];
      for (const task of analysis.tasks) {
        if (!task.variable || seen.has(task.variable) || (dags.size > 0 && !dags.has(task.dagIndex))) continue;
        seen.add(task.variable);
        items.push({ label: task.variable, kind: CompletionItemKind.Variable, detail: `${task.taskId} · ${task.operator}` });
      }
      return items;
    }

    const call = enclosingCall(text, offset);
    if (!call) return [];
    const parameters = call.callee === 'DAG' ? DAG_PARAMETERS : OPERATORS[call.callee] ? [...OPERATORS[call.callee].parameters, ...BASE_OPERATOR_PARAMETERS] : undefined;
    if (!parameters) return [];
    return parameters.filter((p) => !call.present.has(p.name)).map((p, i) => keywordItem(p, call.callee, i));
  }
}

function keywordItem(parameter: ParameterDoc, callee: string, order: number): CompletionItem {
  return {
    label: `${parameter.name}=`,
    filterText: parameter.name,
    insertText: `${parameter.name}=`,
    kind: CompletionItemKind.Property,
    detail: `${callee}${parameter.required ? ' (required)' : ''}`,
    documentation: { kind: MarkupKind.Markdown, value: parameter.doc },
    // Required arguments first, then in the documented order.
    sortText: `${parameter.required ? 0 : 1}${String(order).padStart(3, '0')}`,
  };
}

/** Every task id of the file, full (group-prefixed), replacing what is typed up to the closing quote. */
function taskIdItems(analysis: FileAnalysis, document: TextDocument, position: { line: number; character: number }, typed: number, quote: string): CompletionItem[] {
  const lineText = document.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } });
  const close = lineText.indexOf(quote, position.character);
  const range = { start: { line: position.line, character: position.character - typed }, end: { line: position.line, character: close < 0 ? position.character : close } };
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const task of analysis.tasks) {
    if (seen.has(task.taskId)) continue;
    seen.add(task.taskId);
    const dag = analysis.dags[task.dagIndex];
    items.push({ label: task.taskId, kind: CompletionItemKind.Reference, detail: `${task.decorated ? `@${task.operator}` : task.operator}${dag?.dagId ? ` · ${dag.dagId}` : ''}`, textEdit: { range, newText: task.taskId } });
  }
  return items;
}

function scheduleItems(document: TextDocument, position: { line: number; character: number }, typed: number, quote: string): CompletionItem[] {
  // Replace what is typed so far and anything up to the closing quote on this line.
  const lineText = document.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } });
  const close = lineText.indexOf(quote, position.character);
  const range = { start: { line: position.line, character: position.character - typed }, end: { line: position.line, character: close < 0 ? position.character : close } };
  const items: CompletionItem[] = Object.entries(SCHEDULE_PRESETS).map(([preset, cron], i) => ({
    label: preset,
    kind: CompletionItemKind.EnumMember,
    detail: cron ? `${cron}: ${describeCron(cron) ?? ''}` : 'Once, when triggered',
    textEdit: { range, newText: preset },
    sortText: `0${i}`,
  }));
  COMMON_CRON_PATTERNS.forEach(({ cron, label }, i) => {
    items.push({ label: cron, kind: CompletionItemKind.Value, detail: label, textEdit: { range, newText: cron }, sortText: `1${i}` });
  });
  return items;
}

/**
 * Blanks string contents and comments (same length) so that brackets, commas
 * and `>>` inside them do not count. A string keeps its opening quote, and a
 * comment that runs to the end of the text its `#`: the cursor is inside them.
 */
function blankStringsAndComments(text: string): string {
  return text.replace(/(['"])(?:\\.|(?!\1)[^\\\n])*\1?|#[^\n]*/g, (s, _quote, at: number) => {
    const keep = s[0] !== '#' || at + s.length === text.length ? 1 : 0;
    return s.slice(0, keep) + ' '.repeat(s.length - keep);
  });
}

/**
 * The call whose argument list holds the cursor, when the cursor is where a
 * keyword name goes (right after `(` or `,`, possibly within a word), with the
 * keyword names the call already has.
 */
export function enclosingCall(text: string, offset: number): { callee: string; present: Set<string> } | undefined {
  const from = Math.max(0, offset - MAX_LOOKBACK);
  const before = blankStringsAndComments(text.slice(from, offset));
  const word = /[A-Za-z_]\w*$/.exec(before);
  let i = before.length - (word ? word[0].length : 0) - 1;
  while (i >= 0 && /\s/.test(before[i])) i--;
  if (i < 0 || (before[i] !== '(' && before[i] !== ',')) return undefined;
  let depth = 0;
  for (; i >= 0; i--) {
    const ch = before[i];
    if (ch === ')' || ch === ']' || ch === '}') depth++;
    else if (ch === '[' || ch === '{') {
      if (depth === 0) return undefined; // inside a list or dict, not an argument list
      depth--;
    } else if (ch === '(') {
      if (depth === 0) break;
      depth--;
    }
  }
  if (i < 0) return undefined;
  const callee = /([A-Za-z_][\w.]*)\s*$/.exec(before.slice(0, i));
  if (!callee) return undefined;
  const args = before.slice(i + 1) + blankStringsAndComments(text.slice(offset, offset + MAX_LOOKBACK)).split(')')[0];
  const present = new Set<string>();
  for (const m of args.matchAll(/(?:^|[(,])\s*([A-Za-z_]\w*)\s*=(?!=)/g)) present.add(m[1]);
  return { callee: callee[1].split('.').pop() ?? callee[1], present };
}
