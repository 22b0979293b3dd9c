/**
 * The graph webview outside VS Code: its real HTML (from `graphHtml`, CSP and
 * all), its built bundle and style sheet served on 127.0.0.1, in headless
 * Debian Chromium, with a stub `acquireVsCodeApi` that records what the page
 * posts. Used by the browser tests and the graph benchmark.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../../scripts/vscode-server.mjs';
import type { Browser, Page } from 'playwright-core';
import { graphHtml } from '../../client/src/graph/html';
import { loadPython } from '../../core/analysis/parser';
import type { HostMessage } from '../../client/src/graph/messages';

const ROOT = path.resolve(__dirname, '..', '..');
export const WEBVIEW_BUNDLE = path.join(ROOT, 'dist', 'webview', 'graph.js');
const FILES: Record<string, { file: string; type: string }> = {
  '/dist/webview/graph.js': { file: WEBVIEW_BUNDLE, type: 'text/javascript' },
  '/media/graph/graph.css': { file: path.join(ROOT, 'media', 'graph', 'graph.css'), type: 'text/css' },
  '/dist/webview/codicon.css': { file: path.join(ROOT, 'dist', 'webview', 'codicon.css'), type: 'text/css' },
  '/dist/webview/codicon.ttf': { file: path.join(ROOT, 'dist', 'webview', 'codicon.ttf'), type: 'font/ttf' },
};

/** A dark theme's variables, as VS Code sets them on the webview's root element. */
const DARK_THEME: Record<string, string> = {
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-foreground': '#d4d4d4',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-editorWidget-background': '#252526',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-editorLineNumber-foreground': '#858585',
  '--vscode-descriptionForeground': '#ccccccb3',
  '--vscode-focusBorder': '#007fd4',
  '--vscode-editorError-foreground': '#f14c4c',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-editorInfo-foreground': '#3794ff',
  '--vscode-button-background': '#0e639c',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#3a3d41',
  '--vscode-button-secondaryForeground': '#ffffff',
  '--vscode-input-background': '#3c3c3c',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-font-family': 'sans-serif',
  '--vscode-font-size': '13px',
};

export interface GraphPage {
  page: Page;
  /** Messages the page posted to the "host", in order, but for the states it saved (see `saved`). */
  posted(): Promise<unknown[]>;
  /** The states the page told the host it saved, in order, and what it last gave `setState`. */
  saved(): Promise<{ told: unknown[]; setState: unknown }>;
  /** Delivers a host → webview message. */
  send(message: HostMessage | Record<string, unknown>): Promise<void>;
  /** Sends a graph message and resolves once the page has painted it; returns the milliseconds that took in the page. */
  draw(message: HostMessage): Promise<number>;
  close(): Promise<void>;
}

export interface GraphBrowser {
  open(size?: { width: number; height: number }): Promise<GraphPage>;
  close(): Promise<void>;
}

/** Where browser tests leave their screenshots. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/**
 * One browser for a suite: launched before its tests (with the parser loaded
 * and the artifacts folder made), closed after them. Call inside `describe`;
 * returns the browser for the tests to open pages in.
 */
export function useGraphBrowser(): () => GraphBrowser {
  let browser: GraphBrowser | undefined;
  before(async () => {
    await loadPython();
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchGraphBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the graph browser is not launched: useGraphBrowser() belongs inside describe()');
    return browser;
  };
}

export async function launchGraphBrowser(): Promise<GraphBrowser> {
  if (!existsSync(WEBVIEW_BUNDLE)) throw new Error(`${WEBVIEW_BUNDLE} is missing: run "npm run build" first`);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const address = server.address() as AddressInfo;
    const origin = `http://127.0.0.1:${address.port}`;
    if (url.pathname === '/') {
      const html = graphHtml({
        cspSource: origin,
        nonce: randomBytes(18).toString('base64url'),
        scriptUri: `${origin}/dist/webview/graph.js`,
        styleUri: `${origin}/media/graph/graph.css`,
        codiconsUri: `${origin}/dist/webview/codicon.css`,
      });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const served = FILES[url.pathname];
    if (!served) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': served.type }).end(readFileSync(served.file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  } catch (error) {
    // A listening server keeps the test process alive: mocha would print the failure and never exit.
    server.close();
    throw error;
  }
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async open(size = { width: 1000, height: 640 }) {
      const page = await browser.newPage({ viewport: size });
      // A string, not a function: the test runner's transpiler adds helpers to functions that the page lacks.
      await page.addInitScript(`
        window.__posted = [];
        window.acquireVsCodeApi = () => ({
          postMessage: (m) => window.__posted.push(m),
          getState: () => window.__state,
          setState: (s) => { window.__state = s; },
        });
        document.addEventListener('DOMContentLoaded', () => {
          // VS Code sets the theme's variables on the root element the same way (CSSOM, which the CSP allows).
          for (const [name, value] of Object.entries(${JSON.stringify(DARK_THEME)})) document.documentElement.style.setProperty(name, value);
          document.body.classList.add('vscode-dark');
        });
      `);
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
      const send = async (message: HostMessage | Record<string, unknown>): Promise<void> => {
        await page.evaluate((m) => window.postMessage(m, '*'), message);
      };
      return {
        page,
        posted: () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type !== 'state')),
        saved: () =>
          page.evaluate(() => {
            const w = window as unknown as { __posted: { type: string; state?: unknown }[]; __state: unknown };
            return { told: w.__posted.filter((m) => m.type === 'state').map((m) => m.state), setState: w.__state };
          }),
        send,
        async draw(message) {
          // Timed inside the page: from the message's delivery to just after the frame that shows it
          // (the attribute is set in that frame's animation callback; the timeout runs after its paint).
          // A string, for the same reason as the init script.
          return page.evaluate(`new Promise((resolve) => {
            const before = Number(document.body.dataset.rendered ?? 0);
            const observer = new MutationObserver(() => {
              if (Number(document.body.dataset.rendered ?? 0) <= before) return;
              observer.disconnect();
              setTimeout(() => resolve(performance.now() - started), 0);
            });
            observer.observe(document.body, { attributes: true, attributeFilter: ['data-rendered'] });
            const started = performance.now();
            window.postMessage(${JSON.stringify(message)}, '*');
          })`) as Promise<number>;
        },
        close: () => page.close(),
      };
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
