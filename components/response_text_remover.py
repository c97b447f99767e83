"""Rasa NLU component: removes the answer text that Rasa attaches to each training example of a retrieval
intent.

Rasa copies a topic's whole answer onto every `topic/<id>` example for its ResponseSelector. No component
here reads it (the TopicRanker learns from the example and its `topic/<id>` label), yet spaCy and both
count-vector featurizers processed those 2,000 copies of long summaries: about a third of training time.
First in the pipeline, so that nothing after it sees them.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import RESPONSE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.component_bases import ConfiguredComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ResponseTextRemover(ConfiguredComponent):
    """Drops the `response` attribute of training examples; messages at run time pass unchanged."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            example.data.pop(RESPONSE, None)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        return messages
