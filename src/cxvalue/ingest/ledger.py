"""The ledger: what happened to every row of an extract.

``rows_read == rows_kept + rows_rejected``, always: the constructor refuses
anything else. Row numbers are the rows a spreadsheet shows (header rows
included), at most the first ten per reason; counts are complete.
"""

from __future__ import annotations

import heapq
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

MAX_ROWS = 10


@dataclass(frozen=True)
class LedgerEntry:
    """One reason for rejecting rows, or one rule that repaired them.

    Attributes
    ----------
    what : str
        The reason (rejected) or the rule (repaired), in words.
    count : int
        How many rows; complete.
    rows : tuple of int
        The first ten spreadsheet row numbers.
    column : str or None
        The file's column the entry is about, where there is one.
    """

    what: str
    count: int
    rows: tuple[int, ...]
    column: str | None = None


@dataclass(frozen=True)
class Ledger:
    """Rows read, kept, repaired and rejected while reading one extract.

    Attributes
    ----------
    source : str
        File name, or ``"<DataFrame>"``.
    table : str
        ``"responses"``, ``"revenue"`` or ``"customers"``.
    rows_read, rows_kept : int
        Data rows in the extract, and those that made it into the table.
    rows_out : int
        Rows of the canonical table (differs from ``rows_kept`` when
        duplicates were summed or subscriptions expanded to months).
    rejected, repaired : tuple of LedgerEntry
    notes : tuple of str
        How the file was read (vendor, encoding, separators, conventions).
    vendor : str
        ``"qualtrics"``, ``"surveymonkey"`` or ``"plain"``.
    """

    source: str
    table: str
    rows_read: int
    rows_kept: int
    rows_out: int
    rejected: tuple[LedgerEntry, ...] = ()
    repaired: tuple[LedgerEntry, ...] = ()
    notes: tuple[str, ...] = field(default=())
    vendor: str = "plain"

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_kept + self.rows_rejected:
            raise AssertionError(
                f"ledger of {self.source} does not add up: {self.rows_read} read, "
                f"{self.rows_kept} kept, {self.rows_rejected} rejected"
            )

    @property
    def rows_rejected(self) -> int:
        """Rows left out, over all reasons."""
        return sum(e.count for e in self.rejected)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "source": self.source,
            "table": self.table,
            "vendor": self.vendor,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "rows_out": self.rows_out,
            "rejected": [
                {"reason": e.what, "count": e.count, "rows": list(e.rows)} for e in self.rejected
            ],
            "repaired": [
                {"rule": e.what, "count": e.count, "rows": list(e.rows)} for e in self.repaired
            ],
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per reason and rule: ``kind, what, column, count, rows``."""
        records = [("rejected", e.what, e.column, e.count, _rows(e)) for e in self.rejected]
        records += [("repaired", e.what, e.column, e.count, _rows(e)) for e in self.repaired]
        return pd.DataFrame(records, columns=["kind", "what", "column", "count", "rows"])

    def _head(self) -> str:
        kind = self.vendor if self.vendor != "plain" else self.table  # the export, or the table
        head = (
            f"{self.source} ({kind}): {self.rows_read:,} read, {self.rows_kept:,} kept, "
            f"{self.rows_rejected:,} rejected"
        )
        if self.rows_out != self.rows_kept:
            head += f"; {self.rows_out:,} {self.table} rows out"
        return head

    def __str__(self) -> str:
        entries = [("rejected", e) for e in self.rejected]
        entries += [("repaired", e) for e in self.repaired]
        width = max((len(e.what) for _, e in entries), default=0)
        lines = [self._head()]
        lines += [f"  {k}  {e.count:>9,}  {e.what:<{width}}  {_rows(e)}" for k, e in entries]
        lines += [f"  note      {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in record) + "</tr>"
            for record in self.to_frame().fillna("").itertuples(index=False)
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<p><b>{html.escape(self._head())}</b></p>"
            "<table><tr><th></th><th>what</th><th>column</th><th>count</th><th>rows</th></tr>"
            f"{rows}</table><ul>{notes}</ul>"
        )


def _rows(entry: LedgerEntry) -> str:
    shown = ", ".join(str(r) for r in entry.rows)
    more = f", … ({entry.count:,} in all)" if entry.count > len(entry.rows) else ""
    return f"row{'s' if entry.count > 1 else ''} {shown}{more}"


def first_rows(rows: Sequence[int]) -> tuple[int, ...]:
    """The first ten row numbers, in order."""
    return tuple(int(r) for r in heapq.nsmallest(MAX_ROWS, rows))
