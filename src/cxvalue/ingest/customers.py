"""Reading the customers table (segments, acquisition and churn dates)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from cxvalue.ingest._columns import find_column
from cxvalue.ingest._common import IngestResult, finish, new_tracker, rest_columns, take_dates, take_ids
from cxvalue.ingest._files import read_raw
from cxvalue.ingest.parsing import is_blank


def read_customers(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
) -> IngestResult:
    """Read a customers table: one row per customer.

    Parameters
    ----------
    source : path or DataFrame
    columns : mapping, optional
        Canonical name → the file's column (``customer_id``, ``acquired_at``,
        ``churned_at``).
    dayfirst : bool, optional
    strict : bool

    Returns
    -------
    IngestResult
        ``.table``: customer_id, acquired_at and churned_at (when present,
        NaT where blank), then every other column as text (segment, size,
        region, referral_source, …). A repeated customer_id keeps its first row.
    """
    raw = read_raw(source)
    tracker = new_tracker(raw, "customers")
    names = list(raw.frame.columns)
    id_col = find_column(names, "customer_id", mapping=columns, source=raw.source)
    take_ids(tracker, id_col)
    out = {"customer_id": id_col}
    for canonical in ("acquired_at", "churned_at"):
        column = find_column(names, canonical, mapping=columns, source=raw.source, required=False)
        if column:
            take_dates(tracker, column, canonical, dayfirst=dayfirst, required=False)
            out[canonical] = column
    dup = tracker.frame["customer_id"].duplicated()
    tracker.reject(dup, "duplicate customer_id (first kept)", id_col)
    frame = tracker.frame
    table = frame[[c for c in out]].copy()
    for name in rest_columns(frame, set(out.values()) | set(out)):
        text = frame[name].astype("string").str.strip()
        table[name] = text.where(~is_blank(frame[name]), pd.NA)
    return finish(tracker, table, strict=strict, vendor=raw.vendor)
