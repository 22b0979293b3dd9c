/**
 * What the integration tests share: the extension's API, the workspace's files,
 * and polling with deadlines. A language server answers asynchronously, so
 * every expectation about what VS Code shows is polled until it holds or its
 * deadline passes; nothing sleeps a fixed time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VortexApi } from '../../../client/src/extension';
import { SCREENSHOT_ENV, type ScreenshotRequest } from './results';

export const EXTENSION_ID = 'vortex-dev.vortex-dags';
export const DIAGNOSTIC_SOURCE = 'vortex';

/** Generous for a cold server on a loaded 2-core CI machine; a passing poll returns at once. */
export const DEFAULT_DEADLINE_MS = 20_000;

/**
 * Calls `probe` until it returns something other than `undefined`, or throws
 * when `deadlineMs` passes. `describe` and the last value seen (when `lastSeen`
 * is given) go into the error, so a failure says what was still missing.
 */
export async function waitFor<T>(
  describe: string,
  probe: () => T | undefined | Promise<T | undefined>,
  options: { deadlineMs?: number; intervalMs?: number; lastSeen?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  const interval = options.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      // A provider may throw while the server restarts; keep polling until the deadline.
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const seen = options.lastSeen ? `; last seen: ${options.lastSeen()}` : '';
      const thrown = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.deadlineMs ?? DEFAULT_DEADLINE_MS} ms waiting for ${describe}${seen}${thrown}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** The activated extension's API. */
export async function vortexApi(): Promise<VortexApi> {
  const extension = vscode.extensions.getExtension<VortexApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  return extension.isActive ? extension.exports : extension.activate();
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder (the launcher opens test/integration/workspace)');
  return folder.uri;
}

export function workspaceFile(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

export async function openFile(relative: string | vscode.Uri): Promise<vscode.TextEditor> {
  const uri = typeof relative === 'string' ? workspaceFile(relative) : relative;
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

/**
 * Closes every editor, first reverting the documents a test edited to what is
 * on disk, so the next test starts from the workspace as it was (a dirty
 * editor would also stop the closing with a question). Edits are made in
 * place and reverted, never in scratch copies: a deleted copy would linger in
 * the Problems panel for as long as VS Code keeps its document.
 */
export async function cleanUp(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty && !d.isClosed && d.uri.scheme === 'file')) {
    // Put the text on disk back into the document and save it: unlike the revert
    // command, this does not depend on which editor or webview has the focus.
    const onDisk = fs.readFileSync(document.uri.fsPath, 'utf8');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, document.validateRange(new vscode.Range(0, 0, document.lineCount, 0)), onDisk);
    await vscode.workspace.applyEdit(edit);
    // A document VS Code let go of meanwhile has nothing left to save.
    if (!document.isClosed && document.isDirty) {
      await document.save().then(undefined, (error: unknown) => {
        if (!document.isClosed) throw error;
      });
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function vortexDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
}

/** The diagnostic's code as a string (`VX103`), whether sent plain or with a link. */
export function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  if (code === undefined) return '';
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const all = vscode.languages.getDiagnostics(uri);
  if (all.length === 0) return 'no diagnostics';
  return all.map((d) => `${d.source ?? '?'} ${codeOf(d)} @${d.range.start.line}:${d.range.start.character} ${d.message}`).join(' | ');
}

/** Waits until VORTEX's diagnostics for `uri` satisfy `accept`, and returns them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  describe: string,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `${describe} in ${path.basename(uri.fsPath)}`,
    () => {
      const diagnostics = vortexDiagnostics(uri);
      return accept(diagnostics) ? diagnostics : undefined;
    },
    { deadlineMs, lastSeen: () => describeDiagnostics(uri) },
  );
}

/** The position of `needle`'s first occurrence (plus `offset` characters into it). */
export function positionOf(document: vscode.TextDocument, needle: string, offset = 0): vscode.Position {
  const index = document.getText().indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" not found in ${path.basename(document.uri.fsPath)}`);
  return document.positionAt(index + offset);
}

/** Hover contents flattened to text as the user reads it: markdown's backslash escapes (`vortex\\_team`) show as the character alone. */
export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Numbers a test wants reported (latencies); index.ts writes them into the results. */
export function recordMetric(name: string, value: number): void {
  metricsStore()[name] = value;
}

/**
 * Each test file is its own bundle with its own copy of this module, so the
 * metrics live on the one global object they all share.
 */
export function metricsStore(): Record<string, number> {
  const holder = globalThis as { __vortexMetrics?: Record<string, number> };
  holder.__vortexMetrics ??= {};
  return holder.__vortexMetrics;
}

/**
 * Asks the launcher for a screenshot of the workbench as it is now, and waits
 * for it. The launcher first clicks `click.selector` (when given, once the
 * `click.hiddenBefore` selectors are gone from the page) and waits until every
 * selector in `visible` shows in the page (the hover widget, the Problems
 * panel) and every one in `more.webviewVisible` inside the webview's page, so
 * the picture shows them; a selector that never shows, or one of `more.absent`
 * that does, fails the request. Returns the image's path, or `undefined` when
 * this launcher drives no browser.
 */
export async function requestScreenshot(
  name: string,
  visible: string[] = [],
  click?: { selector: string; hiddenBefore: string[] },
  more: Pick<ScreenshotRequest, 'webviewVisible' | 'absent'> = {},
): Promise<string | undefined> {
  const folder = process.env[SCREENSHOT_ENV];
  if (!folder) return undefined;
  const done = path.join(folder, `${name}.done`);
  fs.rmSync(done, { force: true });
  const request: ScreenshotRequest = { visible, ...more, ...(click ? { click: click.selector, hiddenBefore: click.hiddenBefore } : {}) };
  // Written whole, then renamed: the launcher polls the folder and must never read half a request.
  const partial = path.join(folder, `${name}.partial`);
  fs.writeFileSync(partial, JSON.stringify(request));
  fs.renameSync(partial, path.join(folder, `${name}.request`));
  const answer = await waitFor(`the launcher to take screenshot "${name}"`, () =>
    fs.existsSync(done) ? fs.readFileSync(done, 'utf8') : undefined,
  );
  if (answer.startsWith('error:')) throw new Error(`screenshot "${name}" failed: ${answer}`);
  return answer;
}

/** A completion item's label as plain text. */
export function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

/** VORTEX's errors for a document, as the status bar counts them. */
export function errorCount(uri: vscode.Uri): number {
  return vortexDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
}

/** Waits until the server's document symbols for `uri` list a DAG, i.e. it has analysed the file. */
export function waitForSymbols(uri: vscode.Uri, deadlineMs = DEFAULT_DEADLINE_MS): Promise<vscode.DocumentSymbol[]> {
  return waitFor(
    `document symbols of ${path.basename(uri.fsPath)}`,
    async () => {
      const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', uri);
      return symbols && symbols.length > 0 ? symbols : undefined;
    },
    { deadlineMs },
  );
}

/** Hovers at `position`, polled until one has text (the server may still be starting). */
export function waitForHover(uri: vscode.Uri, position: vscode.Position, accept: (text: string) => boolean = (t) => t.length > 0): Promise<string> {
  let last = '';
  return waitFor(
    `a hover at ${position.line}:${position.character} of ${path.basename(uri.fsPath)}`,
    async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
      last = hoverText(hovers);
      return accept(last) ? last : undefined;
    },
    { lastSeen: () => JSON.stringify(last) },
  );
}
