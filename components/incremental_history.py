"""The conversation's history, computed once per event instead of once per prediction (Rasa 3.6).

Before every action it predicts, Rasa reads the conversation from its first event: `applied_events()`
(the events left after undos, restarts and form loops) and, for the rule policy, the dialogue state
before every past action (`Domain.states_for_tracker_history`, a replay of all events into a fresh
tracker). In one conversation of 300 messages (about 3,000 events) that was 150 ms of a 220 ms message,
growing with every message. Between two predictions a tracker only gains a few events, so here each
tracker keeps what it computed and continues from there:

1. `applied_events()` is a left fold over the events. The fold's state (the applied events so far) is
   kept with the number of events folded; new events continue the fold. The fold also depends on the
   names of all form loops in the conversation: a new loop name, or events that are no longer the ones
   folded (a different deque, or a different first or last folded event), starts again from the first
   event, as Rasa does.
2. The states before each past action depend only on the applied events up to that action. The replay
   tracker and the states computed so far are kept with the applied events they came from; when the new
   applied events start with exactly those (the same objects, in order), the replay continues with the
   rest. When a form loop undid some of them, the replay continues from a copy of the replay tracker
   taken before the last user message that is still in place; after a restart, from the start. Only the plain
   case is kept (`ignore_rule_only_turns=False`, the rule policy's); the rest is Rasa's own code.
   Callers get copies of the kept states, which they may change.
3. `DialogueStateTracker.copy()`, which Rasa calls before running every action, replays every event into
   a new tracker. Here a private replay tracker is kept up to date with the events as they come, and a
   copy is that tracker's state with its own containers (events, slots, the active loop), sharing the
   event objects as Rasa's copy does.
4. A form builds a temporary tracker before it validates slots: every event since the last restart
   replayed into a new tracker, then the form's own events. Here it is the copy above plus the form's
   events (Rasa's own code when the conversation holds a restart).

All four give exactly Rasa's results (tests/test_incremental_history.py compares them event by event on
conversations with forms, undos and restarts).
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from rasa.core.actions.forms import FormAction
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

_rasa_applied_events = DialogueStateTracker.applied_events
_rasa_copy = DialogueStateTracker.copy
_rasa_temporary_tracker = FormAction._temporary_tracker
_rasa_states_for_tracker_history = Domain.states_for_tracker_history

# Attribute names on the tracker for what it keeps; a deep copy of the tracker starts without.
_APPLIED = "_incremental_applied"
_STATES = "_incremental_states"
_COPY = "_incremental_copy"
_KEPT = (_APPLIED, _STATES, _COPY)
MAX_CHECKPOINTS = 8


class _NotCopied:
    """Kept on a tracker; a deep copy of the tracker starts without it and computes its own."""

    def __deepcopy__(self, memo: dict) -> None:
        return None


@dataclass
class _FromEvents(_NotCopied):
    """Computed from the first `count` events of the deque `events`; its first and last event tell whether
    the deque still holds them."""

    events: deque
    count: int
    first: Event | None
    last: Event | None

    def extended_by(self, events: deque) -> bool:
        """Whether `events` are the events this was computed from, plus new ones at the end."""
        return (
            self.events is events
            and 0 < self.count <= len(events)
            and events[0] is self.first
            and events[self.count - 1] is self.last
        )

    def caught_up(self) -> None:
        """Now computed from all the deque's events."""
        self.count, self.last = len(self.events), self.events[-1]


@dataclass
class _Fold(_FromEvents):
    """`applied_events()` of the first `count` events of `events`."""

    loop_names: set[str]
    applied: list[Event]


@dataclass
class _Copy(_FromEvents):
    """A tracker that has replayed the first `count` events of `events`, as `copy()` would."""

    tracker: DialogueStateTracker


@dataclass
class _Replay(_NotCopied):
    """The states before each action of `applied`, and a tracker that has replayed all of `applied`."""

    domain: Domain
    omit_unset_slots: bool
    applied: list[Event]
    tracker: DialogueStateTracker
    states: list[State] = field(default_factory=list)
    # (number of applied events replayed, number of states, a copy of the replay tracker then), taken
    # before each user message: a form loop's undo goes back one or two messages, not to the start.
    checkpoints: list[tuple[int, int, DialogueStateTracker]] = field(default_factory=list)


