"""Compiled kernels (numba) for the passes over every person that a month makes.

Each kernel is one branch-light loop over the rows of the population, split
into a fixed number of chunks (:data:`rows.CHUNKS`) that run on the cores in
parallel. The chunks do not depend on the number of threads, and sums are
taken per chunk and then added in chunk order, so a result is the same with
one thread or many. Random numbers are counter-based (:mod:`.random`): person
``i`` gets the same uniform in every scenario, whatever rows a kernel visits,
exactly as :meth:`model.randomness.Streams.row_uniforms` gives it.

Kernels are compiled once and cached on disk (``cache=True``, in the
package's ``__pycache__``); the first run on a new machine compiles them
(a few seconds), later runs load them (about a second, on the first month).
"""
