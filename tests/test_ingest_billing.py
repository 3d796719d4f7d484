"""Quarterly and annual invoices, spread over the months they cover."""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from cxvalue.errors import ConfigError, DataWarning, ParameterError
from cxvalue.ingest import read_responses, read_revenue
from cxvalue.models import fit_retention
from cxvalue.panel import build_panel, cells
from cxvalue.report.config import parse_config

SAMPLE = "data/samples/revenue.csv.gz"


@pytest.fixture(scope="module")
def sample_responses():
    return read_responses("data/samples/responses.csv.gz").table


def invoices(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "period", "revenue"])


def months_of(table: pd.DataFrame, customer: str) -> list[str]:
    return table.loc[table.customer_id == customer, "period"].dt.strftime("%Y-%m").tolist()


def anniversary_invoices(monthly: pd.DataFrame, every: int) -> pd.DataFrame:
    """Monthly revenue billed every ``every`` months from each customer's first month."""
    month = monthly["period"].dt.year * 12 + monthly["period"].dt.month - 1
    first = month.groupby(monthly["customer_id"]).transform("min")
    bucket = first + (month - first) // every * every
    out = monthly.assign(bucket=bucket).groupby(["customer_id", "bucket"], as_index=False)
    out = out["revenue"].sum()
    out["period"] = pd.to_datetime(
        pd.DataFrame({"year": out.bucket // 12, "month": out.bucket % 12 + 1, "day": 1})
    )
    return out[["customer_id", "period", "revenue"]]


def test_quarterly_and_annual_invoices_cover_their_months_and_keep_every_euro():
    frame = invoices([
        ("Q", "2023-09", 300.0), ("Q", "2023-12", 300.0), ("Q", "2024-03", 300.0),
        ("Q", "2024-06", 300.0),
        ("R", "2024-01", 30.0), ("R", "2024-04", 30.0), ("R", "2024-07", 30.0),
        ("A", "2022-06", 1200.0), ("A", "2023-06", 1200.0), ("A", "2024-06", 1200.0),
        ("M", "2024-01", 10.0), ("M", "2024-02", 10.0), ("M", "2024-03", 10.0),
        ("M", "2024-06", 10.0), ("M", "2024-07", 10.0),
        ("N", "2024-07", 90.0),  # one invoice: the usual interval, 3 months
    ])  # fmt: skip
    with pytest.warns(
        DataWarning, match="every 3 months for 3 customers, every 12 months for 1 customer;"
    ):
        result = read_revenue(frame)
    table = result.table
    q = table[table.customer_id == "Q"]
    assert months_of(table, "Q") == [*(f"2023-{m:02d}" for m in (9, 10, 11, 12)),
                                     *(f"2024-{m:02d}" for m in range(1, 8))]  # fmt: skip
    assert q["revenue"].tolist() == [100.0] * 11  # the extract ends in July: August left out
    assert len(months_of(table, "A")) == 26 and months_of(table, "A")[0] == "2022-06"
    assert months_of(table, "M") == ["2024-01", "2024-02", "2024-03", "2024-06", "2024-07"]
    assert months_of(table, "N") == ["2024-07"]  # its other two months are after the extract's
    left_out = 100.0 + 1200.0 * 10 / 12 + 90.0 * 2 / 3 + 30.0 * 2 / 3
    assert table["revenue"].sum() + left_out == pytest.approx(frame["revenue"].sum())
    notes = " ".join(result.ledger.notes)
    usual = "1 customer with too few invoices to tell (no interval seen twice): the usual"
    assert f"{usual} interval, 3 months" in notes
    assert "1,180.00 of revenue covers months after 2024-07" in notes


def test_a_pro_rated_first_invoice_does_not_set_the_interval():
    frame = invoices([("P", "2024-02", 200.0), ("P", "2024-04", 300.0), ("P", "2024-07", 300.0),
                      ("P", "2024-10", 300.0)])  # fmt: skip
    with pytest.warns(DataWarning):
        table = read_revenue(frame).table
    # Feb's invoice covers Feb-Apr and meets April's: April holds both shares
    assert months_of(table, "P") == [f"2024-{m:02d}" for m in range(2, 11)]
    assert table["revenue"].sum() == pytest.approx(1100.0 - 300.0 * 2 / 3)  # Nov, Dec left out


def test_a_monthly_extract_is_read_as_it_is_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        auto = read_revenue(SAMPLE)
    pd.testing.assert_frame_equal(auto.table, read_revenue(SAMPLE, billing_months=1).table)


def test_billing_months_given_spreads_every_row_and_sums_what_overlaps():
    frame = invoices([("X", "2024-01", 30.0), ("X", "2024-02", 60.0), ("Y", "2024-03", 3.0)])
    with pytest.warns(DataWarning):
        table = read_revenue(frame, billing_months=3).table
    x = table[table.customer_id == "X"]
    assert dict(zip(x.period.dt.strftime("%Y-%m"), x.revenue, strict=True)) == {
        "2024-01": 10.0, "2024-02": 30.0, "2024-03": 30.0,
    }  # fmt: skip
    with pytest.raises(ParameterError, match="'billing_months'.*from 1 to 24"):
        read_revenue(frame, billing_months=0)
    with pytest.raises(ParameterError, match="'billing_months'"):
        read_revenue(frame, billing_months="quarterly")


def test_the_typed_parquet_lane_spreads_as_the_text_lane_does(tmp_path):
    frame = invoices([("Q", "2024-01", 300.0), ("Q", "2024-04", 330.0), ("Q", "2024-07", 3.0),
                      ("R", "2024-02", 5.0)])  # fmt: skip
    csv, parquet = tmp_path / "q.csv", tmp_path / "q.parquet"
    frame.to_csv(csv, index=False)
    frame.assign(period=pd.to_datetime(frame.period)).to_parquet(parquet)
    with pytest.warns(DataWarning):
        from_text, from_parquet = read_revenue(csv), read_revenue(parquet)
    pd.testing.assert_frame_equal(from_text.table, from_parquet.table)
    assert from_text.ledger.notes[-2:] == from_parquet.ledger.notes[-2:]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 30), st.floats(-50, 500, allow_nan=False)),
        min_size=1, max_size=40,
    ),
    st.sampled_from(["auto", 1, 2, 3, 12]),
)  # fmt: skip
def test_revenue_is_conserved_up_to_what_covers_months_after_the_extract(rows, billing):
    frame = invoices([(f"c{c}", f"{2023 + m // 12}-{m % 12 + 1:02d}", round(v, 2))
                      for c, m, v in rows])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        result = read_revenue(frame, billing_months=billing)
    table = result.table
    assert not table.duplicated(["customer_id", "period"]).any()
    assert table["period"].max() == pd.Timestamp(frame["period"].max())
    note = next((n for n in result.ledger.notes if "covers months after" in n), None)
    amount = note.split(" of revenue")[0].replace(",", "").replace("\u2212", "-") if note else "0"
    left_out = float(amount)
    summed = frame.groupby(["customer_id", "period"])["revenue"].sum().sum()
    assert table["revenue"].sum() + left_out == pytest.approx(summed, abs=0.01)


