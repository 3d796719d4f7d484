"""The panel and its cells: hand-checked customers, conservation, responses, engines."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import hypothesis.strategies as st
import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from _panel_reference import COLUMNS, month_no, reference_panel
from cxvalue._panel_inputs import one_row_per_month
from cxvalue._panel_result import _SCRATCH
from cxvalue.errors import ColumnError, EmptyInputError, InputError, ParameterError
from cxvalue.models import fit_retention
from cxvalue.panel import Panel, build_panel, cells, snapshot_panel

S = "string"


def ts(*dates: str) -> pd.DatetimeIndex:
    return pd.to_datetime(list(dates))


def monthly(cid: str, first: str, last: str, amount: float = 100.0, skip=()) -> pd.DataFrame:
    periods = [p for p in pd.date_range(first, last, freq="MS") if f"{p:%Y-%m}" not in skip]
    values = [amount + i for i in range(len(periods))]
    return pd.DataFrame({"customer_id": cid, "period": periods, "revenue": values})


@pytest.fixture(scope="module")
def revenue() -> pd.DataFrame:
    """Five customers, data to 2023-12, worked through in the test docstrings."""
    parts = [
        monthly("00042", "2021-06", "2023-12", skip=("2022-03",)),  # one 31-month life, a gap month
        monthly("42", "2023-01", "2023-03", 50.0),  # churns in March (Apr-Jul empty) ...
        pd.DataFrame({"customer_id": "42", "period": ts("2023-08-01", "2023-09-01"),
                      "revenue": [80.0, -20.0]}),  # ... comes back in Aug, credit in Sep, churns
        pd.DataFrame({"customer_id": "00100", "period": ts("2023-04-01", "2023-11-01"),
                      "revenue": [0.0, 0.0]}),  # explicit zero rows: not activity
        monthly("00100", "2023-05", "2023-10", 10.0),  # last revenue Oct: censored
        pd.DataFrame({"customer_id": "0042", "period": ts("2022-12-01"), "revenue": [50.0]}),
        pd.DataFrame({"customer_id": "A-7", "period": ts("2023-12-01"), "revenue": [5.0]}),
    ]  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out["customer_id"] = out["customer_id"].astype(S)
    return out


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": ["00042", "00042", "42", "42", "00100", "0042"],
            "responded_at": ts(
                "2022-01-01", "2022-05-02", "2023-02-20", "2023-02-10", "2023-06-01", "2022-11-30"
            ),  # fmt: skip
            "score": [9, 6, 10, 3, 8, 0],
            "category": ["promoter", "detractor", "promoter", "detractor", "passive", "detractor"],
            "response_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
        }
    )
    return frame.astype({"customer_id": S, "response_id": S})


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": ["00042", "42", "00100", "A-7"],
            "segment": ["enterprise", "smb", "smb", "smb"],
            "region": ["north", "south", "north", None],
        }
    )
    return frame.astype({"customer_id": S})


def compare(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False, rtol=1e-9
    )


# --- hand-made customers against the plain-loop reference ------------------------------


@pytest.mark.parametrize(("window", "churn_after"), [(12, 3), (3, 2), (1, 1)])
def test_panel_matches_reference(revenue, responses, customers, window, churn_after):
    panel = build_panel(responses, revenue, customers, window_months=window,
                        churn_after_months=churn_after)  # fmt: skip
    want = reference_panel(responses, revenue, customers, window=window, churn_after=churn_after)
    compare(panel.to_pandas(), want)


@pytest.mark.parametrize("churn_after", [1, 2, 6])
def test_another_churn_rule_cuts_the_same_months(revenue, responses, customers, churn_after):
    """with_churn_after(k) on a panel built with another rule is the panel built with k,
    for customers listed with a churn date and customers left to the rule alike; every
    rule reads the customer-months and spell edges stored at the first."""
    dates = customers.assign(churned_at=ts("2023-06-15", None, None, None)).iloc[:2]
    for table in (customers, dates):
        base = build_panel(responses, revenue, table, window_months=3)
        recut = base.with_churn_after(churn_after)
        want = reference_panel(responses, revenue, table, window=3, churn_after=churn_after)
        compare(recut.to_pandas(), want)
        assert recut.churn_after_months == churn_after
        rule = build_panel(responses, revenue, table, churn_after_months=churn_after).churn_rule
        assert recut.churn_rule == rule
        stored = base.recut.stored  # each run once into a file beside the connection
        files = sorted(f.name for f in _SCRATCH[id(base.backend)].iterdir())
        tables = (stored.months, stored.edges)
        assert files == sorted(f"{t.get_name()}.parquet" for t in tables)
        assert recut.with_churn_after(3).recut.stored is stored
        compare(recut.with_churn_after(3).to_pandas(), base.to_pandas())


def test_hand_checked_facts(revenue, responses):
    """A few values worked on paper, so the reference itself is pinned."""
    df = build_panel(responses, revenue).to_pandas().set_index(["customer_id", "period"])
    assert df.loc[("00042", "2022-03-01"), "revenue"] == 0.0  # gap month inside the life
    assert df.loc["00042", "tenure_band"].value_counts().to_dict() == {
        "0-11m": 12, "12-23m": 12, "24m+": 7}  # fmt: skip
    c42 = df.loc["42"]
    assert list(c42["spell"]) == [1, 1, 1, 2, 2]
    assert list(c42["churned"]) == [0, 0, 1, 0, 1]  # Mar, then Sep (Oct-Dec empty)
    assert list(c42["tenure_months"]) == [0, 1, 2, 0, 1]
    c100 = df.loc["00100"]
    assert len(c100) == 6 and c100["churned"].sum() == 0  # May-Oct, censored
    assert df.loc[("0042", "2022-12-01"), "churned"] == 1
    assert df.loc[("0042", "2022-12-01"), "revenue_next"] == 0.0
    assert df.loc[("00042", "2022-12-01"), "revenue_next"] == df.loc[
        ("00042", "2023-01-01"):("00042", "2023-12-01"), "revenue"].sum()  # fmt: skip
    assert pd.isna(df.loc[("00042", "2023-01-01"), "revenue_next"])  # window passes Dec


def test_revenue_windows_reach_across_spells(revenue, responses):
    """Customer 42 churns in March and comes back in August: the windows count months, so
    March's next six months (Apr-Sep) take in the second spell's 80 and -20, and August's
    last twelve take in the first spell's three months."""
    df = build_panel(responses, revenue, window_months=6).to_pandas()
    c42 = df[df.customer_id == "42"].set_index("period")
    assert list(c42["spell"]) == [1, 1, 1, 2, 2]  # no row for the months between spells
    assert c42.loc["2023-03-01", "revenue_next"] == 60.0  # 0 + 0 + 0 + 0 + 80 - 20
    assert c42.loc["2023-01-01", "revenue_next"] == 51.0 + 52.0  # Feb-Jul
    assert c42.loc["2023-08-01", "revenue_trailing"] == 50.0 + 51.0 + 52.0 + 80.0
    assert c42.loc["2023-09-01", "revenue_trailing"] == 50.0 + 51.0 + 52.0 + 80.0 - 20.0


