/**
 * Loads web-tree-sitter and the Python grammar by explicit path.
 *
 * The bundles in `dist/` find both wasm files beside themselves (the build copies
 * them there); running from source (tests) they come from node_modules. Loading
 * happens once per process; every caller shares the same Language.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export type { Edit, Node, Point, Tree } from 'web-tree-sitter';
export { Parser } from 'web-tree-sitter';

const RUNTIME_WASM = 'web-tree-sitter.wasm';
const GRAMMAR_WASM = 'tree-sitter-python.wasm';

function wasmPaths(): { runtime: string; grammar: string } {
  const besideBundle = typeof __dirname === 'string' ? __dirname : '';
  if (besideBundle && existsSync(path.join(besideBundle, GRAMMAR_WASM))) {
    return { runtime: path.join(besideBundle, RUNTIME_WASM), grammar: path.join(besideBundle, GRAMMAR_WASM) };
  }
  return {
    runtime: require.resolve(`web-tree-sitter/${RUNTIME_WASM}`),
    grammar: path.join(path.dirname(require.resolve('tree-sitter-python/package.json')), GRAMMAR_WASM),
  };
}

let loading: Promise<Language> | undefined;
let loaded: Language | undefined;

/** The Python grammar, loaded once. */
export function loadPython(): Promise<Language> {
  loading ??= (async () => {
    const { runtime, grammar } = wasmPaths();
    await Parser.init({ locateFile: () => runtime });
    loaded = await Language.load(grammar);
    return loaded;
  })();
  return loading;
}

/** A new parser for Python; the caller owns it (and must `delete()` it when done). */
export async function createPythonParser(): Promise<Parser> {
  await loadPython();
  return newPythonParser();
}

/** `createPythonParser` once `loadPython()` has resolved (throws before); the caller owns the parser. */
export function newPythonParser(): Parser {
  const parser = new Parser();
  parser.setLanguage(loadedPython());
  return parser;
}


/** The grammar after `loadPython()` has resolved; throws before. */
export function loadedPython(): Language {
  if (!loaded) throw new Error('The Python grammar is not loaded yet: await loadPython() first.');
  return loaded;
}
