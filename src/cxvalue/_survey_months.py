"""Do the answers and the revenue reach the same months? Checked before the models run.

A survey export pulled long after the revenue extract (or a revenue extract long after
the last survey) is easily missed: the models see only the answers within the revenue's
months, while "NPS today" counts the latest answers, whatever their date. Each mismatch
is a warning, which the report turns into a note.
"""

from __future__ import annotations

import warnings

import pandas as pd

from cxvalue.errors import DataWarning

#: Answers running more than this many months past the revenue's last month: a warning.
AFTER_MONTHS = 3


def check_answer_months(
    answered_at: pd.Series, periods: pd.Series, names: dict[str, str], recency_months: int
) -> None:
    """Warn when the answers run well past the revenue's months, or end well before them.

    Parameters
    ----------
    answered_at : pandas.Series
        The responses' ``responded_at``.
    periods : pandas.Series
        The revenue's ``period`` (month starts).
    names : dict
        The file of each table, for the messages.
    recency_months : int
        How many months an answer describes a customer (the panel's ``recency_months``).

    Warns
    -----
    DataWarning
        The latest answer is more than :data:`AFTER_MONTHS` months after the revenue's
        last month, or more than ``recency_months`` months before it.
    """
    if answered_at.empty or periods.empty:
        return
    last_answer = pd.Timestamp(answered_at.max()).to_period("M")
    last_revenue = pd.Timestamp(periods.max()).to_period("M")
    responses, revenue = names["responses"], names["revenue"]
    ahead = (last_answer - last_revenue).n
    if ahead > AFTER_MONTHS:
        after = int((answered_at >= (last_revenue + 1).to_timestamp()).sum())
        warnings.warn(
            DataWarning(
                f"{responses}: the answers run to {last_answer}, {ahead} months past "
                f"{last_revenue}, the last month of {revenue}. The models see none of the "
                f"{after:,} answers after it, while NPS today counts them. Is the revenue "
                "extract the latest?",
                key="answers_after", responses=responses, revenue=revenue,
                last_answer=str(last_answer), last_revenue=str(last_revenue), months=ahead,
                after=after,
            ),
            stacklevel=2,
        )  # fmt: skip
    if -ahead > recency_months:
        warnings.warn(
            DataWarning(
                f"{responses}: the latest answer is from {last_answer}, {-ahead} months before "
                f"{last_revenue}, the last month of {revenue}. NPS today is that old, and the "
                f"customer-months more than {recency_months} months after it (recency_months) "
                "count as not surveyed. Is the survey export the latest?",
                key="answers_before", responses=responses, revenue=revenue,
                last_answer=str(last_answer), last_revenue=str(last_revenue), months=-ahead,
                recency=recency_months,
            ),
            stacklevel=2,
        )  # fmt: skip
