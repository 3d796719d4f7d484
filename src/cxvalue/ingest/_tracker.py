"""Bookkeeping while a reader works through a frame: rejections, repairs, strictness."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from cxvalue.errors import InputError, ParseError
from cxvalue.ingest._files import RawTable
from cxvalue.ingest.ledger import MAX_ROWS, Ledger, LedgerEntry, first_rows


@dataclass
class Problem:
    """Everything known about one reason for rejecting rows."""

    rows: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # the first failing cells
    column: str | None = None
    failing: tuple[str, str] | None = None  # ("value is not an amount", "values are not amounts")
    expected: str = ""
    canonical: str | None = None


class Tracker:
    """Collects rejections and repairs while a reader works through a frame.

    The frame carries a ``_row`` column with spreadsheet row numbers; every
    rejection removes rows from it and records them.
    """

    def __init__(self, raw: RawTable, table: str) -> None:
        self.frame = raw.frame
        self.source = raw.source
        self.vendor = raw.vendor
        self.table = table
        self.notes: list[str] = list(raw.notes)
        self.currencies: set[str] = set()  # of the revenue's amounts
        self.parts = raw.parts  # several sheets or files read as one table: a row's own
        self._rejected: dict[str, Problem] = {
            reason: Problem(list(rows)) for reason, rows in raw.rejected.items() if rows
        }
        self._repaired: dict[str, tuple[list[int], str | None]] = {}
        self.rows_read = len(raw.frame) + sum(len(p.rows) for p in self._rejected.values())

    def reject(
        self,
        mask: pd.Series,
        reason: str,
        column: str | None = None,
        *,
        failing: tuple[str, str] | None = None,
        expected: str = "",
        canonical: str | None = None,
    ) -> None:
        """Remove the rows where ``mask`` is true, recording ``reason`` (about ``column``).

        ``failing`` (singular and plural wording) marks a parse problem: under
        ``strict`` it becomes a :class:`ParseError` that says what was ``expected``.
        """
        mask = self._aligned(mask)
        if not mask.any():
            return
        problem = self._rejected.setdefault(
            reason, Problem(column=column, failing=failing, expected=expected, canonical=canonical)
        )
        problem.rows.extend(self.frame.loc[mask, "_row"].tolist())
        if column is not None and len(problem.values) < MAX_ROWS:
            cells = self.frame.loc[mask, column].head(MAX_ROWS - len(problem.values))
            problem.values.extend(cells.astype(str).tolist())
        self.frame = self.frame.loc[~mask]

    def _aligned(self, mask: pd.Series) -> pd.Series:
        """``mask`` on the frame's rows as plain booleans (NA and missing rows → False).

        A numpy-boolean mask on the frame's own index is used as it is (no copy).
        """
        if mask.dtype == bool and mask.index.equals(self.frame.index):
            return mask
        return mask.reindex(self.frame.index, fill_value=False).fillna(False).astype(bool)

    def keep_currencies(self, column: str, codes: Sequence[str]) -> None:
        """Keep the currencies ``column`` writes its amounts in (its cells, its name or a
        currency column's codes), with a note in the ledger."""
        if codes:
            self.currencies.update(codes)
            self.notes.append(f"column {column!r}: amounts in {', '.join(codes)}")

    def put(self, name: str, values: pd.Series) -> None:
        """Add a column of parsed values, aligned on the rows still kept.

        The frame is copied shallowly (no column is copied; ``assign`` would copy them all).
        """
        if not values.index.equals(self.frame.index):
            values = values.reindex(self.frame.index)
        frame = self.frame.copy(deep=False)
        frame[name] = values
        self.frame = frame

    def repair(self, mask: pd.Series | Sequence[int], rule: str, column: str | None = None) -> None:
        """Record that ``rule`` changed the rows where ``mask`` is true (or these row numbers)."""
        if isinstance(mask, pd.Series):
            mask = self._aligned(mask)
            rows = self.frame.loc[mask, "_row"].tolist() if mask.any() else []
        else:
            rows = [int(r) for r in mask]
        if rows:
            self._repaired.setdefault(rule, ([], column))[0].extend(rows)

    def ledger(self, rows_out: int) -> Ledger:
        """Close the books."""
        rejected = tuple(
            entry for what, p in self._rejected.items()
            for entry in self._entries(what, p.rows, p.column)
        )  # fmt: skip
        repaired = tuple(
            entry for what, (rows, column) in self._repaired.items()
            for entry in self._entries(what, rows, column)
        )  # fmt: skip
        return Ledger(
            source=self.source, table=self.table, rows_read=self.rows_read,
            rows_kept=len(self.frame), rows_out=rows_out, rejected=rejected,
            repaired=repaired, notes=tuple(self.notes), vendor=self.vendor,
        )  # fmt: skip

    def _entries(self, what: str, rows: list[int], column: str | None) -> list[LedgerEntry]:
        """One entry, or one per sheet or file when several were read as one table."""
        return [
            LedgerEntry(f"{what} ({part})" if part else what, len(shown), first_rows(shown),
                        column)
            for part, shown in self.parts.by_part(rows)
        ]  # fmt: skip

    def row_labels(self, rows: pd.Series) -> pd.Series:
        """Row numbers for a message (with their sheet or file when several were read)."""
        return self.parts.row_labels(rows)

    def strict_error(self) -> InputError | None:
        """The error ``strict=True`` raises for the rows rejected so far, or None."""
        if not self._rejected:
            return None
        parse = [(r, p) for r, p in self._rejected.items() if p.failing]
        reason, problem = (parse or list(self._rejected.items()))[0]
        others = [f"{len(p.rows):,} × {r}" for r, p in self._rejected.items() if r != reason]
        tail = (f" Also rejected: {'; '.join(others)}." if others else "") + (
            " strict=True allows no rejected rows; read with strict=False to see them all "
            "in the ledger."
        )
        rows = self.row_labels(pd.Series(first_rows(problem.rows), dtype="int64")).tolist()
        where = _rows_text(rows, len(problem.rows))
        if problem.failing and problem.column:
            n = len(problem.rows)
            what = problem.failing[0] if n == 1 else problem.failing[1]
            fix = (f" Pass columns={{'{problem.canonical}': ...}} if this is the wrong column."
                   if problem.canonical else "")  # fmt: skip
            return ParseError(
                f"{self.source}, column {problem.column!r}: {n:,} {what} ({where}). "
                f"Expected {problem.expected}.{fix}{tail}",
                source=self.source, column=problem.column, rows=rows,
                values=problem.values[: len(rows)], expected=problem.expected,
            )  # fmt: skip
        column = f", column {problem.column!r}" if problem.column else ""
        return InputError(f"{self.source}{column}: {reason} ({where}).{tail}", source=self.source)


def _rows_text(rows: list[int] | list[str], count: int) -> str:
    word = "row" if count == 1 else "rows"
    more = f", … ({count:,} in all)" if count > len(rows) else ""
    return f"{word} {', '.join(str(r) for r in rows)}{more}"
