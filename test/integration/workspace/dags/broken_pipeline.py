# Two mistakes the Problems panel must show: an hour that does not exist (VX103)
# and a BashOperator without its command (VX203).
from vortex import DAG
from vortex.operators.bash import BashOperator

with DAG(
    dag_id="broken_pipeline",
    schedule_interval="0 25 * * *",
    owner="data_team",
) as dag:
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    load = BashOperator(task_id="load")

    extract >> load
