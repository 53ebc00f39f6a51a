"""Behaviour of people: labour-market moves, awareness and uptake, effects of guidance."""
