"""``@task_group``: each call of the function builds a TaskGroup (a repeated id gets ``__1``, ``__2``…)."""
from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional

from vortex.models.taskgroup import TaskGroup
from vortex.models.xcom_arg import iter_xcom_args


class TaskGroupFactory:
    def __init__(self, function: Callable[..., Any], kwargs: Dict[str, Any]) -> None:
        self.function = function
        self.kwargs = kwargs
        functools.update_wrapper(self, function)

    def _group(self) -> TaskGroup:
        options = dict(self.kwargs)
        options.setdefault("group_id", self.function.__name__)
        options.setdefault("add_suffix_on_collision", True)
        if self.function.__doc__ and not options.get("tooltip"):
            options["tooltip"] = self.function.__doc__
        return TaskGroup(**options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._group() as group:
            returned = self.function(*args, **kwargs)
        # What the function returns stands for the group in dependencies; nothing returned, the group itself.
        return group if returned is None else returned

    def override(self, **kwargs: Any) -> "TaskGroupFactory":
        return TaskGroupFactory(self.function, {**self.kwargs, **kwargs})

    def partial(self, **kwargs: Any) -> "_GroupPartial":
        return _GroupPartial(self, kwargs)

    def expand(self, **kwargs: Any) -> TaskGroup:
        return self.partial().expand(**kwargs)

    def expand_kwargs(self, kwargs: Any) -> TaskGroup:
        return self.partial().expand_kwargs(kwargs)


class _GroupPartial:
    """A mapped task group: built once, its tasks mapped; XComArgs it expands over are upstream of the group."""

    def __init__(self, factory: TaskGroupFactory, kwargs: Dict[str, Any]) -> None:
        self.factory = factory
        self.kwargs = kwargs

    def _mapped(self, arguments: Dict[str, Any], expand_input: Any) -> TaskGroup:
        with self.factory._group() as group:
            self.factory.function(**self.kwargs, **arguments)
        for task in group:
            task.mapped = True  # type: ignore[attr-defined]
        for ref in iter_xcom_args(expand_input):
            group.set_upstream(ref.operator)
        return group

    def expand(self, **kwargs: Any) -> TaskGroup:
        return self._mapped(kwargs, kwargs)

    def expand_kwargs(self, kwargs: Any) -> TaskGroup:
        params = [n for n in _parameters(self.factory.function) if n not in self.kwargs]
        return self._mapped(dict.fromkeys(params, kwargs), kwargs)


def _parameters(function: Callable[..., Any]) -> Any:
    import inspect

    return list(inspect.signature(function).parameters)


def task_group(python_callable: Optional[Callable[..., Any]] = None, **kwargs: Any) -> Any:
    """``@task_group``, ``@task_group()`` and ``@task_group(group_id=..., ...)``."""
    if callable(python_callable):
        return TaskGroupFactory(python_callable, kwargs)

    def wrap(function: Callable[..., Any]) -> TaskGroupFactory:
        return TaskGroupFactory(function, kwargs)

    return wrap