def test_quarterly_billing_gives_the_monthly_extract_s_churn_and_hazard_ratios(sample_responses):
    """The sample billed quarterly from each customer's first month, churn inferred from
    empty months: spread, its churn events and hazard ratios are the monthly extract's;
    read as one month's revenue per row, two months in three look empty."""
    monthly = read_revenue(SAMPLE).table
    quarterly = anniversary_invoices(monthly, 3)
    with pytest.warns(DataWarning, match="every 3 months"):
        spread = read_revenue(quarterly).table
    fits = {name: fit_retention(build_panel(sample_responses, revenue, churn_after_months=4),
                                controls=["tenure_band"])
            for name, revenue in (("monthly", monthly), ("spread", spread))}  # fmt: skip
    events = {name: int(fit.cells["events"].sum()) for name, fit in fits.items()}
    # a customer who left mid-quarter had paid to its end: churn comes up to 2 months later,
    # and some of it after the data's end
    assert events["spread"] == pytest.approx(events["monthly"], rel=0.1)
    ratios = {name: fit.hazard_ratios().set_index("category")["estimate"]
              for name, fit in fits.items()}  # fmt: skip
    for category in ("promoter", "detractor"):
        assert ratios["spread"][category] == pytest.approx(ratios["monthly"][category], rel=0.1)
    unspread = build_panel(None, read_revenue(quarterly, billing_months=1).table,
                           churn_after_months=2)  # fmt: skip
    assert cells(unspread, ["tenure_band"])["events"].sum() > 5 * events["monthly"]


def test_the_config_takes_billing_months_and_names_a_bad_one():
    raw = {"inputs": {"responses": {"path": "r.csv"},
                      "revenue": {"path": "v.csv", "billing_months": 12}}}  # fmt: skip
    assert parse_config(raw).inputs["revenue"].billing_months == 12
    assert (
        parse_config({"inputs": {"responses": {"path": "r"}, "revenue": {"path": "v"}}})
        .inputs["revenue"]
        .billing_months
        == "auto"
    )
    raw["inputs"]["revenue"]["billing_months"] = "yearly"
    with pytest.raises(ConfigError, match='inputs.revenue.billing_months must be "auto"'):
        parse_config(raw)