def test_explicit_churn_dates(revenue, responses):
    """churned_at decides: rows end at its month, later revenue stays on rows not at risk."""
    dates = pd.DataFrame({
        "customer_id": pd.array(["00042", "42", "00100"], dtype=S),
        "churned_at": ts("2023-06-15", None, "2024-03-01"),  # 00100: after the data end
    })  # fmt: skip
    panel = build_panel(responses, revenue, dates)
    assert panel.churn_rule.startswith("churn = churned_at in the customers table")
    df = panel.to_pandas()
    compare(df, reference_panel(responses, revenue, dates))
    c42 = df[df.customer_id == "00042"].set_index("period")
    assert c42.loc["2023-06-01", "churned"] == 1
    assert c42.loc["2023-07-01":, "at_risk"].eq(0).all()
    assert df[df.customer_id == "42"]["period"].max() == pd.Timestamp("2023-12-01")
    assert df[df.customer_id == "42"]["churned"].sum() == 0  # no date: a customer still
    assert df.revenue.sum() == pytest.approx(revenue.revenue.sum())


def test_tenure_counts_from_acquisition(revenue, responses):
    """acquired_at before the first revenue month sets tenure; after it, it is ignored."""
    acquired = pd.DataFrame({
        "customer_id": pd.array(["00042", "42", "00100"], dtype=S),
        "acquired_at": ts("2020-06-01", "2022-02-15", "2024-01-01"),
    })  # fmt: skip
    df = build_panel(responses, revenue, acquired).to_pandas().set_index(["customer_id", "period"])
    assert df.loc[("00042", "2021-06-01"), "tenure_months"] == 12  # Jun 2020 -> Jun 2021
    assert df.loc[("00042", "2021-06-01"), "tenure_band"] == "12-23m"
    assert list(df.loc["42", "tenure_months"]) == [11, 12, 13, 0, 1]  # new spell restarts
    assert df.loc["00100", "tenure_months"].iloc[0] == 0  # acquired after revenue: ignored


