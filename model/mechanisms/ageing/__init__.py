"""Ageing and renewal of the population: a month older, leaving at 65, free rows refilled (:mod:`.process`)."""
