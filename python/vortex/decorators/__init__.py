"""Airflow's TaskFlow decorators: ``@dag``, ``@task`` (and ``@task.bash``, ``@task.branch``, …) and ``@task_group``.

``from airflow.decorators import dag, task, task_group`` (Airflow 2) and
``from airflow.sdk import dag, task, task_group`` (Airflow 3) both get these.
"""
from __future__ import annotations

from typing import Any, Callable, Dict

from vortex.decorators.base import DecoratedOperator, TaskDecorator, get_unique_task_id, task_decorator_factory
from vortex.decorators.dag import dag
from vortex.decorators.task_group import task_group
from vortex.decorators.tasks import DECORATED_OPERATORS, other_decorated_operator

__all__ = ["DecoratedOperator", "TaskDecorator", "dag", "get_unique_task_id", "setup", "task", "task_group", "teardown"]


class TaskDecoratorCollection:
    """``task``: itself the Python decorator, and ``task.<kind>`` for every other kind.

    A kind VORTEX does not know (a provider's ``@task.snowpark``) still makes a
    task, drawn and not run.
    """

    def __init__(self) -> None:
        self._decorators: Dict[str, Callable[..., Any]] = {
            kind: task_decorator_factory("task." + kind, cls) for kind, cls in DECORATED_OPERATORS.items()
        }
        self._task = task_decorator_factory("task", DECORATED_OPERATORS["python"])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``@task``: written so, the graph says ``task``; ``@task.python`` says ``task.python``."""
        return self._task(*args, **kwargs)

    def __getattr__(self, kind: str) -> Callable[..., Any]:
        if kind.startswith("__"):
            raise AttributeError(kind)
        decorators: Dict[str, Callable[..., Any]] = self.__dict__["_decorators"]
        if kind not in decorators:
            decorators[kind] = task_decorator_factory("task." + kind, other_decorated_operator(kind))
        return decorators[kind]


task = TaskDecoratorCollection()

# ``@setup`` / ``@teardown``: tasks that prepare and clean up for others; drawn and run as ``@task`` ones.
setup = task_decorator_factory("setup", DECORATED_OPERATORS["python"], role="setup")
teardown = task_decorator_factory("teardown", DECORATED_OPERATORS["python"], role="teardown")
