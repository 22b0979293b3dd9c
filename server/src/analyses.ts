/**
 * What every feature reads: the analysis of an open document under the
 * settings of its resource. Settings are asked of the client per resource and
 * remembered only until the client says the configuration changed.
 *
 * Two views of a document: `analysis` is what reading the source says (hover,
 * completion, quick fixes and navigation use it); `resolved` lays the latest
 * runtime outcome of the file over it (the graph, the run lenses and the run
 * model, the outline and the status bar's counts, the diagnostics), and is the
 * static analysis itself until the file has been resolved.
 */
import type { FileAnalysis } from '../../core/analysis/model';
import type { DocumentStore } from './documents';
import { mergeRuntime } from '../../core/runtime/merge';
import type { RuntimeOutcome } from '../../core/runtime/report';
import type { VortexSettings } from '../../core/settings';

export type SettingsReader = (uri: string) => Promise<VortexSettings>;

/** The latest runtime outcome of an open document, if it has one. */
export type RuntimeOutcomes = (uri: string) => RuntimeOutcome | undefined;

interface Merged {
  analysis: FileAnalysis;
  outcome: RuntimeOutcome;
  result: FileAnalysis;
}

export class Analyses {
  private readonly settingsByUri = new Map<string, Promise<VortexSettings>>();
  /** The last merge per document, reused while neither the analysis nor the outcome changed. */
  private readonly merged = new Map<string, Merged>();

  constructor(
    readonly documents: DocumentStore,
    private readonly readSettings: SettingsReader,
    private readonly runtimeOutcome: RuntimeOutcomes = () => undefined,
  ) {}

  settings(uri: string): Promise<VortexSettings> {
    let settings = this.settingsByUri.get(uri);
    if (!settings) {
      settings = this.readSettings(uri);
      this.settingsByUri.set(uri, settings);
    }
    return settings;
  }

  /** Forgets every resource's settings (after `workspace/didChangeConfiguration`) or one document's (on close). */
  forgetSettings(uri?: string): void {
    if (uri === undefined) this.settingsByUri.clear();
    else this.settingsByUri.delete(uri);
  }

  /** Forgets what is kept for a closed document. */
  forget(uri: string): void {
    this.forgetSettings(uri);
    this.merged.delete(uri);
  }

  /** The analysis of an open DAG file; undefined for other documents, which get nothing from VORTEX. */
  async analysis(uri: string): Promise<FileAnalysis | undefined> {
    if (!this.documents.isDagFile(uri)) return undefined;
    const { maxFileSize } = await this.settings(uri);
    const analysis = this.documents.analysis(uri, maxFileSize);
    return analysis?.isDagFile ? analysis : undefined;
  }

  /** The analysis with the file's latest runtime outcome laid over it (the static analysis until there is one). */
  async resolved(uri: string): Promise<FileAnalysis | undefined> {
    const analysis = await this.analysis(uri);
    return analysis && this.withRuntime(uri, analysis);
  }

  /** `analysis` (of `uri`'s current version) with the latest runtime outcome laid over it; synchronous, so never delayed by a resolution. */
  withRuntime(uri: string, analysis: FileAnalysis): FileAnalysis {
    const outcome = this.runtimeOutcome(uri);
    if (!outcome) return analysis;
    const cached = this.merged.get(uri);
    if (cached && cached.analysis === analysis && cached.outcome === outcome) return cached.result;
    const result = mergeRuntime(analysis, outcome, this.documents.get(uri)?.getText());
    this.merged.set(uri, { analysis, outcome, result });
    return result;
  }
}
