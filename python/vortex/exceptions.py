"""Errors a DAG file can raise while it is being built."""


class VortexException(Exception):
    """Base of every VORTEX error."""


class DuplicateTaskIdFound(VortexException, ValueError):
    """Two tasks of one DAG share a task_id."""


class TaskNotFound(VortexException, KeyError):
    """A DAG has no task with the requested task_id."""


class DagCycleException(VortexException, ValueError):
    """A DAG's dependencies form a cycle."""


class UnsupportedAirflowFeature(VortexException):
    """The DAG file uses something of Airflow that VORTEX has no stand-in for.

    Not an error of the file: Airflow would load it. VORTEX cannot execute it,
    so runtime resolution leaves the file to static analysis.
    """


class UnsupportedAirflowImport(UnsupportedAirflowFeature, ImportError):
    """The DAG file imports an Airflow module or name the SDK does not alias.

    An ImportError, so that a file guarding an optional import with
    ``except ImportError`` behaves as it would without Airflow installed.
    """


class AirflowException(VortexException):
    """Airflow's base error: a task that raises it fails (and is retried if it has retries left)."""


class AirflowSkipException(AirflowException):
    """Raised by a task to end as ``skipped`` rather than ``success`` or ``failed``."""


class AirflowFailException(AirflowException):
    """Raised by a task to fail at once, without its remaining retries."""
