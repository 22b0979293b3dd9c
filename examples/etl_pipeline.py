"""A small ETL pipeline that runs on your machine: shell steps with sh, Python steps with python3.

Each step is self-contained (a Python step imports what it needs inside its
function), so any task can also be run on its own.
"""
from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.dummy import DummyOperator
from vortex.operators.python import PythonOperator


def extract_orders():
    orders = [
        {"id": 1, "customer": "ada", "amount": 19.99},
        {"id": 2, "customer": "grace", "amount": 5.00},
        {"id": 3, "customer": "ada", "amount": 42.50},
    ]
    print("extracted", len(orders), "orders")
    for order in orders:
        print("  order", order["id"], "for", order["customer"], "=", order["amount"])


def transform_totals():
    orders = [("ada", 19.99), ("grace", 5.00), ("ada", 42.50)]
    totals = {}
    for customer, amount in orders:
        totals[customer] = round(totals.get(customer, 0) + amount, 2)
    for customer in sorted(totals):
        print("total for", customer, "=", totals[customer])


def load_warehouse():
    import json

    rows = [{"customer": "ada", "total": 62.49}, {"customer": "grace", "total": 5.0}]
    print("loading", len(rows), "rows:", json.dumps(rows))
    print("load complete")


with DAG(
    dag_id="etl_pipeline",
    schedule_interval="0 6 * * *",
    owner="data_team",
    description="Extract orders and customers, total them per customer, load and report",
    tags=["etl", "example"],
) as dag:
    start = DummyOperator(task_id="start")

    check_env = BashOperator(
        task_id="check_env",
        bash_command='echo "running on $(uname -s)" && command -v python3 >/dev/null && echo "python3 found"',
    )

    orders = PythonOperator(task_id="extract_orders", python_callable=extract_orders)

    customers = BashOperator(
        task_id="extract_customers",
        bash_command="echo 'id,name' && echo '1,ada' && echo '2,grace' && echo 'extracted 2 customers'",
    )

    transform = PythonOperator(task_id="transform_totals", python_callable=transform_totals)

    load = PythonOperator(task_id="load_warehouse", python_callable=load_warehouse, retries=1)

    report = BashOperator(
        task_id="report",
        bash_command='echo "report ready at $(date -u +%H:%M:%S) UTC"',
    )

    end = DummyOperator(task_id="end")

    start >> check_env >> [orders, customers] >> transform >> load >> report >> end
