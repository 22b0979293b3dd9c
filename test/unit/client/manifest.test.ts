/**
 * package.json is the extension's manifest: VS Code reads it, not our code, so
 * nothing but a test notices when it drifts from the code it describes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { looksLikeDagText } from '../../../client/src/dagText';
import { Commands } from '../../../core/commands';
import { mightContainDag } from '../../../core/analysis/analyse';

const ROOT = path.resolve(__dirname, '../../..');

interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited' } };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { type: string; enum?: string[]; default?: unknown; scope?: string }> };
    grammars: { scopeName: string; path: string; injectTo?: string[]; embeddedLanguages?: Record<string, string> }[];
  };
  scripts: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

describe('the extension manifest (package.json)', () => {
  it('contributes exactly the commands of the shared command map, under the VORTEX category', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(Commands).sort());
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'VORTEX', c.command);
      assert.ok(c.title.length > 0, c.command);
    }
  });

  it('declares the vortex.trace.server setting the language client reads', () => {
    const trace = manifest.contributes.configuration.properties['vortex.trace.server'];
    assert.ok(trace);
    assert.deepEqual(trace.enum, ['off', 'messages', 'verbose']);
    assert.equal(trace.default, 'off');
  });

  it('activates on Python files and DAG-looking workspaces only', () => {
    assert.ok(manifest.activationEvents.includes('onLanguage:python'));
    for (const event of manifest.activationEvents) {
      // onWebviewPanel: a graph panel restored after a reload needs its extension, and it exists only after a DAG file was open.
      // onDebugResolve:vortex: only a `"type": "vortex"` debug configuration, one for a DAG's task, fires it.
      assert.match(event, /^(onLanguage:python|workspaceContains:.*dag.*\.py|onWebviewPanel:vortex\.graph|onDebugResolve:vortex)$/, `${event} would activate VORTEX for workspaces without DAGs`);
    }
  });

  it('supports untrusted workspaces in a limited way (analysis only)', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('registers the injection grammar into Python, with a file that declares the same scope', () => {
    const [grammar] = manifest.contributes.grammars.filter((g) => g.scopeName === 'vortex.dag.injection');
    assert.ok(grammar);
    assert.deepEqual(grammar.injectTo, ['source.python']);
    const file = path.join(ROOT, grammar.path);
    const content = JSON.parse(readFileSync(file, 'utf8')) as { scopeName: string; injectionSelector: string };
    assert.equal(content.scopeName, grammar.scopeName);
    assert.match(content.injectionSelector, /python/);
    // The embedded scope the grammar produces is the one mapped to the shell language.
    assert.ok(readFileSync(file, 'utf8').includes(Object.keys(grammar.embeddedLanguages ?? {})[0] ?? '<none>'));
  });

  it('packages an allowlist: .vscodeignore leaves everything out, then lets in what runs', () => {
    const lines = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '**');
    for (const needed of ['!dist/**', '!package.json', '!LICENSE', '!syntaxes/**']) {
      assert.ok(lines.includes(needed), `${needed} missing from .vscodeignore`);
    }
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.scripts.package ?? '', /--no-dependencies/, 'the bundles carry their dependencies');
    assert.ok(existsSync(path.join(ROOT, 'LICENSE')));
  });
});

describe('the client’s DAG-file test', () => {
  const samples = [
    'from vortex import DAG\nwith DAG("x"):\n    pass\n',
    'from airflow.decorators import dag, task\n@dag()\ndef pipeline(): ...\n',
    'import airflow\nd = airflow.DAG("x")\n',
    'import json\nprint(json.dumps({}))\n',
    '"""A DAG, in prose only."""\n',
    'from vortex.operators.bash import BashOperator\n',
    '',
  ];

  it('answers as the analyser’s own heuristic does', () => {
    const fixtures = path.join(ROOT, 'test', 'fixtures');
    const files = existsSync(fixtures)
      ? readdirSync(fixtures, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')).map((f) => readFileSync(path.join(fixtures, f), 'utf8'))
      : [];
    for (const text of [...samples, ...files]) {
      assert.equal(looksLikeDagText(text), mightContainDag(text), JSON.stringify(text.slice(0, 80)));
    }
  });
});
