"""Branching in Airflow's shape: a branch operator, @task.branch, labelled edges and a join that tolerates skips."""
from __future__ import annotations

import random

import pendulum

from airflow.decorators import task
from airflow.models.dag import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator
from airflow.utils.edgemodifier import Label
from airflow.utils.trigger_rule import TriggerRule


def choose_branch():
    return random.choice(["branch_a", "branch_b"])


with DAG(
    dag_id="example_branch_labels",
    schedule="@daily",
    start_date=pendulum.datetime(2021, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    run_this_first = EmptyOperator(task_id="run_this_first")
    branching = BranchPythonOperator(task_id="branching", python_callable=choose_branch)
    run_this_first >> branching

    join = EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)

    branch_a = EmptyOperator(task_id="branch_a")
    follow_a = EmptyOperator(task_id="follow_branch_a")
    branching >> Label("branch_a") >> branch_a >> follow_a >> join

    branch_b = EmptyOperator(task_id="branch_b")
    branching >> Label("branch_b") >> branch_b >> join

    @task.branch(task_id="check_quality")
    def check_quality():
        return "report" if random.random() > 0.5 else "alert"

    report = EmptyOperator(task_id="report")
    alert = EmptyOperator(task_id="alert", trigger_rule="all_failed")
    quality = check_quality()
    join >> quality
    quality >> Label("passed") >> report
    quality >> Label("failed") >> alert
