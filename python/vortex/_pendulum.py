"""What a DAG file gets for ``import pendulum`` when pendulum is not installed: its date functions, on the standard library.

Airflow files use pendulum for ``start_date`` (``pendulum.datetime(2021, 1, 1,
tz="UTC")``) and little else at their top level. These return the standard
library's timezone-aware ``datetime`` and ``timedelta``, which the SDK takes
wherever pendulum's subclasses of them would go.
"""
from __future__ import annotations

import datetime as _datetime
from typing import Optional, Union

__all__ = [
    "DateTime", "Date", "Duration", "UTC", "timezone", "datetime", "duration", "now", "today", "yesterday", "tomorrow", "parse",
]

DateTime = _datetime.datetime
Date = _datetime.date
Duration = _datetime.timedelta

TimezoneLike = Union[str, _datetime.tzinfo, None]

UTC: _datetime.tzinfo = _datetime.timezone.utc


def timezone(name: Union[str, _datetime.tzinfo]) -> _datetime.tzinfo:
    """The zone of that name (zoneinfo, Python 3.9+); UTC where the zone cannot be had."""
    if isinstance(name, _datetime.tzinfo):
        return name
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        import zoneinfo  # type: ignore[import-not-found,unused-ignore]

        zone: _datetime.tzinfo = zoneinfo.ZoneInfo(name)
        return zone
    except Exception:  # noqa: BLE001 - no zoneinfo (Python 3.8), no tz database, or an unknown name
        return UTC


def _zone(tz: TimezoneLike) -> _datetime.tzinfo:
    return UTC if tz is None else timezone(tz)


def datetime(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
    tz: TimezoneLike = UTC,
) -> _datetime.datetime:
    return _datetime.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=_zone(tz))


def duration(
    days: float = 0,
    seconds: float = 0,
    microseconds: float = 0,
    milliseconds: float = 0,
    minutes: float = 0,
    hours: float = 0,
    weeks: float = 0,
    months: int = 0,
    years: int = 0,
) -> _datetime.timedelta:
    # A timedelta has no months or years: pendulum's own approximations when it converts them.
    return _datetime.timedelta(
        days=days + 30 * months + 365 * years,
        seconds=seconds,
        microseconds=microseconds,
        milliseconds=milliseconds,
        minutes=minutes,
        hours=hours,
        weeks=weeks,
    )


def now(tz: TimezoneLike = None) -> _datetime.datetime:
    return _datetime.datetime.now(_zone(tz))


def today(tz: TimezoneLike = None) -> _datetime.datetime:
    return now(tz).replace(hour=0, minute=0, second=0, microsecond=0)


def yesterday(tz: TimezoneLike = None) -> _datetime.datetime:
    return today(tz) - _datetime.timedelta(days=1)


def tomorrow(tz: TimezoneLike = None) -> _datetime.datetime:
    return today(tz) + _datetime.timedelta(days=1)


def parse(text: str, tz: TimezoneLike = UTC, strict: Optional[bool] = None) -> _datetime.datetime:
    """An ISO 8601 date or date-time; one without a zone is in ``tz``."""
    value = _datetime.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    return value if value.tzinfo is not None else value.replace(tzinfo=_zone(tz))
