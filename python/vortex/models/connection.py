"""``Connection`` and ``BaseHook.get_connection``: Airflow connections read from ``AIRFLOW_CONN_<ID>``
environment variables (a URI or a JSON object), as Airflow's environment-variable secrets backend does."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from vortex.exceptions import AirflowNotFoundException


class Connection:
    def __init__(
        self,
        conn_id: Optional[str] = None,
        conn_type: Optional[str] = None,
        description: Optional[str] = None,
        host: Optional[str] = None,
        login: Optional[str] = None,
        password: Optional[str] = None,
        schema: Optional[str] = None,
        port: Optional[int] = None,
        extra: Any = None,
        uri: Optional[str] = None,
    ) -> None:
        self.conn_id = conn_id
        self.description = description
        self.conn_type = conn_type
        self.host = host
        self.login = login
        self.password = password
        self.schema = schema
        self.port = port
        self.extra = json.dumps(extra) if isinstance(extra, dict) else extra
        if uri is not None:
            self._parse_uri(uri)

    def _parse_uri(self, uri: str) -> None:
        parts = urlsplit(uri)
        self.conn_type = parts.scheme.replace("-", "_")
        self.host = unquote(parts.hostname) if parts.hostname else None
        self.login = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.port = parts.port
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        self.schema = unquote(path) if path else None
        if parts.query:
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            self.extra = query["__extra__"] if "__extra__" in query else json.dumps(query)

    @property
    def extra_dejson(self) -> Dict[str, Any]:
        if not self.extra:
            return {}
        try:
            value = json.loads(self.extra)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def get_uri(self) -> str:
        auth = ""
        if self.login or self.password:
            auth = quote(self.login or "", safe="") + (":" + quote(self.password, safe="") if self.password else "") + "@"
        port = ":%d" % self.port if self.port else ""
        schema = "/" + quote(self.schema, safe="") if self.schema else ""
        return "%s://%s%s%s%s" % ((self.conn_type or "").replace("_", "-"), auth, self.host or "", port, schema)

    def __repr__(self) -> str:
        # Never the password: a repr ends up in logs.
        return "<Connection %s (%s)>" % (self.conn_id, self.conn_type)

    @classmethod
    def get_connection_from_secrets(cls, conn_id: str) -> "Connection":
        value = os.environ.get("AIRFLOW_CONN_" + conn_id.upper())
        if value is None:
            raise AirflowNotFoundException("The conn_id `%s` isn't defined" % conn_id)
        if value.lstrip().startswith("{"):
            fields = json.loads(value)
            known = ("conn_type", "description", "host", "login", "password", "schema", "port", "extra")
            return cls(conn_id=conn_id, **{k: v for k, v in fields.items() if k in known})
        return cls(conn_id=conn_id, uri=value)

    get = get_connection_from_secrets


class BaseHook:
    """The base of hooks; ``get_connection`` reads ``AIRFLOW_CONN_<ID>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    @classmethod
    def get_connection(cls, conn_id: str) -> Connection:
        return Connection.get_connection_from_secrets(conn_id)

    def get_conn(self) -> Any:
        raise NotImplementedError
