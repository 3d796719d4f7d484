"""Vectorised parsers for the cells of real extracts.

Each parser takes a Series of raw cells (strings from text files, or typed
values from XLSX/Parquet) and returns parsed values with NaN/NaT where a
cell is blank or cannot be read; the caller tells the two apart with
:func:`is_blank`. Conventions (decimal comma, day-first dates) are decided
per column, never per cell.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cxvalue.errors import ParseError, format_rows

# Patterns are plain strings, not compiled, so Arrow-backed columns run them in C (RE2).
_CURRENCY = r"(?i)(€|\$|£|\bEUR\b|\bUSD\b|\bGBP\b|\bCHF\b)"
_SPACES = "[\\s\u00a0\u202f']"
_DECIMAL_COMMA = r",\d{1,2}$|^\d{1,3}(?:\.\d{3})+(?:,\d*)?$"
_DECIMAL_POINT = r"\.\d{1,2}$|^\d{1,3}(?:,\d{3})+(?:\.\d*)?$"
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "mär": 3, "mrz": 3, "apr": 4, "may": 5, "mai": 5,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11,
    "dec": 12, "dez": 12,
}  # fmt: skip
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell holds nothing (NaN, None or only spaces)."""
    return values.isna() | values.astype(str).str.strip().eq("")


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped Arrow-backed strings ("" where missing): fast vectorised regex."""
    if not _all_text(values):
        values = values.astype(object).where(values.notna(), "").astype(str)
    return values.astype("string[pyarrow]").fillna("").str.strip()


def _all_text(values: pd.Series) -> bool:
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _mask(values: pd.Series, test) -> pd.Series:
    """``test`` applied per cell, but only when the column holds more than text."""
    if _all_text(values):
        return pd.Series(False, index=values.index)
    return values.map(test).astype(bool)


def parse_ids(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Customer ids as strings.

    Returns
    -------
    ids : Series of string dtype (``<NA>`` where blank)
    trimmed : bool Series, True where surrounding spaces were removed
    from_number : bool Series, True where a number (``123`` or ``123.0``) became ``"123"``
    """
    is_number = _mask(
        values,
        lambda v: isinstance(v, (int, float, np.integer, np.floating))
        and not isinstance(v, bool)
        and not np.isnan(v)
        and float(v).is_integer(),
    )
    text = values.astype(object).where(values.notna(), "")
    text = text.where(~is_number, text.map(lambda v: str(int(v)) if not isinstance(v, str) else v))
    text = text.astype(str)
    stripped = text.str.strip()
    trimmed = stripped.ne(text) & stripped.ne("")
    ids = stripped.where(stripped.ne(""), None).astype("string")
    return ids, trimmed, is_number.astype(bool)


def decimal_convention(values: pd.Series, delimiter: str | None = None) -> str:
    """``","`` or ``"."``: the decimal separator a column of amounts uses.

    Decided by the values that show it (``1.234,56``, ``12,5`` vs ``1,234.56``,
    ``12.50``); when none does, a semicolon-separated file means decimal comma.
    """
    return _convention(_clean_amounts(_text(values)), delimiter)


def _convention(clean: pd.Series, delimiter: str | None) -> str:
    comma = clean.str.contains(_DECIMAL_COMMA).sum()
    point = clean.str.contains(_DECIMAL_POINT).sum()
    if comma != point:
        return "," if comma > point else "."
    return "," if delimiter == ";" else "."


def _clean_amounts(text: pd.Series) -> pd.Series:
    """Strip currency, spaces and accounting parentheses (which mean a negative amount)."""
    negative = text.str.startswith("(") & text.str.endswith(")")
    text = text.where(~negative, "-" + text.str.slice(1, -1))
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    return text.str.replace("\u2212", "-", regex=False)


