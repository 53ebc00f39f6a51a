"""How people choose a career centre.

Pure functions of arrays: the market of the month (:class:`.agents.MarketArrays`),
the people's rows and their uniforms.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...people import codes
from .agents import NO_CENTRE, MarketArrays


def choice_weights(market: MarketArrays, p: Mapping) -> np.ndarray:
    """Attraction of each slot: coaches x exp(``centres.choice.quality_loading`` x quality), 0 where no centre is open."""
    return np.where(market.open, market.coaches * np.exp(p["centres.choice.quality_loading"] * market.quality_z), 0.0)


def choose(province: np.ndarray, u: np.ndarray, market: MarketArrays, p: Mapping) -> np.ndarray:
    """The slot each person chooses (``NO_CENTRE`` when no centre is open).

    With probability ``centres.choice.own_province_share`` a person chooses
    among the centres of their own province (or of all of Flanders when their
    province has none open), otherwise among all centres, in proportion to
    :func:`choice_weights`. One uniform per person decides both.

    Args:
        province: Province code of each person.
        u: One uniform in [0, 1) per person.
    """
    weights = choice_weights(market, p)
    out = np.full(len(u), NO_CENTRE, dtype=np.intp)
    if len(u) == 0 or weights.sum() <= 0:
        return out
    share = p["centres.choice.own_province_share"]
    own = u < share
    # the rest of the uniform picks the centre
    v = np.where(own, u / share if share > 0 else 0.0, (u - share) / (1.0 - share) if share < 1 else 0.0)
    v = np.clip(v, 0.0, np.nextafter(1.0, 0.0))
    pools = [(~own, weights)]
    for code in range(len(codes.PROVINCES)):
        in_province = np.where(market.province == code, weights, 0.0)
        who = own & (province == code)
        pools.append((who, in_province if in_province.sum() > 0 else weights))
    for who, w in pools:
        if not who.any():
            continue
        cumulative = np.cumsum(w)
        pick = np.searchsorted(cumulative, v[who] * cumulative[-1], side="right")
        out[who] = np.minimum(pick, len(w) - 1)
    return out
