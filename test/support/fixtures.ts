/** Reading the fixtures' own expectations: `# expect: VXnnn` comments and golden JSON. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(__dirname, '../fixtures');

export interface Fixture {
  name: string;
  file: string;
  text: string;
  /** Expected codes per 1-based line, sorted. */
  expected: Map<number, string[]>;
  golden: unknown;
}

export function expectationsOf(text: string): Map<number, string[]> {
  const expected = new Map<number, string[]>();
  // Lines as Python and the editor count them: a fixture may end its lines with \r\n or \r alone.
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => {
    const next = /#\s*expect-next-line:\s*([A-Z0-9, ]+)/.exec(line);
    const same = /#\s*expect:\s*([A-Z0-9, ]+)/.exec(line);
    const match = next ?? same;
    if (!match) return;
    const target = next ? i + 2 : i + 1;
    const codes = match[1].split(',').map((c) => c.trim()).filter(Boolean);
    expected.set(target, [...(expected.get(target) ?? []), ...codes].sort());
  });
  return expected;
}

interface Golden {
  dags: Array<{ tasks: Array<Record<string, unknown>>; edges: Array<Record<string, unknown>>; groups?: unknown[] }>;
}

/**
 * A golden file writes TaskGroups, edge labels and task marks only where a
 * fixture has them: every key it leaves out holds its default (no group, no
 * label, no mark, Airflow's default trigger rule), as `inspect --json` prints it.
 */
function withStructureDefaults(golden: Golden): Golden {
  return {
    ...golden,
    dags: golden.dags.map((dag) => ({
      ...dag,
      tasks: dag.tasks.map((t) => ({ group_id: null, decorated: false, mapped: false, branch: false, trigger_rule: null, ...t })),
      edges: dag.edges.map((e) => ({ label: null, ...e })),
      groups: dag.groups ?? [],
    })),
  };
}

export function loadFixtures(dir = process.env.VORTEX_FIXTURES_DIR ?? FIXTURES_DIR): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const text = readFileSync(file, 'utf8');
      const goldenFile = file.replace(/\.py$/, '.expected.json');
      return {
        name: f,
        file,
        text,
        expected: expectationsOf(text),
        golden: existsSync(goldenFile) ? withStructureDefaults(JSON.parse(readFileSync(goldenFile, 'utf8')) as Golden) : undefined,
      };
    });
}
