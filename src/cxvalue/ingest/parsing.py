"""Vectorised parsers for the cells of real extracts: ids, amounts, scores.

Each parser takes a Series of raw cells (strings from text files, or typed
values from XLSX/Parquet/DataFrames) and returns parsed values with NaN
where a cell is blank or cannot be read; callers tell the two apart with
:func:`is_blank`. Conventions (decimal comma or point) are decided per
column, never per cell. Dates live in :mod:`cxvalue.ingest.dates`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_CURRENCY = re.compile(r"€|\$|£|¥|\b(?:EUR|USD|GBP|CHF|JPY|SEK|NOK|DKK)\b", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']")
# A cell shows its decimal separator when it cannot be read the other way.
_SHOWS_COMMA = re.compile(r",\d{1,2}$|,\d{4,}$|\.\d{3}[.,]|,$|^-?0,|^-?\d{4,},")
_SHOWS_POINT = re.compile(r"\.\d{1,2}$|\.\d{4,}$|,\d{3}[.,]|\.$|^-?0\.|^-?\d{4,}\.")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)$")
_SCORE = re.compile(r"^([-+]?\d+(?:[.,]\d+)?)(?:\s*[-=–:(]\s*\D.*|\s+\D+)?$")
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?E\+\d+$", re.IGNORECASE)


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell holds nothing (NaN, None or only spaces)."""
    return values.isna() | text_of(values).eq("")


def _all_strings(values: pd.Series) -> bool:
    kind = pd.api.types.infer_dtype(values, skipna=True)
    return kind in ("string", "empty")


def text_of(values: pd.Series) -> pd.Series:
    """Cells as stripped strings ('' where missing)."""
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _integral_numbers(values: pd.Series) -> pd.Series:
    """True where a cell is a number (not text) holding a whole value: 123, 123.0."""
    if pd.api.types.is_bool_dtype(values) or _all_strings(values):
        return pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
    else:  # mixed cells, as from a spreadsheet
        numbers = pd.to_numeric(values.where(~values.map(_is_text)), errors="coerce")
    return numbers.notna() & np.isfinite(numbers) & (numbers % 1 == 0)


def _is_text(value: object) -> bool:
    return isinstance(value, (str, bool, np.bool_))


def parse_ids(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Customer ids as strings.

    Returns
    -------
    ids : Series of string dtype (``<NA>`` where blank or unusable)
    trimmed : bool Series, True where surrounding spaces were removed
    from_number : bool Series, True where a number (``123`` or ``123.0``) became ``"123"``
    scientific : bool Series, True where a spreadsheet wrote the id as ``1.23E+05``
        (its digits are lost; these ids are set to ``<NA>``)
    """
    from_number = _integral_numbers(values)
    raw = values.astype(object).where(values.notna(), "")
    if from_number.any():
        whole = pd.to_numeric(values[from_number]).astype("int64").astype(str)
        raw = raw.where(~from_number, whole)
    raw = raw.astype(str)
    stripped = raw.str.strip()
    trimmed = stripped.ne(raw) & stripped.ne("")
    scientific = stripped.str.match(_SCIENTIFIC)
    ids = stripped.where(stripped.ne("") & ~scientific, None).astype("string")
    return ids, trimmed, from_number, scientific


def _clean_amounts(text: pd.Series) -> pd.Series:
    """Drop currency and spaces; turn ``(12)`` and ``12-`` into ``-12``."""
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    text = text.str.replace("\u2212", "-", regex=False)
    negative = text.str.match(r"^\(.*\)$") | text.str.match(r"^[^-].*\d-$")
    text = text.str.replace(r"^\((.*)\)$|^(.*\d)-$", r"\1\2", regex=True)
    return text.where(~negative, "-" + text)


def decimal_convention(values: pd.Series, delimiter: str | None = None) -> str:
    """``","`` or ``"."``: the decimal separator a column of amounts uses.

    The cells that show it (``1.234,56``, ``12,5`` vs ``1,234.56``, ``12.50``)
    decide by majority; when none does (``1.234``, ``1,234``, ``12``), a
    semicolon-separated file means decimal comma, any other a decimal point.
    """
    clean = _clean_amounts(text_of(values))
    comma = int(clean.str.contains(_SHOWS_COMMA).sum())
    point = int(clean.str.contains(_SHOWS_POINT).sum())
    if comma != point:
        return "," if comma > point else "."
    return "," if delimiter == ";" else "."


def _to_float(clean: pd.Series, sep: str) -> pd.Series:
    if sep == ",":
        clean = clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        clean = clean.str.replace(",", "", regex=False)
    return pd.to_numeric(clean.where(clean.str.match(_NUMBER), None), errors="coerce")


def parse_amounts(
    values: pd.Series, delimiter: str | None = None
) -> tuple[pd.Series, str, pd.Series]:
    """Money amounts in English or German notation → float64.

    Handles ``1.234,56 €``, ``$1,234.56``, ``(1,234.00)`` and ``1,234.00-``
    (negative), ``EUR 1 234,56``, ``-12,5``. The column's decimal separator
    reads every cell that could go either way; a cell that can only be read
    the other way (``1,234.56`` in a decimal-comma column) is read as written.

    Returns
    -------
    amounts : float64 Series, NaN where blank or unreadable
    sep : the column's decimal separator
    other_way : bool Series, True where a cell was read in the other convention
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), ".", pd.Series(False, index=values.index)
    typed = pd.Series(False, index=values.index)
    if not _all_strings(values):
        typed = values.map(lambda v: isinstance(v, (int, float, np.number)) and not _is_text(v))
    clean = _clean_amounts(text_of(values.where(~typed)))
    sep = decimal_convention(values.where(~typed), delimiter)
    other = "." if sep == "," else ","
    other_way = clean.str.contains(_SHOWS_POINT if sep == "," else _SHOWS_COMMA)
    other_way &= ~clean.str.contains(_SHOWS_COMMA if sep == "," else _SHOWS_POINT)
    parsed = _to_float(clean, sep).where(~other_way, _to_float(clean, other))
    if typed.any():
        parsed = parsed.where(~typed, pd.to_numeric(values.where(typed), errors="coerce"))
    return parsed.astype("float64"), sep, other_way & parsed.notna()


def parse_scores(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Survey scores → float, and a Series of reasons for cells that fail.

    Accepts ``9``, ``9.0``, ``10 - Extremely likely``, ``0 = Not at all likely``.
    Reasons: ``"no score (non-answer)"`` for a blank, ``"score is not a number"``,
    ``"score is not a whole number"``. The range is checked by the caller.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        number = values.astype("float64")
        blank = values.isna()
    else:
        text = text_of(values)
        blank = text.eq("")
        found = text.str.extract(_SCORE)[0].str.replace(",", ".", regex=False)
        number = pd.to_numeric(found, errors="coerce")
    reason = pd.Series(None, index=values.index, dtype=object)
    reason[number.isna()] = "score is not a number"
    reason[blank] = "no score (non-answer)"
    reason[number.notna() & (number % 1 != 0)] = "score is not a whole number"
    return number.where(reason.isna()), reason
