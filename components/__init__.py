"""Rasa-side code: custom NLU components, loaded by the Rasa server through config.yml."""

from components import speedups

# Rasa imports this package when it loads the model (config.yml names components.*), so every process
# that serves the model gets the faster paths (see speedups.py).
speedups.install()
