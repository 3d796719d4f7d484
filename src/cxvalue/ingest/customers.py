"""Reading the customers table (segments, acquisition and churn dates)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from cxvalue.ingest._columns import find_column
from cxvalue.ingest._common import IngestResult, finish, parsed, rest_columns, take_dates, take_ids
from cxvalue.ingest._files import read_raw
from cxvalue.ingest._tracker import Tracker
from cxvalue.ingest.parsing import IDS, is_blank, text_of

DATES = ("acquired_at", "churned_at")


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
        CSV/TSV/TXT (optionally gzip'd), XLSX or Parquet, or a DataFrame.
    columns : mapping, optional
        Canonical name → the file's column (``customer_id``, ``acquired_at``,
        ``churned_at``).
    dayfirst : bool, optional
        How to read slash dates when the values leave it open.
    strict : bool
        Raise on any rejected row instead of recording it.

    Returns
    -------
    IngestResult
        ``.table``: customer_id, acquired_at and churned_at (when present,
        NaT where blank), then every other column as text (segment, size,
        region, referral_source, …; ``<NA>`` where blank). A repeated
        customer_id keeps its first row; the others are rejected.
    """
    raw = read_raw(source)
    tracker = Tracker(raw, "customers")
    names = list(raw.frame.columns)
    id_col = find_column(names, "customer_id", mapping=columns, source=raw.source)
    take_ids(tracker, id_col)
    dates = {}
    for canonical in DATES:
        column = find_column(names, canonical, mapping=columns, source=raw.source, required=False)
        if column:
            take_dates(tracker, column, canonical, dayfirst=dayfirst, required=False)
            dates[canonical] = column
    dup = tracker.frame[parsed("customer_id")].duplicated()
    tracker.reject(dup, "duplicate customer_id (first kept)", id_col)
    frame = tracker.frame
    table = pd.DataFrame({"customer_id": frame[parsed("customer_id")].astype(IDS)})
    for canonical in dates:
        table[canonical] = frame[parsed(canonical)].astype("datetime64[ns]")
    for name in rest_columns(frame, {id_col, *dates.values()}):
        kept = name if name not in table.columns else f"{name} (file)"
        table[kept] = text_of(frame[name]).where(~is_blank(frame[name]), None).astype("string")
    return finish(tracker, table, strict=strict)
