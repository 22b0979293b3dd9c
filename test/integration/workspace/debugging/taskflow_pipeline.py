# A TaskFlow DAG: the debugger tests stop in the @task function summarize
# (line marked "stop here") and read its argument, extract's XCom.
from datetime import datetime

from airflow.decorators import dag, task


@dag(dag_id="taskflow_pipeline", start_date=datetime(2025, 1, 1), schedule=None, catchup=False)
def taskflow_pipeline():
    @task
    def extract():
        return {"rows": 4}

    @task
    def summarize(payload, label="rows"):
        count = payload[label]  # stop here
        print(f"{count} {label}")

    summarize(extract())


taskflow_pipeline()
