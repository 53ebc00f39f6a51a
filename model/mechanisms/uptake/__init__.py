"""Uptake of cheques 1 and 2.

Awareness (:mod:`.awareness`), the hazards (:mod:`.hazards`), the orders
(:mod:`.process`) and the compiled pass over the candidates at work (:mod:`.kernel`).
"""
