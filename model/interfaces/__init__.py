"""Layer 8, interfaces: they parse, call and print; the model lives in the layers below.

- :mod:`.api`: the Python API (``model.Simulation``, ``Results``, ``Sweep``, ``parameters``);
- :mod:`.cli`: the ``loopbaan`` commands; :mod:`.printing`: what they print;
- :mod:`.whatif`, :mod:`.app`: the what-if page (levers to a scenario; the Solara page);
- :mod:`.bench`: the benchmark of ``make bench``.
"""
