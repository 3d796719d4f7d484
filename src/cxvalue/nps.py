"""Net Promoter Score with honest intervals.

NPS = 100 · (p_P − p_D), with p_P and p_D the shares of promoters (9–10)
and detractors (0–6) among those who answered. The three categories are one
multinomial draw, so

    Var(p̂_P − p̂_D) = (p_P + p_D − (p_P − p_D)²) / n.

The independent-binomial shortcut p_P(1−p_P)/n + p_D(1−p_D)/n drops the
covariance −2·p_P·p_D/n and is too wide; it is never used here.

The interval arithmetic lives in :mod:`cxvalue._nps_intervals` (arrays in,
arrays out), so the coverage study in ``docs/nps_intervals.md`` runs the very
code :func:`nps` runs.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business
Review*, 81(12), 46–54.
Rocks, B. (2016). Interval estimation for the "net promoter score". *The
American Statistician*, 70(4), 365–372. arXiv:1601.07235.
Kish, L. (1965). *Survey Sampling*. Wiley (effective sample size).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxvalue._nps_inputs import dates, group_keys, is_int, is_real, responses, row_weights
from cxvalue._nps_intervals import (
    METHODS,
    NPSDifference,
    difference_arrays,
    nps_interval,
)
from cxvalue._validation import check_choice, check_param
from cxvalue.errors import DataWarning, InputError, SmallSampleWarning
from cxvalue.formatting import fmt_nps, fmt_number

__all__ = ["nps", "nps_difference", "NPSDifference", "format_nps_table", "nps_interval"]

PERIODS = ("M", "Q", "Y")
RESULT_COLUMNS = (
    "n", "n_promoters", "n_passives", "n_detractors", "share_promoters", "share_passives",
    "share_detractors", "nps", "se", "lo", "hi", "method", "weighting", "level", "n_effective",
    "too_few", "note",
)  # fmt: skip
_MAX_GROUPS_NAMED = 10


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
        Canonical responses, a panel ("not_surveyed" rows are left out), or
        plain 0–10 scores. With a ``category`` column the categories are taken
        as given (any scale, e.g. CSAT); without one they come from ``score``
        (9–10 promoter, 7–8 passive, 0–6 detractor). Blank scores are
        non-answers: left out, and not counted in ``n``.
    by : str or list of str, optional
        Group columns, e.g. ``"segment"``. Missing values form their own group.
    period : {"M", "Q", "Y"}, optional
        Also group by month, quarter or year of ``date_column`` ("2025Q1").
    method : {"wald", "adjusted", "bootstrap"}
        "wald" (default) is the textbook interval that published NPS figures
        use; "adjusted" adds z² pseudo-responses (Rocks 2016) and keeps 90%
        intervals at 89–97% coverage even at n = 30: use it for small
        segments. "bootstrap" resamples the three counts. See
        ``docs/nps_intervals.md``.
    level : float
        Confidence level of the interval, in (0, 1).
    weight : str, optional
        Column of survey weights (finite, ≥ 0).
    revenue_weight : str, optional
        Column of trailing revenue: a revenue-weighted NPS, each respondent
        counting in proportion to their account's revenue. Combined with
        ``weight`` the weights multiply.
    min_n : int
        Groups whose (effective) number of responses is below ``min_n`` are
        flagged ``too_few`` and named in one :class:`SmallSampleWarning`.
    n_boot, seed : int
        Bootstrap resamples, and the seed they are drawn from.
    date_column : str
        The date that ``period`` groups by.

    Returns
    -------
    pandas.DataFrame
        One row per group and period: the group columns, ``period`` (when
        asked), ``n``, ``n_promoters``, ``n_passives``, ``n_detractors``, the
        three (weighted) shares, ``nps``, ``se``, ``lo``, ``hi`` (points,
        −100…100), ``method``, ``weighting`` ("none", "survey", "revenue" or
        "survey×revenue"), ``level``, ``n_effective`` (Kish; equals ``n``
        unweighted), ``too_few`` and ``note`` ("too few responses (n=12 <
        30)" where flagged).

    Notes
    -----
    ``se`` is the multinomial (Wald) standard error of the estimate whatever
    the method; the method decides the interval. With weights the shares are
    weighted and Kish's n_eff = (Σw)²/Σw² replaces n, which assumes the
    weights are unrelated to the answer (Kish 1965) — for revenue weights
    that is an approximation, and n_eff is often small. Every interval
    contains the estimate and lies in [−100, 100].

    Examples
    --------
    >>> nps([10, 9, 8, 3], min_n=1)[["n", "nps"]].to_dict("records")
    [{'n': 4, 'nps': 25.0}]
    """
    _check_params("nps", method, level, min_n, n_boot, seed, period)
    frame, category = responses(data)
    keys = group_keys(frame, by)
    if period is not None:
        frame["period"] = _period_labels(dates(frame, date_column), period)
        keys.append("period")
    w, weighting = row_weights(frame, weight, revenue_weight)
    ids, groups = _groups(frame, keys)
    if period is not None:  # grouped by its codes, shown as text
        groups["period"] = groups["period"].astype(object)
    _warn_repeated_customers(frame, ids)
    stats = _group_stats(groups, ids, category, w, keyed=bool(keys))
    est, se, lo, hi = nps_interval(
        stats["share_promoters"], stats["share_detractors"], stats["n_effective"],
        method=method, level=level, n_boot=n_boot, seed=seed,
    )  # fmt: skip
    stats = stats.assign(nps=est, se=se, lo=lo, hi=hi, method=method, weighting=weighting)
    stats = stats.assign(level=level, n_effective=stats.pop("n_effective"))
    stats = _flag(stats, keys, min_n, method, weighting != "none")
    return stats.reset_index(drop=True)


