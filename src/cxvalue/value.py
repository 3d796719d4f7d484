"""From models to money: lifetime value by category and the value of a point.

CLV of category c over H months, with monthly discount d and margin m, is
Σ_{t=1..H} m · R_c(t) · S_c(t) / (1+d)^t: S_c from the retention model,
R_c(t) = R0 · exp(g_c · t/12) from the revenue model (growth of retained
customers). Both are evaluated per profile of controls in the current base
and averaged over the base's mix (standardisation), so that categories are
compared on the same customers. Intervals come from drawing both models'
coefficients from their estimated normal distributions and recomputing
everything per draw. Scenarios, the value bridge and sensitivities are in
:mod:`cxvalue.scenarios`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue._clv import monthly_rate
from cxvalue._validation import check_param
from cxvalue._value_draws import ProfileDraws, simulate
from cxvalue.errors import DataWarning, InputError, ParameterError
from cxvalue.margins import margin_words, profile_margins
from cxvalue.models.retention import MIN_EVENTS
from cxvalue.transitions import (
    POINTS_PER_PERCENT,
    describe_transition,
    transition_moves,
    transition_name,
)

__all__ = ["ValueResult", "value"]

#: How an evidence flag begins.
NOT_ENOUGH_PREFIX = "not enough evidence: "
#: The reason given when a figure's interval is wider than its estimate.
WIDE = "the interval is wider than the estimate"
NOT_ENOUGH = NOT_ENOUGH_PREFIX + WIDE
#: The customers of a category, in an evidence reason ("only 3 churn events among …").
AMONG = {"promoter": "promoters", "passive": "passives", "detractor": "detractors",
         "not_surveyed": "customers not surveyed"}  # fmt: skip


@dataclass(frozen=True)
class Assumptions:
    """What every money figure depends on; printed with each of them."""

    margin: float
    margin_source: str
    discount_rate: float
    horizon_months: int
    transition: str
    moves: dict[tuple[str, str], float]
    adjusted_for: str
    level: float
    n_draws: int
    flat_revenue: bool = False

    def describe(self) -> str:
        """One sentence for a source line or a slide footnote."""
        flat = "; revenue held flat (no revenue model)" if self.flat_revenue else ""
        return (
            f"{self.horizon_months}-month horizon, {self.margin_source}, "
            f"{self.discount_rate:.0%} yearly discount rate; one NPS point = "
            f"{describe_transition(self.transition)}; models {self.adjusted_for}{flat}; "
            f"{self.level:.0%} intervals from {self.n_draws:,} parameter draws"
        )


@dataclass(frozen=True)
class ValueResult:
    """Lifetime value by category, the gaps, the value of one NPS point.

    Attributes
    ----------
    clv : pandas.DataFrame
        Per customer by category: ``category``, ``estimate``, ``lo``, ``hi``
        (profit over the horizon, discounted), ``evidence``.
    gaps : pandas.DataFrame
        ``comparison`` (promoter − detractor, passive − detractor),
        ``per_customer`` with ``lo``/``hi``, and ``whole_base`` with
        ``base_lo``/``base_hi``: the gap times the base's estimated
        detractors (respondents' shares post-stratified to the base's mix;
        its interval holds both the models' uncertainty and that of the
        count, whose non-respondents are estimated), ``evidence``.
    point : pandas.DataFrame
        One row: the value of +1 NPS point over the horizon (``estimate``,
        ``lo``, ``hi``), ``customers_moving`` and ``evidence``.
    assumptions : Assumptions
    customers : int
        Customers in the current base.
    draws : dict of str to ndarray
        The simulated values per draw (draw 0 is the point estimate): ``clv``
        (draws, categories), ``point`` (draws,), ``gap_promoter_detractor``.
    """

    clv: pd.DataFrame
    gaps: pd.DataFrame
    point: pd.DataFrame
    assumptions: Assumptions
    customers: int
    draws: dict[str, np.ndarray] = field(repr=False)
    _sim: ProfileDraws = field(repr=False)
    _margins: np.ndarray = field(repr=False)
    _thin: dict[str, str] = field(repr=False, default_factory=dict)

    def summary(self) -> str:
        """The money figures in words, with intervals and assumptions."""
        pct = f"{self.assumptions.level:.0%}"
        lines = [f"Value over {self.assumptions.horizon_months} months ({pct} intervals)"]
        for row in self.clv.itertuples():
            lines.append(f"  {row.category:<13} {_money(row.estimate, row.lo, row.hi)}"
                         + (f"  [{row.evidence}]" if row.evidence else ""))  # fmt: skip
        for row in self.gaps.itertuples():
            per = _money(row.per_customer, row.lo, row.hi)
            whole = _money(row.whole_base, row.base_lo, row.base_hi)
            lines.append(f"  {row.comparison}: {per} per customer; whole base {whole}"
                         + (f"  [{row.evidence}]" if row.evidence else ""))  # fmt: skip
        p = self.point.iloc[0]
        lines.append(f"  +1 NPS point ({p.customers_moving:,.0f} customers moving): "
                     f"{_money(p.estimate, p.lo, p.hi)}"
                     + (f"  [{p.evidence}]" if p.evidence else ""))  # fmt: skip
        lines.append(f"Assumptions: {self.assumptions.describe()}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"ValueResult({self.customers:,} customers; {self.assumptions.describe()})"


def value(
    retention: Any,
    revenue_model: Any | None,
    *,
    margin: float | pd.DataFrame = 0.3,
    discount_rate: float = 0.10,
    horizon_months: int = 36,
    transition: str | Mapping[tuple[str, str], float] = "detractor_to_passive",
    n_draws: int = 10_000,
    level: float = 0.95,
    seed: int | None = 0,
) -> ValueResult:
    """Lifetime value by category, the value gaps and the value of one NPS point.

    Parameters
    ----------
    retention : RetentionModel
        From :func:`cxvalue.fit_retention`; its ``base`` (customers in the
        panel's last month) is the base the money is computed for.
    revenue_model : RevenueModel or None
        From :func:`cxvalue.fit_revenue`; its controls must be among the
        retention model's controls. None: every customer's revenue is held
        flat at today's, so that the values differ by retention alone (for a
        snapshot panel, which has no revenue history to fit a model on); the
        assumptions say so.
    margin : float or pandas.DataFrame
        Profit as a share of revenue, in [0, 1], or a table of margins by a
        control from the data's cost or margin column
        (:func:`cxvalue.margin_table`).
    discount_rate : float
        Yearly discount rate (0.10 = 10%), converted to a monthly rate.
    horizon_months : int
        H: months of future revenue counted.
    transition : str or mapping
        Who moves when NPS rises by one point: a name in :data:`TRANSITIONS`
        (default ``"detractor_to_passive"``: 1% of customers move from
        detractor to passive), a mix ``{("detractor", "passive"): 0.6,
        ("passive", "promoter"): 0.4}``, or the mix observed between
        repeated surveys (:func:`cxvalue.observed_transitions`).
    n_draws : int
        Parameter draws for the intervals.
    level : float
        Confidence level of the intervals.
    seed : int, optional
        Seed of the draws (reproducible by default).

    Returns
    -------
    ValueResult
        Each figure with its interval and an ``evidence`` note: "not enough
        evidence" when a category involved has fewer than 10 churn events or
        a flagged estimate, or when the interval is wider than the estimate.
    """
    _check(discount_rate, horizon_months, n_draws, level)
    moves = transition_moves(transition)
    if revenue_model is not None:
        _check_controls(retention, revenue_model)
    absent = sorted({c for move in moves for c in move} - set(retention.categories))
    if absent:
        raise ParameterError(
            f"value(): the transition moves customers through {', '.join(absent)}, a category "
            "the retention model was not fitted with. Choose another 'transition'."
        )
    sim = simulate(retention, revenue_model, horizon=horizon_months,
                   monthly_discount=monthly_rate(discount_rate), n_draws=n_draws,
                   seed=seed)  # fmt: skip
    billed = sim.customers * sim.profiles["revenue"]
    if not billed.sum() > 0:
        size = int(sim.customers.sum())
        raise InputError(
            (f"Today's base billed nothing: revenue 0 for each of its {size:,} customers"
             if size else "Today's base is empty: no customer is one at the data's end")
            + ", so there is nothing to value. Are the data's last months still to come? "
            "End the revenue at the last billed month (read_revenue(through=...), or "
            "through= in the config)."
        )  # fmt: skip
    margins = profile_margins(margin, sim.profiles)
    thin = thin_categories(retention)
    weights = sim.customers / sim.customers.sum()
    clv = np.einsum("dcp,p->dc", sim.value * margins, weights)
    gap_rows, gap_draws = [], {}
    for high in (PROMOTER, PASSIVE):
        if high not in sim.categories or DETRACTOR not in sim.categories:
            continue
        holders = sim.holder_draws(DETRACTOR, n_draws, None if seed is None else seed + 2)
        per, base = _gap(sim, high, DETRACTOR, margins, holders)
        gap_draws[f"gap_{high}_{DETRACTOR}"] = per
        gap_rows.append({"comparison": f"{high} - {DETRACTOR}", **interval(per, level),
                         **interval(base, level, "whole_base", "base_lo", "base_hi"),
                         "evidence": evidence(per, level, thin, (high, DETRACTOR))})  # fmt: skip
    columns = ["comparison", "estimate", "lo", "hi", "whole_base", "base_lo", "base_hi", "evidence"]
    gaps = pd.DataFrame(gap_rows, columns=columns).rename(columns={"estimate": "per_customer"})
    point, moving = point_value(sim, moves, margins)
    average = float(np.average(margins, weights=billed))
    assumptions = Assumptions(
        margin=average, margin_source=margin_words(margin, average), discount_rate=discount_rate,
        horizon_months=horizon_months, transition=transition_name(transition), moves=moves,
        adjusted_for=retention.adjusted_for(), level=level, n_draws=n_draws,
        flat_revenue=revenue_model is None,
    )  # fmt: skip
    clv_frame = pd.DataFrame(
        [{"category": c, **interval(clv[:, i], level), "evidence": evidence(clv[:, i], level, thin,
          (c,))} for i, c in enumerate(sim.categories)]
    )  # fmt: skip
    involved = tuple(c for move in moves for c in move)
    point_evidence = _nobody_to_move(sim, moves, evidence(point, level, thin, involved))
    point_frame = pd.DataFrame([{**interval(point, level), "customers_moving": moving,
                                 "evidence": point_evidence}])  # fmt: skip
    return ValueResult(
        clv=clv_frame, gaps=gaps, point=point_frame, assumptions=assumptions,
        customers=int(sim.customers.sum()),
        draws={"clv": clv, "point": point, **gap_draws}, _sim=sim, _margins=margins,
        _thin=thin,
    )  # fmt: skip


def thin_categories(retention: Any) -> dict[str, str]:
    """Categories whose churn evidence is too thin to value, with the reason."""
    events = retention.cells.groupby("category", observed=True)["events"].sum()
    thin = {}
    for cat in retention.categories:
        n = int(events.get(cat, 0))
        flag = retention.flags.get(f"category[{cat}]")
        if n < MIN_EVENTS or flag:
            among = AMONG.get(cat, f"{cat} customers")
            thin[cat] = f"only {n} churn events among {among}" if n < MIN_EVENTS else flag
    return thin


def evidence(
    draws: np.ndarray, level: float, thin: Mapping[str, str], categories: tuple[str, ...]
) -> str:
    """ "not enough evidence: <why>" for a figure, or "" when the evidence suffices."""
    reasons = [thin[c] for c in dict.fromkeys(categories) if c in thin]
    if reasons:
        return NOT_ENOUGH_PREFIX + "; ".join(reasons)
    est = interval(draws, level)
    return NOT_ENOUGH if est["hi"] - est["lo"] > abs(est["estimate"]) else ""


def _nobody_to_move(sim: ProfileDraws, moves: Mapping[tuple[str, str], float], flag: str) -> str:
    """The value of a point's evidence flag, with the categories the transition moves
    customers out of that today's base has none of (a warning says what to do)."""
    empty = [c for c in dict.fromkeys(src for src, _ in moves) if sim.holders(c).sum() == 0]
    if not empty:
        return flag
    names = ", ".join(AMONG.get(c, c) for c in empty)
    warnings.warn(
        DataWarning(
            f"value(): today's base has no {names}, so the transition moves no one out of "
            f"{'that category' if len(empty) == 1 else 'those categories'} and the value of a "
            "point leaves those moves out (it is 0 when they are all it has). Choose a "
            "transition from a category the base has, e.g. transition='passive_to_promoter'.",
            key="nobody_to_move",
            categories=list(empty),
        ),
        stacklevel=3,
    )
    reasons = [f"today's base has no {AMONG.get(c, c)} to move" for c in empty]
    if flag:
        reasons.append(flag.removeprefix(NOT_ENOUGH_PREFIX))
    return NOT_ENOUGH_PREFIX + "; ".join(reasons)


