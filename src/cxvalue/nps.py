"""Net Promoter Score with honest intervals.

NPS = 100 · (p_P − p_D), with p_P and p_D the shares of promoters (9–10)
and detractors (0–6). Its variance follows from the multinomial
distribution of the three categories:

    Var(p̂_P − p̂_D) = (p_P + p_D − (p_P − p_D)²) / n

(an independent-binomial shortcut drops the covariance term −2·p_P·p_D/n
and is too wide; we never use it).

Methods
-------
``wald``
    The estimate ± z·SE. Right for large n; undercovers for small n at
    extreme shares.
``adjusted``
    Adds z²/4 pseudo-responses to each of the three categories before the
    Wald step (about one each at 95%), in the spirit of Agresti & Coull
    (1998, The American Statistician 52(2)) for a proportion; Rocks (2016,
    "Interval estimation for the 'net promoter score'", The American
    Statistician 70(4)) studied adjusted Wald intervals for NPS. The constant
    was chosen by the coverage study in ``docs/nps_intervals.md``: 90%
    intervals cover 89–96% at n = 30 across shares from (10%, 60%) to
    (85%, 5%), where Wald falls to 77%.
``bootstrap``
    Resamples the three counts from a multinomial (so its cost does not
    grow with n) and takes percentiles.

Weights: survey weights or revenue weights give weighted shares and Kish's
effective sample size n_eff = (Σw)² / Σw², which replaces n in the variance.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue._validation import check_choice, check_param
from cxvalue.errors import SmallSampleWarning
from cxvalue.formatting import fmt_nps, fmt_number

METHODS = ("wald", "adjusted", "bootstrap")
PERIODS = ("M", "Q", "Y")


def nps_interval(
    p_promoters: np.ndarray,
    p_detractors: np.ndarray,
    n: np.ndarray,
    *,
    method: str = "wald",
    level: float = 0.95,
    n_boot: int = 10_000,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NPS, SE, lower and upper bound in points, from shares and (effective) sizes.

    Vectorised over groups; the simulation studies call it directly.
    """
    p_p, p_d, n = (np.asarray(x, dtype=float) for x in (p_promoters, p_detractors, n))
    z = norm.ppf(0.5 + level / 2)
    est = p_p - p_d
    se = np.sqrt(np.maximum(p_p + p_d - est**2, 0) / n)
    if method == "wald":
        lo, hi = est - z * se, est + z * se
    elif method == "adjusted":
        c = z**2 / 4
        n_adj = n + 3 * c
        a, d = (p_p * n + c) / n_adj, (p_d * n + c) / n_adj
        se_adj = np.sqrt((a + d - (a - d) ** 2) / n_adj)
        lo, hi = (a - d) - z * se_adj, (a - d) + z * se_adj
    else:
        lo, hi = _bootstrap(p_p, p_d, n, level, n_boot, rng or np.random.default_rng(0))
    return 100 * est, 100 * se, 100 * np.clip(lo, -1, 1), 100 * np.clip(hi, -1, 1)


def _bootstrap(p_p, p_d, n, level, n_boot, rng):
    lo, hi = np.empty_like(p_p), np.empty_like(p_p)
    for i in range(p_p.size):
        shares = np.clip([p_p.flat[i], 1 - p_p.flat[i] - p_d.flat[i], p_d.flat[i]], 0, 1)
        size = max(int(round(n.flat[i])), 1)
        counts = rng.multinomial(size, shares / shares.sum(), size=n_boot)
        draws = (counts[:, 0] - counts[:, 2]) / size
        lo.flat[i], hi.flat[i] = np.quantile(draws, [0.5 - level / 2, 0.5 + level / 2])
    return lo, hi


