"""Ask 2 of the resolution: outreach to non-active people in the disadvantaged groups (:mod:`.process`)."""
