"""Tests for cxvalue.growth: NRR, GRR, Earned Growth Rate and the revenue bridge."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxvalue.errors import InputError, ParameterError
from cxvalue.growth import GrowthResult, _id_codes, revenue_retention

ROOT = Path(__file__).resolve().parents[1]
MONTHS = pd.date_range("2023-01-01", "2024-12-01", freq="MS")  # 24 months
PRIOR, CURRENT = MONTHS[:12], MONTHS[12:]


def table(rows: list[tuple[str, pd.Timestamp, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer_id", "period", "revenue"])
    df["customer_id"] = df["customer_id"].astype("string")
    df["period"] = pd.to_datetime(df["period"])
    df["revenue"] = df["revenue"].astype(float)
    return df


def spread(cid: str, prior: float, current: float) -> list[tuple[str, pd.Timestamp, float]]:
    """Spread a yearly amount over the 12 months of each window (zero years get no rows)."""
    rows = []
    for months, total in ((PRIOR, prior), (CURRENT, current)):
        if total:
            rows += [(cid, m, total / 12) for m in months]
    return rows


def customers(sources: dict[str, str], column: str = "referral_source") -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": pd.array(list(sources), dtype="string"), column: list(sources.values())}
    )


def bridge_error(r: GrowthResult) -> float:
    lhs = r.prior_revenue + r.new_revenue + r.expansion - r.contraction - r.churned
    return abs(lhs - r.current_revenue)


def test_bain_example_104_plus_6_minus_100_is_10() -> None:
    # Prior revenue 1000; the base earns 760 + 280 + 0 = 1040 now => NRR 104%.
    # Earned new revenue 60 = 6% of prior => EGR = 104% + 6% - 100% = 10%.
    rows = (
        spread("a", 600, 760)  # expansion 160
        + spread("b", 300, 280)  # contraction 20
        + spread("c", 100, 0)  # churned 100
        + spread("n1", 0, 60)  # new, referral -> earned 60 = 6% of prior
        + spread("n2", 0, 50)  # new, sales -> bought
    )
    cust = customers({"a": "sales", "b": "referral", "n1": "Word-of-Mouth", "n2": "Sales"})
    r = revenue_retention(table(rows), cust)
    assert r.prior_revenue == pytest.approx(1000)
    assert r.nrr == pytest.approx(1.04)  # (760 + 280) / 1000
    assert r.grr == pytest.approx(0.88)  # (600 + 280 + 0) / 1000
    assert r.earned_new_revenue == pytest.approx(60)
    assert r.bought_new_revenue == pytest.approx(50)
    assert r.earned_new_share == pytest.approx(0.06)
    assert r.earned_growth_rate == pytest.approx(0.10)
    assert (r.expansion, r.contraction, r.churned) == pytest.approx((160, 20, 100))
    assert r.current_revenue == pytest.approx(1150)
    assert (r.n_base, r.n_retained, r.n_churned, r.n_new, r.n_earned_new) == (3, 2, 1, 2, 1)
    assert bridge_error(r) < 1e-9
    assert r.as_of == pd.Timestamp("2024-12-01")
    assert r.current_start == pd.Timestamp("2024-01-01")
    assert r.prior_start == pd.Timestamp("2023-01-01")
    assert "+10.0%" in r.summary()
    frame = r.to_frame()
    assert list(frame.columns) == ["metric", "value", "label"]
    egr = frame.set_index("metric").loc["earned_growth_rate", "value"]
    assert egr == pytest.approx(0.10)


def test_paper_example_uneven_months_and_as_of() -> None:
    # Windows of 3 months ending 2023-06: prior Jan-Mar, current Apr-Jun; July ignored.
    rows = [
        ("x", "2023-01-01", 50),
        ("x", "2023-03-01", 50),  # P = 100
        ("x", "2023-05-01", 130),  # C = 130: expansion 30
        ("y", "2023-02-01", 200),  # P = 200
        ("y", "2023-06-01", 50),  # C = 50: contraction 150
        ("z", "2023-04-01", 10),  # new, no customers table
        ("x", "2023-07-01", 999),  # after as_of
    ]
    r = revenue_retention(table(rows), as_of="2023-06-15", months=3)
    assert r.nrr == pytest.approx(180 / 300)
    assert r.grr == pytest.approx(150 / 300)
    assert r.new_revenue == pytest.approx(10)
    assert r.earned_growth_rate is None
    assert r.earned_new_revenue is None
    assert "Earned Growth cannot be computed" in r.note
    assert bridge_error(r) < 1e-9


def test_no_referral_column_reports_nrr_grr_only() -> None:
    rows = spread("a", 100, 120) + spread("b", 0, 30)
    cust = pd.DataFrame({"customer_id": pd.array(["a", "b"], dtype="string"), "segment": "x"})
    r = revenue_retention(table(rows), cust)
    assert r.nrr == pytest.approx(1.2)
    assert r.grr == pytest.approx(1.0)
    assert r.earned_growth_rate is None and r.earned_new_share is None
    assert not r.earned_growth_available
    assert "referral_source" in r.note and "cannot be computed" in r.note
    assert "not computable" in r.summary()
    row = r.to_frame().set_index("metric").loc["earned_growth_rate"]
    assert math.isnan(row["value"]) and "not computable" in row["label"]


def test_acquisition_source_column_and_override() -> None:
    rows = spread("a", 100, 100) + spread("n1", 0, 10) + spread("n2", 0, 20)
    cust = customers({"n1": "Recommendation", "n2": "partner"}, column="acquisition_source")
    r = revenue_retention(table(rows), cust)
    assert r.earned_new_revenue == pytest.approx(10)
    assert r.earned_growth_rate == pytest.approx(0.10)
    r2 = revenue_retention(table(rows), cust, earned_sources=["PARTNER"])
    assert r2.earned_new_revenue == pytest.approx(20)
    assert r2.earned_growth_rate == pytest.approx(0.20)


def test_new_customer_missing_from_customers_table_counts_as_bought() -> None:
    rows = spread("a", 100, 100) + spread("n1", 0, 10)
    r = revenue_retention(table(rows), customers({"a": "referral"}))
    assert r.earned_new_revenue == 0 and r.bought_new_revenue == pytest.approx(10)
    assert "not in the customers table" in r.note


def test_negative_net_revenue_rules() -> None:
    rows = (
        spread("a", 100, 100)
        + spread("neg_prior", -30, 40)  # prior <= 0: treated as new, 40 new revenue
        + spread("neg_now", 50, -20)  # churned: lost 50 + 20 credit
    )
    r = revenue_retention(table(rows))
    assert r.prior_revenue == pytest.approx(150)
    assert r.prior_excluded_revenue == pytest.approx(-30)
    assert r.prior_total_revenue == pytest.approx(120)
    assert r.new_revenue == pytest.approx(40)
    assert r.churned == pytest.approx(70)
    assert r.n_churned == 1
    assert r.nrr == pytest.approx(80 / 150)
    assert r.grr == pytest.approx(80 / 150)
    assert "net-negative" in r.note
    assert bridge_error(r) < 1e-9


def test_too_short_history_names_missing_months() -> None:
    rows = [("a", m, 10.0) for m in MONTHS[5:]]
    with pytest.raises(InputError, match=r"24 months.*2023-01 to 2023-05 is missing"):
        revenue_retention(table(rows))
    # a 6-month window fits
    r = revenue_retention(table(rows), months=6)
    assert r.nrr == pytest.approx(1.0)


def test_bad_parameters() -> None:
    df = table(spread("a", 100, 100))
    with pytest.raises(ParameterError, match="months"):
        revenue_retention(df, months=0)
    with pytest.raises(InputError, match="after the last period"):
        revenue_retention(df, as_of="2025-03-01")
    with pytest.raises(InputError, match="revenue"):
        revenue_retention(df.drop(columns="revenue"))
    with pytest.raises(InputError, match="no customer has positive revenue"):
        revenue_retention(table([("a", MONTHS[0], 0.0), *spread("a", 0, 100)]))


amounts = st.one_of(
    st.just(0.0),
    st.floats(-50, 500, allow_nan=False).map(lambda x: round(x, 2)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(
        st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 23), amounts),
        min_size=1,
        max_size=40,
    ),
    sources=st.lists(st.sampled_from(["referral", "sales", "word of mouth", None]), min_size=8),
)
def test_bridge_identity_on_random_tables(data, sources) -> None:
    df = table([(c, MONTHS[m], x) for c, m, x in data])
    df = df.groupby(["customer_id", "period"], as_index=False)["revenue"].sum()
    df = pd.concat([df, table([("anchor", MONTHS[0], 1.0), ("anchor", MONTHS[-1], 1.0)])])
    cust = customers(dict(zip("abcdefgh", sources, strict=False)))
    r = revenue_retention(df, cust)
    assert bridge_error(r) < 1e-6
    assert r.current_revenue == pytest.approx(
        float(df.loc[df.period >= CURRENT[0], "revenue"].sum())
    )
    assert r.prior_total_revenue == pytest.approx(
        float(df.loc[df.period < CURRENT[0], "revenue"].sum())
    )
    assert min(r.expansion, r.contraction, r.churned) >= 0
    assert r.grr <= r.nrr + 1e-12 and r.grr <= 1 + 1e-12
    assert r.nrr == pytest.approx(
        (r.prior_revenue + r.expansion - r.contraction - r.churned) / r.prior_revenue
    )
    assert r.grr == pytest.approx((r.prior_revenue - r.contraction - r.churned) / r.prior_revenue)
    assert r.earned_new_revenue + r.bought_new_revenue == pytest.approx(r.new_revenue)
    assert r.earned_growth_rate == pytest.approx(r.nrr + r.earned_new_share - 1)


def test_bundled_sample() -> None:
    import cxvalue

    rev = cxvalue.read_revenue(ROOT / "data/samples/revenue.csv.gz").table
    cust = cxvalue.read_customers(ROOT / "data/samples/customers.csv").table
    r = revenue_retention(rev, cust)
    assert r.as_of == rev["period"].max()
    assert 0 < r.grr <= 1 and r.nrr > r.grr
    assert r.earned_growth_rate is not None
    assert bridge_error(r) < 1e-3


def _reference_sums(revenue: pd.DataFrame) -> pd.DataFrame:
    """Per-customer window sums as the first pandas version computed them (months=12)."""
    periods = pd.to_datetime(revenue["period"]).dt.to_period("M").dt.to_timestamp()
    end = periods.max()
    current_start = end - pd.DateOffset(months=11)
    prior_start = end - pd.DateOffset(months=23)
    ids = revenue["customer_id"].astype("string").str.strip()
    amount = pd.to_numeric(revenue["revenue"], errors="coerce").fillna(0.0).astype(float)
    in_prior = (periods >= prior_start) & (periods < current_start)
    in_current = (periods >= current_start) & (periods <= end)
    frame = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "P": amount.where(in_prior, 0.0).to_numpy(),
            "C": amount.where(in_current, 0.0).to_numpy(),
        }
    )[(in_prior | in_current).to_numpy()]
    return frame.groupby("customer_id", sort=True)[["P", "C"]].sum()


def _reference(revenue: pd.DataFrame, customers: pd.DataFrame) -> dict[str, float]:
    """The bridge and Earned Growth from the reference sums, as the first version did."""
    per = _reference_sums(revenue)
    P, C = per["P"], per["C"]
    base, new = P > 0, ~(P > 0)
    churn, kept = base & (C <= 0), base & (C > 0)
    text = customers["referral_source"].map(
        lambda v: "" if pd.isna(v) else " ".join(str(v).strip().lower().replace("_", " ").split())
    )
    flags = text.map(lambda t: "referral" in t or "word of mouth" in t)
    ids = customers["customer_id"].astype("string").str.strip()
    flags = pd.Series(flags.to_numpy(dtype=bool), index=ids.to_numpy()).groupby(level=0).any()
    earned = new & (C != 0) & pd.Series(per.index.isin(flags.index[flags.to_numpy()]), per.index)
    return {
        "prior_revenue": float(P[base].sum()),
        "expansion": float((C - P)[kept].clip(lower=0).sum()),
        "contraction": float((P - C)[kept].clip(lower=0).sum()),
        "churned": float((P - C)[churn].sum()),
        "new_revenue": float(C[new].sum()),
        "current_revenue": float(C.sum()),
        "nrr": float(C[base].sum()) / float(P[base].sum()),
        "grr": float(pd.concat([C[base], P[base]], axis=1).min(axis=1).sum())
        / float(P[base].sum()),
        "earned_new_revenue": float(C[earned].sum()),
        "n_base": int(base.sum()),
        "n_churned": int(churn.sum()),
        "n_new": int((new & (C != 0)).sum()),
        "n_earned_new": int(earned.sum()),
        "prior_excluded_revenue": float(P[~base].sum()),
    }


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_numbers_bit_for_bit_as_the_pandas_groupby(storage: str, seed: int) -> None:
    # Arrow/numpy grouping must give exactly the old pandas result: messy ids (spaces,
    # blanks, the same id with and without spaces), unsorted rows, NaN amounts, credits.
    rng = np.random.default_rng(seed)
    n = 5_000
    pool = np.array([f"c{i:03d}" for i in range(300)] + [" c001", "c002 ", "  ", "é1", "Z9"])
    ids = pd.array(rng.choice(pool, n), dtype=pd.StringDtype(storage))
    ids[rng.random(n) < 0.01] = pd.NA
    amount = rng.lognormal(3, 1, n) * np.where(rng.random(n) < 0.05, -1, 1)
    amount[rng.random(n) < 0.01] = np.nan
    revenue = pd.DataFrame(
        {
            "customer_id": ids,
            "period": pd.to_datetime("2022-01-01")
            + pd.to_timedelta(rng.integers(0, 36 * 30, n), unit="D"),
            "revenue": amount,
        }
    )
    sources = rng.choice(["Referral", "word_of_mouth", "Sales", None, " REFERRAL "], 320)
    cust = pd.DataFrame(
        {
            "customer_id": pd.array([*pool[:300], *pool[300:], *pool[:15]], dtype="string"),
            "referral_source": pd.array(sources, dtype="string"),
        }
    )
    before = revenue.copy()
    got = revenue_retention(revenue, cust)
    for name, value in _reference(revenue, cust).items():
        assert getattr(got, name) == value, name  # exactly, not approximately
    pd.testing.assert_frame_equal(revenue, before)  # NaN amounts were zeroed in a copy
    # Arrow ids in several chunks (as a reader gives them) are numbered as one column
    chunked = pd.concat([revenue.iloc[:1234], revenue.iloc[1234:]], ignore_index=True)
    assert revenue_retention(chunked, cust) == got
    # nothing to strip (the shorter path), in the rows' own order and sorted by id as
    # read_revenue gives it (there the ids' first appearance is already their sorted order)
    ids = revenue["customer_id"]
    tidy = revenue[ids.notna() & (ids.str.strip() == ids)]
    for rows in (tidy, tidy.sort_values(["customer_id", "period"])):
        got = revenue_retention(rows, cust)
        for name, value in _reference(rows, cust).items():
            assert getattr(got, name) == value, name


def test_periods_as_text_and_mid_month_dates_fall_in_their_month() -> None:
    rows = spread("a", 120, 240) + spread("b", 0, 12)
    df = table(rows)
    shifted = df.assign(period=df["period"] + pd.Timedelta(days=14))
    text = df.assign(period=df["period"].dt.strftime("%Y-%m-%d"))
    ref = revenue_retention(df)
    for other in (shifted, text):
        r = revenue_retention(other)
        assert (r.nrr, r.new_revenue, r.as_of) == (ref.nrr, ref.new_revenue, ref.as_of)


#: Every character Python's str.strip() removes.
WHITESPACE = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=st.sampled_from(["a", "B", "é", "1", "中", "😀", *WHITESPACE])),
        ),
        max_size=30,
    )
)
def test_arrow_ids_are_stripped_and_sorted_as_python_does(values: list[str | None]) -> None:
    # ids held by Arrow take the Arrow path; the same ids held by Python the pandas one
    arrow_ids = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    codes, unique = _id_codes(arrow_ids)
    ref_codes, ref_unique = _id_codes(pd.Series(values, dtype=object))
    assert list(unique) == list(ref_unique) == sorted({v.strip() for v in values if v is not None})
    np.testing.assert_array_equal(codes, ref_codes)
