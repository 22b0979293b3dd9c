/**
 * Each feature class of the language server, driven directly over a real
 * DocumentStore (real parser) on the fixture files in test/fixtures/features,
 * whose marker comments say what a user must see at each marked position
 * (syntax: test/fixtures/README.md). One test per marker; the outline, the
 * lenses and the workspace symbols are also checked whole, so an answer at a
 * position no marker names fails too.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SymbolKind } from 'vscode-languageserver/node';
import type { CodeLens, CompletionItem, DocumentSymbol, MarkupContent, Position, Range, TextEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyse } from '../../../core/analysis/analyse';
import { createPythonParser, loadPython } from '../../../core/analysis/parser';
import type { Parser } from '../../../core/analysis/parser';
import { Analyses } from '../../../server/src/analyses';
import { Commands } from '../../../core/commands';
import { DocumentStore } from '../../../server/src/documents';
import { CodeActionFeature } from '../../../server/src/features/codeActions';
import { CodeLensFeature, TaskCountLens } from '../../../server/src/features/codeLens';
import { CompletionFeature } from '../../../server/src/features/completion';
import { DiagnosticsFeature } from '../../../server/src/features/diagnostics';
import { ShowGraphLens } from '../../../server/src/features/graphCodeLens';
import { HoverFeature } from '../../../server/src/features/hover';
import { NavigationFeature } from '../../../server/src/features/navigation';
import { RunLenses } from '../../../server/src/features/runCodeLens';
import { DocumentSymbolFeature, WorkspaceSymbolFeature } from '../../../server/src/features/symbols';
import { contains } from '../../../server/src/features/util';
import type { Logger } from '../../../server/src/features/util';
import { DEFAULT_SETTINGS } from '../../../core/settings';
import { WorkspaceIndex } from '../../../server/src/workspaceIndex';
import { FEATURE_FIXTURES_DIR, MARKER_KINDS, arrow, items, loadFeatureFixtures } from '../../support/markers';
import type { FeatureFixture, Marker } from '../../support/markers';

/** Hovers are asked at this instant, in this time zone, so next runs are fixed (README of the fixtures). */
const NOW = new Date('2025-01-01T00:00:00Z');
const TIME_ZONE = 'Asia/Kolkata';
const WORKSPACE_FOLDER = path.join(FEATURE_FIXTURES_DIR, 'workspace');

const fixtures = loadFeatureFixtures();

const SYMBOL_KIND_NAMES = new Map<number, string>(Object.entries(SymbolKind).map(([name, value]) => [value, name]));
/** The command each lens title must run: the ids come from the shared map the client registers. */
const LENS_COMMANDS = new Map<string, string>([
  ['▶ Run DAG', Commands.runDag],
  ['▶ Run task', Commands.runTask],
  ['Debug task', Commands.debugTask],
  ['Run in terminal', Commands.runTaskInTerminal],
  ['Show graph', Commands.showGraph],
]);

function positionOf(marker: Marker): Position {
  return { line: marker.line, character: marker.character };
}

/** The range a marker's carets cover; only multi-caret markers (`^^^`) have one. */
function spanOf(marker: Marker): Range | undefined {
  return marker.end === undefined ? undefined : { start: positionOf(marker), end: { line: marker.line, character: marker.end } };
}

function describeMarker(marker: Marker): string {
  return `${marker.where} (${marker.line + 1}:${marker.character + 1})`;
}

function show(range: Range): string {
  return `${range.start.line + 1}:${range.start.character + 1}-${range.end.line + 1}:${range.end.character + 1}`;
}

/** A label's place: its span when it has one, else just where it starts. */
function assertAtLabel(range: Range, label: Marker, what: string): void {
  const span = spanOf(label);
  if (span) assert.deepEqual(range, span, `${what}: expected ${show(span)} (@${label.expectation}), got ${show(range)}`);
  else assert.deepEqual(range.start, positionOf(label), `${what}: expected to start at ${label.line + 1}:${label.character + 1} (@${label.expectation}), got ${show(range)}`);
}

/** The line `line` of `text` after applying `edits`, trimmed: what a user reads once the edit is made. */
function lineAfter(uri: string, text: string, edits: TextEdit[], line: number): { text: string; line: string } {
  const after = TextDocument.applyEdits(TextDocument.create(uri, 'python', 0, text), edits);
  return { text: after, line: after.split('\n')[line].trim() };
}

