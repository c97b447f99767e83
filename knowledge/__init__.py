"""What the assistant knows, in pure Python: no Rasa, no spaCy pipeline, no side effects on import."""
