import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import type { Argument, EdgeModel, Range, TaskModel } from '../../../../core/analysis/model';
import { loadPython } from '../../../../core/analysis/parser';
import { loadFixtures } from '../../../support/fixtures';
import { generateDag } from '../../../support/generate';

const TASK_KEYS = [
  'taskId', 'operator', 'qualifiedOperator', 'kind', 'variable', 'dagIndex', 'range', 'operatorRange', 'taskIdRange', 'line', 'args',
  'bashCommand', 'pythonCallable', 'opArgs', 'opKwargs', 'secrets', 'executionTimeoutSeconds', 'upstream', 'downstream',
];

/** The text a range covers. */
function textAt(lines: string[], range: Range): string {
  const { start, end } = range;
  if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
  return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join('\n');
}

const SAMPLE = `from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.python import PythonOperator

def work():
    pass

with DAG("records", schedule_interval="@daily") as dag:
    a = BashOperator(task_id="a", bash_command="echo a", secrets=["TOKEN"])
    b = PythonOperator(
        task_id="b",
        python_callable=work,
        op_kwargs={"x": 1},
    )
    c = BashOperator("positional", task_id="c", bash_command="echo c")
    a >> [b, c]
    b << a
`;

describe('model records: compact in memory, the plain model as JSON and when read', () => {
  before(async () => {
    await loadPython();
  });

  it('serialise to the plain shape the model has always had', () => {
    const analysis = JSON.parse(JSON.stringify(analyse(SAMPLE)));
    for (const task of analysis.tasks) {
      assert.deepEqual(Object.keys(task), TASK_KEYS);
      for (const arg of Object.values(task.args) as Argument[]) {
        // JSON leaves out a value that is not a literal (undefined), as it always did.
        const keys = ['name', 'value', 'text', 'kind', 'range', 'valueRange', 'nameRange'].filter((k) => (k !== 'value' || arg.value !== undefined) && (k !== 'nameRange' || !arg.name.startsWith('#')));
        assert.deepEqual(Object.keys(arg), keys);
        assert.deepEqual(Object.keys(arg.range), ['start', 'end']);
        assert.deepEqual(Object.keys(arg.range.start), ['line', 'character']);
      }
    }
    for (const edge of analysis.dags[0].edges) assert.deepEqual(Object.keys(edge), ['upstream', 'downstream', 'range']);
    const b = analysis.tasks.find((t: TaskModel) => t.taskId === 'b');
    assert.equal(b.pythonCallable, 'work');
    assert.deepEqual(b.opKwargs, { x: 1 });
    assert.deepEqual(analysis.tasks[0].secrets, ['TOKEN']);
    assert.deepEqual(analysis.tasks[0].downstream, ['b', 'c']);
  });

  it('place every range on the text it stands for, on every fixture and a generated file', () => {
    for (const { name, text } of [...loadFixtures(), { name: 'sample', text: SAMPLE }, { name: 'generated', text: generateDag(300) }]) {
      const lines = text.split(/\r\n|\r|\n/);
      const analysis = analyse(text);
      for (const task of analysis.tasks) {
        // The callee as written (an alias, maybe, of task.operator).
        const operator = textAt(lines, task.operatorRange);
        assert.match(operator, /^[\w.]+$/, `${name}: ${task.taskId} operator "${operator}"`);
        const call = textAt(lines, task.range);
        // A call typed half (its "(" never closed: VX001 there) ends with its last argument.
        const unclosed = analysis.diagnostics.some((d) => d.code === 'VX001' && d.range.start.line === task.line);
        assert.ok(call.startsWith(operator) && (call.endsWith(')') || (unclosed && call.endsWith(Object.values(task.args).at(-1)!.text))), `${name}: ${task.taskId} call`);
        assert.equal(task.line, task.range.start.line);
        for (const arg of Object.values(task.args)) {
          assert.equal(textAt(lines, arg.valueRange), arg.text, `${name}: ${task.taskId}.${arg.name} value`);
          if (arg.nameRange) assert.equal(textAt(lines, arg.nameRange), arg.name, `${name}: ${task.taskId}.${arg.name} name`);
          assert.ok(textAt(lines, arg.range).endsWith(arg.text));
        }
      }
      for (const dag of analysis.dags) {
        for (const edge of dag.edges as EdgeModel[]) assert.ok(textAt(lines, edge.range).length > 0, `${name}: edge ${edge.upstream} → ${edge.downstream}`);
      }
    }
  });

  it('leave the interfaces open to plain objects', () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    const plain: TaskModel = {
      taskId: 't', operator: 'BashOperator', qualifiedOperator: 'vortex.operators.bash.BashOperator', kind: 'bash', variable: null, dagIndex: 0,
      range, operatorRange: range, taskIdRange: range, line: 0, args: {}, bashCommand: 'true', pythonCallable: null, opArgs: null, opKwargs: null,
      secrets: [], executionTimeoutSeconds: null, upstream: [], downstream: [],
    };
    assert.equal(JSON.parse(JSON.stringify(plain)).taskId, 't');
  });
});
