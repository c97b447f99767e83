"""Every change this project makes to Rasa's internals, in one place, installed on purpose.

The Rasa server is started through `components.server`, which calls `install()` before Rasa runs; no
import installs anything. The changes were written against one Rasa version and each has a test showing
that it keeps Rasa's behaviour (tests/test_speedups.py, tests/test_incremental_history.py,
tests/test_action_fallback.py, tests/test_action_payload.py,
tests/test_conditional_responses.py, tests/e2e/test_model_loading.py). On any other version they stay
off, and the log says so.
"""

from __future__ import annotations

import logging

import rasa

from components import action_fallback, action_payload, conditional_responses, incremental_history, speedups

logger = logging.getLogger(__name__)

SUPPORTED_RASA_VERSION = "3.6.21"


def install(rasa_version: str | None = None) -> bool:
    """Install the faster paths (speedups.py, incremental_history.py, action_payload.py), the apology for a
    failing action server (action_fallback.py) and quiet conditional responses (conditional_responses.py)
    if Rasa is the version they were written for; idempotent."""
    version = rasa_version or rasa.__version__
    if version != SUPPORTED_RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s: the project's changes to Rasa's internals (components/rasa_patches.py) "
            "are off; Rasa runs unchanged.",
            version,
            SUPPORTED_RASA_VERSION,
        )
        return False
    speedups.install()
    incremental_history.install()
    action_payload.install()
    action_fallback.install()
    conditional_responses.install()
    return True
