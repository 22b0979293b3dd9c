"""Inert stand-ins for the Airflow names VORTEX does not imitate: hooks, ``Dataset``, ``Param``, macros, ``conf``…

They take any argument, attribute, call or subclassing, so that importing and
building a DAG file goes on. Where the file needs what Airflow would give
(iterating one, reading it as text, a number or a truth value) they raise
StandInUsed naming themselves: the graph cannot be known then.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator, NoReturn, TypeVar

from vortex.exceptions import StandInUsed

T = TypeVar("T")


def unchanged(value: T, *args: Any, **kwargs: Any) -> T:
    """A decorator that changes nothing (Airflow 2's ``apply_defaults``)."""
    return value


def _needed(name: str, what: str) -> NoReturn:
    raise StandInUsed("the file uses %s as %s, which VORTEX can only stand in for" % (name, what), name=name)


class _InertClass(type):
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return inert_value("%s.%s" % (cls._vortex_name, name))


class InertObject(metaclass=_InertClass):
    """An instance of an inert class, or the result of calling or reading an inert thing."""

    _vortex_name = "airflow"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return inert_value("%s.%s" % (self._vortex_name, name))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return inert_value(self._vortex_name + "(...)")

    def __getitem__(self, key: Any) -> Any:
        return inert_value(self._vortex_name + "[...]")

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        return "<%s: stood in for by VORTEX>" % self._vortex_name

    def __iter__(self) -> Iterator[Any]:
        _needed(self._vortex_name, "a sequence")

    def __len__(self) -> int:
        _needed(self._vortex_name, "a sequence")

    def __contains__(self, item: Any) -> bool:
        _needed(self._vortex_name, "a collection")

    def __bool__(self) -> bool:
        _needed(self._vortex_name, "a truth value")

    def __str__(self) -> str:
        _needed(self._vortex_name, "text")

    def __format__(self, spec: str) -> str:
        _needed(self._vortex_name, "text")

    def __int__(self) -> int:
        _needed(self._vortex_name, "a number")

    def __float__(self) -> float:
        _needed(self._vortex_name, "a number")

    def __index__(self) -> int:
        _needed(self._vortex_name, "a number")

    def __fspath__(self) -> str:
        _needed(self._vortex_name, "a path")

    # Airflow combines Datasets and Assets with | and & into conditions: those stay stand-ins.
    def __or__(self, other: Any) -> Any:
        return inert_value(self._vortex_name + " | ...")

    __ror__ = __or__

    def __and__(self, other: Any) -> Any:
        return inert_value(self._vortex_name + " & ...")

    __rand__ = __and__

    def _compared(self, other: Any) -> bool:
        _needed(self._vortex_name, "a comparable value")

    __lt__ = __le__ = __gt__ = __ge__ = _compared

    def _computed(self, other: Any) -> Any:
        _needed(self._vortex_name, "a number")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _computed


def inert_value(name: str) -> InertObject:
    value = InertObject()
    value.__dict__["_vortex_name"] = name
    return value


def inert_class(module: str, name: str) -> type:
    namespace = {"__module__": module, "__qualname__": name, "_vortex_name": "%s.%s" % (module, name)}
    return _InertClass(name, (InertObject,), namespace)


class InertModule(ModuleType):
    """An ``airflow.*`` module: besides its names, callable, as a macro or a function reached as a submodule is."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return inert_value(self.__name__ + "(...)")
