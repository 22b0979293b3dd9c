# A Python task whose upstream fails: debugging it with its upstream never
# starts it, and the debug session must end with the run.
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def report():
    print("never reached")


with DAG(dag_id="broken_upstream", start_date=datetime(2025, 1, 1), schedule_interval=None) as dag:
    fetch = BashOperator(task_id="fetch", bash_command="echo 'source unreachable' >&2; exit 3")
    summary = PythonOperator(task_id="summary", python_callable=report)

    fetch >> summary