def point_value(
    sim: ProfileDraws, moves: Mapping[tuple[str, str], float], margins: np.ndarray
) -> tuple[np.ndarray, float]:
    """The value of +1 NPS point per draw, and how many customers move for it."""
    moved = movers(sim, moves, 1.0)
    per_draw = moved_sum(sim, moved, (sim.value * margins)[..., None])[:, 0]
    return per_draw, float(sum(n.sum() for n in moved.values()))


def movers(
    sim: ProfileDraws, moves: Mapping[tuple[str, str], float], points: float
) -> dict[tuple[str, str], np.ndarray]:
    """Customers making each move, per profile, for an NPS rise of ``points``.

    The movers of a move (src → dst) are spread over profiles in proportion
    to the base's estimated customers of ``src`` in each profile.
    """
    share = 0.01 * points / sum(w * POINTS_PER_PERCENT[m] for m, w in moves.items())
    out = {}
    for (src, dst), w in moves.items():
        holders = sim.holders(src)
        mix = holders / holders.sum() if holders.sum() > 0 else holders
        out[(src, dst)] = share * w * sim.customers.sum() * mix
    return out


def moved_sum(
    sim: ProfileDraws, moved: Mapping[tuple[str, str], np.ndarray], per: np.ndarray
) -> np.ndarray:
    """Σ over moves and profiles of movers × gain per mover, per draw (and last axis).

    ``per`` is shaped (draws, categories, profiles, k); ``moved`` maps each
    move to the movers per profile.
    """
    out = np.zeros((per.shape[0], per.shape[-1]))
    for (src, dst), n in moved.items():
        gain = per[:, sim.index(dst)] - per[:, sim.index(src)]  # (draws, profiles, k)
        out += np.einsum("dpk,p->dk", gain, n)
    return out