def nps(
    data: pd.DataFrame | pd.Series | Sequence[float],
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    *,
    method: str = "wald",
    level: float = 0.95,
    weight: str | None = None,
    revenue_weight: str | None = None,
    min_n: int = 30,
    n_boot: int = 10_000,
    seed: int = 0,
    date_column: str = "responded_at",
) -> pd.DataFrame:
    """NPS with its interval, overall or by group and period.

    Parameters
    ----------
    data : DataFrame, Series or sequence
        Canonical responses (or a panel: "not_surveyed" rows are left out),
        or plain 0–10 scores. Blank scores are non-answers and left out.
    by : str or list of str, optional
        Group columns, e.g. ``"segment"``.
    period : {"M", "Q", "Y"}, optional
        Also group by month, quarter or year of ``date_column``.
    method : {"wald", "adjusted", "bootstrap"}
        See the module notes; "adjusted" is the safer choice for small groups.
    level : float
        Confidence level of the interval, in (0, 1).
    weight : str, optional
        Column of survey weights.
    revenue_weight : str, optional
        Column of trailing revenue: a revenue-weighted NPS (each respondent
        counts in proportion to their account's revenue).
    min_n : int
        Groups with fewer responses are flagged ``too_few`` and warned about.
    n_boot, seed : int
        Bootstrap resamples and the seed of their generator.

    Returns
    -------
    pandas.DataFrame
        One row per group and period: the group columns, ``period``, ``n``,
        ``n_promoters``, ``n_passives``, ``n_detractors``, the three shares,
        ``nps``, ``se``, ``lo``, ``hi`` (points), ``method``, ``level``,
        ``n_effective``, ``too_few``, ``note``.

    Examples
    --------
    >>> nps([10, 9, 8, 3], min_n=1)[["n", "nps"]].to_dict("records")
    [{'n': 4, 'nps': 25.0}]
    """
    check_choice(method, METHODS, "method", "nps")
    check_param(0 < level < 1, "level", "nps", "a float in (0, 1)", level)
    check_param(isinstance(min_n, int) and min_n >= 1, "min_n", "nps", "an int >= 1", min_n)
    if period is not None:
        check_choice(period, PERIODS, "period", "nps")
    frame = _responses(data)
    keys = [by] if isinstance(by, str) else list(by or [])
    if period:
        frame = frame.assign(period=frame[date_column].dt.to_period(period).astype(str))
        keys.append("period")
    w_col = revenue_weight or weight
    frame = frame.assign(_w=frame[w_col].astype(float) if w_col else 1.0)
    stats = _group_stats(frame, keys)
    p_p, p_d = stats["share_promoters"].to_numpy(), stats["share_detractors"].to_numpy()
    est, se, lo, hi = nps_interval(
        p_p, p_d, stats["n_effective"].to_numpy(), method=method, level=level,
        n_boot=n_boot, rng=np.random.default_rng(seed),
    )
    label = method if not w_col else f"{method}, {'revenue' if revenue_weight else 'survey'}-weighted"
    stats = stats.assign(nps=est, se=se, lo=lo, hi=hi, method=label, level=level)
    stats["too_few"] = stats["n"] < min_n
    stats["note"] = np.where(
        stats["too_few"], [f"too few responses (n={n} < {min_n})" for n in stats["n"]], ""
    )
    if stats["too_few"].any():
        warnings.warn(
            f"{int(stats['too_few'].sum())} group(s) have fewer than {min_n} responses; their "
            "NPS is flagged 'too few responses' and should not be reported alone.",
            SmallSampleWarning,
            stacklevel=2,
        )
    return stats.reset_index(drop=True)


def _responses(data) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        return _responses(pd.DataFrame({"score": pd.to_numeric(pd.Series(data), errors="coerce")}))
    frame = data
    if "category" in frame:
        frame = frame[frame["category"].isin([PROMOTER, PASSIVE, DETRACTOR])]
    else:
        frame = frame[frame["score"].notna()]
        frame = frame.assign(
            category=np.select(
                [frame["score"] >= 9, frame["score"] >= 7], [PROMOTER, PASSIVE], DETRACTOR
            )
        )
    return frame


def _group_stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    parts = frame.assign(
        _p=frame["category"].eq(PROMOTER),
        _a=frame["category"].eq(PASSIVE),
        _d=frame["category"].eq(DETRACTOR),
    )
    parts = parts.assign(_wp=parts["_w"] * parts["_p"], _wd=parts["_w"] * parts["_d"],
                         _w2=parts["_w"] ** 2, _wa=parts["_w"] * parts["_a"])
    cols = ["_p", "_a", "_d", "_w", "_w2", "_wp", "_wd", "_wa"]
    grouped = parts.groupby(keys, sort=True)[cols].sum() if keys else parts[cols].sum().to_frame().T
    out = pd.DataFrame(index=grouped.index)
    out["n"] = (grouped["_p"] + grouped["_a"] + grouped["_d"]).astype(int)
    out["n_promoters"] = grouped["_p"].astype(int)
    out["n_passives"] = grouped["_a"].astype(int)
    out["n_detractors"] = grouped["_d"].astype(int)
    total = grouped["_w"].where(grouped["_w"] > 0)
    out["share_promoters"] = grouped["_wp"] / total
    out["share_passives"] = grouped["_wa"] / total
    out["share_detractors"] = grouped["_wd"] / total
    out["n_effective"] = grouped["_w"] ** 2 / grouped["_w2"].where(grouped["_w2"] > 0)
    return out.reset_index() if keys else out.reset_index(drop=True)


