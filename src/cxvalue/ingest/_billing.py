"""Invoices that cover several months, spread over the months they cover.

The panel needs each customer's revenue per month. A billing extract of
quarterly or annual invoices has one row per invoice: read as monthly revenue,
a quarterly customer would earn nothing two months in three, and an annual one
would look churned eleven months a year. Spreading each invoice evenly over the
months it covers (billed in advance: the invoice's month and the ones after)
turns invoices into monthly revenue; every amount is kept, except what covers
months after the extract's last, which the ledger states.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxvalue.errors import DataWarning
from cxvalue.formatting import fmt_number
from cxvalue.ingest._tracker import Tracker
from cxvalue.ingest._typed import bools

#: The longest interval between invoices that ``billing_months="auto"`` reads as billing.
LONGEST = 12
DAY = 86_400 * 10**9  # nanoseconds
DAYS_PER_MONTH = 365.2425 / 12


def spread_invoices(
    tracker: Tracker, table: pd.DataFrame, billing_months: int | str
) -> pd.DataFrame:
    """Spread each invoice evenly over the ``billing_months`` months it covers.

    ``table`` is one row per customer and month, sorted by customer, then month.
    ``"auto"``: a customer's invoices cover the most common interval between two of
    them, up to 12 months (longer gaps are churn), when it is seen twice; other
    customers (one or two invoices) take the interval most customers have.
    A month covered by two invoices gets both shares. The ledger notes what was spread.
    """
    if billing_months == 1 or table.empty:
        return table
    later = _later_invoices(table)
    if billing_months == "auto" and not len(later):  # monthly billing: the usual extract
        return table
    starts = _starts(table["customer_id"])
    if billing_months == "auto":
        interval, single, typical = _intervals(table["period"].to_numpy(), later, starts)
    else:
        interval = np.full(len(starts), int(billing_months), dtype="int32")
        single, typical = np.zeros(len(starts), bool), int(billing_months)
    if (interval == 1).all():
        return table
    covers = np.repeat(interval, np.diff(np.append(starts, len(table))))
    month = table["period"].to_numpy().astype("datetime64[M]").astype("int64")
    not_first = np.ones(len(table), dtype=bool)
    not_first[starts] = False
    overlap = bool(np.any((np.diff(month) < covers[:-1]) & not_first[1:]))
    spread, left_out = _expand(table, month, covers, overlap)
    counts = pd.Series(interval).value_counts().sort_index()
    every = ", ".join(f"every {k} months for {_customers(n)}" for k, n in counts.items() if k > 1)
    tracker.notes.append(
        f"invoices {every}: each spread evenly over the months it covers, its month and the "
        f"ones after ({_count(len(table))} invoice months became {_count(len(spread))} "
        "customer-months)"
    )
    warnings.warn(
        DataWarning(
            f"{tracker.source}: revenue comes as invoices {every}; each is spread evenly over "
            "the months it covers, its month and the ones after, as the models need revenue "
            "per month (billing_months=1 reads every row as one month's revenue).",
            key="invoices", source=tracker.source,
            intervals={int(k): int(n) for k, n in counts.items() if k > 1},
        ),
        stacklevel=3,
    )  # fmt: skip
    if single.any() and typical > 1:
        tracker.notes.append(
            f"{_customers(single.sum())} with too few invoices to tell (no interval seen "
            f"twice): the usual interval, {typical} months"
        )
    if left_out:
        tracker.notes.append(left_out_note(left_out, str(np.datetime64(int(month.max()), "M"))))
    return spread


def left_out_note(amount: float, last: str) -> str:
    """The ledger's note on revenue that covers months after ``last``, the extract's last."""
    return (f"{fmt_number(amount, 2)[0]} of revenue covers months after {last}, the "
            "extract's last month, and is left out")  # fmt: skip


def _count(n: float) -> str:
    return fmt_number(float(n), 0)[0]


def _customers(n: float) -> str:
    return f"{_count(n)} customer{'' if n == 1 else 's'}"


def _later_invoices(table: pd.DataFrame) -> np.ndarray:
    """Rows more than a month after their customer's row before (ids compared in Arrow,
    only where the months leave a gap: on a monthly extract a few of millions)."""
    later = np.flatnonzero(np.diff(table["period"].to_numpy().view("int64")) > 31 * DAY) + 1
    ids = pa.array(table["customer_id"].array)
    same = bools(pc.equal(ids.take(pa.array(later)), ids.take(pa.array(later - 1))))
    return later[same]


def _starts(ids: pd.Series) -> np.ndarray:
    """Positions where a new customer begins (ids compared in Arrow)."""
    values = pa.array(ids.array)
    first = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        first[1:] = ~bools(pc.equal(values.slice(1), values.slice(0, len(values) - 1)))
    return np.flatnonzero(first)


def _intervals(
    periods: np.ndarray, later: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Each customer's billing interval, which customers it was not seen for, the usual one.

    A customer's interval is the most common gap between their invoices, counting gaps
    of up to :data:`LONGEST` months (longer ones are churn, not billing), when it is seen
    at least twice; ties go to the shorter. A pro-rated first invoice (Feb, then Apr, Jul,
    Oct) does not set it, and neither does one gap (Jan, Mar): customers whose interval
    is not seen twice take the one most customers have (1 in a monthly extract).
    ``later``: the rows more than a month after the customer's row before.
    """
    ns = periods.view("int64")
    rows = np.diff(np.append(starts, len(ns)))
    gap = np.rint((ns[later] - ns[later - 1]) / DAY / DAYS_PER_MONTH).astype("int64")
    customer = np.searchsorted(starts, later, side="right") - 1
    counts = np.zeros((len(starts), LONGEST + 1), dtype="int64")
    counts[:, 1] = rows - 1 - np.bincount(customer, minlength=len(starts))  # a month apart
    billing = gap <= LONGEST  # longer gaps are churn
    counts += np.bincount(customer[billing] * (LONGEST + 1) + gap[billing],
                          minlength=counts.size).reshape(counts.shape)  # fmt: skip
    single = counts.max(axis=1) < 2  # not seen twice: too few invoices to tell
    interval = counts.argmax(axis=1).astype("int32")  # the first of equal counts: the shorter
    seen = interval[~single]
    typical = int(np.bincount(seen).argmax()) if seen.size else 1
    interval[single] = typical
    return interval, single, typical


def _expand(
    table: pd.DataFrame, month: np.ndarray, covers: np.ndarray, overlap: bool
) -> tuple[pd.DataFrame, float]:
    """Each row repeated over the months it covers, its amounts shared evenly; the months
    after the extract's last are dropped (their revenue is returned). ``overlap``: some
    invoices are closer than they cover, so some months get two shares, summed here."""
    rows = np.repeat(np.arange(len(table)), covers)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(covers) - covers, covers)
    months = month[rows] + offset
    keep = months <= month.max()
    money = [c for c in table.columns if c not in ("customer_id", "period")]
    share = {c: table[c].to_numpy(float)[rows] / covers[rows] for c in money}
    left_out = float(np.nansum(share["revenue"][~keep]))
    out = pd.DataFrame(
        {"customer_id": table["customer_id"].array.take(rows[keep]),
         "period": months[keep].astype("datetime64[M]").astype("datetime64[ns]")}
        | {c: values[keep] for c, values in share.items()}
    )  # fmt: skip
    if overlap:
        out = out.groupby(["customer_id", "period"], sort=True, as_index=False)[money].sum(
            min_count=1
        )
    return out, left_out
