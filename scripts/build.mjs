// One esbuild script for every bundle; `tsc --noEmit` type-checks beside it
// because esbuild strips types without checking them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';
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
  // web-tree-sitter probes for these Node built-ins at run time.
  external: ['vscode'],
};

const entries = [
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

copyWasm();
if (watch) {
  for (const e of entries) (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
  chmodSync('dist/cli.js', 0o755);
}