@dataclass(frozen=True)
class NPSDifference:
    """The change in NPS from ``a`` to ``b`` (independent samples), in points."""

    estimate: float
    se: float
    lo: float
    hi: float
    z: float
    p_value: float
    level: float
    n_a: float
    n_b: float

    def to_frame(self) -> pd.DataFrame:
        """One row: ``term, estimate, se, lo, hi, p_value``."""
        return pd.DataFrame(
            [["nps_b_minus_a", self.estimate, self.se, self.lo, self.hi, self.p_value]],
            columns=["term", "estimate", "se", "lo", "hi", "p_value"],
        )

    def summary(self) -> _Summary:
        """A printable summary (text and HTML)."""
        return _Summary(str(self))

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        return (
            f"NPS difference (b − a): {fmt_nps(self.estimate, 1)[0]} points, {pct} interval "
            f"{fmt_nps(self.lo, 1)[0]} to {fmt_nps(self.hi, 1)[0]}, SE {self.se:.2f}, "
            f"z = {self.z:.2f}, p = {self.p_value:.3g} "
            f"(n_a = {fmt_number(self.n_a)[0]}, n_b = {fmt_number(self.n_b)[0]})"
        )


@dataclass(frozen=True)
class _Summary:
    text: str

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.text)}</pre>"


def nps_difference(a, b, *, level: float = 0.95) -> NPSDifference:
    """Test a change in NPS between two periods or segments.

    Parameters
    ----------
    a, b : responses, scores, or a one-row result of :func:`nps`
    level : float

    Returns
    -------
    NPSDifference
        b − a in points with SE = sqrt(Var_a + Var_b) from each sample's
        multinomial variance, a two-sided z-test and its interval.
    """
    check_param(0 < level < 1, "level", "nps_difference", "a float in (0, 1)", level)
    (pa, da, na), (pb, db, nb) = _shares(a), _shares(b)
    var_a = (pa + da - (pa - da) ** 2) / na
    var_b = (pb + db - (pb - db) ** 2) / nb
    est, se = 100 * ((pb - db) - (pa - da)), 100 * float(np.sqrt(var_a + var_b))
    z_crit = norm.ppf(0.5 + level / 2)
    z = est / se if se > 0 else float("nan")
    return NPSDifference(
        est, se, est - z_crit * se, est + z_crit * se, z, float(2 * norm.sf(abs(z))), level, na, nb
    )


def _shares(x) -> tuple[float, float, float]:
    if isinstance(x, pd.DataFrame) and {"nps", "n_effective"} <= set(x.columns):
        if len(x) != 1:
            raise ValueError("nps_difference() takes one-row nps() results; filter to one group.")
        row = x.iloc[0]
        return float(row["share_promoters"]), float(row["share_detractors"]), float(row["n_effective"])
    if not isinstance(x, (pd.DataFrame, pd.Series)):
        values = np.asarray(x, dtype=float)
        values = values[~np.isnan(values)]
        return float(np.mean(values >= 9)), float(np.mean(values <= 6)), float(values.size)
    row = nps(x, min_n=1).iloc[0]
    return float(row["share_promoters"]), float(row["share_detractors"]), float(row["n_effective"])


def format_nps_table(frame: pd.DataFrame, locale: str = "en") -> str:
    """Text lines of an :func:`nps` result: group, period, n, NPS and interval.

    Flagged groups say "too few responses" instead of a bare number.
    """
    keys = [c for c in frame.columns if c not in _RESULT_COLUMNS]
    level = f"{frame['level'].iloc[0]:.0%}" if len(frame) else ""
    lines = [f"{'  '.join(keys) or 'all'}  n  NPS [{level} interval, {frame['method'].iloc[0]}]"]
    for row in frame.itertuples(index=False):
        label = "  ".join(str(getattr(row, k)) for k in keys) or "all"
        n = fmt_number(row.n, locale=locale)[0]
        if row.too_few:
            lines.append(f"{label:<24} n={n:>7}  too few responses to report (n < min_n)")
            continue
        value, lo, hi = fmt_nps([row.nps, row.lo, row.hi], 1, locale)
        lines.append(f"{label:<24} n={n:>7}  NPS {value:>6} [{lo}, {hi}]")
    return "\n".join(lines)


_RESULT_COLUMNS = {
    "n", "n_promoters", "n_passives", "n_detractors", "share_promoters", "share_passives",
    "share_detractors", "nps", "se", "lo", "hi", "method", "level", "n_effective", "too_few", "note",
}  # fmt: skip
