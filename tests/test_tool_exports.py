"""The sample company written as its tools would export it gives the same report.

A billing tool's payments (Stripe: a row per charge, failed attempts and refunds among
them), a survey tool's responses (Typeform) and a CRM's companies (HubSpot) carry the
same customers, months and scores as the sample's own files, in the tools' columns
and forms. Read by the report, they must give the same models and the same money.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxvalue as cx
from cxvalue.report.config import parse_config
from cxvalue.report.flow import run_flow
from cxvalue.samples import SampleParams, write_sample


def as_payments(revenue: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A charge per customer-month on a day within it; failed attempts beside 5% of them,
    and a refunded charge (with a charge of the refund's amount) beside another 2%."""
    day = pd.to_timedelta(rng.integers(0, 27, len(revenue)), "D") + pd.Timedelta(hours=9)
    paid = pd.DataFrame({
        "Created (UTC)": (revenue["period"] + day).dt.strftime("%Y-%m-%d %H:%M:%S"),
        "Amount": revenue["revenue"].map("{:.2f}".format), "Amount Refunded": "0.00",
        "Currency": "eur", "Customer ID": "cus_" + revenue["customer_id"], "Status": "Paid",
    })  # fmt: skip
    failed = paid.sample(frac=0.05, random_state=1).assign(Status="Failed")
    refunded = paid.sample(frac=0.02, random_state=2)
    refunded = refunded.assign(Amount="50.00", **{"Amount Refunded": "50.00",
                                                  "Status": "Refunded"})  # fmt: skip
    rows = pd.concat([paid, failed, refunded]).sample(frac=1, random_state=3)
    return rows.assign(id=[f"ch_{i}" for i in range(len(rows))])


def as_typeform(responses: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "#": [f"r{i}" for i in range(len(responses))],
        "How likely are you to recommend Sample GmbH to a friend or colleague?":
            responses["score"],
        "customer_id": "cus_" + responses["customer_id"],
        "Submit Date (UTC)": responses["responded_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
    })  # fmt: skip


def as_hubspot(customers: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Record ID": np.arange(len(customers)), "Customer ID": "cus_" + customers["customer_id"],
        "Create Date": "2020-01-01 00:00",
        "Became a Customer Date": customers["acquired_at"].dt.strftime("%Y-%m-%d"),
        "Churn Date": customers["churned_at"].dt.strftime("%Y-%m-%d"),
        "Segment": customers["segment"], "size": customers["size"],
    })  # fmt: skip


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tools")
    paths = write_sample(tmp, params=SampleParams(n_customers=1500), seed=3)
    tables = {name: reader(paths[name]).table for name, reader in (
        ("responses", cx.read_responses), ("revenue", cx.read_revenue),
        ("customers", cx.read_customers))}  # fmt: skip
    exports = {
        "revenue": as_payments(tables["revenue"], np.random.default_rng(0)),
        "responses": as_typeform(tables["responses"]),
        "customers": as_hubspot(tables["customers"]),
    }
    for name, frame in exports.items():
        frame.to_csv(tmp / f"{name}_export.csv", index=False)
    settings = {"value": {"draws": 200}, "model": {"controls": ["segment", "size", "tenure_band"]}}
    flows = [
        run_flow(parse_config({**settings, "inputs": {n: {"path": str(p)} for n, p in
                                                      inputs.items()}}),
                 growth=False, progress=lambda _m: None)
        for inputs in (paths, {n: tmp / f"{n}_export.csv" for n in exports})
    ]  # fmt: skip
    return (*flows, exports["revenue"])


def test_the_tools_exports_give_the_same_models_and_money(both):
    """The same numbers to rounding: the customer ids sort otherwise ("cus_…"), and sums
    run in another order."""
    own, tools, payments = both
    statuses = payments["Status"].value_counts()
    assert [(e.what, e.count) for e in tools.revenue.ledger.rejected] == [
        ("not revenue (Status 'failed')", statuses["Failed"]),
        ("not revenue (Status 'refunded')", statuses["Refunded"]),
    ]
    assert tools.revenue.table["revenue"].sum() == pytest.approx(own.revenue.table["revenue"].sum())
    np.testing.assert_allclose(tools.retention.params, own.retention.params, rtol=1e-9)
    np.testing.assert_allclose(tools.revenue_model.params, own.revenue_model.params, rtol=1e-9)
    pd.testing.assert_frame_equal(tools.value.point, own.value.point, rtol=1e-9)
    pd.testing.assert_frame_equal(tools.nps_now, own.nps_now)
