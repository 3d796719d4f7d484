"""Churn dates that the revenue contradicts.

A CRM export's ``churned_at`` is sometimes a contract's end date: a customer
who renewed keeps billing after it. The panel takes ``churned_at`` as the
churn and keeps the later revenue on rows that are no longer at risk, so such
customers leave today's base and the money shrinks (on the sample with 30% of
today's customers given a past date, a point valued at €310,000 instead of
€482,000). A warning names how many bill well after their date.
"""

from __future__ import annotations

import warnings
from bisect import bisect_right

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
    if "churned_at" not in customers or revenue.empty:
        return
    dated = customers.loc[customers["churned_at"].notna(), ["customer_id", "churned_at"]]
    total = len(dated)
    if dated.empty:
        return
    if len(dated) > DRAWN:
        dated = dated.sample(DRAWN, random_state=seed)
    ids = pa.array(revenue["customer_id"].array)
    periods = revenue["period"].to_numpy()
    rows = SortedColumn(ids)
    billed = []  # each dated customer's last revenue month, by bisection in the sorted ids
    for customer in dated["customer_id"]:
        at = bisect_right(rows, customer) - 1
        billed.append(periods[at] if at >= 0 and rows[at] == customer else np.datetime64("NaT"))
    after = _months(pd.Series(billed, index=dated.index)) - _months(dated["churned_at"])
    late = after > GRACE_MONTHS
    if late.sum() < MANY * len(dated):
        return
    of = (f"{int(late.sum()):,} of {len(dated):,} customers drawn at random from the "
          f"{total:,} with a churned_at" if len(dated) < total
          else f"{int(late.sum()):,} of the {total:,} customers with a churned_at")  # fmt: skip
    warnings.warn(
        f"{names['customers']}: {of} ({late.mean():.0%}) have revenue in {names['revenue']} "
        f"more than {GRACE_MONTHS} months after it (a median of "
        f"{int(after[late].median())} months): is churned_at a contract's end rather than "
        "the churn? They count as churned from it, and leave today's base. If it is not "
        "the churn, drop the column from the extract, so that churn comes from months "
        "without revenue.",
        DataWarning,
        stacklevel=2,
    )


def _months(dates: pd.Series) -> pd.Series:
    """Months since year 0 (NaN where there is no date)."""
    dates = pd.to_datetime(dates)
    return (dates.dt.year * 12 + dates.dt.month).astype("float64")