def test_panel_object(revenue, responses, customers):
    panel = build_panel(responses, revenue, customers)
    assert isinstance(panel, Panel)
    assert isinstance(panel.expr, ibis.Table)
    assert panel.data_end == pd.Timestamp("2023-12-01")
    assert panel.churn_rule == "churn = no revenue for 3 consecutive months (no churn dates given)"
    assert panel.controls_available == ("segment", "region", "size_band", "tenure_band")
    assert panel.columns == [*COLUMNS, "segment", "region"]
    assert panel.count() == len(panel.to_pandas()) == panel.to_pyarrow().num_rows
    assert "Panel(monthly" in repr(panel) and len(repr(panel)) < 200
    df = panel.to_pandas()
    assert df["customer_id"].dtype == "string"
    assert df["period"].dtype == "datetime64[ns]"
    assert df["churned"].dtype == "int64" and df["score"].dtype == "Int64"


def test_inputs_are_not_mutated(revenue, responses, customers):
    before = [t.copy() for t in (revenue, responses, customers)]
    build_panel(responses, revenue, customers).to_pandas()
    for old, new in zip(before, (revenue, responses, customers), strict=True):
        pd.testing.assert_frame_equal(old, new)


# --- latest response ------------------------------------------------------------------


def one_customer(*answers: tuple[str, int], recency: int = 12) -> pd.DataFrame:
    rev = monthly("007", "2023-01", "2024-12").astype({"customer_id": S})
    resp = pd.DataFrame({
        "customer_id": pd.array(["007"] * len(answers), dtype=S),
        "responded_at": pd.to_datetime([a for a, _ in answers]),
        "score": [s for _, s in answers],
        "category": ["promoter" if s >= 9 else "detractor" for _, s in answers],
    })  # fmt: skip
    df = build_panel(resp, rev, recency_months=recency).to_pandas()
    return df.set_index(df["period"].dt.strftime("%Y-%m"))


def test_response_on_the_first_counts_that_month():
    df = one_customer(("2023-03-01", 9))
    assert df.loc["2023-02", "category"] == "not_surveyed"
    assert df.loc["2023-03", "score"] == 9 and df.loc["2023-03", "months_since_response"] == 0


def test_response_on_the_second_counts_from_next_month():
    df = one_customer(("2023-03-02", 9))
    assert df.loc["2023-03", "category"] == "not_surveyed"
    assert df.loc["2023-04", "category"] == "promoter"
    assert df.loc["2023-04", "months_since_response"] == 1


def test_response_expires_after_recency():
    df = one_customer(("2023-03-02", 9), recency=6)
    assert (df.loc["2023-04":"2023-09", "category"] == "promoter").all()
    assert df.loc["2023-10", "category"] == "not_surveyed"
    assert pd.isna(df.loc["2023-10", "score"])


def test_two_responses_in_a_month_take_the_later():
    df = one_customer(("2023-03-20", 2), ("2023-03-05", 10))
    assert df.loc["2023-04", "score"] == 2
    df = one_customer(("2023-03-01", 10), ("2023-03-02", 2))  # 1st counts in March alone
    assert df.loc["2023-03", "score"] == 10 and df.loc["2023-04", "score"] == 2


def test_no_responses_means_not_surveyed(revenue):
    df = build_panel(None, revenue).to_pandas()
    assert set(df.category) == {"not_surveyed"} and df.score.isna().all()


# --- conservation (hypothesis) ---------------------------------------------------------

IDS = ["007", "07", "7", "0100", "A1", "x 1"]


