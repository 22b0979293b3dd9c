/**
 * A DAG file that imports pandas at its top but uses it only inside one task's
 * callable: with pandas missing from the interpreter, its graph must still
 * resolve (VX508, information), `summarise` must fail when run and `count`
 * and `notify` must run. The tests that use it skip where pandas is installed.
 */
export const PANDAS_DAG = [
  'import pandas as pd',
  'from vortex import DAG',
  'from vortex.operators.bash import BashOperator',
  'from vortex.operators.python import PythonOperator',
  '',
  '',
  'def summarise():',
  '    print(pd.DataFrame({"sales": [1, 2, 3]}).describe())',
  '',
  '',
  'def count():',
  '    print("counted", len([1, 2, 3]))',
  '',
  '',
  'with DAG(dag_id="pandas_report") as dag:',
  '    PythonOperator(task_id="summarise", python_callable=summarise)',
  '    PythonOperator(task_id="count", python_callable=count)',
  '    notify = BashOperator(task_id="notify", bash_command="echo notified")',
  '',
].join('\n');
