/**
 * When Pylance cannot resolve `vortex` in a DAG file, offer to add the bundled
 * SDK's folder to `python.analysis.extraPaths`, so DAG files type-check
 * against the same `vortex` package their tasks run with. Pure: no `vscode`.
 */

/** The part of a diagnostic this reads. */
export interface DiagnosticLike {
  source?: string;
  message: string;
}

/** Pylance's words for an import it cannot find: `Import "vortex.operators.bash" could not be resolved`. */
const UNRESOLVED_VORTEX = /^Import "vortex(?:\.[\w.]+)?" could not be resolved/;

export function hasUnresolvedVortexImport(diagnostics: readonly DiagnosticLike[]): boolean {
  return diagnostics.some((d) => d.source === 'Pylance' && UNRESOLVED_VORTEX.test(d.message));
}

/**
 * An SDK folder of some installed version of this extension: each update
 * installs into a new folder, so an entry written by an older version is stale.
 */
const OUR_SDK = /vortex-dev\.vortex-dags[^/\\]*[/\\]dist[/\\]sdk[/\\]?$/;

/**
 * `extraPaths` with the SDK folder in it, older versions' SDK folders removed
 * and everything else kept in order; null when it holds the folder already.
 */
export function extraPathsWithSdk(current: unknown, sdkPath: string): string[] | null {
  const paths = Array.isArray(current) ? current.filter((p): p is string => typeof p === 'string') : [];
  if (paths.includes(sdkPath)) return null;
  return [...paths.filter((p) => !OUR_SDK.test(p)), sdkPath];
}
