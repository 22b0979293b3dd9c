"""Fan-out and fan-in: independent data-quality checks run in parallel, each with a timeout."""
from datetime import timedelta

from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.dummy import DummyOperator
from vortex.operators.python import PythonOperator


def check_nulls():
    rows = [{"id": 1, "email": "ada@example.com"}, {"id": 2, "email": "grace@example.com"}]
    missing = [row["id"] for row in rows if not row["email"]]
    print("rows with a missing email:", missing or "none")


def check_duplicates():
    ids = [1, 2, 3, 4]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    print("duplicate ids:", duplicates or "none")


with DAG(
    dag_id="parallel_checks",
    schedule_interval="*/30 * * * *",
    owner="quality",
    description="Run independent checks side by side, then publish one verdict",
    tags=["quality", "example"],
) as dag:
    start = DummyOperator(task_id="start")

    nulls = PythonOperator(
        task_id="check_nulls",
        python_callable=check_nulls,
        execution_timeout=timedelta(seconds=30),
    )
    duplicates = PythonOperator(
        task_id="check_duplicates",
        python_callable=check_duplicates,
        execution_timeout=timedelta(seconds=30),
    )
    freshness = BashOperator(
        task_id="check_freshness",
        bash_command='echo "data checked at $(date -u +%Y-%m-%dT%H:%M:%SZ)" && sleep 1 && echo "fresh"',
        execution_timeout=timedelta(seconds=30),
    )
    disk = BashOperator(
        task_id="check_disk",
        bash_command="df -k . | tail -n 1 && echo 'disk ok'",
        execution_timeout=timedelta(seconds=30),
    )

    verdict = BashOperator(task_id="publish_verdict", bash_command="echo 'all checks passed'")

    start.set_downstream([nulls, duplicates, freshness, disk])
    verdict.set_upstream([nulls, duplicates, freshness, disk])
