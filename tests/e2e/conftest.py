"""One real Rasa server and action server for the whole end-to-end session."""

from __future__ import annotations

import pytest

from tests.e2e.servers import RasaStack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> RasaStack:
    with running_stack(tmp_path_factory.mktemp("rasa-stack")) as running:
        yield running
