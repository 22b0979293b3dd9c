"""Tasks built in loops and by a helper: one extract and one summary per region, one export per format.

Reading the source cannot list these tasks (VX404); in a trusted workspace
VORTEX executes the file with its bundled SDK and shows every one of them.
"""
from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.dummy import DummyOperator
from vortex.operators.python import PythonOperator

REGIONS = ["emea", "amer", "apac"]
EXPORT_FORMATS = {"csv": "text/csv", "json": "application/json"}


def summarise(region):
    print(f"summary of {region}: 3 tables checked")


def export_task(fmt, mime_type):
    """One export step per format: the task is made here, not where it is called."""
    return BashOperator(
        task_id=f"export_{fmt}",
        bash_command=f"echo 'exporting the report as {fmt} ({mime_type})'",
    )


with DAG(
    dag_id="dynamic_regions",
    schedule_interval="@daily",
    owner="analytics",
    description="Extract and summarise each region, then export the merged report in every format",
    tags=["dynamic", "example"],
) as dag:
    start = DummyOperator(task_id="start")
    merge = DummyOperator(task_id="merge")

    for region in REGIONS:
        extract = BashOperator(task_id=f"extract_{region}", bash_command=f"echo 'extracting {region}'")
        summary = PythonOperator(task_id=f"summarise_{region}", python_callable=summarise, op_args=[region])
        start >> extract >> summary >> merge

    for fmt, mime_type in EXPORT_FORMATS.items():
        merge >> export_task(fmt, mime_type)
