"""From models to money: lifetime value by category, the value of a point, scenarios.

CLV of category c over H months, with monthly discount d and margin m, is
Σ_{t=1..H} m · R_c(t) · S_c(t) / (1+d)^t: S_c from the retention model,
R_c(t) = R0 · exp(g_c · t/12) from the revenue model (growth of retained
customers). Both are evaluated per profile of controls in the current base
and averaged over the base's mix (standardisation), so that categories are
compared on the same customers. Intervals come from drawing both models'
coefficients from their estimated normal distributions and recomputing
everything per draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue._clv import monthly_rate
from cxvalue._validation import check_param
from cxvalue._value_draws import ProfileDraws, simulate
from cxvalue.errors import ParameterError

__all__ = ["TRANSITIONS", "ValueResult", "scenario", "value"]

#: Named transition assumptions: which customers move when NPS rises.
TRANSITIONS: dict[str, dict[tuple[str, str], float]] = {
    "detractor_to_passive": {(DETRACTOR, PASSIVE): 1.0},
    "passive_to_promoter": {(PASSIVE, PROMOTER): 1.0},
    "detractor_to_promoter": {(DETRACTOR, PROMOTER): 1.0},
}
#: NPS points gained per 1% of customers making each move.
POINTS_PER_PERCENT = {(DETRACTOR, PASSIVE): 1.0, (PASSIVE, PROMOTER): 1.0,
                      (DETRACTOR, PROMOTER): 2.0}  # fmt: skip
NOT_ENOUGH = "not enough evidence: the interval is wider than the estimate"


@dataclass(frozen=True)
class Assumptions:
    """What every money figure depends on; printed with each of them."""

    margin: float
    discount_rate: float
    horizon_months: int
    transition: str
    moves: dict[tuple[str, str], float]
    adjusted_for: str
    level: float
    n_draws: int

    def describe(self) -> str:
        """One sentence for a source line or a slide footnote."""
        return (
            f"{self.horizon_months}-month horizon, {self.margin:.0%} margin, "
            f"{self.discount_rate:.0%} yearly discount rate; one NPS point = "
            f"{describe_transition(self.transition)}; models {self.adjusted_for}; "
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
        detractors (respondents' shares post-stratified to the base's mix).
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
            lines.append(f"  {row.comparison}: {per} per customer; whole base {whole}")
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
    revenue_model: Any,
    *,
    margin: float = 0.3,
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
    revenue_model : RevenueModel
        From :func:`cxvalue.fit_revenue`; its controls must be among the
        retention model's controls.
    margin : float
        Profit as a share of revenue, in [0, 1].
    discount_rate : float
        Yearly discount rate (0.10 = 10%), converted to a monthly rate.
    horizon_months : int
        H: months of future revenue counted.
    transition : str or mapping
        Who moves when NPS rises by one point: a name in :data:`TRANSITIONS`
        (default ``"detractor_to_passive"``: 1% of customers move from
        detractor to passive) or a mix ``{("detractor", "passive"): 0.6,
        ("passive", "promoter"): 0.4}``.
    n_draws : int
        Parameter draws for the intervals.
    level : float
        Confidence level of the intervals.
    seed : int, optional
        Seed of the draws (reproducible by default).

    Returns
    -------
    ValueResult
    """
    _check(margin, discount_rate, horizon_months, n_draws, level)
    moves = transition_moves(transition)
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
    weights = sim.customers / sim.customers.sum()
    clv = margin * np.einsum("dcp,p->dc", sim.value, weights)
    gap_rows, gap_draws = [], {}
    for high in (PROMOTER, PASSIVE):
        if high not in sim.categories or DETRACTOR not in sim.categories:
            continue
        per, base = _gap(sim, high, DETRACTOR, margin)
        gap_draws[f"gap_{high}_{DETRACTOR}"] = per
        gap_rows.append({"comparison": f"{high} - {DETRACTOR}", **_interval(per, level),
                         **_interval(base, level, "whole_base", "base_lo", "base_hi")})  # fmt: skip
    columns = ["comparison", "estimate", "lo", "hi", "whole_base", "base_lo", "base_hi"]
    gaps = pd.DataFrame(gap_rows, columns=columns).rename(columns={"estimate": "per_customer"})
    point, moving = point_value(sim, moves, margin)
    assumptions = Assumptions(
        margin=margin, discount_rate=discount_rate, horizon_months=horizon_months,
        transition=transition if isinstance(transition, str) else _mix_name(moves), moves=moves,
        adjusted_for=retention.adjusted_for(), level=level, n_draws=n_draws,
    )  # fmt: skip
    clv_frame = pd.DataFrame(
        [{"category": c, **_interval(clv[:, i], level)} for i, c in enumerate(sim.categories)]
    )
    clv_frame["evidence"] = _evidence(clv_frame)
    point_frame = pd.DataFrame([{**_interval(point, level), "customers_moving": moving}])
    point_frame["evidence"] = _evidence(point_frame)
    return ValueResult(
        clv=clv_frame, gaps=gaps, point=point_frame, assumptions=assumptions,
        customers=int(sim.customers.sum()),
        draws={"clv": clv, "point": point, **gap_draws}, _sim=sim,
    )  # fmt: skip


