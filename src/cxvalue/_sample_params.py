"""The planted truths of the sample company: every parameter, with its default."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxvalue._categories import DETRACTOR, NOT_SURVEYED, PASSIVE, PROMOTER
from cxvalue._validation import check_param


def _by_category(promoter: float, passive: float, detractor: float, not_surveyed: float):
    return lambda: {PROMOTER: promoter, PASSIVE: passive, DETRACTOR: detractor,
                    NOT_SURVEYED: not_surveyed}  # fmt: skip


@dataclass(frozen=True)
class SampleParams:
    """Every planted truth of the sample company, with its default.

    Attributes
    ----------
    n_customers, n_months, start : int, int, str
        Customers ever seen, months simulated and the first month (2023-01 …
        2025-12 by default).
    hazard_ratio : dict
        Monthly churn hazard ratio by observed category, vs passives, in the
        cloglog (proportional hazards) form.
    annual_growth : dict
        Annual log-growth of monthly revenue of a retained customer, by the
        observed category as of the month; the monthly step is g/12 + noise.
    base_hazard : dict
        exp(η) of a passive by size band (≈ the monthly churn probability):
        larger customers churn less.
    segment_hazard : dict
        Hazard multipliers by segment.
    new_customer_hazard : float
        Hazard multiplier while tenure is under 12 months.
    category_mix : dict
        Attitude mix (promoter, passive, detractor) by size band before
        ``detractor_shift``: larger customers are more often promoters.
    detractor_shift : float
        Share moved to detractors, taken half from promoters, half from
        passives, in every size band. 0 by default; raise it for a worse year.
    size_mix, segment_mix : dict, tuple
        Size band shares by segment; segment shares.
    median_mrr, mrr_sigma : dict, float
        Starting MRR is lognormal: median by size band, log-sd ``mrr_sigma``.
    revenue_noise : float
        Standard deviation of the monthly log-growth step.
    share_at_start, max_prior_tenure : float, int
        Share of customers already active in the first month, and their prior
        tenure (uniform on 1 … max_prior_tenure − 1 months). The others are
        acquired uniformly over months 1 … n_months − 1.
    first_wave, survey_every : int
        Month index of the first survey wave (3 = April) and the spacing of
        waves (April and October). Each wave is fielded over two months.
    response_rate : float
        Share of active customers answering a wave.
    persistence : float
        Chance that a customer's attitude carries over to the next wave;
        otherwise it is redrawn from the size band's mix (a Markov chain whose
        stationary distribution is that mix).
    recency_months : int or None
        If set, a response counts for this many months only (then
        ``not_surveyed`` again). None (default): the latest response counts.
    credit_note_rate : float
        Share of customer-months with a credit note of 10% of the invoice,
        billed as a second, negative line.
    referral_share : float
        Share of customers with referral_source "referral".
    """

    n_customers: int = 20_000
    n_months: int = 36
    start: str = "2023-01-01"
    hazard_ratio: dict = field(default_factory=_by_category(0.6, 1.0, 2.0, 1.2))
    annual_growth: dict = field(default_factory=_by_category(0.08, 0.03, -0.04, 0.0))
    base_hazard: dict = field(default_factory=lambda: {"small": 0.016, "medium": 0.010,
                                                       "large": 0.006})  # fmt: skip
    segment_hazard: dict = field(default_factory=lambda: {"SMB": 1.25, "Mid-Market": 1.0,
                                                          "Enterprise": 0.8})  # fmt: skip
    new_customer_hazard: float = 1.3
    category_mix: dict = field(default_factory=lambda: {
        "small": (0.25, 0.40, 0.35), "medium": (0.35, 0.40, 0.25), "large": (0.50, 0.35, 0.15),
    })  # fmt: skip
    detractor_shift: float = 0.0
    size_mix: dict = field(default_factory=lambda: {
        "SMB": (0.70, 0.25, 0.05), "Mid-Market": (0.25, 0.55, 0.20),
        "Enterprise": (0.05, 0.35, 0.60),
    })  # fmt: skip
    segment_mix: tuple = (0.50, 0.35, 0.15)
    median_mrr: dict = field(default_factory=lambda: {"small": 300.0, "medium": 1500.0,
                                                      "large": 6000.0})  # fmt: skip
    mrr_sigma: float = 0.6
    revenue_noise: float = 0.03
    share_at_start: float = 0.6
    max_prior_tenure: int = 60
    first_wave: int = 3
    survey_every: int = 6
    response_rate: float = 0.3
    persistence: float = 0.7
    recency_months: int | None = None
    credit_note_rate: float = 0.005
    referral_share: float = 0.15

    def __post_init__(self) -> None:
        name = "SampleParams"
        check_param(self.n_customers >= 1, "n_customers", name, "an int >= 1", self.n_customers)
        check_param(self.n_months >= 2, "n_months", name, "an int >= 2", self.n_months)
        check_param(0 <= self.response_rate <= 1, "response_rate", name, "in [0, 1]",
                    self.response_rate)  # fmt: skip
        check_param(0 <= self.persistence <= 1, "persistence", name, "in [0, 1]", self.persistence)
        lo = max(-min(mix[2] for mix in self.category_mix.values()), -1.0)
        hi = 2 * min(min(mix[:2]) for mix in self.category_mix.values())
        check_param(lo <= self.detractor_shift <= hi, "detractor_shift", name,
                    f"a float in [{lo:g}, {hi:g}] (every share stays >= 0)",
                    self.detractor_shift)  # fmt: skip

    def mix(self, size: str) -> np.ndarray:
        """(promoter, passive, detractor) probabilities of a size band, after the shift."""
        promoter, passive, detractor = self.category_mix[size]
        shift = self.detractor_shift
        return np.array([promoter - shift / 2, passive - shift / 2, detractor + shift])

    def log_hazard_ratio(self, category: str) -> float:
        """The planted log hazard ratio of ``category`` vs passives."""
        return float(np.log(self.hazard_ratio[category] / self.hazard_ratio[PASSIVE]))

    def growth_difference(self, category: str) -> float:
        """Planted annual log-growth of ``category`` minus that of passives."""
        return float(self.annual_growth[category] - self.annual_growth[PASSIVE])

    def monthly_hazard(
        self, category: str, size: str, segment: str, tenure_months: int = 12
    ) -> float:
        """The planted monthly churn probability of one profile.

        h = 1 − exp(−base(size) · segment_hazard · HR_c · k), with
        k = ``new_customer_hazard`` if ``tenure_months`` < 12 else 1.
        """
        new = self.new_customer_hazard if tenure_months < 12 else 1.0
        rate = self.base_hazard[size] * self.segment_hazard[segment] * self.hazard_ratio[category]
        return float(1.0 - np.exp(-rate * new))
