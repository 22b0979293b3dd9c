"""Hooks through which ``vortex._inspector`` sees a DAG file make its DAGs, tasks and dependencies.

Off unless a recorder is started: the SDK then pays one module-global lookup
per DAG, task and dependency, so DAG files and task runs are no slower for it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from vortex.models.baseoperator import BaseOperator
    from vortex.models.dag import DAG
    from vortex.models.taskgroup import TaskGroup


class Recorder:
    """Told of each DAG, task and dependency as it is made; the base does nothing."""

    def dag_created(self, dag: "DAG") -> None:
        """A DAG's constructor has run."""

    def task_created(self, task: "BaseOperator") -> None:
        """A task's base constructor has run, before the task joins its DAG."""

    def dag_defined(self, dag: "DAG", function: object) -> None:
        """``dag`` was built by calling the ``@dag`` function ``function``: defined where the function is."""

    def group_created(self, group: "TaskGroup") -> None:
        """A TaskGroup (not a DAG's root group) has joined its parent."""

    def edge_set(self, upstream: "BaseOperator", downstream: "BaseOperator") -> None:
        """``upstream`` now runs before ``downstream`` (again, if the edge existed)."""


active: Optional[Recorder] = None


def start(recorder: Recorder) -> None:
    global active
    active = recorder


def stop() -> None:
    global active
    active = None
