"""What every reader shares: the result object and the steps for ids, dates, amounts."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from cxvalue.errors import DataWarning
from cxvalue.ingest._files import RawTable
from cxvalue.ingest._tracker import Tracker
from cxvalue.ingest.dates import parse_dates
from cxvalue.ingest.ledger import Ledger
from cxvalue.ingest.parsing import (
    CURRENCY_SIGNS,
    amount_currencies,
    currency_codes,
    is_blank,
    lower_emails,
    mixed_currencies,
    parse_amounts,
    parse_ids,
    whole_number_ids,
)

AMOUNTS = ("value is not an amount", "values are not amounts")
AMOUNT_EXAMPLES = "numbers like 1.234,56 or 1,234.56"
DATES = ("value is not a date", "values are not dates")
PREFIX = "_cx_"  # parsed values live in columns named PREFIX + canonical name


def parsed(name: str) -> str:
    """The frame column that holds the parsed values of canonical ``name``."""
    return PREFIX + name


DATE_EXAMPLES = "dates like 2025-03-31, 31.03.2025, 03/31/2025 or an Excel date number"


@dataclass(frozen=True)
class IngestResult:
    """A canonical table and the ledger of how it was made.

    Attributes
    ----------
    table : pandas.DataFrame
        The canonical table (see ``docs/contracts.md``).
    ledger : Ledger
        Rows read, kept, repaired and rejected.
    vendor : str
        ``"qualtrics"``, ``"surveymonkey"`` or ``"plain"``.
    currencies : tuple of str
        The currencies the revenue's amounts are written in (``"EUR"``, ``"$"``);
        empty when they carry none.
    """

    table: pd.DataFrame
    ledger: Ledger
    vendor: str = "plain"
    currencies: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The file name, or ``"<DataFrame>"``."""
        return self.ledger.source

    def _repr_html_(self) -> str:
        return self.ledger._repr_html_()

    def __repr__(self) -> str:
        return (
            f"IngestResult({self.ledger.table}, {len(self.table):,} rows from {self.source}, "
            f"vendor={self.vendor!r})"
        )


def warn_if_sheets_alike(
    tracker: Tracker, raw: RawTable, alike: Callable[[list[str]], bool] | None = None
) -> None:
    """Warn when a workbook's other sheets hold a table like the first's (a sheet per year,
    per survey wave, per segment): only the first is read unless ``sheet=`` names others, so
    their rows are not. ``alike`` judges a sheet by its header (default: the same columns)."""
    columns = {str(c) for c in raw.frame.columns if c != "_row"}
    alike = alike or (lambda header: {h for h in header if h} == columns)
    sheets = [s for s, header in raw.other_headers.items() if alike(header)]
    if not sheets:
        return
    named = ", ".join(map(repr, sheets))
    tracker.notes.append(f"sheets not read that hold a table like this one: {named}")
    which, its = (f"sheet {named} holds", "its") if len(sheets) == 1 else (
        f"sheets {named} hold", "their")  # fmt: skip
    every = f"sheet={[raw.sheet, *sheets]!r}"
    warnings.warn(
        DataWarning(
            f"{tracker.source}: {which} a table like the first sheet's, the one read, and "
            f"{its} rows are not read. {every} reads them as one table (in the config, "
            f"{every.replace('=', ' = ')}).",
            key="sheets_alike", source=tracker.source, sheets=sheets, every=every,
        ),
        stacklevel=3,
    )  # fmt: skip


def take_ids(tracker: Tracker, column: str) -> None:
    """Parse the customer id column into ``customer_id``; reject blanks; record repairs."""
    ids, trimmed, from_number, scientific, total = parse_ids(tracker.frame[column])
    ids, lowered = lower_emails(ids)
    ids, decimal = whole_number_ids(ids)
    record_ids(tracker, column, trimmed=trimmed, from_number=from_number | decimal,
               lowered=lowered, scientific=scientific, total=total,
               missing=ids.isna())  # fmt: skip
    tracker.put(parsed("customer_id"), ids)


def record_ids(
    tracker: Tracker,
    column: str,
    *,
    trimmed: pd.Series,
    from_number: pd.Series,
    lowered: pd.Series,
    scientific: pd.Series,
    total: pd.Series,
    missing: pd.Series,
) -> None:
    """Record what parsing the id column found: repairs, then rejections (both lanes)."""
    tracker.repair(trimmed, "trimmed spaces around customer_id", column)
    tracker.repair(
        from_number,
        "customer_id stored as a number (123.0), written as text (123); leading zeros, "
        "if any, were lost before the export",
        column,
    )
    tracker.repair(lowered, "e-mail address as customer_id in lower case (mail ignores case)",
                   column)  # fmt: skip
    tracker.reject(
        scientific, "customer_id in scientific notation (digits lost in a spreadsheet)", column,
        failing=("id is in scientific notation", "ids are in scientific notation"),
        expected="ids as text, e.g. 00123 (format the column as text before exporting)",
        canonical="customer_id",
    )  # fmt: skip
    tracker.reject(total, "a total row (Total, Summe), not a customer", column)
    _warn_if_outlined(tracker, column, missing)
    tracker.reject(missing, "no customer_id", column)


#: Above this share of revenue rows without an id (of 20 rows or more), below a first row
#: with one, the file may be a pivot table that writes each customer once, above its rows.
OUTLINE_SHARE = 0.3


