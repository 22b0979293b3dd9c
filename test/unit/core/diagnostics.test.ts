import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { DIAGNOSTIC_CODES, DIAGNOSTICS, docsAnchor } from '../../../core/diagnostics';
import { loadFixtures } from '../../support/fixtures';

const root = path.resolve(__dirname, '../../..');
const docs = readFileSync(path.join(root, 'docs/diagnostics.md'), 'utf8');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/**
 * The anchor GitHub gives a markdown heading: lower-cased, with everything but
 * letters, digits, spaces, `-` and `_` removed and each space made a `-`.
 */
function githubSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
}

/** The rows of the first table after `marker`, each split into its cells. */
function tableAfter(text: string, marker: string): string[][] {
  const from = text.indexOf(marker);
  assert.ok(from >= 0, `no "${marker}"`);
  const lines = text.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

describe('diagnostics: one registry of codes, which the docs and the README follow', () => {
  const sections = [...docs.matchAll(/^## (.*)\n\n(.*)$/gm)].map((m) => ({ heading: m[1], opening: m[2] }));

  it('docs/diagnostics.md has one section per code, in the registry\'s order, and no other', () => {
    assert.deepEqual([...docs.matchAll(/^## (.*)$/gm)].map((m) => m[1]), DIAGNOSTIC_CODES);
  });

  for (const code of DIAGNOSTIC_CODES) {
    it(`${code}: its section opens with the registry's title and severity, at the registry's anchor`, () => {
      const section = sections.find((s) => s.heading === code);
      assert.ok(section, `docs/diagnostics.md has no "## ${code}"`);
      const { title, severity } = DIAGNOSTICS[code];
      assert.equal(section.opening, `**${title}.** Severity: **${severity}**.`);
      assert.equal(githubSlug(section.heading), docsAnchor(code));
    });
  }

  it('the summary table of docs/diagnostics.md lists every code with its severity and a link to its section', () => {
    const rows = tableAfter(docs, '| code | severity |');
    assert.deepEqual(
      rows.map(([code, severity]) => [code, severity]),
      DIAGNOSTIC_CODES.map((code) => [`[${code}](#${docsAnchor(code)})`, DIAGNOSTICS[code].severity]),
    );
  });

  it('the README\'s diagnostics table lists every code with its severity, in order', () => {
    const rows = tableAfter(readme, '\n## Diagnostics\n');
    assert.deepEqual(
      rows.map(([code, severity]) => [code, severity]),
      DIAGNOSTIC_CODES.map((code) => [code, DIAGNOSTICS[code].severity]),
    );
  });

  it('the analyser gives each diagnostic of the fixtures its code\'s severity', async () => {
    await loadPython();
    let seen = 0;
    for (const fixture of loadFixtures()) {
      for (const d of analyse(fixture.text).diagnostics) {
        assert.equal(d.severity, DIAGNOSTICS[d.code].severity, `${fixture.name}: ${d.code} ${d.message}`);
        seen++;
      }
    }
    assert.ok(seen > 0, 'the fixtures report diagnostics');
  });
});
