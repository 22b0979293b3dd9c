// Printing the suite's results (written by suite/index.ts), shared by both launchers.
import { existsSync, readFileSync } from 'node:fs';

/** The results file, or `undefined` when the suite did not get to write it. */
export function readResults(file) {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every test with its outcome, then the failures with their messages, the timings, and a closing count line. */
export function printResults(results) {
  for (const t of results.tests) {
    const mark = t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip';
    process.stdout.write(`  ${mark} ${t.title}${t.state === 'passed' ? ` (${t.durationMs} ms)` : ''}\n`);
  }
  const failed = results.tests.filter((t) => t.state === 'failed');
  if (failed.length > 0) {
    process.stdout.write(`\n${failed.length} failing:\n`);
    failed.forEach((t, i) => {
      process.stdout.write(`\n  ${i + 1}) ${t.title}\n     ${String(t.message ?? '').split('\n').join('\n     ')}\n`);
      // The first frames of the stack say where; the rest is mocha and VS Code.
      const frames = String(t.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).slice(0, 4);
      if (frames.length > 0) process.stdout.write(`${frames.map((l) => `     ${l.trim()}`).join('\n')}\n`);
    });
  }
  const metrics = Object.entries(results.metrics ?? {});
  if (metrics.length > 0) {
    process.stdout.write('\nmeasured:\n');
    for (const [name, value] of metrics) process.stdout.write(`  ${name}: ${Math.round(value)} ms\n`);
  }
  process.stdout.write(
    `\nVS Code ${results.vscodeVersion} (remote ${results.remoteName}, extension host Node ${results.nodeVersion}), suite ${(results.durationMs / 1000).toFixed(1)} s\n`,
  );
  // The plain closing line CI reads.
  process.stdout.write(`integration: ${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}\n`);
}
