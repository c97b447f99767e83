"""Shared fixtures: the real catalogue and a collecting dispatcher."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from knowledge.catalogue import Catalogue, default_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
