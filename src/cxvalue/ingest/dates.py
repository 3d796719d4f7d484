"""Vectorised date parsing, one convention per column.

ISO dates and times, German dotted dates (``31.03.2025``), Excel serial
numbers (``45747``), compact dates (``20250331``), dates that name their
month (``Jan 03, 2025``, ``3. Januar 2025``), typed dates from
spreadsheets and Parquet, slash or dash dates (``03/31/2025``,
``31-03-2025``) and, for billing periods, month labels (``Jan 2025``,
``2025-02``, ``202502``, ``Mär 2025``). Slash dates are read
day-first or month-first for the whole column: a value whose first part is
above 12 shows day-first, one whose second part is, month-first; when every
value could be read either way and ``dayfirst`` is not given, a
:class:`~cxvalue.errors.ParseError` asks for it — cxvalue never guesses.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cxvalue.errors import ParseError, format_rows
from cxvalue.ingest.ledger import MAX_ROWS
from cxvalue.ingest.parsing import TEXT, flag, text_of

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_MONTHS = {
    "jan": 1, "jän": 1, "feb": 2, "mar": 3, "mär": 3, "mrz": 3, "apr": 4, "may": 5, "mai": 5,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
}  # fmt: skip
#: Months by their name or its abbreviation, in English and German.
_MONTH_NAMES = _MONTHS | {
    name: number
    for number, names in enumerate((
        "january januar jänner", "february februar", "march märz maerz", "april", "may",
        "june juni", "july juli", "august", "september sept", "october oktober", "november",
        "december dezember"), start=1)
    for name in names.split()
}  # fmt: skip
_ISO = r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:$|[ T])"
_DOTTED = r"^\d{1,2}\.\d{1,2}\.\d{2,4}(?:$|\s)"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_COMPACT = r"^(?:19|20)\d{6}$"  # 20250131, as SAP and warehouses write dates
# the month by name: "Jan 03, 2025 10:12 am" (Alchemer), "January 3rd, 2025", and
# "3 January 2025", "3. Januar 2025", "03-JAN-25" (Oracle)
_MONTH_DAY = r"^([a-zäé]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:$|[\s,T])"
_DAY_MONTH = r"^(\d{1,2})\.?[\s\-]+([a-zäé]{3,9})\.?[\s\-]+(\d{4}|\d{2})(?:$|[\s,T:])"
_SLASH = r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})(?:$|[ T])"


def parse_dates(
    values: pd.Series,
    *,
    dayfirst: bool | None,
    source: str,
    column: str,
    rows: pd.Series,
    months: bool = False,
) -> tuple[pd.Series, str | None]:
    """Dates → datetime64[ns] at midnight (NaT where blank or unreadable).

    Parameters
    ----------
    values : Series
        Raw cells.
    dayfirst : bool or None
        How to read slash dates; None lets the values decide (and raises
        when they cannot). An explicit value wins over the evidence: cells
        that cannot be read that way become NaT.
    source, column, rows
        For messages: the file, the column and the spreadsheet row numbers.
    months : bool
        Also accept month labels (``Jan 2025``, ``2025-02``) as their first day.

    Returns
    -------
    dates : Series of datetime64[ns]
    note : str or None
        The slash-date convention used, if the column had slash dates.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if values.dt.tz is not None else values
        return dates.astype("datetime64[ns]").dt.normalize(), None
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    typed = _typed_dates(values)
    if typed.any():
        out[typed] = pd.to_datetime(values[typed].map(pd.Timestamp), errors="coerce")
    codes, uniques = pd.factorize(text_of(values.where(~typed)))
    text = pd.Series(uniques, dtype=TEXT)
    dates, slash = _unique_dates(text, months)
    note = None
    if slash.any():
        located = (source, column, codes, rows.to_numpy())
        dates[slash], note = _slash_dates(text[slash], dayfirst, located)
    parsed = pd.Series(dates.to_numpy()[codes], index=values.index).where(codes >= 0)
    out[~typed] = parsed[~typed]
    return out.astype("datetime64[ns]").dt.normalize(), note


