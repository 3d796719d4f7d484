"""The typed lane: Parquet extracts whose needed columns are typed already.

A Parquet file's ids are strings, its dates dates and its amounts numbers: there is
nothing to parse, only to check. This lane checks with Arrow compute and numpy on
whole columns (blank or space-padded ids, ids in scientific notation, null dates and
amounts) and records what it finds through the same :class:`Tracker` calls as the
generic lane, so the ledger, ``strict`` and every message are the generic lane's.
It skips the generic lane's frame of raw cells and its per-step copies.

Only the columns a reader uses are read (the others only when a row might be blank
in every column); string columns are read dictionary-encoded, as Parquet stores
them, so the id checks run once per distinct id of a row group, not once per row.

A source the lane does not fit (a vendor export, untyped or unusual column types,
clashing column names, dates beyond what datetime64[ns] holds) goes the generic
way: :func:`open_parquet` and the readers' checks return None.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cxvalue.errors import CxValueError
from cxvalue.ingest._files import (
    PART_ROWS,
    Parts,
    RawTable,
    _detect_vendor,
    _header_cell,
    _unique,
    file_names,
    files_of,
    is_pattern,
    label_of,
)
from cxvalue.ingest.parsing import (
    _SCIENTIFIC,
    TOTAL_ROW,
    is_blank,
    lower_emails,
    whole_number_ids,
)

DAY_NS = 86_400 * 10**9
_UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
# Days since 1970 that datetime64[ns] holds (1677-09-22 .. 2262-04-10, whole days).
_NS_DAYS = (-106_750, 106_750)


@dataclass
class TypedSource:
    """A Parquet file the typed lane may read (or several, of one schema, read as one
    table): its schema, nothing read yet."""

    path: Path | tuple[Path, ...]
    schema: pa.Schema  # the data columns (a pandas index stored as a column left out)
    source: str
    sizes: tuple[int, ...]  # each file's rows
    parts: Parts = field(default_factory=Parts)

    def row_numbers(self) -> np.ndarray:
        """Each row's number as its file shows it (2 for the first), and its file's
        (:data:`~cxvalue.ingest._files.PART_ROWS`) when several are read as one."""
        numbers = [np.arange(2 + k * PART_ROWS, 2 + n + k * PART_ROWS, dtype="int64")
                   for k, n in enumerate(self.sizes)]  # fmt: skip
        return numbers[0] if len(numbers) == 1 else np.concatenate(numbers)

    @property
    def names(self) -> list[str]:
        """The file's column names."""
        return list(self.schema.names)

    def kind(self, name: str) -> pa.DataType:
        """The Arrow type of column ``name``."""
        return self.schema.field(name).type

    def load(self, columns: Sequence[str]) -> TypedColumns | None:
        """Read ``columns`` (strings dictionary-encoded) without the file's blank rows.

        None when every row is blank (the generic lane raises).
        """
        columns = list(dict.fromkeys(columns))
        strings = [c for c in columns if pa.types.is_string(self.kind(c))]
        table = _read(self.path, columns, strings)
        return _drop_blank_rows(self, table)


@dataclass
class TypedColumns:
    """The used columns as Arrow arrays, and the spreadsheet row numbers of the rows."""

    columns: dict[str, pa.ChunkedArray]
    rows: np.ndarray  # int64: 2 + the row's position in the file (see TypedSource.row_numbers)
    source: str
    notes: list[str] = field(default_factory=list)
    parts: Parts = field(default_factory=Parts)

    def __len__(self) -> int:
        return len(self.rows)

    def pop(self, name: str) -> pa.ChunkedArray:
        """Column ``name``, let go of here (its memory goes once the caller drops it)."""
        return self.columns.pop(name)

    def raw(self, frame: pd.DataFrame) -> RawTable:
        """A :class:`RawTable` around ``frame`` (``_row`` plus the used columns) for a Tracker."""
        return RawTable(frame, self.source, "plain", list(self.notes), parts=self.parts)


