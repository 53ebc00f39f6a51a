"""Guidance and its effects.

Who is a recent user, job changes after guidance (:mod:`.effects`; the effects act
in the labour market), and the users' outcomes at the evaluation horizon (:mod:`.process`).
"""