def _gap(sim: ProfileDraws, high: str, low: str, margins: np.ndarray, holders: np.ndarray):
    """The gap per customer of the base, and in the whole base: per customer of ``low``
    times the base's ``low`` customers, both drawn (``holders``, see
    :meth:`ProfileDraws.holder_draws`)."""
    weights = sim.customers / sim.customers.sum()
    diff = (sim.value[:, sim.index(high)] - sim.value[:, sim.index(low)]) * margins
    return diff @ weights, np.einsum("dp,dp->d", diff, holders)


def interval(draws: np.ndarray, level: float, est="estimate", lo="lo", hi="hi") -> dict:
    q = np.quantile(draws, [0.5 - level / 2, 0.5 + level / 2])
    return {est: float(draws[0]), lo: float(q[0]), hi: float(q[1])}


def _money(est: float, lo: float, hi: float) -> str:
    return f"{est:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def _check_controls(retention: Any, revenue_model: Any) -> None:
    missing = [c for c in revenue_model.controls if c not in retention.controls]
    if missing:
        raise ParameterError(
            f"value(): the revenue model is adjusted for {', '.join(map(repr, missing))}, which "
            "the retention model is not; fit both with the same controls (or the revenue model "
            "with fewer)."
        )
    factors = getattr(revenue_model.design, "factors", {})
    for control, levels in factors.items():
        if control == "category" or control not in retention.base:
            continue
        unseen = sorted(set(map(str, retention.base[control].dropna())) - set(levels))
        if unseen:
            raise ParameterError(
                f"value(): today's base has customers with {control} = "
                f"{', '.join(map(repr, unseen))}, but the revenue model has no retained "
                "customer-months there (none stayed a whole revenue window yet), so their "
                f"growth cannot be valued. Fit the revenue model without {control!r}, or with "
                "bands that the revenue history covers."
            )


def _check(discount: float, horizon: int, n_draws: int, level: float) -> None:
    check_param(0 <= discount < 1, "discount_rate", "value", "a yearly rate in [0, 1)", discount)
    check_param(isinstance(horizon, int) and 1 <= horizon <= 240, "horizon_months", "value",
                "a whole number of months from 1 to 240", horizon)  # fmt: skip
    check_param(isinstance(n_draws, int) and n_draws >= 100, "n_draws", "value",
                "an integer of at least 100", n_draws)  # fmt: skip
    check_param(0 < level < 1, "level", "value", "a number in (0, 1)", level)
