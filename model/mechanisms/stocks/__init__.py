"""The month's stocks by group, counted in one pass over everybody (:mod:`.process`, :mod:`.kernel`)."""
