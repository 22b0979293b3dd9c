// One esbuild script for every bundle; `tsc --noEmit` type-checks beside it
// because esbuild strips types without checking them.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** The parser runtime and the grammar are loaded by explicit path from beside the bundles. */
function copyWasm() {
  mkdirSync('dist', { recursive: true });
  const runtime = require.resolve('web-tree-sitter/web-tree-sitter.wasm');
  const grammar = path.join(path.dirname(require.resolve('tree-sitter-python/package.json')), 'tree-sitter-python.wasm');
  copyFileSync(runtime, 'dist/web-tree-sitter.wasm');
  copyFileSync(grammar, 'dist/tree-sitter-python.wasm');
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // The parser resolves its wasm files at run time only when running from source (tests).
  logOverride: { 'require-resolve-not-external': 'silent' },
  external: ['vscode'],
  // ESM-only dependencies (web-tree-sitter's "import" build) read import.meta.url;
  // in a CommonJS bundle it must come from the bundle's own file name.
  define: {
    VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
    'import.meta.url': '__importMetaUrl',
  },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * cron-parser, luxon and cronstrue go into a bundle of their own,
 * dist/scheduleLibs.js, which the CLI and the server load on first use (see
 * core/analysis/scheduleLibs.ts): left in, they were more than half of
 * each bundle, compiled at every start.
 */
const scheduleLibsApart = {
  name: 'schedule-libs-apart',
  setup(build) {
    build.onResolve({ filter: /\/scheduleLibs$/ }, () => ({ path: './scheduleLibs.js', external: true }));
  },
};

/** The integration suite runs inside VS Code's extension host, which loads plain CommonJS files. */
const integrationSuite = 'test/integration/suite';
const integrationEntries = readdirSync(integrationSuite)
  .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
  .map((f) => path.join(integrationSuite, f));

const entries = [
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${common.banner.js}` }, plugins: [scheduleLibsApart] },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [scheduleLibsApart] },
  { entryPoints: ['core/analysis/scheduleLibs.ts'], outfile: 'dist/scheduleLibs.js' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js' },
  // The graph's layout runs on a worker thread of the extension host.
  { entryPoints: ['client/src/graph/layoutWorker.ts'], outfile: 'dist/graphLayout.js' },
  // The graph webview's script runs in the browser: no Node banner, no import.meta rewrite.
  {
    entryPoints: ['client/src/graph/webview/main.ts'],
    outfile: 'dist/webview/graph.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    banner: {},
    define: {},
  },
  {
    entryPoints: integrationEntries,
    outdir: 'out/test/integration/suite',
    // Resolved from the repository's node_modules at run time: mocha loads its
    // reporters and interfaces by path, and the tokenizer finds its wasm beside
    // itself, which a bundle would break.
    external: ['vscode', 'mocha', 'vscode-textmate', 'vscode-oniguruma'],
    sourcemap: 'inline',
  },
];

/** The bundled Python SDK goes beside the bundles too: tasks import `vortex` from dist/sdk (the package alone: no tests, no tool configuration). */
function copySdk() {
  rmSync('dist/sdk', { recursive: true, force: true });
  cpSync('python/vortex', 'dist/sdk/vortex', { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc') });
}

/** VS Code's icon font for the graph webview's buttons, beside its script (the only folder the webview may read besides its style sheet). */
function copyCodicons() {
  mkdirSync('dist/webview', { recursive: true });
  const dir = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join(dir, f), path.join('dist/webview', f));
}

copyWasm();
// A production build (the .vsix) carries no source maps: drop those a development build left.
if (production) {
  for (const file of readdirSync('dist', { recursive: true })) {
    if (String(file).endsWith('.map')) rmSync(path.join('dist', String(file)));
  }
}
copySdk();
copyCodicons();
if (watch) {
  for (const e of entries) (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
  chmodSync('dist/cli.js', 0o755);
}
