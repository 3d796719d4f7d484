"""The seeded sample generator: deterministic, realistic, with its truths visible."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxvalue.samples import SampleParams, generate, write_sample

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "samples"
SMALL = SampleParams(n_customers=3000)


@pytest.fixture(scope="module")
def sample():
    return generate()


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = generate(SMALL, seed=1), generate(SMALL, seed=1), generate(SMALL, seed=2)
    pd.testing.assert_frame_equal(a.revenue, b.revenue)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    assert not a.revenue["revenue"].equals(c.revenue["revenue"])


def test_committed_files_are_what_the_generator_writes(tmp_path):
    paths = write_sample(tmp_path)
    for path in paths.values():
        assert path.read_bytes() == (COMMITTED / path.name).read_bytes(), path.name


def test_shapes_and_ids(sample):
    assert len(sample.customers) == 20_000
    assert 300_000 < len(sample.revenue) < 700_000
    assert 10_000 < len(sample.responses) < 40_000
    ids = sample.customers["customer_id"]
    assert ids.str.fullmatch(r"\d{6}").all() and ids.str.startswith("0").mean() > 0.9
    assert set(sample.revenue["customer_id"]) <= set(ids)


def test_no_revenue_after_churn(sample):
    churned = sample.customers.set_index("customer_id")["churned_at"].dropna()
    last = sample.revenue.groupby("customer_id")["period"].max()
    month = churned.dt.to_period("M").dt.to_timestamp()
    assert (last.loc[month.index] == month).all()


def _monthly_events_by_category(sample):
    rev = sample.revenue.groupby(["customer_id", "period"], as_index=False)["revenue"].sum()
    churn_month = sample.customers.set_index("customer_id")["churned_at"].dt.to_period("M")
    rev["churned"] = rev["customer_id"].map(churn_month).dt.to_timestamp().eq(rev["period"])
    resp = sample.responses.sort_values("responded_at")
    merged = pd.merge_asof(
        rev.sort_values("period"), resp[["customer_id", "responded_at", "category"]],
        left_on="period", right_on="responded_at", by="customer_id",
    )
    stale = (merged["period"] - merged["responded_at"]).dt.days > 366
    merged["category"] = merged["category"].where(~stale).fillna("not_surveyed")
    return merged


def test_detractors_churn_about_twice_as_often_as_passives(sample):
    rates = _monthly_events_by_category(sample).groupby("category")["churned"].mean()
    assert 1.5 < rates["detractor"] / rates["passive"] < 2.6
    assert 0.4 < rates["promoter"] / rates["passive"] < 0.8


def test_the_confounder_is_visible(sample):
    size = sample.customers.set_index("customer_id")["size"]
    share = (
        sample.responses.assign(size=sample.responses["customer_id"].map(size))
        .groupby("size")["category"].apply(lambda c: (c == "promoter").mean())
    )
    assert share["small"] < share["medium"] < share["large"]


def test_detractor_shift_raises_the_detractor_share():
    base = generate(SMALL, seed=3).responses["category"].eq("detractor").mean()
    worse = generate(SampleParams(n_customers=3000, detractor_shift=0.15), seed=3)
    assert worse.responses["category"].eq("detractor").mean() > base + 0.08


def test_scores_match_categories(sample):
    cut = np.select(
        [sample.responses["score"] >= 9, sample.responses["score"] >= 7],
        ["promoter", "passive"], "detractor",
    )
    assert (cut == sample.responses["category"]).all()
