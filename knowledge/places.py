"""Where a message was written: a direct message (only the person and the assistant read it) or a place
others read too (a Slack channel). The channel that knows it sends it in the message's metadata; the
dialogue keeps health questions out of shared places."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

# The metadata key, the entity and the slot that carry the place.
PLACE = "place"
# The payload of the button that moves the warning-sign check to a direct message.
CONTINUE_PRIVATELY_INTENT = "continue_privately"


class Place(str, Enum):
    DIRECT = "direct"
    SHARED = "shared"


def of_metadata(metadata: Mapping[str, Any] | None) -> Place | None:
    """The place a channel wrote into a message's metadata; None when the channel does not know places."""
    value = metadata.get(PLACE) if isinstance(metadata, Mapping) else None
    return Place(value) if value in {place.value for place in Place} else None