@st.composite
def canonical(draw):
    """Small canonical revenue and responses tables, ids with leading zeros."""
    cells_ = draw(st.dictionaries(
        st.tuples(st.sampled_from(IDS), st.integers(0, 23)),
        st.sampled_from([0.0, -15.5, 7.25, 100.0, 1234.5]), min_size=1, max_size=40,
    ))  # fmt: skip
    rev = pd.DataFrame(
        [
            (c, pd.Timestamp("2022-01-01") + pd.DateOffset(months=m), v)
            for (c, m), v in cells_.items()
        ],
        columns=["customer_id", "period", "revenue"],
    ).astype({"customer_id": S})
    answer = st.tuples(st.sampled_from(IDS), st.integers(0, 760), st.integers(0, 10))
    answers = draw(st.lists(answer, max_size=12))
    resp = pd.DataFrame({
        "customer_id": pd.array([a for a, _, _ in answers], dtype=S),
        "responded_at": pd.to_datetime([pd.Timestamp("2021-12-01") + pd.Timedelta(days=d)
                                        for _, d, _ in answers]),
        "score": pd.array([s for _, _, s in answers], dtype="int64"),
        "category": [("promoter" if s >= 9 else "passive" if s >= 7 else "detractor")
                     for _, _, s in answers],
        "response_id": pd.array([f"r{i:02d}" for i in range(len(answers))], dtype=S),
    })  # fmt: skip
    return rev, resp, draw(st.integers(1, 4)), draw(st.integers(1, 6)), draw(st.integers(1, 13))


def expected_spells(rev: pd.DataFrame, churn_after: int) -> dict[str, list[tuple[int, int]]]:
    """(first, last) active month of each spell, from the revenue table alone."""
    out: dict[str, list[tuple[int, int]]] = {}
    active = rev[rev.revenue != 0]
    for cid, group in active.groupby("customer_id"):
        months = sorted(month_no(p) for p in group.period)
        spells = [[months[0], months[0]]]
        for m in months[1:]:
            if m - spells[-1][1] > churn_after:
                spells.append([m, m])
            spells[-1][1] = m
        out[cid] = [tuple(s) for s in spells]
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canonical())
def test_conservation(data):
    rev, resp, churn_after, window, recency = data
    if not (rev.revenue != 0).any():
        return
    df = build_panel(resp, rev, churn_after_months=churn_after, window_months=window,
                     recency_months=recency).to_pandas()  # fmt: skip
    assert df.revenue.sum() == pytest.approx(rev.revenue.sum(), abs=1e-6)
    spells = expected_spells(rev, churn_after)
    assert len(df) == sum(last - first + 1 for s in spells.values() for first, last in s)
    assert not df.duplicated(["customer_id", "period"]).any()
    assert set(df.customer_id) == set(spells)  # ids kept as text: 007, 07 and 7 differ
    per_spell = df.groupby(["customer_id", "spell"]).churned.sum()
    assert per_spell.isin([0, 1]).all()
    data_end = month_no(rev.period.max())
    for cid, lives in spells.items():
        churns = [int(last + churn_after <= data_end) for _, last in lives]
        assert list(per_spell.loc[cid]) == churns
    want = reference_panel(resp, rev, window=window, churn_after=churn_after, recency=recency)
    compare(df.drop(columns="size_band"), want.drop(columns="size_band"))
    # size bands: computed from the spells, not the rows; they must order the customers
    # as the reference's averages do (bands may differ only between tied averages)
    rank = {"small": 0, "medium": 1, "large": 2}
    band = df.groupby("customer_id").size_band.first().map(rank)
    first = want.groupby("customer_id").period.transform("min")
    early = want[want.period < first + pd.DateOffset(months=12)]
    avg = early.groupby("customer_id").revenue.mean()
    assert band.value_counts().sort_index().tolist() == (
        want.groupby("customer_id").size_band.first().map(rank).value_counts().sort_index().tolist()
    )
    apart = avg.to_numpy()[:, None] < avg.to_numpy()[None, :] - 1e-6 * (1 + avg.abs().max())
    assert (band[avg.index].to_numpy()[:, None] <= band[avg.index].to_numpy()[None, :])[apart].all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canonical(), st.integers(1, 6))
