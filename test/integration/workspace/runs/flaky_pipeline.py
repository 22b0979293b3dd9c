# Fails until input.flag exists beside it: the tests then run its failed tasks again.
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(dag_id="flaky_pipeline", schedule="@daily") as dag:
    prepare = BashOperator(task_id="prepare", bash_command="echo prepared {{ ds }}")
    load = BashOperator(task_id="load", bash_command="test -f input.flag && echo loaded \"{{ ti.xcom_pull(task_ids='prepare') }}\"")
    prepare >> load
