"""Layer 5, results: numbers about a run, and the run folder's one schema.

- :mod:`.result`: :class:`~model.results.result.RunResult`, what a run produced;
- :mod:`.comparison`: paired differences against each scenario's baseline, with their intervals;
- :mod:`.parts`: each part's share of a scenario made of parts;
- :mod:`.flows`: transitions between statuses, and the published ones;
- :mod:`.run_folder`: the tables of a run folder, written or in memory, and read back;
- :mod:`.atomic`, :mod:`.provenance`: folders written whole or not at all; where a result came from.
"""