def test_with_churn_after_is_the_panel_built_with_that_rule(data, other):
    rev, resp, churn_after, window, recency = data
    if not (rev.revenue != 0).any():
        return
    kw = {"window_months": window, "recency_months": recency}
    base = build_panel(resp, rev, churn_after_months=churn_after, **kw)
    want = build_panel(resp, rev, churn_after_months=other, **kw).to_pandas()
    pd.testing.assert_frame_equal(base.with_churn_after(other).to_pandas(), want)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canonical(), st.randoms(use_true_random=False))
def test_row_order_and_split_months_give_the_same_panel(data, rnd):
    """Rows sorted with one per customer-month (as read_revenue gives them) skip the
    engine's summing per customer-month; shuffled rows, or a month split over two rows,
    are summed: every form gives the same panel."""
    rev, resp, churn_after, window, recency = data
    if not (rev.revenue != 0).any():
        return
    tidy = rev.sort_values(["customer_id", "period"], ignore_index=True)
    shuffled = tidy.sample(frac=1, random_state=rnd.randrange(2**31), ignore_index=True)
    row = rnd.randrange(len(tidy))
    part = tidy.iloc[[row]].assign(revenue=0.25)
    split = pd.concat([tidy.assign(revenue=tidy.revenue - 0.25 * (tidy.index == row)), part])
    split = split.sort_values(["customer_id", "period"], ignore_index=True)
    assert one_row_per_month(tidy) and not one_row_per_month(split)
    kw = {"churn_after_months": churn_after, "window_months": window, "recency_months": recency}
    want = build_panel(resp, tidy, **kw).to_pandas()
    for other in (shuffled, split):
        pd.testing.assert_frame_equal(build_panel(resp, other, **kw).to_pandas(), want)


# --- cells -----------------------------------------------------------------------------


def pandas_cells(df: pd.DataFrame, by: list[str], values: list[str]) -> pd.DataFrame:
    g = df.groupby(by, dropna=False)
    out = pd.DataFrame({
        "n_rows": g.size(), "exposure": g.at_risk.sum(), "events": g.churned.sum(),
        "n_customers": g.customer_id.nunique(),
    })  # fmt: skip
    for v in values:
        x = df[v].astype("float64")
        out[f"{v}_n"] = x.groupby([df[b] for b in by], dropna=False).count()
        out[f"{v}_sum"] = x.groupby([df[b] for b in by], dropna=False).sum()
        out[f"{v}_sq"] = (x * x).groupby([df[b] for b in by], dropna=False).sum()
    out = out.reset_index()
    for b in by:  # a missing key comes back from the engine as None, not NaN
        out[b] = out[b].astype(object).where(out[b].notna(), None)
    return out


def test_cells_equal_pandas_groupby(revenue, responses, customers):
    panel = build_panel(responses, revenue, customers, window_months=3)
    by, values = ["category", "tenure_band", "segment"], ["revenue", "revenue_next", "score"]
    got = cells(panel, by, values)
    want = pandas_cells(panel.to_pandas(), by, values)
    compare(got, want)
    assert got[["n_rows", "exposure", "events", "n_customers", "score_n"]].dtypes.eq("int64").all()
    assert list(got.columns[:7]) == [*by, "n_rows", "exposure", "events", "n_customers"]


def test_cells_where_and_no_grouping(revenue, responses):
    panel = build_panel(responses, revenue)
    total = cells(panel, [])
    assert total.n_rows.item() == panel.count() and total.n_customers.item() == 5
    surveyed = cells(panel, ["category"], where=lambda t: t.category != "not_surveyed")
    assert "not_surveyed" not in set(surveyed.category)
    deferred = cells(panel, ["category"], where=ibis._.category != "not_surveyed")
    compare(surveyed, deferred)
    compare(cells(panel.to_pandas(), ["category"]), cells(panel, ["category"]))


def test_cells_explicit_exposure(revenue, responses):
    dates = pd.DataFrame({"customer_id": pd.array(["00042"], dtype=S),
                          "churned_at": ts("2023-06-15")})  # fmt: skip
    c = cells(build_panel(responses, revenue, dates), [])
    assert c.n_rows.item() - c.exposure.item() == 6  # Jul-Dec after the churn date


def test_cells_unknown_column(revenue):
    with pytest.raises(ColumnError, match="segmnt") as err:
        cells(build_panel(None, revenue), ["segmnt"])
    assert err.value.column == "segmnt"