def _period_labels(when: pd.Series, period: str) -> pd.Categorical:
    """``when.dt.to_period(period).astype(str)`` as a categorical of the sorted texts.

    Each distinct period is written once, and grouping by the labels sorts them
    as texts without hashing a text per row.
    """
    codes, uniques = pd.factorize(when.dt.to_period(period))
    missing = pd.Series([pd.NaT], dtype=f"period[{period}]").astype(str).iloc[0]
    labels = np.append(np.asarray(pd.Series(uniques).astype(str), dtype=object), missing)
    texts, rank = np.unique(labels, return_inverse=True)
    return pd.Categorical.from_codes(rank[codes], categories=texts)  # code -1 (NaT): the last


def _check_params(func, method, level, min_n, n_boot, seed, period) -> None:
    check_choice(method, METHODS, "method", func)
    check_param(is_real(level) and 0 < level < 1, "level", func, "a float in (0, 1)", level)
    check_param(is_int(min_n) and min_n >= 1, "min_n", func, "an int >= 1", min_n)
    check_param(is_int(n_boot) and n_boot >= 100, "n_boot", func, "an int >= 100", n_boot)
    check_param(is_int(seed) and seed >= 0, "seed", func, "an int >= 0", seed)
    if period is not None:
        check_choice(period, PERIODS, "period", func)


