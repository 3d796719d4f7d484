"""Reading the tidy NPS frame for a figure: checks, ordering, labels, the source line.

The figures take the frame :func:`cxvalue.nps.nps` returns and compute
nothing heavy from it: they order rows, pick the latest period, and compare
two rows' intervals to choose the words of a title.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from cxvalue._validation import check_choice, check_param
from cxvalue.errors import ColumnError, EmptyInputError, InputError, nearest
from cxvalue.figures import _words
from cxvalue.formatting import LOCALES, SYMBOLS, fmt_currency, fmt_number, fmt_pct

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
    out = check_columns(frame, func, locale, needs, "cxvalue.nps()", empty="no NPS")
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
    return pct_level(level, locale)


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


# --- the model and money figures -------------------------------------------------------------


def check_columns(
    frame: object,
    func: str,
    locale: str,
    needs: Sequence[str],
    made_by: str,
    empty: str = "nothing",
) -> pd.DataFrame:
    """Raise unless ``frame`` is a non-empty frame with ``needs``; return a copy.

    ``made_by`` names what produces the frame, for the message (``"cxvalue.forecast()"``);
    ``empty`` what an empty frame lacks (``"there is nothing to draw"``).
    """
    check_param(isinstance(frame, pd.DataFrame), "frame", func, "a pandas DataFrame", frame)
    check_choice(locale, LOCALES, "locale", func)
    assert isinstance(frame, pd.DataFrame)
    missing = [c for c in needs if c not in frame.columns]
    if missing:
        found = [str(c) for c in frame.columns]
        near = nearest(missing[0], found)
        hint = f" Did you mean {near!r}?" if near else ""
        raise ColumnError(
            f"{func}() draws the frame {made_by} returns; it needs the column(s) "
            f"{', '.join(map(repr, missing))}. Found: {', '.join(map(repr, found))}.{hint}",
            source="<DataFrame>", column=missing[0], found=found, nearest=near,
        )  # fmt: skip
    if frame.empty:
        raise EmptyInputError(f"{func}() got an empty frame: there is {empty} to draw.")
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    return out


def pick(auto: str, given: str | None) -> str:
    """The automatic text unless the caller gave one (``""`` leaves it out).

    In the automatic text a unit stays on the line of its number when the
    text wraps (``95 %``, ``7.700 €``, ``1,2 Mio. €``: no-break spaces).
    """
    return keep_units(auto) if given is None else given


def keep_units(text: str) -> str:
    """Join units to their numbers with no-break spaces, so wrapping never splits them."""
    for _ in range(2):  # twice: "1,2 Mio. €" joins the number to "Mio.", then "Mio." to "€"
        text = _UNIT_AFTER_NUMBER.sub("\\1\u00a0\\2", text)
    return text


#: A unit after a number ("95 %", "7.700 €", "1,2 Mio. €"; then "Mio. €" stays together too).
_UNIT_AFTER_NUMBER = re.compile(r"(\d|Mio\.|Mrd\.) (%|€|\$|£|CHF|Mio\.|Mrd\.)")


def round_significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits, halves away from zero (7,742 → 7,700)."""
    if not math.isfinite(value) or value == 0:
        return value
    step = 10.0 ** (int(math.floor(math.log10(abs(value)))) - digits + 1)
    return math.copysign(math.floor(abs(value) / step + 0.5) * step, value)


def money(
    values: float | Sequence[float], locale: str, currency: str, digits: int = 2
) -> list[str]:
    """Money for titles and labels: ``digits`` significant digits, ``€7,700`` / ``1,2 Mio. €``.

    Amounts of a million or more are abbreviated with at least one decimal, more when
    ``digits`` asks for them (3: ``€2.64B``, ``€41.2M``).
    """
    seq = [values] if isinstance(values, (int, float)) else list(values)
    out = []
    for v in seq:
        if abs(v) < 1e6:
            out += fmt_currency(round_significant(float(v), digits), locale, currency)
            continue
        _, decimals = _unit_and_decimals(float(v), digits)
        out += fmt_currency(float(v), locale, currency, decimals=decimals)
    return out


def shown(value: float, digits: int = 2) -> float:
    """The amount :func:`money` writes for ``value``: rounded as it rounds."""
    if abs(value) < 1e6:
        return round_significant(float(value), digits)
    unit, decimals = _unit_and_decimals(float(value), digits)
    return round(value / unit, decimals) * unit


