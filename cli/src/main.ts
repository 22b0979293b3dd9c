/**
 * `vortex`: the extension's analyser (and executor) on the command line, for CI,
 * pre-commit hooks and terminals. docs/cli.md is its contract (commands,
 * exit codes, JSON shapes), and test/unit/cli/cliContract.test.ts holds it to it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { loadPython } from '../../core/analysis/parser';
import { describeCron, SCHEDULE_PRESETS } from '../../core/analysis/schedule';
import { DEFAULT_RUNTIME_TIMEOUT_MS, type RuntimeOptions } from '../../core/runtime/report';
import { type AnalysisMode, wantsRuntime } from '../../core/runtime/mode';
import { analysePaths, UsageError } from './files';
import { renderGraph, type GraphFormat } from './graphFormats';
import { analysisMode } from './mode';
import { runtimeInspection, staticInspection, type Inspection } from './inspection';
import { interruptible, signalExitCode } from './signals';
import { diagnosticLine, inspectDiagnostic, type InspectFile } from './report';

/** What `vortex --help` prints; docs/cli.md opens with the same text, and a test holds the two together. */
const USAGE = `Usage:
  vortex inspect FILE... [--json] [--max-file-size BYTES]
                 [--mode static|auto|runtime [--timeout SECONDS] [--python PATH]]
                 [--runtime (the same as --mode runtime)]
  vortex graph FILE [--dag DAG_ID] [--format dot|mermaid|json] [--max-file-size BYTES]
  vortex run FILE [--dag DAG_ID] [--task TASK_ID] [--parallelism N]
                  [--timeout SECONDS] [--secrets-file PATH] [--json]
                  [--mode auto|static|runtime] [--logical-date DATE]
                  [--conf JSON] [--retry-delay SECONDS] [--downstream]
                  [--from RUN_ID [--only-failed]]
  vortex --help | --version

A FILE of inspect may be a directory: the DAG files under it.

Exit status: 0 success; 1 error diagnostics, or a failed run (run);
2 bad usage or an unreadable file; 130, 143, 129 a run (or inspect executing
files) stopped by SIGINT, SIGTERM, SIGHUP; 70 an internal error.`;

function parse(args: string[], options: ParseArgsConfig['options']): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

function maxFileSize(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--max-file-size must be a positive number of bytes, not "${String(value)}"`);
  return n;
}

/**
 * The analysis mode of `inspect` (static unless `--mode` or `--runtime` says
 * otherwise: inspecting never executes a file unasked), and the options of
 * executing files; `--timeout` and `--python` mean nothing without it.
 */
function inspectMode(values: Record<string, unknown>): { mode: AnalysisMode; runtime: RuntimeOptions } {
  if (values.runtime && values.mode !== undefined && values.mode !== 'runtime') {
    throw new UsageError(`--runtime is --mode runtime; it cannot go with --mode ${String(values.mode)}`);
  }
  const mode = values.runtime ? 'runtime' : analysisMode(values.mode, 'static');
  if (mode === 'static') {
    for (const option of ['timeout', 'python']) {
      if (values[option] !== undefined) throw new UsageError(`--${option} applies to executing the files only: add --mode auto or --mode runtime`);
    }
  }
  let timeoutMs = DEFAULT_RUNTIME_TIMEOUT_MS;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${String(values.timeout)}"`);
    timeoutMs = seconds * 1000;
  }
  const pythonPath = values.python === undefined ? 'python3' : String(values.python);
  if (pythonPath === '') throw new UsageError('--python needs the path of a Python interpreter');
  return { mode, runtime: { timeoutMs, pythonPath } };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Diagnostics, then a line per DAG, then a summary: for people and CI annotators. */