def _groups(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's group number and the groups' key values, in sorted order (missing last)."""
    if not keys:
        return np.zeros(len(frame), dtype=np.intp), pd.DataFrame(index=pd.RangeIndex(1))
    grouped = pd.DataFrame({key: frame[key] for key in keys}).groupby(
        keys, sort=True, dropna=False, observed=True
    )
    return grouped.ngroup().to_numpy(), grouped.size().index.to_frame(index=False)


def _warn_repeated_customers(frame: pd.DataFrame, ids: np.ndarray) -> None:
    if "customer_id" not in frame.columns:
        return
    customers, uniques = pd.factorize(frame["customer_id"])  # -1: missing, one more customer
    repeated = 0
    if len(uniques) < len(frame):  # else every row is another customer
        pairs = ids.astype(np.int64) * (len(uniques) + 1) + customers + 1
        repeated = len(frame) - len(pd.unique(pairs))
    if repeated:
        warnings.warn(
            DataWarning(
                f"nps(): {repeated} response(s) come from customers already counted in "
                "the same group; the interval assumes one response per customer. Keep each "
                "customer's latest answer (df.sort_values('responded_at').drop_duplicates("
                "'customer_id', keep='last')) or group by period=.",
                key="nps_repeated", repeated=int(repeated),
            ),
            stacklevel=3,
        )  # fmt: skip


def _group_stats(
    groups: pd.DataFrame, ids: np.ndarray, category: np.ndarray, w: np.ndarray | None, keyed: bool
) -> pd.DataFrame:
    """Counts, weighted shares and Kish n_eff per group.

    ``groups`` holds the key values of group 0, 1, …; ``ids`` each row's group,
    ``category`` its category code and ``w`` its weight (None: unweighted).
    ``keyed`` is False for the one group of all rows.
    """
    counts = np.bincount(ids * 3 + category, minlength=3 * len(groups)).reshape(-1, 3)
    n = counts.sum(axis=1)
    if w is None:  # every weight is 1: the sums of weights are the counts
        weighted, total, w2 = counts.astype(float), n.astype(float), n.astype(float)
    else:
        sums = _weight_sums(ids, category, w, keyed)
        weighted, total, w2 = (sums[cols].to_numpy() for cols in (["p", "a", "d"], "w", "w2"))
    total = np.where(total > 0, total, np.nan)
    out = groups.copy()
    out["n"] = n.astype(int)
    for i, name in enumerate(("promoters", "passives", "detractors")):
        out[f"n_{name}"] = counts[:, i].astype(int)
    for i, name in enumerate(("promoters", "passives", "detractors")):
        out[f"share_{name}"] = weighted[:, i] / total
    out["n_effective"] = total**2 / w2
    return out


def _weight_sums(ids: np.ndarray, category: np.ndarray, w: np.ndarray, keyed: bool) -> pd.DataFrame:
    """Per group: the weights of each category ("p", "a", "d"), all weights and their squares.

    Summed the way nps() always summed them (grouped: pandas' compensated sum,
    in row order), so that weighted results stay the same to the last bit.
    """
    parts = pd.DataFrame({col: w * (category == i) for i, col in enumerate("pad")})
    parts["w"], parts["w2"] = w, w**2
    return parts.groupby(ids, sort=True).sum() if keyed else parts.sum().to_frame().T


def _flag(stats: pd.DataFrame, keys: list[str], min_n: int, method: str, weighted: bool):
    """Add ``too_few`` and ``note``; warn once, naming the flagged groups."""
    too_few = ~(stats["n_effective"].round(9) >= min_n)
    notes = [
        _note(row, flagged, min_n, method, weighted)
        for row, flagged in zip(stats.itertuples(index=False), too_few, strict=True)
    ]
    stats = stats.assign(too_few=too_few.to_numpy(dtype=bool), note=notes)
    if too_few.any():
        flagged = stats[too_few]
        named = [
            f"{label} ({note.removeprefix('too few responses (').rstrip(')')})"
            for label, note in zip(_labels(flagged, keys), flagged["note"], strict=True)
        ]
        more = (
            f" and {len(named) - _MAX_GROUPS_NAMED} more" if len(named) > _MAX_GROUPS_NAMED else ""
        )
        warnings.warn(
            SmallSampleWarning(
                f"nps(): too few responses in {len(named)} group(s): "
                f"{'; '.join(named[:_MAX_GROUPS_NAMED])}{more}. Their NPS is flagged 'too few "
                "responses'; report it only with its interval, or widen the groups (fewer by= "
                "columns, a longer period=).",
                key="nps_too_few", least=min_n, n=[int(n) for n in flagged["n"]],
                groups=_labels(flagged, keys) if keys else None,
            ),
            stacklevel=3,
        )  # fmt: skip
    return stats


def _note(row, flagged: bool, min_n: int, method: str, weighted: bool) -> str:
    if row.n_effective != row.n_effective:  # NaN: nothing weighs anything
        return "too few responses (total weight is zero)"
    if flagged:
        size = f"effective n={row.n_effective:.1f}, n={row.n}" if weighted else f"n={row.n}"
        return f"too few responses ({size} < {min_n})"
    if method != "adjusted" and row.se == 0:
        return "all answers in one category: the interval has zero width; use method='adjusted'"
    return ""


def _labels(frame: pd.DataFrame, keys: list[str]) -> list[str]:
    """One display label per row from its group values: ``Enterprise 2025Q1``."""
    if not keys:
        return ["all responses"] * len(frame)
    return [
        " ".join("(missing)" if pd.isna(v) else str(v) for v in values)
        for values in frame[keys].itertuples(index=False, name=None)
    ]


def nps_difference(
    a: pd.DataFrame | pd.Series | Sequence[float],
    b: pd.DataFrame | pd.Series | Sequence[float],
    *,
    level: float = 0.95,
) -> NPSDifference:
    """Test the change in NPS from ``a`` to ``b`` (two independent samples).

    Parameters
    ----------
    a, b : responses, scores, or a one-row result of :func:`nps`
        A result row contributes its (weighted) shares and ``n_effective``.
    level : float
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    NPSDifference
        b − a in points; SE = √(Var_a + Var_b), each the multinomial
        variance (p_P + p_D − (p_P − p_D)²)/n; a two-sided Wald z-test and
        its interval. Simulated coverage of the 90% interval: 89–90% from
        30 responses per sample (``docs/nps_intervals.md``). Agresti & Caffo
        (2000) discuss Wald intervals for differences of proportions.

    Notes
    -----
    The samples must be independent: different customers, or waves drawn
    separately. The same customers answering twice make the test
    conservative or anti-conservative depending on their correlation.

    References
    ----------
    Agresti, A. & Caffo, B. (2000). Simple and effective confidence intervals
    for proportions and differences of proportions result from adding two
    successes and two failures. *The American Statistician*, 54(4), 280–288.

    Examples
    --------
    >>> d = nps_difference([9, 9, 3, 7] * 50, [9, 9, 9, 3] * 50)
    >>> round(d.estimate, 1), round(d.se, 2)
    (25.0, 8.48)
    """
    check_param(is_real(level) and 0 < level < 1, "level", "nps_difference",
                "a float in (0, 1)", level)  # fmt: skip
    (pa, da, na), (pb, db, nb) = _sample(a, "a"), _sample(b, "b")
    if min(na, nb) < 30:
        warnings.warn(
            f"nps_difference(): too few responses (n_a={na:g}, n_b={nb:g}; fewer than 30 in a "
            "sample): the normal approximation of the test is rough; report the interval, not "
            "the p-value alone.", SmallSampleWarning, stacklevel=2,
        )  # fmt: skip
    est, se, lo, hi, z, p = (float(x) for x in difference_arrays(pa, da, na, pb, db, nb, level))
    return NPSDifference(est, se, lo, hi, z, p, level, 100 * (pa - da), 100 * (pb - db), na, nb)


def _sample(x, name: str) -> tuple[float, float, float]:
    """(p_P, p_D, n_eff) of one side of a difference."""
    if isinstance(x, pd.DataFrame) and {"nps", "n_effective", "share_promoters"} <= set(x.columns):
        if len(x) != 1:
            raise InputError(
                f"nps_difference(): {name!r} is an nps() result with {len(x)} rows; pass one "
                f"row, e.g. result[result['segment'] == 'Enterprise'].", source="<DataFrame>",
            )  # fmt: skip
        row = x.iloc[0]
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            row = nps(x, min_n=1).iloc[0]
    return float(row["share_promoters"]), float(row["share_detractors"]), float(row["n_effective"])


#: The net score's name for each survey measure (what a CSAT or CES survey's NPS is).
NET_SCORE_NAMES = {"nps": "NPS", "csat": "Net CSAT", "ces": "Net CES"}


def format_nps_table(frame: pd.DataFrame, locale: str = "en", measure: str = "nps") -> str:
    """Text lines of an :func:`nps` result: group, n, NPS and its interval.

    ``Enterprise 2025Q1  n=412  NPS +23.1 [17.9, 28.4]``; a flagged group
    reads ``too few responses (n=12 < 30)`` instead of a number.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`nps`.
    locale : {"en", "de"}
        Number conventions, as in :mod:`cxvalue.formatting`.
    measure : {"nps", "csat", "ces"}
        What the survey measures: the net score is called ``Net CSAT`` or
        ``Net CES`` on those scales.

    Returns
    -------
    str
    """
    name = NET_SCORE_NAMES[measure]
    if frame.empty:
        return f"{name}: no groups"
    keys = [c for c in frame.columns if c not in RESULT_COLUMNS]
    first = frame.iloc[0]
    weighting = (
        f", {first['weighting']}-weighted" if first.get("weighting", "none") != "none" else ""
    )
    groups = "by " + " and ".join(keys) if keys else "of all responses"
    lines = [f"{name} {groups} ({first['level']:.0%} intervals, method: {first['method']}"
             f"{weighting})"]  # fmt: skip
    rows = list(frame.itertuples(index=False))
    labels = _labels(frame, keys)
    sizes = [f"n={fmt_number(row.n, locale=locale)[0]}" for row in rows]
    lw, sw = max(map(len, labels)), max(map(len, sizes))
    for row, label, size in zip(rows, labels, sizes, strict=True):
        if row.too_few or row.nps != row.nps:
            body = row.note
        else:
            value = fmt_nps(row.nps, 1, locale)[0]
            lo, hi = fmt_number([row.lo, row.hi], 1, locale)
            body = f"{name} {value:>6} [{lo}, {hi}]"
        lines.append(f"{label:<{lw}}  {size:>{sw}}  {body}")
    return "\n".join(lines)
