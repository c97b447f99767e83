"""Custom actions of the neck-pain and headache assistant; the Rasa SDK imports every submodule."""
