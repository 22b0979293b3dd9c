# The debugger tests set breakpoints in price_order (lines marked "stop here")
# and in pricing.with_tax, run "Debug task" on price_order and read its locals.
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

from pricing import with_tax


def price_order(order_id, quantity, unit_price):
    subtotal = quantity * unit_price
    total = with_tax(subtotal)  # stop here
    print(f"order {order_id}: {total:.2f}")


with DAG(dag_id="order_pipeline", start_date=datetime(2025, 1, 1), schedule_interval="@daily", catchup=False) as dag:
    price = PythonOperator(
        task_id="price_order",
        python_callable=price_order,
        op_kwargs={"order_id": "A-17", "quantity": 3, "unit_price": 2.5},
    )
    announce = BashOperator(task_id="announce", bash_command='echo "priced by $VORTEX_DAG_ID"')
    # A command the file computes: the SDK's runner reads it from the imported DAG.
    archive = BashOperator(task_id="archive", bash_command="echo " + " ".join(["archived", "A-17"]))

    price >> announce >> archive
