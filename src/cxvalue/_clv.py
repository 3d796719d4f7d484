"""Lifetime-value arithmetic on arrays: survival, revenue paths, discounting.

Pure numpy, vectorised over any leading axes (parameter draws, categories,
profiles); the last axis is the month t = 1..H.
"""

from __future__ import annotations

import numpy as np


def monthly_rate(annual_rate: float) -> float:
    """The monthly discount rate equivalent to a yearly one: (1+i)^(1/12) − 1."""
    return float((1.0 + annual_rate) ** (1.0 / 12.0) - 1.0)


def discount_factors(horizon: int, monthly_discount: float) -> np.ndarray:
    """1/(1+d)^t for t = 1..horizon."""
    t = np.arange(1, horizon + 1)
    return (1.0 + monthly_discount) ** -t


def survival_from_hazard(hazard: np.ndarray) -> np.ndarray:
    """S(t) = Π_{s≤t} (1 − h(s)) along the last axis (t = 1..H).

    S(t) is the probability of still being a customer at the end of month t,
    having survived the churn hazard of months 1..t.
    """
    return np.cumprod(1.0 - np.asarray(hazard, dtype=float), axis=-1)


def revenue_path(
    base_monthly: np.ndarray, annual_log_growth: np.ndarray, horizon: int
) -> np.ndarray:
    """Monthly revenue R(t) = R0 · exp(g · t / 12) for t = 1..H.

    ``base_monthly`` and ``annual_log_growth`` broadcast against each other;
    the result gains a last axis of length ``horizon``.
    """
    t = np.arange(1, horizon + 1) / 12.0
    base = np.asarray(base_monthly, dtype=float)[..., None]
    growth = np.asarray(annual_log_growth, dtype=float)[..., None]
    return base * np.exp(growth * t)


def lifetime_value(
    margin: float | np.ndarray,
    revenue: np.ndarray,
    survival: np.ndarray,
    monthly_discount: float,
) -> np.ndarray:
    """CLV = Σ_{t=1..H} m · R(t) · S(t) / (1+d)^t over the last axis.

    Parameters
    ----------
    margin : float or array
        Profit margin as a share of revenue; broadcasts over the leading axes.
    revenue, survival : ndarray
        R(t) and S(t) with t = 1..H on the last axis.
    monthly_discount : float
        d, the discount rate per month.
    """
    horizon = np.shape(survival)[-1]
    factors = discount_factors(horizon, monthly_discount)
    return np.asarray(margin) * np.sum(revenue * survival * factors, axis=-1)


def geometric_sum(ratio: np.ndarray, first: int, last: int) -> np.ndarray:
    """Σ_{t=first..last} x^t, elementwise, in closed form (exact also at x = 1).

    With a constant hazard h, growth g and discount d, the CLV sum is a
    geometric series in x = (1 − h) · exp(g/12) / (1 + d): this evaluates it
    for thousands of parameter draws without a month axis.
    """
    x = np.asarray(ratio, dtype=float)
    count = last - first + 1
    near_one = np.abs(x - 1.0) < 1e-9
    safe = np.where(near_one, 0.5, x)
    series = safe**first * (1.0 - safe**count) / (1.0 - safe)
    return np.where(near_one, float(count), series)
