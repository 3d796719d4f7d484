"""The sample's planted truths as numbers later tests recover.

Kept apart from the generator so a test can read the truth without
generating anything. Every formula is closed-form in ``SampleParams``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxvalue._categories import CATEGORIES, PASSIVE, SURVEYED
from cxvalue._sample_params import SampleParams
from cxvalue._validation import check_choice, check_param

_REFERENCE_SEGMENT = "Mid-Market"


@dataclass(frozen=True)
class Truth:
    """What a correctly specified model should find in the sample.

    Attributes
    ----------
    effects : DataFrame
        Indexed by category (promoter, passive, detractor, not_surveyed):
        ``hazard_ratio`` and ``log_hazard_ratio`` vs passives (the cloglog
        coefficient), ``annual_growth`` (annual log-growth of monthly revenue
        while retained) and ``growth_vs_passive`` (its difference to passives,
        the coefficient of a log-ratio growth model with passives as
        reference, annualised).
    by_size : DataFrame
        Indexed by size band: the attitude mix ``promoter``, ``passive``,
        ``detractor`` (the long-run share of responses, after
        ``detractor_shift``), its ``nps``, ``base_hazard`` (exp(η) of a
        passive) and ``passive_hazard``, the monthly churn probability of a
        Mid-Market passive past its first year — the confounder: larger bands
        have more promoters and lower hazard.
    """

    effects: pd.DataFrame
    by_size: pd.DataFrame


def truth(params: SampleParams | None = None) -> Truth:
    """The planted effects and the planted confounder of ``params``.

    Parameters
    ----------
    params : SampleParams, optional
        ``SampleParams()`` when omitted.

    Returns
    -------
    Truth

    Examples
    --------
    >>> from cxvalue.samples import SampleParams, truth
    >>> print(round(truth(SampleParams()).effects.loc["detractor", "log_hazard_ratio"], 4))
    0.6931
    """
    params = params or SampleParams()
    log_hr = [params.log_hazard_ratio(c) for c in CATEGORIES]
    effects = pd.DataFrame(
        {
            "hazard_ratio": np.exp(log_hr),
            "log_hazard_ratio": log_hr,
            "annual_growth": [params.annual_growth[c] for c in CATEGORIES],
            "growth_vs_passive": [params.growth_difference(c) for c in CATEGORIES],
        },
        index=pd.Index(CATEGORIES, name="category"),
    )
    sizes = list(params.category_mix)
    mix = np.array([params.mix(s) for s in sizes])
    by_size = pd.DataFrame(mix, columns=list(SURVEYED), index=pd.Index(sizes, name="size"))
    by_size["nps"] = 100 * (by_size["promoter"] - by_size["detractor"])
    by_size["base_hazard"] = [params.base_hazard[s] for s in sizes]
    by_size["passive_hazard"] = [
        params.monthly_hazard(PASSIVE, s, _REFERENCE_SEGMENT) for s in sizes
    ]
    return Truth(effects, by_size)


def implied_clv(
    category: str,
    *,
    params: SampleParams | None = None,
    size: str = "medium",
    segment: str = _REFERENCE_SEGMENT,
    horizon: int = 36,
    monthly_discount: float = 0.01,
    margin: float = 1.0,
    mrr: float | None = None,
    tenure_months: int = 12,
) -> float:
    """The planted lifetime value of a customer who stays in ``category``.

    CLV = Σ_{t=1..H} m · R(t) · S(t) / (1+d)^t, the formula of the value
    module, with the planted parameters:

    - R(t) = R0 · exp(t · (g_c/12 + σ²/2)) · (1 − 0.1 · credit_note_rate), the
      expected monthly revenue: log-growth g_c/12 a month plus the lognormal
      mean of the N(0, σ²) step (σ = ``revenue_noise``), net of credit notes;
    - S(t) = Π_{s=1..t} (1 − h_c(s)), h_c(s) from
      :meth:`SampleParams.monthly_hazard` at tenure ``tenure_months + s − 1``
      (×``new_customer_hazard`` while under 12 months).

    S(t) counts month t's revenue only for customers who survive month t, as
    the value module does; the sample also bills the month of churn, so its
    expected billed revenue is Σ R(t) · S(t−1) — a timing convention, not a
    difference in the hazard.

    Parameters
    ----------
    category : {"promoter", "passive", "detractor", "not_surveyed"}
    params : SampleParams, optional
        ``SampleParams()`` when omitted.
    size, segment : str
        The profile; the size band's median starting MRR is R0 unless ``mrr``.
    horizon : int
        H, months.
    monthly_discount : float
        d.
    margin : float
        m, profit as a share of revenue (1.0: revenue value).
    mrr : float, optional
        R0, this month's revenue.
    tenure_months : int
        Tenure now (month 0).

    Returns
    -------
    float

    Examples
    --------
    >>> from cxvalue.samples import implied_clv
    >>> gap = implied_clv("promoter") - implied_clv("detractor")
    >>> round(gap, -2)
    14900.0
    """
    params = params or SampleParams()
    check_choice(category, CATEGORIES, "category", "implied_clv")
    check_param(horizon >= 1, "horizon", "implied_clv", "an int >= 1", horizon)
    check_param(0 <= monthly_discount < 1, "monthly_discount", "implied_clv", "a float in [0, 1)",
                monthly_discount)  # fmt: skip
    t = np.arange(1, horizon + 1)
    base = params.median_mrr[size] if mrr is None else mrr
    step = params.annual_growth[category] / 12 + params.revenue_noise**2 / 2
    revenue = base * np.exp(step * t) * (1 - 0.1 * params.credit_note_rate)
    hazard = np.array(
        [params.monthly_hazard(category, size, segment, tenure_months + s - 1) for s in t]
    )
    survival = np.cumprod(1 - hazard)
    return float(margin * np.sum(revenue * survival / (1 + monthly_discount) ** t))
