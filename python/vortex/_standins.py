"""Stand-ins for modules a DAG file imports that the interpreter lacks, so that its graph still builds.

Airflow DAG files often import packages that only their tasks use (``pandas``,
``requests``, a plugin's helpers). Executing such a file to see its graph must
not fail on them: while the DAG file is imported, a top-level import that no
other finder can satisfy is answered with a stand-in module, provided the
``import`` statement is in the DAG file itself or in a module under the DAG
file's folder (the project's own code). An installed library's imports are
never stood in for, so its ``try: import x / except ImportError`` behaves as
usual.

A stand-in answers anything (attributes, calls, subclassing, iteration) with
more stand-ins while the graph is built. Once the task runner starts a task,
any use of a stand-in raises ModuleNotFoundError saying which module to
install, so a task that needs the module fails clearly and the others run.

``pendulum``, which Airflow files use for ``start_date``, is served by
``vortex._pendulum`` instead, and is not reported as missing.
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
from types import FrameType, ModuleType
from typing import Any, Dict, Iterator, NoReturn, Optional, Sequence, Tuple

# Import names whose package (what pip installs) is named otherwise.
DISTRIBUTIONS: Dict[str, str] = {
    "yaml": "PyYAML",
    "sklearn": "scikit-learn",
    "cv2": "opencv-python",
    "PIL": "Pillow",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
}

_PENDULUM = "pendulum"

# Frames of the import machinery itself, which sit between an import statement and the finder.
_IMPORTLIB_FOLDER = os.path.dirname(importlib.__file__ or "")
_THIS_FILE = os.path.normcase(os.path.abspath(__file__))

# Installed packages may sit under a project folder (a virtual environment in it): never ours.
_INSTALLED_FOLDERS = frozenset(("site-packages", "dist-packages"))

# Whether a task is running: then using a stand-in is an error rather than more stand-ins.
_refusing = False


def install_command(module: str) -> str:
    """How to install the package that provides ``module`` into this interpreter."""
    command = '"%s" -m pip install %s' % (sys.executable, DISTRIBUTIONS.get(module, module))
    if module in DISTRIBUTIONS:
        return command
    return "%s (or the package that provides %s, if it is named otherwise)" % (command, module)


def not_installed_message(module: str) -> str:
    return "module %s is not installed in %s: %s" % (module, sys.executable, install_command(module))


def refuse_use() -> None:
    """From now on, using a stand-in raises ModuleNotFoundError: the task runner calls this before the task runs."""
    global _refusing
    _refusing = True


def _not_installed(module: str) -> NoReturn:
    raise ModuleNotFoundError(not_installed_message(module), name=module)


class StandIn:
    """What a name of a missing module is: answers everything with stand-ins, or refuses once a task runs."""

    __slots__ = ("_vortex_module", "_vortex_name")
    _vortex_module: str
    _vortex_name: str

    def __init__(self, module: str, name: str) -> None:
        object.__setattr__(self, "_vortex_module", module)
        object.__setattr__(self, "_vortex_name", name)

    def _derived(self, suffix: str) -> "StandIn":
        if _refusing:
            _not_installed(self._vortex_module)
        return StandIn(self._vortex_module, self._vortex_name + suffix)

    def __getattr__(self, name: str) -> "StandIn":
        if name.startswith("__"):
            # Probes such as __mro_entries__, __len__ or __fspath__ must read as absent.
            raise AttributeError(name)
        return self._derived("." + name)

    def __setattr__(self, name: str, value: object) -> None:
        if _refusing:
            _not_installed(self._vortex_module)

    def __call__(self, *args: object, **kwargs: object) -> "StandIn":
        return self._derived("()")

    def __getitem__(self, key: object) -> "StandIn":
        return self._derived("[]")

    def __iter__(self) -> Iterator[Any]:
        self._derived("")
        return iter(())

    def __len__(self) -> int:
        self._derived("")
        return 0

    def __bool__(self) -> bool:
        return True

    def __enter__(self) -> "StandIn":
        return self._derived("")

    def __exit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        return "<%s: module %s is not installed>" % (self._vortex_name, self._vortex_module)

    def __mro_entries__(self, bases: Tuple[object, ...]) -> Tuple[type]:
        """``class MyOperator(MissingBase)`` subclasses a class that accepts anything."""
        return (type(self._vortex_name.rpartition(".")[2], (StandInBase,), {"_vortex_module": self._vortex_module}),)


class StandInBase:
    """The base a class gets in place of a missing module's class."""

    _vortex_module = ""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__()

    def __getattr__(self, name: str) -> StandIn:
        if name.startswith("__"):
            raise AttributeError(name)
        return StandIn(self._vortex_module, name)._derived("")


