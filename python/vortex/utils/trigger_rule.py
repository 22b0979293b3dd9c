"""TriggerRule: when a task runs, given how its upstream tasks ended; Airflow's names and values."""
from __future__ import annotations

from enum import Enum
from typing import Any, Set


class TriggerRule(str, Enum):
    """A string enum, so that ``TriggerRule.ALL_DONE == "all_done"`` as in Airflow."""

    ALL_SUCCESS = "all_success"
    ALL_FAILED = "all_failed"
    ALL_DONE = "all_done"
    ALL_DONE_MIN_ONE_SUCCESS = "all_done_min_one_success"
    ALL_DONE_SETUP_SUCCESS = "all_done_setup_success"
    ONE_SUCCESS = "one_success"
    ONE_FAILED = "one_failed"
    ONE_DONE = "one_done"
    NONE_FAILED = "none_failed"
    NONE_FAILED_OR_SKIPPED = "none_failed_or_skipped"
    NONE_SKIPPED = "none_skipped"
    ALWAYS = "always"
    NONE_FAILED_MIN_ONE_SUCCESS = "none_failed_min_one_success"
    ALL_SKIPPED = "all_skipped"

    @classmethod
    def is_valid(cls, trigger_rule: str) -> bool:
        return trigger_rule in _VALUES

    @classmethod
    def all_triggers(cls) -> Set[str]:
        return set(_VALUES)

    def __str__(self) -> str:
        return self.value


# Every task checks its rule: a set built once, not the enum walked each time.
_VALUES = frozenset(rule.value for rule in TriggerRule)


def trigger_rule_value(value: Any) -> str:
    """The rule's string; raises ValueError for a rule Airflow does not know (Airflow refuses the task)."""
    text = str.__str__(value) if isinstance(value, TriggerRule) else value
    if text.__class__ is not str or text not in _VALUES:
        raise ValueError(
            "the trigger_rule must be one of %s, not %r" % (", ".join(sorted(TriggerRule.all_triggers())), value)
        )
    return text
