"""Vectorised parsers for the cells of real extracts: ids, amounts, scores.

Each parser takes a Series of raw cells (strings from text files, or typed
values from XLSX/Parquet/DataFrames) and returns parsed values with NaN
where a cell is blank or cannot be read; callers tell the two apart with
:func:`is_blank`. Conventions (decimal comma or point) are decided per
column, never per cell. Dates live in :mod:`cxvalue.ingest.dates`.

Speed: text runs through Arrow-backed strings, whose regular expressions
(RE2) run in C, so patterns here avoid look-arounds and back-references; and
parsers work on a column's distinct values, then spread the result back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

# The canonical text dtype (customer_id and every kept text column): Arrow-backed strings,
# lean, and DuckDB scans them as they are (Python-object strings are copied on every scan).
TEXT = IDS = pd.StringDtype("pyarrow")
#: A currency sign or code, as amounts (and amount columns' names) are written with it.
CURRENCY = r"(?i)€|\$|£|¥|\b(?:EUR|USD|GBP|CHF|JPY|SEK|NOK|DKK)\b"
_SPACES = "[\\s\u00a0\u202f']"
# A cell shows its decimal separator when it cannot be read the other way.
_SHOWS_COMMA = r",\d{1,2}$|,\d{4,}$|\.\d{3}[.,]|,$|^-?0,|^-?\d{4,},"
_SHOWS_POINT = r"\.\d{1,2}$|\.\d{4,}$|,\d{3}[.,]|\.$|^-?0\.|^-?\d{4,}\."
_NUMBER = r"^[-+]?(?:\d+\.?\d*|\.\d+)$"
_SCORE = r"^([-+]?\d+(?:[.,]\d+)?)(?:\s*[-=–:(]\s*\D.*|\s+\D+)?$"
_SCIENTIFIC = r"(?i)^\d(?:[.,]\d+)?E\+\d+$"
#: A spreadsheet's total row in the id column: Total, Grand Total, Summe, Gesamt, …, and an
#: Excel pivot table's subtotal of an item ("00123 Total", "00123 Ergebnis").
TOTAL_ROW = (
    r"(?i)^(?:(?:grand |sub-?)?totals?|(?:gesamt|zwischen|end)?summen?|gesamt(?:ergebnis|betrag)?"
    r"|insgesamt|sum|total g[ée]n[ée]ral|\S+ (?:total|ergebnis)):?$"
)


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as Arrow-backed strings, ``""`` where missing (not stripped)."""
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = values.astype(object).where(values.notna(), "").astype(str)
    return values.astype(TEXT).fillna("")


def text_of(values: pd.Series) -> pd.Series:
    """Cells as stripped Arrow-backed strings, ``""`` where missing."""
    return _as_text(values).str.strip()


def flag(mask: pd.Series) -> pd.Series:
    """A nullable or Arrow boolean Series as plain numpy booleans (NA → False)."""
    return mask.fillna(False).astype(bool)


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell holds nothing (NaN, None or only spaces)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return flag(values.isna())  # typed cells cannot hold spaces
    return flag(values.isna() | text_of(values).eq(""))


def by_unique(text: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``parse`` applied to the distinct values of ``text`` only, spread back to every row."""
    codes, uniques = pd.factorize(text)
    parsed = parse(pd.Series(uniques, dtype=text.dtype))
    return pd.Series(parsed.to_numpy()[codes], index=text.index, dtype=parsed.dtype)


def _is_text(value: object) -> bool:
    return isinstance(value, (str, bool, np.bool_))


def _typed_numbers(values: pd.Series) -> pd.Series:
    """True where a cell is a number rather than text (mixed spreadsheet columns)."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty", "boolean"):
        return pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        return values.notna()
    return values.notna() & ~values.map(_is_text)