/** A completion item applied the way VS Code does: its textEdit, else its insertText over the word typed so far. */
function applyCompletion(text: string, uri: string, item: CompletionItem, position: Position): TextEdit {
  if (item.textEdit && 'range' in item.textEdit) return item.textEdit;
  const document = TextDocument.create(uri, 'python', 0, text);
  const before = document.getText({ start: { line: position.line, character: 0 }, end: position });
  const word = /\w*$/.exec(before)?.[0] ?? '';
  return { range: { start: { line: position.line, character: position.character - word.length }, end: position }, newText: item.insertText ?? item.label };
}

interface FlatSymbol {
  path: string;
  kind: string;
  detail: string;
  selectionRange: Range;
}

function flatten(symbols: DocumentSymbol[], parent?: DocumentSymbol, prefix = ''): FlatSymbol[] {
  return symbols.flatMap((s) => {
    assert.ok(contains(s.range, s.selectionRange.start) && contains(s.range, s.selectionRange.end), `${s.name}: its selectionRange ${show(s.selectionRange)} is outside its range ${show(s.range)}`);
    if (parent) {
      // VS Code finds the symbol under the cursor (outline, breadcrumbs) by descending through ranges that contain it.
      assert.ok(contains(parent.range, s.range.start) && contains(parent.range, s.range.end), `${prefix}${s.name}: its range ${show(s.range)} is outside its parent's ${show(parent.range)}`);
    }
    const path = `${prefix}${s.name}`;
    return [{ path, kind: SYMBOL_KIND_NAMES.get(s.kind) ?? String(s.kind), detail: s.detail ?? '', selectionRange: s.selectionRange }, ...flatten(s.children ?? [], s, `${path} > `)];
  });
}

/** `fixture_orders > extract (Function) BashOperator` → its parts. */
function parseSymbol(expectation: string, where: string): { path: string; kind: string; detail: string } {
  const match = /^(.+?) \((\w+)\)(?: (.*))?$/.exec(expectation);
  assert.ok(match, `${where}: a symbol marker reads "path (Kind) detail"`);
  return { path: match[1], kind: match[2], detail: match[3] ?? '' };
}

/** `"▶ Run task" (fixture_lenses, extract), "Show graph" (0)` → titles with the command arguments after the uri. */
function parseLenses(expectation: string): { title: string; args: string[] }[] {
  return [...expectation.matchAll(/"((?:[^"\\]|\\.)*)"(?:\s*\(([^)]*)\))?/g)].map((m) => ({
    title: m[1],
    args: m[2] === undefined ? [] : m[2].split(',').map((a) => a.trim()),
  }));
}

function describeLens(lens: CodeLens, uri: string): { title: string; args: string[] } {
  const [first, ...rest] = lens.command?.arguments ?? [];
  if (first !== undefined) assert.equal(first, uri, `the lens "${lens.command?.title}" names another document`);
  return { title: lens.command?.title ?? '', args: rest.map(String) };
}

