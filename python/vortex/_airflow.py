"""Airflow's module paths, served by the SDK: ``from airflow.operators.bash import BashOperator`` gets VORTEX's.

Installed by ``vortex._inspector`` and by the task runner before a DAG file is
imported, so that Airflow DAG files run without Airflow. It takes every
``airflow.*`` import, even where a real Airflow is installed: what VORTEX
shows and runs must not depend on what else the interpreter happens to have.

Anything of Airflow the SDK has no stand-in for (a sensor, a provider's
operator, ``airflow.decorators``, ``Variable``) raises UnsupportedAirflowImport.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Callable, Dict, Optional, Sequence

from vortex.exceptions import UnsupportedAirflowImport

_DAG = "vortex.models.dag:DAG"
_BASE_OPERATOR = "vortex.models.baseoperator:BaseOperator"
_CHAIN = "vortex.models.baseoperator:chain"
_CROSS_DOWNSTREAM = "vortex.models.baseoperator:cross_downstream"
_BASH = "vortex.operators.bash:BashOperator"
_PYTHON = "vortex.operators.python:PythonOperator"
_DUMMY = "vortex.operators.dummy:DummyOperator"
_EMPTY = "vortex.operators.empty:EmptyOperator"

# Where Airflow 1, 2 and 3 define (or re-export) what VORTEX supports; the
# static analyser recognises these same classes under any ``airflow.*`` path.
ALIASES: Dict[str, Dict[str, str]] = {
    "airflow": {"DAG": _DAG},
    "airflow.models": {"DAG": _DAG, "BaseOperator": _BASE_OPERATOR},
    "airflow.models.dag": {"DAG": _DAG},
    "airflow.models.baseoperator": {"BaseOperator": _BASE_OPERATOR, "chain": _CHAIN, "cross_downstream": _CROSS_DOWNSTREAM},
    "airflow.utils.helpers": {"chain": _CHAIN, "cross_downstream": _CROSS_DOWNSTREAM},
    "airflow.operators": {"BashOperator": _BASH, "PythonOperator": _PYTHON, "DummyOperator": _DUMMY},
    "airflow.operators.bash": {"BashOperator": _BASH},
    "airflow.operators.bash_operator": {"BashOperator": _BASH},
    "airflow.operators.python": {"PythonOperator": _PYTHON},
    "airflow.operators.python_operator": {"PythonOperator": _PYTHON},
    "airflow.operators.dummy": {"DummyOperator": _DUMMY},
    "airflow.operators.dummy_operator": {"DummyOperator": _DUMMY},
    "airflow.operators.empty": {"EmptyOperator": _EMPTY},
    "airflow.providers.standard.operators.bash": {"BashOperator": _BASH},
    "airflow.providers.standard.operators.python": {"PythonOperator": _PYTHON},
    "airflow.providers.standard.operators.empty": {"EmptyOperator": _EMPTY},
    "airflow.sdk": {"DAG": _DAG, "BaseOperator": _BASE_OPERATOR, "chain": _CHAIN, "cross_downstream": _CROSS_DOWNSTREAM},
    "airflow.sdk.bases.operator": {"BaseOperator": _BASE_OPERATOR, "chain": _CHAIN, "cross_downstream": _CROSS_DOWNSTREAM},
    "airflow.sdk.definitions.dag": {"DAG": _DAG},
}

# Every module above a served one is a package, so that its submodules import.
PACKAGES = frozenset(name.rsplit(".", i)[0] for name in ALIASES for i in range(1, name.count(".") + 1))


def _is_served(name: str) -> bool:
    return name in ALIASES or name in PACKAGES


def _unsupported(name: str) -> UnsupportedAirflowImport:
    return UnsupportedAirflowImport("VORTEX has no stand-in for %s" % name, name=name)


def _missing_attribute(module_name: str) -> Callable[[str], Any]:
    """The module's ``__getattr__``: submodules import on access; any other unknown name is unsupported."""

    def __getattr__(attribute: str) -> Any:
        if attribute.startswith("__"):
            # Probes such as ``__version__`` or ``__all__`` mean "absent", not "unsupported".
            raise AttributeError("module %r has no attribute %r" % (module_name, attribute))
        submodule = module_name + "." + attribute
        if _is_served(submodule):
            return importlib.import_module(submodule)
        raise _unsupported(submodule)

    return __getattr__


class _AirflowAliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != "airflow" and not fullname.startswith("airflow."):
            return None
        # Unsupported modules get a spec too, so that importing them raises our
        # error rather than a ModuleNotFoundError that would read as "install Airflow".
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname in PACKAGES)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        if not _is_served(name):
            raise _unsupported(name)
        for attribute, target in ALIASES.get(name, {}).items():
            owner, _, value = target.partition(":")
            setattr(module, attribute, getattr(importlib.import_module(owner), value))
        # PEP 562: a module's __getattr__ is found in its namespace.
        module.__dict__["__getattr__"] = _missing_attribute(name)


_finder = _AirflowAliases()


def install() -> None:
    """Serves ``airflow.*`` from the SDK from now on in this process; calling it again changes nothing."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for name in [n for n in sys.modules if n == "airflow" or n.startswith("airflow.")]:
        del sys.modules[name]
