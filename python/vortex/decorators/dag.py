"""``@dag``: a function that builds a DAG when called; the DAG is named after the function unless ``dag_id=`` says."""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from vortex.models import recording
from vortex.models.dag import DAG


class DagFactory:
    def __init__(self, function: Callable[..., Any], dag_id: Optional[str], kwargs: Any) -> None:
        self.function = function
        self.dag_id = dag_id
        self.kwargs = kwargs
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any, **kwargs: Any) -> DAG:
        options = dict(self.kwargs)
        if self.function.__doc__ and options.get("doc_md") is None:
            options["doc_md"] = self.function.__doc__
        with DAG(self.dag_id or self.function.__name__, **options) as built:
            if recording.active is not None:
                recording.active.dag_defined(built, self.function)
            self.function(*args, **kwargs)
        return built


def dag(dag_id: Any = None, **kwargs: Any) -> Any:
    """``@dag``, ``@dag()`` and ``@dag(dag_id=..., schedule=..., ...)``."""
    if callable(dag_id):
        return DagFactory(dag_id, None, kwargs)

    def wrap(function: Callable[..., Any]) -> DagFactory:
        return DagFactory(function, dag_id, kwargs)

    return wrap
