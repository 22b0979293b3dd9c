/**
 * Reading the feature fixtures' markers (test/fixtures/README.md describes the
 * syntax): a comment line whose caret points at a column of the code line
 * above and says what a feature must answer there, for example
 *
 *     start = DummyOperator(task_id="start")
 *     #       ^^^^^^^^^^^^^ hover: "**DummyOperator**"
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const FEATURE_FIXTURES_DIR = path.resolve(__dirname, '../fixtures/features');

export const MARKER_KINDS = ['hover', 'completion', 'definition', 'references', 'symbol', 'workspaceSymbol', 'codeAction', 'lens'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export interface Marker {
  /** `hover`, `completion`, …, or `label` for `@name` markers. */
  kind: MarkerKind | 'label';
  /** The word in parentheses after the kind: `lens (trusted): …`. */
  qualifier?: string;
  /** What follows `kind:` (or the label's name, without `@`). */
  expectation: string;
  /** The marked position: 0-based line of the code line above, column of the (first) caret. */
  line: number;
  character: number;
  /** With several carets (`^^^^`), the exclusive end column of the span they cover. */
  end?: number;
  /** `features/hover.py:17`: where the marker itself is written, for messages. */
  where: string;
}

export interface FeatureFixture {
  /** Path below test/fixtures/features, with `/`. */
  name: string;
  file: string;
  uri: string;
  text: string;
  markers: Marker[];
  /** Label name → the marker that defines it. */
  labels: Map<string, Marker>;
}

const MARKER_LINE = /^(\s*)#\s*(\^+|<-)(.*)$/;
const BODY = /^\s+(?:@([\w-]+)|(\w+)(?:\s+\((\w+)\))?:\s*(.*?))\s*$/;

/** Whether a line is a marker line (so that markers can stack under one code line). */
export function isMarkerLine(line: string): boolean {
  return MARKER_LINE.test(line);
}

/** Parses the markers of one fixture's text; a malformed marker throws, so a typo cannot pass silently. */
export function parseMarkers(text: string, name = 'fixture'): { markers: Marker[]; labels: Map<string, Marker> } {
  const lines = text.split('\n');
  const markers: Marker[] = [];
  const labels = new Map<string, Marker>();
  lines.forEach((lineText, index) => {
    const match = MARKER_LINE.exec(lineText);
    if (!match) return;
    const where = `${name}:${index + 1}`;
    const [, indent, caret, rest] = match;
    const body = BODY.exec(rest);
    if (!body) throw new Error(`${where}: a marker reads "# ^ kind: expectation" or "# ^ @label", not "${lineText.trim()}"`);
    let target = index - 1;
    while (target >= 0 && isMarkerLine(lines[target])) target--;
    if (target < 0) throw new Error(`${where}: a marker needs a code line above it`);
    const character = caret === '<-' ? indent.length : lineText.indexOf('^');
    if (character > lines[target].length) throw new Error(`${where}: the caret is past the end of line ${target + 1}`);
    const end = caret.length > 1 && caret !== '<-' ? character + caret.length : undefined;
    const [, label, kind, qualifier, expectation] = body;
    if (label !== undefined) {
      if (labels.has(label)) throw new Error(`${where}: the label @${label} is defined twice`);
      const marker: Marker = { kind: 'label', expectation: label, line: target, character, end, where };
      labels.set(label, marker);
      markers.push(marker);
      return;
    }
    if (!(MARKER_KINDS as readonly string[]).includes(kind)) throw new Error(`${where}: unknown marker kind "${kind}" (known: ${MARKER_KINDS.join(', ')})`);
    markers.push({ kind: kind as MarkerKind, qualifier, expectation, line: target, character, end, where });
  });
  // Labels name places in definition and references answers (`@daily` in a completion list is a preset, not a label).
  for (const marker of markers) {
    if (marker.kind !== 'definition' && marker.kind !== 'references') continue;
    for (const ref of marker.expectation.matchAll(/@([\w-]+)/g)) {
      if (!labels.has(ref[1])) throw new Error(`${marker.where}: no label @${ref[1]} in this file`);
    }
  }
  return { markers, labels };
}

/** Every `.py` file below test/fixtures/features, with its markers. */
export function loadFeatureFixtures(dir = FEATURE_FIXTURES_DIR): FeatureFixture[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const full = path.join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.py')) files.push(full);
    }
  };
  walk(dir);
  return files.map((file) => {
    const name = path.relative(dir, file).split(path.sep).join('/');
    const text = readFileSync(file, 'utf8');
    return { name, file, uri: pathToFileURL(file).href, text, ...parseMarkers(text, `features/${name}`) };
  });
}

/**
 * The items of an expectation list: `"quoted strings"` (with `\"` and `\n`
 * escapes) or bare words, separated by commas or spaces.
 */
export function items(list: string): string[] {
  const found: string[] = [];
  for (const m of list.matchAll(/"((?:[^"\\]|\\.)*)"|([^\s,]+)/g)) {
    found.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : m[2]);
  }
  return found;
}

/** Splits `left → right` (the text a line must read after an edit); `right` is undefined without an arrow. */
export function arrow(expectation: string): { left: string; right: string | undefined } {
  const at = expectation.indexOf('→');
  if (at < 0) return { left: expectation.trim(), right: undefined };
  return { left: expectation.slice(0, at).trim(), right: expectation.slice(at + 1).trim() };
}
