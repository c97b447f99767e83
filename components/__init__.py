"""Rasa-side code: custom NLU components, loaded by the Rasa server through config.yml."""

from components import action_response_validation

# Rasa imports this package when it loads the model (config.yml names components.*), so every process
# that serves the model gets the faster response check.
action_response_validation.install()
