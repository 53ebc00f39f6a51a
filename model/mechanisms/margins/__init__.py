"""The employment margins: the simulated employment rates by raked group against the table's (:mod:`.process`)."""
