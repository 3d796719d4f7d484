"""Revenue forecast of the current customer base, and a backtest that scores it.

The base is the customers at risk in the panel's last month who did not
churn in it. A customer of category c and profile j bills in month t after
the data end with probability (1 − h)^(t−1) (they are known to be a customer
in month 1), at R0 · exp(g · t/12), where R0 is their cell's mean revenue in
the last month; h and g come from the retention and revenue models.
Categories stay as they are (no new survey answers are assumed), and no new
customers are added: this is the revenue of today's base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxvalue._validation import check_param
from cxvalue.errors import InputError
from cxvalue.margins import profile_margins
from cxvalue.models import DEFAULT_CONTROLS, fit_retention, fit_revenue
from cxvalue.panel import build_panel
from cxvalue.transitions import transition_moves

__all__ = ["Backtest", "backtest", "forecast"]

LEVELS = (0.80, 0.95)


def forecast(
    retention: Any,
    revenue_model: Any,
    *,
    months: int = 24,
    margin: float | pd.DataFrame = 0.3,
    moves: Mapping[tuple[str, str], float] | None = None,
    noise: bool = False,
    n_draws: int = 2000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Revenue and profit per month of the current base, with 80% and 95% intervals.

    Parameters
    ----------
    retention, revenue_model : fitted models
        From :func:`cxvalue.fit_retention` and :func:`cxvalue.fit_revenue`.
    months : int
        Months ahead (1-60).
    margin : float or pandas.DataFrame
        Profit as a share of revenue, or a margin table
        (:func:`cxvalue.margin_table`), applied as its average over today's
        base weighted by revenue.
    moves : mapping, optional
        A scenario: shares of a category's customers that move now, e.g.
        ``{("detractor", "passive"): 0.5}``. Rows for both the baseline and
        the scenario are returned.
    noise : bool
        Add to the parameter uncertainty the noise of the outcome itself:
        which customers churn (binomial) and how each one's revenue moves
        (log-normal, with the spread of the revenue model's residuals),
        customers independent, normal approximation of the total.
    n_draws : int
        Parameter draws.
    seed : int, optional
        Seed of the draws.

    Returns
    -------
    pandas.DataFrame
        ``scenario`` ("baseline", "scenario"), ``period``, ``month`` (1…),
        ``revenue`` with ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``, and
        ``profit`` with ``profit_lo_95``, ``profit_hi_95``.
    """
    check_param(isinstance(months, int) and 1 <= months <= 60, "months", "forecast",
                "a whole number of months from 1 to 60", months)  # fmt: skip
    base = retention.base
    margin = float(
        np.average(profile_margins(margin, base), weights=base["revenue"].fillna(0) + 1e-12)
    )
    if retention.data_end is None:
        raise InputError("forecast() needs a monthly panel: the retention model has no data end.")
    rng = np.random.default_rng(seed)
    paths = {"baseline": _expected_paths(retention, revenue_model, months, n_draws, seed, None)}
    if moves is not None:
        paths["scenario"] = _expected_paths(retention, revenue_model, months, n_draws, seed,
                                            transition_moves(moves))  # fmt: skip
    periods = pd.date_range(retention.data_end + pd.offsets.MonthBegin(1), periods=months,
                            freq="MS")  # fmt: skip
    frames = []
    for name, (mean, var) in paths.items():
        total = mean + (np.sqrt(var) * rng.standard_normal(mean.shape) if noise else 0.0)
        frame = pd.DataFrame({"scenario": name, "period": periods,
                              "month": np.arange(1, months + 1), "revenue": mean[0]})  # fmt: skip
        for level in LEVELS:
            lo, hi = np.quantile(total, [0.5 - level / 2, 0.5 + level / 2], axis=0)
            frame[f"lo_{level * 100:.0f}"], frame[f"hi_{level * 100:.0f}"] = lo, hi
        frame["profit"] = margin * frame["revenue"]
        frame["profit_lo_95"], frame["profit_hi_95"] = (
            margin * frame["lo_95"],
            margin * frame["hi_95"],
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _expected_paths(
    retention: Any, revenue_model: Any, months: int, n_draws: int, seed: int | None,
    moves: dict[tuple[str, str], float] | None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Expected revenue per draw and month, and the churn-noise variance."""
    base = retention.base[retention.base["n"] > 0].reset_index(drop=True)
    groups = [(base, base["n"].to_numpy(float))]
    if moves:
        stay = base["n"].to_numpy(float).copy()
        for (src, dst), share in moves.items():
            rows = (base["category"] == src).to_numpy()
            moved = base.assign(category=dst)
            groups.append((moved, np.where(rows, share * base["n"], 0.0)))
            stay = np.where(rows, stay - share * base["n"], stay)
        groups[0] = (base, stay)
    beta_ret = retention.draw(n_draws, seed)
    beta_rev = revenue_model.draw(n_draws, None if seed is None else seed + 1)
    beta_rev[0] = revenue_model.params.to_numpy()
    annual = getattr(revenue_model, "annualisation", 1.0)
    t = np.arange(1, months + 1)
    # variance of a customer's log revenue t months ahead: the residual spread of
    # annual growth, accumulating like a random walk
    spread = (getattr(revenue_model, "resid_sd", 0.0) * annual) ** 2 * t / 12.0
    mean = np.zeros((n_draws, months))
    var = np.zeros((n_draws, months))
    r0 = (base["revenue"] / base["n"]).to_numpy(float)
    sq = (base["revenue_sq"] / base["n"]).to_numpy(float)  # mean R0² of the cell
    for frame, n in groups:
        h = retention.hazard(frame, beta_ret)  # (draws, cells)
        g = annual * beta_rev @ revenue_model.design.matrix(frame).T
        alive = (1.0 - h)[..., None] ** (t - 1)  # (draws, cells, months)
        growth = np.exp(g[..., None] * t / 12.0)  # movers keep their R0
        mean += np.einsum("dcm,c->dm", r0[None, :, None] * growth * alive, n)
        # per customer: R0² g² (e^spread · p − p²), p the chance of still billing
        per_r0 = growth**2 * (np.exp(spread) * alive - alive**2)
        var += np.einsum("dcm,c->dm", sq[None, :, None] * per_r0, n)
    return mean, var


@dataclass(frozen=True)
class Backtest:
    """A forecast made at a cut-off, scored against what happened.

    Attributes
    ----------
    table : pandas.DataFrame
        Per month: ``period``, ``actual``, ``revenue`` (forecast), the
        interval bounds, ``error`` (forecast − actual) and ``inside_80``,
        ``inside_95``.
    mape : float
        Mean absolute percentage error.
    bias : float
        Mean of (forecast − actual) / actual: positive = forecast too high.
    coverage_80, coverage_95 : float
        Share of months whose actual revenue fell inside the interval.
    cutoff : pandas.Timestamp
        The last month the models saw.
    customers : int
        Customers in the base at the cut-off.
    """

    table: pd.DataFrame
    mape: float
    bias: float
    coverage_80: float
    coverage_95: float
    cutoff: pd.Timestamp
    customers: int

    def summary(self) -> str:
        """The scores in one paragraph."""
        return (
            f"Backtest from {self.cutoff:%Y-%m}, {len(self.table)} months, "
            f"{self.customers:,} customers in the base: MAPE {self.mape:.1%}, bias "
            f"{self.bias:+.1%}; actuals inside the 80% interval in {self.coverage_80:.0%} of "
            f"months, inside the 95% interval in {self.coverage_95:.0%}."
        )


def backtest(
    responses: Any,
    revenue: Any,
    customers: Any | None = None,
    *,
    cutoff: str | pd.Timestamp,
    months: int = 12,
    controls: Sequence[str] = DEFAULT_CONTROLS,
    noise: bool = True,
    n_draws: int = 2000,
    seed: int | None = 0,
    **panel_options: Any,
) -> Backtest:
    """Fit on data up to ``cutoff``, forecast ``months`` ahead, score against actuals.

    Parameters
    ----------
    responses, revenue, customers : DataFrame or ingest result
        The canonical tables, whole (the function hides what came later).
    cutoff : str or Timestamp
        The last month the models may see (``"2024-12"``).
    months : int
        Months forecast and scored; the data must reach that far.
    controls : sequence of str
        Controls of both models.
    noise : bool
        Include churn and revenue noise in the intervals (default: yes,
        since actual revenue has it).
    n_draws, seed :
        Parameter draws and their seed.
    **panel_options :
        Passed to :func:`cxvalue.build_panel` (window, recency, …).

    Returns
    -------
    Backtest
    """
    resp, rev = _table(responses), _table(revenue)
    cust = None if customers is None else _table(customers)
    end = pd.Timestamp(cutoff).to_period("M").to_timestamp()
    last = end + pd.DateOffset(months=months)
    if rev["period"].max() < last:
        there = (rev["period"].max().to_period("M") - end.to_period("M")).n
        shorter = f" months={there} scores the months there are." if there > 0 else ""
        raise InputError(
            f"backtest(): the revenue table ends {rev['period'].max():%Y-%m}; scoring {months} "
            f"months after {end:%Y-%m} needs data to {last:%Y-%m}.{shorter}"
        )
    seen = _before(resp, rev, cust, end)
    if seen[0]["score"].notna().sum() == 0:
        first = resp["responded_at"].min()
        raise InputError(
            f"backtest(): no survey answer was given by the end of {end:%Y-%m}, the cut-off"
            + (f" (the first is from {first:%Y-%m-%d})" if pd.notna(first) else "")
            + ": the models up to it have no effect of NPS to measure. Choose a later cut-off."
        )
    panel = build_panel(*seen, **panel_options)
    retention = fit_retention(panel, controls=controls)
    growth = fit_revenue(panel, controls=[c for c in controls if c in panel.columns])
    pred = forecast(retention, growth, months=months, margin=1.0, noise=noise,
                    n_draws=n_draws, seed=seed)  # fmt: skip
    base_ids = _base_ids(panel, end)
    later = rev[(rev["period"] > end) & (rev["period"] <= last)]
    actual = later[later["customer_id"].isin(base_ids)].groupby("period")["revenue"].sum()
    table = pred.drop(columns=["scenario", "profit", "profit_lo_95", "profit_hi_95"])
    table["actual"] = actual.reindex(table["period"]).fillna(0.0).to_numpy()
    table["error"] = table["revenue"] - table["actual"]
    for level in ("80", "95"):
        table[f"inside_{level}"] = table["actual"].between(table[f"lo_{level}"],
                                                           table[f"hi_{level}"])  # fmt: skip
    rel = table["error"] / table["actual"]
    return Backtest(
        table=table, mape=float(rel.abs().mean()), bias=float(rel.mean()),
        coverage_80=float(table["inside_80"].mean()), coverage_95=float(table["inside_95"].mean()),
        cutoff=end, customers=len(base_ids),
    )  # fmt: skip


def _table(source: Any) -> pd.DataFrame:
    return getattr(source, "table", source)


def _before(resp: pd.DataFrame, rev: pd.DataFrame, cust: pd.DataFrame | None, end: pd.Timestamp):
    """The tables as they looked at the end of month ``end``."""
    after = end + pd.offsets.MonthBegin(1)
    resp = resp[resp["responded_at"] < after]
    rev = rev[rev["period"] <= end]
    if cust is not None:
        cust = cust.copy()
        for col in ("churned_at", "acquired_at"):
            if col in cust:
                cust.loc[cust[col] >= after, col] = pd.NaT
        if "acquired_at" in cust:
            cust = cust[cust["customer_id"].isin(rev["customer_id"])]
    return resp, rev, cust


def _base_ids(panel: Any, end: pd.Timestamp) -> set[str]:
    expr = panel.expr
    last = expr.filter((expr.period == end.date()) & (expr.at_risk == 1) & (expr.churned == 0))
    return set(panel.backend.execute(last.select("customer_id"))["customer_id"].astype(str))
