import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS, SETTINGS_SCHEMA, settingsFrom } from '../../server/src/settings';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Record<string, unknown>> } };
};

describe('settings: one schema, mirrored by package.json', () => {
  const contributed = manifest.contributes.configuration.properties;

  it('package.json contributes exactly the schema\'s keys', () => {
    assert.deepEqual(Object.keys(contributed).sort(), Object.keys(SETTINGS_SCHEMA).sort());
  });

  for (const [key, schema] of Object.entries(SETTINGS_SCHEMA)) {
    it(`${key}: type, default, description and every other field match`, () => {
      assert.deepEqual(contributed[key], JSON.parse(JSON.stringify(schema)));
    });
  }

  it('reads the client\'s nested section, falling back to defaults for missing or bad values', () => {
    assert.deepEqual(settingsFrom(undefined), DEFAULT_SETTINGS);
    assert.deepEqual(settingsFrom({ analysis: { maxFileSize: 2048 }, trace: { server: 'verbose' } }), { maxFileSize: 2048, trace: 'verbose' });
    assert.deepEqual(settingsFrom({ analysis: { maxFileSize: 'big' }, trace: { server: 'loud' } }), DEFAULT_SETTINGS);
  });
});