function inspectText(inspections: Inspection[]): string {
  const out: string[] = [];
  let dagCount = 0;
  let taskCount = 0;
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const f of inspections) {
    for (const d of f.diagnostics) {
      out.push(diagnosticLine(f.path, d));
      bySeverity[d.severity]++;
    }
    for (const dag of f.dags) {
      dagCount++;
      taskCount += dag.tasks.length;
      const cron = dag.schedule ? (SCHEDULE_PRESETS[dag.schedule] ?? dag.schedule) : '';
      const reading = cron ? describeCron(cron) : null;
      const schedule = dag.schedule ? `schedule "${dag.schedule}"${reading ? ` (${reading})` : ''}` : 'no schedule';
      const seen = f.runtime === 'resolved' ? ', as executing the file built it' : '';
      out.push(`${f.path}:${dag.line}: DAG "${dag.dag_id ?? '?'}": ${dag.tasks.length} tasks, ${dag.edges.length} dependencies, ${schedule}${seen}`);
    }
  }
  out.push(`${plural(inspections.length, 'file')}, ${plural(dagCount, 'DAG')}, ${plural(taskCount, 'task')}: ${plural(bySeverity.error, 'error')}, ${plural(bySeverity.warning, 'warning')}, ${bySeverity.info} info`);
  return `${out.join('\n')}\n`;
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean' },
    runtime: { type: 'boolean' },
    mode: { type: 'string' },
    timeout: { type: 'string' },
    python: { type: 'string' },
    'max-file-size': { type: 'string' },
  });
  const { mode, runtime } = inspectMode(values);
  if (positionals.length === 0) throw new UsageError('inspect needs at least one FILE or directory');
  await loadPython();
  const { files, errors } = analysePaths(positionals, { maxFileSize: maxFileSize(values['max-file-size']) });
  for (const error of errors) process.stderr.write(`vortex: ${error}\n`);
  const inspections: Inspection[] = [];
  if (mode === 'static') {
    for (const f of files) inspections.push(staticInspection(f));
  } else {
    // A signal stops the file being executed (its process group is out of the terminal's reach), then ends inspect as it would have.
    const stoppedBy = await interruptible(async (signal, stoppedBy) => {
      // One file at a time: each run is a Python process executing user code.
      for (const f of files) {
        if (signal.aborted) break;
        try {
          inspections.push(wantsRuntime(mode, f.analysis) ? await runtimeInspection(f, { ...runtime, signal }) : staticInspection(f));
        } catch (error) {
          if (!(signal.aborted && error instanceof Error && error.name === 'AbortError')) throw error;
        }
      }
      return stoppedBy();
    });
    if (stoppedBy !== null) {
      process.stderr.write('vortex: interrupted; the file being executed was stopped\n');
      return signalExitCode(stoppedBy);
    }
  }
  if (values.json) {
    const report: { files: InspectFile[] } = {
      files: inspections.map((f) => ({ path: f.path, dags: f.dags, diagnostics: f.diagnostics.map(inspectDiagnostic) })),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(inspectText(inspections));
  }
  if (errors.length > 0) return 2;
  return inspections.some((f) => f.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
}

async function graph(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    dag: { type: 'string' },
    format: { type: 'string', default: 'dot' },
    'max-file-size': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('graph needs exactly one FILE');
  const format = values.format as string;
  if (format !== 'dot' && format !== 'mermaid' && format !== 'json') throw new UsageError(`--format must be dot, mermaid or json, not "${format}"`);
  await loadPython();
  const { files, errors } = analysePaths(positionals, { maxFileSize: maxFileSize(values['max-file-size']) });
  if (errors.length > 0) throw new UsageError(errors[0]);
  const file = files[0];
  if (!file || file.analysis.dags.length === 0) throw new UsageError(`${positionals[0]} defines no DAG`);
  let dags = file.analysis.dags;
  if (values.dag !== undefined) {
    dags = dags.filter((d) => d.dagId === values.dag);
    if (dags.length === 0) {
      const known = file.analysis.dags.map((d) => d.dagId).filter(Boolean).join(', ');
      throw new UsageError(`no DAG "${String(values.dag)}" in ${file.path} (it defines: ${known})`);
    }
  }
  process.stdout.write(`${renderGraph(file.analysis, dags, format as GraphFormat)}\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  inspect,
  graph,
  // The executor (and what it loads) is loaded only to run: inspect and graph start sooner without it.
  run: async (args) => (await import('./runCommand')).runCommand(args),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    // Without a command there is nothing more particular to say than how to call the CLI.
    process.stderr.write(`vortex: ${command ? `unknown command "${command}"` : 'no command given'}\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`vortex: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

declare const VERSION: string;

// A reader that went away (`vortex run | head -1`: EPIPE; a closed terminal: EIO) ends what is
// shown, not what runs: a run goes on to its end (SIGHUP stops it) and is recorded, as its tasks'
// groups must not be left behind by a crash.
const GONE_READER = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);
let terminalGone = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!GONE_READER.has(error.code ?? '')) throw error;
    if (error.code === 'EIO') terminalGone = true;
  });
}

// A command is one short process: the parser's WebAssembly is best run as first compiled (Liftoff) and
// never recompiled by TurboFan, whose background compiles of the grammar's large functions cost more
// than they win back before the process ends (measured here: a 300-task file analysed 40 ms sooner, a
// 5,000-task one as fast). The language server, which parses for hours, keeps V8's tiering.
setFlagsFromString('--liftoff-only');

main(process.argv.slice(2)).then(
  (code) => {
    // Node restores a terminal's modes as it exits and aborts when the terminal is gone: end as the
    // hang-up would have ended this process (shells report 129), now that the run is recorded.
    if (terminalGone) process.kill(process.pid, 'SIGHUP');
    process.exitCode = code;
  },
  (error: unknown) => {
    // A defect in VORTEX itself, not bad input: say so in one line and how to report it.
    process.stderr.write(`vortex: internal error: ${error instanceof Error ? error.message : String(error)} (please report this with the file that caused it)\n`);
    process.exitCode = 70;
  },
);
