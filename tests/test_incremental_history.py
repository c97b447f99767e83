"""components/incremental_history.py gives exactly Rasa's applied events, dialogue states and tracker
copies, checked after every event of the project's conversation tests and of random conversations with
forms, undos and restarts, on trackers that grow one event at a time as the server's do."""

from __future__ import annotations

import random

import pytest
from rasa.core.actions.forms import FormAction
from rasa.core.training import load_data
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from components import incremental_history as incremental
from evaluation.expectations import ROOT

FORM = FormAction("triage_form", None)
DOMAIN = Domain.load([str(ROOT / "domain.yml"), str(ROOT / "build" / "rasa" / "responses.yml")])


def story_conversations() -> list[list[Event]]:
    trackers = load_data(str(ROOT / "tests" / "test_stories.yml"), DOMAIN, augmentation_factor=0)
    return [list(tracker.events) for tracker in trackers if len(tracker.events) > 3]


def random_conversation(seed: int, length: int = 70) -> list[Event]:
    """Events as a server logs them, with forms running, interrupted and rejected, undos and restarts."""
    rng = random.Random(seed)
    loops = ["triage_form", "safety_question_form"]
    intents = ["topic", "affirm", "deny", "stop", "start_triage", "greet", "emergency_sign"]
    actions = ["utter_topic", "utter_see_doctor", "action_suggest_related_topics", "utter_remind_emergency", *loops]
    slots = [("urgency", ["routine", "urgent", "emergency"]), ("triage_fever_rash", ["yes", "no", None])]
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for _ in range(length):
        kind = rng.random()
        if kind < 0.25:
            events += [UserUttered("text", {"name": rng.choice(intents), "confidence": 1.0}), SlotSet("topics", [])]
        elif kind < 0.55:
            events.append(ActionExecuted(rng.choice(actions)))
        elif kind < 0.65:
            name, values = rng.choice(slots)
            events.append(SlotSet(name, rng.choice(values)))
        elif kind < 0.75:
            events.append(ActiveLoop(rng.choice([*loops, None])))
        elif kind < 0.8:
            events.append(BotUttered("said", metadata={"utter_action": "utter_topic"}))
        elif kind < 0.84:
            events.append(ActionExecutionRejected(rng.choice(loops)))
        elif kind < 0.87:
            events.append(LoopInterrupted(rng.random() < 0.5))
        elif kind < 0.9:
            events.append(rng.choice([UserUtteranceReverted(), ActionReverted()]))
        elif kind < 0.92:
            events.append(rng.choice([Restarted(), SessionStarted()]))
        elif kind < 0.94:
            events.append(FollowupAction("utter_see_doctor"))
        else:
            events.append(ActionExecuted("action_listen"))
    return events


CONVERSATIONS = [
    *[pytest.param(events, id=f"story-{index}") for index, events in enumerate(story_conversations())],
    *[pytest.param(random_conversation(seed), id=f"random-{seed}") for seed in range(12)],
]


def rasa_states(tracker: DialogueStateTracker, omit_unset_slots: bool) -> list:
    return incremental._rasa_states_for_tracker_history(DOMAIN, tracker, omit_unset_slots)


def state_of(tracker: DialogueStateTracker) -> dict:
    """Everything a tracker's behaviour depends on, comparable between two trackers."""
    return {
        "current": tracker.current_state(EventVerbosity.ALL),
        "slots": {name: slot.value for name, slot in tracker.slots.items()},
        "active_loop": tracker.active_loop,
        "latest_action": tracker.latest_action,
        "followup_action": tracker.followup_action,
        "paused": tracker.is_paused(),
        "latest_message": tracker.latest_message,
        "latest_bot_utterance": tracker.latest_bot_utterance,
        "attributes": sorted(name for name in vars(tracker) if name not in incremental._KEPT),
    }


def without_times(state: dict) -> dict:
    current = dict(state["current"], latest_event_time=None)
    current["events"] = [{**event, "timestamp": None} for event in current["events"]]
    return {**state, "current": current}


@pytest.fixture(autouse=True)
def installed():
    incremental.install()


@pytest.mark.parametrize("omit_unset_slots", [False, True], ids=["all-slots", "set-slots"])
@pytest.mark.parametrize("events", CONVERSATIONS)
def test_every_event_gives_rasas_applied_events_states_and_copy(events, omit_unset_slots):
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in events:
        tracker.update(event)
        applied = tracker.applied_events()
        theirs = incremental._rasa_applied_events(tracker)
        assert len(applied) == len(theirs) and all(ours is event for ours, event in zip(applied, theirs, strict=True))
        states = DOMAIN.states_for_tracker_history(tracker, omit_unset_slots)
        assert states == rasa_states(tracker, omit_unset_slots)
        assert state_of(tracker.copy()) == state_of(incremental._rasa_copy(tracker))
        validated = [SlotSet("triage_neuro", "no"), SlotSet("requested_slot", "triage_injury")]
        ours = FORM._temporary_tracker(tracker, validated, DOMAIN)
        theirs = incremental._rasa_temporary_tracker(FORM, tracker, validated, DOMAIN)
        # The form's two new events are made a moment apart in the two trackers.
        assert without_times(state_of(ours)) == without_times(state_of(theirs))


def test_the_conversations_undo_form_turns_so_that_the_replay_goes_back_to_a_checkpoint(monkeypatch):
    from_checkpoint = []
    rewind = incremental._rewind

    def counted(kept, same, tracker):
        from_checkpoint.append(any(replayed <= same for replayed, _, _ in kept.checkpoints))
        rewind(kept, same, tracker)

    monkeypatch.setattr(incremental, "_rewind", counted)
    for events in [param.values[0] for param in CONVERSATIONS]:
        tracker = DialogueStateTracker("someone", DOMAIN.slots)
        for event in events:
            tracker.update(event)
            DOMAIN.states_for_tracker_history(tracker)
    assert sum(from_checkpoint) >= 20


@pytest.mark.parametrize("events", CONVERSATIONS[:3] + CONVERSATIONS[-3:])
def test_copies_and_returned_states_are_independent_of_what_is_kept(events):
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in events:
        tracker.update(event)
    before = state_of(tracker)
    states = DOMAIN.states_for_tracker_history(tracker)
    for state in states:
        state.clear()
    duplicate = tracker.copy()
    duplicate.update(SlotSet("urgency", "emergency"))
    duplicate.update(ActiveLoop("triage_form"))
    duplicate.update(ActionExecuted("triage_form"))
    assert state_of(tracker) == before
    assert DOMAIN.states_for_tracker_history(tracker) == rasa_states(tracker, False)
    assert state_of(tracker.copy()) == state_of(incremental._rasa_copy(tracker))


def test_a_tracker_whose_events_are_replaced_starts_again():
    events = random_conversation(99)
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in events[:40]:
        tracker.update(event)
    tracker.applied_events(), tracker.copy(), DOMAIN.states_for_tracker_history(tracker)
    tracker.events = tracker._create_events(events[5:45])
    assert tracker.applied_events() == incremental._rasa_applied_events(tracker)
    assert DOMAIN.states_for_tracker_history(tracker) == rasa_states(tracker, False)
    assert state_of(tracker.copy()) == state_of(incremental._rasa_copy(tracker))
