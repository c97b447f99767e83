"""Rasa-side code: custom NLU components and policies (named in config.yml), the project's changes to
Rasa's internals (rasa_patches.py, installed by server.py) and the lock store. Importing it changes
nothing."""
