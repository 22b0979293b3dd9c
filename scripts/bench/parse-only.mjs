// The baseline process for `vortex inspect --json`: start Node, load
// web-tree-sitter and the grammar from dist/, parse the file, exit.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

const dist = path.resolve(import.meta.dirname, '../../dist');
await Parser.init({ locateFile: () => path.join(dist, 'web-tree-sitter.wasm') });
const parser = new Parser();
parser.setLanguage(await Language.load(path.join(dist, 'tree-sitter-python.wasm')));
const tree = parser.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(`${tree.rootNode.childCount}\n`);
