"""Churn and acquisition dates that the revenue contradicts.

A CRM export's ``churned_at`` is sometimes a contract's end date: a customer
who renewed keeps billing after it. The panel takes ``churned_at`` as the
churn and keeps the later revenue on rows that are no longer at risk, so such
customers leave today's base and the money shrinks (on the sample with 30% of
today's customers given a past date, a point valued at €310,000 instead of
€482,000). A warning names how many bill well after their date; another, how many
bill well before their ``acquired_at``.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left, bisect_right

import numpy as np
import pandas as pd
import pyarrow as pa

from cxvalue._id_match import DRAWN, SortedColumn
from cxvalue.errors import DataWarning

#: Months of revenue after a churn date that a final invoice or a credit note may explain.
GRACE_MONTHS = 3
#: Share of dated customers billing after the grace that makes the warning.
MANY = 0.05


def check_churn_dates(
    revenue: pd.DataFrame, customers: pd.DataFrame, names: dict[str, str], seed: int = 0
) -> None:
    """Warn when many customers with a ``churned_at`` bill more than :data:`GRACE_MONTHS`
    months after it.

    Parameters
    ----------
    revenue : pandas.DataFrame
        Canonical revenue, sorted by customer, then month (as ``read_revenue`` gives it).
    customers : pandas.DataFrame
        The canonical customers table.
    names : dict
        The file of each table, for the message.
    seed : int
        Seed of the draw: with more than :data:`DRAWN` dated customers, that many are
        looked up (by bisection in the sorted revenue).
    """
    after, total = _months_beyond(revenue, customers, "churned_at", seed)
    late = after > GRACE_MONTHS
    if late.sum() < max(1, MANY * len(after)):
        return
    median = int(after[late].median())
    warnings.warn(
        DataWarning(
            f"{names['customers']}: {_how_many(late, total, 'churned_at')} have revenue in "
            f"{names['revenue']} more than {GRACE_MONTHS} months after it (a median of "
            f"{median} months): is churned_at a contract's end rather than the churn? They "
            "count as churned from it, and leave today's base. If it is not the churn, drop "
            "the column from the extract, so that churn comes from months without revenue.",
            key="churn_dates",
            **_counted(late, total, names, median),
        ),
        stacklevel=2,
    )


def check_acquisition_dates(
    revenue: pd.DataFrame, customers: pd.DataFrame, names: dict[str, str], seed: int = 0
) -> None:
    """Warn when many customers with an ``acquired_at`` bill more than
    :data:`GRACE_MONTHS` months before it (parameters as :func:`check_churn_dates`).

    The panel then counts their tenure from the first revenue, but a date so many
    customers contradict (a contract's start, a renewal, a CRM record's creation) is
    likely wrong for the others too, and tenure is a control of both models.
    """
    before, total = _months_beyond(revenue, customers, "acquired_at", seed)
    early = before > GRACE_MONTHS
    if early.sum() < max(1, MANY * len(before)):
        return
    median = int(before[early].median())
    warnings.warn(
        DataWarning(
            f"{names['customers']}: {_how_many(early, total, 'acquired_at')} have revenue in "
            f"{names['revenue']} more than {GRACE_MONTHS} months before it (a median of "
            f"{median} months): is acquired_at a contract's start or a renewal rather than "
            "the day they became customers? Their tenure counts from their first revenue "
            "instead; the others' from acquired_at, which tenure_band controls for.",
            key="acquisition_dates",
            **_counted(early, total, names, median),
        ),
        stacklevel=2,
    )


def _months_beyond(
    revenue: pd.DataFrame, customers: pd.DataFrame, column: str, seed: int
) -> tuple[pd.Series, int]:
    """For customers with a ``column`` date (at most :data:`DRAWN`, drawn at random): the
    months their revenue runs past a churn date, or starts before an acquisition date
    (NaN without revenue); and how many customers have a date."""
    if column not in customers or revenue.empty:
        return pd.Series(dtype="float64"), 0
    dated = customers.loc[customers[column].notna(), ["customer_id", column]]
    drawn = dated.sample(DRAWN, random_state=seed) if len(dated) > DRAWN else dated
    first, last = _revenue_months(revenue, drawn["customer_id"])
    date = _months(drawn[column])
    return (last - date if column == "churned_at" else date - first), len(dated)


def _revenue_months(revenue: pd.DataFrame, ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each customer's first and last month with revenue other than 0 (months since
    year 0; NaN without), by bisection in the revenue sorted by customer, then month."""
    rows = SortedColumn(pa.array(revenue["customer_id"].array))
    periods, amounts = revenue["period"].to_numpy(), revenue["revenue"].to_numpy()
    first, last = [], []
    for customer in ids:
        lo, hi = bisect_left(rows, customer), bisect_right(rows, customer)
        billed = lo + np.flatnonzero(amounts[lo:hi])  # a zero-filled sheet has every month
        first.append(periods[billed[0]] if len(billed) else np.datetime64("NaT"))
        last.append(periods[billed[-1]] if len(billed) else np.datetime64("NaT"))
    return (_months(pd.Series(first, index=ids.index)),
            _months(pd.Series(last, index=ids.index)))  # fmt: skip


def _counted(
    flagged: pd.Series, total: int, names: dict[str, str], median: int
) -> dict[str, object]:
    """What a date check's warning says, for a report in another language."""
    return dict(customers=names["customers"], revenue=names["revenue"],
                flagged=int(flagged.sum()), drawn=len(flagged), total=total,
                share=float(flagged.mean()), grace=GRACE_MONTHS, median=median)  # fmt: skip


def _how_many(flagged: pd.Series, total: int, column: str) -> str:
    """``"120 of 2,000 customers drawn at random from the 9,000 with a churned_at (6%)"``."""
    n, a = f"{int(flagged.sum()):,}", "an" if column[0] in "aeiou" else "a"
    of = (f"{n} of {len(flagged):,} customers drawn at random from the {total:,} with {a} "
          f"{column}" if len(flagged) < total else f"{n} of the {total:,} customers with {a} "
          f"{column}")  # fmt: skip
    return f"{of} ({flagged.mean():.0%})"


def _months(dates: pd.Series) -> pd.Series:
    """Months since year 0 (NaN where there is no date)."""
    dates = pd.to_datetime(dates)
    return (dates.dt.year * 12 + dates.dt.month).astype("float64")
