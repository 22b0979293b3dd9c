"""A realistic modern DAG: TaskFlow, nested TaskGroups, @task_group, Labels, mapping, branching, constants (40 tasks)."""
from __future__ import annotations

from datetime import timedelta

import pendulum

from airflow.decorators import dag, task, task_group
from airflow.models.baseoperator import chain, chain_linear
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.utils.edgemodifier import Label
from airflow.utils.task_group import TaskGroup
from airflow.utils.trigger_rule import TriggerRule

DAG_ID = "retail_daily"
WAREHOUSE = "analytics"
REGIONS = ["emea", "amer", "apac"]

default_args = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


@task
def extract(source: str):
    return {"source": source, "rows": 1000}


@task
def validate(batch: dict):
    if batch["rows"] == 0:
        raise ValueError("empty batch")
    return batch


@task_group
def ingest(source: str):
    """Extract one source and validate it: each call makes its own group."""
    checked = validate(extract(source))
    archive = BashOperator(task_id="archive", bash_command=f"echo archive {WAREHOUSE}")
    checked >> archive
    return checked


@dag(
    dag_id=DAG_ID,
    schedule="0 3 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args=default_args,
    tags=["retail", WAREHOUSE],
)
def retail_daily():
    start = EmptyOperator(task_id="start")
    end = EmptyOperator(task_id="end", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)

    orders = ingest("orders")
    customers = ingest("customers")
    products = ingest.override(group_id="catalog")("products")

    with TaskGroup("transform") as transform:
        with TaskGroup("staging") as staging:
            stage_orders = BashOperator(task_id="stage_orders", bash_command="dbt run -s stg_orders")
            stage_customers = BashOperator(task_id="stage_customers", bash_command="dbt run -s stg_customers")
            stage_products = BashOperator(task_id="stage_products", bash_command="dbt run -s stg_products")
            seed_stores = BashOperator(task_id="seed_stores", bash_command="dbt seed -s stores")
            seed_calendar = BashOperator(task_id="seed_calendar", bash_command="dbt seed -s calendar")
        with TaskGroup("marts") as marts:
            fact_sales = BashOperator(task_id="fact_sales", bash_command="dbt run -s fct_sales")
            dim_customer = BashOperator(task_id="dim_customer", bash_command="dbt run -s dim_customer")
            dim_product = BashOperator(task_id="dim_product", bash_command="dbt run -s dim_product")
            dim_store = BashOperator(task_id="dim_store", bash_command="dbt run -s dim_store")
            fact_returns = BashOperator(task_id="fact_returns", bash_command="dbt run -s fct_returns")
            [dim_customer, dim_product, dim_store] >> fact_sales
            [dim_customer, dim_product] >> fact_returns
        tests = BashOperator(task_id="tests", bash_command="dbt test")
        chain_linear([stage_orders, stage_customers, stage_products], [dim_customer, dim_product])
        [seed_stores, seed_calendar] >> dim_store
        marts >> tests

    with TaskGroup("quality") as quality:
        row_counts = BashOperator(task_id="row_counts", bash_command="echo row counts")
        freshness = BashOperator(task_id="freshness", bash_command="echo freshness")
        with TaskGroup("schema") as schema:
            BashOperator(task_id="orders", bash_command="echo orders schema")
            BashOperator(task_id="customers", bash_command="echo customers schema")
            BashOperator(task_id="products", bash_command="echo products schema")
        quality_report = EmptyOperator(task_id="report")
        [row_counts, freshness, schema] >> quality_report

    @task
    def list_partitions():
        return ["2024-01-01", "2024-01-02", "2024-01-03"]

    @task
    def compact(partition: str):
        print("compacting", partition)

    compacted = compact.expand(partition=list_partitions())

    @task.branch
    def choose_publication(test_result=None):
        return "publish.full" if test_result else "publish.incremental"

    with TaskGroup("publish") as publish:
        full = BashOperator(task_id="full", bash_command="echo full refresh")
        incremental = BashOperator(task_id="incremental", bash_command="echo incremental")
        notify = EmptyOperator(task_id="notify", trigger_rule="none_failed_min_one_success")
        [full, incremental] >> notify

    choice = choose_publication()

    with TaskGroup("regions") as regions:
        emea = BashOperator(task_id="emea", bash_command="echo emea")
        amer = BashOperator(task_id="amer", bash_command="echo amer")
        apac = BashOperator(task_id="apac", bash_command="echo apac")

    export = BashOperator.partial(task_id="export", retries=1).expand(bash_command=["echo csv", "echo parquet"])

    audit = BashOperator(task_id="audit", bash_command="echo audit", trigger_rule=TriggerRule.ALL_DONE)
    cleanup = EmptyOperator(task_id="cleanup", trigger_rule="all_done")

    start >> [orders, customers, products]
    orders >> Label("orders ready") >> stage_orders
    customers >> Label("customers ready") >> stage_customers
    products >> Label("catalog ready") >> stage_products
    tests >> quality >> compacted >> choice
    choice >> Label("full") >> full
    choice >> Label("incremental") >> incremental
    publish >> regions >> export
    chain(export, audit, cleanup, end)


retail_daily()
