"""Importing a DAG file as Airflow's DagBag does, for the inspector and the task runner alike.

Both must see the same module: the same name (so that class paths such as
``vortex_dag_etl.MyOperator`` agree between what was inspected and what runs),
the same ``sys.path`` and the same Airflow modules.
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from types import ModuleType
from typing import Dict, Optional

from vortex import _airflow, _standins


def module_name_for(path: str) -> str:
    """The name the file is imported under: ``vortex_dag_<stem>``, never ``__main__``, unique in this process."""
    stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    name = "vortex_dag_" + stem
    suffix = 2
    unique = name
    while unique in sys.modules:
        unique = "%s_%d" % (name, suffix)
        suffix += 1
    return unique


def _make_importable(folder: str) -> None:
    """Puts the DAG file's folder first on ``sys.path``, as Airflow does for its dags folder.

    ``python -m`` puts the working directory there; it is replaced rather than
    kept, so that what a file imports does not depend on where VORTEX started.
    """
    first = os.path.abspath(sys.path[0] or ".") if sys.path else None
    if first == folder:
        return
    if first is not None and first == os.getcwd():
        sys.path[0] = folder
    else:
        sys.path.insert(0, folder)


def import_dag_file(path: str, stood_in: Optional[Dict[str, int]] = None) -> ModuleType:
    """Executes the DAG file at ``path`` as a module and returns it; whatever the file raises propagates.

    Modules the file (or a module of its folder) imports that are not
    installed get stand-ins (``vortex._standins``); ``stood_in`` receives each
    one's name and the line of the file that imported it.
    """
    path = os.path.abspath(path)
    _airflow.install()
    _make_importable(os.path.dirname(path))
    name = module_name_for(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import %s" % path, path=path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # What the file sees as its command line, as when Airflow imports it.
    sys.argv = [path]
    with _standins.standing_in(path) as missing:
        try:
            spec.loader.exec_module(module)
        finally:
            if stood_in is not None:
                stood_in.update(missing)
    return module
