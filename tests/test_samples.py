"""The seeded sample generator: deterministic, realistic, with its planted truths visible."""

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxvalue.errors import ParameterError
from cxvalue.ingest import read_customers, read_responses, read_revenue
from cxvalue.samples import SampleParams, generate, implied_clv, truth, write_sample

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "samples"
SMALL = SampleParams(n_customers=3000)


@pytest.fixture(scope="module")
def sample():
    return generate()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def panel(sample):
    """Customer-months with the category as of the month's start and the churn flag."""
    customers = sample.customers.set_index("customer_id")
    rows = sample.revenue.sort_values("period")
    responses = sample.responses.sort_values("responded_at")
    merged = pd.merge_asof(
        rows, responses[["customer_id", "responded_at", "category"]], left_on="period",
        right_on="responded_at", by="customer_id", allow_exact_matches=False,
    )  # fmt: skip
    merged["category"] = merged["category"].fillna("not_surveyed")
    churn_month = customers["churned_at"].dt.to_period("M").dt.to_timestamp()
    merged["churned"] = merged["customer_id"].map(churn_month).eq(merged["period"])
    merged["size"] = merged["customer_id"].map(customers["size"])
    return merged


def _content(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def test_same_seed_same_tables_other_seed_other_tables():
    a, b, c = generate(SMALL, seed=1), generate(SMALL, seed=1), generate(SMALL, seed=2)
    for name in ("responses", "revenue", "customers", "billing"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.revenue["revenue"].equals(c.revenue["revenue"])
    assert not a.responses["score"].equals(c.responses["score"])


def test_committed_files_are_what_write_sample_writes_now(written):
    # Compared after gunzip: the text is byte-identical; gzip bytes may differ by zlib build.
    assert sorted(p.name for p in written.values()) == sorted(
        p.name for p in COMMITTED.iterdir() if p.suffix != ".md"
    )
    for path in written.values():
        assert _content(path) == _content(COMMITTED / path.name), path.name


def test_committed_extracts_read_back_into_the_sample(sample):
    responses = read_responses(COMMITTED / "responses.csv.gz")
    assert responses.ledger.rows_read - responses.ledger.rows_kept == 229
    keys = ["responded_at", "customer_id", "response_id"]
    got = responses.table.sort_values(keys, ignore_index=True)
    want = sample.responses.sort_values(keys, ignore_index=True)
    columns = ["customer_id", "responded_at", "score", "category", "response_id", "weight"]
    pd.testing.assert_frame_equal(got[columns], want[columns], check_dtype=False)
    revenue = read_revenue(COMMITTED / "revenue.csv.gz").table
    revenue = revenue.sort_values(["customer_id", "period"], ignore_index=True)
    pd.testing.assert_frame_equal(revenue, sample.revenue, check_dtype=False, atol=1e-9)
    customers = read_customers(COMMITTED / "customers.csv").table
    pd.testing.assert_frame_equal(customers[sample.customers.columns], sample.customers)


def test_extract_formats():
    lines = gzip.decompress((COMMITTED / "responses.csv.gz").read_bytes()).decode().splitlines()
    assert lines[0].startswith("StartDate,EndDate,Status,Progress,Finished,RecordedDate,")
    assert "How likely are you to recommend Acme to a friend or colleague?" in lines[1]
    assert lines[2].startswith('"{""ImportId"":""startDate""')
    body = "\n".join(lines[3:])
    assert "10 - Extremely likely" in body and "0 - Not at all likely" in body
    assert "Survey Preview" in body and ",False," in body
    assert re.search(r"\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,", body)
    revenue = gzip.decompress((COMMITTED / "revenue.csv.gz").read_bytes()).decode()
    assert revenue.startswith("Kundennummer;Monat;Umsatz\n000001;01.01.2023;")
    assert re.search(r";\d{1,3}(\.\d{3})+,\d\d\n", revenue) and re.search(r";-\d+,\d\d\n", revenue)
    assert sum(p.stat().st_size for p in COMMITTED.iterdir()) < 6_000_000


def test_shapes(sample):
    assert len(sample.customers) == 20_000
    assert 400_000 < len(sample.revenue) < 500_000
    assert 18_000 < len(sample.responses) < 27_000
    assert 5_000 < sample.customers["churned_at"].notna().sum() < 9_000
    assert not sample.revenue.duplicated(["customer_id", "period"]).any()
    assert len(sample.billing) > len(sample.revenue) and (sample.billing["revenue"] < 0).any()
    assert sample.responses.groupby("customer_id").size().max() > 1  # repeated surveys


def test_ids_are_zero_padded_strings(sample):
    for frame in (sample.customers, sample.revenue, sample.responses):
        assert frame["customer_id"].dtype == "string"
        assert frame["customer_id"].str.fullmatch(r"0\d{5}").all()
    ids = set(sample.customers["customer_id"])
    assert set(sample.revenue["customer_id"]) == ids
    assert set(sample.responses["customer_id"]) <= ids


def test_revenue_runs_from_acquisition_to_churn(sample):
    customers = sample.customers.set_index("customer_id")
    months = sample.revenue.groupby("customer_id")["period"].agg(["min", "max", "size"])
    start = pd.Timestamp("2023-01-01")
    assert (months["min"] == customers["acquired_at"].clip(lower=start)).all()
    churned = customers["churned_at"].dropna()
    assert (months.loc[churned.index, "max"] == churned.dt.to_period("M").dt.to_timestamp()).all()
    assert (months.loc[customers["churned_at"].isna(), "max"] == pd.Timestamp("2025-12-01")).all()
    span = (months["max"].dt.year - months["min"].dt.year) * 12 + months["max"].dt.month
    assert (span - months["min"].dt.month + 1 == months["size"]).all()  # no gaps


def test_responses_come_from_active_customers_in_wave_months(sample, panel):
    responses = sample.responses
    assert set(responses["responded_at"].dt.month) == {4, 5, 10, 11}
    assert responses["responded_at"].dt.day.between(2, 28).all()  # counts from the next month
    month = responses["responded_at"].dt.to_period("M").dt.to_timestamp()
    billed = pd.MultiIndex.from_frame(sample.revenue[["customer_id", "period"]])
    assert pd.MultiIndex.from_arrays([responses["customer_id"], month]).isin(billed).all()


def test_scores_match_categories(sample):
    score = sample.responses["score"]
    cut = np.select([score >= 9, score >= 7], ["promoter", "passive"], "detractor")
    assert (cut == sample.responses["category"]).all()
    assert sample.responses["csat"].between(1, 5).all()


def test_detractors_churn_about_twice_as_often_as_passives(panel):
    rates = panel.groupby("category")["churned"].mean()
    assert 1.5 < rates["detractor"] / rates["passive"] < 2.6
    assert 0.4 < rates["promoter"] / rates["passive"] < 0.8
    assert 1.0 < rates["not_surveyed"] / rates["passive"] < 1.5


def test_growth_by_category_is_the_planted_one(sample, panel):
    rows = panel.sort_values(["customer_id", "period"])
    step = np.log(rows["revenue"]).groupby(rows["customer_id"]).diff()
    annual = (12 * step.groupby(rows["category"]).median()).to_dict()
    for category, growth in sample.params.annual_growth.items():
        assert annual[category] == pytest.approx(growth, abs=0.01), category


def test_the_confounder_is_visible(sample, panel):
    size = sample.customers.set_index("customer_id")["size"]
    promoter = (
        sample.responses["category"].eq("promoter")
        .groupby(sample.responses["customer_id"].map(size)).mean()
    )  # fmt: skip
    assert promoter["small"] < promoter["medium"] < promoter["large"]
    churn = panel.groupby("size")["churned"].mean()
    assert churn["small"] > churn["medium"] > churn["large"]


def test_detractor_shift_raises_the_detractor_share():
    base = generate(SMALL, seed=3).responses["category"].eq("detractor").mean()
    worse = generate(SampleParams(n_customers=3000, detractor_shift=0.15), seed=3)
    assert worse.responses["category"].eq("detractor").mean() > base + 0.1


def test_detractor_shift_that_empties_a_category_is_refused():
    with pytest.raises(ParameterError, match="'detractor_shift' parameter of SampleParams"):
        SampleParams(detractor_shift=0.8)


def test_truth_table():
    params = SampleParams()
    effects = truth(params).effects
    assert effects.loc["detractor", "log_hazard_ratio"] == pytest.approx(np.log(2.0))
    assert effects.loc["passive", "log_hazard_ratio"] == 0.0
    assert effects.loc["promoter", "growth_vs_passive"] == pytest.approx(0.05)
    by_size = truth(params).by_size
    assert by_size["promoter"].is_monotonic_increasing
    assert by_size["passive_hazard"].is_monotonic_decreasing
    assert np.allclose(by_size[["promoter", "passive", "detractor"]].sum(axis=1), 1.0)


def test_implied_clv_is_the_geometric_series():
    params = SampleParams(credit_note_rate=0.0)
    h = params.monthly_hazard("promoter", "large", "Enterprise")
    q = (1 - h) * np.exp(0.08 / 12 + params.revenue_noise**2 / 2) / 1.01
    expected = 0.7 * 6000.0 * q * (1 - q**60) / (1 - q)
    got = implied_clv("promoter", params=params, size="large", segment="Enterprise",
                      horizon=60, monthly_discount=0.01, margin=0.7)  # fmt: skip
    assert got == pytest.approx(expected, rel=1e-12)
    values = [implied_clv(c) for c in ("promoter", "passive", "detractor")]
    assert values == sorted(values, reverse=True)
    assert implied_clv("passive", tenure_months=0) < implied_clv("passive", tenure_months=12)
