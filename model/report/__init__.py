"""Layer 7, the report: words and pictures, made from run folders (or a run's tables in memory); it never runs the model.

- :mod:`.run_data`: a run as the report reads it (:func:`~model.report.run_data.load_run`);
- :mod:`.tables`: the report's numbers (funnel, reach, budget, flows, calibration);
- :mod:`.findings`: the key findings, in plain sentences;
- :mod:`.sections`: the report's sections as text and formatted tables;
- :mod:`.charts`: every chart of the model (the run folder's, the report's, a calibration's, a sweep's);
- :mod:`.labels`, :mod:`.style`: the words (Dutch and English) and the one style;
- :mod:`.render`: ``loopbaan report``: the notebook executed and written as one HTML file.
"""
