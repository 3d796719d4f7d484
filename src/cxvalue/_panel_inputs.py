"""Inputs of the panel: bring each canonical table into one Ibis backend.

Every input (pandas, Arrow, a Parquet/CSV path, an Ibis table or an
``IngestResult``) becomes an Ibis table on one backend. Months are handled as
integers, ``year * 12 + month - 1``, so that month arithmetic is plain integer
arithmetic on every backend; :func:`month_date` turns them back into dates.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.common.exceptions import IbisError

from cxvalue.errors import ColumnError, InputError, nearest
from cxvalue.ingest._typed import month_neighbours

#: Suffixes read by the engine itself.
PARQUET = (".parquet", ".pq")
CSV = (".csv",)


def unwrap(obj: Any) -> Any:
    """The table inside an ``IngestResult``-like object, else ``obj`` itself."""
    if isinstance(obj, (ir.Table, pd.DataFrame, pa.Table, str, os.PathLike)):
        return obj
    return getattr(obj, "table", obj)


def one_row_per_month(obj: Any) -> bool:
    """True for a pandas revenue table sorted by customer_id and period with no
    customer-month twice, as ``read_revenue()`` gives it.

    Checked on neighbouring rows (in Arrow, no hashing of the ids); any other
    input says False and the panel sums per customer-month as usual.
    """
    table = unwrap(obj)
    if not isinstance(table, pd.DataFrame) or not {"customer_id", "period"} <= set(table):
        return False
    ids, period = table["customer_id"], table["period"]
    naive_dates = isinstance(period.dtype, np.dtype) and period.dtype.kind == "M"
    if not isinstance(ids.dtype, pd.StringDtype) or not naive_dates:
        return False
    month = period.to_numpy().astype("datetime64[M]").view("int64")
    try:
        same, ordered = month_neighbours(ids, month)
    except (pa.ArrowException, TypeError, UnicodeError):  # ids Arrow cannot hold
        return False
    return ordered and not same.any()


def bound_backend(obj: Any) -> Any | None:
    """The backend an Ibis table is bound to, or None (memtables, non-Ibis inputs)."""
    if not isinstance(obj, ir.Table):
        return None
    try:
        return obj._find_backend(use_default=False)
    except IbisError:
        return None


def resolve_backend(inputs: Sequence[Any], backend: Any | None, func: str) -> Any:
    """The one backend every input runs on.

    Ibis tables bound to a backend decide it; otherwise ``backend``; otherwise
    a fresh embedded DuckDB connection.
    """
    bound = [b for b in (bound_backend(unwrap(x)) for x in inputs) if b is not None]
    chosen = backend if backend is not None else (bound[0] if bound else None)
    if any(b is not chosen for b in bound):
        raise InputError(
            f"{func}(): the Ibis tables given live on different backends (or not on the "
            "'backend' passed). Pass tables from one connection, or pandas/Arrow/files "
            "that cxvalue can load into it."
        )
    return chosen if chosen is not None else default_backend()


#: Memory the embedded DuckDB may use before it spills to disk (its own default is
#: 80% of the machine's memory, which leaves nothing for the models next to it). At 36M
#: customer-months the report's inputs take about 2.3 GB beside it: with 1.5 GB, the
#: report's query peaked at 3.96 GB (2 GB: 4.4 GB); with 1.25 GB at 3.77 GB, the report
#: taking about 2 s (5%) longer.
DUCKDB_MEMORY = "1.25GB"
#: Memory a DuckDB task may hold before its allocator hands the freed part back.
ALLOCATOR_FLUSH = "16MB"


def default_backend() -> Any:
    """An embedded DuckDB with a memory limit that spills to the system's temp folder.

    Its optimizer keeps the right side of each join as the hash table's side.
    The panel's joins put the smaller (lookup) table there; DuckDB's row
    estimates after windows and range joins are too rough to second-guess
    that (on a 22.6M-row panel it built tables over the customer-months
    instead: 15% slower and twice the spilling).
    """
    spill = Path(tempfile.gettempdir()) / "cxvalue-duckdb"
    con = ibis.duckdb.connect(memory_limit=DUCKDB_MEMORY, temp_directory=str(spill))
    con.raw_sql("SET disabled_optimizers = 'build_side_probe_side'")
    # give freed memory back to the system during and after a query: DuckDB's allocator
    # otherwise keeps it (about 1 GB after the panel's query at 36M customer-months)
    con.raw_sql(f"SET allocator_flush_threshold = '{ALLOCATOR_FLUSH}'")
    con.raw_sql("SET allocator_background_threads = true")
    return con


def to_table(obj: Any, con: Any, kind: str) -> ir.Table:
    """One input as an Ibis table usable on ``con``, its timestamps at most microseconds
    (see :func:`microsecond_dates`)."""
    return microsecond_dates(_as_table(unwrap(obj), con, kind))


def _as_table(obj: Any, con: Any, kind: str) -> ir.Table:
    if isinstance(obj, ir.Table):
        return obj
    if isinstance(obj, pd.DataFrame):
        return ibis.memtable(_arrow_view(obj))
    if isinstance(obj, pa.Table):
        return ibis.memtable(obj)
    if isinstance(obj, (str, os.PathLike)):
        return _read_path(Path(obj), con, kind)
    raise InputError(
        f"The {kind} table must be a pandas DataFrame, a pyarrow Table, a Parquet or CSV "
        f"path, an Ibis table or the result of cxvalue.read_{kind}(). "
        f"Got {type(obj).__name__} instead."
    )


def _arrow_view(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """The frame as an Arrow table sharing its Arrow strings, numbers and nanosecond
    dates (Ibis's own conversion of a DataFrame copies ids and dates to its types:
    ~0.4 GB on 22.6M revenue rows, held while the engine has the table); the frame
    itself when Arrow cannot take it (a mixed column, repeated names: Ibis then
    reports it as before)."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError):  # UnicodeError is a ValueError
        return frame


