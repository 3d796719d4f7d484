"""What-ifs on a value result: scenarios, the value bridge and sensitivities.

A scenario moves customers between categories — "+5 points" under the
result's transition assumption, "halve detractors", or "these 500 named
accounts become promoters" — and reads the change in revenue, profit and
discounted value off the same parameter draws as :func:`cxvalue.value`, so
every change carries its interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue._validation import check_param
from cxvalue.errors import InputError, ParameterError
from cxvalue.formatting import fmt_pct
from cxvalue.transitions import transition_moves
from cxvalue.value import ValueResult, interval, moved_sum, movers, value

__all__ = ["bridge", "scenario", "sensitivity"]

#: Contribution of one customer of each category to NPS (in units of 100 points).
_NPS_WEIGHT = {PROMOTER: 1.0, PASSIVE: 0.0, DETRACTOR: -1.0}


def scenario(
    result: ValueResult,
    *,
    points: float | None = None,
    moves: Mapping[tuple[str, str], float] | None = None,
    accounts: Sequence[str] | None = None,
    to: str | None = None,
    panel: Any = None,
) -> pd.DataFrame:
    """Change in revenue and profit per year, and in discounted value, for a target.

    Give exactly one of ``points``, ``moves`` or ``accounts``.

    Parameters
    ----------
    result : ValueResult
        From :func:`cxvalue.value`; its draws and assumptions are reused.
    points : float, optional
        Raise NPS by this many points under the result's transition
        assumption ("+5 points").
    moves : mapping, optional
        Shares of a category's customers that move: ``{("detractor",
        "passive"): 0.5}`` halves detractors by making them passives.
    accounts : sequence of str, optional
        Named customers who move to category ``to`` ("move these 500
        accounts to promoter"), each valued at their own current revenue
        within their profile. Needs ``to`` and the ``panel`` the models were
        fitted on; accounts already in ``to`` count as unchanged.
    to : str, optional
        The category named accounts move to.
    panel : Panel, optional
        The panel, to look up named accounts' category, controls and revenue.

    Returns
    -------
    pandas.DataFrame
        One row per year of the horizon, then a ``total`` row: ``year``,
        ``revenue_change`` with ``revenue_lo``/``revenue_hi``,
        ``profit_change`` with ``profit_lo``/``profit_hi`` (undiscounted),
        ``value_change`` with ``value_lo``/``value_hi`` (discounted profit,
        total row only), ``nps_change``, ``customers_moving``.
    """
    sim, a = result._sim, result.assumptions
    moved, nps, count = _moved(result, points, moves, accounts, to, panel)
    margins = result._margins[:, None]
    revenue = moved_sum(sim, moved, sim.yearly)  # (draws, years)
    profit = moved_sum(sim, moved, sim.yearly * margins)
    total = moved_sum(sim, moved, (sim.value * result._margins)[..., None])[:, 0]
    rows = []
    for year in [*range(revenue.shape[1]), None]:
        rev = revenue.sum(axis=1) if year is None else revenue[:, year]
        pro = profit.sum(axis=1) if year is None else profit[:, year]
        row = {"year": "total" if year is None else str(year + 1),
               **interval(rev, a.level, "revenue_change", "revenue_lo", "revenue_hi"),
               **interval(pro, a.level, "profit_change", "profit_lo", "profit_hi")}  # fmt: skip
        if year is None:
            row.update(interval(total, a.level, "value_change", "value_lo", "value_hi"))
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["nps_change"] = nps
    frame["customers_moving"] = count
    return frame


def bridge(
    result: ValueResult,
    *,
    points: float | None = None,
    moves: Mapping[tuple[str, str], float] | None = None,
    accounts: Sequence[str] | None = None,
    to: str | None = None,
    panel: Any = None,
) -> pd.DataFrame:
    """Today's base profit → retention effect → expansion effect → profit under a scenario.

    Profits are discounted over the result's horizon for the whole current
    base. The retention effect is what the movers gain from their new
    category's churn hazard alone (revenue growth as before); the expansion
    effect is the rest (their new category's revenue growth). The scenario
    is given as in :func:`scenario`.

    Returns
    -------
    pandas.DataFrame
        Rows ``baseline``, ``retention``, ``expansion``, ``scenario`` with
        ``step``, ``estimate``, ``lo``, ``hi``; ``.attrs`` holds
        ``nps_change``, ``horizon_months``, ``assumptions``, ``customers``.
    """
    sim, a, margins = result._sim, result.assumptions, result._margins
    moved, nps, _ = _moved(result, points, moves, accounts, to, panel)
    baseline = np.einsum("dcp,cp->d", sim.value * margins, sim.counts)
    total = moved_sum(sim, moved, (sim.value * margins)[..., None])[:, 0]
    retention = np.zeros(len(baseline))
    for (src, dst), n in moved.items():
        i, j = sim.index(src), sim.index(dst)
        kept = sim.discounted(sim.hazard[:, j], sim.growth[:, i]) - sim.value[:, i]
        retention = retention + (kept * margins) @ n
    steps = {"baseline": baseline, "retention": retention, "expansion": total - retention,
             "scenario": baseline + total}  # fmt: skip
    frame = pd.DataFrame([{"step": k, **interval(np.asarray(v), a.level)}
                          for k, v in steps.items()])  # fmt: skip
    frame.attrs.update(nps_change=nps, horizon_months=a.horizon_months, assumptions=a,
                       customers=result.customers)  # fmt: skip
    return frame


def sensitivity(
    retention: Any,
    revenue_model: Any,
    *,
    margin: float | pd.DataFrame = 0.3,
    discount_rate: float = 0.10,
    horizon_months: int = 36,
    transition: str | Mapping[tuple[str, str], float] = "detractor_to_passive",
    margin_scale: tuple[float, float] = (0.75, 1.25),
    discount_rates: tuple[float, float] = (0.05, 0.15),
    horizons: tuple[int, int] = (24, 60),
    churn_refits: Mapping[str, tuple[Any, Any]] | None = None,
    n_draws: int = 200,
    seed: int | None = 0,
) -> pd.DataFrame:
    """The value of one NPS point when each assumption moves to a low and a high setting.

    Parameters
    ----------
    retention, revenue_model, margin, discount_rate, horizon_months, transition :
        The base case, as for :func:`cxvalue.value`.
    margin_scale : (float, float)
        Factors applied to the margin (0.75 and 1.25: ±25%).
    discount_rates, horizons : (low, high)
        Alternative yearly discount rates and horizons in months.
    churn_refits : mapping, optional
        Two alternative churn definitions, ``{"2 months": (retention,
        revenue_model), "6 months": (...)}``, fitted on panels built with
        other ``churn_after_months``.
    n_draws, seed :
        Draws per evaluation (only the point estimate is used).

    Returns
    -------
    pandas.DataFrame
        One row per assumption: ``parameter``, ``low_setting``,
        ``high_setting`` (text), ``low``, ``high`` (value per point) and
        ``base``; sorted by swing, largest first.
    """
    check_param(len(margin_scale) == 2 and min(margin_scale) >= 0, "margin_scale", "sensitivity",
                "two non-negative factors", margin_scale)  # fmt: skip
    base_args = {"margin": margin, "discount_rate": discount_rate,
                 "horizon_months": horizon_months, "transition": transition,
                 "n_draws": n_draws, "seed": seed}  # fmt: skip

    def per_point(ret: Any = retention, rev: Any = revenue_model, **change: Any) -> float:
        return float(value(ret, rev, **{**base_args, **change}).point["estimate"].iloc[0])

    base = value(retention, revenue_model, **base_args)
    average = base.assumptions.margin
    rows = [
        ("margin", *fmt_pct([average * f for f in margin_scale], None),
         *[per_point(margin=_scaled(margin, f)) for f in margin_scale]),
        ("discount_rate", *fmt_pct(discount_rates, None),
         *[per_point(discount_rate=r) for r in discount_rates]),
        ("horizon_months", *[f"{h} months" for h in horizons],
         *[per_point(horizon_months=h) for h in horizons]),
    ]  # fmt: skip
    if churn_refits:
        check_param(len(churn_refits) == 2, "churn_refits", "sensitivity",
                    "two (retention, revenue model) pairs", len(churn_refits))  # fmt: skip
        labels = list(churn_refits)
        rows.append(("churn_after_months", *labels,
                     *[per_point(*churn_refits[k]) for k in labels]))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["parameter", "low_setting", "high_setting", "low", "high"])
    frame["base"] = float(base.point["estimate"].iloc[0])
    swing = (frame["high"] - frame["low"]).abs()
    frame = frame.iloc[np.argsort(-swing.to_numpy(), kind="stable")].reset_index(drop=True)
    frame.attrs["assumptions"] = base.assumptions
    return frame


def _scaled(margin: float | pd.DataFrame, factor: float) -> float | pd.DataFrame:
    if not isinstance(margin, pd.DataFrame):
        return min(1.0, margin * factor)
    out = margin.assign(margin=(margin["margin"] * factor).clip(upper=1.0))
    out.attrs = dict(margin.attrs)
    return out


def _moved(
    result: ValueResult,
    points: float | None,
    moves: Mapping[tuple[str, str], float] | None,
    accounts: Sequence[str] | None,
    to: str | None,
    panel: Any,
) -> tuple[dict[tuple[str, str], np.ndarray], float, float]:
    """Movers per move and profile (in units of the profile's mean customer), the NPS
    change and the number of customers moving."""
    if sum(x is not None for x in (points, moves, accounts)) != 1:
        raise ParameterError("A scenario needs exactly one of 'points', 'moves' or 'accounts'.")
    sim, a = result._sim, result.assumptions
    if points is not None:
        check_param(np.isfinite(points), "points", "scenario", "a finite number", points)
        moved = movers(sim, a.moves, points)
    elif moves is not None:
        moved = {m: s * sim.holders(m[0]) for m, s in transition_moves(moves).items()}
    else:
        moved, heads = _account_movers(result, accounts, to, panel)
    heads = moved if accounts is None else heads
    change = sum(n * (_NPS_WEIGHT[d] - _NPS_WEIGHT[s]) for (s, d), n in heads.items()
                 if s in _NPS_WEIGHT and d in _NPS_WEIGHT)  # fmt: skip
    absent = {c for move in moved for c in move} - set(sim.categories)
    if absent:
        raise ParameterError(
            f"The scenario moves customers through {', '.join(sorted(absent))}, a category the "
            "models were not fitted with."
        )
    count = float(sum(np.sum(n) for n in heads.values()))
    return moved, float(100 * np.sum(change) / sim.customers.sum()), count


def _account_movers(
    result: ValueResult, accounts: Sequence[str] | None, to: str | None, panel: Any
) -> tuple[dict[tuple[str, str], np.ndarray], dict[tuple[str, str], int]]:
    """Named accounts as movers, each weighted by its revenue relative to its profile's
    mean; and the head count of each move."""
    sim = result._sim
    if to is None or panel is None:
        raise ParameterError("A scenario of named accounts needs 'to' (a category) and 'panel'.")
    if to not in sim.categories:
        raise ParameterError(
            f"'to' must be one of {', '.join(sim.categories)}. Got {to!r} instead."
        )
    ids = pd.Index(pd.Series(list(accounts), dtype=str).unique())
    controls = [c for c in sim.profiles.columns
                if c not in ("customers", "revenue") and not c.startswith("share_")]  # fmt: skip
    found = _accounts_now(panel, ids, controls)
    unknown = ids.difference(found["customer_id"])
    if len(unknown):
        raise InputError(
            f"scenario(): {len(unknown):,} of {len(ids):,} accounts are not customers in the "
            f"panel's last month (e.g. {', '.join(map(repr, unknown[:5]))}): unknown, or "
            "already churned."
        )
    profile = sim.profiles.reset_index(names="_profile")
    found = found.merge(profile[[*controls, "_profile", "revenue"]], on=controls, how="left",
                        suffixes=("", "_profile"))  # fmt: skip
    found["weight"] = (found["revenue"] / found["revenue_profile"]).fillna(0.0)
    moved, heads = {}, {}
    for src, rows in found[found["category"] != to].groupby("category"):
        n = np.bincount(rows["_profile"], weights=rows["weight"], minlength=len(profile))
        moved[(str(src), to)], heads[(str(src), to)] = n, len(rows)
    return moved, heads


def _accounts_now(panel: Any, ids: pd.Index, controls: list[str]) -> pd.DataFrame:
    """Category, controls and revenue of the named accounts in the panel's last month."""
    expr = panel.expr
    end = panel.data_end.date()
    rows = expr.filter((expr.period == end) & (expr.at_risk == 1) & (expr.churned == 0)
                       & expr.customer_id.cast("string").isin(list(ids)))  # fmt: skip
    found = panel.backend.execute(rows.select("customer_id", "category", "revenue", *controls))
    found["customer_id"] = found["customer_id"].astype(str)
    return found
