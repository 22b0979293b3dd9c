/**
 * Pushes diagnostics: the analysis's own, plus VX102 for a dag_id that another
 * DAG file of the workspace defines too. Work is coalesced per document with a
 * short debounce, and a result computed for an older version is never sent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic as LspDiagnostic, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import type { Diagnostic, FileAnalysis, Severity } from '../../../core/analysis/model';
import { diagnostic, docsAnchor } from '../../../core/diagnostics';
import type { Analyses } from '../analyses';
import { summariseOpen } from '../workspaceIndex';
import type { WorkspaceIndex } from '../workspaceIndex';
import type { Logger } from './util';

/** Long enough to coalesce a burst of keystrokes, short enough that feedback feels instant. */
export const CHANGE_DEBOUNCE_MS = 10;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** The docs of the codes, beside the bundle (`dist/../docs`) or the sources (`server/src/features/../../../docs`). */
function docsFileUrl(): string {
  const candidates = [path.resolve(__dirname, '..', 'docs', 'diagnostics.md'), path.resolve(__dirname, '..', '..', '..', 'docs', 'diagnostics.md')];
  return pathToFileURL(candidates.find((c) => existsSync(c)) ?? candidates[0]).href;
}

export class DiagnosticsFeature {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly docsUrl = docsFileUrl();

  constructor(
    private readonly analyses: Analyses,
    private readonly index: WorkspaceIndex,
    private readonly publish: (params: PublishDiagnosticsParams) => void,
    private readonly logger: Logger,
  ) {}

  /** Validates the document after `delayMs`; a later call for the same document replaces this one. */
  schedule(uri: string, delayMs = CHANGE_DEBOUNCE_MS): void {
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      void this.validate(uri);
    }, delayMs));
  }

  /** Clears a closed document's diagnostics and drops its pending work. */
  clear(uri: string): void {
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.delete(uri);
    this.publish({ uri, diagnostics: [] });
  }

  /** Revalidates the open documents that define any of these dag ids (another file gained or lost one). */
  revalidateDefining(dagIds: ReadonlySet<string>, except?: string): void {
    if (dagIds.size === 0) return;
    for (const uri of this.analyses.documents.uris()) {
      if (uri === except) continue;
      const document = this.analyses.documents.get(uri);
      if (document && [...dagIds].some((id) => document.getText().includes(id))) this.schedule(uri);
    }
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Computes and publishes the diagnostics of the document's current version. */
  async validate(uri: string): Promise<void> {
    try {
      const document = this.analyses.documents.get(uri);
      if (!document) return;
      const version = document.version;
      const analysis = await this.analyses.analysis(uri);
      // The settings may have been awaited: a newer version's own run will publish.
      if (this.analyses.documents.get(uri)?.version !== version) return;
      // The workspace index holds what the source says, as it does for files that are not open.
      const changed = this.index.set(uri, analysis ? summariseOpen(analysis) : undefined);
      // With the runtime's diagnostics (and without VX404 once resolved) when the file has been executed; never waiting for it.
      const view = analysis ? this.analyses.withRuntime(uri, analysis) : undefined;
      this.publish({ uri, version, diagnostics: view ? this.diagnosticsOf(uri, view) : [] });
      this.revalidateDefining(changed, uri);
    } catch (error) {
      this.logger.error(`VORTEX diagnostics failed for ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  /** The LSP diagnostics of an analysis, cross-file VX102 included. */
  diagnosticsOf(uri: string, analysis: FileAnalysis): LspDiagnostic[] {
    const result = analysis.diagnostics.map((d) => this.toLsp(d));
    for (const dag of analysis.dags) {
      if (dag.dagId === null) continue;
      const others = this.index.otherFilesDefining(dag.dagId, uri);
      if (others.length === 0) continue;
      const names = others.map((o) => path.basename(decodeURIComponent(o)));
      result.push(this.toLsp(diagnostic(
        'VX102',
        dag.idRange ?? dag.nameRange,
        `The dag_id "${dag.dagId}" is also defined in ${names.join(', ')}: dag ids must be unique across the workspace.`,
      )));
    }
    return result;
  }

  private toLsp(d: Diagnostic): LspDiagnostic {
    return {
      range: d.range,
      severity: SEVERITY[d.severity],
      code: d.code,
      codeDescription: { href: `${this.docsUrl}#${docsAnchor(d.code)}` },
      source: 'vortex',
      message: d.message,
      // The quick fix reads this back: the diagnostic carries what mends it.
      ...(d.fix ? { data: d.fix } : {}),
    };
  }
}
