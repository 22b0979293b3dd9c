import { readFileSync } from 'node:fs';
import { createPythonParser } from './server/src/analysis/parser';
import { DocumentStore } from './server/src/documents';
(async () => { const p = await createPythonParser(); const text = readFileSync('/tmp/dag5000.py', 'utf8');
const mu = () => { const m = process.memoryUsage(); return `rss ${(m.rss/1048576).toFixed(0)} heap ${(m.heapUsed/1048576).toFixed(0)}/${(m.heapTotal/1048576).toFixed(0)} ext ${(m.external/1048576).toFixed(0)}`; };
const store = new DocumentStore(p);
console.log('start', mu());
store.open('file:///d.py', 'python', 1, text);
store.analysis('file:///d.py', 5e6); console.log('open', mu());
const t0 = performance.now();
for (let v = 2; v < 60; v++) { store.change('file:///d.py', v, [{ range: v % 2 ? { start: { line: 2004, character: 52 }, end: { line: 2004, character: 52 } } : { start: { line: 2004, character: 52 }, end: { line: 2004, character: 53 } }, text: v % 2 ? '7' : '' }] as never); store.analysis('file:///d.py', 5e6); }
console.log('ms/edit', ((performance.now() - t0) / 58).toFixed(1), 'after edits', mu());
(globalThis as { gc?: () => void }).gc?.(); console.log('after gc', mu());
})();
