"""``python -m vortex._inspector [--timeout SECONDS] FILE...``: what DAG files build when they run.

Static analysis cannot see tasks made in loops, comprehensions or helper
functions. This module executes each DAG file the way Airflow's DagBag imports
it (under a module name of its own, never ``__main__``, with the file's folder
importable and Airflow's modules served by the SDK) and prints one JSON
document on stdout: the DAGs, tasks and dependencies each file made, and
diagnostics (VX501-VX504, VX508) where executing it went wrong. The shape is
``RuntimeReport`` in the extension's ``core/runtime/report.ts``; lines and
columns are 1-based, columns count UTF-16 code units as editors do.

Exit status: 0, or 1 when a file got an error diagnostic; 2 for bad usage.
"""
from __future__ import annotations

import argparse
import json
import linecache
import os
import signal
import sys
import traceback
from types import FrameType
from typing import Any, Dict, List, Optional, Sequence, Tuple

from vortex._dagfile import import_dag_file
from vortex._recorder import FileRecorder, dag_report, find_cycle
from vortex._standins import install_command
from vortex.exceptions import StandInUsed, UnsupportedAirflowFeature
from vortex.models import recording
from vortex.models.dag import DagContext, created_dags
from vortex.models.taskgroup import TaskGroupContext

__all__ = ["find_cycle", "inspect_file", "main"]

DEFAULT_TIMEOUT_SECONDS = 30.0

Json = Dict[str, Any]


class TimeLimitReached(BaseException):
    """Raised into the file's code when its time is up.

    A BaseException, so that the file's own ``except Exception`` cannot swallow it.
    """


# --- diagnostics --------------------------------------------------------------


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _line(path: str, lineno: int) -> str:
    return linecache.getline(path, lineno).rstrip("\r\n")


def _line_span(path: str, lineno: int) -> Tuple[int, int, int, int]:
    """The line's text without its indentation and trailing blanks."""
    text = _line(path, lineno)
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return lineno, _utf16_length(text[:start]) + 1, lineno, _utf16_length(text[:end]) + 1


def _column(path: str, lineno: int, byte_offset: int) -> int:
    """Python reports columns as UTF-8 byte offsets; editors count UTF-16 code units."""
    prefix = _line(path, lineno).encode("utf-8")[:byte_offset].decode("utf-8", "replace")
    return _utf16_length(prefix) + 1


def _frame_span(path: str, frame: traceback.FrameSummary) -> Tuple[int, int, int, int]:
    """The expression that was executing (Python 3.11+ knows it), else the whole line."""
    lineno = frame.lineno or 1
    end_lineno = getattr(frame, "end_lineno", None)
    colno = getattr(frame, "colno", None)
    end_colno = getattr(frame, "end_colno", None)
    if end_lineno is None or colno is None or end_colno is None:
        return _line_span(path, lineno)
    return lineno, _column(path, lineno, colno), end_lineno, _column(path, end_lineno, end_colno)


def _innermost_in_file(error: BaseException, path: str) -> Optional[traceback.FrameSummary]:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    return frames[-1] if frames else None


