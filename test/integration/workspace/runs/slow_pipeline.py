# A task that would run for a minute: the tests stop it with "VORTEX: Stop Run".
from vortex import DAG
from vortex.operators.bash import BashOperator

with DAG(dag_id="slow_pipeline", schedule_interval="@daily", owner="it") as dag:
    slow = BashOperator(task_id="slow", bash_command="echo sleeping; sleep 60")
    later = BashOperator(task_id="later", bash_command="echo later")

    slow >> later
