"""The typed lane: Parquet extracts whose needed columns are typed already.

A Parquet file's ids are strings, its dates dates and its amounts numbers: there is
nothing to parse, only to check. This lane checks with Arrow compute and numpy on
whole columns (blank or space-padded ids, ids in scientific notation, null dates and
amounts) and records what it finds through the same :class:`Tracker` calls as the
generic lane, so the ledger, ``strict`` and every message are the generic lane's.
It skips the generic lane's frame of raw cells and its per-step copies.

A source the lane does not fit (a vendor export, untyped or unusual column types,
clashing column names) goes the generic way: :func:`open_parquet` and the column
checks return None.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cxvalue.ingest._files import RawTable, _detect_vendor, _header_cell, _unique
from cxvalue.ingest.parsing import _SCIENTIFIC, is_blank

DAY_NS = 86_400 * 10**9
_UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


@dataclass
class TypedSource:
    """An Arrow table without its blank rows, and the spreadsheet row numbers of the rest."""

    table: pa.Table
    rows: np.ndarray  # int64: 2 + the row's position in the file
    source: str
    notes: list[str]

    @property
    def names(self) -> list[str]:
        """The file's column names."""
        return list(self.table.column_names)

    def raw(self, frame: pd.DataFrame) -> RawTable:
        """A :class:`RawTable` around ``frame`` (``_row`` plus the used columns) for a Tracker."""
        return RawTable(frame, self.source, "plain", list(self.notes))


def open_parquet(source: object) -> TypedSource | None:
    """A Parquet path as an Arrow table, or None when the typed lane does not apply."""
    if isinstance(source, pd.DataFrame) or not isinstance(source, (str, Path)):
        return None
    path = Path(source)
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    table = pq.read_table(path)
    return _typed_source(table, path.name)


def _typed_source(table: pa.Table, source: str) -> TypedSource | None:
    names = table.column_names
    header = [_header_cell(c) for c in names]
    clean = _unique(header) == names and len(set(names)) == len(names)
    if table.num_rows == 0 or not clean or any(n == "_row" or n.startswith("_cx_") for n in names):
        return None  # the generic lane says what is wrong, or renames
    head = _to_pandas(table.slice(0, 2))
    peek = [[_header_cell(c) for c in head.iloc[i]] for i in range(len(head))]
    if _detect_vendor(header, peek, None) != ("plain", 0):
        return None
    return _drop_blank_rows(table, source)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """As the generic lane reads Parquet: dates as datetime64, text as Arrow strings."""
    return table.to_pandas(
        date_as_object=False, types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get
    )


def _drop_blank_rows(table: pa.Table, source: str) -> TypedSource | None:
    """Rows blank in every column are not data rows (the generic lane skips them too)."""
    # a blank row is blank in every column: look at the cheapest column first
    typed = [c for c in table.column_names if not pa.types.is_string(table.schema.field(c).type)]
    first = table.column(typed[0] if typed else table.column_names[0])
    if pa.types.is_string(first.type):
        candidates = _bools(pc.or_kleene(pc.is_null(first), _is_empty(first)))
    elif pa.types.is_floating(first.type):
        candidates = _bools(pc.is_null(first, nan_is_null=True))
    else:
        candidates = _bools(pc.is_null(first))
    rows = np.arange(2, table.num_rows + 2, dtype="int64")
    notes: list[str] = []
    if candidates.any():
        where = np.flatnonzero(candidates)
        cells = _to_pandas(table.take(pa.array(where)))
        blank = np.logical_and.reduce([is_blank(cells[c]).to_numpy() for c in cells.columns])
        if blank.all() and len(blank) == table.num_rows:
            return None  # nothing but blank rows: the generic lane raises
        if blank.any():
            keep = np.ones(table.num_rows, dtype=bool)
            keep[where[blank]] = False
            table, rows = table.filter(pa.array(keep)), rows[keep]
            n = int(blank.sum())
            notes.append(f"{n} blank line{'s' if n > 1 else ''} skipped (not data rows)")
    return TypedSource(table, rows, source, notes)


def _is_empty(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """True where a string is empty or only whitespace (null where null)."""
    return pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values))


