"""An Airflow-style DAG file: Airflow imports, default_args, schedule= and chain().

VORTEX reads it as it is, so a DAG written for Airflow can be checked, graphed
and run locally without changing a line.
"""
from datetime import datetime

from airflow import DAG
from airflow.models.baseoperator import chain
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator


def count_words():
    text = "the quick brown fox jumps over the lazy dog the end"
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]
    print("top words:", top)


def summarise():
    print("summary: 11 words, 9 distinct")


with DAG(
    dag_id="airflow_style_word_count",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"owner": "analytics", "retries": 1},
    description="Count words, in the Airflow style",
    tags=["airflow", "example"],
) as dag:
    begin = EmptyOperator(task_id="begin")

    fetch = BashOperator(
        task_id="fetch_text",
        bash_command="echo 'the quick brown fox jumps over the lazy dog the end' | wc -w",
    )

    count = PythonOperator(task_id="count_words", python_callable=count_words)
    summary = PythonOperator(task_id="summarise", python_callable=summarise)
    finish = EmptyOperator(task_id="finish")

    chain(begin, fetch, count, summary, finish)