def test_input_forms_give_identical_cells(tmp_path, revenue, responses, customers):
    by, values = ["category", "size_band", "segment"], ["revenue_next"]
    want = cells(build_panel(responses, revenue, customers), by, values)
    for name, frame in (("rev", revenue), ("resp", responses), ("cust", customers)):
        frame.to_parquet(tmp_path / f"{name}.parquet")
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    arrow = [pa.Table.from_pandas(f, preserve_index=False) for f in (responses, revenue, customers)]
    con = ibis.duckdb.connect()
    bound = [con.read_parquet(tmp_path / f"{n}.parquet") for n in ("resp", "rev", "cust")]
    wrapped = [SimpleNamespace(table=f) for f in (responses, revenue, customers)]
    forms = {
        "arrow": arrow,
        "parquet": [tmp_path / f"{n}.parquet" for n in ("resp", "rev", "cust")],
        "csv": [str(tmp_path / f"{n}.csv") for n in ("resp", "rev", "cust")],
        "ibis": bound,
        "ingest result": wrapped,
    }
    for name, (resp, rev, cust) in forms.items():
        panel = build_panel(resp, rev, cust)
        compare(cells(panel, by, values), want), name
    assert build_panel(*bound).backend is con


# --- other engines ---------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery", "postgres", "trino"])
def test_panel_compiles_for_warehouses(revenue, responses, customers, dialect):
    """No asof joins or DuckDB-only functions: the expression compiles elsewhere."""
    panel = build_panel(responses, revenue, customers)
    assert "SELECT" in ibis.to_sql(panel.expr, dialect=dialect)


# --- snapshot panel --------------------------------------------------------------------


def test_snapshot_panel_small():
    table = pd.DataFrame({
        "customer_id": ["a", "b", "c"], "tenure_months": [3, 0, 2], "churned": [1, 0, 0],
        "monthly_revenue": [10.0, 20.0, 30.0], "score": [1, 3, 5], "plan": ["x", "y", "x"],
    })  # fmt: skip
    panel = snapshot_panel(table)
    df = panel.to_pandas()
    assert panel.kind == "snapshot" and "not a lagged design" in panel.churn_rule
    assert list(df.customer_id) == ["a", "a", "a", "b", "c", "c"]  # tenure 0 counts one month
    assert list(df.churned) == [0, 0, 1, 0, 0, 0]
    assert list(df.category.unique()) == ["detractor", "passive", "promoter"]
    assert list(df.revenue_trailing) == [10.0, 20.0, 30.0, 20.0, 30.0, 60.0]
    assert df.revenue_next.isna().all() and df.period.isna().all()
    assert panel.controls_available == ("plan", "size_band", "tenure_band")
    c = cells(panel, ["category"])
    assert c.exposure.sum() == 6 and c.events.sum() == 1
    mapped = snapshot_panel(table, scale={1: "detractor", 3: "passive"}).to_pandas()
    assert mapped.category.iloc[-1] == "not_surveyed"
    with pytest.raises(InputError, match="a snapshot panel has no months"):
        panel.with_churn_after(2)


def test_a_snapshot_s_base_is_its_customers_who_stay():
    """The base value() and today's mix start from: one row per customer who had not
    churned at the snapshot, in the tenure band of their last month."""
    rng = np.random.default_rng(11)
    n = 400
    table = pd.DataFrame({
        "customer_id": [f"c{i:03d}" for i in range(n)], "tenure_months": rng.integers(0, 40, n),
        "churned": rng.binomial(1, 0.3, n), "monthly_revenue": rng.uniform(20, 120, n).round(2),
        "score": rng.integers(1, 6, n),
    })  # fmt: skip
    model = fit_retention(snapshot_panel(table), controls=["tenure_band"])
    stay = table[table.churned == 0]
    last = (stay.tenure_months.clip(lower=1) - 1).to_numpy()
    expected = stay.assign(
        category=np.select([stay.score <= 2, stay.score == 3], ["detractor", "passive"],
                           "promoter"),
        tenure_band=np.select([last < 12, last < 24], ["0-11m", "12-23m"], "24m+"),
    ).groupby(["category", "tenure_band"]).agg(n=("customer_id", "size"),
                                               revenue=("monthly_revenue", "sum"))  # fmt: skip
    got = model.base.set_index(["category", "tenure_band"])[["n", "revenue"]]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_snapshot_from_ibm_telco(shared_data):
    folder = shared_data / "real" / "ibm-telco"
    if not folder.is_dir():
        pytest.skip(f"../shared/data not found: {folder} is missing")
    status = pd.read_excel(folder / "Telco_customer_churn_status.xlsx")
    services = pd.read_excel(folder / "Telco_customer_churn_services.xlsx")
    table = status.merge(services.drop(columns=["Count", "Quarter"]), on="Customer ID")
    panel = snapshot_panel(table, customer_id="Customer ID", tenure="Tenure in Months",
                           churned="Churn Value", revenue="Monthly Charge",
                           score="Satisfaction Score")  # fmt: skip
    c = cells(panel, ["category"])
    assert c.events.sum() == 1869 and c.n_customers.sum() == 7043
    assert c.exposure.sum() == services["Tenure in Months"].clip(lower=1).sum()
    by_cat = c.set_index("category")
    assert by_cat.loc["detractor", "n_customers"] == 922 + 518  # scores 1-2, all churned
    assert by_cat.loc["detractor", "events"] == 922 + 518
    assert by_cat.loc["promoter", "events"] == 0
    assert "Contract" in panel.controls_available