def _unit_and_decimals(value: float, digits: int) -> tuple[float, int]:
    """An amount of a million or more: its unit (1e6, 1e9) and the decimals it is given."""
    unit = next(threshold for threshold in (1e9, 1e6) if abs(value) >= threshold)
    whole = len(str(int(abs(value) // unit)))
    return unit, max(1, digits - whole)


def pct_level(level: float, locale: str) -> str:
    """A confidence level as ``"95%"`` / ``"95 %"``."""
    return fmt_pct(level, None, locale)[0]


def month_text(when: object, locale: str) -> str:
    """A month as ``Dec 2027`` / ``Dez. 2027``."""
    stamp = pd.Timestamp(when)  # type: ignore[arg-type]
    names = _MONTHS[locale]
    return f"{names[stamp.month - 1]} {stamp.year}"


#: NPS points gained per 1% of customers making a move (detractor → promoter counts twice).
_POINTS_PER_PERCENT = {("detractor", "promoter"): 2.0}

_MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sep. Okt. Nov. Dez.".split(),
}


def transition_text(assumptions: object, locale: str) -> str:
    """Who moves for one NPS point, in words, from an ``Assumptions``."""
    words = _words.MONEY[locale]
    moves = dict(getattr(assumptions, "moves", {}) or {})
    if len(moves) == 1:
        ((src, dst),) = moves
        pct = fmt_number(1 / _POINTS_PER_PERCENT.get((src, dst), 1.0), 1, locale)[0]
        pct = pct.rstrip("0").rstrip(".,") + (" %" if locale == "de" else "%")
        return words["transition_one"].format(
            pct=pct, src=_words.MOVE[locale].get(src, src), dst=_words.MOVE[locale].get(dst, dst)
        )
    total = sum(moves.values()) or 1.0
    mix = ", ".join(
        words["mix_item"].format(
            w=fmt_pct(w / total, 0, locale)[0],
            src=_words.MOVE[locale].get(s, s),
            dst=_words.MOVE[locale].get(d, d),
        )  # fmt: skip
        for (s, d), w in moves.items()
    )
    return words["transition_mix"].format(mix=mix)


def margin_text(assumptions: object, locale: str) -> str:
    """The margin as the source line states it: ``30% margin`` / ``Marge 30 %``."""
    margin = float(getattr(assumptions, "margin", 0.0))
    pct = fmt_pct(margin, 0, locale)[0]
    stated = getattr(assumptions, "margin_source", None)
    if stated and stated != f"{margin:.0%} margin":  # a margin table, said in its own words
        return stated if locale == "en" else f"Marge aus Tabelle (umsatzgewichtet {pct})"
    return f"{pct} margin" if locale == "en" else f"Marge {pct}"


def thin_mark(flagged: object, locale: str) -> str:
    """What a title or label adds when its number lacks evidence: " (not enough evidence)",
    or "" when ``flagged`` is empty."""
    return f" ({_words.MONEY[locale]['not_enough']})" if flagged else ""


def describe(assumptions: object, locale: str) -> str:
    """:meth:`cxvalue.value.Assumptions.describe` in the figure's language."""
    a: Any = assumptions
    words = _words.MONEY[locale]
    return words["describe"].format(
        h=a.horizon_months, margin=margin_text(a, locale),
        rate=fmt_pct(a.discount_rate, 0, locale)[0], transition=transition_text(a, locale),
        adjusted=_words.adjusted(locale, a.adjusted_for), level=pct_level(a.level, locale),
        draws=fmt_number(a.n_draws, 0, locale)[0],
        flat=words["flat"] if getattr(a, "flat_revenue", False) else "",
    )  # fmt: skip


def spread(values: Sequence[float], gap: float) -> list[float]:
    """Move label positions apart so neighbours are at least ``gap`` apart, order kept.

    Used for end labels of lines: each label stays as near its line as the
    others allow (the group is centred on the lines it labels).
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    pos = [float(values[i]) for i in order]
    for _ in range(50):
        moved = False
        for k in range(1, len(pos)):
            overlap = gap - (pos[k] - pos[k - 1])
            if overlap > 1e-12:
                pos[k - 1] -= overlap / 2
                pos[k] += overlap / 2
                moved = True
        if not moved:
            break
    out = [0.0] * len(values)
    for i, p in zip(order, pos, strict=True):
        out[i] = p
    return out


def money_as(
    values: float | Sequence[float], reference: float, locale: str, currency: str
) -> list[str]:
    """Money on the scale of ``reference``: next to €31.2M, €800,000 is written €0.8M.

    Amounts beside a reference of a million or more are written in millions
    (billions beside billions) with one decimal, so that the numbers of one chart
    or title read alike, when that keeps them within 10%: from half a million (half
    a billion). Smaller ones are written as :func:`money` gives them: next to
    €2.6B, €47M is €47.0M, not €0.0B.
    """
    seq = [values] if isinstance(values, (int, float)) else list(values)
    scales = ((1e9, "B", "Mrd."), (1e6, "M", "Mio."))
    scale = next((s for s in scales if abs(reference) >= s[0]), None)
    if scale is None:
        return money(seq, locale, currency)
    symbol = SYMBOLS.get(currency.upper(), currency.upper())
    out = []
    for v in seq:
        if abs(v) < scale[0] / 2:
            out += money(v, locale, currency)
            continue
        number = fmt_number(float(v) / scale[0], 1, locale)[0]
        if locale == "de":
            out.append(f"{number} {scale[2]} {symbol}")
        else:
            sign, digits = (number[0], number[1:]) if number.startswith("−") else ("", number)
            out.append(f"{sign}{symbol}{' ' if len(symbol) > 1 else ''}{digits}{scale[1]}")
    return out
