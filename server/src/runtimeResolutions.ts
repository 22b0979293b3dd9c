/**
 * Runtime resolution of open DAG files: executing a file with the bundled SDK
 * to see the tasks it builds in loops, comprehensions and helpers.
 *
 * Only ever in a trusted workspace. `vortex.analysis.mode` says which files:
 * `auto` those with constructs static analysis cannot see whole (VX404),
 * `runtime` every DAG file, `static` none; each on open and on save. One
 * resolution per file at a time: a newer one aborts the older. The outcome is
 * kept per document until it closes, and handed on (`onOutcome`) so the
 * server republishes diagnostics, refreshes lenses and tells the client.
 * Static diagnostics never wait for any of this.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Analyses } from './analyses';
import type { Logger } from './features/util';
import type { RuntimeOptions, RuntimeOutcome } from '../../core/runtime/report';
import { wantsRuntime } from '../../core/runtime/mode';

export type Resolve = (filePath: string, options: RuntimeOptions) => Promise<RuntimeOutcome>;

/** Why a document is looked at: it was opened or saved, the workspace became trusted, or the settings changed. */
export type Trigger = 'open' | 'save' | 'trust' | 'settings';

export interface RuntimeResolutionsHost {
  analyses: Analyses;
  isTrusted(): boolean;
  /** `resolveAtRuntime` (the tests may give another). */
  resolve: Resolve;
  /** The interpreter the client picks for this document; null: python3. */
  interpreter(uri: string): Promise<string | null>;
  /** The folder holding the bundled `vortex` package. */
  sdkPath: string;
  /** Shows that a resolution is running; the returned function ends it. */
  progress(message: string): () => void;
  /** A resolution ended (`outcome`), or a document's runtime view was dropped (undefined). */
  onOutcome(uri: string, outcome: RuntimeOutcome | undefined): void;
  logger: Logger;
}

export class RuntimeResolutions {
  /** The controller of each document's running resolution. */
  private readonly running = new Map<string, AbortController>();
  private readonly outcomes = new Map<string, RuntimeOutcome>();
  /** Each document's considerations in progress (from the moment one is asked for), to be awaited. */
  private readonly pending = new Map<string, Set<Promise<void>>>();

  constructor(private readonly host: RuntimeResolutionsHost) {}

  /** The latest outcome of an open document. */
  outcome(uri: string): RuntimeOutcome | undefined {
    return this.outcomes.get(uri);
  }

  /**
   * Brings a document's runtime view up to date for a run: waits for the
   * running resolution, or resolves now when its mode asks for one and it has
   * none yet, so a run never plans from a view its mode would replace.
   */
  async settle(uri: string): Promise<void> {
    if (!this.pending.has(uri) && !this.outcomes.has(uri)) await this.consider(uri, 'trust');
    // Those begun meanwhile (the document was saved) are awaited too.
    for (let work = this.pending.get(uri); work; work = this.pending.get(uri)) await Promise.all(work);
  }

  /** Whether a resolution of the document is running. */
  isRunning(uri: string): boolean {
    return this.running.has(uri);
  }

  /**
   * Looks at a document after `trigger`: resolves it if its mode asks for it
   * (on open and save always anew; after a trust or settings change only when
   * it has no outcome yet), and drops a runtime view it no longer asks for.
   */
  consider(uri: string, trigger: Trigger): Promise<void> {
    const work = this.considerNow(uri, trigger);
    let set = this.pending.get(uri);
    if (!set) this.pending.set(uri, (set = new Set()));
    set.add(work);
    const done = () => {
      set.delete(work);
      if (set.size === 0 && this.pending.get(uri) === set) this.pending.delete(uri);
    };
    // considerNow never rejects.
    void work.then(done);
    return work;
  }

  private async considerNow(uri: string, trigger: Trigger): Promise<void> {
    try {
      if (!this.host.isTrusted() || !uri.startsWith('file:')) return;
      const { analyses } = this.host;
      const version = analyses.documents.get(uri)?.version;
      if (version === undefined) return;
      const settings = await analyses.settings(uri);
      const analysis = await analyses.analysis(uri);
      // Closed meanwhile.
      if (analyses.documents.get(uri) === undefined) return;
      if (!wantsRuntime(settings.analysisMode, analysis)) {
        this.drop(uri);
        return;
      }
      const fresh = trigger === 'open' || trigger === 'save';
      if (!fresh && (this.outcomes.has(uri) || this.running.has(uri))) return;
      await this.run(uri, settings.runtimeTimeoutSeconds * 1000);
    } catch (error) {
      this.host.logger.error(`VORTEX runtime resolution failed for ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  /** Stops a document's resolution and forgets its outcome (it closed). */
  forget(uri: string): void {
    this.running.get(uri)?.abort();
    this.running.delete(uri);
    this.outcomes.delete(uri);
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    this.outcomes.clear();
  }

  /** Stops a resolution and drops the outcome of a document whose mode no longer asks for one; the view is static again. */
  private drop(uri: string): void {
    this.running.get(uri)?.abort();
    this.running.delete(uri);
    if (this.outcomes.delete(uri)) this.host.onOutcome(uri, undefined);
  }

  private async run(uri: string, timeoutMs: number): Promise<void> {
    this.running.get(uri)?.abort();
    const mine = new AbortController();
    this.running.set(uri, mine);
    const filePath = fileURLToPath(uri);
    const name = path.basename(filePath);
    const endProgress = this.host.progress(`resolving ${name}`);
    const started = performance.now();
    // Superseded by a newer resolution, or the document closed: its outcome is not this one.
    const superseded = (): boolean => {
      if (!mine.signal.aborted && this.running.get(uri) === mine) return false;
      this.host.logger.log(`VORTEX runtime: ${filePath} superseded after ${Math.round(performance.now() - started)} ms`);
      return true;
    };
    try {
      const pythonPath = (await this.host.interpreter(uri)) ?? undefined;
      if (superseded()) return;
      let outcome: RuntimeOutcome;
      try {
        outcome = await this.host.resolve(filePath, { pythonPath, sdkPath: this.host.sdkPath, timeoutMs, signal: mine.signal });
      } catch (error) {
        // The resolver rejects (AbortError) once an aborted resolution's process group is gone.
        if (mine.signal.aborted && superseded()) return;
        throw error;
      }
      if (superseded()) return;
      const tasks = outcome.dags.reduce((n, d) => n + d.tasks.length, 0);
      const built = outcome.status === 'resolved' ? ` (${outcome.dags.length} DAG${outcome.dags.length === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'})` : '';
      const problems = outcome.diagnostics.length > 0 ? `: ${outcome.diagnostics.map((d) => `${d.code} ${d.message.split('\n')[0]}`).join('; ')}` : '';
      this.host.logger.log(`VORTEX runtime: ${filePath} ${outcome.status} in ${Math.round(outcome.durationMs)} ms with ${outcome.pythonPath}${built}${problems}`);
      this.outcomes.set(uri, outcome);
      this.host.onOutcome(uri, outcome);
    } finally {
      endProgress();
      if (this.running.get(uri) === mine) this.running.delete(uri);
    }
  }
}
