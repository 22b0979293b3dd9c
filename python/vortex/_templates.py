"""Rendering a task's templated fields with Jinja, as Airflow does before a task runs.

Airflow renders every field named in the operator's ``template_fields`` with a
sandboxed Jinja environment: its loader searches the DAG file's folder and the
DAG's ``template_searchpath``, undefined names are errors (``StrictUndefined``),
``ds``/``ts``-style filters exist, the DAG's ``user_defined_macros`` and
``user_defined_filters`` are added, and a string ending in one of the
operator's ``template_ext`` is the name of a template file. Lists, tuples,
dicts and sets are rendered item by item, and an ``XComArg`` (a TaskFlow
result passed as an argument) becomes the value its task pushed.

jinja2 is imported only for a string that has template markup or names a
template file, so a DAG whose tasks use no templates runs in an interpreter
without it; one that does fails with a message saying how to install it.
"""
from __future__ import annotations

import importlib
import os
import sys
from typing import Any, Callable, Dict, Sequence, Tuple

from vortex._xcom import XComStore
from vortex.models.xcom_arg import XComArg

# The fields and file extensions of Airflow's operators, for operator classes that do not declare their own.
_BASH_FIELDS = ("bash_command", "env", "cwd")
_BASH_EXT = (".sh", ".bash")
_PYTHON_FIELDS = ("templates_dict", "op_args", "op_kwargs")

_MARKUP = ("{{", "{%", "{#")


class TemplateError(Exception):
    """A template that cannot be rendered; the message says which field and why."""


def template_fields(task: Any) -> Tuple[str, ...]:
    """The operator's declared fields, with those Airflow's Bash and Python operators always have.

    A TaskFlow function's ``bash_command`` is what the function returns: it is
    rendered after the call (see the runner), never read here.
    """
    declared = getattr(type(task), "template_fields", None)
    fields = [str(f) for f in declared] if isinstance(declared, (list, tuple)) else []
    names = {c.__name__ for c in type(task).__mro__}
    if "BashOperator" in names:
        fields.extend(_BASH_FIELDS)
    if "PythonOperator" in names:
        fields.extend(_PYTHON_FIELDS)
    if callable(getattr(task, "python_callable", None)):
        fields = [f for f in fields if f != "bash_command"]
    return tuple(dict.fromkeys(fields))


def template_ext(task: Any) -> Tuple[str, ...]:
    declared = getattr(type(task), "template_ext", None)
    if isinstance(declared, (list, tuple)):
        return tuple(str(e) for e in declared)
    return _BASH_EXT if "BashOperator" in {c.__name__ for c in type(task).__mro__} else ()


def field_value(task: Any, name: str) -> Any:
    """A templated field's value: an attribute, or an argument the SDK keeps in ``extra_args``."""
    if hasattr(task, name):
        return getattr(task, name)
    return getattr(task, "extra_args", {}).get(name)


def set_field_value(task: Any, name: str, value: Any) -> None:
    if hasattr(task, name):
        setattr(task, name, value)
    else:
        getattr(task, "extra_args", {})[name] = value


def _jinja() -> Any:
    try:
        return importlib.import_module("jinja2")
    except ImportError:
        raise TemplateError(
            "this task uses Jinja templates, and the Python running it (%s) has no jinja2 library: "
            "install it with `pip install jinja2` (as Airflow installs it)" % sys.executable
        ) from None


def _filters() -> Dict[str, Callable[..., str]]:
    """Airflow's own filters, for datetimes."""
    return {
        "ds": lambda value: value.strftime("%Y-%m-%d"),
        "ds_nodash": lambda value: value.strftime("%Y%m%d"),
        "ts": lambda value: value.isoformat(),
        "ts_nodash": lambda value: value.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": lambda value: value.isoformat().replace("-", "").replace(":", ""),
    }