def open_parquet(source: object) -> TypedSource | None:
    """A Parquet path the typed lane may read, or None when it does not apply. Several
    Parquet files (a list, or a pattern: ``part-*.parquet``) of one schema are one source."""
    if isinstance(source, (list, tuple)) or is_pattern(source):
        return _open_parquets(source)
    if isinstance(source, pd.DataFrame) or not isinstance(source, (str, Path)):
        return None
    path = Path(source)
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    file = pq.ParquetFile(path)
    schema = file.schema_arrow
    index = [c for c in (schema.pandas_metadata or {}).get("index_columns", [])
             if isinstance(c, str)]  # fmt: skip
    if index:
        schema = pa.schema([f for f in schema if f.name not in index])
    names = schema.names
    header = [_header_cell(c) for c in names]
    clean = _unique(header) == names and len(set(names)) == len(names)
    if file.metadata.num_rows == 0 or not clean or any(n == "_row" or n.startswith("_cx_")
                                                       for n in names):  # fmt: skip
        return None  # the generic lane says what is wrong, or renames
    first = next(file.iter_batches(batch_size=2, columns=names, use_pandas_metadata=False), None)
    if first is None:
        return None
    head = to_pandas(pa.Table.from_batches([first]))
    peek = [[_header_cell(c) for c in head.iloc[i]] for i in range(len(head))]
    if _detect_vendor(header, peek, None) != ("plain", 0):
        return None
    return TypedSource(path, schema, path.name, sizes=(file.metadata.num_rows,))


def _open_parquets(source: object) -> TypedSource | None:
    """Several Parquet files as one typed source, or None (the generic lane reads them,
    and says what is wrong) when one is not Parquet, cannot be typed, or the schemas differ."""
    try:
        files = files_of(source)
    except CxValueError:
        return None
    if not files or len(files) < 2 or len({f.resolve() for f in files}) < len(files):
        return None
    opened = [open_parquet(f) for f in files]
    if any(o is None for o in opened) or len({o.schema.remove_metadata() for o in opened}) > 1:
        return None  # (pandas' metadata differs from file to file: its index's range)
    return TypedSource(tuple(files), opened[0].schema, label_of(source, files),
                       sizes=tuple(n for o in opened for n in o.sizes),
                       parts=Parts(tuple(file_names(files)), "file"))  # fmt: skip


def _read(path: Path | tuple[Path, ...], columns: list[str], dictionary: list[str]) -> pa.Table:
    if isinstance(path, tuple):
        return pa.concat_tables([_read(p, columns, dictionary) for p in path])
    return pq.read_table(path, columns=columns, read_dictionary=dictionary,
                         use_pandas_metadata=False)  # fmt: skip


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """As the generic lane reads Parquet: dates as datetime64, text as Arrow strings."""
    decoded = [
        c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    table = pa.table(decoded, names=table.column_names)
    return table.to_pandas(
        date_as_object=False, types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get
    )


def _drop_blank_rows(typed: TypedSource, table: pa.Table) -> TypedColumns | None:
    """Rows blank in every column are not data rows (the generic lane skips them too).

    A blank row is blank in every column: the cheapest loaded column names the
    candidates; only those rows of the other columns (unloaded ones too) are looked at.
    """
    names = table.column_names
    typed_names = [c for c in names if not is_text_type(table.schema.field(c).type)]
    first = table.column(typed_names[0] if typed_names else names[0])
    candidates = bools(_blank_cells(first))
    rows = typed.row_numbers()
    notes = [typed.parts.note()] if typed.parts.names else []
    if candidates.any():
        where = pa.array(np.flatnonzero(candidates))
        others = [c for c in typed.names if c not in names]
        cells = table.take(where)
        if others:
            rest = _read(typed.path, others, []).take(where)
            cells = pa.table([*cells.columns, *rest.columns], names=[*names, *others])
        frame = to_pandas(cells)
        blank = np.logical_and.reduce([is_blank(frame[c]).to_numpy() for c in frame.columns])
        if blank.all() and len(blank) == table.num_rows:
            return None  # nothing but blank rows: the generic lane raises
        if blank.any():
            keep = np.ones(table.num_rows, dtype=bool)
            keep[where.to_numpy()[blank]] = False
            table, rows = table.filter(pa.array(keep)), rows[keep]
            n = int(blank.sum())
            notes.append(f"{n} blank line{'s' if n > 1 else ''} skipped (not data rows)")
    columns = {c: table.column(c) for c in names}
    return TypedColumns(columns, rows, typed.source, notes, typed.parts)


def is_text_type(kind: pa.DataType) -> bool:
    """Text columns: strings, plain or dictionary-encoded."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _blank_cells(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """True where a cell is null, NaN or (text) empty or only whitespace."""
    if is_text_type(values.type):
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        return pc.or_kleene(pc.is_null(values), _is_empty(values))
    if pa.types.is_floating(values.type):
        return pc.is_null(values, nan_is_null=True)
    return pc.is_null(values)


def _is_empty(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """True where a string is empty or only whitespace (null where null)."""
    return pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values))


def bools(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow booleans as numpy (null → False)."""
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool)


