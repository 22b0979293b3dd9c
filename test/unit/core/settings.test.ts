import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS, SETTINGS_SCHEMA, settingsFrom } from '../../../core/settings';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
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
    assert.deepEqual(
      settingsFrom({ analysis: { maxFileSize: 2048, mode: 'runtime', runtimeTimeoutSeconds: 5 }, trace: { server: 'verbose' } }),
      { maxFileSize: 2048, trace: 'verbose', analysisMode: 'runtime', runtimeTimeoutSeconds: 5 },
    );
    assert.deepEqual(settingsFrom({ analysis: { maxFileSize: 'big', mode: 'always', runtimeTimeoutSeconds: 0 }, trace: { server: 'loud' } }), DEFAULT_SETTINGS);
    assert.deepEqual(settingsFrom({ analysis: { runtimeTimeoutSeconds: Number.NaN } }), DEFAULT_SETTINGS);
  });

  it('resolves at runtime in "auto" mode by default, within 30 seconds, and describes every mode', () => {
    assert.equal(DEFAULT_SETTINGS.analysisMode, 'auto');
    assert.equal(DEFAULT_SETTINGS.runtimeTimeoutSeconds, 30);
    const mode = SETTINGS_SCHEMA['vortex.analysis.mode'];
    assert.deepEqual([...mode.enum], ['static', 'runtime', 'auto']);
    assert.equal(mode.enumDescriptions.length, mode.enum.length);
    for (const description of mode.enumDescriptions) assert.ok(description.length > 20);
  });
});
