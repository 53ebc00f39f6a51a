"""Ask 3 of the resolution: VDAB invites non-active users to register as job seeker (:mod:`.process`)."""
