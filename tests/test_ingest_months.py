"""An extract pulled mid-month: its last month is left out, and the ledger says why."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cxvalue.errors import DataWarning
from cxvalue.ingest import read_revenue

SAMPLE = "data/samples/revenue.csv.gz"


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    return read_revenue(SAMPLE).table


def without_some_of_the_last_month(table: pd.DataFrame, share: float) -> pd.DataFrame:
    last = table["period"] == table["period"].max()
    gone = last & (np.random.default_rng(0).random(len(table)) < share)
    return table.loc[~gone].reset_index(drop=True)


def test_a_half_billed_last_month_is_left_out_and_said(monthly):
    partial = without_some_of_the_last_month(monthly, 0.5)
    said = r"2025-12 looks incomplete: 6,\d{3} customers billed against 13,\d{3} the month before"
    with pytest.warns(DataWarning, match=said + r".*through='2025-12' keeps it"):
        result = read_revenue(partial)
    expected = monthly[monthly["period"] < "2025-12-01"].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.table, expected)
    assert any("customer-months" in n and "left out" in n for n in result.ledger.notes)
    kept = read_revenue(partial, through="2025-12").table  # the user's word for it
    pd.testing.assert_frame_equal(kept, partial)


def test_a_complete_or_a_slightly_thinner_last_month_is_kept(monthly):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        pd.testing.assert_frame_equal(read_revenue(SAMPLE).table, monthly)
        thinner = without_some_of_the_last_month(monthly, 0.05)  # a bad month, not a cut
        assert len(read_revenue(thinner).table) == len(thinner)


def test_through_leaves_out_the_months_after_it(monthly):
    result = read_revenue(monthly, through="2025-06-30")
    assert result.table["period"].max() == pd.Timestamp("2025-06-01")
    after = monthly[monthly["period"] > "2025-06-01"]
    note = next(n for n in result.ledger.notes if "through=" in n)
    assert note.startswith(f"{len(after):,} customer-months after 2025-06 left out")


def test_a_small_company_s_last_month_is_not_judged():
    """Under 100 customers one leaving is a percent: nothing is left out."""
    rows = [(f"c{i:02d}", m, 10.0) for i in range(40) for m in ("2025-01", "2025-02", "2025-03")
            if m < "2025-03" or i % 2]  # half of them billed in March  # fmt: skip
    frame = pd.DataFrame(rows, columns=["customer_id", "period", "revenue"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        assert read_revenue(frame).table["period"].max() == pd.Timestamp("2025-03-01")


def test_through_ends_closed_subscriptions_too():
    frame = pd.DataFrame({"customer_id": ["A", "B"], "mrr": [10.0, 20.0],
                          "start": ["2025-01-01", "2025-02-01"],
                          "end": ["2025-06-30", None]})  # fmt: skip
    result = read_revenue(frame, through="2025-03")
    assert result.table.groupby("customer_id")["period"].max().dt.month.tolist() == [3, 3]
    assert "3 customer-months after 2025-03 left out, as through= says (30.00)" in (
        result.ledger.notes
    )


def zero_filled(table: pd.DataFrame) -> pd.DataFrame:
    """The revenue as a finance sheet keeps it: every customer in every month, 0 where
    nothing was billed."""
    grid = pd.MultiIndex.from_product(
        [table["customer_id"].unique(), table["period"].unique()], names=["customer_id", "period"]
    )
    summed = table.set_index(["customer_id", "period"])["revenue"]
    return summed.reindex(grid, fill_value=0.0).reset_index()


def test_months_to_come_filled_with_zeros_are_left_out_and_said(monthly):
    """A sheet with Jan-Mar 2026 filled with 0: every customer churned, and the report
    stopped on a ZeroDivisionError."""
    sheet = zero_filled(monthly)
    months = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])
    to_come = pd.DataFrame({"customer_id": np.repeat(sheet["customer_id"].unique(), 3),
                            "period": np.tile(months, sheet["customer_id"].nunique()),
                            "revenue": 0.0})  # fmt: skip
    with pytest.warns(DataWarning, match=r"2026-01 to 2026-03: every amount is 0, as in a "
                      r"sheet's months to come; the 60,000 customer-months are left out, so "
                      r"that today's base is that of 2025-12"):  # fmt: skip
        result = read_revenue(pd.concat([sheet, to_come]))
    assert result.table["period"].max() == pd.Timestamp("2025-12-01")
    assert len(result.table) == len(sheet)  # zeros within the data stay: months not billed


def test_a_zero_filled_sheet_s_half_billed_last_month_is_still_found(monthly):
    """Customers billed are those with revenue other than 0: a zero-filled sheet has a row
    for every customer in every month."""
    partial = zero_filled(without_some_of_the_last_month(monthly, 0.5))
    with pytest.warns(DataWarning, match=r"2025-12 looks incomplete: 6,\d{3} customers billed"):
        result = read_revenue(partial)
    assert result.table["period"].max() == pd.Timestamp("2025-11-01")
