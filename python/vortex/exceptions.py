"""Errors a DAG file can raise while it is being built."""


class VortexException(Exception):
    """Base of every VORTEX error."""


class DuplicateTaskIdFound(VortexException, ValueError):
    """Two tasks of one DAG share a task_id."""


class TaskNotFound(VortexException, KeyError):
    """A DAG has no task with the requested task_id."""


class DagCycleException(VortexException, ValueError):
    """A DAG's dependencies form a cycle."""
