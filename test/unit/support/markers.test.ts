/** The feature fixtures' marker parser (test/support/markers.ts): positions, spans, labels, and typos caught. */
import assert from 'node:assert/strict';
import { arrow, items, parseMarkers } from '../../support/markers';

describe('feature fixture markers', () => {
  it('reads the caret column, a span, stacked markers and `<-` against the code line above', () => {
    const { markers } = parseMarkers(['x = 1', 'start >> end', '#        ^^^ hover: "**Task**"', '# <- definition: none', '   # ^ completion: none'].join('\n'));
    assert.deepEqual(
      markers.map((m) => [m.kind, m.line, m.character, m.end, m.expectation]),
      [
        ['hover', 1, 9, 12, '"**Task**"'],
        ['definition', 1, 0, undefined, 'none'],
        ['completion', 1, 5, undefined, 'none'],
      ],
    );
  });

  it('reads a qualifier and labels, and checks that every label named exists', () => {
    const { markers, labels } = parseMarkers(['a >> b', '# <- @a_use', '#    ^ lens (trusted): "▶ Run task" (d, b)', '#    ^ references: @a_use'].join('\n'));
    assert.equal(markers[1].qualifier, 'trusted');
    assert.deepEqual([...labels.keys()], ['a_use']);
    assert.throws(() => parseMarkers('a >> b\n# <- references: @nowhere'), /no label @nowhere/);
    // A preset is not a label.
    assert.doesNotThrow(() => parseMarkers('s = "@daily"\n#    ^ completion: includes @daily'));
  });

  it('fails on a typo rather than passing silently', () => {
    assert.throws(() => parseMarkers('x = 1\n# ^ hovr: none'), /unknown marker kind "hovr"/);
    assert.throws(() => parseMarkers('x = 1\n# ^hover none'), /a marker reads/);
    assert.throws(() => parseMarkers('x = 1\n#        ^ hover: none'), /past the end of line 1/);
    assert.throws(() => parseMarkers('# ^ hover: none'), /needs a code line above/);
    assert.throws(() => parseMarkers('x = 1\n# ^ @a\n# ^ @a'), /defined twice/);
  });

  it('splits lists and the text after an edit', () => {
    assert.deepEqual(items('includes a=, b= "*/15 * * * *", "say \\"hi\\""'), ['includes', 'a=', 'b=', '*/15 * * * *', 'say "hi"']);
    assert.deepEqual(arrow('"Change to \\"@daily\\"" → schedule="@daily",'), { left: '"Change to \\"@daily\\""', right: 'schedule="@daily",' });
    assert.deepEqual(arrow('none'), { left: 'none', right: undefined });
  });
});
