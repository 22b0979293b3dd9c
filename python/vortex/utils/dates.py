"""``airflow.utils.dates``: ``days_ago``, as Airflow 2 offers it."""
from __future__ import annotations

import datetime


def days_ago(n: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime.datetime:
    """Midnight UTC today (or the given time of day), ``n`` days ago, as Airflow's ``days_ago``."""
    today = datetime.datetime.now(datetime.timezone.utc).replace(
        hour=hour, minute=minute, second=second, microsecond=microsecond
    )
    return today - datetime.timedelta(days=n)