def scenario(
    result: ValueResult,
    *,
    points: float | None = None,
    moves: Mapping[tuple[str, str], float] | None = None,
) -> pd.DataFrame:
    """Change in revenue and profit per year, and in discounted value, for a target.

    Parameters
    ----------
    result : ValueResult
        From :func:`value`; its draws and assumptions are reused.
    points : float, optional
        Raise NPS by this many points under the result's transition
        assumption ("+5 points").
    moves : mapping, optional
        Shares of a category's customers that move: ``{("detractor",
        "passive"): 0.5}`` halves detractors by making them passives.

    Returns
    -------
    pandas.DataFrame
        One row per year of the horizon, then a ``total`` row: ``year``,
        ``revenue_change`` with ``revenue_lo``/``revenue_hi``,
        ``profit_change`` with ``profit_lo``/``profit_hi`` (undiscounted),
        ``value_change`` with ``value_lo``/``value_hi`` (discounted profit,
        total row only), ``nps_change``.
    """
    if (points is None) == (moves is None):
        raise ParameterError("scenario() needs exactly one of 'points' or 'moves'.")
    sim, a = result._sim, result.assumptions
    if points is not None:
        check_param(np.isfinite(points), "points", "scenario", "a finite number", points)
        share = 0.01 * points / sum(w * POINTS_PER_PERCENT[m] for m, w in a.moves.items())
        moved = {m: share * w * sim.customers.sum() for m, w in a.moves.items()}
    else:
        moved = {m: s * sim.holders(m[0]).sum() for m, s in transition_moves(moves).items()}
    yearly = _moved_sum(sim, moved, sim.yearly)  # (draws, years)
    total = _moved_sum(sim, moved, sim.value[..., None])[:, 0]
    nps = 100 * sum(n * POINTS_PER_PERCENT[m] for m, n in moved.items()) / sim.customers.sum()
    rows = []
    for y in range(yearly.shape[1]):
        rows.append({"year": str(y + 1),
                     **_interval(yearly[:, y], a.level, "revenue_change", "revenue_lo",
                                 "revenue_hi"),
                     **_interval(a.margin * yearly[:, y], a.level, "profit_change", "profit_lo",
                                 "profit_hi")})  # fmt: skip
    whole = yearly.sum(axis=1)
    rows.append({"year": "total",
                 **_interval(whole, a.level, "revenue_change", "revenue_lo", "revenue_hi"),
                 **_interval(a.margin * whole, a.level, "profit_change", "profit_lo",
                             "profit_hi"),
                 **_interval(a.margin * total, a.level, "value_change", "value_lo",
                             "value_hi")})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["nps_change"] = nps
    return frame


def point_value(
    sim: ProfileDraws, moves: Mapping[tuple[str, str], float], margin: float
) -> tuple[np.ndarray, float]:
    """The value of +1 NPS point per draw, and how many customers move for it."""
    share = 0.01 / sum(w * POINTS_PER_PERCENT[m] for m, w in moves.items())
    moved = {m: share * w * sim.customers.sum() for m, w in moves.items()}
    per_draw = margin * _moved_sum(sim, moved, sim.value[..., None])[:, 0]
    return per_draw, float(sum(moved.values()))


