/**
 * docs/cli.md is the command line's contract: this test reads it and holds the
 * built CLI (dist/cli.js, run as a process on real DAG files) to it. The usage
 * block is what `vortex --help` prints; each exit status is the one the table
 * gives for its case; and each JSON shape's field table lists exactly the keys
 * the real output has, with their types, both ways: nothing undocumented in
 * the output, nothing documented that the output lacks. The document's JSON
 * examples are held to the same tables.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GROUPS_FILE } from '../../../core/run/runStore';
import { processRuns, REPO, scratchDir } from '../../support/execution';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { inspectDags } from '../../../cli/src/report';
import { renderGraph } from '../../../cli/src/graphFormats';
import { withStructure } from '../../support/structure';

const CLI = path.join(REPO, 'dist', 'cli.js');
const DOC = readFileSync(path.join(REPO, 'docs', 'cli.md'), 'utf8');
const SEED = path.join(REPO, 'test', 'fixtures', 'seed_example.py');

/** The seed example with a TaskGroup, a labelled edge and marked tasks. */
function structuredSeed() {
  return withStructure(analyse(readFileSync(SEED, 'utf8')), {
    groups: [{ id: 'work', parentId: null }],
    tasks: { run_script: { groupId: 'work', triggerRule: 'all_done', mapped: true }, process_data: { groupId: 'work', decorated: true, branch: true } },
    labels: [['start', 'run_script', 'go']],
  });
}

// ---- reading the document ------------------------------------------------

/** The text under a `## ` heading, up to the next one. */
function section(heading: string): string {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `docs/cli.md has no section "## ${heading}"`);
  const next = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, next < 0 ? undefined : next);
}

/** The fenced blocks of `text` with the given info string ('' for none). */
function fencedBlocks(text: string, info: string): string[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === info).map((m) => m[2]);
}

/** The rows of the first Markdown table in `text`, cells trimmed, header and rule left out. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  assert.ok(first >= 0, 'no table');
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((c) => c.trim()));
  }
  return rows;
}

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array' | 'object';

interface Shape {
  /** Paths of objects keyed by data, and the kind of their values (`json`: any). */
  maps?: Map<string, Kind | 'json'>;
  /** Each documented path (`files[].dags[].tag`; `x[]` for the elements of array `x`) and the kinds it may hold. */
  kinds: Map<string, Set<Kind>>;
  /** Paths whose key an object may leave out. */
  optional: Set<string>;
}

const SCALARS: Record<string, Kind> = { string: 'string', integer: 'integer', number: 'number', boolean: 'boolean', null: 'null', object: 'object' };
const ARRAYS: Record<string, Kind> = { 'array of strings': 'string', 'array of integers': 'integer', 'array of objects': 'object' };
/** Objects whose keys are data (an XCom key, a field name), not documented fields: their values are held to the kind named. */
const MAPS: Record<string, Kind | 'json'> = { 'object of strings': 'string', 'object of JSON values': 'json' };

/** A section's field table as a shape: `| \`path\` | type | meaning |`. */
function documentedShape(heading: string): Shape {
  const kinds = new Map<string, Set<Kind>>();
  const optional = new Set<string>();
  const maps = new Map<string, Kind | 'json'>();
  for (const [field, type] of tableRows(section(heading))) {
    const name = /^`([^`]+)`$/.exec(field)?.[1];
    assert.ok(name, `${heading}: a field cell is \`path\`, not ${field}`);
    let spelled = type;
    if (spelled.endsWith(', optional')) {
      optional.add(name);
      spelled = spelled.slice(0, -', optional'.length);
    }
    const allowed = new Set<Kind>();
    for (const alternative of spelled.split(' or ')) {
      if (MAPS[alternative]) {
        allowed.add('object');
        maps.set(name, MAPS[alternative]);
      } else if (ARRAYS[alternative]) {
        allowed.add('array');
        kinds.set(`${name}[]`, new Set([ARRAYS[alternative]]));
      } else {
        assert.ok(SCALARS[alternative], `${heading}: ${name} has a type the test does not know: "${alternative}"`);
        allowed.add(SCALARS[alternative]);
      }
    }
    kinds.set(name, allowed);
  }
  return { kinds, optional, maps };
}

