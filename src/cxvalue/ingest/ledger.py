"""The ledger: what happened to every row of an extract.

``rows_read == rows_kept + rows_rejected``, always: the constructor refuses
anything else. Row numbers are the rows a spreadsheet shows (header rows
included), at most the first ten per reason; counts are complete.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

MAX_ROWS = 10


@dataclass(frozen=True)
class LedgerEntry:
    """One reason for rejecting rows, or one rule that repaired them."""

    what: str
    count: int
    rows: tuple[int, ...]


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
        How the file was read (vendor, encoding, separators, date order).
    """

    source: str
    table: str
    rows_read: int
    rows_kept: int
    rows_out: int
    rejected: tuple[LedgerEntry, ...] = ()
    repaired: tuple[LedgerEntry, ...] = ()
    notes: tuple[str, ...] = field(default=())

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
        """One row per reason and rule: ``kind, what, count, rows``."""
        records = [("rejected", e.what, e.count, _rows(e)) for e in self.rejected]
        records += [("repaired", e.what, e.count, _rows(e)) for e in self.repaired]
        return pd.DataFrame(records, columns=["kind", "what", "count", "rows"])

    def __str__(self) -> str:
        head = (
            f"{self.source} ({self.table}): {self.rows_read:,} read, {self.rows_kept:,} kept, "
            f"{self.rows_rejected:,} rejected"
        )
        if self.rows_out != self.rows_kept:
            head += f"; {self.rows_out:,} rows in the table"
        lines = [head]
        lines += [f"  rejected {e.count:>7,}  {e.what} ({_rows(e)})" for e in self.rejected]
        lines += [f"  repaired {e.count:>7,}  {e.what} ({_rows(e)})" for e in self.repaired]
        lines += [f"  note      {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{k}</td><td>{html.escape(w)}</td><td>{c:,}</td><td>{html.escape(r)}</td></tr>"
            for k, w, c, r in self.to_frame().itertuples(index=False)
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<p><b>{html.escape(self.source)}</b> ({self.table}): {self.rows_read:,} read, "
            f"{self.rows_kept:,} kept, {self.rows_rejected:,} rejected</p>"
            f"<table><tr><th></th><th>what</th><th>count</th><th>rows</th></tr>{rows}</table>"
            f"<ul>{notes}</ul>"
        )


def _rows(entry: LedgerEntry) -> str:
    shown = ", ".join(str(r) for r in entry.rows)
    more = ", …" if entry.count > len(entry.rows) else ""
    return f"row{'s' if entry.count > 1 else ''} {shown}{more}"


class Tracker:
    """Collects rejections and repairs while a reader works through a frame.

    The frame carries a ``_row`` column with spreadsheet row numbers; every
    rejection removes rows from it and records them.
    """

    def __init__(self, frame: pd.DataFrame, source: str, table: str) -> None:
        self.frame = frame
        self.source = source
        self.table = table
        self.rows_read = len(frame)
        self._rejected: dict[str, list[int]] = {}
        self._repaired: dict[str, list[int]] = {}
        self.columns: dict[str, str] = {}  # reason -> the file's column it is about
        self.notes: list[str] = []

    def reject(self, mask: pd.Series, reason: str, column: str | None = None) -> None:
        """Remove the rows where ``mask`` is true, recording ``reason`` (about ``column``)."""
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            self._rejected.setdefault(reason, []).extend(self.frame.loc[mask, "_row"].tolist())
            if column:
                self.columns[reason] = column
            self.frame = self.frame.loc[~mask]

    def repair(self, mask: pd.Series | Sequence[int], rule: str) -> None:
        """Record that ``rule`` changed the rows where ``mask`` is true (or these row numbers)."""
        if isinstance(mask, pd.Series):
            rows = self.frame.loc[mask.fillna(False).astype(bool), "_row"].tolist()
        else:
            rows = list(mask)
        if rows:
            self._repaired.setdefault(rule, []).extend(rows)

    def ledger(self, rows_out: int) -> Ledger:
        """Close the books."""
        return Ledger(
            source=self.source,
            table=self.table,
            rows_read=self.rows_read,
            rows_kept=len(self.frame),
            rows_out=rows_out,
            rejected=_entries(self._rejected),
            repaired=_entries(self._repaired),
            notes=tuple(self.notes),
        )


def _entries(collected: dict[str, list[int]]) -> tuple[LedgerEntry, ...]:
    return tuple(
        LedgerEntry(what, len(rows), tuple(sorted(rows)[:MAX_ROWS]))
        for what, rows in collected.items()
    )