# --- errors ----------------------------------------------------------------------------


def test_integer_ids_are_refused(revenue):
    with pytest.raises(InputError, match="00123"):
        build_panel(None, revenue.astype({"customer_id": "int64"}, errors="ignore")
                    .assign(customer_id=range(len(revenue))))  # fmt: skip


def test_missing_column_names_the_nearest(revenue):
    with pytest.raises(ColumnError, match="Did you mean 'revenue_eur'") as err:
        build_panel(None, revenue.rename(columns={"revenue": "revenue_eur"}))
    assert err.value.column == "revenue" and err.value.nearest == "revenue_eur"


def test_duplicate_customers_are_refused(revenue, customers):
    with pytest.raises(InputError, match="one row per customer"):
        build_panel(None, revenue, pd.concat([customers, customers]))


def test_empty_revenue(revenue):
    with pytest.raises(EmptyInputError):
        build_panel(None, revenue.iloc[:0])


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"window_months": 0}, "window_months"), ({"churn_after_months": 1.5}, "churn_after_months"),
    ({"tenure_bands": (24, 12)}, "tenure_bands"), ({"size_bands": 0}, "size_bands"),
])  # fmt: skip
def test_bad_parameters(revenue, kwargs, name):
    with pytest.raises(ParameterError, match=f"The '{name}' parameter of build_panel"):
        build_panel(None, revenue, **kwargs)


@pytest.mark.parametrize("months", [0, 2.0, True])
def test_another_churn_rule_must_be_a_positive_whole_number(revenue, months):
    with pytest.raises(ParameterError, match="'months' parameter of Panel.with_churn_after"):
        build_panel(None, revenue).with_churn_after(months)


def test_size_bands_are_terciles_of_customers():
    rng = np.random.default_rng(3)
    rev = pd.concat([monthly(f"{i:03d}", "2023-01", "2023-06", float(a))
                     for i, a in enumerate(rng.integers(1, 1000, 9))])  # fmt: skip
    df = build_panel(None, rev.astype({"customer_id": S}), size_bands=3).to_pandas()
    per = df.groupby("customer_id").agg(band=("size_band", "first"), avg=("revenue", "mean"))
    assert per.band.value_counts().to_dict() == {"small": 3, "medium": 3, "large": 3}
    assert per.groupby("band").avg.max()["small"] < per.groupby("band").avg.min()["medium"]


def test_size_band_is_fixed_by_the_first_twelve_months():
    """A grows after its first year, B shrinks: over 12 months A is smaller, over any
    longer stretch larger. A gap month inside the first year counts as revenue 0."""
    grows = pd.concat([monthly("A", "2022-01", "2022-12", 100.0, skip=("2022-06",)),
                       monthly("A", "2023-01", "2023-12", 5000.0)])  # fmt: skip
    shrinks = pd.concat([monthly("B", "2022-01", "2022-12", 120.0),
                         monthly("B", "2023-01", "2023-12", 1.0)])  # fmt: skip
    rev = pd.concat([grows, shrinks]).astype({"customer_id": S})
    df = build_panel(None, rev, size_bands=2).to_pandas()
    assert df.groupby("customer_id").size_band.first().to_dict() == {"A": "small", "B": "large"}
    df = build_panel(None, rev[rev.customer_id == "A"].assign(revenue=1.0), size_bands=1)
    assert df.to_pandas().size_band.eq("all").all()


