"""How soon a person needs care, in increasing order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any


class Urgency(str, Enum):
    """routine: no warning sign; urgent: see a doctor today; emergency: get help now."""

    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)

    @classmethod
    def parse(cls, value: object) -> Urgency:
        """A slot value as an Urgency; anything unknown (None included) is routine."""
        try:
            return cls(value)
        except ValueError:
            return cls.ROUTINE

    @classmethod
    def highest(cls, values: Iterable[Urgency]) -> Urgency:
        return max(values, key=lambda urgency: urgency.rank, default=cls.ROUTINE)


def of_reply(message: Mapping[str, Any]) -> Urgency | None:
    """The urgency a bot reply carries in its response's metadata (domain.yml), None for an ordinary reply:
    channels mark emergencies by this, never by the characters of the text."""
    metadata = message.get("metadata")
    value = metadata.get("urgency") if isinstance(metadata, Mapping) else None
    return Urgency(value) if value in {urgency.value for urgency in Urgency} else None
