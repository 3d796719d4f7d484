"""Churn and acquisition dates the revenue contradicts (a contract's end or start): warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cxvalue._churn_dates import check_acquisition_dates, check_churn_dates
from cxvalue.errors import DataWarning
from cxvalue.ingest import read_customers, read_revenue

NAMES = {"customers": "c.csv", "revenue": "v.csv"}
IDS = pd.StringDtype("pyarrow")


@pytest.fixture(scope="module")
def sample():
    return (read_revenue("data/samples/revenue.csv.gz").table,
            read_customers("data/samples/customers.csv").table)  # fmt: skip


def test_the_sample_s_churn_dates_agree_with_its_revenue(sample):
    revenue, customers = sample
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        check_churn_dates(revenue, customers, NAMES)
        check_acquisition_dates(revenue, customers, NAMES)


def test_past_dates_for_customers_still_billing_are_named(sample):
    """30% of today's customers given a date in 2024: the point fell from €482,000 to
    €310,000 without a word."""
    revenue, customers = sample
    drawn = np.random.default_rng(0).random(len(customers)) < 0.3
    still = customers["churned_at"].isna() & drawn
    renewed = customers.assign(
        churned_at=customers["churned_at"].mask(still, pd.Timestamp("2024-06-30"))
    )
    dated = int(renewed["churned_at"].notna().sum())
    share = still.sum() / dated
    with pytest.warns(DataWarning, match=rf"c\.csv: \d+ of 2,000 customers drawn at random from "
                      rf"the {dated:,} with a churned_at \((\d+)%\) have revenue in v\.csv more "
                      r"than 3 months after it \(a median of 18 months\)") as caught:  # fmt: skip
        check_churn_dates(revenue, renewed, NAMES)
    said = int(str(caught[0].message).split("(")[1].split("%")[0]) / 100
    assert said == pytest.approx(share, abs=0.04)  # 2,000 drawn: within 3 s.e.


def test_a_final_invoice_after_the_churn_is_no_contradiction():
    months = [f"2025-0{m}-01" for m in (1, 2, 3, 4, 5, 1, 2)]
    revenue = pd.DataFrame({"customer_id": pd.Series(["A"] * 5 + ["B"] * 2, dtype=IDS),
                            "period": pd.to_datetime(months), "revenue": 1.0})  # fmt: skip
    churned = pd.to_datetime(["2025-02-15", "2025-01-20"])
    customers = pd.DataFrame({"customer_id": ["A", "B"], "churned_at": churned})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        check_churn_dates(revenue, customers, NAMES)  # A: 3 months after, B: 1
    late = customers.assign(churned_at=pd.to_datetime(["2025-01-10", "2025-01-20"]))
    with pytest.warns(DataWarning, match="1 of the 2 customers with a churned_at"):
        check_churn_dates(revenue, late, NAMES)  # A: 4 months after


def test_the_report_says_so_when_it_reads_the_extracts(tmp_path):
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import read_inputs

    rows = "".join(f"{c},2025-0{m},10\n" for c in "AB" for m in range(1, 7))
    (tmp_path / "v.csv").write_text("customer_id,period,revenue\n" + rows)
    (tmp_path / "r.csv").write_text("customer_id,responded_at,score\nA,2025-01-03,9\n")
    (tmp_path / "c.csv").write_text("customer_id,churned_at\nA,2025-01-31\nB,\n")
    inputs = {name: {"path": f"{name[0] if name != 'revenue' else 'v'}.csv"}
              for name in ("responses", "revenue", "customers")}  # fmt: skip
    with pytest.warns(DataWarning, match="1 of the 1 customers with a churned_at"):
        read_inputs(parse_config({"inputs": inputs}, tmp_path))
    (tmp_path / "c.csv").write_text("customer_id,acquired_at\nA,2025-01-01\nB,2025-06-01\n")
    with pytest.warns(DataWarning, match="1 of the 2 customers with an? acquired_at"):
        read_inputs(parse_config({"inputs": inputs}, tmp_path))


def test_acquisition_dates_after_years_of_revenue_are_named(sample):
    """30% of the sample's customers given an acquired_at two years late: tenure counted
    from the first revenue for them, from the date for the rest, without a word."""
    revenue, customers = sample
    late = np.random.default_rng(1).random(len(customers)) < 0.3
    moved = customers.assign(acquired_at=customers["acquired_at"].mask(
        late, customers["acquired_at"] + pd.DateOffset(years=2)))  # fmt: skip

    def month(dates):
        return dates.dt.year * 12 + dates.dt.month

    first = month(revenue.groupby("customer_id", observed=True)["period"].min())
    acquired = month(moved.set_index("customer_id")["acquired_at"])
    share = (acquired - first.reindex(acquired.index) > 3).mean()  # every customer, not drawn
    with pytest.warns(DataWarning, match=r"c\.csv: \d+ of 2,000 customers drawn at random from "
                      r"the 20,000 with an acquired_at \((\d+)%\) have revenue in v\.csv more "
                      r"than 3 months before it \(a median of 24 months\): is acquired_at a "
                      r"contract's start") as caught:  # fmt: skip
        check_acquisition_dates(revenue, moved, NAMES)
    said = int(str(caught[0].message).split("(")[1].split("%")[0]) / 100
    assert said == pytest.approx(share, abs=0.03)  # 2,000 drawn: within 3 s.e.
    early = customers.assign(acquired_at=customers["acquired_at"] + pd.DateOffset(months=3))
    with warnings.catch_warnings():  # within the grace: a first invoice before the contract
        warnings.simplefilter("error", DataWarning)
        check_acquisition_dates(revenue, early, NAMES)


def test_zeros_of_a_finance_sheet_are_not_revenue(sample):
    """A zero-filled sheet has every customer in every month: the check read each one's
    last row as revenue, and 98% of the churn dates as contradicted."""
    revenue, customers = sample
    grid = pd.MultiIndex.from_product(
        [revenue["customer_id"].unique(), revenue["period"].unique()],
        names=["customer_id", "period"],
    )
    sheet = (revenue.set_index(["customer_id", "period"])["revenue"]
             .reindex(grid, fill_value=0.0).reset_index())  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        check_churn_dates(sheet, customers, NAMES)
        check_acquisition_dates(sheet, customers, NAMES)
