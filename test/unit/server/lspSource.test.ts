/**
 * What a DAG file says reaches the user as the file means it, over a real LSP
 * connection: a statement typed half keeps the rest of the file's meaning,
 * lines ended by a lone \r are lines, and ids written to break a hover's
 * markdown are shown as text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeLensRequest, HoverRequest } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, Hover, MarkupContent, Position } from 'vscode-languageserver-protocol/node';
import { DagModelRequest } from '../../../core/protocol';
import { LspClient, ROOT } from '../../support/lspClient';

/** The position of `needle` in `text` (plus `shift` characters), as the editor counts lines. */
function at(text: string, needle: string, shift = 0): Position {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `"${needle}" not in the text`);
  return TextDocument.create('x', 'python', 0, text).positionAt(index + shift);
}

const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`);

const WHOLE = `from vortex import DAG
from vortex.operators.bash import BashOperator

with DAG(dag_id="typing_half", schedule_interval="@daily") as dag:
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    transform = BashOperator(task_id="transform", bash_command="echo transform")
    load = BashOperator(task_id="load", bash_command="echo load")
    extract >> transform >> load
    transform.set_downstream(load)
`;

describe('LSP over stdio: half-typed statements, \\r line breaks, hostile ids', () => {
  let client: LspClient;

  before(async () => {
    ({ client } = await LspClient.start());
  });
  after(async () => {
    await client.stop();
  });

  it('a task statement typed half (its ")" deleted): one VX001 at the open "(", no VX302, every task and edge kept', async () => {
    const uri = 'file:///tmp/vx/typing_half.py';
    await client.open(uri, WHOLE, 1);
    assert.deepEqual((await client.waitForDiagnostics(uri, (p) => p.version === 1)).diagnostics, []);
    const close = at(WHOLE, '"echo transform")', '"echo transform"'.length);
    await client.change(uri, 2, [{ range: { start: close, end: { line: close.line, character: close.character + 1 } }, text: '' }]);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 2);
    assert.deepEqual(codes(published.diagnostics), [`VX001@${close.line}:${at(WHOLE, 'BashOperator(task_id="transform"', 'BashOperator'.length).character}`]);
    assert.match(String(published.diagnostics[0].message), /"\(" is never closed/);
    const model = await client.connection.sendRequest(DagModelRequest.type, { uri });
    assert.deepEqual(model?.dags[0].tasks.map((t) => t.taskId), ['extract', 'transform', 'load']);
    assert.deepEqual(model?.dags[0].edges.map((e) => `${e.upstream}>${e.downstream}`), ['extract>transform', 'transform>load']);
    // Typed again, the file is whole again.
    await client.change(uri, 3, [{ range: { start: close, end: close }, text: ')' }]);
    assert.deepEqual((await client.waitForDiagnostics(uri, (p) => p.version === 3)).diagnostics, []);
    await client.close(uri);
  });

  for (const name of ['vx001_unclosed_bracket.py', 'vx001_unclosed_string.py']) {
    it(`${name}: the editor gets its one VX001, and the DAG above it`, async () => {
      const uri = `file:///tmp/vx/${name}`;
      const text = readFileSync(path.join(ROOT, 'test/fixtures', name), 'utf8');
      await client.open(uri, text, 1);
      const published = await client.waitForDiagnostics(uri, (p) => p.version === 1);
      assert.deepEqual(published.diagnostics.map((d) => d.code), ['VX001']);
      assert.match(String(published.diagnostics[0].message), /never closed/);
      const model = await client.connection.sendRequest(DagModelRequest.type, { uri });
      assert.equal(model?.dags.length, 1);
      assert.equal(model?.dags[0].tasks[0].taskId, 'extract');
      await client.close(uri);
    });
  }

  it('a file whose lines end with \\r alone: diagnostics and hovers on the lines the editor shows, through edits too', async () => {
    const uri = 'file:///tmp/vx/line_breaks_cr.py';
    const text = readFileSync(path.join(ROOT, 'test/fixtures/line_breaks_cr.py'), 'utf8');
    assert.ok(!text.includes('\n'));
    const retires = at(text, 'retires');
    const ghost = at(text, 'ghost');
    await client.open(uri, text, 1);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 1);
    assert.deepEqual(codes(published.diagnostics), [`VX105@${retires.line}:${retires.character}`, `VX302@${ghost.line}:${ghost.character}`]);
    assert.deepEqual([retires.line, ghost.line], [21, 25]);
    const idAt = at(text, '"transform"', 1);
    const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: idAt })) as Hover;
    assert.match((hover.contents as MarkupContent).value, /\*\*Task\*\* `transform`: BashOperator/);
    assert.deepEqual(hover.range, { start: { line: idAt.line, character: idAt.character - 1 }, end: { line: idAt.line, character: idAt.character + 'transform"'.length } });
    const variable = at(text, 'report >> ghost');
    const byName = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: variable })) as Hover;
    assert.match((byName.contents as MarkupContent).value, /\*\*Task\*\* `report`/);
    // An edit (the typo mended), then a \n typed right after a \r: one line break still, nothing moves.
    await client.change(uri, 2, [{ range: { start: retires, end: { line: retires.line, character: retires.character + 'retires'.length } }, text: 'retries' }]);
    assert.deepEqual(codes((await client.waitForDiagnostics(uri, (p) => p.version === 2)).diagnostics), [`VX302@${ghost.line}:${ghost.character}`]);
    const lineStart = { line: 20, character: 0 };
    await client.change(uri, 3, [{ range: { start: lineStart, end: lineStart }, text: '\n' }]);
    assert.deepEqual(codes((await client.waitForDiagnostics(uri, (p) => p.version === 3)).diagnostics), [`VX302@${ghost.line}:${ghost.character}`]);
    const again = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: variable })) as Hover;
    assert.match((again.contents as MarkupContent).value, /\*\*Task\*\* `report`/);
    assert.deepEqual(again.range, { start: variable, end: { line: variable.line, character: variable.character + 'report'.length } });
    await client.change(uri, 4, [{ range: { start: ghost, end: { line: ghost.line, character: ghost.character + 'ghost'.length } }, text: 'extract' }]);
    assert.deepEqual(codes((await client.waitForDiagnostics(uri, (p) => p.version === 4)).diagnostics), [`VX301@${ghost.line}:4`]);
    await client.close(uri);
  });

  describe('hovers show hostile ids as text', () => {
    const markdown = new MarkdownIt({ html: false, linkify: true });
    const HOSTILE_TASK = 'a`](http://evil.example)`b';
    const HOSTILE_DAG = '[x](command:vortex.runDag)';
    const HOSTILE_OWNER = '[y](http://evil.example) <b>bold</b>\n\n# heading';
    const HOSTILE_SCHEDULE = 'a`[s](command:vortex.stopRun)`b www.evil.example';
    const text = [
      'from vortex import DAG',
      'from vortex.operators.bash import BashOperator',
      '',
      `with DAG(dag_id=${JSON.stringify(HOSTILE_DAG)}, owner=${JSON.stringify(HOSTILE_OWNER)}, schedule_interval=${JSON.stringify(HOSTILE_SCHEDULE)}) as dag:`,
      `    first = BashOperator(task_id=${JSON.stringify(HOSTILE_TASK)}, bash_command="echo first")`,
      '    second = BashOperator(task_id="second", bash_command="echo second")',
      '    first >> second',
      '',
    ].join('\n');
    const uri = 'file:///tmp/vx/hostile_hover.py';

    before(async () => {
      await client.open(uri, text, 1);
      await client.waitForDiagnostics(uri, (p) => p.version === 1);
    });

    /** The hover at `needle`, rendered as VS Code would (links made from bare addresses too). */
    async function rendered(needle: string, shift: number): Promise<string> {
      const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(text, needle, shift) })) as Hover | null;
      assert.ok(hover, `no hover at ${needle}`);
      return markdown.render((hover.contents as MarkupContent).value);
    }

    /** What a reader sees of `html`: its text, entities decoded. */
    const visible = (html: string) => html.replace(/<[^>]*>/g, '').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

    function assertNoMarkup(html: string): void {
      assert.doesNotMatch(html, /<a\b/, `a link in ${html}`);
      assert.doesNotMatch(html, /<b>|<h1>/, `markup from the file in ${html}`);
    }

    it('the task hover: the task_id and its DAG\'s id, each in one code span, no link', async () => {
      const html = await rendered(HOSTILE_TASK.slice(0, 3), 1);
      assertNoMarkup(html);
      assert.ok(html.includes(`<code>${HOSTILE_TASK.replace(/&/g, '&amp;')}</code>`), html);
      assert.ok(visible(html).includes(HOSTILE_DAG), html);
    });

    it('the DAG hover: its id, owner, roots and leaves as written, no link, no heading', async () => {
      const html = await rendered(HOSTILE_DAG, 2);
      assertNoMarkup(html);
      assert.ok(html.includes(`<code>${HOSTILE_DAG}</code>`), html);
      assert.ok(visible(html).includes(HOSTILE_OWNER.replace(/\n/g, ' ')), html);
      assert.ok(visible(html).includes(HOSTILE_TASK), html);
    });

    it('the schedule hover: the value as written, no link', async () => {
      const html = await rendered(HOSTILE_SCHEDULE, 4);
      assertNoMarkup(html);
      assert.ok(visible(html).includes(HOSTILE_SCHEDULE), html);
    });

    it('a run lens names a task with "$(" as written, not as an icon', async () => {
      const iconText = 'go$(zap)';
      const lensUri = 'file:///tmp/vx/icon_lens.py';
      const source = `from vortex import DAG\nfrom vortex.operators.bash import BashOperator\n\nwith DAG(dag_id="icons") as dag:\n    a = BashOperator(task_id="${iconText}", bash_command="true"); b = BashOperator(task_id="b", bash_command="true")\n`;
      const { client: trusted } = await LspClient.start(undefined, { workspaceTrusted: true });
      try {
        await trusted.open(lensUri, source, 1);
        await trusted.waitForDiagnostics(lensUri, (p) => p.version === 1);
        const lenses = (await trusted.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: lensUri } })) ?? [];
        const titles = lenses.map((l) => l.command?.title);
        assert.ok(titles.includes('▶ Run go\\$(zap)'), JSON.stringify(titles));
      } finally {
        await trusted.stop();
      }
    });
  });
});
