"""The career centres, and quality monitoring (ask 4).

``mesa.Agent`` objects (:mod:`.agents`) in a market (:mod:`.market`), chosen by people
(:mod:`.choice`), serving waiting lists within capacity and budget (:mod:`.queue`), and reaching out under the
supply-driven incentive (:mod:`.outreach`). Quality monitoring (ask 4) is part of the market.
"""
