/**
 * The client's run logic that needs no VS Code: the workspace secrets vault,
 * the execution settings, the trust gate, and the transcript of a real run
 * (real processes through the shared scheduler).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executionSettings } from '../../../client/src/runs/runSettings';
import { summaryLine } from '../../../core/run/runService';
import { hintFor, needsSecret, RunTranscript } from '../../../client/src/runs/runTranscript';
import { runRefusal } from '../../../client/src/runs/trust';
import { extraPathsWithSdk, hasUnresolvedVortexImport } from '../../../client/src/runs/sdkPath';
import { secretNameProblem, type SecretStore, WorkspaceSecrets, workspaceKey } from '../../../client/src/runs/workspaceSecrets';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { planFromModel, runPlan } from '../../../core/run/scheduler';
import { SDK } from '../../support/execution';

/** SecretStorage's contract over a Map: what VS Code's keychain-backed store does, minus the keychain. */
class MapStore implements SecretStore {
  readonly entries = new Map<string, string>();
  get(key: string) {
    return Promise.resolve(this.entries.get(key));
  }
  store(key: string, value: string) {
    this.entries.set(key, value);
    return Promise.resolve();
  }
  delete(key: string) {
    this.entries.delete(key);
    return Promise.resolve();
  }
}

describe('client runs: the workspace secrets vault', () => {
  it('keys secrets per workspace: the same name in two workspaces holds two values', async () => {
    const store = new MapStore();
    const a = new WorkspaceSecrets(store, workspaceKey(['file:///work/a']));
    const b = new WorkspaceSecrets(store, workspaceKey(['file:///work/b']));
    await a.set('API_TOKEN', 'value-a');
    await b.set('API_TOKEN', 'value-b');
    assert.equal(await a.get('API_TOKEN'), 'value-a');
    assert.equal(await b.get('API_TOKEN'), 'value-b');
    assert.equal(await a.get('OTHER'), undefined);
  });

  it('lists names only, sorted, and forgets deleted ones', async () => {
    const vault = new WorkspaceSecrets(new MapStore(), workspaceKey([]));
    await Promise.all([vault.set('ZETA', 'z'), vault.set('ALPHA', 'a'), vault.set('MID', 'm')]);
    assert.deepEqual(await vault.names(), ['ALPHA', 'MID', 'ZETA']);
    assert.equal(await vault.delete('MID'), true);
    assert.equal(await vault.delete('MID'), false);
    assert.deepEqual(await vault.names(), ['ALPHA', 'ZETA']);
    assert.equal(await vault.get('MID'), undefined);
  });

  it('never puts a value into a key, and hashes the workspace so keys do not spell out paths', async () => {
    const store = new MapStore();
    const vault = new WorkspaceSecrets(store, workspaceKey(['file:///home/someone/project']));
    await vault.set('TOKEN', 's3cr3t-value');
    for (const key of store.entries.keys()) {
      assert.ok(!key.includes('s3cr3t-value'));
      assert.ok(!key.includes('someone'));
    }
    assert.equal(workspaceKey(['file:///x', 'file:///y']), workspaceKey(['file:///y', 'file:///x']));
  });

  it('refuses names that cannot be environment variables', async () => {
    assert.equal(secretNameProblem('API_TOKEN'), null);
    assert.match(secretNameProblem('1TOKEN') ?? '', /environment variable name/);
    assert.match(secretNameProblem('MY-TOKEN') ?? '', /environment variable name/);
    assert.ok(secretNameProblem(''));
    await assert.rejects(new WorkspaceSecrets(new MapStore(), 'w').set('bad name', 'v'), /environment variable name/);
  });

  it('survives a damaged name list: the listing is empty, the values remain', async () => {
    const store = new MapStore();
    const vault = new WorkspaceSecrets(store, 'w');
    await vault.set('TOKEN', 'v');
    store.entries.set('vortex.secretNames/w', '{not json');
    assert.deepEqual(await vault.names(), []);
    assert.equal(await vault.get('TOKEN'), 'v');
  });
});

