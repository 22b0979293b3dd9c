/**
 * Airflow-shaped files resolved at runtime in the real VS Code: with
 * `vortex.analysis.mode` set to `runtime`, the language server executes each
 * file with the bundled SDK and the graph webview draws what Airflow builds:
 * task ids under their TaskGroups' prefixes, the groups as boxes, every edge
 * (through groups and labels). The expected graphs are the goldens beside
 * the fixtures (test/fixtures/airflow/*.airflow.json).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cleanUp, codeOf, describeDiagnostics, openFile, vortexApi, waitFor, waitForDiagnostics, workspaceFile } from '../support/helpers';

const UNTRUSTED = process.env.VORTEX_TEST_UNTRUSTED === '1';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'airflow');
const FOLDER = 'airflow_runtime';

interface Golden {
  dags: Array<{ dag_id: string; tasks: Array<{ task_id: string }>; edges: unknown[]; groups: Array<{ id: string }> }>;
}

function golden(name: string): Golden['dags'][number] {
  const read = JSON.parse(fs.readFileSync(path.join(FIXTURES, name.replace(/\.py$/, '.airflow.json')), 'utf8')) as Golden;
  return read.dags[0];
}

describe('runtime resolution of Airflow files: groups, TaskFlow and labels drawn as Airflow builds them', () => {
  // example_task_group is the modern Airflow suite's (modernAirflow.test.ts).
  const files = ['example_branch_operator.py', 'tutorial_taskflow_api.py', 'runtime_groups_labels_mapping.py'];

  before(async function () {
    if (UNTRUSTED) this.skip();
    fs.mkdirSync(workspaceFile(FOLDER).fsPath, { recursive: true });
    for (const name of files) fs.copyFileSync(path.join(FIXTURES, name), workspaceFile(`${FOLDER}/${name}`).fsPath);
    await vscode.workspace.getConfiguration('vortex').update('analysis.mode', 'runtime', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    if (UNTRUSTED) return;
    await cleanUp();
    await vscode.workspace.getConfiguration('vortex').update('analysis.mode', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.fs.delete(workspaceFile('.vscode'), { recursive: true, useTrash: false });
    fs.rmSync(workspaceFile(FOLDER).fsPath, { recursive: true, force: true });
  });

  for (const name of files) {
    it(`${name}: every task, group and edge in the graph webview, and no error`, async () => {
      const expected = golden(name);
      const api = await vortexApi();
      await api.ensureServerStarted();
      const editor = await openFile(`${FOLDER}/${name}`);
      const uri = editor.document.uri;
      await vscode.commands.executeCommand('vortex.showGraph');
      await waitFor(
        `the runtime view of ${name}`,
        () => api.runtimeResolutions().find((r) => vscode.Uri.parse(r.uri).toString() === uri.toString() && r.status === 'resolved'),
        { lastSeen: () => JSON.stringify(api.runtimeResolutions()) },
      );
      const drawn = await waitFor(
        `the ${expected.tasks.length} tasks of ${expected.dag_id} drawn`,
        () => {
          const s = api.graph.snapshot();
          return s.uri === uri.toString() && s.draws > 0 && s.nodes.length === expected.tasks.length ? s : undefined;
        },
        { lastSeen: () => JSON.stringify(api.graph.snapshot()) },
      );
      assert.equal(drawn.dagId, expected.dag_id);
      assert.deepEqual([...drawn.nodes].sort(), expected.tasks.map((t) => t.task_id).sort());
      assert.deepEqual([...drawn.groups.expanded].sort(), expected.groups.map((g) => g.id).sort());
      assert.deepEqual(drawn.groups.collapsed, []);
      assert.equal(drawn.edges, expected.edges.length);
      await waitForDiagnostics(uri, 'no error once resolved', (ds) => !ds.some((d) => d.severity === vscode.DiagnosticSeverity.Error));
      assert.deepEqual(
        vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'vortex' && d.severity === vscode.DiagnosticSeverity.Error).map(codeOf),
        [],
        describeDiagnostics(uri),
      );
    });
  }
});
