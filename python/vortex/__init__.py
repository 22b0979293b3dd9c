"""VORTEX: Airflow-style DAGs that run locally.

The bundled SDK that makes DAG files import and run as plain Python:

    from vortex import DAG
    from vortex.operators.bash import BashOperator

It needs nothing beyond the Python standard library (3.8+).
"""
from vortex.models.baseoperator import BaseOperator, chain, cross_downstream
from vortex.models.dag import DAG

__version__ = "0.1.0"

__all__ = ["DAG", "BaseOperator", "chain", "cross_downstream", "__version__"]
