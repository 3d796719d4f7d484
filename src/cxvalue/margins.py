"""Profit margin from a cost or margin column of the revenue table.

Money figures are profit, not revenue. When the extract carries a ``cost``
or ``margin`` amount per customer-month, the margin share is taken from the
data (revenue-weighted, over the most recent months), overall or per level
of a control such as segment, instead of a single number typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxvalue._validation import check_choice, check_param
from cxvalue.errors import InputError, ParameterError

__all__ = ["margin_table"]

COLUMNS = ("cost", "margin")


def margin_table(
    revenue: Any,
    column: str = "cost",
    *,
    customers: Any = None,
    by: str | Sequence[str] = (),
    months: int = 12,
) -> pd.DataFrame:
    """Margin as a share of revenue from the revenue table's cost or margin column.

    Parameters
    ----------
    revenue : IngestResult or pandas.DataFrame
        The canonical revenue table with ``revenue`` and ``column``.
    column : {"cost", "margin"}
        ``cost``: margin = 1 − Σcost / Σrevenue; ``margin``: margin amounts,
        share = Σmargin / Σrevenue.
    customers : IngestResult or pandas.DataFrame, optional
        The customers table, needed when ``by`` names its columns.
    by : str or sequence of str
        Customers-table columns to compute the margin per level of (they
        must be among the models' controls to be used by
        :func:`cxvalue.value`). Empty: one margin for everyone.
    months : int
        Use the latest this many months of the revenue table.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``margin`` (share of revenue) and ``revenue``
        (the revenue it rests on); ``.attrs["source"]`` describes it.
    """
    check_choice(column, COLUMNS, "column", "margin_table")
    check_param(isinstance(months, int) and months >= 1, "months", "margin_table",
                "a whole number of months, at least 1", months)  # fmt: skip
    table = getattr(revenue, "table", revenue)
    if column not in table.columns:
        raise InputError(
            f"margin_table(): the revenue table has no {column!r} column (columns: "
            f"{', '.join(map(str, table.columns))}). Map one with read_revenue(columns=...) or "
            "give the margin as a number."
        )
    by = [by] if isinstance(by, str) else list(by)
    periods = pd.to_datetime(table["period"])
    recent = table[periods > periods.max() - pd.DateOffset(months=months)]
    if by:
        recent = _with_customer_columns(recent, customers, by)
    sums = recent.groupby(by or (lambda _: 0), dropna=False)[["revenue", column]].sum()
    if (sums["revenue"] <= 0).any():
        empty = ", ".join(map(str, sums.index[sums["revenue"] <= 0][:5]))
        raise InputError(f"margin_table(): no revenue in the latest {months} months for {empty}.")
    share = sums[column] / sums["revenue"]
    out = pd.DataFrame({"margin": 1.0 - share if column == "cost" else share,
                        "revenue": sums["revenue"]})  # fmt: skip
    if not np.all(out["margin"].between(-1, 1)):
        raise InputError(
            f"margin_table(): the {column!r} column gives margins outside [-1, 1] "
            f"({out['margin'].min():.0%} to {out['margin'].max():.0%}); is it in the same "
            "currency and period as revenue?"
        )
    out = out.reset_index(drop=not by)
    per = f" by {', '.join(by)}" if by else ""
    out.attrs["source"] = f"margin from the {column!r} column{per}, latest {months} months"
    return out


def profile_margins(margin: float | pd.DataFrame, profiles: pd.DataFrame) -> np.ndarray:
    """The margin of each profile: a number for all, or looked up in a margin table."""
    if not isinstance(margin, pd.DataFrame):
        check_param(0 <= margin <= 1, "margin", "value", "a share of revenue in [0, 1]", margin)
        return np.full(len(profiles), float(margin))
    if "margin" not in margin.columns:
        raise ParameterError("A margin table needs a 'margin' column (see cx.margin_table).")
    keys = [c for c in margin.columns if c not in ("margin", "revenue")]
    absent = [k for k in keys if k not in profiles.columns]
    if absent:
        raise ParameterError(
            f"The margin table is by {', '.join(map(repr, absent))}, which the models are not "
            "adjusted for; compute it by one of the models' controls, or overall."
        )
    if not keys:
        return np.full(len(profiles), float(margin["margin"].iloc[0]))
    looked_up = profiles[keys].merge(margin[[*keys, "margin"]], on=keys, how="left")
    unknown = looked_up[looked_up["margin"].isna()][keys].drop_duplicates()
    if not unknown.empty:
        raise ParameterError(
            "The margin table has no margin for "
            + "; ".join(", ".join(f"{k} = {v!r}" for k, v in row.items())
                        for row in unknown.head(5).to_dict("records"))
            + " (customers in today's base)."
        )  # fmt: skip
    return looked_up["margin"].to_numpy(float)


def margin_words(margin: float | pd.DataFrame, average: float) -> str:
    """How the margin is stated on every money figure."""
    if not isinstance(margin, pd.DataFrame):
        return f"{average:.0%} margin"
    source = margin.attrs.get("source", "margin from a table")
    return f"{source} (revenue-weighted {average:.0%})"


def _with_customer_columns(recent: pd.DataFrame, customers: Any, by: list[str]) -> pd.DataFrame:
    if customers is None:
        raise ParameterError("margin_table(): 'by' needs the customers table (customers=...).")
    cust = getattr(customers, "table", customers)
    absent = [c for c in by if c not in cust.columns]
    if absent:
        raise InputError(f"margin_table(): the customers table has no column {absent[0]!r}.")
    return recent.merge(cust[["customer_id", *by]], on="customer_id", how="left")
