import assert from 'node:assert/strict';
import { isMasked, MapVault, MIN_MASKED_LENGTH, parseSecretsFile, resolveSecrets, SecretMasker, unmaskedSecretWarning } from '../../../../core/run/secrets';

/** Feeds the text through a stream masker in the given pieces. */
function streamed(masker: SecretMasker, pieces: string[]): { out: string; emitted: string[] } {
  const stream = masker.stream();
  const emitted = pieces.map((p) => stream.write(p));
  emitted.push(stream.end());
  return { out: emitted.join(''), emitted };
}

describe('SecretMasker', () => {
  it('replaces every occurrence of every value', () => {
    const m = new SecretMasker(['hunter2', 'tok3n']);
    assert.equal(m.mask('a hunter2 b tok3n c hunter2'), 'a *** b *** c ***');
  });

  it('masks a value that contains another one whole', () => {
    const m = new SecretMasker(['abcde', 'xabcdex']);
    assert.equal(m.mask('xabcdex abcde'), '*** ***');
  });

  it('treats values as text, not patterns', () => {
    const m = new SecretMasker(['a.c+d', '(x|y)']);
    assert.equal(m.mask('abccd a.c+d (x|y) x'), 'abccd *** *** x');
  });

  it('ignores empty values and passes text through when it has none', () => {
    const m = new SecretMasker(['']);
    assert.equal(m.isEmpty, true);
    assert.equal(m.mask('anything'), 'anything');
    assert.equal(streamed(m, ['a', 'b']).out, 'ab');
  });

  it('masks a value split across chunks, at every split point', () => {
    const secret = 'p4ssw0rd';
    const m = new SecretMasker([secret, 'other']);
    const text = `before ${secret} middle ${secret}${secret} after`;
    const expected = m.mask(text);
    assert.equal(expected, 'before *** middle ****** after');
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        const { out, emitted } = streamed(m, [text.slice(0, i), text.slice(i, j), text.slice(j)]);
        assert.equal(out, expected, `split at ${i}, ${j}`);
        for (const e of emitted) assert.ok(!e.includes(secret));
      }
    }
  });

  it('masks a value streamed one character at a time', () => {
    const m = new SecretMasker(['xyzzy']);
    const { out, emitted } = streamed(m, [...'say xyzzy twice: xyzzy.']);
    assert.equal(out, 'say *** twice: ***.');
    assert.ok(emitted.every((e) => !e.includes('xyzzy')));
  });

  it('holds back only a tail that could still become a secret', () => {
    const stream = new SecretMasker(['abcde']).stream();
    assert.equal(stream.write('hello world\n'), 'hello world\n');
    assert.equal(stream.write('x ab'), 'x ');
    assert.equal(stream.write('cd'), '');
    assert.equal(stream.write('e!a'), '***!');
    assert.equal(stream.write('bx'), 'abx');
    assert.equal(stream.end(), '');
  });

  it('waits for a longer secret that starts with a shorter one', () => {
    const m = new SecretMasker(['keyed', 'keyed-long']);
    const stream = m.stream();
    assert.equal(stream.write('a keyed'), 'a ');
    assert.equal(stream.write('-lo'), '');
    assert.equal(stream.write('ng keyed.'), '*** ***.');
    assert.equal(stream.write('keyed-'), '');
    assert.equal(stream.end(), '***-');
  });
});

describe('SecretMasker: its limits', () => {
  it(`leaves values shorter than ${MIN_MASKED_LENGTH} characters unmasked, rather than every occurrence of their letters`, () => {
    const m = new SecretMasker(['q', 'qu', 'abcd', 'abcde']);
    assert.equal(m.mask('quick queen abcd abcde'), 'quick queen abcd ***');
    assert.equal(streamed(m, [...'quick abcde']).out, 'quick ***');
    assert.equal(isMasked('abcd'), false);
    assert.equal(isMasked('abcde'), true);
    assert.match(unmaskedSecretWarning('PIN'), /^secret PIN is shorter than 5 characters, so task output does not mask it/);
  });

  it('matches the exact text only: encoded forms of a secret pass, as docs/cli.md says', () => {
    const secret = 'p@ss w"rd/1';
    const m = new SecretMasker([secret]);
    const encoded = [[...secret].reverse().join(''), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64')];
    for (const form of encoded) assert.equal(m.mask(`leaked: ${form}`), `leaked: ${form}`);
    assert.equal(m.mask(`plain: ${secret}`), 'plain: ***');
  });
});

describe('parseSecretsFile', () => {
  it('reads NAME=value lines, comments, quotes and export prefixes', () => {
    const text = [
      '# a comment',
      'PLAIN=value',
      'SPACED = spaced value  ',
      'DOUBLE="quoted # not a comment"',
      "SINGLE='single'",
      'export EXPORTED=yes',
      'WITH_COMMENT=abc # trailing',
      'MULTI="line1\\nline2"',
      '',
    ].join('\n');
    assert.deepEqual(parseSecretsFile(text), {
      PLAIN: 'value',
      SPACED: 'spaced value',
      DOUBLE: 'quoted # not a comment',
      SINGLE: 'single',
      EXPORTED: 'yes',
      WITH_COMMENT: 'abc',
      MULTI: 'line1\nline2',
    });
  });
});

describe('resolveSecrets', () => {
  const vault = new MapVault({ A: '1', B: '2' });

  it('gives the named secrets as environment variables', async () => {
    assert.deepEqual(await resolveSecrets(['A', 'B', 'A'], vault), { ok: true, env: { A: '1', B: '2' } });
  });

  it('names every missing secret', async () => {
    const r = await resolveSecrets(['A', 'C', 'D'], vault);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.missing, ['C', 'D']);
    assert.equal(r.message, "missing secrets 'C', 'D': not found in the secrets vault");
  });

  it('needs no vault when no secret is named', async () => {
    assert.deepEqual(await resolveSecrets([], undefined), { ok: true, env: {} });
  });
});
