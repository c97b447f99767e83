"""Dialogue policy: warning signs spread over several messages count together.

"I have a stiff neck", then later "I've got a temperature of 39": neither message alone is an emergency,
together they are. When the concepts the NLU found (`sign` and `absent_sign` entities) across the
conversation raise a red flag that is more urgent than anything raised so far, this policy predicts
`action_reread_warning_signs`, which re-reads the latest message as a warning sign (the way Rasa's
two-stage fallback re-reads a clarified message); the rules for warning signs take it from there.
The conversation's signs start afresh when the person says they are safe, restarts or a new session
begins.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from knowledge.red_flags import conversation_concepts, default_warning_signs, urgency_of
from knowledge.urgency import Urgency

REREAD_ACTION = "action_reread_warning_signs"
# Closing an emergency ("I'm at the hospital") starts the signs afresh.
MARK_SAFE_ACTION = "action_mark_safe"
# Intents under which the latest message was already read as a warning sign.
WARNING_SIGN_INTENTS = {"emergency_sign", "warning_sign", "possible_warning_sign"}


def mentioned(event: UserUttered) -> tuple[list[str], list[str]]:
    """The concepts a user message mentioned as present and as denied."""
    entities = event.entities or []
    return (
        [entity["value"] for entity in entities if entity.get("entity") == "sign"],
        [entity["value"] for entity in entities if entity.get("entity") == "absent_sign"],
    )


def signs_so_far(tracker: DialogueStateTracker) -> list[UserUttered]:
    """The user messages since the conversation's signs last started afresh."""
    messages: list[UserUttered] = []
    for event in tracker.applied_events():
        if isinstance(event, (SessionStarted, Restarted)) or (
            isinstance(event, ActionExecuted) and event.action_name == MARK_SAFE_ACTION
        ):
            messages = []
        elif isinstance(event, UserUttered):
            messages.append(event)
    return messages


def needs_rereading(tracker: DialogueStateTracker) -> bool:
    """The latest message, with the earlier ones, raises a red flag more urgent than any raised so far."""
    if tracker.latest_action_name != ACTION_LISTEN_NAME:
        return False
    messages = signs_so_far(tracker)
    if not messages or messages[-1].intent_name in WARNING_SIGN_INTENTS:
        return False
    warning_signs = default_warning_signs()
    together = urgency_of(warning_signs.flags_for(conversation_concepts(mentioned(m) for m in messages)))
    before = urgency_of(warning_signs.flags_for(conversation_concepts(mentioned(m) for m in messages[:-1])))
    current = Urgency.parse(tracker.get_slot("urgency"))
    return together.rank > max(before.rank, current.rank)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class WarningSignPolicy(Policy):
    """Re-read the latest message as a warning sign when earlier messages complete a red flag with it."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above RulePolicy (6), so that its certain prediction wins a tie with a rule's.
        return {"priority": 7}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn: the red flags are data (knowledge/red_flags.py)."""
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource):
            pass

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> WarningSignPolicy:
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if needs_rereading(tracker):
            probabilities[domain.index_for_action(REREAD_ACTION)] = 1.0
        return self._prediction(probabilities)
