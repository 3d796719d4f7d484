"""Reading and checking the input of :func:`cxvalue.nps.nps`.

Scores, categories, group columns, dates and weights are checked here, and a
problem is raised naming the column, the rows and the fix — nothing is
dropped or coerced silently. Blank scores and "not_surveyed" rows are the
only rows left out, and they are left out on purpose (non-answers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxvalue._categories import CODES, NOT_SURVEYED, SURVEYED
from cxvalue.errors import (
    ColumnError,
    EmptyInputError,
    InputError,
    ParseError,
    format_rows,
    nearest,
)


def is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def is_real(x) -> bool:
    return isinstance(x, (int, float, np.number)) and not isinstance(x, bool)


def require_column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        found = [str(c) for c in frame.columns]
        near = nearest(name, found)
        hint = f" Did you mean {near!r}?" if near else ""
        raise ColumnError(
            f"nps() needs a column {name!r} ({role}); the data has {', '.join(found)}.{hint}",
            source="<DataFrame>", column=name, found=found, nearest=near,
        )  # fmt: skip
    return frame[name]


def responses(data) -> tuple[pd.DataFrame, np.ndarray]:
    """The answered rows, each with a ``category``, and their category codes.

    The codes (int8) are 0 promoter, 1 passive, 2 detractor, the order of
    ``SURVEYED``. The frame is a new one, to set columns on; it may share the
    columns' data with the input, which is not mutated.
    """
    if not isinstance(data, pd.DataFrame):
        values = data.to_numpy() if isinstance(data, pd.Series) else list(data)
        data = pd.DataFrame({"score": pd.Series(values, dtype=object)})
    if "category" in data.columns:
        frame, codes = _given_categories(data)
    else:
        score = _numeric_scores(require_column(data, "score", "0–10 scores, or give 'category'"))
        answered = score.notna().to_numpy()
        frame = _rows(data, answered)
        frame["score"] = score.to_numpy()[answered]
        codes = _score_codes(frame["score"].to_numpy())
        frame["category"] = np.array(SURVEYED, dtype=object)[codes]
    if frame.empty:
        raise EmptyInputError(
            "nps() found no answered responses: every score is blank or every row is "
            "'not_surveyed'.", source="<DataFrame>",
        )  # fmt: skip
    return frame, codes


def _rows(data: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """A new frame of the rows where ``keep``; of all rows, without copying a column."""
    return (data if keep.all() else data[keep]).copy(deep=False)


def _score_codes(score: np.ndarray) -> np.ndarray:
    """Category codes of 0–10 scores: 9–10 promoter (0), 7–8 passive (1), 0–6 detractor (2)."""
    return (score < 9).astype(np.int8) + (score < 7)


def _given_categories(data: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The surveyed rows and their codes; each distinct category is looked up once."""
    cat = data["category"]
    codes, uniques = pd.factorize(cat)  # -1: missing, a non-answer like "not_surveyed"
    lookup = np.array([CODES.get(value, -1) for value in uniques] + [CODES[NOT_SURVEYED]])
    mapped = lookup[codes]  # -1 (unknown) where the category is not one of CODES
    if (mapped < 0).any():
        _raise_bad_values("category", cat, mapped < 0, "'promoter', 'passive', 'detractor' or "
                          "'not_surveyed' (lower case)")  # fmt: skip
    surveyed = mapped < CODES[NOT_SURVEYED]
    return _rows(data, surveyed), mapped[surveyed].astype(np.int8)


def _numeric_scores(raw: pd.Series) -> pd.Series:
    """Scores as floats (NaN = blank); anything else on a 0–10 scale is an error."""
    if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "iuf":  # numbers: no text to read
        score = raw.to_numpy(dtype=float)
        on_scale = (score >= 0) & (score <= 10) & (np.floor(score) == score)
        if (on_scale | np.isnan(score)).all():
            return pd.Series(score, index=raw.index, name=raw.name)
    blank = raw.isna() | raw.astype(str).str.strip().isin(["", "nan", "NaN", "<NA>", "None"])
    score = pd.to_numeric(raw.where(~blank), errors="coerce").astype(float)
    bad = ~blank & ~(score.between(0, 10) & (score % 1 == 0))
    if bad.any():
        _raise_bad_values("score", raw, bad, "whole numbers 0–10 or blanks",
                          "Read other scales with cxvalue.read_responses(scale=...), which "
                          "adds a 'category' column.")  # fmt: skip
    return score


def _raise_bad_values(
    column: str, values: pd.Series, bad: pd.Series | np.ndarray, expected: str, fix: str = ""
) -> None:
    bad = np.asarray(bad, dtype=bool)
    rows = [i + 1 for i in np.flatnonzero(bad)]
    shown = values[bad].tolist()
    raise ParseError(
        f"nps(): {len(rows)} value(s) in column {column!r} are not {expected} "
        f"({format_rows(rows)}, counting data rows from 1; e.g. {shown[:5]!r}). "
        + (fix or "Fix the values, or map the column with cxvalue.read_responses()."),
        source="<DataFrame>", column=column, rows=rows, values=shown, expected=expected,
    )  # fmt: skip


def group_keys(frame: pd.DataFrame, by) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by or [])
    for key in keys:
        require_column(frame, key, "a group column given as by=")
    return keys


def dates(frame: pd.DataFrame, date_column: str) -> pd.Series:
    values = require_column(frame, date_column, "the date that period= groups by")
    if not pd.api.types.is_datetime64_any_dtype(values):
        raise InputError(
            f"nps(): column {date_column!r} holds {values.dtype} values, not dates. Read the file "
            f"with cxvalue.read_responses(), or convert it with pd.to_datetime(), or pass "
            f"date_column= naming a date column.", source="<DataFrame>",
        )  # fmt: skip
    return values


def row_weights(frame, weight, revenue_weight) -> tuple[np.ndarray | None, str]:
    """Each row's weight (None: unweighted) and the weighting's name."""
    w = np.ones(len(frame))
    names = []
    for column, label in ((weight, "survey"), (revenue_weight, "revenue")):
        if column is not None:
            w = w * _weight_values(frame, column, label).to_numpy()
            names.append(label)
    return (w if names else None), "×".join(names) or "none"


def _weight_values(frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    values = pd.to_numeric(require_column(frame, column, f"{label} weights"), errors="coerce")
    bad = ~(np.isfinite(values.astype(float)) & (values >= 0))
    if bad.any():
        fix = (
            "Negative revenue (credit notes) cannot weight a response: clip it, e.g. "
            f"df.assign({column}=df[{column!r}].clip(lower=0)), and fill blanks."
            if label == "revenue" else "Fill or drop rows without a weight."
        )  # fmt: skip
        _raise_bad_values(column, frame[column], bad, f"finite {label} weights >= 0", fix)
    return values.astype(float)
