/**
 * How the language server's process is started: the V8 flags VS Code's client
 * passes it. They live in serverProcess.json so that scripts/bench-lsp.mjs
 * measures the server started exactly this way.
 *
 * Why: re-analysing a large file on each keystroke makes a few MB of model
 * that is garbage at the next one. With V8's defaults the young generation
 * grew to 32 MB and the old one to several times what was live before a full
 * collection, so the server's resident memory with a 5,000-task file open
 * went from about 150 MB to 175-195 MB over 1,000 edits. A 4 MB semi-space and
 * a heap allowed to grow by 25% between full collections keep it near 120 MB
 * and flat, at the same edit-to-diagnostics latency (measured with
 * scripts/bench-lsp.mjs). Both flags exist in V8 from Node 20 to Node 24
 * (VS Code's extension host).
 */
import options from './serverProcess.json';

export const SERVER_EXEC_ARGV: readonly string[] = options.execArgv;