def dictionary_codes(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """The distinct values and each row's number among them (int32, -1 where missing).

    A chunked column is numbered with one dictionary across its chunks; only the
    numbers are joined into one array, not the column itself (which would copy
    every text: half a GB for 36M ids).
    """
    if len(values) > 1 and _runs(values) <= len(values) // 4:
        return _run_codes(values)
    return _encoded_codes(pc.dictionary_encode(values))


def arrow_text(column: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """A text column (pandas' string dtype, either storage, or an Arrow string dtype) as
    Arrow, else None (also for texts Arrow cannot hold, such as lone surrogates).

    An Arrow-backed column hands out its own Arrow data, the same object each time.
    """
    dtype = column.dtype
    arrow_string = isinstance(dtype, pd.ArrowDtype) and (
        pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    )
    if not (isinstance(dtype, pd.StringDtype) or arrow_string):
        return None
    try:
        return column.array.__arrow_array__()
    except (pa.ArrowException, UnicodeError, TypeError):
        return None


_SHARED: dict[int, tuple[pa.Array, np.ndarray]] = {}
_SHARING = threading.Lock()


def shared_codes(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """:func:`dictionary_codes` of ``values``, worked out once while ``values`` lives.

    A report numbers the revenue's customer ids (36M at the benchmark's size) for
    revenue retention, the snapshot's fingerprint, its customer count and the churn-date
    check; given the column's own Arrow data (:func:`arrow_text`), they share one
    numbering. The codes come back read-only.
    """
    key = id(values)
    with _SHARING:
        found = _SHARED.get(key)
        if found is None:
            dictionary, codes = dictionary_codes(values)
            codes.flags.writeable = False
            found = _SHARED[key] = (dictionary, codes)
            weakref.finalize(values, _SHARED.pop, key, None)
    return found


def _runs(values: pa.Array | pa.ChunkedArray) -> int:
    """The number of runs of equal neighbours (nulls aside: an estimate for a choice)."""
    changed = pc.not_equal(values.slice(1), values.slice(0, len(values) - 1))
    return (pc.sum(changed).as_py() or 0) + 1


def _run_codes(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """:func:`dictionary_codes` of values that come in runs (a table sorted or grouped by
    them): one number per run, repeated over its rows. Only the runs' values are hashed,
    and they appear in the order the rows do, so the result is the same."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    runs = [pc.run_end_encode(chunk) for chunk in chunks if len(chunk)]
    lengths = np.concatenate([np.diff(r.run_ends.to_numpy(), prepend=0) for r in runs])
    run_values = pa.chunked_array([r.values for r in runs], type=values.type)
    dictionary, run_codes = _encoded_codes(pc.dictionary_encode(run_values))
    return dictionary, np.repeat(run_codes, lengths)


def _encoded_codes(encoded: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.fill_null(-1) if encoded.indices.null_count else encoded.indices
    return encoded.dictionary, codes.to_numpy(zero_copy_only=False)


def month_neighbours(ids: pd.Series, month: np.ndarray) -> tuple[np.ndarray, bool]:
    """Whether each row repeats the (id, month) of the row before it, and whether the
    rows are sorted by id, then month (ids compared in Arrow, in C).

    On sorted rows a repeated customer-month is a neighbour, so ``not same.any()``
    then says every (id, month) is unique without hashing millions of ids.
    """
    n = len(month)
    if n < 2:
        return np.zeros(max(n - 1, 0), dtype=bool), True
    values = pa.array(ids.array)
    head, tail = values.slice(0, n - 1), values.slice(1)
    same_id = bools(pc.equal(tail, head))
    later_id = bools(pc.greater(tail, head))
    same = same_id & (month[1:] == month[:-1])
    ordered = bool(np.all(later_id | (same_id & (month[1:] >= month[:-1]))))
    return same, ordered


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
    lowered: pd.Series
    scientific: pd.Series
    total: pd.Series
    missing: pd.Series


@dataclass
class _Checked:
    """One dictionary of distinct ids, checked."""

    raw: pa.Array  # large_string, as read
    stripped: pa.Array  # large_string, trimmed ("" where null)
    trimmed: np.ndarray
    scientific: np.ndarray
    total: np.ndarray  # a total row's label (Total, Summe)
    missing: np.ndarray  # blank, null or scientific


def _check_ids(values: pa.Array) -> _Checked:
    raw = values.cast(pa.large_string())
    filled = pc.fill_null(raw, "") if raw.null_count else raw
    stripped = pc.utf8_trim_whitespace(filled)
    length = pc.binary_length(stripped)
    empty = bools(pc.equal(length, 0))
    trimmed = bools(pc.not_equal(length, pc.binary_length(filled))) & ~empty
    scientific = np.zeros(len(values), dtype=bool)
    if bools(pc.match_substring(stripped, "e+", ignore_case=True)).any():
        scientific = bools(pc.match_substring_regex(stripped, _SCIENTIFIC))
    total = np.zeros(len(values), dtype=bool)
    # (cheap first: a label starts with a letter, or holds a space as "00123 Total" does)
    starts = pc.utf8_is_alpha(pc.utf8_slice_codeunits(stripped, 0, 1))
    if bools(pc.or_(starts, pc.invert(pc.utf8_is_alnum(stripped)))).any():
        total = bools(pc.match_substring_regex(stripped, TOTAL_ROW))
    return _Checked(raw, stripped, trimmed, scientific, total, empty | scientific)


def typed_ids(values: pa.ChunkedArray) -> TypedIds:
    """Trim, and find blank, padded and scientific-notation ids.

    ``values`` holds strings, plain or dictionary-encoded. A dictionary (one per
    Parquet row group, shared by its chunks) is checked once; the rows take its results.
    """
    n = len(values)
    index = pd.RangeIndex(n)
    flags = {name: np.zeros(n, dtype=bool) for name in ("trimmed", "scientific", "total",
                                                          "missing")}  # fmt: skip
    ids, raw = [], []
    checked: dict[tuple, _Checked] = {}
    start = 0
    for chunk in values.chunks:
        if pa.types.is_dictionary(chunk.type):
            dictionary, at = chunk.dictionary, chunk.indices
        else:
            dictionary, at = chunk, None
        key = (*(b.address if b is not None else 0 for b in dictionary.buffers()),
               dictionary.offset, len(dictionary))  # fmt: skip
        found = checked.get(key) if at is not None else None
        if found is None:
            found = _check_ids(dictionary)
            if at is not None:
                checked[key] = found
        stop = start + len(chunk)
        if at is None:
            ids.append(found.stripped)
            raw.append(found.raw)
            for name in flags:
                flags[name][start:stop] = getattr(found, name)
        else:
            ids.append(pc.take(found.stripped, at))
            raw.append((found, at))
            positions = pc.fill_null(at, 0).to_numpy(zero_copy_only=False)
            for name in flags:
                entry = getattr(found, name)
                if entry.any():
                    flags[name][start:stop] = entry[positions]
            if at.null_count:  # null cells: their position 0 above stands for nothing
                null = bools(pc.is_null(at))
                for name in ("trimmed", "scientific", "total"):
                    flags[name][start:stop] &= ~null
                flags["missing"][start:stop] |= null
        start = stop
    stripped = pa.chunked_array(ids, type=pa.large_string())
    if flags["trimmed"].any():
        cells = pa.chunked_array(
            [pc.take(r[0].raw, r[1]) if isinstance(r, tuple) else r for r in raw],
            type=pa.large_string(),
        )
    else:  # nothing was trimmed: the cells are the ids (nulls aside, rejected anyway)
        cells = stripped
    ids, lowered = lower_emails(
        pd.Series(pd.arrays.ArrowStringArray(stripped), index=index, copy=False)
    )
    ids, from_number = whole_number_ids(ids)
    return TypedIds(
        ids=ids,
        raw=pd.Series(pd.arrays.ArrowStringArray(cells), index=index, copy=False),
        trimmed=pd.Series(flags["trimmed"], index=index, copy=False),
        from_number=from_number,
        lowered=lowered,
        scientific=pd.Series(flags["scientific"], index=index, copy=False),
        total=pd.Series(flags["total"], index=index, copy=False),
        missing=pd.Series(flags["missing"], index=index, copy=False),
    )


def typed_days(values: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """A date or timestamp column → (days since 1970 as int64, null mask).

    Timestamps are normalised to midnight (floored), as the generic lane does. Null
    cells get the column's first day (so a day lookup stays in range). None when a
    date lies beyond what datetime64[ns] holds (the generic lane then decides).
    """
    null = bools(pc.is_null(values)) if values.null_count else np.zeros(len(values), bool)
    numbers = values.cast(pa.int32() if pa.types.is_date32(values.type) else pa.int64())
    if values.null_count:
        numbers = pc.fill_null(numbers, 0)
    if pa.types.is_date32(values.type):
        days = numbers.to_numpy().astype("int64")
    else:
        days = numbers.to_numpy() // (DAY_NS // _UNIT_NS[values.type.unit])
    if null.all():
        days[:] = 0
        return days, null
    if null.any():
        days[null] = days[~null].min()
    if days.min() < _NS_DAYS[0] or days.max() > _NS_DAYS[1]:
        return None
    return days, null


def month_starts(days: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 → (the first day of their month, the day itself), datetime64[ns].

    The day itself is NaT where ``null``. ``days`` is used up: its memory becomes the
    second array. The month starts come from one lookup per row in a table of the days
    between the first and the last.
    """
    if not len(days):
        empty = np.zeros(0, dtype="datetime64[ns]")
        return empty, empty.copy()
    low, high = int(days.min()), int(days.max())
    span = np.arange(low, high + 1, dtype="int64")
    first = span.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]")
    days -= low
    start = (first.astype("int64") * DAY_NS)[days].view("datetime64[ns]")
    days += low
    days *= DAY_NS
    day = days.view("datetime64[ns]")
    if null.any():
        day[null] = np.datetime64("NaT")
    return start, day


def typed_amounts(values: pa.ChunkedArray) -> np.ndarray:
    """A numeric column → float64 (NaN where null); NaN counts as blank, as in the generic lane."""
    if not pa.types.is_float64(values.type):
        values = values.cast(pa.float64(), safe=False)
    return values.to_numpy()
