"""Reading revenue: long (customer, month, amount), wide (a column per month)
and subscription (customer, MRR, start, end) extracts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from cxvalue._validation import check_choice
from cxvalue.errors import InputError, ParameterError
from cxvalue.ingest._billing import DAYS_PER_MONTH, left_out_note, spread_invoices
from cxvalue.ingest._columns import find_column
from cxvalue.ingest._common import (
    AMOUNT_EXAMPLES,
    AMOUNTS,
    IngestResult,
    finish,
    note_currencies,
    parsed,
    record_amounts,
    record_dates,
    record_ids,
    rest_columns,
    take_amounts,
    take_dates,
    take_ids,
    warn_if_sheets_alike,
)
from cxvalue.ingest._files import UNNAMED, RawTable, naming_other_sheets, read_raw
from cxvalue.ingest._months import last_complete_month
from cxvalue.ingest._tracker import Tracker
from cxvalue.ingest._typed import (
    TypedSource,
    is_amount_type,
    is_date_type,
    is_id_type,
    month_neighbours,
    month_starts,
    open_parquet,
    typed_amounts,
    typed_days,
    typed_ids,
)
from cxvalue.ingest._units import in_whole_units, note_header_currencies
from cxvalue.ingest.dates import is_quarter_label, month_of_year, parse_month_label
from cxvalue.ingest.parsing import (
    IDS,
    amount_currencies,
    flag,
    is_blank,
    parse_amounts,
    text_of,
)

FORMS = ("auto", "long", "wide", "subscription", "periods")
#: The most months one revenue row may be said to cover (``billing_months``).
MOST_BILLING_MONTHS = 24
EXTRAS = ("cost", "margin")


def read_revenue(
    source: str | Path | pd.DataFrame | Sequence[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    form: str = "auto",
    strict: bool = False,
    through: str | pd.Timestamp | None = None,
    sheet: str | Sequence[str] | None = None,
    billing_months: int | str = "auto",
) -> IngestResult:
    """Read a revenue extract into the canonical revenue table.

    Parameters
    ----------
    source : path, list of paths or DataFrame
        CSV/TSV/TXT (optionally gzip'd), XLSX or Parquet, or a DataFrame.
        Several files (a list, or a pattern such as ``exports/*.csv``) are read as
        one table (a file per month); the ledger names each row's file.
    columns : mapping, optional
        Canonical name → the file's column: ``customer_id``, ``period``,
        ``revenue`` (long form; an ``MRR`` column counts as revenue), ``mrr``,
        ``start``, ``end`` (subscription form), ``cost``, ``margin``.
    dayfirst : bool, optional
        How to read slash dates when the values leave it open.
    form : {"auto", "long", "wide", "subscription", "periods"}
        ``auto`` picks subscription when MRR and start columns are found,
        long when period and revenue are, wide when two or more column
        names are months (``Jan 2025``, ``2025-02``, ``01.03.2025``), and
        periods when revenue and a service period's start and end are
        (``Period Start``/``Period End``, ``Service Start Date``,
        ``Leistungszeitraum von``/``bis``: a billing tool's invoice line items;
        ``service_start`` and ``service_end`` in ``columns``). In the
        wide form, a first column without a name holds the customers when no
        column is named as them (an accounting report's row labels). In the
        periods form, each amount is spread evenly over the months its period
        covers, from its start month on (15 January to 14 February: one month;
        a year: twelve); a row without an end is its start month's.
    strict : bool
        Raise on any rejected row instead of recording it.
    through : date, optional
        The extract's last complete month: later months are left out, and
        subscriptions without an end run through it. Default: the latest month
        in the file (for subscriptions, any starts or ends in), unless far
        fewer customers are billed in it than usual (an extract pulled
        mid-month), which is then left out; the ledger and a warning say so.
    sheet : str or list of str, optional
        The sheet of an Excel workbook to read (default: its first). A list reads
        those sheets as one table (a sheet per year); the ledger names each row's sheet.
    billing_months : int or "auto"
        How many months one row's amount covers (long and wide forms): an
        invoice is spread evenly over its month and the ``billing_months - 1``
        after, as the panel needs revenue per month. ``"auto"`` (default):
        each customer's most common interval between two invoices, up to 12
        months (longer gaps are churn), when seen twice, and for customers with
        fewer invoices the interval most customers have (1 in a monthly
        extract). 1: every row is one month's revenue.
        Revenue covering months after the extract's last is left out; the
        ledger says how much.

    Returns
    -------
    IngestResult
        ``.table``: customer_id, period (month start), revenue, plus cost and
        margin when present; one row per customer and month, sorted.
        Duplicate customer-months are summed and the ledger says so; a date
        inside a month is mapped to the month's first day (a repair). In the
        wide form a blank cell means no revenue that month (no row), and
        ``rows_read`` counts the file's rows, not its cells; likewise a
        subscription row expands to one row per month from its start month to
        its end month inclusive.
    """
    check_choice(form, FORMS, "form", "read_revenue")
    _check_billing(billing_months)
    last = _through(through)
    if form in ("auto", "long") and sheet is None and (typed := open_parquet(source)) is not None:
        result = _typed_long(typed, columns, form, strict, billing_months, last)
        if result is not None:
            return result
    raw = read_raw(source, sheet=sheet)
    with naming_other_sheets(raw.sheets_passed_over):
        tracker = Tracker(raw, "revenue")
        if form == "auto":
            form = _detect_form(list(raw.frame.columns), raw.source, columns)
            tracker.notes.append(f"read as {form} form")
        months = _month_columns(raw.frame.columns) if form == "wide" else {}
        if form == "wide":  # a sheet per year: the months differ, not the columns' kind
            warn_if_sheets_alike(tracker, raw, lambda header: len(_month_columns(header)) >= 2)
        else:
            warn_if_sheets_alike(tracker, raw)
        names = [c for c in raw.frame.columns if c not in months]
        id_col = _id_column(tracker, names, columns, form)
        take_ids(tracker, id_col)
        if form == "long":
            table, used = _long(tracker, raw, columns, dayfirst)
        elif form == "wide":
            table, used = _wide(tracker, raw, months)
        elif form == "periods":
            table, used = _periods(tracker, raw, columns, dayfirst, last)
        else:
            table, used = _subscription(tracker, raw, columns, dayfirst, last)
        rest = rest_columns(raw.frame, used | {id_col})
        currency_col = find_column(rest, "currency", mapping=columns, source=raw.source,
                                   required=False)  # fmt: skip
        if currency_col:
            note_currencies(tracker, currency_col, tracker.frame[currency_col].unique())
        unused = [c for c in rest if c != currency_col]
        if unused:
            tracker.notes.append(f"columns not used: {', '.join(map(str, unused))}")
        note_header_currencies(tracker, [c for c in raw.frame.columns if c in used])
        table = in_whole_units(tracker, _sum_duplicates(tracker, table),
                               [*map(str, used), raw.title], stacklevel=2)  # fmt: skip
        if form in ("long", "wide"):  # (an MRR is monthly, a period's amount spread already)
            table = spread_invoices(tracker, table, billing_months)
        return finish(tracker, last_complete_month(tracker, table, last), strict=strict)


def _id_column(
    tracker: Tracker, names: list[str], columns: Mapping[str, str] | None, form: str
) -> str:
    """The customer id column; in the wide form, an unnamed first column (an accounting
    report's row labels: customers, months across) when no column is named as one."""
    source = tracker.source
    found = find_column(names, "customer_id", mapping=columns, source=source, required=False)
    if found:
        return found
    if form == "wide" and names and names[0] == UNNAMED:
        tracker.notes.append("the unnamed first column read as customer_id (the row labels)")
        return names[0]
    return find_column(names, "customer_id", mapping=columns, source=source)  # raises


def _typed_long(
    typed: TypedSource,
    columns: Mapping[str, str] | None,
    form: str,
    strict: bool,
    billing_months: int | str,
    last: pd.Period | None,
) -> IngestResult | None:
    """The long form from a typed Parquet file, or None when the generic lane must read it.

    Records exactly what the generic lane (:func:`_long`) records, in the same order.
    """
    names, source = typed.names, typed.source
    notes = []
    if form == "auto":
        form = _detect_form(names, source, columns)
        if form != "long":
            return None
        notes.append(f"read as {form} form")
    find = {"mapping": columns, "source": source}
    id_col = str(find_column(names, "customer_id", **find))
    period_col = str(find_column(names, "period", **find))
    revenue_col = str(find_column(names, "revenue", **find))
    rest = [c for c in names if c not in (period_col, revenue_col)]
    extra = {name: column for name in EXTRAS
             if (column := find_column(rest, name, **find, required=False))}  # fmt: skip
    used = [id_col, period_col, revenue_col, *extra.values()]
    others = [c for c in rest if c not in used]
    currency_col = find_column(others, "currency", **find, required=False)
    # what only the generic lane reads: a status, a refunded amount, a document type
    generic = any(find_column(others, name, **find, required=False)
                  for name in ("status", "refunded", "document_type"))  # fmt: skip
    if (generic or len(set(used)) < len(used) or not is_id_type(typed.kind(id_col))
            or not is_date_type(typed.kind(period_col))
            or not all(is_amount_type(typed.kind(c)) for c in used[2:])
            or (currency_col and not pa.types.is_string(typed.kind(currency_col)))):  # fmt: skip
        return None
    loaded = typed.load([*used, currency_col] if currency_col else used)
    if loaded is None:
        return None
    currencies = loaded.pop(currency_col).unique().to_pylist() if currency_col else []
    found = typed_days(loaded.pop(period_col))
    if found is None:
        return None
    days, no_day = found
    n, index = len(loaded), pd.RangeIndex(len(loaded))
    ids = typed_ids(loaded.pop(id_col))
    money = {name: typed_amounts(loaded.pop(c)) for name, c in [("revenue", revenue_col),
                                                                *extra.items()]}  # fmt: skip
    start, day = month_starts(days, no_day)  # (days is used up)
    del days
    frame = pd.DataFrame(
        {"_row": loaded.rows, id_col: ids.raw, period_col: day}
        | {c: money[name] for name, c in [("revenue", revenue_col), *extra.items()]},
        index=index, copy=False,
    )  # fmt: skip
    tracker = Tracker(loaded.raw(frame), "revenue")
    del frame
    tracker.notes.extend(notes)
    none = pd.Series(np.zeros(n, dtype=bool), index=index, copy=False)
    record_ids(tracker, id_col, trimmed=ids.trimmed, from_number=ids.from_number,
               lowered=ids.lowered, scientific=ids.scientific, total=ids.total,
               missing=ids.missing)  # fmt: skip
    record_dates(tracker, period_col, "period", unreadable=none,
                 blank=pd.Series(no_day, index, copy=False), required=True,
                 months=True)  # fmt: skip
    for name, column in [("revenue", revenue_col), *extra.items()]:
        record_amounts(tracker, column, name, sep=".", other_way=none, unreadable=none,
                       blank=pd.Series(np.isnan(money[name]), index, copy=False),
                       required=name == "revenue", canonical=None)  # fmt: skip
    del no_day
    inside = pd.Series(start != day, index, copy=False)  # (NaT rows are rejected already)
    del day
    tracker.repair(inside, "dates inside a month mapped to the month's first day",
                   period_col)  # fmt: skip
    del inside
    kept = None if len(tracker.frame) == n else tracker.frame.index.to_numpy()

    def pick(values: np.ndarray) -> np.ndarray:
        return values if kept is None else values[kept]

    table = pd.DataFrame(
        {"_row": pick(loaded.rows),
         "customer_id": ids.ids.array if kept is None else ids.ids.array.take(kept),
         "period": pick(start)} | {name: pick(values) for name, values in money.items()},
        copy=False,
    )  # fmt: skip
    del ids, money, start
    if currency_col:
        note_currencies(tracker, currency_col, currencies)
    unused = [c for c in names if c not in used and c != currency_col]
    if unused:
        tracker.notes.append(f"columns not used: {', '.join(map(str, unused))}")
    note_header_currencies(tracker, [c for c in names if c in used[1:]])
    table = in_whole_units(tracker, _sum_duplicates(tracker, table), used, stacklevel=3)
    table = spread_invoices(tracker, table, billing_months)
    return finish(tracker, last_complete_month(tracker, table, last), strict=strict)


def _check_billing(billing_months: object) -> None:
    whole = isinstance(billing_months, int) and not isinstance(billing_months, bool)
    if billing_months != "auto" and not (whole and 1 <= billing_months <= MOST_BILLING_MONTHS):
        raise ParameterError(
            "The 'billing_months' parameter of read_revenue() must be \"auto\" or a whole "
            f"number of months from 1 to {MOST_BILLING_MONTHS}. Got {billing_months!r} instead."
        )


def _through(through: str | pd.Timestamp | None) -> pd.Period | None:
    if through is None:
        return None
    try:
        return pd.Timestamp(through).to_period("M")
    except (TypeError, ValueError):
        raise ParameterError(
            f"The 'through' parameter of read_revenue() must be a date such as '2025-12-31'. "
            f"Got {through!r} instead."
        ) from None


def _month_columns(names: Iterable[str]) -> dict[str, pd.Timestamp]:
    months = {c: parse_month_label(c) for c in names if c != "_row"}
    return {c: m for c, m in months.items() if m is not None}


def _detect_form(names: list[str], source: str, columns: Mapping[str, str] | None) -> str:
    kw = {"mapping": columns, "source": source, "required": False}
    if find_column(names, "mrr", **kw) and find_column(names, "start", **kw):
        return "subscription"
    if len(_month_columns(names)) >= 2 and not (columns or {}).get("period"):
        return "wide"
    if find_column(names, "period", **kw) and find_column(names, "revenue", **kw):
        return "long"
    if all(find_column(names, c, **kw) for c in ("service_start", "service_end", "revenue")):
        return "periods"
    shown = [c for c in names if c != "_row"]
    raise InputError(
        f"{source}: cannot tell the revenue layout. Found: {', '.join(shown)}. "
        "Expected customer, period and revenue columns (long), one column per month (wide), "
        "customer, MRR, start and end (subscription), or customer, amount and a service "
        "period's start and end (periods). Pass form= and columns= to say which.",
        source=source,
    )


def _other_column(
    raw: RawTable, columns: Mapping[str, str] | None, taken: set, canonical: str
) -> str | None:
    """The file's column for ``canonical`` among those not ``taken``; None when none is."""
    names = [c for c in raw.frame.columns if c not in taken]
    return find_column(names, canonical, mapping=columns, source=raw.source, required=False)


def _extras(
    tracker: Tracker, raw: RawTable, columns: Mapping[str, str] | None, taken: set
) -> dict[str, str]:
    """Cost and margin columns, when there are any: canonical name → the file's column."""
    found = {}
    for name in EXTRAS:
        column = _other_column(raw, columns, taken, name)
        if column:
            take_amounts(tracker, column, name, delimiter=raw.delimiter, required=False)
            found[name] = column
    return found


def _long(tracker: Tracker, raw: RawTable, columns, dayfirst) -> tuple[pd.DataFrame, set]:
    names = list(raw.frame.columns)
    period_col = find_column(names, "period", mapping=columns, source=raw.source)
    revenue_col = find_column(names, "revenue", mapping=columns, source=raw.source)
    year_col = _with_year(tracker, [c for c in names if c != revenue_col], columns, period_col)
    take_dates(tracker, period_col, "period", dayfirst=dayfirst, months=True)
    take_amounts(tracker, revenue_col, "revenue", delimiter=raw.delimiter)
    taken = {period_col, revenue_col, year_col}
    extra = _extras(tracker, raw, columns, taken)
    taken |= set(extra.values())
    taken |= _what_is_revenue(tracker, raw, columns, taken)
    frame = tracker.frame
    period = frame[parsed("period")]
    inside = pd.Series(month_start(period.to_numpy()) != period.to_numpy(), index=frame.index)
    tracker.repair(inside, "dates inside a month mapped to the month's first day",
                   period_col)  # fmt: skip
    table = pd.DataFrame(
        {"_row": frame["_row"], "customer_id": frame[parsed("customer_id")],
         "period": pd.Series(month_start(period.to_numpy()), index=frame.index),
         "revenue": frame[parsed("revenue")]}
        | {name: frame[parsed(name)] for name in extra}
    )  # fmt: skip
    return table, taken - {None}


def _what_is_revenue(
    tracker: Tracker, raw: RawTable, columns: Mapping[str, str] | None, taken: set
) -> set:
    """Refunds taken off, credit notes made negative, rows whose status is not revenue
    rejected (each when its column is there); the columns that did so."""
    refund_col = _net_of_refunds(tracker, raw, columns, taken)
    type_col = _credits_negative(tracker, raw, columns, taken | {refund_col})
    status_col = _reject_by_status(tracker, raw, columns, taken | {refund_col, type_col})
    return {refund_col, type_col, status_col} - {None}


def _with_year(
    tracker: Tracker, names: list[str], columns: Mapping[str, str] | None, period_col: str
) -> str | None:
    """Read a year column and a period column of months without their year (a finance
    extract's ``Jahr;Monat``: 1-12 or Jan-Dec) as one month, written into the period
    column (``2025-03``); the year column, or None when there is none to read so."""
    others = [c for c in names if c != period_col]
    year_col = find_column(others, "year", mapping=columns, source=tracker.source,
                           required=False)  # fmt: skip
    if not year_col:
        return None
    month = month_of_year(tracker.frame[period_col])
    year = pd.to_numeric(text_of(tracker.frame[year_col]), errors="coerce")
    years = year.dropna()
    if month is None or years.empty or not (years.between(1900, 2200) & (years % 1 == 0)).all():
        return None
    known = year.notna() & month.notna()
    text = (year.where(known, 0).astype("int64").astype(str) + "-"
            + month.where(known, 0).astype("int64").astype(str).str.zfill(2))  # fmt: skip
    tracker.frame = tracker.frame.assign(**{period_col: text.where(known, "")})
    tracker.notes.append(f"columns {year_col!r} and {period_col!r} read as one month")
    return year_col


def _net_of_refunds(
    tracker: Tracker, raw: RawTable, columns: Mapping[str, str] | None, taken: set
) -> str | None:
    """Take a refunded amount column (a payments export's ``Amount Refunded``) off the
    revenue, a blank refund counting 0; the column, when there is one."""
    column = _other_column(raw, columns, taken, "refunded")
    if not column:
        return None
    take_amounts(tracker, column, "refunded", delimiter=raw.delimiter, required=False)
    revenue, refunded = tracker.frame[parsed("revenue")], tracker.frame[parsed("refunded")]
    tracker.put(parsed("revenue"), revenue - refunded.fillna(0.0))
    tracker.notes.append(f"revenue net of refunds (column {column!r})")
    return column


#: A document type that says the amount is a credit: revenue given back.
CREDIT_NOTES = frozenset({"credit note", "credit memo", "credit", "gutschrift",
                          "rechnungskorrektur"})  # fmt: skip


def _credits_negative(
    tracker: Tracker, raw: RawTable, columns: Mapping[str, str] | None, taken: set
) -> str | None:
    """Count the amounts a document type column calls credit notes (an ERP's Belegart
    "Gutschrift") as negative revenue, whichever sign they are written with; the column,
    when it has any."""
    column = _other_column(raw, columns, taken, "document_type")
    if not column:
        return None
    credit = flag(text_of(tracker.frame[column]).str.casefold().isin(CREDIT_NOTES))
    if not credit.any():
        return None
    revenue = tracker.frame[parsed("revenue")]
    tracker.repair(credit & (revenue > 0), "credit notes written as positive amounts counted "
                   "as negative revenue", column)  # fmt: skip
    tracker.put(parsed("revenue"), revenue.where(~credit, -revenue.abs()))
    return column


#: An invoice's, an order's or a payment's status that says its amount is not revenue.
NOT_REVENUE = frozenset({"void", "voided", "draft", "deleted", "cancelled", "canceled",
                         "storniert", "storno", "entwurf", "gelöscht", "closed lost", "lost",
                         "verloren", "failed", "fehlgeschlagen", "refunded", "erstattet",
                         "uncaptured"})  # fmt: skip
#: An opportunity's stage that says it is revenue: where a stage column has it, no other does.
WON = frozenset({"closed won", "won", "gewonnen"})
#: A subscription's status that says it has not started (a scheduled one): its start, in
#: the months to come, would move the extract's last month there.
NOT_STARTED = frozenset({"future", "scheduled", "not started", "not_started", "geplant"})
#: A subscription's state in a month (an MRR table's status column), not an invoice's: beside
#: these, "cancelled" is a subscription cancelled that month, whose month is still billed.
SUBSCRIPTION_STATES = frozenset({"active", "aktiv", "in_trial", "trialing", "non_renewing",
                                 "paused", "pausiert", "past_due", "live"})  # fmt: skip
CANCELLED = frozenset({"cancelled", "canceled", "gekündigt"})


def _reject_by_status(
    tracker: Tracker,
    raw: RawTable,
    columns: Mapping[str, str] | None,
    taken: set,
    refused: frozenset[str] = NOT_REVENUE,
    why: str = "not revenue",
) -> str | None:
    """Reject the rows a status or stage column says are not revenue (a void or draft
    invoice, a lost or open opportunity; ``refused`` says which, ``why`` says so in the
    ledger); the column, when it rejected any. Where the column holds a subscription's
    states (an MRR table's active, paused, cancelled), a cancelled month is revenue."""
    column = _other_column(raw, columns, taken, "status")
    if not column:
        return None
    status = text_of(tracker.frame[column]).str.strip().str.casefold()
    won = status.isin(WON)
    if won.any():
        rejecting, what = ~won & status.ne(""), "not won"
    else:
        if refused & CANCELLED and status.isin(SUBSCRIPTION_STATES).any():
            refused = refused - CANCELLED
            tracker.notes.append(f"column {column!r} holds a subscription's state in each "
                                 "month: a cancelled subscription's month is revenue")  # fmt: skip
        rejecting, what = status.isin(refused), why
    if not rejecting.any():
        return None
    for value in sorted(status[rejecting].unique()):
        tracker.reject(status.eq(value), f"{what} ({column} {value!r})", column)
    return column


def _wide(
    tracker: Tracker, raw: RawTable, months: dict[str, pd.Timestamp]
) -> tuple[pd.DataFrame, set]:
    used = set(months)
    months = _without_subtotals(tracker, months)
    cells = {}
    for column in months:
        values, _, _ = parse_amounts(tracker.frame[column], raw.delimiter)
        tracker.currencies.update(amount_currencies(tracker.frame[column]))
        bad = values.isna() & ~is_blank(tracker.frame[column])
        tracker.reject(bad, f"revenue not a number in column {column!r}", column,
                       failing=AMOUNTS, expected=AMOUNT_EXAMPLES, canonical="revenue")  # fmt: skip
        cells[column] = values
    frame = tracker.frame
    quarters = [c for c in months if is_quarter_label(c)]
    if not quarters:
        tracker.notes.append(f"{len(months)} month columns; a blank cell means no revenue that "
                             "month")  # fmt: skip
    else:
        kind = "quarter" if len(quarters) == len(months) else "month and quarter"
        tracker.notes.append(f"{len(months)} {kind} columns, a quarter's revenue spread "
                             "evenly over its three months; a blank cell means no revenue "
                             "then")  # fmt: skip
    parts = []
    for column, month in months.items():
        covers = 3 if column in quarters else 1
        for k in range(covers):
            parts.append(pd.DataFrame({
                "_row": frame["_row"], "customer_id": frame[parsed("customer_id")],
                "period": month + pd.DateOffset(months=k),
                "revenue": cells[column].loc[frame.index] / covers,
            }))  # fmt: skip
    long = pd.concat(parts, ignore_index=True).dropna(subset=["revenue"])
    return long, used


def _without_subtotals(
    tracker: Tracker, months: dict[str, pd.Timestamp]
) -> dict[str, pd.Timestamp]:
    """The month columns without the quarter columns that subtotal months with columns of
    their own (Jan, Feb, Mar, Q1, Apr, …, as finance sheets have them): read as well,
    those months' revenue counted twice."""
    singles = {m for c, m in months.items() if not is_quarter_label(c)}
    subtotals = [c for c, m in months.items() if is_quarter_label(c)
                 and any(m + pd.DateOffset(months=k) in singles for k in range(3))]  # fmt: skip
    if subtotals:
        tracker.notes.append(f"quarter columns {', '.join(subtotals)} left out as subtotals: "
                             "their months have columns of their own")  # fmt: skip
    return {c: m for c, m in months.items() if c not in subtotals}


def _subscription(
    tracker: Tracker, raw: RawTable, columns, dayfirst, last
) -> tuple[pd.DataFrame, set]:
    names = list(raw.frame.columns)
    mrr_col = find_column(names, "mrr", mapping=columns, source=raw.source)
    start_col = find_column(names, "start", mapping=columns, source=raw.source)
    end_col = find_column(names, "end", mapping=columns, source=raw.source, required=False)
    take_amounts(tracker, mrr_col, "revenue", delimiter=raw.delimiter, canonical="mrr")
    take_dates(tracker, start_col, "start", dayfirst=dayfirst)
    if end_col:
        take_dates(tracker, end_col, "end", dayfirst=dayfirst, required=False)
    used = {mrr_col, start_col, end_col}
    status_col = _reject_by_status(tracker, raw, columns, used, NOT_STARTED, "not started")
    used |= {status_col} - {None}
    frame = tracker.frame
    if frame.empty:
        return _empty_table(), used
    start = _month_number(frame[parsed("start")])
    end = _month_number(frame[parsed("end")]) if end_col else pd.Series(np.nan, frame.index)
    tracker.reject(end < start, "subscription ends before it starts", end_col)
    if last is None:
        last_n = int(np.nanmax(np.concatenate([start.to_numpy(), end.to_numpy()])))
    else:
        last_n = last.year * 12 + last.month - 1
    open_ended = end.isna().loc[tracker.frame.index]
    tracker.reject(open_ended & (start > last_n), "subscription starts after through=", start_col)
    tracker.notes.append(f"open-ended subscriptions run through {_month_label(last_n)}")
    frame = tracker.frame
    if frame.empty:
        return _empty_table(), used
    first, final = start.loc[frame.index], end.loc[frame.index].fillna(last_n)
    count = (final - first + 1).astype("int64").to_numpy()
    return _months_of(frame, first.to_numpy().astype("int64"), count,
                      frame[parsed("revenue")].to_numpy()), used  # fmt: skip


def _periods(tracker: Tracker, raw: RawTable, columns, dayfirst, last) -> tuple[pd.DataFrame, set]:
    """Amounts for service periods (invoice line items), each spread evenly over the months
    its period covers from its start month on: its length in days over a month's, rounded,
    at least one (an end on the period's last day or the next one's first reads alike)."""
    names = list(raw.frame.columns)
    find = {"mapping": columns, "source": raw.source}
    revenue_col = find_column(names, "revenue", **find)
    start_col = find_column(names, "service_start", **find)
    end_col = find_column(names, "service_end", **find)
    take_amounts(tracker, revenue_col, "revenue", delimiter=raw.delimiter)
    take_dates(tracker, start_col, "start", dayfirst=dayfirst)
    take_dates(tracker, end_col, "end", dayfirst=dayfirst, required=False)
    used = {revenue_col, start_col, end_col}
    used |= _what_is_revenue(tracker, raw, columns, used)
    frame = tracker.frame
    tracker.reject(frame[parsed("end")] < frame[parsed("start")],
                   "service period ends before it starts", end_col)  # fmt: skip
    frame = tracker.frame
    if frame.empty:
        return _empty_table(), used
    start, end = frame[parsed("start")], frame[parsed("end")]
    tracker.repair(end.isna(), "no service period end: the amount is its start month's", end_col)
    days = (end - start).dt.days.to_numpy(dtype="float64", na_value=0.0)
    count = np.maximum(1, np.rint(days / DAYS_PER_MONTH)).astype("int64")
    first = _month_number(start).to_numpy().astype("int64")
    table = _months_of(frame, first, count, frame[parsed("revenue")].to_numpy() / count)
    last_n = int(first.max()) if last is None else last.year * 12 + last.month - 1
    after = _month_number(table["period"]).to_numpy() > last_n
    tracker.notes.append(
        f"service periods spread evenly over the months they cover ({len(frame):,} rows "
        f"became {int((~after).sum()):,} customer-months)"
    )
    if after.any():
        left_out = float(table["revenue"][after].sum())
        tracker.notes.append(left_out_note(left_out, _month_label(last_n)))
    return table[~after].reset_index(drop=True), used


def _months_of(
    frame: pd.DataFrame, first: np.ndarray, count: np.ndarray, revenue: np.ndarray
) -> pd.DataFrame:
    """Each row of ``frame`` over ``count`` months from month number ``first``, with its
    ``revenue`` in each (spreadsheet row and customer carried)."""
    rows = np.repeat(np.arange(len(frame)), count)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    month = first[rows] + offset
    periods = pd.to_datetime(pd.DataFrame({"year": month // 12, "month": month % 12 + 1, "day": 1}))
    return pd.DataFrame(
        {"_row": frame["_row"].to_numpy()[rows],
         "customer_id": frame[parsed("customer_id")].to_numpy()[rows],
         "period": periods.to_numpy(), "revenue": revenue[rows]}
    )  # fmt: skip


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({"_row": pd.Series(dtype="int64"), "customer_id": pd.Series(dtype=IDS),
                         "period": pd.Series(dtype="datetime64[ns]"),
                         "revenue": pd.Series(dtype="float64")})  # fmt: skip


def month_start(dates: np.ndarray) -> np.ndarray:
    """datetime64[ns] values → the first day of their month (NaT stays NaT)."""
    return dates.astype("datetime64[M]").astype("datetime64[ns]")


def _month_number(dates: pd.Series) -> pd.Series:
    """Months since year 0 (float, NaN for NaT): 2025-03 → 2025 * 12 + 2."""
    return (dates.dt.year * 12 + dates.dt.month - 1).astype("float64")


def _month_label(n: int) -> str:
    return f"{n // 12}-{n % 12 + 1:02d}"


def _sum_duplicates(tracker: Tracker, table: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and month, sorted: duplicates summed, and the ledger says so.

    The usual extract is sorted already; that is checked on neighbouring rows (Arrow
    compares the ids in C) without factorizing millions of ids.
    """
    wanted = {"customer_id": IDS, "revenue": np.dtype("float64"),
              "period": np.dtype("datetime64[ns]")}  # fmt: skip
    changed = {c: t for c, t in wanted.items() if table[c].dtype != t}
    table = table.astype(changed) if changed else table
    month = table["period"].to_numpy().view("int64")  # month starts: one number per month
    same, ordered = month_neighbours(table["customer_id"], month)
    money = [c for c in table.columns if c not in ("_row", "customer_id", "period")]
    if ordered:  # duplicates are neighbours; groups numbered in order (when there are any)
        dup = np.zeros(len(month), dtype=bool)
        dup[1:] |= same
        dup[:-1] |= same
        key = np.concatenate([[0], np.cumsum(~same)]) if dup.any() else None
    else:
        ids, _ = pd.factorize(table["customer_id"], sort=True)
        months, month_code = np.unique(month, return_inverse=True)
        key = ids.astype("int64") * len(months) + month_code
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if dup.any():
        tracker.repair(np.unique(table.loc[dup, "_row"]).tolist(),
                       "summed duplicate customer-months")  # fmt: skip
        groups = table.groupby(pd.Series(key, index=table.index), sort=True)
        table = groups[["customer_id", "period"]].first().join(groups[money].sum(min_count=1))
        return table[["customer_id", "period", *money]].reset_index(drop=True)
    if not ordered:
        table = table.iloc[np.argsort(key, kind="stable")]
    if isinstance(table.index, pd.RangeIndex) and table.index.start == 0:  # columns, no copy
        return pd.DataFrame({c: table[c].array for c in ["customer_id", "period", *money]},
                            copy=False)  # fmt: skip
    return table[["customer_id", "period", *money]].reset_index(drop=True)
