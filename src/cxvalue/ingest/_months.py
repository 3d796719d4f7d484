"""The extract's last complete month.

An extract pulled in mid-December holds December's invoices so far: half the
customers may not have been billed yet. Read as it is, that month would be
"today": the base would lose the customers not yet billed and the money
would be valued at half a month's revenue (on the sample, a point valued at
€284,000 instead of €482,000). So a last month with far fewer customers
billed than the months before is left out, and the ledger says so;
``through`` names the last month to keep instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cxvalue.errors import DataWarning
from cxvalue.formatting import fmt_number
from cxvalue.ingest._tracker import Tracker

#: Months before the last whose changes in customers billed make the usual change.
USUAL_MONTHS = 6
#: Customers billed in the month before the last, at least, for the last to be judged (in
#: smaller companies one customer is a percent).
MIN_BILLED = 100
#: How far below the usual change the last month's may fall before it looks incomplete:
#: 10 points (a usual month keeps 99% of the customers billed the month before; an
#: extract pulled mid-month, about half).
SHORTFALL = 0.10


def last_complete_month(
    tracker: Tracker, table: pd.DataFrame, through: pd.Period | None
) -> pd.DataFrame:
    """``table`` without the months after ``through``, or, when not given, without a last
    month that looks incomplete (the ledger and a warning say which and why).

    ``table``: one row per customer and month (canonical revenue).
    """
    if table.empty:
        return table
    periods = table["period"].to_numpy()
    if through is not None:
        end = np.datetime64(through.start_time.to_datetime64(), "ns")
        after = periods > end
        if after.any():
            amount = fmt_number(float(table["revenue"].to_numpy()[after].sum()), 2)[0]
            tracker.notes.append(
                f"{_count(after.sum())} customer-months after {through} left out, as "
                f"through= says ({amount})"
            )
            return table.loc[~after].reset_index(drop=True)
        return table
    last = periods.max()
    # customers billed (revenue other than 0) in the last USUAL_MONTHS + 2 months: 31 days
    # each at most
    recent = periods >= last - np.timedelta64(31 * (USUAL_MONTHS + 1), "D")
    months = periods[recent][table["revenue"].to_numpy()[recent] != 0]
    del recent
    if not len(months) or months.max() < last:  # nobody billed in the last month
        kept = _without_unbilled_months(tracker, table, periods)
        return kept if len(kept) == len(table) else last_complete_month(tracker, kept, None)
    billed = pd.Series(months.view("int64")).value_counts(sort=False).sort_index()
    del months
    if len(billed) < 3 or billed.iloc[-2] < MIN_BILLED:
        return table
    kept = (billed / billed.shift(1)).dropna().to_numpy()  # customers billed, month on month
    usual = float(np.median(kept[:-1][-USUAL_MONTHS:]))
    if kept[-1] >= usual - SHORTFALL:
        return table
    month = pd.Timestamp(last).to_period("M")
    cut = periods == last
    amount = fmt_number(float(table["revenue"].to_numpy()[cut].sum()), 2)[0]
    why = (
        f"{month} looks incomplete: {_count(billed.iloc[-1])} customers billed against "
        f"{_count(billed.iloc[-2])} the month before, where a usual month keeps "
        f"{usual:.0%} of them"
    )
    tracker.notes.append(f"{why}; its {_count(cut.sum())} customer-months ({amount}) left out")
    warnings.warn(
        DataWarning(
            f"{tracker.source}: {why}. It is left out, so that today's base and revenue are "
            f"those of {month - 1}; through='{month}' keeps it.",
            key="incomplete_month", source=tracker.source, month=str(month),
            billed=int(billed.iloc[-1]), before=int(billed.iloc[-2]), usual=usual,
            previous=str(month - 1),
        ),
        stacklevel=3,
    )  # fmt: skip
    return table.loc[~cut].reset_index(drop=True)


def _without_unbilled_months(
    tracker: Tracker, table: pd.DataFrame, periods: np.ndarray
) -> pd.DataFrame:
    """``table`` without its last months, in which nobody was billed (every amount 0: a
    sheet's months to come); the ledger and a warning say so. Unchanged when nobody was
    billed at all, or when the last month has fewer than :data:`MIN_BILLED` rows (a
    small company's zeros are not a sheet's months to come)."""
    billed = table["revenue"].to_numpy() != 0
    if not billed.any() or (periods == periods.max()).sum() < MIN_BILLED:
        return table
    last = periods[billed].max()
    after = periods > last
    months = pd.DatetimeIndex(np.unique(periods[after])).to_period("M")
    span = str(months[0]) if len(months) == 1 else f"{months[0]} to {months[-1]}"
    why = (f"{span}: every amount is 0, as in a sheet's months to come; the "
           f"{_count(after.sum())} customer-months are left out")  # fmt: skip
    tracker.notes.append(why)
    warnings.warn(
        DataWarning(
            f"{tracker.source}: {why}, so that today's base is that of {months[0] - 1}, the "
            "last month with revenue (else every customer would have churned).",
            key="unbilled_months", source=tracker.source, first=str(months[0]),
            last=str(months[-1]), rows=int(after.sum()), previous=str(months[0] - 1),
        ),
        stacklevel=4,
    )  # fmt: skip
    return table.loc[~after].reset_index(drop=True)


def _count(n: float) -> str:
    return fmt_number(float(n), 0)[0]