def _diagnostic(code: str, severity: str, message: str, span: Tuple[int, int, int, int]) -> Json:
    line, column, end_line, end_column = span
    return {
        "code": code,
        "severity": severity,
        "message": message,
        "line": line,
        "column": column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _one_line(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: BaseException) -> str:
    name = type(error).__name__
    message = _one_line(str(error))
    return "%s: %s" % (name, message) if message else name


def _origin(error: BaseException, path: str) -> str:
    """Where an error raised outside the DAG file came from, as `` (raised in helpers.py, line 12)``."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames or frames[-1].filename == path:
        return ""
    last = frames[-1]
    if last.filename.startswith(os.path.dirname(os.path.abspath(__file__))) or last.filename.startswith("<frozen"):
        return ""
    return " (raised in %s, line %d)" % (os.path.basename(last.filename), last.lineno or 0)


def _syntax_error(error: SyntaxError, path: str) -> Json:
    lineno = error.lineno or 1
    text = _line(path, lineno)
    if error.offset:
        # SyntaxError's offset counts characters (1-based), not bytes.
        column = _utf16_length(text[: error.offset - 1]) + 1
        span = (lineno, column, lineno, column + 1)
    else:
        span = _line_span(path, lineno)
    return _diagnostic(
        "VX501",
        "error",
        "%s: %s. Python cannot compile the file, so Airflow would list it as an import error: fix the syntax here."
        % (type(error).__name__, _one_line(error.msg or "invalid syntax")),
        span,
    )


def _error_diagnostic(error: BaseException, path: str, timeout: float) -> Json:
    """The diagnostic for an error that stopped the file: VX502, VX503, VX504 or VX501."""
    if isinstance(error, SyntaxError) and error.filename == path:
        return _syntax_error(error, path)
    frame = _innermost_in_file(error, path)
    span = _frame_span(path, frame) if frame is not None else (1, 1, 1, 1)

    if isinstance(error, TimeLimitReached):
        line_span = _line_span(path, frame.lineno or 1) if frame is not None else span
        return _diagnostic(
            "VX502",
            "error",
            "Executing the file took longer than %s s and was stopped while running this line. "
            "Move slow work (network calls, queries, sleeps) from the file's top level into tasks, "
            "or allow more time (in VS Code the vortex.analysis.runtimeTimeoutSeconds setting, "
            "on the command line vortex inspect --runtime --timeout SECONDS)." % ("%g" % timeout),
            line_span,
        )
    if isinstance(error, StandInUsed):
        return _diagnostic(
            "VX504",
            "info",
            "%s: VORTEX imitates Airflow's DAGs, tasks, groups and decorators, and stands in for the rest; "
            "this file needs the value of %s to build its graph, so runtime resolution falls back to static "
            "analysis. Nothing is wrong for Airflow." % (_one_line(str(error)).rstrip("."), error.name),
            span,
        )
    if isinstance(error, UnsupportedAirflowFeature):
        what = _one_line(str(error)).rstrip(".")
        return _diagnostic(
            "VX504",
            "info",
            "%s: runtime resolution falls back to static analysis. Nothing is wrong for Airflow; to see "
            "this file's dynamic tasks, leave out what VORTEX cannot imitate." % what,
            span,
        )
    if isinstance(error, ModuleNotFoundError):
        module = error.name or _one_line(str(error))
        top = module.split(".")[0]
        return _diagnostic(
            "VX503",
            "error",
            "No module named '%s'%s in %s (the Python that executed this file). Install the package that "
            "provides it into that interpreter (usually: %s -m pip install %s), or choose an interpreter "
            "that has it (the vortex.python.interpreter setting; --python on the command line)."
            % (module, _origin(error, path), sys.executable, sys.executable, top),
            span,
        )
    return _diagnostic(
        "VX501",
        "error",
        "%s%s. Executing the file raised this, so Airflow would list it as an import error: "
        "fix it so that the file imports cleanly." % (_describe(error).rstrip("."), _origin(error, path)),
        span,
    )


def _words(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else "%s and %s" % (", ".join(names[:-1]), names[-1])


def _stood_in_diagnostics(stood_in: Dict[str, int], path: str) -> List[Json]:
    """One VX508 per import line, naming the modules stood in for there."""
    by_line: Dict[int, List[str]] = {}
    for module, line in stood_in.items():
        by_line.setdefault(line, []).append(module)
    diagnostics = []
    for line, modules in by_line.items():
        one = len(modules) == 1
        diagnostics.append(
            _diagnostic(
                "VX508",
                "info",
                "%s %s not installed in %s: VORTEX stood in for %s to build the graph, and tasks that use %s will "
                "fail when they run. Install %s: %s."
                % (
                    _words(modules),
                    "is" if one else "are",
                    sys.executable,
                    "it" if one else "them",
                    "it" if one else "them",
                    "it" if one else "them",
                    "; ".join(install_command(m) for m in modules),
                ),
                _line_span(path, line),
            )
        )
    return diagnostics


def _cycle_diagnostic(dag: Json, cycle: List[str], path: str) -> Json:
    return _diagnostic(
        "VX501",
        "error",
        "DagCycleException: the dependencies of DAG %r form a cycle: %s. Airflow refuses such a DAG when it "
        "loads the file (an import error): remove one of these dependencies." % (dag["dag_id"], " → ".join(cycle)),
        _line_span(path, dag["line"]),
    )


# --- executing a file ---------------------------------------------------------


class _Timer:
    """SIGALRM after ``seconds`` raises TimeLimitReached into whatever the file is running."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def _expired(self, signum: int, frame: Optional[FrameType]) -> None:
        if self.armed:
            self.armed = False
            raise TimeLimitReached()

    def __enter__(self) -> "_Timer":
        if hasattr(signal, "setitimer"):
            signal.signal(signal.SIGALRM, self._expired)
            self.armed = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        self.armed = False
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)


