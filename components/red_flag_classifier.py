"""Rasa NLU component: warning signs and dose requests decide the intent, whatever DIET predicted.

It runs last in the pipeline, like Rasa's FallbackClassifier, and overrides the intent the same way:
  - an emergency red flag            -> `emergency_sign`
  - a request for a dose/prescription -> `ask_dose`
  - an urgent red flag               -> `warning_sign`
It also adds the entities `red_flag` (flag ids) and `absent_sign` (concepts the message denies, such
as "no fever"), and a `warning_signs` property with the urgency and a plain-language description.
If DIET alone predicted `emergency_sign` or `warning_sign` but the detector recognised the signs in the
message and found no red flag among them ("stiff neck, no fever", "hay fever and a stiff neck"), the
next-best other intent is used instead. When the detector recognised nothing at all, DIET's prediction
stands, as an extra safety net for wordings the rules do not know yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.red_flag_detector import RED_FLAGS_PATH, Assessment, RedFlag, RedFlagDetector, Sign, describe

EMERGENCY_INTENT = "emergency_sign"
URGENT_INTENT = "warning_sign"
DOSE_INTENT = "ask_dose"
SAFETY_INTENTS = (EMERGENCY_INTENT, URGENT_INTENT)
EXTRACTOR = "RedFlagClassifier"


def _entity(name: str, value: str, signs: list[Sign]) -> dict[str, Any]:
    """An entity spanning the words that gave it, as Rasa's entities do (`rasa test nlu` needs the span)."""
    start = min((sign.start for sign in signs), default=0)
    end = max((sign.end for sign in signs), default=0)
    return {"entity": name, "value": value, "start": start, "end": end, "extractor": EXTRACTOR, "confidence": 1.0}


def flag_signs(flag: RedFlag, assessment: Assessment) -> list[Sign]:
    """The present signs of the first combination of concepts that raised `flag`."""
    present = assessment.present
    concepts = next((set(c) for c in flag.when if all(concept in present for concept in c)), set())
    return [sign for sign in assessment.signs if sign.concept in concepts and not sign.negated]


def safety_intent(assessment: Assessment) -> str | None:
    """The intent the detector's findings force, most urgent first; None if they force none."""
    if assessment.urgency == "emergency":
        return EMERGENCY_INTENT
    if assessment.dose_request:
        return DOSE_INTENT
    if assessment.urgency == "urgent":
        return URGENT_INTENT
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagClassifier(GraphComponent):
    """Deterministic warning-sign and dose-request detection that overrides the predicted intent."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"red_flags": str(RED_FLAGS_PATH)}

    def __init__(self, config: dict[str, Any]) -> None:
        self.detector = RedFlagDetector(Path(config["red_flags"]))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagClassifier:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if not text.strip() or text.startswith("/"):
            return  # empty, or a button payload whose intent is already set
        assessment = self.detector.assess(text)
        entities = [_entity("red_flag", flag.id, flag_signs(flag, assessment)) for flag in assessment.flags]
        entities += [
            _entity("absent_sign", concept, [sign for sign in assessment.signs if sign.concept == concept])
            for concept in sorted(assessment.absent)
        ]
        message.set(ENTITIES, (message.get(ENTITIES) or []) + entities, add_to_output=True)
        message.set(
            "warning_signs",
            {
                "urgency": assessment.urgency,
                "flags": [flag.id for flag in assessment.flags],
                "description": describe(assessment.flags) if assessment.flags else "",
                "dose_request": assessment.dose_request,
            },
            add_to_output=True,
        )

        forced = safety_intent(assessment)
        predicted = (message.get(INTENT) or {}).get("name")
        if forced:
            self._set_intent(message, forced)
        elif predicted in SAFETY_INTENTS and assessment.signs:
            ranking = message.get(INTENT_RANKING_KEY) or []
            fallback = next((item["name"] for item in ranking if item["name"] not in SAFETY_INTENTS), None)
            if fallback:
                self._set_intent(message, fallback)

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        intent = {"name": name, "confidence": 1.0}
        ranking = [intent] + [item for item in message.get(INTENT_RANKING_KEY) or [] if item.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
