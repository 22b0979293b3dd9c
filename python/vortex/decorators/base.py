"""The TaskFlow decorators' operators: calling a ``@task`` function in a DAG makes one of these, and returns its XComArg.

The operator is a real one of its kind (a ``@task`` is a PythonOperator whose
``python_callable`` is the function, a ``@task.branch`` a BranchPythonOperator,
a ``@task.bash`` a BashOperator), holding the call's arguments as given in
``op_args`` and ``op_kwargs``; XComArgs among them make their tasks upstream.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Sequence, Type

from vortex.models.baseoperator import BaseOperator
from vortex.models.dag import DagContext
from vortex.models.mappedoperator import MappedOperator
from vortex.models.taskgroup import TaskGroupContext
from vortex.models.xcom_arg import XComArg

if TYPE_CHECKING:
    from vortex.models.dag import DAG
    from vortex.models.taskgroup import TaskGroup

_SUFFIX = re.compile(r"__\d+$")


def get_unique_task_id(task_id: str, dag: "Optional[DAG]" = None, task_group: "Optional[TaskGroup]" = None) -> str:
    """``task_id``, else ``task_id__1``, ``task_id__2``… (one more than the largest suffix in use), as Airflow
    numbers repeated calls."""
    dag = dag if dag is not None else DagContext.get_current_dag()
    if dag is None:
        return task_id
    task_group = task_group if task_group is not None else TaskGroupContext.get_current(dag)
    full_id = task_group.child_id(task_id) if task_group is not None else task_id
    if full_id not in dag.task_dict:
        return task_id
    prefix = re.compile(r"^%s__(\d+)$" % re.escape(_SUFFIX.split(full_id)[0]))
    suffixes = [int(m.group(1)) for m in (prefix.match(t) for t in dag.task_dict) if m]
    return "%s__%d" % (_SUFFIX.split(task_id)[0], max(suffixes + [0]) + 1)


class DecoratedOperator(BaseOperator):
    """Holds the decorated function and the arguments of the call that made the task."""

    template_fields: Sequence[str] = ("op_args", "op_kwargs")
    # The decorator as written, without "@": what the graph shows as the task's operator.
    decorator_name = "task"

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        task_id: str,
        op_args: Any = None,
        op_kwargs: Optional[Dict[str, Any]] = None,
        multiple_outputs: bool = False,
        decorator_name: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        task_id = get_unique_task_id(task_id, kwargs.get("dag"), kwargs.get("task_group"))
        self.python_callable = python_callable
        self.op_args = list(op_args or [])
        self.op_kwargs = dict(op_kwargs or {})
        self.multiple_outputs = multiple_outputs
        if decorator_name is not None:
            self.decorator_name = decorator_name
        super().__init__(task_id=task_id, **self._operator_arguments(), **kwargs)

    def _operator_arguments(self) -> Dict[str, Any]:
        """What the operator class this one also is takes as its own arguments."""
        return {}


def _infers_multiple_outputs(function: Callable[..., Any]) -> bool:
    """Airflow unrolls a dict result into XComs when the function is annotated to return a dict."""
    import inspect

    try:
        annotation = inspect.signature(function).return_annotation
    except (TypeError, ValueError):
        return False
    if isinstance(annotation, str):
        return annotation.replace("typing.", "").startswith(("dict", "Dict"))
    return annotation is dict or getattr(annotation, "__origin__", None) is dict


class TaskDecorator:
    """A decorated function: each call makes a task; ``.override``, ``.partial`` and ``.expand`` as in Airflow."""

    def __init__(
        self,
        function: Callable[..., Any],
        operator_class: Type[DecoratedOperator],
        decorator_name: str,
        multiple_outputs: Optional[bool],
        kwargs: Dict[str, Any],
    ) -> None:
        if not callable(function):
            raise TypeError("@%s decorates a function, not %s" % (decorator_name, type(function).__name__))
        self.function = function
        self.operator_class = operator_class
        self.decorator_name = decorator_name
        self.multiple_outputs = _infers_multiple_outputs(function) if multiple_outputs is None else multiple_outputs
        self.kwargs = dict(kwargs)
        self.kwargs.setdefault("task_id", function.__name__)
        # "setup" or "teardown" for ``@setup`` / ``@teardown`` functions.
        self.role: Optional[str] = None
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any, **kwargs: Any) -> XComArg:
        operator = self.operator_class(
            python_callable=self.function,
            op_args=args,
            op_kwargs=kwargs,
            multiple_outputs=self.multiple_outputs,
            decorator_name=self.decorator_name,
            **self.kwargs,
        )
        if self.function.__doc__ and operator.doc_md is None:
            operator.doc_md = self.function.__doc__
        if self.role == "setup":
            operator.as_setup()
        elif self.role == "teardown":
            operator.as_teardown()
        return XComArg(operator)

    def override(self, **kwargs: Any) -> "TaskDecorator":
        multiple_outputs = kwargs.pop("multiple_outputs", self.multiple_outputs)
        options = {**self.kwargs, **kwargs}
        overridden = TaskDecorator(self.function, self.operator_class, self.decorator_name, multiple_outputs, options)
        overridden.role = self.role
        return overridden

    def partial(self, **kwargs: Any) -> "DecoratedPartial":
        return DecoratedPartial(self, kwargs)

    def expand(self, **kwargs: Any) -> XComArg:
        return self.partial().expand(**kwargs)

    def expand_kwargs(self, kwargs: Any, *, strict: bool = True) -> XComArg:
        return self.partial().expand_kwargs(kwargs)


class DecoratedPartial:
    """``fn.partial(x=1)``: the function's fixed arguments, waiting for ``.expand(...)``."""

    def __init__(self, decorator: TaskDecorator, kwargs: Dict[str, Any]) -> None:
        self.decorator = decorator
        self.kwargs = kwargs

    def _mapped(self, expand_input: Any) -> XComArg:
        decorator = self.decorator
        task_kwargs = dict(decorator.kwargs)
        task_kwargs["task_id"] = get_unique_task_id(task_kwargs["task_id"], task_kwargs.get("dag"), task_kwargs.get("task_group"))
        partial_kwargs = dict(task_kwargs, python_callable=decorator.function, op_kwargs=self.kwargs)
        mapped = MappedOperator(decorator.operator_class, partial_kwargs, expand_input, operator_name=decorator.decorator_name)
        mapped.decorator_name = decorator.decorator_name  # type: ignore[attr-defined]
        return XComArg(mapped)

    def expand(self, **kwargs: Any) -> XComArg:
        if not kwargs:
            raise TypeError("no arguments to expand against")
        return self._mapped(kwargs)

    def expand_kwargs(self, kwargs: Any, *, strict: bool = True) -> XComArg:
        return self._mapped(kwargs)


def task_decorator_factory(
    decorator_name: str, operator_class: Type[DecoratedOperator], role: Optional[str] = None
) -> Callable[..., Any]:
    """``@name``, ``@name()`` and ``@name(task_id=..., ...)`` for one kind of decorated task."""

    def decorate(
        python_callable: Optional[Callable[..., Any]] = None, multiple_outputs: Optional[bool] = None, **kwargs: Any
    ) -> Any:
        def wrap(function: Callable[..., Any]) -> TaskDecorator:
            decorated = TaskDecorator(function, operator_class, decorator_name, multiple_outputs, kwargs)
            decorated.role = role
            return decorated

        if python_callable is not None:
            return wrap(python_callable)
        return wrap

    decorate.__name__ = decorator_name.rpartition(".")[2]
    return decorate
