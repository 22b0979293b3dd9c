/** Shared by the execution tests: specs made by hand, scratch folders, and the process table. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskRunSpec } from '../../server/src/execution/taskSpec';

export const REPO = path.resolve(__dirname, '..', '..');
export const SDK = path.join(REPO, 'sdk');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'execution');
export const TASKS_DAG = path.join(FIXTURES, 'tasks_dag.py');

/** A Bash task spec; anything can be overridden. */
export function bashSpec(taskId: string, bashCommand: string, overrides: Partial<TaskRunSpec> = {}): TaskRunSpec {
  return {
    dagId: 'test_dag',
    taskId,
    runId: 'run-1',
    kind: 'bash',
    operator: 'BashOperator',
    bashCommand,
    pythonCallable: null,
    opArgs: null,
    opKwargs: null,
    dagFilePath: TASKS_DAG,
    cwd: FIXTURES,
    timeoutSeconds: 10,
    secretNames: [],
    pythonPath: 'python3',
    sdkPath: SDK,
    ...overrides,
  };
}

/** A PythonOperator task of test/fixtures/execution/tasks_dag.py. */
export function pythonSpec(taskId: string, pythonCallable: string, overrides: Partial<TaskRunSpec> = {}): TaskRunSpec {
  return bashSpec(taskId, '', {
    dagId: 'tasks',
    kind: 'python',
    operator: 'PythonOperator',
    bashCommand: null,
    pythonCallable,
    ...overrides,
  });
}

/** A scratch folder, removed by the returned function. */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vortex-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Whether a process still runs. A dead process whose parent has gone stays a
 * zombie until init reaps it, and some containers' init never does, so a
 * zombie counts as gone (it runs nothing and holds nothing but its pid).
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Pids printed by a task as `PID=<n>` lines. */
export function printedPids(output: string): number[] {
  return [...output.matchAll(/PID=(\d+)/g)].map((m) => Number(m[1]));
}
