"""Reading revenue: long (customer, month, amount), wide (a column per month)
and subscription (customer, MRR, start, end) extracts."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from cxvalue._validation import check_choice
from cxvalue.errors import InputError
from cxvalue.ingest._columns import find_column
from cxvalue.ingest._common import IngestResult, finish, new_tracker, take_dates, take_ids
from cxvalue.ingest._files import RawTable, read_raw
from cxvalue.ingest.ledger import Tracker
from cxvalue.ingest.parsing import is_blank, parse_amounts, parse_month_label

FORMS = ("auto", "long", "wide", "subscription")


def read_revenue(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    form: str = "auto",
    strict: bool = False,
    through: str | pd.Timestamp | None = None,
) -> IngestResult:
    """Read a revenue extract into the canonical revenue table.

    Parameters
    ----------
    source : path or DataFrame
    columns : mapping, optional
        Canonical name → the file's column (``customer_id``, ``period``,
        ``revenue``; for subscriptions ``mrr``, ``start``, ``end``).
    dayfirst : bool, optional
        How to read slash dates when the values leave it open.
    form : {"auto", "long", "wide", "subscription"}
        ``auto`` picks subscription when MRR, start and end columns are
        found, long when period and revenue are, wide when two or more
        column names are months.
    strict : bool
        Raise on any rejected row instead of recording it.
    through : date, optional
        Subscriptions without an end run through this month (default: the
        latest month any subscription in the file starts or ends).

    Returns
    -------
    IngestResult
        ``.table``: customer_id, period (month start), revenue, plus cost or
        margin columns when present; one row per customer and month
        (duplicates summed, and the ledger says so).
    """
    check_choice(form, FORMS, "form", "read_revenue")
    raw = read_raw(source)
    tracker = new_tracker(raw, "revenue")
    if form == "auto":
        form = _detect_form(raw, columns)
        tracker.notes.append(f"read as {form} form")
    id_col = find_column(list(raw.frame.columns), "customer_id", mapping=columns, source=raw.source)
    take_ids(tracker, id_col)
    if form == "long":
        table = _long(tracker, raw, columns, dayfirst)
    elif form == "wide":
        table = _wide(tracker, raw, id_col)
    else:
        table = _subscription(tracker, raw, columns, dayfirst, through)
    return finish(tracker, _sum_duplicates(tracker, table), strict=strict, vendor=raw.vendor)


def _month_columns(raw: RawTable) -> dict[str, pd.Timestamp]:
    months = {c: parse_month_label(c) for c in raw.frame.columns if c != "_row"}
    return {c: m for c, m in months.items() if m is not None}


def _detect_form(raw: RawTable, columns: Mapping[str, str] | None) -> str:
    names = list(raw.frame.columns)
    kw = {"mapping": columns, "source": raw.source, "required": False}
    if find_column(names, "mrr", **kw) and find_column(names, "start", **kw):
        return "subscription"
    if find_column(names, "period", **kw) and find_column(names, "revenue", **kw):
        return "long"
    if len(_month_columns(raw)) >= 2:
        return "wide"
    raise InputError(
        f"{raw.source}: cannot tell the revenue layout. Found: {', '.join(names[:-1])}. "
        "Expected customer, period and revenue columns (long), one column per month (wide), "
        "or customer, MRR, start and end (subscription). Pass form= and columns= to say which.",
        source=raw.source,
    )


def _amounts(tracker: Tracker, raw: RawTable, column: str, target: str) -> None:
    values, sep = parse_amounts(tracker.frame[column], raw.delimiter)
    blank = is_blank(tracker.frame[column])
    tracker.frame = tracker.frame.assign(**{target: values})
    tracker.reject(values.isna() & ~blank, f"{target} not a number", column)
    tracker.reject(blank, f"no {target} (blank)", column)
    tracker.notes.append(f"column {column!r}: decimal {'comma' if sep == ',' else 'point'}")


def _extra_money(tracker: Tracker, raw: RawTable, columns: Mapping[str, str] | None) -> list[str]:
    names = [c for c in ("cost", "margin") if c in raw.frame.columns or (columns or {}).get(c)]
    for name in names:
        column = (columns or {}).get(name, name)
        values, _ = parse_amounts(tracker.frame[column], raw.delimiter)
        tracker.frame = tracker.frame.assign(**{name: values})
    return names


def _long(tracker, raw, columns, dayfirst) -> pd.DataFrame:
    names = list(raw.frame.columns)
    period_col = find_column(names, "period", mapping=columns, source=raw.source)
    revenue_col = find_column(names, "revenue", mapping=columns, source=raw.source)
    take_dates(tracker, period_col, "period", dayfirst=dayfirst)
    _amounts(tracker, raw, revenue_col, "revenue")
    extra = _extra_money(tracker, raw, columns)
    frame = tracker.frame
    mid_month = frame["period"].dt.day.ne(1)
    tracker.repair(mid_month, "dates inside a month mapped to the month's first day")
    period = frame["period"].dt.to_period("M").dt.to_timestamp()
    return pd.DataFrame(
        {"_row": frame["_row"], "customer_id": frame["customer_id"], "period": period,
         "revenue": frame["revenue"]}
        | {name: frame[name] for name in extra}
    )


def _wide(tracker: Tracker, raw: RawTable, id_col: str) -> pd.DataFrame:
    months = _month_columns(raw)
    parsed = {}
    bad = pd.Series(False, index=tracker.frame.index)
    for column in months:
        values, _ = parse_amounts(tracker.frame[column], raw.delimiter)
        parsed[column] = values
        bad |= values.isna() & ~is_blank(tracker.frame[column])
    tracker.reject(bad, "revenue not a number in a month column")
    keep = tracker.frame.index
    long = pd.DataFrame(
        {"_row": tracker.frame["_row"], "customer_id": tracker.frame["customer_id"]}
        | {months[c]: parsed[c].loc[keep] for c in months}
    ).melt(id_vars=["_row", "customer_id"], var_name="period", value_name="revenue")
    tracker.notes.append(f"{len(months)} month columns; blank cells mean no revenue that month")
    long = long.dropna(subset=["revenue"])
    long["period"] = pd.to_datetime(long["period"])
    return long


def _subscription(tracker, raw, columns, dayfirst, through) -> pd.DataFrame:
    names = list(raw.frame.columns)
    mrr_col = find_column(names, "mrr", mapping=columns, source=raw.source)
    start_col = find_column(names, "start", mapping=columns, source=raw.source)
    end_col = find_column(names, "end", mapping=columns, source=raw.source, required=False)
    _amounts(tracker, raw, mrr_col, "revenue")
    take_dates(tracker, start_col, "start", dayfirst=dayfirst)
    if end_col:
        take_dates(tracker, end_col, "end", dayfirst=dayfirst, required=False)
    frame = tracker.frame
    start = frame["start"].dt.to_period("M")
    end = frame["end"].dt.to_period("M") if end_col else pd.Series(pd.NaT, index=frame.index)
    last = pd.Timestamp(through).to_period("M") if through else pd.concat([start, end]).max()
    tracker.reject(end.notna() & (end < start), "subscription ends before it starts", end_col)
    keep = tracker.frame.index
    end = end.loc[keep].fillna(last)
    start = start.loc[keep]
    tracker.notes.append(f"open subscriptions run through {last}")
    n = (end - start).map(lambda d: d.n + 1).astype(int)
    rep = tracker.frame.loc[keep].index.repeat(n)
    offsets = pd.Series(range(len(rep))) - pd.Series(n.cumsum().to_numpy() - n.to_numpy()).repeat(
        n.to_numpy()
    ).reset_index(drop=True)
    periods = (start.loc[rep].reset_index(drop=True) + offsets).dt.to_timestamp()
    return pd.DataFrame(
        {
            "_row": tracker.frame.loc[rep, "_row"].to_numpy(),
            "customer_id": tracker.frame.loc[rep, "customer_id"].to_numpy(),
            "period": periods.to_numpy(),
            "revenue": tracker.frame.loc[rep, "revenue"].to_numpy(),
        }
    ).astype({"customer_id": "string"})


def _sum_duplicates(tracker: Tracker, table: pd.DataFrame) -> pd.DataFrame:
    table = table.astype({"customer_id": "string", "revenue": "float64"})
    dup = table.duplicated(["customer_id", "period"], keep=False)
    tracker.repair(sorted(set(table.loc[dup, "_row"])), "summed duplicate customer-months")
    table = table.drop(columns="_row")
    if dup.any():
        table = table.groupby(["customer_id", "period"], as_index=False, sort=False).sum()
    return table.sort_values(["customer_id", "period"], kind="stable").reset_index(drop=True)
