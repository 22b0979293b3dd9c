/**
 * The manifest's side of running: VS Code reads these `when` clauses and trust
 * declarations, not our code, so only a test notices when they drift.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Commands, Views } from '../../../core/commands';

interface MenuEntry {
  command: string;
  when?: string;
}

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } };
  contributes: { menus: Record<string, MenuEntry[]>; views: Record<string, { id: string }[]> };
  dependencies: Record<string, string>;
};

describe('the manifest: running', () => {
  const palette = new Map(manifest.contributes.menus.commandPalette.map((e) => [e.command, e.when ?? '']));

  it('offers the run commands in the palette on DAG files only, and still in untrusted workspaces (where they say why they refuse)', () => {
    for (const id of [Commands.runDag, Commands.runTask, Commands.runTaskWithUpstream]) {
      const when = palette.get(id) ?? '';
      assert.match(when, /vortex\.isDagFile/, id);
      assert.doesNotMatch(when, /isWorkspaceTrusted/, id);
    }
    assert.match(palette.get(Commands.stopRun) ?? '', /vortex\.runActive/);
    // Needs a log path: only the runs view calls it.
    assert.equal(palette.get(Commands.openRunLog), 'false');
  });

  it('shows the editor title run button only where a click can run', () => {
    const entry = manifest.contributes.menus['editor/title'].find((e) => e.command === Commands.runDag);
    assert.match(entry?.when ?? '', /vortex\.isDagFile/);
    assert.match(entry?.when ?? '', /isWorkspaceTrusted/);
  });

  it('reads the interpreter from user settings only in an untrusted workspace: a workspace must not choose what executes', () => {
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['vortex.python.interpreter']);
  });

  it('declares exactly the views the client creates, and the Python extension API it asks for the interpreter', () => {
    const ids = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    assert.deepEqual(ids.sort(), Object.values(Views).sort());
    assert.ok(manifest.dependencies['@vscode/python-extension']);
  });
});