describe('features on fixtures: what each feature class answers at the marked positions', () => {
  let parser: Parser;
  let store: DocumentStore;
  let analyses: Analyses;
  let index: WorkspaceIndex;
  const errors: string[] = [];
  const logger: Logger = { error: (m) => errors.push(m), log: () => undefined };
  let savedTimeZone: string | undefined;

  let hover: HoverFeature;
  let symbols: DocumentSymbolFeature;
  let workspaceSymbols: WorkspaceSymbolFeature;
  let completion: CompletionFeature;
  let codeActions: CodeActionFeature;
  let navigation: NavigationFeature;
  let diagnostics: DiagnosticsFeature;
  const lenses = new Map<boolean, CodeLensFeature>();

  before(async () => {
    savedTimeZone = process.env.TZ;
    process.env.TZ = TIME_ZONE;
    await loadPython();
    parser = await createPythonParser();
    store = new DocumentStore(parser);
    analyses = new Analyses(store, async () => DEFAULT_SETTINGS);
    index = new WorkspaceIndex();
    hover = new HoverFeature(analyses, logger, () => NOW);
    symbols = new DocumentSymbolFeature(analyses, logger);
    workspaceSymbols = new WorkspaceSymbolFeature(index, logger);
    completion = new CompletionFeature(analyses, logger);
    codeActions = new CodeActionFeature(analyses, logger);
    navigation = new NavigationFeature(analyses, logger);
    diagnostics = new DiagnosticsFeature(analyses, index, () => undefined, logger);
    // The providers in the order the server lists them.
    for (const trusted of [false, true]) lenses.set(trusted, new CodeLensFeature(analyses, [new TaskCountLens(), new RunLenses(() => trusted), new ShowGraphLens()], logger));
    for (const fixture of fixtures) store.open(fixture.uri, 'python', 1, fixture.text);
    await index.scan([pathToFileURL(WORKSPACE_FOLDER).href], () => false);
  });

  after(() => {
    if (savedTimeZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedTimeZone;
    store.dispose();
    parser.delete();
    assert.deepEqual(errors, []);
  });

  it('has fixtures with markers of every kind', () => {
    const kinds = new Set(fixtures.flatMap((f) => f.markers.map((m) => m.kind)));
    for (const kind of MARKER_KINDS) assert.ok(kinds.has(kind), `no ${kind} marker`);
    for (const fixture of fixtures) assert.ok(fixture.markers.length > 0, `${fixture.name} has no markers`);
  });

  const checks: Record<Exclude<Marker['kind'], 'label'>, ((fixture: FeatureFixture, marker: Marker) => Promise<void>) | undefined> = {
    async hover({ uri }, marker) {
      const answer = await hover.provideHover({ textDocument: { uri }, position: positionOf(marker) });
      const where = describeMarker(marker);
      if (marker.expectation === 'none') {
        assert.equal(answer, null, `${where}: expected no hover, got:\n${(answer?.contents as MarkupContent | undefined)?.value}`);
        return;
      }
      assert.ok(answer, `${where}: no hover`);
      const value = (answer.contents as MarkupContent).value;
      for (const expected of items(marker.expectation)) assert.ok(value.includes(expected), `${where}: the hover lacks ${JSON.stringify(expected)}:\n${value}`);
      const span = spanOf(marker);
      if (span) assert.deepEqual(answer.range, span, `${where}: the hover covers ${answer.range ? show(answer.range) : 'nothing'}, not the marked ${show(span)}`);
    },

    async completion({ uri, text }, marker) {
      const position = positionOf(marker);
      const answer = await completion.provideCompletion({ textDocument: { uri }, position });
      const labels = answer.map((i) => i.label);
      const where = describeMarker(marker);
      for (const item of answer) {
        if (item.label.endsWith('=')) assert.ok((item.documentation as MarkupContent | undefined)?.value, `${where}: ${item.label} has no documentation`);
      }
      const { left, right } = arrow(marker.expectation);
      if (right !== undefined) {
        const [label] = items(left);
        const item = answer.find((i) => i.label === label);
        assert.ok(item, `${where}: no item ${label} in ${labels.join(', ')}`);
        const after = lineAfter(uri, text, [applyCompletion(text, uri, item, position)], marker.line);
        assert.equal(after.line, right, `${where}: after picking ${label}`);
        return;
      }
      const [verb, ...expected] = items(left);
      switch (verb) {
        case 'none':
          assert.deepEqual(labels, [], `${where}: expected no completion`);
          break;
        case 'exactly':
          assert.deepEqual([...labels].sort(), [...expected].sort(), `${where}: the items`);
          break;
        case 'includes':
          for (const label of expected) assert.ok(labels.includes(label), `${where}: no ${label} in ${labels.join(', ')}`);
          break;
        case 'excludes':
          for (const label of expected) assert.ok(!labels.includes(label), `${where}: ${label} is offered`);
          break;
        default:
          assert.fail(`${where}: a completion marker says none, exactly, includes, excludes, or "label" → line`);
      }
    },

    async definition({ uri }, marker) {
      const answer = await navigation.provideDefinition({ textDocument: { uri }, position: positionOf(marker) });
      const where = describeMarker(marker);
      if (marker.expectation === 'none') {
        assert.equal(answer, null, `${where}: expected no definition, got ${answer ? show(answer.range) : ''}`);
        return;
      }
      assert.ok(answer, `${where}: no definition`);
      assert.equal(answer.uri, uri);
      const label = marker.expectation.replace(/^@/, '');
      assertAtLabel(answer.range, fixtureOf(marker).labels.get(label)!, where);
    },

    async references({ uri }, marker) {
      const answer = await navigation.provideReferences({ textDocument: { uri }, position: positionOf(marker), context: { includeDeclaration: true } });
      const where = describeMarker(marker);
      if (marker.expectation === 'none') {
        assert.ok(answer === null || answer.length === 0, `${where}: expected no references, got ${answer?.map((l) => show(l.range)).join(', ')}`);
        return;
      }
      assert.ok(answer, `${where}: no references`);
      const expected = items(marker.expectation).map((l) => fixtureOf(marker).labels.get(l.replace(/^@/, ''))!);
      assert.equal(answer.length, expected.length, `${where}: expected ${expected.length} references, got ${answer.map((l) => show(l.range)).join(', ')}`);
      answer.forEach((location, i) => {
        assert.equal(location.uri, uri);
        assertAtLabel(location.range, expected[i], `${where}, reference ${i + 1}`);
      });
    },

    async codeAction({ uri, text }, marker) {
      const position = positionOf(marker);
      const analysis = await analyses.analysis(uri);
      // What VS Code sends for the cursor: the diagnostics under it, as JSON.
      const under = analysis ? diagnostics.diagnosticsOf(uri, analysis).filter((d) => contains(d.range, position)) : [];
      const answer = codeActions.provideCodeActions({ textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: JSON.parse(JSON.stringify(under)) } });
      const where = describeMarker(marker);
      if (marker.expectation === 'none') {
        assert.deepEqual(answer.map((a) => a.title), [], `${where}: expected no code action`);
        return;
      }
      const { left, right } = arrow(marker.expectation);
      const [title] = items(left);
      const action = answer.find((a) => a.title === title);
      assert.ok(action, `${where}: no action "${title}" in ${JSON.stringify(answer.map((a) => a.title))}`);
      assert.equal(action.kind, 'quickfix');
      assert.equal(right !== undefined, true, `${where}: a code action marker says "title" → the line after the edit`);
      const edits = action.edit?.changes?.[uri] ?? [];
      assert.equal(edits.length, 1, `${where}: one edit`);
      const after = lineAfter(uri, text, edits, edits[0].range.start.line);
      assert.equal(after.line, right, `${where}: the line after "${title}"`);
      // The fix mends what it was offered for (the diagnostic is gone from the marked line, which no fix moves), and the file still parses.
      const codes = action.diagnostics?.map((d) => d.code) ?? [];
      const reanalysed = analyse(after.text).diagnostics;
      const remaining = reanalysed.filter((d) => codes.includes(d.code) && d.range.start.line === marker.line);
      assert.deepEqual(remaining.map((d) => `${d.code} ${d.message}`), [], `${where}: still reported after "${title}"`);
      assert.deepEqual(reanalysed.filter((d) => d.code === 'VX001').map((d) => d.message), [], `${where}: "${title}" leaves a syntax error`);
    },

    // Checked whole, per file, below.
    symbol: undefined,
    workspaceSymbol: undefined,
    lens: undefined,
  };

  function fixtureOf(marker: Marker): FeatureFixture {
    return fixtures.find((f) => f.markers.includes(marker))!;
  }

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      for (const marker of fixture.markers) {
        if (marker.kind === 'label') continue;
        const check = checks[marker.kind];
        if (!check) continue;
        it(`${marker.line + 1}:${marker.character + 1} ${marker.kind}: ${marker.expectation}`, () => check(fixture, marker));
      }

      const symbolMarkers = fixture.markers.filter((m) => m.kind === 'symbol');
      if (symbolMarkers.length > 0) {
        it('outline: exactly the marked symbols, each selecting the marked span, children within their parent', async () => {
          const answer = flatten(await symbols.provideDocumentSymbols({ textDocument: { uri: fixture.uri } }));
          const expected = symbolMarkers.filter((m) => m.expectation !== 'none').map((m) => {
            const span = spanOf(m);
            assert.ok(span, `${m.where}: a symbol marker spans its name with carets (^^^)`);
            return { ...parseSymbol(m.expectation, m.where), selectionRange: span };
          });
          const byPlace = (a: FlatSymbol, b: FlatSymbol) => a.selectionRange.start.line - b.selectionRange.start.line || a.selectionRange.start.character - b.selectionRange.start.character;
          assert.deepEqual(answer.sort(byPlace), expected.sort(byPlace));
        });
      }

      for (const trusted of [false, true]) {
        const lensMarkers = fixture.markers.filter((m) => m.kind === 'lens' && (m.qualifier === 'trusted') === trusted);
        if (lensMarkers.length === 0) continue;
        it(`lenses${trusted ? ' in a trusted workspace' : ''}: exactly the marked ones, on the marked spans`, async () => {
          const answer = await lenses.get(trusted)!.provideCodeLenses({ textDocument: { uri: fixture.uri } });
          for (const lens of answer) {
            const title = lens.command?.title ?? '';
            assert.equal(lens.command?.command, LENS_COMMANDS.get(title) ?? '', `the command of "${title}"`);
          }
          const unclaimed = new Set(answer);
          for (const marker of lensMarkers) {
            const where = describeMarker(marker);
            const here = answer.filter((l) => l.range.start.line === marker.line);
            here.forEach((l) => unclaimed.delete(l));
            if (marker.expectation === 'none') {
              assert.deepEqual(here.map((l) => l.command?.title), [], `${where}: expected no lens on this line`);
              continue;
            }
            const span = spanOf(marker);
            assert.ok(span, `${where}: a lens marker spans the lens's range with carets (^^^)`);
            for (const lens of here) assert.deepEqual(lens.range, span, `${where}: "${lens.command?.title}" covers ${show(lens.range)}`);
            assert.deepEqual(here.map((l) => describeLens(l, fixture.uri)), parseLenses(marker.expectation), `${where}: the lenses, in order`);
          }
          assert.deepEqual([...unclaimed].map((l) => `${show(l.range)} ${l.command?.title}`), [], 'lenses where no marker expects them');
        });
      }
    });
  }

  describe('workspace symbols of the scanned folder features/workspace', () => {
    const workspace = fixtures.filter((f) => f.name.startsWith('workspace/'));
    const marked = workspace.flatMap((f) => f.markers.filter((m) => m.kind === 'workspaceSymbol').map((m) => ({ fixture: f, marker: m })));

    function parseWorkspaceSymbol(marker: Marker): { name: string; kind: string; container: string; queries: string[] } {
      const match = /^(\S+) \((\w+)\) in (\S+)(?:, found by (.*))?$/.exec(marker.expectation);
      assert.ok(match, `${marker.where}: a workspaceSymbol marker reads "name (Kind) in container[, found by "query", …]"`);
      return { name: match[1], kind: match[2], container: match[3], queries: match[4] ? items(match[4]) : [] };
    }

    it('the empty query finds exactly the marked DAGs and tasks, at the marked spans', () => {
      const answer = workspaceSymbols.provideWorkspaceSymbols({ query: '' }).map((s) => {
        assert.ok('range' in s.location);
        return `${s.name} (${SYMBOL_KIND_NAMES.get(s.kind)}) in ${s.containerName} @ ${path.basename(s.location.uri)} ${show(s.location.range)}`;
      });
      const expected = marked.map(({ fixture, marker }) => {
        const { name, kind, container } = parseWorkspaceSymbol(marker);
        const span = spanOf(marker);
        assert.ok(span, `${marker.where}: a workspaceSymbol marker spans the symbol with carets (^^^)`);
        return `${name} (${kind}) in ${container} @ ${path.basename(fixture.file)} ${show(span)}`;
      });
      assert.deepEqual(answer.sort(), expected.sort());
    });

    for (const { fixture, marker } of marked) {
      const { name, queries } = parseWorkspaceSymbol(marker);
      if (queries.length === 0) continue;
      it(`${fixture.name} ${marker.line + 1}:${marker.character + 1} ${name} is found by ${queries.join(', ')}`, () => {
        for (const query of queries) {
          const answer = workspaceSymbols.provideWorkspaceSymbols({ query });
          assert.ok(answer.some((s) => s.name === name && s.location.uri === fixture.uri), `"${query}" does not find ${name}: ${answer.map((s) => s.name).join(', ')}`);
        }
      });
    }

    it('a query no name matches finds nothing', () => {
      assert.deepEqual(workspaceSymbols.provideWorkspaceSymbols({ query: 'zzqx' }), []);
    });
  });
});
