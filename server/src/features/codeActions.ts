/** Quick fixes for the diagnostics that carry their own mending (`Diagnostic.fix`, sent as `data`). */
import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction, CodeActionParams, Connection, Diagnostic as LspDiagnostic, TextEdit } from 'vscode-languageserver/node';
import type { FixData } from '../../../core/analysis/model';
import type { Analyses } from '../analyses';
import { guarded } from './util';
import type { Logger } from './util';

function isPosition(value: unknown): value is { line: number; character: number } {
  return typeof value === 'object' && value !== null && typeof (value as { line?: unknown }).line === 'number' && typeof (value as { character?: unknown }).character === 'number';
}

/** The fix a diagnostic carries, checked: `data` comes back from the client as untyped JSON. */
export function fixOf(diagnostic: LspDiagnostic): FixData | undefined {
  const data: unknown = diagnostic.data;
  if (typeof data !== 'object' || data === null || diagnostic.source !== 'vortex') return undefined;
  const d = data as Record<string, unknown>;
  if (d.kind === 'replace' && typeof d.replacement === 'string') return { kind: 'replace', replacement: d.replacement };
  if (d.kind === 'renameTaskId' && typeof d.suggestion === 'string') return { kind: 'renameTaskId', suggestion: d.suggestion };
  if (d.kind === 'insertArgument' && typeof d.argument === 'string' && typeof d.text === 'string' && isPosition(d.insertAt)) {
    return { kind: 'insertArgument', argument: d.argument, text: d.text, insertAt: d.insertAt };
  }
  return undefined;
}

export class CodeActionFeature {
  constructor(private readonly analyses: Analyses, private readonly logger: Logger) {}

  register(connection: Connection): void {
    connection.onCodeAction((params) => guarded(this.logger, 'codeAction', [], () => this.provideCodeActions(params)));
  }

  provideCodeActions({ textDocument, context }: CodeActionParams): CodeAction[] {
    const document = this.analyses.documents.get(textDocument.uri);
    if (!document || !this.analyses.documents.isDagFile(textDocument.uri)) return [];
    const actions: CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const fix = fixOf(diagnostic);
      if (!fix) continue;
      let title: string;
      let edit: TextEdit;
      switch (fix.kind) {
        case 'replace':
          title = `Change to ${fix.replacement}`;
          edit = { range: diagnostic.range, newText: fix.replacement };
          break;
        case 'renameTaskId': {
          // Keep the quote style the task_id was written with.
          const quote = document.getText(diagnostic.range).match(/^[rRuU]?(['"]{1,3})/)?.[1] ?? '"';
          title = `Rename task_id to "${fix.suggestion}"`;
          edit = { range: diagnostic.range, newText: `${quote}${fix.suggestion}${quote}` };
          break;
        }
        case 'insertArgument':
          title = `Add ${fix.argument}=`;
          edit = { range: { start: fix.insertAt, end: fix.insertAt }, newText: fix.text };
          break;
      }
      actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [textDocument.uri]: [edit] } } });
    }
    return actions;
  }
}