describe('client runs: execution settings', () => {
  it('uses the schema defaults, one task per CPU for parallelism 0, and no interpreter for an empty setting', () => {
    assert.deepEqual(executionSettings(() => undefined, 6), { timeoutSeconds: 300, parallelism: 6, interpreter: null, revealOutput: 'never', retryDelaySeconds: null });
    const values: Record<string, unknown> = { 'vortex.execution.parallelism': 0, 'vortex.python.interpreter': '  ' };
    assert.deepEqual(executionSettings((k) => values[k], 3), { timeoutSeconds: 300, parallelism: 3, interpreter: null, revealOutput: 'never', retryDelaySeconds: null });
  });

  it('takes valid values and falls back for wrong ones', () => {
    const good: Record<string, unknown> = {
      'vortex.execution.timeoutSeconds': 12,
      'vortex.execution.parallelism': 2,
      'vortex.python.interpreter': '/opt/py/bin/python',
      'vortex.execution.revealOutput': 'onFailure',
      'vortex.execution.retryDelaySeconds': 0,
    };
    assert.deepEqual(executionSettings((k) => good[k], 8), { timeoutSeconds: 12, parallelism: 2, interpreter: '/opt/py/bin/python', revealOutput: 'onFailure', retryDelaySeconds: 0 });
    const bad: Record<string, unknown> = { 'vortex.execution.timeoutSeconds': 0, 'vortex.execution.parallelism': 1.5, 'vortex.python.interpreter': 42, 'vortex.execution.revealOutput': 'sometimes', 'vortex.execution.retryDelaySeconds': -1 };
    assert.deepEqual(executionSettings((k) => bad[k], 8), { timeoutSeconds: 300, parallelism: 8, interpreter: null, revealOutput: 'never', retryDelaySeconds: null });
  });
});

describe('client runs: the workspace trust gate', () => {
  it('lets a trusted workspace run and tells an untrusted one how to trust the folder', () => {
    assert.equal(runRefusal(true), null);
    assert.match(runRefusal(false) ?? '', /trusted workspace.*Manage Workspace Trust/s);
  });
});

