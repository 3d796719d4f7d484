"""Reading the customers table (segments, acquisition and churn dates)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxvalue.errors import DataWarning
from cxvalue.ingest._columns import find_column
from cxvalue.ingest._common import (
    IngestResult,
    finish,
    parsed,
    record_ids,
    rest_columns,
    take_dates,
    take_ids,
    warn_if_sheets_alike,
)
from cxvalue.ingest._files import naming_other_sheets, read_raw
from cxvalue.ingest._tracker import Tracker
from cxvalue.ingest._typed import (
    TypedSource,
    is_date_type,
    is_id_type,
    open_parquet,
    to_pandas,
    typed_ids,
)
from cxvalue.ingest.parsing import IDS, TEXT, is_blank, text_of

DATES = ("acquired_at", "churned_at")


def read_customers(
    source: str | Path | pd.DataFrame | Sequence[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
    sheet: str | Sequence[str] | None = None,
) -> IngestResult:
    """Read a customers table: one row per customer.

    Parameters
    ----------
    source : path, list of paths or DataFrame
        CSV/TSV/TXT (optionally gzip'd), XLSX or Parquet, or a DataFrame.
        Several files (a list, or a pattern such as ``exports/*.csv``) are read as
        one table (a file per region); the ledger names each row's file.
    columns : mapping, optional
        Canonical name → the file's column (``customer_id``, ``acquired_at``,
        ``churned_at``, ``segment``).
    dayfirst : bool, optional
        How to read slash dates when the values leave it open.
    strict : bool
        Raise on any rejected row instead of recording it.
    sheet : str or list of str, optional
        The sheet of an Excel workbook to read (default: its first). A list reads
        those sheets as one table (a sheet per segment); the ledger names each row's sheet.

    Returns
    -------
    IngestResult
        ``.table``: customer_id, acquired_at and churned_at (when present,
        NaT where blank), then every other column as text (segment, size,
        region, referral_source, …; ``<NA>`` where blank). A repeated
        customer_id keeps its first row; the others are rejected.

    Warns
    -----
    DataWarning
        A repeated customer's rows differ (a CRM history, one row per change):
        the warning names the columns, since the first row may not be the one in force.
    """
    if sheet is None and (typed := open_parquet(source)) is not None:
        result = _typed_customers(typed, columns, strict)
        if result is not None:
            return result
    raw = read_raw(source, sheet=sheet)
    with naming_other_sheets(raw.sheets_passed_over):
        tracker = Tracker(raw, "customers")
        warn_if_sheets_alike(tracker, raw)
        names = list(raw.frame.columns)
        find = {"mapping": columns, "source": raw.source}
        id_col = find_column(names, "customer_id", **find)
        take_ids(tracker, id_col)
        dates = {}
        for canonical in DATES:
            column = find_column(names, canonical, **find, required=False)
            if column:
                take_dates(tracker, column, canonical, dayfirst=dayfirst, required=False)
                dates[canonical] = column
        frame = tracker.frame
        dup = frame[parsed("customer_id")].duplicated()
        if dup.any():
            carried = [parsed(c) for c in dates] + rest_columns(frame, {id_col, *dates.values()})
            repeated = frame[parsed("customer_id")].duplicated(keep=False).to_numpy()
            warn_if_repeats_differ(
                tracker.source, frame.loc[repeated, parsed("customer_id")],
                frame.loc[repeated, carried].rename(columns=_file_names(dates)),
                tracker.row_labels(frame.loc[repeated, "_row"]),
            )  # fmt: skip
        tracker.reject(dup, "duplicate customer_id (first kept)", id_col)
        frame = tracker.frame
        table = pd.DataFrame({"customer_id": frame[parsed("customer_id")].astype(IDS)})
        for canonical in dates:
            table[canonical] = frame[parsed(canonical)].astype("datetime64[ns]")
        for name in rest_columns(frame, {id_col, *dates.values()}):
            kept = name if name not in table.columns else f"{name} (file)"
            table[kept] = text_of(frame[name]).where(~is_blank(frame[name]), None).astype(TEXT)
        table = _one_spelling(tracker, _segment_named(tracker, table, columns))
        return finish(tracker, table, strict=strict)


def _typed_customers(
    typed: TypedSource, columns: Mapping[str, str] | None, strict: bool
) -> IngestResult | None:
    """The customers table from a typed Parquet file, or None when the generic lane must read it.

    Ids are checked in Arrow (:func:`typed_ids`); dates and the rest go through the
    generic steps, on typed columns. Records what :func:`read_customers` records, in order.
    """
    names, source = typed.names, typed.source
    id_col = str(find_column(names, "customer_id", mapping=columns, source=source))
    dates = {}
    for canonical in DATES:
        column = find_column(names, canonical, mapping=columns, source=source, required=False)
        if column:
            dates[canonical] = str(column)
    used = [id_col, *dates.values()]
    rest = [c for c in names if c not in used]
    if (len(set(used)) < len(used) or not is_id_type(typed.kind(id_col))
            or not all(is_date_type(typed.kind(c)) for c in dates.values())
            or not all(pa.types.is_string(typed.kind(c)) for c in rest)):  # fmt: skip
        return None
    loaded = typed.load(names)
    if loaded is None:
        return None
    n, index = len(loaded), pd.RangeIndex(len(loaded))
    ids = typed_ids(loaded.pop(id_col))
    cells = {c: to_pandas(pa.table({c: loaded.pop(c)}))[c] for c in dates.values()}
    frame = pd.DataFrame({"_row": loaded.rows, id_col: ids.raw} | cells, index=index, copy=False)
    del cells
    tracker = Tracker(loaded.raw(frame), "customers")
    del frame
    record_ids(tracker, id_col, trimmed=ids.trimmed, from_number=ids.from_number,
               lowered=ids.lowered, scientific=ids.scientific, total=ids.total,
               missing=ids.missing)  # fmt: skip
    for canonical, column in dates.items():
        take_dates(tracker, column, canonical, dayfirst=None, required=False)
    kept = None if len(tracker.frame) == n else tracker.frame.index.to_numpy()
    values = ids.ids.array if kept is None else ids.ids.array.take(kept)
    dup = _duplicated(values)
    if dup.any():
        repeated = pd.Series(values).duplicated(keep=False).to_numpy()
        frame = tracker.frame[repeated]
        at = pa.array(frame.index.to_numpy())  # positions in the file, as `loaded` has them
        carried = {column: frame[parsed(c)].to_numpy() for c, column in dates.items()}
        carried |= {c: loaded.columns[c].take(at).to_pandas() for c in rest}
        rows = tracker.row_labels(frame["_row"])
        warn_if_repeats_differ(tracker.source, pd.Series(values[repeated]),
                               pd.DataFrame(carried), rows)  # fmt: skip
        tracker.reject(pd.Series(dup, index=tracker.frame.index, copy=False),
                       "duplicate customer_id (first kept)", id_col)  # fmt: skip
        values = values[~dup]
    frame = tracker.frame
    kept = frame.index.to_numpy()
    table = pd.DataFrame({"customer_id": values}, copy=False)
    for canonical in dates:
        table[canonical] = frame[parsed(canonical)].astype("datetime64[ns]").to_numpy()
    for name in rest:
        text = to_pandas(pa.table({name: loaded.pop(name).take(pa.array(kept))}))[name]
        kept_name = name if name not in table.columns else f"{name} (file)"
        table[kept_name] = text_of(text).where(~is_blank(text), None).astype(TEXT).array
    table = _one_spelling(tracker, _segment_named(tracker, table, columns))
    return finish(tracker, table, strict=strict)


def _segment_named(
    tracker: Tracker, table: pd.DataFrame, columns: Mapping[str, str] | None
) -> pd.DataFrame:
    """The segment column under its canonical name (``Segment``, ``Kundensegment``): the
    report adjusts for ``segment`` and would otherwise say there is none."""
    names = [c for c in table.columns if c not in ("customer_id", *DATES)]
    found = find_column(names, "segment", mapping=columns, source=tracker.source,
                        required=False)  # fmt: skip
    if not found or found == "segment":
        return table
    tracker.notes.append(f"column {found!r} read as segment")
    return table.rename(columns={found: "segment", "segment": "segment (file)"})


#: Text columns with more distinct values than this (or than half their rows) are names or
#: numbers, not levels: left as they are (a control has 100 levels at most).
MOST_SPELLED_LEVELS = 100


def _one_spelling(tracker: Tracker, table: pd.DataFrame) -> pd.DataFrame:
    """Each level of a text column (segment, size, region) in one spelling: ``enterprise``
    and ``Mid  Market`` read as the commoner ``Enterprise`` and ``Mid Market``, which
    the models would otherwise take for levels of their own; the ledger says so."""
    for name in table.columns:
        if name == "customer_id" or table[name].dtype != TEXT:
            continue
        counts = table[name].value_counts()
        if len(counts) > min(MOST_SPELLED_LEVELS, len(table) / 2):
            continue
        counts = counts.sort_index().sort_values(ascending=False, kind="stable")
        keys = counts.index.str.casefold().str.split().str.join(" ")
        spellings = pd.Series(counts.index, index=keys)
        usual = spellings.groupby(level=0).first()  # the commonest (then first in order)
        to = dict(sorted((v, usual[k]) for k, v in spellings.items() if v != usual[k]))
        if to:
            shown = ", ".join(f"{v!r} as {u!r}" for v, u in list(to.items())[:3])
            more = f" and {len(to) - 3} more" if len(to) > 3 else ""
            tracker.notes.append(f"column {name!r}: {shown}{more} (one level, spelt two ways)")
            table[name] = table[name].replace(to)
    return table


def warn_if_repeats_differ(
    source: str, ids: pd.Series, carried: pd.DataFrame, rows: pd.Series | np.ndarray
) -> None:
    """Warn when a customer's repeated rows disagree: the first row kept is then a choice.

    A CRM history (one row per contract or segment change) repeats customers whose
    rows differ; keeping the first keeps the oldest state. ``ids``, ``carried`` (the
    columns carried onto the table, under the file's names) and ``rows`` (spreadsheet
    row numbers) hold every row of the repeated customers, in file order.
    """
    ids = pd.Series(ids.to_numpy(), copy=False)
    values = carried.reset_index(drop=True)
    differs = values.groupby(ids, sort=False).nunique(dropna=False) > 1
    customers = differs.any(axis=1)
    if not customers.any():
        return
    columns = [str(c) for c in differs.columns if differs[c].any()]
    first = customers.index[customers.to_numpy()][0]
    where = ", ".join(str(r) for r in np.asarray(rows)[(ids == first).to_numpy()][:5])
    n = int(customers.sum())
    who = "1 customer appears" if n == 1 else f"{n:,} customers appear"
    named = ", ".join(repr(c) for c in columns)
    warnings.warn(
        DataWarning(
            f"{source}: {who} on more than one row, and their rows differ in {named} "
            f"(customer {first}: rows {where}). The first row of each is kept. If the file is "
            "a history with a row per change, keep the row in force for each customer.",
            key="repeats_differ", source=source, n=n, columns=named, first=str(first),
            rows=where,
        ),
        stacklevel=3,
    )  # fmt: skip


def _file_names(dates: Mapping[str, str]) -> dict[str, str]:
    """Parsed date columns renamed to the file's names, for messages."""
    return {parsed(canonical): column for canonical, column in dates.items()}


def _duplicated(ids: pd.api.extensions.ExtensionArray) -> np.ndarray:
    """Repeated ids (the first kept); a file sorted by id is checked on neighbours only."""
    values = pa.chunked_array(ids._pa_array) if hasattr(ids, "_pa_array") else pa.array(ids)
    n = len(values)
    if n < 2:
        return np.zeros(n, dtype=bool)
    later = pc.greater(values.slice(1), values.slice(0, n - 1))
    if pc.all(later).as_py():
        return np.zeros(n, dtype=bool)
    return pd.Series(ids).duplicated().to_numpy()