def _bools(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow booleans as numpy (null → False)."""
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool)


def is_id_type(kind: pa.DataType) -> bool:
    """Ids the typed lane reads: Arrow strings (numbers go the generic way)."""
    return pa.types.is_string(kind)


def is_date_type(kind: pa.DataType) -> bool:
    """Dates the typed lane reads: dates, and timestamps without a time zone."""
    return pa.types.is_date32(kind) or (pa.types.is_timestamp(kind) and kind.tz is None)


def is_amount_type(kind: pa.DataType) -> bool:
    """Amounts the typed lane reads: floats and integers."""
    return pa.types.is_floating(kind) or pa.types.is_integer(kind)


@dataclass
class TypedIds:
    """A string id column checked as :func:`~cxvalue.ingest.parsing.parse_ids` checks text."""

    ids: pd.Series  # Arrow-backed strings, trimmed
    raw: pd.Series  # the cells as read, for the Tracker (values in messages)
    trimmed: pd.Series
    from_number: pd.Series
    scientific: pd.Series
    missing: pd.Series


def typed_ids(values: pa.ChunkedArray) -> TypedIds:
    """Trim, and find blank, padded and scientific-notation ids."""
    index = pd.RangeIndex(len(values))
    filled = pc.fill_null(values, "") if values.null_count else values
    stripped = pc.utf8_trim_whitespace(filled)
    length = pc.binary_length(stripped)
    empty = pc.equal(length, 0)
    if _text_bytes(stripped) == _text_bytes(filled):  # nothing was trimmed: keep one copy
        trimmed, stripped = np.zeros(len(values), dtype=bool), filled
    else:
        trimmed = _bools(pc.and_(pc.not_equal(length, pc.binary_length(filled)), pc.invert(empty)))
    maybe = _bools(pc.match_substring(stripped, "e+", ignore_case=True))
    scientific = np.zeros(len(values), dtype=bool)
    if maybe.any():
        scientific = _bools(pc.match_substring_regex(stripped, _SCIENTIFIC))
    missing = _bools(empty)
    return TypedIds(
        ids=pd.Series(pd.arrays.ArrowStringArray(stripped), index=index),
        raw=pd.Series(pd.arrays.ArrowStringArray(values), index=index),
        trimmed=pd.Series(trimmed, index=index),
        from_number=pd.Series(False, index=index),
        scientific=pd.Series(scientific, index=index),
        missing=pd.Series(missing & ~scientific, index=index),
    )


def _text_bytes(values: pa.ChunkedArray) -> int:
    """The bytes of all strings together (from the offsets; no pass over the text)."""
    total = 0
    for chunk in values.chunks:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
            total += int(offsets[chunk.offset + len(chunk)] - offsets[chunk.offset])
    return total


def typed_days(values: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A date or timestamp column → (days since 1970 as int64, null mask).

    Timestamps are normalised to midnight (floored), as the generic lane does.
    """
    null = _bools(pc.is_null(values))
    if pa.types.is_date32(values.type):
        days = pc.fill_null(values.cast(pa.int32()), 0).to_numpy().astype("int64")
    else:
        ticks = pc.fill_null(values.cast(pa.int64()), 0).to_numpy()
        days = (ticks * _UNIT_NS[values.type.unit]) // DAY_NS
    return days, null


def month_of_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 → (the first day of their month in ns, True where not the first day)."""
    dom = pc.day(pa.array(days.astype("int32"), type=pa.date32())).to_numpy()
    inside = dom != 1
    start = (days - (dom - 1)) * DAY_NS
    return start.view("datetime64[ns]"), inside


def days_to_ns(days: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Days since 1970 → datetime64[ns] at midnight, NaT where ``null``."""
    out = (days * DAY_NS).view("datetime64[ns]")
    if null.any():
        out = out.copy()
        out[null] = np.datetime64("NaT")
    return out


def typed_amounts(values: pa.ChunkedArray) -> np.ndarray:
    """A numeric column → float64 (NaN where null); NaN counts as blank, as in the generic lane."""
    if not pa.types.is_float64(values.type):
        values = values.cast(pa.float64(), safe=False)
    return values.to_numpy()