def _loop_names(events: Any) -> set[str]:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def _fold(tracker: DialogueStateTracker, events: Any, applied: list[Event], loop_names: set[str]) -> list[Event]:
    """Rasa's `applied_events` loop, continued from `applied` over `events`."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def applied_events(self: DialogueStateTracker) -> list[Event]:
    """`DialogueStateTracker.applied_events`, continuing the fold kept from the last call."""
    events = self.events
    count = len(events)
    if not count:
        return []
    kept: _Fold | None = self.__dict__.get(_APPLIED)
    if kept is not None and kept.extended_by(events):
        new = list(itertools.islice(events, kept.count, None))
        if _loop_names(new) <= kept.loop_names:
            kept.applied = _fold(self, new, kept.applied, kept.loop_names)
            kept.caught_up()
            return list(kept.applied)
    loop_names = _loop_names(events)
    applied = _fold(self, events, [], loop_names)
    self.__dict__[_APPLIED] = _Fold(events, count, events[0], events[-1], loop_names, applied)
    return list(applied)


def _copy_state(state: State) -> State:
    return {kind: dict(sub_state) for kind, sub_state in state.items()}


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """`Domain.states_for_tracker_history`, replaying only the events added since the last call."""
    if ignore_rule_only_turns:
        return _rasa_states_for_tracker_history(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    applied = tracker.applied_events()
    kept: _Replay | None = tracker.__dict__.get(_STATES)
    if kept is None or kept.domain is not self or kept.omit_unset_slots != omit_unset_slots:
        kept = _Replay(self, omit_unset_slots, [], tracker.init_copy())
        tracker.__dict__[_STATES] = kept
    same = _common_prefix(applied, kept.applied)
    if same < len(kept.applied):
        _rewind(kept, same, tracker)
    for index in range(len(kept.applied), len(applied)):
        event = applied[index]
        if isinstance(event, UserUttered):
            kept.checkpoints.append((index, len(kept.states), _duplicate(kept.tracker)))
            del kept.checkpoints[:-MAX_CHECKPOINTS]
        if isinstance(event, ActionExecuted):
            kept.states.append(self._clean_state(self.get_active_state(kept.tracker, omit_unset_slots)))
        kept.tracker.update(event)
    kept.applied = applied
    final = self._clean_state(self.get_active_state(kept.tracker, omit_unset_slots))
    return [*map(_copy_state, kept.states), final]


def _common_prefix(now: list[Event], before: list[Event]) -> int:
    """How many events the two lists start with in common (the same objects)."""
    for index, (ours, theirs) in enumerate(zip(now, before, strict=False)):
        if ours is not theirs:
            return index
    return min(len(now), len(before))


def _rewind(kept: _Replay, same: int, tracker: DialogueStateTracker) -> None:
    """Put the replay back to the latest checkpoint within the first `same` applied events."""
    while kept.checkpoints and kept.checkpoints[-1][0] > same:
        kept.checkpoints.pop()
    if kept.checkpoints:
        replayed, states, snapshot = kept.checkpoints[-1]
        kept.tracker = _duplicate(snapshot)
        kept.checkpoints.pop()  # taken again when its user message is replayed
    else:
        replayed, states, kept.tracker = 0, 0, tracker.init_copy()
    kept.applied = kept.applied[:replayed]
    del kept.states[states:]


def _duplicate(replay: DialogueStateTracker) -> DialogueStateTracker:
    """A tracker in the same state as `replay`, with containers of its own (events shared, as Rasa's copy)."""
    duplicate = copy.copy(replay)
    for name in _KEPT:
        duplicate.__dict__.pop(name, None)
    duplicate.events = replay._create_events(replay.events)
    slots = type(replay.slots)()
    slots.update({name: copy.copy(slot) for name, slot in replay.slots.items()})
    duplicate.slots = slots
    duplicate.latest_action = copy.copy(replay.latest_action)
    duplicate.active_loop = copy.copy(replay.active_loop)
    return duplicate


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """`DialogueStateTracker.copy` (every event replayed into a new tracker), from a replay kept up to date."""
    events = self.events
    kept: _Copy | None = self.__dict__.get(_COPY)
    if not events:
        return self.init_copy()
    if kept is None or not kept.extended_by(events):
        kept = _Copy(events, 0, events[0], None, self.init_copy())
        self.__dict__[_COPY] = kept
    for event in itertools.islice(events, kept.count, None):
        kept.tracker.update(event)
    kept.caught_up()
    return _duplicate(kept.tracker)


def temporary_tracker(
    self: FormAction, current_tracker: DialogueStateTracker, additional_events: list[Event], domain: Domain
) -> DialogueStateTracker:
    """`FormAction._temporary_tracker`: the conversation so far, then the requested slot, the form's own
    execution and `additional_events`."""
    if any(isinstance(event, Restarted) for event in current_tracker.events):
        return _rasa_temporary_tracker(self, current_tracker, additional_events, domain)
    temporary = current_tracker.copy()
    requested = SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker))
    for event in (requested, ActionExecuted(self.name()), *additional_events):
        temporary.update(event)
    return temporary


@functools.lru_cache(maxsize=1)
def install() -> None:
    """Replace Rasa's history computations with the incremental ones; idempotent."""
    DialogueStateTracker.applied_events = applied_events
    DialogueStateTracker.copy = copy_tracker
    FormAction._temporary_tracker = temporary_tracker
    Domain.states_for_tracker_history = states_for_tracker_history
