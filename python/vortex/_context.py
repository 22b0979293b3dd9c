"""Airflow's task context for a local run: what templates see and what a callable taking ``**context`` gets.

The keys and their formats are Airflow's (``ds`` is ``YYYY-MM-DD``, ``ts`` the
ISO date with its offset, …). What only a database of earlier runs could say
(``prev_data_interval_start_success``, ``prev_start_date_success``, …) is None,
as in Airflow for a DAG's first run.
"""
from __future__ import annotations

import contextlib
import datetime
import importlib
import json
import random
import time
import uuid
from types import SimpleNamespace
from typing import Any, Dict, Iterable, Optional, Union

from vortex._xcom import XComStore
from vortex.exceptions import AirflowNotFoundException
from vortex.models.connection import Connection
from vortex.models.variable import Variable
from vortex.models.xcom_arg import XCOM_RETURN_KEY


class DateTime(datetime.datetime):
    """A datetime that a template prints as Airflow's pendulum datetimes print: ISO 8601 with a ``T``."""

    def __str__(self) -> str:
        return self.isoformat()


def as_airflow_datetime(value: datetime.datetime) -> datetime.datetime:
    """pendulum's DateTime where pendulum is installed (as Airflow hands them out), else one that prints alike."""
    try:
        pendulum = importlib.import_module("pendulum")
        instance = getattr(pendulum, "instance", None)
        if callable(instance):
            converted = instance(value)
            if isinstance(converted, datetime.datetime):
                return converted
    except ImportError:
        pass
    return DateTime.fromtimestamp(value.timestamp(), tz=value.tzinfo)


def parse_instant(text: str) -> datetime.datetime:
    """An ISO 8601 date or datetime as an aware datetime (UTC when it names no offset)."""
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    value = value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
    return as_airflow_datetime(value)


# --- macros: Airflow's ``macros`` namespace -----------------------------------------------


def ds_add(ds: str, days: int) -> str:
    """``ds_add('2015-01-01', 5)`` is ``'2015-01-06'``."""
    if not days:
        return str(ds)
    return (datetime.datetime.strptime(str(ds), "%Y-%m-%d") + datetime.timedelta(days=days)).strftime("%Y-%m-%d")


def ds_format(ds: str, input_format: str, output_format: str) -> str:
    """``ds_format('2015-01-01', '%Y-%m-%d', '%m-%d-%y')`` is ``'01-01-15'``."""
    return datetime.datetime.strptime(str(ds), input_format).strftime(output_format)


def _macros() -> SimpleNamespace:
    namespace = SimpleNamespace(
        ds_add=ds_add,
        ds_format=ds_format,
        datetime=datetime.datetime,
        timedelta=datetime.timedelta,
        time=time,
        uuid=uuid,
        random=random,
        json=json,
    )
    # Offered as Airflow offers it, when installed.
    with contextlib.suppress(ImportError):
        namespace.dateutil = importlib.import_module("dateutil")
    return namespace


# --- var and conn: the SDK's Variable and Connection, read from AIRFLOW_VAR_* / AIRFLOW_CONN_* -----------


class _VariableValues:
    """``var.value.name`` (text) or ``var.json.name`` (parsed)."""

    def __init__(self, as_json: bool) -> None:
        self._as_json = as_json

    def get(self, name: str, default_var: Any = None) -> Any:
        return Variable.get(name, default_var, deserialize_json=self._as_json)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Variable.get(name, deserialize_json=self._as_json)


class _Connections:
    """``conn.my_db``: the connection ``my_db``."""

    def get(self, conn_id: str, default_conn: Any = None) -> Any:
        try:
            return Connection.get_connection_from_secrets(conn_id)
        except AirflowNotFoundException:
            return default_conn

    def __getattr__(self, conn_id: str) -> Connection:
        if conn_id.startswith("__"):
            raise AttributeError(conn_id)
        return Connection.get_connection_from_secrets(conn_id)


# --- the task instance and the run -------------------------------------------------------


