# Two DAGs in one file: the graph panel's picker chooses between them, and a
# panel restored after a reload shows the one that was picked.
from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.dummy import DummyOperator

with DAG(dag_id="restore_first", schedule="@daily") as first:
    begin = DummyOperator(task_id="begin")
    finish = DummyOperator(task_id="finish")

    begin >> finish

with DAG(dag_id="restore_second", schedule="@hourly") as second:
    fetch = BashOperator(task_id="fetch", bash_command="echo fetch")
    clean = BashOperator(task_id="clean", bash_command="echo clean")
    load = BashOperator(task_id="load", bash_command="echo load")

    fetch >> clean >> load
