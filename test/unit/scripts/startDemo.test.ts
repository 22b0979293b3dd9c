/**
 * `npm start`: the workbench it serves keeps workspace trust on for every folder,
 * so nothing in a folder runs before its user says so, and it opens an example
 * DAG in the editor when it serves the examples.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoSettings, demoUrl, EXAMPLES, FIRST_EXAMPLE } from '../../../scripts/start.mjs';

const BASE = 'http://127.0.0.1:8080';

/** What the web workbench reads from the address: the folder and its start-up payload. */
function opened(url: string): { folder: string | null; payload: [string, string][] } {
  const params = new URL(url).searchParams;
  return { folder: params.get('folder'), payload: JSON.parse(params.get('payload') ?? '[]') };
}

describe('npm start: the demo workbench', () => {
  let userFolder: string;
  before(() => (userFolder = mkdtempSync(path.join(tmpdir(), 'vortex-user-dags-'))));
  after(() => rmSync(userFolder, { recursive: true, force: true }));

  it('leaves workspace trust at VS Code default (on) and pre-trusts no folder', () => {
    const settings = demoSettings();
    const trustSettings = Object.keys(settings).filter((key) => key.startsWith('security.workspace.trust'));
    assert.deepEqual(trustSettings, [], 'no workspace trust setting is changed');
  });

  it("opens a user's folder as it is, asking nothing of VS Code but the folder", () => {
    const { folder, payload } = opened(demoUrl(BASE, userFolder));
    assert.equal(folder, userFolder);
    assert.deepEqual(payload, []);
  });

  it('opens the examples with the example DAG in the editor, from the server it serves', () => {
    const { folder, payload } = opened(demoUrl(BASE, EXAMPLES));
    assert.equal(folder, EXAMPLES);
    assert.deepEqual(payload, [['openFile', `vscode-remote://127.0.0.1:8080${FIRST_EXAMPLE}`]]);
    assert.equal(path.dirname(FIRST_EXAMPLE), EXAMPLES);
  });
});
