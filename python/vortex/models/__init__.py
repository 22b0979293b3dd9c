"""The DAG and the base operator, as ``airflow.models`` offers them."""
from vortex.models.baseoperator import BaseOperator, chain, cross_downstream
from vortex.models.dag import DAG

__all__ = ["DAG", "BaseOperator", "chain", "cross_downstream"]
