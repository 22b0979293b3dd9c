"""Operators and sensors VORTEX does not know (a provider's, ``airflow.sensors.*``): generated classes.

A task of such a class is drawn with its class's name and module, and XComArgs
anywhere in its arguments make the tasks they come from upstream of it, as the
templated fields of Airflow's operators do. VORTEX does not run it.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from vortex.exceptions import UnsupportedAirflowFeature
from vortex.models.baseoperator import BaseOperator
from vortex.models.xcom_arg import iter_xcom_args
from vortex.operators.branch import BaseBranchOperator, BaseSensorOperator


class GeneratedOperator(BaseOperator):
    """The base of generated classes; their arguments are kept in ``extra_args`` and read as attributes."""

    def _finish_init(self) -> None:
        # Which fields the real class templates is not known here: any XComArg among its arguments counts.
        for ref in iter_xcom_args(list(self.extra_args.values())):
            if ref.operator is not self:
                self.set_upstream(ref.operator)

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra_args")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        raise UnsupportedAirflowFeature("VORTEX cannot run %s locally" % type(self).__name__)


class _GeneratedSensor(GeneratedOperator, BaseSensorOperator):
    pass


class _GeneratedBranch(GeneratedOperator, BaseBranchOperator):
    pass


def operator_class(module: str, name: str) -> type:
    """``name`` of ``module`` as a generated class: a sensor, a branch operator or a plain operator, by its name."""
    if "Sensor" in name:
        base: type = _GeneratedSensor
    elif name.startswith("Branch"):
        base = _GeneratedBranch
    else:
        base = GeneratedOperator
    return type(name, (base,), {"__module__": module, "__qualname__": name})
