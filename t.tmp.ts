import { readFileSync } from 'node:fs';
import { loadPython } from './server/src/analysis/parser';
import { analyse } from './server/src/analysis/analyse';
(async () => { await loadPython(); const r = analyse(readFileSync(process.argv[2], 'utf8'));
console.log(JSON.stringify({ dags: r.dags.map(d => ({ id: d.dagId, sched: d.schedule, owner: d.owner, tags: d.tags, edges: d.edges.map(e => e.upstream + '>' + e.downstream) })), tasks: r.tasks.map(t => [t.taskId, t.operator, t.dagIndex, t.upstream, t.downstream]), diags: r.diagnostics.map(d => `${d.range.start.line+1}:${d.range.start.character+1} ${d.code} ${d.message}`) }, null, 1)); })();
