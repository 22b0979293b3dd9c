/**
 * What the suite tells its launcher, through files: the results, and requests
 * for screenshots that only the launcher (which drives the browser) can take.
 */

/** Where `run()` writes its {@link SuiteResults}. */
export const RESULTS_ENV = 'VORTEX_TEST_RESULTS';

/**
 * A folder the launcher watches: the suite writes `<name>.request` and waits
 * for `<name>.done`, which holds the saved image's path (or `error: …`).
 * Unset when the launcher cannot take screenshots (@vscode/test-electron).
 */
export const SCREENSHOT_ENV = 'VORTEX_SCREENSHOT_REQUESTS';

/** The content of a `<name>.request` file. */
export interface ScreenshotRequest {
  /** CSS selectors the launcher waits to see gone before it clicks (so the click is what shows them). */
  hiddenBefore?: string[];
  /** A CSS selector the launcher clicks first, as a user would. */
  click?: string;
  /** CSS selectors the launcher waits to see before it takes the picture. */
  visible: string[];
  /** CSS selectors inside the webview's own page (the graph) that must show too. */
  webviewVisible?: string[];
  /** CSS selectors that must not show once the others do (the request fails if one does). */
  absent?: string[];
}

export interface TestOutcome {
  /** The full title: describe blocks and the test's own name. */
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  message?: string;
  stack?: string;
}

export interface SuiteResults {
  vscodeVersion: string;
  remoteName: string | null;
  nodeVersion: string;
  durationMs: number;
  /** False while mocha runs (the file is rewritten after every test). */
  finished: boolean;
  /** The test running when the file was written, if any. */
  running: string | null;
  passed: number;
  failed: number;
  pending: number;
  tests: TestOutcome[];
  /** Timings the tests measured (milliseconds), by name. */
  metrics: Record<string, number>;
}
