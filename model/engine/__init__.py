"""Layer 3, the engine: a month of the processes it is given, on people held as columns; it knows no mechanism.

- :mod:`.process`: what a process declares (parameters, columns it owns and reads, streams, counters) and
  the checks that enforce it;
- :mod:`.engine`: :class:`~model.engine.engine.LoopbaanModel`, one scenario and one replication as a ``mesa.Model``;
- :mod:`.state`: the whole state of a simulation, snapshotted for a shared warm-up;
- :mod:`.counters`: counters by group, their roles, the yearly tables;
- :mod:`.randomness`: common random numbers (named streams, per-row uniforms);
- :mod:`.rows`: the common parts of the compiled kernels.
"""
