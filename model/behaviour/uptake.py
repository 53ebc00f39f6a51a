"""Awareness of the cheque and the monthly hazards of starting cheque 1 and 2."""

from __future__ import annotations

from typing import Mapping

import numpy as np
from scipy.special import expit

from .. import codes
from ..population import Population
from ..rules import user_price

# Uptake age group of each five-year band.
_AGE_GROUP_OF_BAND = np.zeros(len(codes.AGE_BANDS), dtype=np.intp)
for _i, _bands in enumerate(codes.UPTAKE_AGE_GROUPS.values()):
    _AGE_GROUP_OF_BAND[list(_bands)] = _i


def is_aware(pop: Population, rows, p: Mapping) -> np.ndarray:
    """Aware while the person's fixed latent draw is below the awareness level."""
    return pop.awareness_draw[rows] < p["behaviour.awareness.level"]


def cheque1_hazard(pop: Population, rows: np.ndarray, p: Mapping) -> np.ndarray:
    """Monthly probability that an aware, eligible person starts cheque 1.

    Logistic in sex, age group, education, migration background, work
    disability, status (employee, self-employed, non-active) and the own
    contribution; multiplied by the exogenous shock multiplier.
    """
    u = "behaviour.uptake."
    age = np.array([p[u + "age_band"][g] for g in codes.UPTAKE_AGE_GROUPS])[_AGE_GROUP_OF_BAND[pop.age_band(rows)]]
    edu = np.array([p[u + "education"][k] for k in codes.EDUCATION])[pop.education[rows].astype(np.intp)]
    mig = np.array([p[u + "migration"][k] for k in codes.MIGRATION])[pop.migration[rows].astype(np.intp)]
    status = p[u + "status"]
    status_term = np.where(pop.status[rows] == codes.NON_ACTIVE, status["non_active"],
                           np.where(pop.self_employed[rows], status["self_employed"], status["employee"]))
    price = user_price(p, np.ones(len(rows)))
    z = (p[u + "intercept_cheque1"] + p[u + "women"] * pop.sex[rows] + age + edu + mig
         + p[u + "work_disability"] * pop.work_disability[rows] + status_term + p[u + "price_per_eur"] * price)
    return expit(z) * p[u + "shock_multiplier"]


def cheque2_hazard(pop: Population, rows: np.ndarray, month: int, p: Mapping) -> np.ndarray:
    """Monthly probability of starting cheque 2, decaying with months since the last cheque.

    Zero in the month of the last cheque. A higher own contribution for
    cheque 2 than for cheque 1 lowers the hazard through the price term.
    """
    c = "behaviour.cheque2."
    since = month - pop.last_cheque_month[rows].astype(np.int32)
    base = p[c + "peak_hazard"] * np.exp(-(since - 1) / p[c + "decay_months"])
    price_gap = user_price(p, np.full(len(rows), 2)) - user_price(p, np.ones(len(rows)))
    hazard = base * np.exp(p["behaviour.uptake.price_per_eur"] * price_gap) * p["behaviour.uptake.shock_multiplier"]
    return np.where(since >= 1, np.clip(hazard, 0.0, 1.0), 0.0)
