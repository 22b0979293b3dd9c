/**
 * Generated DAG files of any size, shaped like real ones: a mix of the three
 * runnable operators, a chain with a fan-out every ten tasks, two lines a task.
 */
export function generateDag(tasks: number, dagId = `generated_${tasks}`): string {
  const lines = [
    'from vortex import DAG',
    'from vortex.operators.bash import BashOperator',
    'from vortex.operators.python import PythonOperator',
    'from vortex.operators.dummy import DummyOperator',
    '',
    '',
    'def transform():',
    '    print("transform")',
    '',
    '',
    `with DAG(dag_id="${dagId}", schedule_interval="0 12 * * *", owner="bench", tags=["generated"]) as dag:`,
  ];
  for (let i = 0; i < tasks; i++) {
    switch (i % 3) {
      case 0:
        lines.push(`    t${i} = BashOperator(task_id="t${i}", bash_command="echo step ${i}")`);
        break;
      case 1:
        lines.push(`    t${i} = PythonOperator(task_id="t${i}", python_callable=transform)`);
        break;
      default:
        lines.push(`    t${i} = DummyOperator(task_id="t${i}")`);
    }
  }
  for (let i = 1; i < tasks; i++) {
    // Every tenth task fans out from the last hub; the rest form a chain.
    const upstream = i % 10 === 0 ? Math.max(0, i - 10) : i - 1;
    lines.push(`    t${upstream} >> t${i}`);
  }
  return `${lines.join('\n')}\n`;
}