describe('client runs: the transcript of a real run', () => {
  let folder: string;
  before(async () => {
    await loadPython();
    folder = mkdtempSync(path.join(tmpdir(), 'vortex-transcript-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('shows states with durations, output line by line under its task, masked secrets, and what to do about failures', async () => {
    const text = [
      'from vortex import DAG',
      'from vortex.operators.bash import BashOperator',
      'with DAG(dag_id="t", secrets=["TOKEN"]) as dag:',
      '    a = BashOperator(task_id="a", bash_command="printf \'one\\\\ntwo\'; echo token=$TOKEN")',
      '    b = BashOperator(task_id="b", bash_command="exit 3")',
      '    c = BashOperator(task_id="c", bash_command="echo never")',
      '    d = BashOperator(task_id="d", bash_command="echo $MISSING_ONE", secrets=["MISSING_ONE"])',
      '    a >> b >> c',
      '',
    ].join('\n');
    const file = path.join(folder, 'transcript_dag.py');
    writeFileSync(file, text);
    const analysis = analyse(text);
    const plan = planFromModel(analysis, analysis.dags[0], { dagFilePath: file, runId: 'r1', sdkPath: SDK });
    let out = '';
    const transcript = new RunTranscript((t) => (out += t), 'Run DAG "t"');
    const vault = { get: (name: string) => Promise.resolve(name === 'TOKEN' ? 'hunter2-secret' : undefined) };
    const result = await runPlan(plan, { vault, parallelism: 2, onEvent: (e) => transcript.onEvent(e) });

    assert.deepEqual(result.tasks.map((t) => [t.taskId, t.state]), [['a', 'success'], ['b', 'failed'], ['c', 'upstream_failed'], ['d', 'failed']]);
    assert.ok(!out.includes('hunter2-secret'), out);
    assert.match(out, /^▶ Run DAG "t": 4 tasks queued \(run r1\)$/m);
    assert.match(out, /^\[a\] one$/m);
    // `two` had no newline of its own: it comes out whole, before a's end, with the masked secret after it.
    assert.match(out, /^\[a\] twotoken=\*\*\*$/m);
    assert.match(out, /^✔ a: success \(\d+\.\d+ s\)$/m);
    assert.match(out, /^✖ b: failed: exited with code 3 \(\d+\.\d+ s\)$/m);
    assert.match(out, /^⊘ c: upstream_failed/m);
    assert.match(out, /d: missing secret 'MISSING_ONE'.* — Set it with "VORTEX: Set Secret"/);
    assert.match(out, /^DAG "t" failed in .*: 4 tasks, 1 success, 2 failed, 1 upstream_failed$/m);
    assert.ok(out.includes(`\n${summaryLine(result)}\n`), 'the closing line is the summary the notification shows');
    assert.equal(hintFor(result.tasks[1]), null);
  });
});

describe('client runs: what a failed run offers follows why the task failed, not its wording', () => {
  let folder: string;
  before(async () => {
    await loadPython();
    folder = mkdtempSync(path.join(tmpdir(), 'vortex-failure-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  async function run(lines: string[], pythonPath?: string) {
    const text = ['from vortex import DAG', 'from vortex.operators.bash import BashOperator', 'from vortex.operators.python import PythonOperator', ...lines, ''].join('\n');
    const file = path.join(folder, 'failures_dag.py');
    writeFileSync(file, text);
    const analysis = analyse(text);
    const plan = planFromModel(analysis, analysis.dags[0], { dagFilePath: file, runId: 'r1', sdkPath: SDK, ...(pythonPath ? { pythonPath } : {}) });
    const vault = { get: () => Promise.resolve(undefined) };
    return runPlan(plan, { vault, parallelism: 2 });
  }

  it('a task naming a secret that is not set offers to set it, in the same words as before', async () => {
    const result = await run([
      'def work():',
      '    pass',
      'with DAG(dag_id="f") as dag:',
      '    needs = BashOperator(task_id="needs", bash_command="echo $API_TOKEN", secrets=["API_TOKEN"])',
      '    says = BashOperator(task_id="says", bash_command="echo \\"missing secret \'X\'\\" >&2; exit 4")',
    ]);
    const [needs, says] = result.tasks;
    assert.equal(needs.result?.message, "missing secret 'API_TOKEN': not found in the secrets vault");
    assert.deepEqual(needs.result?.failure, { kind: 'missingSecrets', names: ['API_TOKEN'] });
    assert.equal(needsSecret(needs), true);
    assert.equal(hintFor(needs), 'Set it with "VORTEX: Set Secret", then run again.');
    // Output that reads like a missing secret is only output: the task exited with 4.
    assert.match(says.result?.stderr ?? '', /missing secret 'X'/);
    assert.deepEqual(says.result?.failure, { kind: 'exited', exitCode: 4 });
    assert.equal(needsSecret(says), false);
    assert.equal(hintFor(says), null);

    // Reworded messages change nothing of what is offered: the kind decides.
    const reworded = (record: typeof needs, message: string) => ({ ...record, result: record.result && { ...record.result, message } });
    assert.equal(needsSecret(reworded(needs, 'secret API_TOKEN is not set')), true);
    assert.equal(needsSecret(reworded(says, "missing secret 'X'")), false);
    assert.equal(hintFor(reworded(says, "missing secret 'X'")), null);
  });

  it('a task whose secret holds a NUL byte offers to set it again', async () => {
    const file = path.join(folder, 'nul_secret_dag.py');
    const text = ['from vortex import DAG', 'from vortex.operators.bash import BashOperator', 'with DAG(dag_id="n") as dag:', '    BashOperator(task_id="t", bash_command="true", secrets=["API_TOKEN"])', ''].join('\n');
    writeFileSync(file, text);
    const analysis = analyse(text);
    const plan = planFromModel(analysis, analysis.dags[0], { dagFilePath: file, runId: 'r1', sdkPath: SDK });
    const result = await runPlan(plan, { vault: { get: () => Promise.resolve('abc\0defgh') } });
    const [task] = result.tasks;
    assert.equal(task.result?.failure?.kind, 'unusableSecrets');
    assert.equal(needsSecret(task), true);
    assert.equal(hintFor(task), 'Set it again with "VORTEX: Set Secret", without the NUL byte, then run again.');
  });

  it('a Python task whose interpreter cannot be started offers to choose one', async () => {
    const missing = path.join(folder, 'no-such-python3');
    const result = await run([
      'def work():',
      '    pass',
      'with DAG(dag_id="f") as dag:',
      '    PythonOperator(task_id="py", python_callable=work)',
    ], missing);
    const [py] = result.tasks;
    assert.match(py.result?.message ?? '', /^could not start .*no-such-python3/);
    assert.deepEqual(py.result?.failure, { kind: 'notStarted', program: missing, errorCode: 'ENOENT' });
    assert.match(hintFor(py) ?? '', /^Choose an interpreter with the vortex\.python\.interpreter setting/);
    assert.equal(needsSecret(py), false);
  });
});

describe('client runs: offering the SDK to Pylance', () => {
  it('notices only Pylance failing to resolve vortex or one of its modules', () => {
    assert.equal(hasUnresolvedVortexImport([{ source: 'Pylance', message: 'Import "vortex" could not be resolved' }]), true);
    assert.equal(hasUnresolvedVortexImport([{ source: 'Pylance', message: 'Import "vortex.operators.bash" could not be resolved' }]), true);
    assert.equal(hasUnresolvedVortexImport([{ source: 'Pylance', message: 'Import "vortexlib" could not be resolved' }]), false);
    assert.equal(hasUnresolvedVortexImport([{ source: 'Pylance', message: 'Import "pandas" could not be resolved' }]), false);
    assert.equal(hasUnresolvedVortexImport([{ source: 'vortex', message: 'Import "vortex" could not be resolved' }]), false);
  });

  it('adds the SDK folder once, keeping other paths and dropping older versions\' SDK folders', () => {
    const sdk = '/home/u/.vscode/extensions/vortex-dev.vortex-dags-0.2.0/dist/sdk';
    assert.deepEqual(extraPathsWithSdk(undefined, sdk), [sdk]);
    assert.deepEqual(extraPathsWithSdk(['lib', '/home/u/.vscode/extensions/vortex-dev.vortex-dags-0.1.0/dist/sdk', 7], sdk), ['lib', sdk]);
    assert.equal(extraPathsWithSdk(['lib', sdk], sdk), null);
  });
});
