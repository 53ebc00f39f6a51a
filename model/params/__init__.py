"""Layer 1, what may vary: dated parameters with their sources, scenarios, run settings and parameter sets.

Nothing here knows people, the engine or a mechanism. The data files live here too:
``parameters/`` (the law and the behavioural priors), ``calibrated/`` (written by
``loopbaan calibrate``) and ``targets/`` (published figures the model is fitted to or
judged against).
"""
