"""``Variable``: Airflow Variables read from ``AIRFLOW_VAR_<KEY>`` environment variables, as Airflow's
environment-variable secrets backend does; a DAG file run by VORTEX has no metadata database."""
from __future__ import annotations

import json
import os
from typing import Any

_NOTSET: Any = object()


def _env_name(key: str) -> str:
    return "AIRFLOW_VAR_" + key.upper()


class Variable:
    @staticmethod
    def get(key: str, default_var: Any = _NOTSET, deserialize_json: bool = False, *, default: Any = _NOTSET) -> Any:
        """The variable's value; ``default_var`` (Airflow 3: ``default``) when it is not set, else KeyError."""
        value = os.environ.get(_env_name(key))
        if value is None:
            fallback = default_var if default_var is not _NOTSET else default
            if fallback is _NOTSET:
                raise KeyError("Variable %s does not exist" % key)
            return fallback
        return json.loads(value) if deserialize_json else value

    @staticmethod
    def set(key: str, value: Any, serialize_json: bool = False, **kwargs: Any) -> None:
        """Sets it for the rest of this process only."""
        os.environ[_env_name(key)] = json.dumps(value) if serialize_json else str(value)

    @staticmethod
    def setdefault(key: str, default: Any, deserialize_json: bool = False) -> Any:
        try:
            return Variable.get(key, deserialize_json=deserialize_json)
        except KeyError:
            Variable.set(key, default, serialize_json=deserialize_json)
            return default

    @staticmethod
    def delete(key: str, **kwargs: Any) -> int:
        return 1 if os.environ.pop(_env_name(key), None) is not None else 0
