"""Rasa-side code: custom NLU components, loaded by the Rasa server through config.yml."""

from components import action_fallback, speedups

# Rasa imports this package when it loads the model (config.yml names components.*), so every process
# that serves the model gets the faster paths (see speedups.py) and the apology when the action server
# fails (see action_fallback.py).
speedups.install()
action_fallback.install()