def _unique_dates(text: pd.Series, months: bool) -> tuple[pd.Series, pd.Series]:
    """Distinct cells → dates, except slash dates (returned as a mask for the caller)."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    iso = flag(text.str.match(_ISO))
    ymd = text[iso].astype(object).str.extract(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
    out[iso] = _from_parts(ymd[0], ymd[1], ymd[2])
    dotted = flag(text.str.match(_DOTTED))
    day = text[dotted].astype(object).str.extract(r"^(\d{1,2})\.(\d{1,2})\.(\d{2,4})")
    out[dotted] = _from_parts(day[2], day[1], day[0])
    serial = flag(text.str.match(_SERIAL))
    out[serial] = EXCEL_EPOCH + pd.to_timedelta(text[serial].astype(float).round(), unit="D")
    compact = flag(text.str.match(_COMPACT))
    ymd = text[compact].astype(object).str.extract(r"^(\d{4})(\d{2})(\d{2})$")
    out[compact] = _from_parts(ymd[0], ymd[1], ymd[2])
    slash = flag(text.str.match(_SLASH))
    rest = ~(iso | dotted | serial | compact | slash) & flag(text.ne(""))
    if rest.any():
        named = _named_month_dates(text[rest].astype(object).str.lower())
        out[named.index] = named
        rest &= out.isna()
    if months and rest.any():
        out[rest] = pd.to_datetime(text[rest].astype(object).map(parse_month_label))
    return out, slash


def _named_month_dates(text: pd.Series) -> pd.Series:
    """Dates that name their month (lower-case cells) → dates; NaT where none is named."""
    month_day = text.str.extract(_MONTH_DAY)
    day_month = text.str.extract(_DAY_MONTH)
    named = month_day[0].notna()
    year, name, day = (month_day[i].where(named, day_month[j]) for i, j in ((2, 2), (0, 1), (1, 0)))
    return _from_parts(year, name.map(_MONTH_NAMES), day)


def month_of_year(values: pd.Series) -> pd.Series | None:
    """Each cell's month (1-12, float; NaN where blank) when every other cell is a month
    without its year (``3``, ``03``, ``Mär``, ``March``); None when one is not, or all are
    blank."""
    text = text_of(values).str.casefold().str.rstrip(".")
    number = pd.to_numeric(text.where(flag(text.str.fullmatch(r"\d{1,2}(?:\.0+)?"))),
                           errors="coerce")  # fmt: skip
    month = number.where(number.between(1, 12)).fillna(text.map(_MONTH_NAMES).astype(float))
    blank = flag(text.eq(""))
    if blank.all() or (month.isna() & ~blank).any():
        return None
    return month


def _typed_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty", "integer", "floating"):
        return pd.Series(False, index=values.index)
    return values.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    year = pd.to_numeric(year, errors="coerce")
    year = year.where(year >= 100, year + 2000)  # two-digit years: 25 -> 2025
    parts = pd.DataFrame({"year": year, "month": pd.to_numeric(month), "day": pd.to_numeric(day)})
    return pd.to_datetime(parts, errors="coerce")


def _slash_dates(text: pd.Series, dayfirst: bool | None, located: tuple) -> tuple[pd.Series, str]:
    """Distinct slash dates → dates, one convention for all.

    ``located`` is (source, column, the row → distinct value codes, the row numbers).
    """
    source, column, codes, row_numbers = located
    parts = text.astype(object).str.extract(_SLASH).astype(int)
    first_big, second_big = parts[0].gt(12), parts[1].gt(12)

    def rows_of(mask: pd.Series) -> list[int] | list[str]:
        """The rows (numbers, or labels with their sheet or file) of the dates in ``mask``."""
        rows = row_numbers[np.isin(codes, mask[mask].index)][:MAX_ROWS]
        return [r if isinstance(r, str) else int(r) for r in rows]

    order = dayfirst
    if order is None and first_big.any() and second_big.any():
        shown = sorted(rows_of(first_big)[:1] + rows_of(second_big)[:1])
        raise ParseError(
            f"{source}, column {column!r}: dates are written both day-first and month-first "
            f"({format_rows(shown)}). Expected one convention per column; fix the file, or pass "
            "dayfirst=True or dayfirst=False (cells that do not fit are then rejected).",
            source=source, column=column, rows=shown, expected="one date convention per column",
        )  # fmt: skip
    if order is None and (first_big.any() or second_big.any()):
        order = bool(first_big.any())
    elif order is None and parts[0].ne(parts[1]).any():
        undecided = rows_of(parts[0].ne(parts[1]))
        raise ParseError(
            f"{source}, column {column!r}: dates like {text[parts[0].ne(parts[1])].iloc[0]!r} "
            f"could be day-first or month-first ({format_rows(undecided)}). Pass dayfirst=True "
            "(31/12/2025) or dayfirst=False (12/31/2025); cxvalue does not guess.",
            source=source, column=column, rows=undecided,
            values=text[parts[0].ne(parts[1])].astype(str).tolist()[:MAX_ROWS],
            expected="dayfirst=True or dayfirst=False",
        )  # fmt: skip
    elif order is None:  # every value reads the same either way (05/05/2025)
        order = True
    day, month = (parts[0], parts[1]) if order else (parts[1], parts[0])
    note = f"column {column!r}: slash dates read {'day' if order else 'month'}-first"
    return _from_parts(parts[2], month, day), note


def is_quarter_label(label: object) -> bool:
    """Whether a column header names a quarter (``Q1 2025``), not a month."""
    return _quarter(str(label).strip().lower()) is not None


def _quarter(text: str) -> tuple[int, int] | None:
    """``q1 2025``, ``q1/25``, ``2025-q1``, ``1. quartal 2025`` → (year, first month)."""
    m = (re.fullmatch(r"q([1-4])[\s\-_/.']*(\d{4}|\d{2})", text)
         or re.fullmatch(r"([1-4])\.?\s*quartal\s*(\d{4}|\d{2})", text))  # fmt: skip
    if m:
        quarter, year = int(m.group(1)), m.group(2)
    elif m := re.fullmatch(r"(\d{4})[\s\-_/.]*q([1-4])", text):
        year, quarter = m.group(1), int(m.group(2))
    else:
        return None
    return int(year) + (2000 if len(year) == 2 else 0), 3 * quarter - 2


def parse_month_label(label: object) -> pd.Timestamp | None:
    """A column header or cell naming a month → its first day, or None.

    Accepts ``Jan 2025``, ``January 2025``, ``Mär 2025``, ``Mrz. 25``,
    ``2025-02``, ``02/2025``, ``202502``, ``2025M02``, ``01.03.2025``,
    ``2025-03-01`` and typed dates; a
    quarter (``Q1 2025``, ``2025-Q2``, ``3. Quartal 2025``, see :func:`is_quarter_label`)
    names its first month.
    """
    if isinstance(label, pd.Timestamp) or hasattr(label, "year"):
        return pd.Timestamp(label).to_period("M").to_timestamp()  # type: ignore[arg-type]
    text = str(label).strip().lower()
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?: 00:00:00)?", text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"((?:19|20)\d{2})m?(\d{2})", text):  # 202501, 2025M01
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})[./-](\d{4})", text):
        year, month = int(m.group(2)), int(m.group(1))
    elif m := re.fullmatch(r"\d{1,2}\.(\d{1,2})\.(\d{4})", text):
        year, month = int(m.group(2)), int(m.group(1))
    elif q := _quarter(text):  # (a quarter column's revenue is spread over its months)
        year, month = q
    elif m := re.fullmatch(r"([a-zäé]{3})[a-zäé]*\.?[\s\-_'/]*(\d{2}|\d{4})", text):
        month = _MONTHS.get(m.group(1).replace("é", "e"), 0)
        year = int(m.group(2)) + (2000 if len(m.group(2)) == 2 else 0)
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return pd.Timestamp(year=year, month=month, day=1)
