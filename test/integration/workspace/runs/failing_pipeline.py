# A branch that fails and one that does not: the tests check that the failure
# marks its downstream upstream_failed while the other branch still succeeds.
from vortex import DAG
from vortex.operators.bash import BashOperator

with DAG(dag_id="failing_pipeline", schedule_interval="@daily", owner="it") as dag:
    start = BashOperator(task_id="start", bash_command="echo start")
    breaks = BashOperator(task_id="breaks", bash_command="echo 'about to fail' >&2; exit 7")
    after_break = BashOperator(task_id="after_break", bash_command="echo never")
    fine = BashOperator(task_id="fine", bash_command="echo fine")

    start >> breaks >> after_break
    start >> fine