/** The one ```json example of a section. */
function documentedExample(heading: string): unknown {
  const blocks = fencedBlocks(section(heading), 'json');
  assert.equal(blocks.length, 1, `${heading}: one JSON example`);
  return JSON.parse(blocks[0]);
}

// ---- holding JSON to a shape ---------------------------------------------

function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as Kind;
  throw new Error(`not JSON: ${typeof value}`);
}

function fits(kind: Kind, allowed: Set<Kind>): boolean {
  return allowed.has(kind) || (kind === 'integer' && allowed.has('number'));
}

/** The documented keys of the object at `parent` ('' for the top). */
function childKeys(shape: Shape, parent: string): string[] {
  const prefix = parent === '' ? '' : `${parent}.`;
  return [...shape.kinds.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('.') && !p.endsWith('[]')).map((p) => p.slice(prefix.length));
}

/**
 * Checks `value` against `shape` both ways, every object of it: each key is
 * documented with a type its value has, and each documented key that is not
 * optional is there. Returns every path seen (array elements included).
 */
function holdToShape(value: unknown, shape: Shape, what: string): Set<string> {
  const seen = new Set<string>();
  const visit = (v: unknown, at: string) => {
    const kind = kindOf(v);
    if (at !== '') {
      const allowed = shape.kinds.get(at);
      assert.ok(allowed, `${what}: ${at} is not in docs/cli.md`);
      assert.ok(fits(kind, allowed), `${what}: ${at} is ${kind}; docs/cli.md says ${[...allowed].join(' or ')}`);
      seen.add(at);
    }
    if (kind === 'array') for (const element of v as unknown[]) visit(element, `${at}[]`);
    const mapOf = shape.maps?.get(at);
    if (mapOf !== undefined && kind === 'object') {
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        assert.ok(mapOf === 'json' || kindOf(item) === mapOf, `${what}: ${at}.${key} is ${kindOf(item)}; docs/cli.md says ${mapOf}`);
      }
      return;
    }
    if (kind === 'object') {
      const object = v as Record<string, unknown>;
      const prefix = at === '' ? '' : `${at}.`;
      for (const key of Object.keys(object)) visit(object[key], `${prefix}${key}`);
      for (const key of childKeys(shape, at)) {
        assert.ok(key in object || shape.optional.has(`${prefix}${key}`), `${what}: ${prefix}${key}, which docs/cli.md lists, is missing`);
      }
    }
  };
  visit(value, '');
  return seen;
}

/** Every documented path was seen in at least one real output: no field is documented that the CLI never prints. */
function assertAllSeen(shape: Shape, seen: Set<string>, what: string): void {
  const unseen = [...shape.kinds.keys()].filter((p) => !seen.has(p));
  assert.deepEqual(unseen, [], `${what}: documented in docs/cli.md but never printed`);
}

// ---- running the CLI -----------------------------------------------------

let scratch: { dir: string; remove: () => void };
const leftovers: number[] = [];

