"""Airflow's module paths, served by the SDK: ``from airflow.operators.bash import BashOperator`` gets VORTEX's.

Installed by ``vortex._inspector`` and by the task runner before a DAG file is
imported, so that Airflow DAG files run without Airflow. It takes every
``airflow.*`` import, even where a real Airflow is installed: what VORTEX
shows and runs must not depend on what else the interpreter happens to have.

Every ``airflow.*`` module imports. A name is looked up in this order:
1. a module VORTEX serves as such (``from airflow import models``);
2. a construct the SDK imitates (``NAMES``: DAG, TaskGroup, ``task``, Label,
   Variable, the operators VORTEX knows, …), under any of Airflow's paths;
3. any other ``…Operator`` or ``…Sensor`` (a provider's): a generated
   BaseOperator subclass, so that its tasks are drawn (VORTEX does not run
   them) and XComArgs among their arguments make edges;
4. any other capitalised name (a hook, ``Dataset``, ``Param``): an inert class;
   a lower-case one (a macro, ``conf``): an inert callable module. Inert things
   take any argument and attribute; where a DAG file would need their value
   (iterating one, reading it as text or a number) they raise
   StandInUsed naming them, which the inspector reports as VX504.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from vortex._inert import InertModule, inert_class
from vortex.exceptions import AirflowException

# Constructs by name, wherever Airflow 1, 2 or 3 defines or re-exports them.
NAMES: Dict[str, str] = {
    "DAG": "vortex.models.dag:DAG",
    "BaseOperator": "vortex.models.baseoperator:BaseOperator",
    "chain": "vortex.models.chaining:chain",
    "chain_linear": "vortex.models.chaining:chain_linear",
    "cross_downstream": "vortex.models.chaining:cross_downstream",
    "TaskGroup": "vortex.models.taskgroup:TaskGroup",
    "TaskGroupContext": "vortex.models.taskgroup:TaskGroupContext",
    "DagContext": "vortex.models.dag:DagContext",
    "Label": "vortex.models.edges:Label",
    "EdgeModifier": "vortex.models.edges:EdgeModifier",
    "XComArg": "vortex.models.xcom_arg:XComArg",
    "MappedOperator": "vortex.models.mappedoperator:MappedOperator",
    "TriggerRule": "vortex.utils.trigger_rule:TriggerRule",
    "Variable": "vortex.models.variable:Variable",
    "Connection": "vortex.models.connection:Connection",
    "BaseHook": "vortex.models.connection:BaseHook",
    "days_ago": "vortex.utils.dates:days_ago",
    "task": "vortex.decorators:task",
    "dag": "vortex.decorators:dag",
    "task_group": "vortex.decorators:task_group",
    "DecoratedOperator": "vortex.decorators.base:DecoratedOperator",
    "get_unique_task_id": "vortex.decorators.base:get_unique_task_id",
    "BashOperator": "vortex.operators.bash:BashOperator",
    "PythonOperator": "vortex.operators.python:PythonOperator",
    "BranchPythonOperator": "vortex.operators.python:BranchPythonOperator",
    "ShortCircuitOperator": "vortex.operators.python:ShortCircuitOperator",
    "PythonVirtualenvOperator": "vortex.operators.python:PythonVirtualenvOperator",
    "BranchPythonVirtualenvOperator": "vortex.operators.python:BranchPythonVirtualenvOperator",
    "ExternalPythonOperator": "vortex.operators.python:ExternalPythonOperator",
    "BranchExternalPythonOperator": "vortex.operators.python:BranchExternalPythonOperator",
    "get_current_context": "vortex.operators.python:get_current_context",
    "DummyOperator": "vortex.operators.dummy:DummyOperator",
    "EmptyOperator": "vortex.operators.empty:EmptyOperator",
    "BaseBranchOperator": "vortex.operators.branch:BaseBranchOperator",
    "BaseSensorOperator": "vortex.operators.branch:BaseSensorOperator",
    "PokeReturnValue": "vortex.operators.branch:PokeReturnValue",
    "AirflowException": "vortex.exceptions:AirflowException",
    "AirflowSkipException": "vortex.exceptions:AirflowSkipException",
    "AirflowFailException": "vortex.exceptions:AirflowFailException",
    "AirflowNotFoundException": "vortex.exceptions:AirflowNotFoundException",
    "AirflowSensorTimeout": "vortex.exceptions:AirflowSensorTimeout",
    "AirflowTaskTimeout": "vortex.exceptions:AirflowTaskTimeout",
    "AirflowDagCycleException": "vortex.exceptions:AirflowDagCycleException",
    "DuplicateTaskIdFound": "vortex.exceptions:DuplicateTaskIdFound",
    "TaskNotFound": "vortex.exceptions:TaskNotFound",
    "TaskAlreadyInTaskGroup": "vortex.exceptions:TaskAlreadyInTaskGroup",
    # Airflow 2's no-op decorator of operator constructors.
    "apply_defaults": "vortex._inert:unchanged",
    # TaskFlow's setup and teardown tasks: tasks like ``@task`` ones.
    "setup": "vortex.decorators:setup",
    "teardown": "vortex.decorators:teardown",
}

# What ``airflow.__version__`` says: files that branch on the version find one
# whose paths the SDK serves (it serves Airflow 3's as well).
VERSION = "2.10.5"

# Submodules served as modules where a name of the same spelling is also a construct
# (``from airflow.utils import task_group`` is the module, ``from airflow.decorators import task_group`` the decorator).
MODULES = frozenset(
    (
        "airflow.models", "airflow.models.dag", "airflow.models.baseoperator", "airflow.utils", "airflow.utils.task_group",
        "airflow.utils.dates", "airflow.utils.trigger_rule", "airflow.utils.edgemodifier", "airflow.utils.helpers",
        "airflow.operators", "airflow.sensors", "airflow.providers", "airflow.decorators", "airflow.sdk", "airflow.exceptions",
        "airflow.hooks", "airflow.macros",
    )
)

OPERATOR_SUFFIXES = ("Operator", "Sensor", "SensorAsync", "OperatorAsync")
_EXCEPTION_SUFFIXES = ("Exception", "Error")

_generated: Dict[Tuple[str, str], Any] = {}


def _construct(target: str) -> Any:
    owner, _, value = target.partition(":")
    return getattr(importlib.import_module(owner), value)


def generated_operator(module: str, name: str) -> type:
    """A class for an operator or sensor VORTEX does not know: a task of that class, drawn and not run."""
    key = (module, name)
    cls = _generated.get(key)
    if cls is None:
        from vortex.operators.generated import operator_class

        cls = _generated[key] = operator_class(module, name)
    return cls


def resolve(module: str, name: str) -> Any:
    """What ``from <module> import <name>`` gives (``module`` an ``airflow.*`` path)."""
    submodule = module + "." + name
    if submodule in MODULES:
        return importlib.import_module(submodule)
    target = NAMES.get(name)
    if target is not None:
        return _construct(target)
    if name[:1].isupper():
        key = (module, name)
        if name.endswith(OPERATOR_SUFFIXES):
            return generated_operator(module, name)
        found = _generated.get(key)
        if found is None:
            if name.endswith(_EXCEPTION_SUFFIXES):
                found = type(name, (AirflowException,), {"__module__": module, "__qualname__": name})
            else:
                found = inert_class(module, name)
            _generated[key] = found
        return found
    return importlib.import_module(submodule)


def _module_getattr(module: ModuleType) -> Callable[[str], Any]:
    """A served module's ``__getattr__`` (PEP 562); what it gives once, the module keeps."""

    def __getattr__(attribute: str) -> Any:
        if attribute.startswith("__"):
            # Probes such as ``__all__`` or ``__file__`` mean "absent".
            raise AttributeError("module %r has no attribute %r" % (module.__name__, attribute))
        value = resolve(module.__name__, attribute)
        setattr(module, attribute, value)
        return value

    return __getattr__


class _AirflowModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != "airflow" and not fullname.startswith("airflow."):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return InertModule(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        module.__path__ = []
        if module.__name__ in ("airflow", "airflow.version"):
            module.__dict__["__version__"] = module.__dict__["version"] = VERSION
        # PEP 562: a module's __getattr__ is found in its namespace.
        module.__dict__["__getattr__"] = _module_getattr(module)


_finder = _AirflowModules()


def install() -> None:
    """Serves ``airflow.*`` from the SDK from now on in this process; calling it again changes nothing."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for name in [n for n in sys.modules if n == "airflow" or n.startswith("airflow.")]:
        del sys.modules[name]

