"""Calibration of the behavioural parameters to the 2014-2018 uptake, and validation.

- :mod:`.targets`: the observed figures (``model/targets/uptake.yaml``) and the
  model's value of each, from yearly tallies by group;
- :mod:`.config`: the calibration config (which parameters, which targets);
- :mod:`.replay`: the smooth, deterministic objective (labour paths recorded
  once, uptake replayed in expectation);
- :mod:`.fit`: least squares, uncertainty, the calibrated parameter file;
- :mod:`.backcast`: the full-scale back-cast and its validation table.
"""
