"""What every reader shares: the result object, ids, dates and strictness."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxvalue.errors import InputError, ParseError, format_rows
from cxvalue.ingest._files import RawTable
from cxvalue.ingest.ledger import Ledger, Tracker
from cxvalue.ingest.parsing import is_blank, parse_dates, parse_ids


@dataclass(frozen=True)
class IngestResult:
    """A canonical table and the ledger of how it was made.

    Attributes
    ----------
    table : pandas.DataFrame
        The canonical table (see the design's "Canonical tables").
    ledger : Ledger
        Rows read, kept, repaired and rejected.
    vendor : str
        ``"qualtrics"``, ``"surveymonkey"`` or ``"plain"``.
    """

    table: pd.DataFrame
    ledger: Ledger
    vendor: str = "plain"

    @property
    def source(self) -> str:
        """The file name, or ``"<DataFrame>"``."""
        return self.ledger.source

    def _repr_html_(self) -> str:
        return self.ledger._repr_html_()

    def __repr__(self) -> str:
        return f"IngestResult({self.ledger.table}, {len(self.table):,} rows from {self.source})"


def take_ids(tracker: Tracker, column: str) -> None:
    """Parse the customer id column into ``customer_id``; reject blanks; record repairs."""
    frame = tracker.frame
    ids, trimmed, from_number = parse_ids(frame[column])
    frame = frame.assign(customer_id=ids)
    tracker.frame = frame
    tracker.repair(trimmed, "trimmed spaces around customer_id")
    tracker.repair(
        from_number,
        "customer_id stored as a number, written as text (leading zeros, if any, were lost "
        "before the export)",
    )
    tracker.reject(frame["customer_id"].isna(), "no customer_id", column)


def take_dates(
    tracker: Tracker,
    column: str,
    target: str,
    *,
    dayfirst: bool | None,
    required: bool = True,
) -> None:
    """Parse a date column into ``target``; reject unreadable (and, if required, blank) cells."""
    frame = tracker.frame
    dates, note = parse_dates(
        frame[column], dayfirst=dayfirst, source=tracker.source, column=column, rows=frame["_row"]
    )
    if note:
        tracker.notes.append(note)
    blank = is_blank(frame[column])
    tracker.frame = frame.assign(**{target: dates})
    tracker.reject(dates.isna() & ~blank, f"{target} not a date", column)
    if required:
        tracker.reject(blank, f"no {target} (blank)", column)


def finish(tracker: Tracker, table: pd.DataFrame, *, strict: bool, vendor: str) -> IngestResult:
    """Close the ledger; under ``strict`` turn any rejection into an error."""
    ledger = tracker.ledger(rows_out=len(table))
    if strict and ledger.rows_rejected:
        entry = ledger.rejected[0]
        more = ", …" if entry.count > len(entry.rows) else ""
        message = (
            f"{ledger.source}: {ledger.rows_rejected} rows would be rejected, and strict=True "
            f"allows none. First reason: {entry.what} ({format_rows(entry.rows)}{more})."
        )
        column = tracker.columns.get(entry.what)
        if column:
            raise ParseError(
                message + f" Fix column {column!r} or read with strict=False to see the ledger.",
                source=ledger.source, column=column, rows=entry.rows, expected=entry.what,
            )
        raise InputError(message, source=ledger.source)
    return IngestResult(table.reset_index(drop=True), ledger, vendor)


def new_tracker(raw: RawTable, table: str) -> Tracker:
    """A tracker over the raw cells, with the reader's notes."""
    tracker = Tracker(raw.frame, raw.source, table)
    tracker.notes.extend(raw.notes)
    return tracker


def rest_columns(frame: pd.DataFrame, used: set[str]) -> list[str]:
    """Columns to carry through unchanged: everything not used and not internal."""
    return [c for c in frame.columns if c not in used and not c.startswith("_")]
