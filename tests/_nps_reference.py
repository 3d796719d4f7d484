"""The NPS steps as they were before they were made faster, kept to test against.

``nps`` here is the pandas code that ``cxvalue.nps.nps`` replaced (string
comparisons and a frame-wide ``duplicated``); the parts that did not change
(parameter checks, intervals, flags) are imported.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, NOT_SURVEYED, PASSIVE, PROMOTER
from cxvalue._nps_inputs import _raise_bad_values, _weight_values, dates, group_keys, require_column
from cxvalue.errors import DataWarning, EmptyInputError
from cxvalue.nps import _check_params, _flag, nps_interval


def nps(
    data, by=None, period=None, *, method="wald", level=0.95, weight=None,
    revenue_weight=None, min_n=30, n_boot=10_000, seed=0, date_column="responded_at",
):  # fmt: skip
    _check_params("nps", method, level, min_n, n_boot, seed, period)
    frame = responses(data)
    keys = group_keys(frame, by)
    if period is not None:
        frame = frame.assign(period=_period_labels(dates(frame, date_column), period))
        keys.append("period")
    frame, weighting = with_weights(frame, weight, revenue_weight)
    _warn_repeated_customers(frame, keys)
    stats = _group_stats(frame, keys)
    est, se, lo, hi = nps_interval(
        stats["share_promoters"], stats["share_detractors"], stats["n_effective"],
        method=method, level=level, n_boot=n_boot, seed=seed,
    )  # fmt: skip
    stats = stats.assign(nps=est, se=se, lo=lo, hi=hi, method=method, weighting=weighting)
    stats = stats.assign(level=level, n_effective=stats.pop("n_effective"))
    stats = _flag(stats, keys, min_n, method, weighting != "none")
    return stats.reset_index(drop=True)


def _period_labels(when: pd.Series, period: str) -> np.ndarray:
    codes, uniques = pd.factorize(when.dt.to_period(period))
    labels = np.asarray(pd.Series(uniques).astype(str), dtype=object)
    missing = pd.Series([pd.NaT], dtype=f"period[{period}]").astype(str).iloc[0]
    return np.append(labels, missing)[codes]  # code -1 (NaT): the last


def responses(data) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        values = data.to_numpy() if isinstance(data, pd.Series) else list(data)
        data = pd.DataFrame({"score": pd.Series(values, dtype=object)})
    if "category" in data.columns:
        frame = _given_categories(data)
    else:
        score = _numeric_scores(require_column(data, "score", "0–10 scores, or give 'category'"))
        frame = data.assign(score=score)[score.notna()]
        s = frame["score"]
        frame = frame.assign(category=np.select([s >= 9, s >= 7], [PROMOTER, PASSIVE], DETRACTOR))
    if frame.empty:
        raise EmptyInputError(
            "nps() found no answered responses: every score is blank or every row is "
            "'not_surveyed'.", source="<DataFrame>",
        )  # fmt: skip
    return frame


def _given_categories(data: pd.DataFrame) -> pd.DataFrame:
    cat = data["category"]
    known = cat.isin([PROMOTER, PASSIVE, DETRACTOR, NOT_SURVEYED]) | cat.isna()
    if not known.all():
        _raise_bad_values("category", cat, ~known, "'promoter', 'passive', 'detractor' or "
                          "'not_surveyed' (lower case)")  # fmt: skip
    return data[cat.isin([PROMOTER, PASSIVE, DETRACTOR])]


def _numeric_scores(raw: pd.Series) -> pd.Series:
    blank = raw.isna() | raw.astype(str).str.strip().isin(["", "nan", "NaN", "<NA>", "None"])
    score = pd.to_numeric(raw.where(~blank), errors="coerce").astype(float)
    bad = ~blank & ~(score.between(0, 10) & (score % 1 == 0))
    if bad.any():
        _raise_bad_values("score", raw, bad, "whole numbers 0–10 or blanks",
                          "Read other scales with cxvalue.read_responses(scale=...), which "
                          "adds a 'category' column.")  # fmt: skip
    return score


def with_weights(frame, weight, revenue_weight) -> tuple[pd.DataFrame, str]:
    w = pd.Series(1.0, index=frame.index)
    names = []
    for column, label in ((weight, "survey"), (revenue_weight, "revenue")):
        if column is not None:
            w = w * _weight_values(frame, column, label)
            names.append(label)
    return frame.assign(_w=w), "×".join(names) or "none"


def _warn_repeated_customers(frame: pd.DataFrame, keys: list[str]) -> None:
    if "customer_id" not in frame.columns:
        return
    repeated = frame.duplicated([*keys, "customer_id"])
    if repeated.any():
        warnings.warn(
            f"nps(): {int(repeated.sum())} response(s) come from customers already counted in "
            "the same group; the interval assumes one response per customer. Keep each "
            "customer's latest answer (df.sort_values('responded_at').drop_duplicates("
            "'customer_id', keep='last')) or group by period=.",
            DataWarning, stacklevel=3,
        )  # fmt: skip


def _group_stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    w = frame["_w"]
    parts = pd.DataFrame({key: frame[key] for key in keys})
    for col, cat in (("p", PROMOTER), ("a", PASSIVE), ("d", DETRACTOR)):
        hit = frame["category"].eq(cat)
        parts[f"__n_{col}"], parts[f"__w_{col}"] = hit.astype(int), w * hit
    parts["__w"], parts["__w2"] = w, w**2
    if keys:
        sums = parts.groupby(keys, sort=True, dropna=False, observed=True).sum().reset_index()
    else:
        sums = parts.sum().to_frame().T
    total = sums["__w"].where(sums["__w"] > 0)
    out = sums[keys].copy()
    out["n"] = (sums["__n_p"] + sums["__n_a"] + sums["__n_d"]).astype(int)
    for col, name in (("p", "promoters"), ("a", "passives"), ("d", "detractors")):
        out[f"n_{name}"] = sums[f"__n_{col}"].astype(int)
    for col, name in (("p", "promoters"), ("a", "passives"), ("d", "detractors")):
        out[f"share_{name}"] = (sums[f"__w_{col}"] / total).astype(float)
    out["n_effective"] = (total**2 / sums["__w2"]).astype(float)
    return out