def parse_amounts(values: pd.Series, delimiter: str | None = None) -> tuple[pd.Series, str]:
    """Money amounts in English or German notation → float64.

    Handles ``1.234,56 €``, ``$1,234.56``, ``(1,234.00)`` (negative),
    ``EUR 1 234,56``, ``-12,5``. Returns the floats (NaN where blank or
    unreadable) and the decimal separator used for the column.
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float), "."
    numeric = _mask(values, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    clean = _clean_amounts(_text(values.where(~numeric)))
    sep = _convention(clean, delimiter)
    if sep == ",":
        clean = clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        clean = clean.str.replace(",", "", regex=False)
    valid = clean.str.fullmatch(r"-?\d*\.?\d+")
    parsed = pd.to_numeric(clean.where(valid, None), errors="coerce").astype(float)
    if numeric.any():
        parsed = parsed.where(~numeric, pd.to_numeric(values.where(numeric), errors="coerce"))
    return parsed.astype(float), sep


def parse_dates(
    values: pd.Series,
    *,
    dayfirst: bool | None,
    source: str,
    column: str,
    rows: pd.Series,
) -> tuple[pd.Series, str | None]:
    """Dates in ISO, German (``31.03.2025``), slash or Excel-serial form → datetime64.

    Slash dates are read day-first or month-first for the whole column: when
    a value shows it (a first part above 12 means day-first), that decides;
    when every value could be read either way, ``dayfirst`` must be given, or
    a :class:`ParseError` asks for it. Returns the dates (NaT where blank or
    unreadable) and a note on the convention used, if any.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    typed = _mask(values, lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))
    if typed.any():
        out[typed] = pd.to_datetime(values[typed], errors="coerce")
    text = _text(values.where(~typed))
    iso = text.str.match(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?")
    out[iso] = pd.to_datetime(text[iso].str.slice(0, 19).str.replace("T", " "), errors="coerce",
                              format="mixed")
    dotted = text.str.match(r"^\d{1,2}\.\d{1,2}\.\d{4}")
    out[dotted] = pd.to_datetime(_first_word(text[dotted]), format="%d.%m.%Y", errors="coerce")
    serial = text.str.fullmatch(r"\d{5}(\.\d+)?")
    out[serial] = EXCEL_EPOCH + pd.to_timedelta(text[serial].astype(float).round(), unit="D")
    slash = text.str.match(r"^\d{1,2}/\d{1,2}/\d{2,4}")
    note = None
    if slash.any():
        parts = text[slash].str.extract(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})").astype(int)
        first_big, second_big = (parts[0] > 12).any(), (parts[1] > 12).any()
        if first_big and second_big:
            raise ParseError(
                f"{source}, column {column!r}: slash dates are written both day-first and "
                "month-first in the same column. Expected one convention.",
                source=source, column=column, expected="one date convention",
            )
        order = True if first_big else False if second_big else dayfirst
        if order is None and not parts[0].eq(parts[1]).all():
            bad = rows[slash].tolist()
            raise ParseError(
                f"{source}, column {column!r}: dates like {text[slash].iloc[0]!r} could be "
                f"day-first or month-first ({format_rows(bad)}). Pass dayfirst=True "
                "(31/12/2025) or dayfirst=False (12/31/2025); cxvalue does not guess.",
                source=source, column=column, rows=bad[:10],
                values=text[slash].tolist()[:10], expected="dayfirst=True or dayfirst=False",
            )
        fmt = "%d/%m/%Y" if order else "%m/%d/%Y"
        dates = _first_word(text[slash])
        short = dates.str.match(r"^\d{1,2}/\d{1,2}/\d{2}$")
        out[slash & ~short] = pd.to_datetime(dates[~short], format=fmt, errors="coerce")
        out[slash & short] = pd.to_datetime(dates[short], format=fmt.replace("Y", "y"),
                                            errors="coerce")
        note = f"column {column!r}: slash dates read {'day' if order else 'month'}-first"
    return out.dt.normalize(), note


def _first_word(text: pd.Series) -> pd.Series:
    return text.str.replace(r"\s.*$", "", regex=True)


def parse_month_label(label: object) -> pd.Timestamp | None:
    """A column header or cell naming a month (``Jan 2025``, ``2025-02``, ``Mär 2025``,
    ``01.03.2025``, ``2025-03-01``) → its first day, or None."""
    if isinstance(label, pd.Timestamp) or hasattr(label, "year"):
        return pd.Timestamp(label).to_period("M").to_timestamp()
    text = str(label).strip().lower()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?", text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})[./](\d{4})", text):
        year, month = int(m.group(2)), int(m.group(1))
    elif m := re.fullmatch(r"\d{1,2}\.(\d{1,2})\.(\d{4})", text):
        year, month = int(m.group(2)), int(m.group(1))
    elif m := re.fullmatch(r"([a-zä]{3})[a-zä]*\.?[\s\-_']*(\d{2}|\d{4})", text):
        month = _MONTHS.get(m.group(1))
        year = int(m.group(2)) + (2000 if len(m.group(2)) == 2 else 0)
        if month is None:
            return None
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return pd.Timestamp(year=year, month=month, day=1)


_SCORE = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*(?:[-=–:]\s*\D.*|\D*)?$")


def parse_scores(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Survey scores → float, and a Series of reasons for cells that fail.

    Accepts ``9``, ``9.0``, ``10 - Extremely likely``, ``0 = Not at all likely``.
    Reasons: ``"no score (non-answer)"`` for a blank, ``"score is not a number"``,
    ``"score is not a whole number"``. The range is checked by the caller.
    """
    if pd.api.types.is_numeric_dtype(values):
        number = values.astype(float)
        text = pd.Series("", index=values.index).where(values.isna(), "x")
    else:
        text = _text(values)
        number = pd.to_numeric(
            text.str.extract(_SCORE)[0].str.replace(",", ".", regex=False), errors="coerce"
        )
    reason = pd.Series(None, index=values.index, dtype=object)
    reason[number.isna()] = "score is not a number"
    reason[text.eq("")] = "no score (non-answer)"
    reason[number.notna() & (number % 1 != 0)] = "score is not a whole number"
    return number.where(reason.isna()), reason