def _warn_if_outlined(tracker: Tracker, column: str, missing: pd.Series) -> None:
    """Say what to do when a revenue's ids look like a pivot table's outline."""
    blank = missing.to_numpy(dtype=bool)
    if tracker.table != "revenue" or len(blank) < 20 or blank[0]:
        return
    if blank.mean() < OUTLINE_SHARE:
        return
    warnings.warn(
        DataWarning(
            f"{tracker.source}: {int(blank.sum()):,} of {len(blank):,} rows have no {column} "
            "and are rejected, with their revenue. If the file is an Excel pivot table that "
            "writes each customer once, above its rows, repeat the labels (PivotTable Design → "
            "Report Layout → Repeat All Item Labels) and export it again.",
            key="outline", source=tracker.source, blank=int(blank.sum()), rows=len(blank),
            column=column,
        ),
        stacklevel=5,
    )  # fmt: skip


def take_dates(
    tracker: Tracker,
    column: str,
    target: str,
    *,
    dayfirst: bool | None,
    required: bool = True,
    months: bool = False,
) -> None:
    """Parse a date column into ``target``; reject unreadable (and, if required, blank) cells."""
    frame = tracker.frame
    dates, note = parse_dates(
        frame[column], dayfirst=dayfirst, source=tracker.source, column=column,
        rows=tracker.row_labels(frame["_row"]), months=months,
    )  # fmt: skip
    if note:
        tracker.notes.append(note)
    blank = is_blank(frame[column])
    record_dates(tracker, column, target, unreadable=dates.isna() & ~blank, blank=blank,
                 required=required, months=months)  # fmt: skip
    tracker.put(parsed(target), dates)


def record_dates(
    tracker: Tracker,
    column: str,
    target: str,
    *,
    unreadable: pd.Series,
    blank: pd.Series,
    required: bool,
    months: bool,
) -> None:
    """Reject unreadable (and, if ``required``, blank) dates (both lanes)."""
    tracker.reject(
        unreadable, f"{target} not a date", column, failing=DATES,
        expected=DATE_EXAMPLES + (" or a month like Jan 2025" if months else ""),
        canonical=target,
    )  # fmt: skip
    if required:
        tracker.reject(blank, f"no {target} (blank)", column)


def note_currencies(tracker: Tracker, column: str, values: Iterable[object]) -> None:
    """The currencies a revenue's currency column names (ISO codes or signs, ``values``
    its distinct cells) kept with the ledger, as amounts written with them are."""
    cells = {str(v).strip() for v in values if v is not None and not pd.isna(v)}
    tracker.keep_currencies(column, currency_codes(
        c for c in cells if c in CURRENCY_SIGNS or re.fullmatch(r"[A-Za-z]{3}", c)))  # fmt: skip


def take_amounts(
    tracker: Tracker,
    column: str,
    target: str,
    *,
    delimiter: str | None,
    required: bool = True,
    canonical: str | None = None,
) -> None:
    """Parse money amounts into ``target``; reject unreadable (and, if required, blank) cells."""
    values, sep, other_way = parse_amounts(tracker.frame[column], delimiter)
    if target == "revenue":
        tracker.keep_currencies(column, amount_currencies(tracker.frame[column]))
    blank = is_blank(tracker.frame[column])
    record_amounts(tracker, column, target, sep=sep, other_way=other_way,
                   unreadable=values.isna() & ~blank, blank=blank, required=required,
                   canonical=canonical)  # fmt: skip
    tracker.put(parsed(target), values)


def record_amounts(
    tracker: Tracker,
    column: str,
    target: str,
    *,
    sep: str,
    other_way: pd.Series,
    unreadable: pd.Series,
    blank: pd.Series,
    required: bool,
    canonical: str | None,
) -> None:
    """Note the decimal separator, record repairs and rejections of an amount column."""
    tracker.notes.append(f"column {column!r}: decimal {'comma' if sep == ',' else 'point'}")
    tracker.repair(other_way, f"{target} written with the other decimal separator, read as written",
                   column)  # fmt: skip
    tracker.reject(
        unreadable, f"{target} not a number", column, failing=AMOUNTS,
        expected=AMOUNT_EXAMPLES, canonical=canonical or target,
    )  # fmt: skip
    if required:
        tracker.reject(blank, f"no {target} (blank)", column)


def finish(tracker: Tracker, table: pd.DataFrame, *, strict: bool) -> IngestResult:
    """Close the ledger; under ``strict`` turn any rejection into an error."""
    if strict and (error := tracker.strict_error()) is not None:
        raise error
    if mixed_currencies(tracker.currencies):
        currencies = ", ".join(sorted(tracker.currencies))
        warnings.warn(
            DataWarning(
                f"{tracker.source}: the amounts are in {currencies}, and cxvalue adds them as "
                "they are: convert them to one currency first.",
                key="currencies",
                source=tracker.source,
                currencies=currencies,
            ),
            stacklevel=3,
        )
    ledger = tracker.ledger(rows_out=len(table))
    index = table.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        table = table.reset_index(drop=True)  # a copy: only when needed
    return IngestResult(table, ledger, tracker.vendor, tuple(sorted(tracker.currencies)))


def rest_columns(frame: pd.DataFrame, used: set[str | None]) -> list[str]:
    """The file's columns to carry through: everything not used and not internal."""
    return [c for c in frame.columns if c not in used and not is_internal(c)]


def is_internal(name: object) -> bool:
    """True for the columns ingest adds: ``_row`` and the parsed values."""
    return name == "_row" or str(name).startswith(PREFIX)