def inspect_file(path: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Json:
    """Executes one DAG file and reports what it built, or why it could not be built."""
    path = os.path.abspath(path)
    known_dags = len(created_dags())
    recorder = FileRecorder(path)
    recording.start(recorder)
    stood_in: Dict[str, int] = {}
    try:
        with _Timer(timeout):
            module = import_dag_file(path, stood_in)
    except BaseException as error:  # noqa: BLE001 - SystemExit and the time limit are the file's errors too
        return {
            "path": path,
            "dags": [],
            "diagnostics": [_error_diagnostic(error, path, timeout), *_stood_in_diagnostics(stood_in, path)],
            "missing_modules": list(stood_in),
        }
    finally:
        recording.stop()
        del DagContext._stack[:]
        del TaskGroupContext._stack[:]
    reports = [dag_report(d, recorder, module) for d in created_dags()[known_dags:]]
    for report in reports:
        cycle = find_cycle([t["task_id"] for t in report["tasks"]], [(e["upstream"], e["downstream"]) for e in report["edges"]])
        if cycle is not None:
            # Airflow's DagBag refuses such a DAG when it loads the file: an import error.
            return {
                "path": path,
                "dags": [],
                "diagnostics": [_cycle_diagnostic(report, cycle, path), *_stood_in_diagnostics(stood_in, path)],
                "missing_modules": list(stood_in),
            }
    diagnostics = _stood_in_diagnostics(stood_in, path)
    return {"path": path, "dags": reports, "diagnostics": diagnostics, "missing_modules": list(stood_in)}


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m vortex._inspector",
        description="Execute DAG files with the VORTEX SDK and print the DAGs, tasks and dependencies they build, as JSON.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="stop a file that runs longer than this (default %(default)g)",
    )
    arguments = parser.parse_args(list(argv))
    if not arguments.timeout > 0:
        parser.error("--timeout must be a positive number of seconds")
    return arguments


def main(argv: Sequence[str]) -> int:
    arguments = _arguments(argv)
    # Whatever the DAG files print goes to stderr: stdout carries the report alone.
    report_fd = os.dup(1)
    os.dup2(2, 1)
    sys.dont_write_bytecode = True
    files = [inspect_file(f, arguments.timeout) for f in arguments.files]
    data = json.dumps({"files": files}, separators=(",", ":")).encode("ascii")
    with os.fdopen(report_fd, "wb") as out:
        out.write(data + b"\n")
    failed = any(d["severity"] == "error" for f in files for d in f["diagnostics"])
    return 1 if failed else 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: threads a DAG file started must not keep the process alive,
    # and tearing down thousands of tasks one by one is wasted time.
    os._exit(status)