class TaskInstance:
    """What a task sees of itself as ``ti`` / ``task_instance``."""

    def __init__(self, task: Any, run_id: str, try_number: int, max_tries: int, xcom: XComStore) -> None:
        self.task = task
        self.task_id: str = task.task_id
        self.dag_id: str = task.dag.dag_id if task.dag is not None else ""
        self.run_id = run_id
        self.try_number = try_number
        self.max_tries = max_tries
        self.map_index = -1
        self._xcom = xcom

    def xcom_push(self, key: str, value: Any) -> None:
        self._xcom.push(key, value)

    def xcom_pull(
        self,
        task_ids: Union[str, Iterable[str], None] = None,
        dag_id: Optional[str] = None,
        key: Optional[str] = XCOM_RETURN_KEY,
        include_prior_dates: bool = False,
        default: Any = None,
        **_: Any,
    ) -> Any:
        if dag_id is not None and dag_id != self.dag_id:
            # Only this run's XComs exist locally.
            return default
        return self._xcom.pull(task_ids, key=key, default=default)

    def __repr__(self) -> str:
        return "<TaskInstance: %s.%s %s [running]>" % (self.dag_id, self.task_id, self.run_id)


class DagRun:
    def __init__(
        self, dag_id: str, run_id: str, logical_date: datetime.datetime, interval: "Interval", conf: Dict[str, Any]
    ) -> None:
        self.dag_id = dag_id
        self.run_id = run_id
        self.logical_date = logical_date
        self.execution_date = logical_date
        self.data_interval_start = interval.start
        self.data_interval_end = interval.end
        self.conf = conf
        self.run_type = "manual"
        self.external_trigger = True

    def __repr__(self) -> str:
        return "<DagRun %s @ %s: %s>" % (self.dag_id, self.logical_date.isoformat(), self.run_id)


class Interval:
    def __init__(self, start: datetime.datetime, end: datetime.datetime) -> None:
        self.start = start
        self.end = end


def data_interval(schedule: Any, logical_date: datetime.datetime, given: Optional[Interval]) -> Interval:
    """The run's data interval: the one worked out from a cron schedule (given), else from a timedelta schedule.

    A timedelta schedule gives a manual run the interval ending at its logical
    date, as Airflow's delta timetable does; no schedule, the logical date alone.
    """
    if given is not None:
        return given
    if isinstance(schedule, datetime.timedelta):
        return Interval(as_airflow_datetime(logical_date - schedule), logical_date)
    return Interval(logical_date, logical_date)


def merged_params(dag: Any, task: Any, conf: Dict[str, Any]) -> Dict[str, Any]:
    """DAG params, then the task's, then the run's conf over them (as ``dags test -c`` does)."""
    params: Dict[str, Any] = {}
    params.update(_plain_params(getattr(dag, "params", None)))
    params.update(_plain_params(getattr(task, "params", None) or getattr(task, "extra_args", {}).get("params")))
    params.update(conf)
    return params


def _plain_params(params: Any) -> Dict[str, Any]:
    """Params as values: an Airflow ``Param`` (anything with ``.value``) gives its value."""
    if not isinstance(params, dict):
        return {}
    return {k: (v.value if hasattr(v, "value") and type(v).__name__ == "Param" else v) for k, v in params.items()}


def build_context(
    dag: Any,
    task: Any,
    run_id: str,
    logical_date: datetime.datetime,
    interval: Interval,
    conf: Dict[str, Any],
    try_number: int,
    max_tries: int,
    xcom: XComStore,
) -> Dict[str, Any]:
    """The context dict, with the keys Airflow's ``get_template_context`` gives."""
    ti = TaskInstance(task, run_id, try_number, max_tries, xcom)
    ds = logical_date.strftime("%Y-%m-%d")
    ts = logical_date.isoformat()
    dag_run = DagRun(ti.dag_id, run_id, logical_date, interval, conf)
    context: Dict[str, Any] = {
        "dag": dag,
        "dag_run": dag_run,
        "data_interval_start": interval.start,
        "data_interval_end": interval.end,
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "execution_date": logical_date,
        "expanded_ti_count": None,
        "inlets": [],
        "outlets": [],
        "logical_date": logical_date,
        "macros": _macros(),
        "map_index_template": None,
        "params": merged_params(dag, task, conf),
        "prev_data_interval_start_success": None,
        "prev_data_interval_end_success": None,
        "prev_start_date_success": None,
        "prev_end_date_success": None,
        "run_id": run_id,
        "task": task,
        "task_instance": ti,
        "task_instance_key_str": "%s__%s__%s" % (ti.dag_id, ti.task_id, ds.replace("-", "")),
        "test_mode": True,
        "ti": ti,
        "triggering_asset_events": {},
        "triggering_dataset_events": {},
        "ts": ts,
        "ts_nodash": logical_date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "var": SimpleNamespace(value=_VariableValues(False), json=_VariableValues(True)),
        "conn": _Connections(),
    }
    return context