class Renderer:
    """Renders values for one task; the Jinja environment is made on first need."""

    def __init__(self, dag: Any, dag_file: str, context: Dict[str, Any], xcom: XComStore, extensions: Sequence[str]) -> None:
        self._dag = dag
        self._dag_file = dag_file
        self._context = context
        self._xcom = xcom
        self._extensions = tuple(extensions)
        self._env: Any = None

    def _dag_setting(self, name: str) -> Any:
        if hasattr(self._dag, name):
            return getattr(self._dag, name)
        return getattr(self._dag, "extra_args", {}).get(name)

    def environment(self) -> Any:
        if self._env is not None:
            return self._env
        jinja2 = _jinja()
        sandbox = importlib.import_module("jinja2.sandbox")
        native = bool(self._dag_setting("render_template_as_native_obj"))

        base: Any = sandbox.SandboxedEnvironment
        if native:
            base = type("NativeSandboxedEnvironment", (importlib.import_module("jinja2.nativetypes").NativeEnvironment, base), {})

        class AirflowEnvironment(base):  # type: ignore[misc]
            # Airflow lets templates read attributes starting with "_" (not Python's internals).
            def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
                return not sandbox.is_internal_attribute(obj, attr)

        searchpath = [os.path.dirname(os.path.abspath(self._dag_file))]
        extra = self._dag_setting("template_searchpath")
        if isinstance(extra, str):
            searchpath.append(extra)
        elif isinstance(extra, (list, tuple)):
            searchpath.extend(str(p) for p in extra)
        undefined = self._dag_setting("template_undefined") or jinja2.StrictUndefined
        options: Dict[str, Any] = {
            "loader": jinja2.FileSystemLoader(searchpath),
            "undefined": undefined,
            "extensions": ["jinja2.ext.do"],
            "cache_size": 0,
        }
        jinja_kwargs = self._dag_setting("jinja_environment_kwargs")
        if isinstance(jinja_kwargs, dict):
            options.update(jinja_kwargs)
        env = AirflowEnvironment(**options)
        env.filters.update(_filters())
        macros = self._dag_setting("user_defined_macros")
        if isinstance(macros, dict):
            env.globals.update(macros)
        filters = self._dag_setting("user_defined_filters")
        if isinstance(filters, dict):
            env.filters.update(filters)
        self._env = env
        return env

    def render(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._render_string(value)
        if isinstance(value, XComArg):
            return self._resolve(value)
        if isinstance(value, tuple):
            return tuple(self.render(v) for v in value)
        if isinstance(value, list):
            return [self.render(v) for v in value]
        if isinstance(value, dict):
            return {k: self.render(v) for k, v in value.items()}
        if isinstance(value, (set, frozenset)):
            return {self.render(v) for v in value}
        return value

    def _resolve(self, arg: XComArg) -> Any:
        upstream = arg.operator.task_id
        value = self._xcom.pull(upstream, key=arg.key, default=_NOT_FOUND)
        if value is _NOT_FOUND:
            raise TemplateError(
                "XComArg result from %s with key=%r is not found: that task pushed no such value" % (upstream, arg.key)
            )
        return value

    def _render_string(self, text: str) -> Any:
        is_file = bool(self._extensions) and text.endswith(self._extensions)
        if not is_file and not any(mark in text for mark in _MARKUP):
            return text
        env = self.environment()
        jinja2 = _jinja()
        try:
            template = env.get_template(text) if is_file else env.from_string(text)
            return template.render(**self._context)
        except jinja2.TemplateNotFound as error:
            raise TemplateError("template file %s not found in the DAG's folder or template_searchpath" % error.name) from None


_NOT_FOUND: Any = object()


def _render_error(task: Any, name: str, error: Exception) -> TemplateError:
    return TemplateError("cannot render %s of task '%s': %s: %s" % (name, task.task_id, type(error).__name__, error))


def render_fields(task: Any, renderer: Renderer) -> Dict[str, Any]:
    """Renders the task's templated fields in place and returns them rendered, by name."""
    rendered: Dict[str, Any] = {}
    for name in template_fields(task):
        value = field_value(task, name)
        if value is None:
            continue
        try:
            new_value = renderer.render(value)
        except TemplateError:
            raise
        except Exception as error:  # what Jinja raises for the template's own mistakes
            raise _render_error(task, name, error) from error
        set_field_value(task, name, new_value)
        rendered[name] = new_value
    return rendered


def render_value(renderer: Renderer, task: Any, name: str, value: Any) -> Any:
    """One value rendered outside the declared fields (a @task.bash function's command), with the same messages."""
    try:
        return renderer.render(value)
    except TemplateError:
        raise
    except Exception as error:
        raise _render_error(task, name, error) from error


def describe(value: Any, limit: int = 20000) -> str:
    """A rendered value as people read it: text as it is, anything else as Python writes it."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
