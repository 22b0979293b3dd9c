"""The operator each ``@task.<kind>`` makes."""
from __future__ import annotations

from typing import Any, Dict, Optional, Type

from vortex.decorators.base import DecoratedOperator
from vortex.exceptions import UnsupportedAirflowFeature
from vortex.operators.bash import BashOperator
from vortex.operators.branch import BaseSensorOperator
from vortex.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator


class _PythonCallArguments(DecoratedOperator):
    def _operator_arguments(self) -> Dict[str, Any]:
        return {"python_callable": self.python_callable, "op_args": self.op_args, "op_kwargs": self.op_kwargs}


class PythonDecoratedOperator(_PythonCallArguments, PythonOperator):
    """``@task`` / ``@task.python``: VORTEX runs it as a PythonOperator."""


class BranchPythonDecoratedOperator(_PythonCallArguments, BranchPythonOperator):
    """``@task.branch``."""


class ShortCircuitDecoratedOperator(_PythonCallArguments, ShortCircuitOperator):
    """``@task.short_circuit``."""


class BashDecoratedOperator(DecoratedOperator, BashOperator):
    """``@task.bash``: the command is what the function returns, computed when the task runs."""

    def _operator_arguments(self) -> Dict[str, Any]:
        return {"bash_command": ""}

    @property
    def bash_command(self) -> str:
        command = self.python_callable(*self.op_args, **self.op_kwargs)
        if not isinstance(command, str) or not command.strip():
            raise TypeError("The returned value from the TaskFlow callable must be a non-empty string.")
        return command

    @bash_command.setter
    def bash_command(self, value: str) -> None:
        """BashOperator's constructor sets a placeholder; the function gives the command."""


class _NotRunHere(DecoratedOperator):
    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        raise UnsupportedAirflowFeature("VORTEX cannot run @%s tasks locally" % self.decorator_name)


class SensorDecoratedOperator(_NotRunHere, BaseSensorOperator):
    """``@task.sensor``: the function is the sensor's poke."""


def other_decorated_operator(kind: str) -> Type[DecoratedOperator]:
    """The operator of ``@task.<kind>`` for a kind VORTEX draws but does not run (virtualenv, docker, …)."""
    name = "".join(part.capitalize() for part in kind.split("_")) + "DecoratedOperator"
    return type(name, (_NotRunHere,), {"__module__": __name__, "__qualname__": name})


DECORATED_OPERATORS: Dict[str, Type[DecoratedOperator]] = {
    "python": PythonDecoratedOperator,
    "branch": BranchPythonDecoratedOperator,
    "short_circuit": ShortCircuitDecoratedOperator,
    "bash": BashDecoratedOperator,
    "sensor": SensorDecoratedOperator,
}
