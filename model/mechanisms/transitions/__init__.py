"""Year-on-year transitions between labour statuses, January to January, by group (:mod:`.process`, :mod:`.kernel`)."""