def _read_path(path: Path, con: Any, kind: str) -> ir.Table:
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        return con.read_parquet(str(path))
    if suffix in CSV:
        if getattr(con, "name", "") == "duckdb":  # keep leading zeros of ids
            return con.read_csv(str(path), types={"customer_id": "VARCHAR"})
        return con.read_csv(str(path))
    raise InputError(
        f"{path.name}: the engine reads only Parquet and canonical CSV files. Read other "
        f"files with cxvalue.read_{kind}() first and pass its result.",
        source=str(path),
    )


def require(table: ir.Table, columns: Sequence[str], kind: str) -> None:
    """Raise a :class:`ColumnError` naming the first missing column."""
    found = list(table.columns)
    for col in columns:
        if col not in found:
            near = nearest(col, found)
            hint = f" Did you mean {near!r}?" if near else ""
            raise ColumnError(
                f"The {kind} table has no {col!r} column. Columns found: "
                f"{', '.join(map(repr, found))}.{hint}",
                column=col, found=found, nearest=near,
            )  # fmt: skip


def require_text_ids(table: ir.Table, kind: str, column: str = "customer_id") -> None:
    """Refuse ids that are not strings: ``00123`` must stay ``00123``."""
    dtype = table[column].type()
    if not dtype.is_string():
        raise InputError(
            f"The {kind} table's {column!r} column holds {dtype}, not text. Ids are joined "
            "as strings so that 00123 stays 00123 and 123 never matches it by accident. "
            f"Read the table with cxvalue.read_{kind}(), or cast the column to string."
        )


def require_dates(table: ir.Table, column: str, kind: str) -> None:
    """Refuse a date column the engine did not read as a date or timestamp."""
    dtype = table[column].type()
    if not (dtype.is_date() or dtype.is_timestamp()):
        raise InputError(
            f"The {kind} table's {column!r} column holds {dtype}, not dates. "
            f"Read the table with cxvalue.read_{kind}() first."
        )


def microsecond_dates(table: ir.Table) -> ir.Table:
    """Nanosecond timestamp columns cast to microseconds (other columns untouched).

    DuckDB 2.0.1 misstates the range of ``year()``/``month()`` of a nanosecond
    timestamp read from Parquet (as pandas writes it), and a grouping on that
    month then fails or returns no rows; the months need no finer clock.
    """
    casts = {
        col: table[col].cast(dt.Timestamp(timezone=kind.timezone, scale=6))
        for col, kind in table.schema().items()
        if kind.is_timestamp() and (kind.scale or 0) > 6
    }
    return table.mutate(**casts) if casts else table


def month_index(value: ir.Value) -> ir.IntegerValue:
    """A date or timestamp as an integer month: ``year * 12 + month - 1``."""
    return (value.year() * 12 + value.month() - 1).cast("int64")


def month_date(month: ir.IntegerValue) -> ir.DateValue:
    """The first day of an integer month (inverse of :func:`month_index`)."""
    return ibis.date((month // 12).cast("int32"), (month % 12 + 1).cast("int32"), 1)


def flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    """A boolean as an int64 0/1 column."""
    return ibis.ifelse(condition, 1, 0).cast("int64")


def calendar(first: int, last: int) -> ir.Table:
    """A small table of integer months ``first`` … ``last`` (one column, ``m``)."""
    months = list(range(int(first), int(last) + 1))
    return ibis.memtable(pa.table({"m": pa.array(months, type=pa.int64())}))
