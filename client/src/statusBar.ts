/**
 * The status bar item on DAG files: how many DAGs and tasks the active document
 * defines (asked of the server) and how many errors VORTEX reports for it
 * (counted from the diagnostics VS Code already holds). Clicking it opens the
 * Problems panel.
 */
import * as vscode from 'vscode';
import type { RequestType } from 'vscode-languageclient/node';
import type { DagSummaryRequest } from '../../core/protocol';
import { isPythonFile, looksLikeDagDocument } from './dagFile';

/** `source` of every diagnostic the VORTEX server publishes. */
export const DIAGNOSTIC_SOURCE = 'vortex';

/** VS Code's own command behind View > Problems. */
const OPEN_PROBLEMS = 'workbench.actions.view.problems';

/** The counts the server answers with, read off the request's own type so the two cannot drift. */
export type DagSummary = NonNullable<typeof DagSummaryRequest.type extends RequestType<unknown, infer R, unknown> ? R : never>;

/**
 * Asks the server for a document's summary: `null` when the server does not
 * serve the document, `undefined` when no answer could be had (server not
 * running, or a server without the request).
 */
export type Summarize = (uri: vscode.Uri) => Promise<DagSummary | null | undefined>;

/** What the item shows, for the integration tests (an extension cannot read another's status bar). */
export interface StatusBarSnapshot {
  visible: boolean;
  text: string;
  tooltip: string;
  command: string | undefined;
  /** The document the snapshot describes. */
  uri: string | undefined;
}

export function countErrors(uri: vscode.Uri): number {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === DIAGNOSTIC_SOURCE && d.severity === vscode.DiagnosticSeverity.Error).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export class DagStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private visible = false;
  private uri: vscode.Uri | undefined;
  /** Each refresh takes a number; an answer for an older number is dropped. */
  private generation = 0;

  constructor(private readonly summarize: Summarize) {
    this.item = vscode.window.createStatusBarItem('vortex.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'VORTEX';
    this.item.command = OPEN_PROBLEMS;
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => void this.refresh()),
      // A new set of diagnostics means the server has analysed the document
      // again, so its DAG and task counts may have changed as well.
      vscode.languages.onDidChangeDiagnostics((e) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && e.uris.some((u) => u.toString() === active)) void this.refresh();
      }),
    );
    void this.refresh();
  }

  /** Recomputes the item for the active editor. */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !isPythonFile(document)) {
      this.hide();
      return;
    }
    let summary: DagSummary | null | undefined;
    try {
      summary = await this.summarize(document.uri);
    } catch {
      summary = undefined;
    }
    if (generation !== this.generation) return;

    const errors = countErrors(document.uri);
    const errorText = errors > 0 ? `$(error) ${errors}` : '$(check) 0';
    const errorWords = errors > 0 ? plural(errors, 'error') : 'no errors';
    if (summary === null) {
      // The server has looked and says this is ordinary Python.
      this.hide();
      return;
    }
    if (summary === undefined) {
      // No counts to show: the errors alone, and only on what looks like a DAG file.
      if (errors === 0 && !looksLikeDagDocument(document)) {
        this.hide();
        return;
      }
      this.show(document.uri, `$(type-hierarchy) VORTEX ${errorText}`, `VORTEX: ${errorWords}. Click to open the Problems panel.`);
      return;
    }
    this.show(
      document.uri,
      `$(type-hierarchy) ${plural(summary.dags, 'DAG')}, ${plural(summary.tasks, 'task')} ${errorText}`,
      `VORTEX: ${plural(summary.dags, 'DAG')} with ${plural(summary.tasks, 'task')}; ${errorWords}. Click to open the Problems panel.`,
    );
  }

  snapshot(): StatusBarSnapshot {
    const tooltip = this.item.tooltip;
    return {
      visible: this.visible,
      text: this.item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''),
      command: typeof this.item.command === 'string' ? this.item.command : this.item.command?.command,
      uri: this.uri?.toString(),
    };
  }

  private show(uri: vscode.Uri, text: string, tooltip: string): void {
    this.uri = uri;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
    this.visible = true;
  }

  private hide(): void {
    this.uri = undefined;
    this.item.hide();
    this.visible = false;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