def parse_ids(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """Customer ids as strings.

    Returns
    -------
    ids : Series of Arrow-backed string dtype (``<NA>`` where blank or unusable)
    trimmed : bool Series, True where surrounding spaces were removed
    from_number : bool Series, True where a number (``123`` or ``123.0``) became ``"123"``
    scientific : bool Series, True where a spreadsheet wrote the id as ``1.23E+05``
        (its digits are lost; these ids are set to ``<NA>``)
    total : bool Series, True where the id is a total row's label (``Total``, ``Summe``)
    """
    from_number = pd.Series(False, index=values.index)
    typed = _typed_numbers(values)
    if typed.any():
        numbers = pd.to_numeric(values.where(typed), errors="coerce")
        from_number = typed & np.isfinite(numbers) & (numbers % 1 == 0)
        whole = numbers[from_number].astype("int64").astype(str)
        values = values.astype(object).where(~from_number, whole)
    raw = _as_text(values)
    stripped = raw.str.strip()
    trimmed = flag(stripped.ne(raw) & stripped.ne(""))
    scientific = flag(stripped.str.match(_SCIENTIFIC))
    ids = stripped.where(flag(stripped.ne("")) & ~scientific, pd.NA)
    # (cheap first: a label starts with a letter, or holds a space as "00123 Total" does)
    maybe = flag(stripped.str.slice(0, 1).str.isalpha()) | ~flag(stripped.str.isalnum())
    total = flag(stripped.str.match(TOTAL_ROW)) if maybe.any() else maybe
    return ids.astype(IDS), trimmed, flag(from_number), scientific, total


_EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
#: Ids looked at for an "@" (or a ".0") before every id is: a column keyed by e-mail (or by
#: numbers a program wrote as decimals) shows it in these.
EMAIL_LOOKS = 1000
_WHOLE_DECIMAL = r"[0-9]+\.0+"
_DECIMAL = r"[0-9]+\.[0-9]+"


def _spread(ids: pd.Series) -> pd.Series:
    return ids.iloc[:: max(1, len(ids) // EMAIL_LOOKS)]


def whole_number_ids(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The ids written as whole decimals (``1001.0``) without their ``.0``, and where that
    changed one. A program writes numeric ids so when the column held a blank (pandas
    makes it floats), and the other tables have ``1001``. Ids with other decimals
    (``1.5`` beside ``2.0``) are ids with a point, left as written. Every id is looked
    at only when one of :data:`EMAIL_LOOKS` spread over the column ends in ``.0``."""
    unchanged = pd.Series(np.zeros(len(ids), dtype=bool), index=ids.index, copy=False)
    if not flag(_spread(ids).str.fullmatch(_WHOLE_DECIMAL)).any():
        return ids, unchanged
    whole = flag(ids.str.fullmatch(_WHOLE_DECIMAL))
    if (flag(ids.str.fullmatch(_DECIMAL)) & ~whole).any():
        return ids, unchanged
    return ids.where(~whole, ids.str.replace(r"\.0+$", "", regex=True)), whole


def lower_emails(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The ids with the e-mail addresses among them in lower case, and where that changed
    one. Mail ignores case, and systems keep it differently (a CRM as typed, a survey tool
    lower-cased): ``Anna.B@x.de`` and ``anna.b@x.de`` are one customer. Every id is looked
    at only when one of :data:`EMAIL_LOOKS` spread over the column has an "@"."""
    unchanged = pd.Series(np.zeros(len(ids), dtype=bool), index=ids.index, copy=False)
    if not flag(_spread(ids).str.contains("@", regex=False)).any():
        return ids, unchanged
    lower = ids.str.lower()
    lowered = flag(ids.ne(lower)) & flag(ids.str.fullmatch(_EMAIL))
    return (ids.where(~lowered, lower) if lowered.any() else ids), lowered


def _clean_amounts(text: pd.Series) -> pd.Series:
    """Drop currency and spaces; turn ``(12)`` and ``12-`` into ``-12``."""
    text = text.str.replace(CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    text = text.str.replace("\u2212", "-", regex=False)
    parens = flag(text.str.startswith("(") & text.str.endswith(")"))
    trailing = flag(text.str.match(r"^[^-].*\d-$"))
    inner = text.str.slice(1, -1).where(parens, text.str.slice(0, -1))
    return text.where(~(parens | trailing), "-" + inner)


def _evidence(clean: pd.Series) -> tuple[pd.Series, pd.Series]:
    return flag(clean.str.contains(_SHOWS_COMMA)), flag(clean.str.contains(_SHOWS_POINT))


def _to_float(clean: pd.Series, sep: str) -> pd.Series:
    if sep == ",":
        clean = clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        clean = clean.str.replace(",", "", regex=False)
    valid = flag(clean.str.match(_NUMBER))
    return pd.to_numeric(clean.astype(object).where(valid, None), errors="coerce")


def decimal_convention(values: pd.Series, delimiter: str | None = None) -> str:
    """``","`` or ``"."``: the decimal separator a column of amounts uses.

    The cells that show it (``1.234,56``, ``12,5`` vs ``1,234.56``, ``12.50``)
    decide by majority; when none does (``1.234``, ``1,234``, ``12``), a
    semicolon-separated file means decimal comma, any other a decimal point.
    """
    comma, point = _evidence(_clean_amounts(text_of(values)))
    return _majority(int(comma.sum()), int(point.sum()), delimiter)


def _majority(comma: int, point: int, delimiter: str | None) -> str:
    if comma != point:
        return "," if comma > point else "."
    return "," if delimiter == ";" else "."


#: What a currency sign or code in an amount means (``$`` may be any dollar).
CURRENCY_SIGNS = {"€": "EUR", "£": "GBP", "¥": "JPY", "$": "$"}
#: Currencies a "$" in the amounts may be.
DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN")


def mixed_currencies(written: Iterable[str]) -> bool:
    """Whether amounts written in ``written`` (codes, and ``$`` for any dollar) hold more
    than one currency: adding them up would mix them."""
    written = set(written)
    codes = written - {"$"}
    return len(codes) > 1 or ("$" in written and bool(codes - set(DOLLARS)))


def currency_codes(found: Iterable[str]) -> tuple[str, ...]:
    """Currency signs and codes as written (``€``, ``usd``) → sorted codes (``EUR``, ``USD``;
    ``$`` stays ``$``: it may be any dollar)."""
    return tuple(sorted({CURRENCY_SIGNS.get(f, str(f).upper()) for f in found}))


def amount_currencies(values: pd.Series, look_at: int = 10_000) -> tuple[str, ...]:
    """The currencies an amount column is written in (``EUR``, ``USD``, ``$``), from its
    first ``look_at`` cells; empty when its amounts carry none."""
    if pd.api.types.is_numeric_dtype(values):
        return ()
    text = text_of(values.head(look_at))
    return currency_codes(text.str.findall(CURRENCY).explode().dropna())


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
    typed = _typed_numbers(values)
    codes, uniques = pd.factorize(text_of(values.where(~typed)))
    clean = _clean_amounts(pd.Series(uniques, dtype=TEXT))
    comma, point = _evidence(clean)
    weight = np.bincount(codes[codes >= 0], minlength=len(uniques))
    sep = _majority(int(weight[comma].sum()), int(weight[point].sum()), delimiter)
    other_way = (point & ~comma) if sep == "," else (comma & ~point)
    parsed = _to_float(clean, sep)
    if other_way.any():
        parsed[other_way] = _to_float(clean[other_way], "." if sep == "," else ",")
    amounts = pd.Series(parsed.to_numpy(dtype="float64")[codes], index=values.index)
    if typed.any():
        amounts = amounts.where(~typed, pd.to_numeric(values.where(typed), errors="coerce"))
    other = pd.Series(other_way.to_numpy()[codes], index=values.index) & amounts.notna()
    return amounts.astype("float64"), sep, other


def _score_values(unique: pd.Series) -> pd.Series:
    found = unique.astype(object).str.extract(_SCORE)[0].str.replace(",", ".", regex=False)
    return pd.to_numeric(found, errors="coerce").astype("float64")


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
        blank = flag(text.eq(""))
        number = by_unique(text, _score_values)
    reason = pd.Series(None, index=values.index, dtype=object)
    reason[number.isna()] = "score is not a number"
    reason[blank] = "no score (non-answer)"
    reason[number.notna() & (number % 1 != 0)] = "score is not a whole number"
    return number.where(reason.isna()), reason
