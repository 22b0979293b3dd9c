"""A run with Airflow's templates and XCom, for the runs view."""
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def count_rows(ti, params):
    ti.xcom_push(key="source", value=params["source"])
    return 42


with DAG(dag_id="templated_pipeline", schedule="@daily", params={"source": "orders"}) as dag:
    count = PythonOperator(task_id="count", python_callable=count_rows)
    report = BashOperator(
        task_id="report",
        bash_command="echo {{ ds }}: {{ ti.xcom_pull(task_ids='count') }} rows of {{ params.source }}",
    )
    count >> report
