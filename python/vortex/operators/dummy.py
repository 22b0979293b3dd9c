"""DummyOperator: the older name of EmptyOperator, kept as Airflow keeps it."""
from __future__ import annotations

from vortex.operators.empty import EmptyOperator


class DummyOperator(EmptyOperator):
    """Succeeds at once; VORTEX starts no process for it."""
