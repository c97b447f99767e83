"""What the project's NLU components share: how Rasa creates them, and for the trainable ones, their
trained state as one joblib file in the resource Rasa gives them."""

from __future__ import annotations

from typing import Any, ClassVar

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self


class ConfiguredComponent(GraphComponent):
    """A GraphComponent built from its configuration alone: nothing trained, nothing stored."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config)


class PersistedComponent(GraphComponent):
    """A GraphComponent whose trained state (`saved_state`) is stored as `model_file` with joblib."""

    model_file: ClassVar[str]

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, saved: Any = None):
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.restore(saved)

    def restore(self, saved: Any) -> None:
        """Take up the saved state; None before training."""
        raise NotImplementedError

    def saved_state(self) -> Any:
        """What `persist` writes and `restore` reads back."""
        raise NotImplementedError

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        with model_storage.read_from(resource) as directory:
            saved = joblib.load(directory / cls.model_file)
        return cls(config, model_storage, resource, saved)

    def persist(self) -> Resource:
        with self.model_storage.write_to(self.resource) as directory:
            joblib.dump(self.saved_state(), directory / self.model_file)
        return self.resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
