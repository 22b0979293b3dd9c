"""The bases of Airflow's branching and sensing operators, which VORTEX draws but does not run."""
from __future__ import annotations

from typing import Any, Dict, Optional

from vortex.exceptions import UnsupportedAirflowFeature
from vortex.models.baseoperator import BaseOperator


class BaseBranchOperator(BaseOperator):
    """A task that chooses which of its downstream tasks run (``choose_branch``)."""

    branch = True

    def choose_branch(self, context: Any) -> Any:
        raise NotImplementedError

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        raise UnsupportedAirflowFeature("VORTEX cannot run %s locally" % type(self).__name__)


class BaseSensorOperator(BaseOperator):
    """A task that waits for something (``poke``) until it is true or times out."""

    def __init__(
        self,
        *,
        poke_interval: Any = 60,
        timeout: Any = 7 * 24 * 60 * 60,
        soft_fail: bool = False,
        mode: str = "poke",
        exponential_backoff: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.poke_interval = poke_interval
        self.timeout = timeout
        self.soft_fail = soft_fail
        self.mode = mode
        self.exponential_backoff = exponential_backoff

    def poke(self, context: Any) -> Any:
        raise NotImplementedError

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        raise UnsupportedAirflowFeature("VORTEX cannot run %s locally" % type(self).__name__)


class PokeReturnValue:
    """What a sensor's ``poke`` may return: done or not, and a value to push."""

    def __init__(self, is_done: bool, xcom_value: Any = None) -> None:
        self.is_done = is_done
        self.xcom_value = xcom_value

    def __bool__(self) -> bool:
        return self.is_done