def test_a_materialized_panel_gives_the_same_cells_and_fits(sample_panel):
    """Running the panel once into a stored table changes nothing but speed."""
    stored = sample_panel.materialize()
    pd.testing.assert_frame_equal(stored.to_pandas(), sample_panel.to_pandas())
    by = ["category", "segment", "tenure_band"]
    pd.testing.assert_frame_equal(cells(stored, by), cells(sample_panel, by))
    a = fit_retention(stored, controls=["segment"])
    b = fit_retention(sample_panel, controls=["segment"])
    pd.testing.assert_series_equal(a.params, b.params, rtol=1e-12)


def test_a_materialized_panel_s_file_goes_with_its_connection(revenue, responses):
    panel = build_panel(responses, revenue, backend=ibis.duckdb.connect())
    stored = panel.materialize()
    folder = _SCRATCH[id(panel.backend)]
    assert stored.count() == panel.count() and any(folder.glob("*.parquet"))
    del panel, stored
    gc.collect()
    assert not folder.exists()


def test_a_stored_panel_outlives_an_earlier_one(revenue, responses):
    """Two in-memory DuckDB connections compare equal in Ibis; the second panel's file
    must not go with the first connection (as when a notebook cell is run again)."""
    first = build_panel(responses, revenue).materialize()
    second = build_panel(responses, revenue).materialize()
    expected = first.count()
    del first
    gc.collect()
    assert second.count() == expected


def test_prefetched_queries_come_back_as_each_run_alone(sample_panel, monkeypatch):
    """Queries run together give each one's own result (a name shared by two queries with
    other types, NULLs kept), and fetching them then runs nothing more on the backend."""
    t = sample_panel.expr
    by_category = t.group_by("category").aggregate(n=t.count(), top=t.score.max())
    by_segment = t.group_by("segment").aggregate(n=t.revenue.mean(), category=t.score.count())
    other = t.group_by("tenure_band").aggregate(n=t.count())
    alone = [sample_panel.backend.to_pyarrow(q) for q in (by_category, by_segment, other)]
    ahead = sample_panel.prefetch([by_category, by_segment])
    calls = []
    run = ahead.backend.to_pyarrow
    monkeypatch.setattr(ahead.backend, "to_pyarrow", lambda q: calls.append(q) or run(q))
    for query, expected in zip((by_category, by_segment, other), alone, strict=True):
        got = ahead.fetch(query)
        assert got.schema == expected.schema
        key = query.columns[0]
        pd.testing.assert_frame_equal(
            got.to_pandas().sort_values(key, ignore_index=True),
            expected.to_pandas().sort_values(key, ignore_index=True),
        )
    assert len(calls) == 1  # only the query that was not prefetched
    assert sample_panel.prefetch([]).prefetched == {}
    assert alone[0].column("top").null_count == 1  # not_surveyed has no score


def test_materialize_keeps_the_columns_asked_for(revenue, responses, customers):
    panel = build_panel(responses, revenue, customers)
    stored = panel.materialize(columns=["segment"])
    assert stored.columns == [*panel.columns[: panel.columns.index("segment") + 1]]
    assert "region" not in stored.controls_available and "segment" in stored.controls_available
    by = ["category", "segment"]
    pd.testing.assert_frame_equal(cells(stored, by), cells(panel, by))
    with pytest.raises(ColumnError, match="'segmnt'"):
        panel.materialize(columns=["segmnt"])


def test_the_embedded_duckdb_keeps_to_its_memory_budget(revenue, responses):
    """The default engine spills past its limit, and hands memory it freed back to the
    system (left to DuckDB, it kept about 1 GB after the panel's query at 36M rows, on
    top of which the report's last phase then ran)."""
    con = build_panel(responses, revenue).backend.con

    def setting(name: str) -> object:
        return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]

    assert setting("memory_limit") == "1.1 GiB"  # 1.25 GB
    assert setting("allocator_background_threads") is True
    assert setting("allocator_flush_threshold") == "16MB"