def _module_getattr(module: str) -> Any:
    """A stand-in module's ``__getattr__`` (PEP 562): every name is a stand-in, dunders are absent."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError("module %r has no attribute %r" % (module, name))
        from vortex._airflow import OPERATOR_SUFFIXES, generated_operator

        if not _refusing and name[:1].isupper() and name.endswith(OPERATOR_SUFFIXES):
            # An operator of a package that is not installed still makes its tasks, drawn and not run.
            return generated_operator(module, name)
        return StandIn(module, module + "." + name)._derived("")

    return __getattr__


def _under(path: str, folder: str) -> bool:
    path = os.path.normcase(os.path.abspath(path))
    if not path.startswith(folder + os.sep):
        return False
    return not _INSTALLED_FOLDERS.intersection(path[len(folder):].split(os.sep))


def _importer(frame: Optional[FrameType]) -> Optional[FrameType]:
    """The frame of the ``import`` statement (or ``importlib.import_module`` call): the first outside the import machinery."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (
            filename.startswith("<frozen importlib")
            or os.path.dirname(filename) == _IMPORTLIB_FOLDER
            or os.path.normcase(os.path.abspath(filename)) == _THIS_FILE
        ):
            return frame
        frame = frame.f_back
    return None


class _MissingModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self) -> None:
        self.dag_file: Optional[str] = None
        self.folder = ""
        # Each stood-in module, with the line of the DAG file that imported it (first time).
        self.stood_in: Dict[str, int] = {}

    def _line_in_dag_file(self, frame: Optional[FrameType]) -> int:
        while frame is not None:
            if frame.f_code.co_filename == self.dag_file:
                return frame.f_lineno or 1
            frame = frame.f_back
        return 1

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if self.dag_file is None:
            return None
        parent_name, dot, _ = fullname.rpartition(".")
        if dot:
            parent = sys.modules.get(parent_name)
            if parent is None:
                return None
            if getattr(parent, "__loader__", None) is self:
                # A submodule of a stand-in is one too.
                return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
            if getattr(parent, "__file__", None) is not None:
                # A regular package lacks it: the installed package really has no such module.
                return None
            # Left: a namespace package (``google``, ``azure``), whose portions are distributions of their own.
        importer = _importer(sys._getframe(1))
        if importer is None or not _under(importer.f_code.co_filename, self.folder):
            return None
        if fullname != _PENDULUM:
            self.stood_in.setdefault(fullname, self._line_in_dag_file(importer))
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        if name == _PENDULUM:
            from vortex import _pendulum

            module.__dict__.update((k, getattr(_pendulum, k)) for k in _pendulum.__all__)
            module.__dict__["__getattr__"] = self._pendulum_getattr
            return
        # Nothing is found under a stand-in's path; its submodules come from this finder.
        module.__path__ = []
        module.__dict__["__getattr__"] = _module_getattr(self._stood_in_name(name))

    def _pendulum_getattr(self, name: str) -> StandIn:
        """What the pendulum stand-in lacks is stood in for like a missing module's names, and then reported."""
        if name.startswith("__"):
            raise AttributeError("module %r has no attribute %r" % (_PENDULUM, name))
        if self.dag_file is not None:
            self.stood_in.setdefault(_PENDULUM, self._line_in_dag_file(sys._getframe(1)))
        return StandIn(_PENDULUM, _PENDULUM + "." + name)._derived("")

    def _stood_in_name(self, name: str) -> str:
        """The missing module ``name`` belongs to: ``pandas`` for ``pandas.io``, ``google.cloud`` for ``google.cloud.storage``."""
        for missing in self.stood_in:
            if name == missing or name.startswith(missing + "."):
                return missing
        return name.partition(".")[0]


_finder = _MissingModules()


@contextlib.contextmanager
def standing_in(dag_file: str) -> Iterator[Dict[str, int]]:
    """While importing ``dag_file``: its own missing imports get stand-ins; yields ``{module: line}`` of those stood in.

    The stand-ins leave ``sys.modules`` afterwards, so that later imports (another
    file's, a task's) find the module missing as usual.
    """
    _finder.dag_file = dag_file
    _finder.folder = os.path.normcase(os.path.dirname(os.path.abspath(dag_file)))
    _finder.stood_in = {}
    if _finder not in sys.meta_path:
        # Last: whatever is really installed is always found first.
        sys.meta_path.append(_finder)
    try:
        yield _finder.stood_in
    finally:
        _finder.dag_file = None
        for name in [n for n, m in sys.modules.items() if getattr(m, "__loader__", None) is _finder]:
            del sys.modules[name]

