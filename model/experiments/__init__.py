"""Layer 6, experiments: they drive the engine and never draw.

- :mod:`.build`: the one way into the engine (a run, and the models of one replication);
- :mod:`.run`: replications (and parameter sets) of a run's scenarios, into a result;
- :mod:`.backends`: replications or sweep points on local worker processes or a Dask cluster;
- :mod:`.warmup_cache`: warmed-up states kept on disk;
- :mod:`.progress`: what a run tells as it goes;
- :mod:`.part_runs`: the runs that show each part's share of a scenario made of parts;
- :mod:`.effects`: the effect of guidance per user, measured inside the simulation;
- :mod:`.sweep`, :mod:`.discovery`: grids, Morris, Sobol', Latin hypercubes and PRIM;
- :mod:`.calibration`: the fit to 2014-2018 and the back-cast.
"""
