/**
 * Modern Airflow files in the real VS Code, as Airflow builds them: Airflow's
 * own example_task_group (prefixed ids in nested groups, dependencies on whole
 * groups) with no false error, its Outline nesting the groups and its graph
 * drawing them; a TaskFlow pipeline of 40 tasks (nested groups, @task_group,
 * Labels, mapping) with no error; a branch's hover naming its downstream
 * tasks through Labels.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cleanUp, errorCount, describeDiagnostics, openFile, positionOf, vortexApi, waitFor, waitForSymbols, workspaceFile } from '../support/helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures');
/** The fixtures opened here, copied into the workspace for the suite: the analysis corpus's own files, in one copy. */
const COPIES: Array<[string, string]> = [
  ['airflow/example_task_group.py', 'modern/example_task_group.py'],
  ['modern_pipeline.py', 'modern/retail_daily.py'],
  ['airflow_branch_labels.py', 'modern/branch_labels.py'],
];

function names(symbols: vscode.DocumentSymbol[], prefix = ''): string[] {
  return symbols.flatMap((s) => [`${prefix}${s.name}`, ...names(s.children, `${prefix}${s.name} > `)]);
}

/** The tasks in an Outline: its Function symbols, however deep in groups. */
function functions(symbols: vscode.DocumentSymbol[]): string[] {
  return symbols.flatMap((s) => [...(s.kind === vscode.SymbolKind.Function ? [s.name] : []), ...functions(s.children)]);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('modern Airflow: TaskGroups, TaskFlow and Labels as Airflow builds them', () => {
  before(() => {
    fs.mkdirSync(workspaceFile('modern').fsPath, { recursive: true });
    for (const [from, to] of COPIES) fs.copyFileSync(path.join(FIXTURES, from), workspaceFile(to).fsPath);
  });

  after(async () => {
    await cleanUp();
    fs.rmSync(workspaceFile('modern').fsPath, { recursive: true, force: true });
  });

  it("Airflow's example_task_group: no error, the groups nested in the Outline and drawn in the graph with every prefixed task", async () => {
    const api = await vortexApi();
    await api.ensureServerStarted();
    const editor = await openFile('modern/example_task_group.py');
    const symbols = await waitForSymbols(editor.document.uri);
    assert.equal(errorCount(editor.document.uri), 0, describeDiagnostics(editor.document.uri));
    const outline = names(symbols as vscode.DocumentSymbol[]);
    for (const expected of [
      'example_task_group > section_1 > section_1.task_1',
      'example_task_group > section_2 > section_2.task_1',
      'example_task_group > section_2 > section_2.inner_section_2 > section_2.inner_section_2.task_4',
      'example_task_group > end',
    ]) {
      assert.ok(outline.includes(expected), `the Outline holds ${expected}: ${outline.join(', ')}`);
    }

    await vscode.commands.executeCommand('vortex.showGraph');
    const uri = editor.document.uri.toString();
    const drawn = await waitFor(
      'the graph of example_task_group with its nine tasks',
      () => {
        const s = api.graph.snapshot();
        return s.uri === uri && s.draws > 0 && s.nodes.length === 9 ? s : undefined;
      },
      { lastSeen: () => JSON.stringify(api.graph.snapshot()) },
    );
    assert.deepEqual([...drawn.nodes].sort(), [
      'end', 'section_1.task_1', 'section_1.task_2', 'section_1.task_3', 'section_2.inner_section_2.task_2',
      'section_2.inner_section_2.task_3', 'section_2.inner_section_2.task_4', 'section_2.task_1', 'start',
    ]);
    // start >> section_1 >> section_2 >> end, through the groups' roots and leaves, and the groups' own edges.
    assert.equal(drawn.edges, 13);
    assert.deepEqual([...drawn.groups.expanded].sort(), ['section_1', 'section_2', 'section_2.inner_section_2']);
  });

  it('a 40-task TaskFlow pipeline with nested groups, @task_group, Labels and mapping: no error, every task in the Outline', async () => {
    const editor = await openFile('modern/retail_daily.py');
    const symbols = await waitForSymbols(editor.document.uri);
    assert.equal(errorCount(editor.document.uri), 0, describeDiagnostics(editor.document.uri));
    const outline = names(symbols as vscode.DocumentSymbol[]);
    const tasks = functions(symbols as vscode.DocumentSymbol[]);
    assert.ok(outline.includes('retail_daily > transform > transform.staging > transform.staging.stage_orders'), outline.join(', '));
    assert.ok(outline.includes('retail_daily > ingest__1 > ingest__1.validate'), outline.join(', '));
    assert.ok(outline.includes('retail_daily > compact'), outline.join(', '));
    assert.equal(tasks.length, 40, `the Outline's tasks: ${tasks.join(', ')}`);
  });

  it("a branch's hover names its downstream tasks through the Labels between them", async () => {
    const editor = await openFile('modern/branch_labels.py');
    await waitForSymbols(editor.document.uri);
    const at = positionOf(editor.document, 'branching >> Label("branch_a")');
    const hovers = await waitFor('the hover of branching', async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, at);
      const text = hoverText(found ?? []);
      return text.includes('**Task** `branching`') ? text : undefined;
    });
    assert.match(hovers, /Downstream: `branch_a`, `branch_b`/);
    assert.match(hovers, /branch: it decides which of its downstream tasks run/);
  });
});