def transition_moves(
    transition: str | Mapping[tuple[str, str], float],
) -> dict[tuple[str, str], float]:
    """The moves of a transition assumption, validated, weights summing to 1."""
    if isinstance(transition, str):
        if transition not in TRANSITIONS:
            raise ParameterError(
                f"The 'transition' parameter must be one of {', '.join(map(repr, TRANSITIONS))} "
                f"or a mapping of (from, to) moves to weights. Got {transition!r} instead."
            )
        return dict(TRANSITIONS[transition])
    moves = {tuple(k): float(v) for k, v in dict(transition).items()}
    bad = [k for k in moves if k not in POINTS_PER_PERCENT]
    if bad or not moves or any(v < 0 for v in moves.values()) or sum(moves.values()) <= 0:
        raise ParameterError(
            "A transition mix maps moves among "
            f"{', '.join('→'.join(k) for k in POINTS_PER_PERCENT)} to non-negative weights. "
            f"Got {dict(transition)!r} instead."
        )
    return moves


def describe_transition(name: str) -> str:
    """Words for a transition assumption."""
    if name in TRANSITIONS:
        ((src, dst),) = TRANSITIONS[name]
        pts = POINTS_PER_PERCENT[(src, dst)]
        return f"{1 / pts:g}% of customers moving from {src} to {dst}"
    return f"customers moving as {name}"


def _moved_sum(sim: ProfileDraws, moved: Mapping[tuple[str, str], float], per: np.ndarray):
    """Σ over moves of n_moved × mean gain per moved customer, per draw (and last axis).

    The movers of a move (src → dst) are spread over profiles in proportion
    to the base's estimated customers of ``src`` in each profile.
    """
    out = 0.0
    for (src, dst), n in moved.items():
        holders = sim.holders(src)
        mix = holders / holders.sum() if holders.sum() > 0 else holders
        gain = per[:, sim.index(dst)] - per[:, sim.index(src)]  # (draws, profiles, k)
        out = out + n * np.einsum("dpk,p->dk", gain, mix)
    return np.asarray(out)


def _gap(sim: ProfileDraws, high: str, low: str, margin: float):
    weights = sim.customers / sim.customers.sum()
    diff = sim.value[:, sim.index(high)] - sim.value[:, sim.index(low)]
    per_customer = margin * diff @ weights
    whole = margin * diff @ sim.holders(low)
    return per_customer, whole


def _interval(draws: np.ndarray, level: float, est="estimate", lo="lo", hi="hi") -> dict:
    q = np.quantile(draws, [0.5 - level / 2, 0.5 + level / 2])
    return {est: float(draws[0]), lo: float(q[0]), hi: float(q[1])}


def _evidence(frame: pd.DataFrame) -> list[str]:
    wide = (frame["hi"] - frame["lo"]) > frame["estimate"].abs()
    return [NOT_ENOUGH if w else "" for w in wide]


def _money(est: float, lo: float, hi: float) -> str:
    return f"{est:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def _mix_name(moves: Mapping[tuple[str, str], float]) -> str:
    total = sum(moves.values())
    return "a mix: " + ", ".join(f"{w / total:.0%} {s} to {d}" for (s, d), w in moves.items())


def _check_controls(retention: Any, revenue_model: Any) -> None:
    missing = [c for c in revenue_model.controls if c not in retention.controls]
    if missing:
        raise ParameterError(
            f"value(): the revenue model is adjusted for {', '.join(map(repr, missing))}, which "
            "the retention model is not; fit both with the same controls (or the revenue model "
            "with fewer)."
        )


def _check(margin: float, discount: float, horizon: int, n_draws: int, level: float) -> None:
    check_param(0 <= margin <= 1, "margin", "value", "a share of revenue in [0, 1]", margin)
    check_param(0 <= discount < 1, "discount_rate", "value", "a yearly rate in [0, 1)", discount)
    check_param(isinstance(horizon, int) and 1 <= horizon <= 240, "horizon_months", "value",
                "a whole number of months from 1 to 240", horizon)  # fmt: skip
    check_param(isinstance(n_draws, int) and n_draws >= 100, "n_draws", "value",
                "an integer of at least 100", n_draws)  # fmt: skip
    check_param(0 < level < 1, "level", "value", "a number in (0, 1)", level)
