import subprocess
subprocess.Popen(["setsid", "sh", "-c", "echo $$ > /tmp/proc-eng/imp.pid; exec sleep 1000"])
from vortex import DAG
from vortex.operators.bash import BashOperator
with DAG(dag_id="imp") as dag:
    BashOperator(task_id="a", bash_command="echo a")
