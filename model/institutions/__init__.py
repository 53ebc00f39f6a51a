"""Institutions of the model that are few, as ``mesa.Agent`` objects (career centres)."""
