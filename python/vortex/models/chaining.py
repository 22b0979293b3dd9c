"""``chain``, ``chain_linear`` and ``cross_downstream``, as Airflow's ``airflow.models.baseoperator`` offers them.

Each works on tasks, XComArgs, TaskGroups and labels alike, and on lists of them.
"""
from __future__ import annotations

from typing import Any, Sequence

from vortex.models.dependency import DependencyMixin
from vortex.models.edges import EdgeModifier


def chain(*tasks: Any) -> None:
    """Sets each element upstream of the next: ``chain(a, [b, c], d)`` is ``a >> [b, c] >> d``.

    Two adjacent lists are linked pairwise and must have the same length.
    """
    for up, down in zip(tasks, tasks[1:]):
        if isinstance(up, DependencyMixin):
            up.set_downstream(down)
        elif isinstance(down, DependencyMixin):
            down.set_upstream(up)
        else:
            ups, downs = list(up), list(down)
            if len(ups) != len(downs):
                raise ValueError("chain cannot link lists of different lengths: %d and %d" % (len(ups), len(downs)))
            for u, d in zip(ups, downs):
                u.set_downstream(d)


def chain_linear(*elements: Any) -> None:
    """Sets every task of each element upstream of every task of the next, lists or not."""
    if not elements:
        raise ValueError("No tasks provided; nothing to do.")
    previous = None
    linked = False
    for element in elements:
        if isinstance(element, EdgeModifier):
            raise ValueError("Labels are not supported by chain_linear")
        if previous is not None:
            for task in previous:
                task.set_downstream(element)
                linked = True
        previous = [element] if isinstance(element, DependencyMixin) else list(element)
    if not linked:
        raise ValueError("No dependencies were set. Did you forget to expand with `*`?")


def cross_downstream(from_tasks: Sequence[Any], to_tasks: Any) -> None:
    """Sets every task of ``from_tasks`` upstream of every task of ``to_tasks``."""
    for task in from_tasks:
        task.set_downstream(to_tasks)
