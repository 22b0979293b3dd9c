"""Secrets: a task names the secrets it needs with secrets=[...], and gets them as environment variables.

Run it with a vault file holding API_TOKEN=..., for example
`vortex run examples/secrets_api_dag.py --secrets-file .env`. Secret values are
masked as *** in all output.
"""
from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.dummy import DummyOperator
from vortex.operators.python import PythonOperator


def call_api():
    import os

    token = os.environ.get("API_TOKEN", "")
    if not token:
        raise SystemExit("API_TOKEN is not set")
    print("calling the API with a token of", len(token), "characters")
    print("API answered: 200 OK")


with DAG(
    dag_id="secrets_api",
    schedule_interval="@hourly",
    owner="integrations",
    description="Call an API with a token taken from the secret vault",
    tags=["secrets", "example"],
) as dag:
    start = DummyOperator(task_id="start")

    check_token = BashOperator(
        task_id="check_token",
        bash_command='test -n "$API_TOKEN" && echo "API_TOKEN is available to the shell"',
        secrets=["API_TOKEN"],
    )

    fetch = PythonOperator(
        task_id="call_api",
        python_callable=call_api,
        secrets=["API_TOKEN"],
    )

    # This task asks for no secret, so it gets none.
    announce = BashOperator(task_id="announce", bash_command="echo 'API data refreshed'")

    start >> check_token >> fetch >> announce
