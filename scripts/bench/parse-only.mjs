// The baseline process for `vortex inspect --json`: start Node, load
// web-tree-sitter and the grammar from dist/, parse the file, exit; with the
// V8 flag the CLI sets (cli/src/main.ts), so that both run the parser alike.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser } from 'web-tree-sitter';

setFlagsFromString('--liftoff-only');

const dist = path.resolve(import.meta.dirname, '../../dist');
await Parser.init({ locateFile: () => path.join(dist, 'web-tree-sitter.wasm') });
const parser = new Parser();
parser.setLanguage(await Language.load(path.join(dist, 'tree-sitter-python.wasm')));
const tree = parser.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(`${tree.rootNode.childCount}\n`);
