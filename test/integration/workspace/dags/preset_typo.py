# A mistyped preset (VX103) whose quick fix is the closest valid one, @daily.
from vortex import DAG
from vortex.operators.dummy import DummyOperator

with DAG(dag_id="nightly_report", schedule="@daly") as dag:
    start = DummyOperator(task_id="start")
    finish = DummyOperator(task_id="finish")

    start >> finish
