"""Every chart of the model, drawn in the one style (:mod:`model.report.style`), and only here.

- :mod:`.base`: what every chart shares (a figure without pyplot, legend, source line, saving);
- :mod:`.summary`: the run folder's own charts, from its tables;
- :mod:`.figures`: the report's charts, in Dutch or English;
- :mod:`.calibration`: a calibration's and a back-cast's fit;
- :mod:`.sweeps`: Morris, Sobol', tornado and scenario discovery.
"""
