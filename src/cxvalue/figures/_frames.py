"""Reading the tidy NPS frame for a figure: checks, ordering, labels, the source line.

The figures take the frame :func:`cxvalue.nps.nps` returns and compute
nothing heavy from it: they order rows, pick the latest period, and compare
two rows' intervals to choose the words of a title.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from cxvalue._validation import check_choice, check_param
from cxvalue.errors import ColumnError, EmptyInputError, InputError, nearest
from cxvalue.figures import _words
from cxvalue.formatting import LOCALES, fmt_number, fmt_pct

#: Columns of the nps() frame that are statistics, not group columns.
STAT_COLUMNS = frozenset(
    "period n n_promoters n_passives n_detractors share_promoters share_passives "
    "share_detractors nps se lo hi method weighting level n_effective too_few note".split()
)
_MISSING = {"en": "(missing)", "de": "(fehlt)"}


def check_frame(frame: pd.DataFrame, func: str, locale: str, needs: Sequence[str]) -> pd.DataFrame:
    """Raise unless ``frame`` is a non-empty nps() frame with ``needs``; return a copy.

    The copy has ``too_few`` (False when absent) as bool, so the caller's
    frame is never changed.
    """
    check_param(isinstance(frame, pd.DataFrame), "frame", func, "a pandas DataFrame", frame)
    check_choice(locale, LOCALES, "locale", func)
    missing = [c for c in needs if c not in frame.columns]
    if missing:
        found = [str(c) for c in frame.columns]
        near = nearest(missing[0], found)
        hint = f" Did you mean {near!r}?" if near else ""
        raise ColumnError(
            f"{func}() draws the frame cxvalue.nps() returns; it needs the column(s) "
            f"{', '.join(map(repr, missing))}. Found: {', '.join(map(repr, found))}.{hint}",
            source="<DataFrame>", column=missing[0], found=found, nearest=near,
        )  # fmt: skip
    if frame.empty:
        raise EmptyInputError(f"{func}() got an empty frame: there is no NPS to draw.")
    out = frame.copy()
    out["too_few"] = out["too_few"].fillna(False).astype(bool) if "too_few" in out else False
    return out


def check_unique(frame: pd.DataFrame, keys: list[str], func: str, hint: str) -> None:
    """Raise when two rows share ``keys``: the frame holds more series than the figure draws."""
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        extra = [c for c in frame.columns if c not in STAT_COLUMNS and c not in keys]
        by = f" (it is also grouped by {', '.join(map(repr, extra))})" if extra else ""
        first = frame.loc[dup, keys].iloc[0].tolist()
        raise InputError(
            f"{func}() draws one row per {' × '.join(keys)}, but the frame has "
            f"{int(dup.sum())} rows for {first}{by}. {hint}",
            source="<DataFrame>",
        )


def latest_period(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The rows of the latest period when the frame has several; and that period."""
    if "period" not in frame or frame["period"].nunique() <= 1:
        only = frame["period"].iloc[0] if "period" in frame else None
        return frame, (None if only is None else str(only))
    last = sorted(frame["period"].astype(str).unique())[-1]
    return frame[frame["period"].astype(str) == last], last


def group_labels(frame: pd.DataFrame, by: Sequence[str], locale: str) -> list[str]:
    """One label per row: the group values, joined by " · " when grouped by several."""

    def text(value: object) -> str:
        return _MISSING[locale] if pd.isna(value) else str(value)

    return [" · ".join(text(v) for v in row) for row in frame[list(by)].itertuples(index=False)]


def half_width(row: pd.Series) -> float:
    """Half the interval's width, in points."""
    return (float(row["hi"]) - float(row["lo"])) / 2


def beyond(a: pd.Series, b: pd.Series) -> bool:
    """Whether the difference of two rows' NPS exceeds their combined half-widths.

    With Wald intervals this is the z-test of two independent estimates,
    ``|a − b| > z·sqrt(se_a² + se_b²)``; with other methods the same rule
    on the drawn intervals.
    """
    combined = math.hypot(half_width(a), half_width(b))
    return abs(float(a["nps"]) - float(b["nps"])) > combined


def level_text(frame: pd.DataFrame, locale: str) -> str:
    """The confidence level as a percentage: ``"95%"`` / ``"95 %"``."""
    level = float(frame["level"].iloc[0]) if "level" in frame else 0.95
    return fmt_pct(level, 0 if round(level * 100, 6).is_integer() else 1, locale)[0]


def source_text(frame: pd.DataFrame, locale: str, intervals: bool = True) -> str:
    """The default source line: n, the periods covered, what the NPS is, the interval."""
    n = fmt_number(float(frame["n"].sum()), 0, locale)[0]
    periods = sorted(frame["period"].astype(str).unique()) if "period" in frame else []
    span = ""
    if periods:
        span = f", {periods[0]}–{periods[-1]}" if len(periods) > 1 else f", {periods[0]}"
    weighting = str(frame["weighting"].iloc[0]) if "weighting" in frame else "none"
    method = str(frame["method"].iloc[0]) if "method" in frame else "wald"
    key = "source" if intervals else "source_no_interval"
    return _words.TEXT[locale][key].format(
        n=n, span=span, what=_words.what(locale, weighting), level=level_text(frame, locale),
        method=_words.method_name(locale, method),
    )  # fmt: skip


def period_steps(first: str, last: str, kind: str) -> int | None:
    """Number of periods from ``first`` to ``last`` (2024Q4 → 2025Q4 is 4), if readable."""
    if not kind:
        return None
    try:
        return int((pd.Period(last, freq=kind) - pd.Period(first, freq=kind)).n)
    except (ValueError, TypeError):
        return None