function env(): NodeJS.ProcessEnv {
  return { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs') };
}

function vortex(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: scratch.dir, encoding: 'utf8', env: env(), timeout: 30_000, killSignal: 'SIGKILL' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function dagFile(name: string, body: string): string {
  const header = ['from vortex import DAG', 'from vortex.operators.bash import BashOperator', ''];
  writeFileSync(path.join(scratch.dir, name), `${header.join('\n')}${body.trim()}\n`);
  return name;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The pids of the task process groups a run of `dagId` has recorded so far, once there are `count`. */
function recordedGroups(dagId: string, count: number): number[] | undefined {
  const dagDir = path.join(scratch.dir, 'runs', dagId);
  const [runDir] = existsSync(dagDir) ? readdirSync(dagDir) : [];
  const file = runDir ? path.join(dagDir, runDir, GROUPS_FILE) : '';
  const text = file && existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const pids = text ? text.split('\n').map((l) => (JSON.parse(l) as { pid: number }).pid) : [];
  return pids.length === count ? pids : undefined;
}

/** Starts `vortex run FILE --json` in the background, leading a process group of its own (with the spawner it starts). */
function startRun(file: string) {
  const child = spawn(process.execPath, [CLI, 'run', file, '--json'], { cwd: scratch.dir, env: env(), detached: true });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited };
}

describe('docs/cli.md against the built CLI', function () {
  this.timeout(90_000);

  before(async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    await loadPython();
  });
  beforeEach(() => {
    scratch = scratchDir();
  });
  afterEach(() => {
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Stopped already, as it should be.
      }
    }
    scratch.remove();
  });

  it('the usage block is what `vortex --help` prints, and what a missing command prints on stderr', () => {
    const [usage] = fencedBlocks(DOC, '');
    assert.ok(usage?.startsWith('Usage:\n'), 'docs/cli.md opens with the usage block');
    const help = vortex(['--help']);
    assert.equal(help.status, 0);
    assert.equal(help.stdout, usage);
    const none = vortex([]);
    assert.equal(none.status, 2);
    assert.equal(none.stderr, `vortex: no command given\n${usage}`);
  });

  it('each exit status is the one the table documents for its case', async () => {
    const table = tableRows(section('Exit status'));
    /** The status of the row whose "when" holds `phrase` (it must be in exactly one row). */
    const documented = (phrase: string): number => {
      const rows = table.filter(([, when]) => when.includes(phrase));
      assert.equal(rows.length, 1, `one row of the exit status table says "${phrase}"`);
      return Number(rows[0][0]);
    };
    const failing = dagFile('failing.py', `
with DAG(dag_id="failing") as dag:
    BashOperator(task_id="boom", bash_command="exit 3") >> BashOperator(task_id="after", bash_command="echo after")
`);
    const sleeping = dagFile('sleeping.py', `
with DAG(dag_id="sleeping") as dag:
    BashOperator(task_id="nap", bash_command="sleep 100")
`);
    const cases: Array<[string, string[]]> = [
      ['`inspect` found no error-severity diagnostic', ['inspect', SEED]],
      ['`graph` printed the graph', ['graph', SEED]],
      ['the `run` succeeded', ['run', SEED]],
      ['a file has error-severity diagnostics', ['inspect', path.join(REPO, 'test/fixtures/vx103_invalid_schedule.py')]],
      ['`run`: the run failed', ['run', failing]],
      ['the file has errors, so nothing ran', ['run', path.join(REPO, 'test/fixtures/vx103_invalid_schedule.py')]],
      ['an unknown command or option', ['frobnicate']],
      ['an unknown command or option', ['inspect', '--frobnicate', SEED]],
      ['a bad value', ['run', SEED, '--parallelism', '0']],
      ['no FILE', ['inspect']],
      ['a DAG or task id the file does not define', ['run', SEED, '--task', 'no_such_task']],
      ['a file that cannot be read', ['inspect', 'no/such/dag.py']],
      ['a file that cannot be read', ['run', 'no/such/dag.py']],
    ];
    for (const [phrase, args] of cases) {
      const r = vortex(args);
      assert.equal(r.status, documented(phrase), `vortex ${args.join(' ')} (${phrase}): ${r.stderr}`);
    }
    const run = startRun(sleeping);
    leftovers.push(...(await until('the task to start', () => recordedGroups('sleeping', 1))));
    run.child.kill('SIGINT');
    assert.equal(await run.exited, documented('SIGINT'));
  });

  it('inspect --json prints exactly the documented fields, with their types', () => {
    const shape = documentedShape('`inspect --json`');
    holdToShape(documentedExample('`inspect --json`'), shape, 'the example');
    // A DAG with tags, tasks, edges; a file with diagnostics; a DAG whose id is not a literal.
    const r = vortex(['inspect', '--json', SEED, path.join(REPO, 'test/fixtures/vx201_duplicate_task_id.py'), path.join(REPO, 'test/fixtures/vx101_missing_dag_id.py')]);
    assert.equal(r.status, 1, r.stderr);
    const seen = holdToShape(JSON.parse(r.stdout), shape, 'inspect --json');
    // No DAG file yields TaskGroups or labels yet: the CLI's own formatter shows those fields on a model that has them.
    const structured = { files: [{ path: 'seed_example.py', dags: inspectDags(structuredSeed()), diagnostics: [] }] };
    for (const p of holdToShape(JSON.parse(JSON.stringify(structured)), shape, 'inspect --json of a model with groups')) seen.add(p);
    assertAllSeen(shape, seen, 'inspect --json');
  });

  it('inspect --runtime --json prints the same shape', () => {
    const shape = documentedShape('`inspect --json`');
    const r = vortex(['inspect', '--runtime', '--json', SEED, path.join(REPO, 'examples/dynamic_regions.py')]);
    assert.equal(r.status, 0, r.stderr);
    const seen = holdToShape(JSON.parse(r.stdout), shape, 'inspect --runtime --json');
    assert.ok(seen.has('files[].dags[].tasks[].task_id'));
  });

  it('graph --format json prints exactly the documented fields, with their types', () => {
    const shape = documentedShape('`graph --format json`');
    holdToShape(documentedExample('`graph --format json`'), shape, 'the example');
    const seen = new Set<string>();
    for (const file of [SEED, path.join(REPO, 'test/fixtures/vx101_missing_dag_id.py')]) {
      const r = vortex(['graph', '--format', 'json', file]);
      assert.equal(r.status, 0, r.stderr);
      for (const p of holdToShape(JSON.parse(r.stdout), shape, `graph --format json ${path.basename(file)}`)) seen.add(p);
    }
    const analysis = structuredSeed();
    for (const p of holdToShape(JSON.parse(renderGraph(analysis, analysis.dags, 'json')), shape, 'graph --format json of a model with groups')) seen.add(p);
    assertAllSeen(shape, seen, 'graph --format json');
  });

  it('run --json prints exactly the documented fields, with their types, interrupted runs included', async () => {
    const shape = documentedShape('`run --json`');
    holdToShape(documentedExample('`run --json`'), shape, 'the example');
    const seen = new Set<string>();
    const collect = (args: string[], status: number) => {
      const r = vortex(args);
      assert.equal(r.status, status, r.stderr);
      for (const p of holdToShape(JSON.parse(r.stdout), shape, `vortex ${args.join(' ')}`)) seen.add(p);
    };
    collect(['run', '--json', SEED], 0);
    const failing = dagFile('failing.py', `
with DAG(dag_id="failing") as dag:
    BashOperator(task_id="boom", bash_command="echo out; echo err >&2; exit 3") >> BashOperator(task_id="after", bash_command="echo after")
`);
    collect(['run', '--json', failing], 1);

    // A run whose CLI and spawner are killed together leaves its group running: the next run stops it and reports it.
    const crash = dagFile('crash.py', `
with DAG(dag_id="crash") as dag:
    BashOperator(task_id="nap", bash_command="sleep 100")
`);
    const killed = startRun(crash);
    const groups = await until('the task to start', () => recordedGroups('crash', 1));
    leftovers.push(...groups);
    process.kill(-(killed.child.pid as number), 'SIGKILL');
    await killed.exited;
    collect(['run', '--json', SEED], 0);
    for (const pid of groups) assert.equal(processRuns(pid), false, `group ${pid} survived`);
    assertAllSeen(shape, seen, 'run --json');
  });
});
