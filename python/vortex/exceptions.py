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
    """The DAG file uses something of Airflow that VORTEX cannot imitate (a teardown as a context manager,
    a task it draws but does not run, being run).

    Not an error of the file: Airflow would load it. VORTEX cannot execute it,
    so runtime resolution leaves the file to static analysis.
    """


class StandInUsed(UnsupportedAirflowFeature):
    """The DAG file needs the value of an Airflow name VORTEX can only stand in for (``conf.get(...)`` as text).

    ``name`` says which: the graph cannot be built without what Airflow would give.
    """

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class AirflowException(VortexException):
    """Airflow's base error: a task that raises it fails (and is retried if it has retries left)."""


class AirflowSkipException(AirflowException):
    """Raised by a task to end as ``skipped`` rather than ``success`` or ``failed``."""


class AirflowFailException(AirflowException):
    """Raised by a task to fail at once, without its remaining retries."""


class AirflowNotFoundException(AirflowException):
    """A connection, variable or other object Airflow looked up does not exist."""


class AirflowSensorTimeout(AirflowException):
    """A sensor waited longer than its timeout."""


class AirflowTaskTimeout(AirflowException):
    """A task ran longer than its execution_timeout."""


class AirflowDagCycleException(DagCycleException, AirflowException):
    """Airflow's name for a cycle among a DAG's dependencies."""


class TaskAlreadyInTaskGroup(AirflowException):
    """A task was added to a second TaskGroup."""
