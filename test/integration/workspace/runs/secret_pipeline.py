# The integration tests set VORTEX_IT_TOKEN with "VORTEX: Set Secret" and run
# this DAG: the task must receive the value, and the output must show *** only.
from vortex import DAG
from vortex.operators.bash import BashOperator

with DAG(
    dag_id="secret_pipeline",
    schedule_interval="@daily",
    owner="it",
    secrets=["VORTEX_IT_TOKEN"],
) as dag:
    # Not ${#VORTEX_IT_TOKEN}: "{#" opens a Jinja comment, which Airflow (and VORTEX) would render.
    show = BashOperator(
        task_id="show",
        bash_command='echo "token is $VORTEX_IT_TOKEN, length $(printf %s "$VORTEX_IT_TOKEN" | wc -c | tr -d " ")"',
    )
