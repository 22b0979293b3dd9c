/**
 * What every feature reads: the analysis of an open document under the
 * settings of its resource. Settings are asked of the client per resource and
 * remembered only until the client says the configuration changed.
 */
import type { FileAnalysis } from './analysis/model';
import type { DocumentStore } from './documents';
import type { VortexSettings } from './settings';

export type SettingsReader = (uri: string) => Promise<VortexSettings>;

export class Analyses {
  private readonly settingsByUri = new Map<string, Promise<VortexSettings>>();

  constructor(readonly documents: DocumentStore, private readonly readSettings: SettingsReader) {}

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

  /** The analysis of an open DAG file; undefined for other documents, which get nothing from VORTEX. */
  async analysis(uri: string): Promise<FileAnalysis | undefined> {
    if (!this.documents.isDagFile(uri)) return undefined;
    const { maxFileSize } = await this.settings(uri);
    const analysis = this.documents.analysis(uri, maxFileSize);
    return analysis?.isDagFile ? analysis : undefined;
  }
}
