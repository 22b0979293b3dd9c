"""The operators VORTEX runs locally: Bash, Python and Dummy/Empty.

Each lives in its own module (``vortex.operators.bash``, as ``airflow.operators.bash``),
and the package offers them all, as ``airflow.operators`` did in Airflow 1:
``from vortex.operators import BashOperator``.
"""
from vortex.operators.bash import BashOperator
from vortex.operators.dummy import DummyOperator
from vortex.operators.empty import EmptyOperator
from vortex.operators.python import PythonOperator

__all__ = ["BashOperator", "DummyOperator", "EmptyOperator", "PythonOperator"]
