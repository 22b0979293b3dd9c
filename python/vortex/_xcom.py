"""XCom within one local run: what earlier tasks pushed (handed to the runner in its payload) and what this task pushes.

Values travel as JSON, as Airflow's default XCom backend stores them. Dates
and datetimes are tagged so that a value pulled downstream has the type the
upstream task pushed; tuples and sets arrive as lists, as they do in Airflow.
"""
from __future__ import annotations

import datetime
import json
from typing import Any, Dict, Iterable, List, Optional, Union

from vortex.models.xcom_arg import XCOM_RETURN_KEY

_TYPE_KEY = "__vortex_type__"


class XComError(Exception):
    """A value that cannot be pushed, or a pull that cannot be answered."""


def encode(value: Any) -> Any:
    """``value`` as JSON data; raises XComError for what JSON cannot hold."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        return {_TYPE_KEY: "datetime", "value": value.isoformat()}
    if isinstance(value, datetime.date):
        return {_TYPE_KEY: "date", "value": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {_TYPE_KEY: "timedelta", "value": value.total_seconds()}
    if isinstance(value, dict):
        out: Dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise XComError("an XCom value's dict keys must be strings, not %s" % type(key).__name__)
            out[str(key) if not isinstance(key, str) else key] = encode(item)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        return [encode(item) for item in value]
    raise XComError(
        "an XCom value must be JSON serializable (as Airflow's XCom backend requires), not %s" % type(value).__name__
    )


def decode(data: Any) -> Any:
    """The Python value of encoded JSON data."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if isinstance(data, dict):
        kind = data.get(_TYPE_KEY)
        if kind == "datetime" and isinstance(data.get("value"), str):
            return datetime.datetime.fromisoformat(data["value"])
        if kind == "date" and isinstance(data.get("value"), str):
            return datetime.date.fromisoformat(data["value"])
        if kind == "timedelta" and isinstance(data.get("value"), (int, float)):
            return datetime.timedelta(seconds=data["value"])
        return {key: decode(item) for key, item in data.items()}
    return data


class XComStore:
    """The run's XComs as this task sees them: earlier tasks' (read only) and its own pushes."""

    def __init__(self, task_id: str, earlier: Optional[Dict[str, Dict[str, Any]]] = None) -> None:
        self.task_id = task_id
        self._earlier: Dict[str, Dict[str, Any]] = dict(earlier or {})
        self.pushed: Dict[str, Any] = {}

    def push(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or key == "":
            raise XComError("an XCom key must be a non-empty string")
        self.pushed[key] = encode(value)
        # Checked now, so the error names the push rather than the end of the task.
        json.dumps(self.pushed[key])

    def _value(self, task_id: str, key: str) -> Any:
        if task_id == self.task_id and key in self.pushed:
            return decode(self.pushed[key])
        values = self._earlier.get(task_id)
        if values is None or key not in values:
            return _MISSING
        return decode(values[key])

    def pull(
        self,
        task_ids: Union[str, Iterable[str], None],
        key: Optional[str] = XCOM_RETURN_KEY,
        default: Any = None,
    ) -> Any:
        """Airflow's ``ti.xcom_pull``: one id gives one value, several a list in their order (missing ones None)."""
        wanted_key = key if key is not None else XCOM_RETURN_KEY
        if task_ids is None:
            task_ids = self.task_id
        if isinstance(task_ids, str):
            value = self._value(task_ids, wanted_key)
            return default if value is _MISSING else value
        values: List[Any] = []
        for task_id in task_ids:
            value = self._value(task_id, wanted_key)
            values.append(None if value is _MISSING else value)
        if all(v is None for v in values) and default is not None:
            return default
        return values


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()
