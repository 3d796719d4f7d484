"""Retention model: exact against the row-level fit, recovers planted truth, covers it,
agrees with lifelines' Cox model, and warns instead of failing on thin data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.genmod.families import links

import cxvalue as cx
from _models_sim import HAZARD_RATIO, customer_lives, panel_rows
from cxvalue.errors import ConvergenceWarning, InputError, ParameterError, SmallSampleWarning
from cxvalue.models import fit_retention
from cxvalue.samples import truth

TRUE_LOG_HR = {c: np.log(v) for c, v in HAZARD_RATIO.items()}


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return panel_rows(customer_lives(3000, 36, np.random.default_rng(7)))


def row_level_fit(rows: pd.DataFrame, model, link) -> sm.GLM:
    """The same model fitted row by row, one Bernoulli outcome per customer-month."""
    x = model.design.matrix(rows)
    family = sm.families.Binomial(link=link)
    return sm.GLM(rows["churned"].to_numpy(float), x, family=family).fit()


@pytest.mark.parametrize(
    ("link", "sm_link"), [("cloglog", links.CLogLog()), ("logit", links.Logit())]
)
def test_cells_fit_equals_row_level_fit(rows, link, sm_link):
    model = fit_retention(rows, controls=["segment"], link=link)
    ref = row_level_fit(rows, model, sm_link)
    np.testing.assert_allclose(model.params.to_numpy(), ref.params, rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(model.cov)), ref.bse, rtol=0, atol=1e-6)
    assert model.exposure == len(rows) and model.events == rows["churned"].sum()


def test_numeric_control_is_exact_too(rows):
    """tenure_months enters linearly: patterns are (category, segment, tenure), still exact."""
    model = fit_retention(rows, controls=["segment", "tenure_months"])
    assert model.design.numeric == ("tenure_months",)
    ref = row_level_fit(rows, model, links.CLogLog())
    np.testing.assert_allclose(model.params.to_numpy(), ref.params, rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(model.cov)), ref.bse, rtol=0, atol=1e-6)
    se = np.sqrt(model.cov.loc["tenure_months", "tenure_months"])
    assert abs(model.params["tenure_months"]) < 4 * se  # exponential lives: no tenure effect


def test_a_control_without_values_or_a_number_with_gaps_is_a_clear_error(rows):
    """Both gave statsmodels' "exog contains inf or nans" (a customers table keyed unlike
    the revenue leaves every segment empty); a text control's gaps are a level."""
    with pytest.raises(InputError, match="Control 'segment' has no value on the panel"):
        fit_retention(rows.assign(segment=None), controls=["segment"])
    gappy = rows.assign(tenure_months=rows["tenure_months"].where(rows.index % 50 > 0))
    with pytest.raises(InputError, match=r"Control 'tenure_months' is a number, missing in"):
        fit_retention(gappy, controls=["tenure_months"])
    some = fit_retention(rows.assign(segment=rows["segment"].where(rows.index % 50 > 0)),
                         controls=["segment"])  # fmt: skip
    assert "(missing)" in some.design.factors["segment"]
    # a number carried as text (the customers table keeps text): a level per value, a fit
    # that ran for more than five minutes on the sample's 20,000 customers
    employees = rows.assign(employees=(rows["customer_id"].astype(str).str[-3:]))
    with pytest.raises(InputError, match=r"Control 'employees' has 1,000 distinct values"):
        fit_retention(employees, controls=["employees"])


def test_no_answer_meeting_the_revenue_is_a_clear_error(rows):
    """Responses keyed unlike the revenue leave every month not_surveyed; the fit used to
    go ahead with not_surveyed as the reference and an effect table of one row."""
    with pytest.raises(InputError, match=r"no customer-month at risk has a survey answer.*"
                       r"key customers as the revenue does"):  # fmt: skip
        fit_retention(rows.assign(category="not_surveyed"), controls=["segment"])
    some = rows.assign(category=rows["category"].where(rows.index == 0, "not_surveyed"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one answer: thin, and said so (tested below)
        assert len(fit_retention(some, controls=["segment"]).design.factors["category"]) == 2


def test_to_frame_and_hazard_ratios(rows):
    model = fit_retention(rows, controls=["segment"])
    frame = model.to_frame()
    assert list(frame.columns[:5]) == ["term", "estimate", "lo", "hi", "p_value"]
    assert (frame["lo"] < frame["estimate"]).all() and (frame["estimate"] < frame["hi"]).all()
    hr = model.hazard_ratios().set_index("category")
    assert hr.loc["passive", "estimate"] == 1.0 and hr.loc["passive", "note"] == "reference"
    assert hr["events"].sum() == model.events
    for cat in ("promoter", "detractor"):
        assert hr.loc[cat, "lo"] < HAZARD_RATIO[cat] < hr.loc[cat, "hi"]


def test_survival_curves_are_consistent(rows):
    model = fit_retention(rows, controls=["segment"])
    curves = model.survival(24, n_draws=500)
    churn = model.monthly_churn().set_index("category")["monthly_churn"]
    for cat, curve in curves.groupby("category"):
        s = curve["survival"].to_numpy()
        assert s[0] == 1.0 and np.all(np.diff(s) < 0)  # starts at 1, falls
        np.testing.assert_allclose(s[12], (1 - churn[cat]) ** 12)
        assert (curve["lo"] <= s + 1e-12).all() and (s <= curve["hi"] + 1e-12).all()
    life = model.expected_lifetime(24, n_draws=500).set_index("category")
    s_det = curves[curves.category == "detractor"]["survival"].to_numpy()
    assert life.loc["detractor", "months"] == pytest.approx(s_det[1:].sum())
    assert (
        life.loc["promoter", "months"]
        > life.loc["passive", "months"]
        > life.loc["detractor", "months"]
    )


def test_actual_mix_standardises_over_the_current_base(rows):
    """The actual-mix curve is the base-weighted average of per-profile curves."""
    model = fit_retention(rows, controls=["segment"])
    prof = model.profiles("actual")
    assert prof.groupby("category")["w"].sum().to_numpy() == pytest.approx(1.0)
    surv = model.survival(6, mix="actual", n_draws=10).set_index(["category", "month"])
    one = prof[prof.category == "promoter"]
    want = np.sum(one["w"] * (1 - model.hazard(one)) ** 6)
    assert surv.loc[("promoter", 6), "survival"] == pytest.approx(want)


def test_sample_recovers_planted_hazard_ratios_and_shows_the_confounder():
    """With the size control the planted hazard ratios lie in the 95% intervals;
    without it the promoter effect is overstated (the confounder at work)."""
    paths = {k: f"data/samples/{k}.csv{'.gz' if k != 'customers' else ''}"
             for k in ("responses", "revenue", "customers")}  # fmt: skip
    panel = cx.build_panel(
        cx.read_responses(paths["responses"]),
        cx.read_revenue(paths["revenue"]),
        cx.read_customers(paths["customers"]),
    )
    true_hr = truth().effects["hazard_ratio"]
    adjusted = fit_retention(panel, controls=["segment", "size", "tenure_band"])
    hr = adjusted.hazard_ratios().set_index("category")
    for cat in ("promoter", "detractor", "not_surveyed"):
        assert hr.loc[cat, "lo"] < true_hr[cat] < hr.loc[cat, "hi"], cat
    naive = fit_retention(panel, controls=["segment", "tenure_band"])
    biased = naive.hazard_ratios().set_index("category")
    assert biased.loc["promoter", "estimate"] < hr.loc["promoter", "estimate"] - 0.02
    assert biased.loc["detractor", "estimate"] > hr.loc["detractor", "estimate"] + 0.05
    assert "adjusted for segment, size, tenure band" in adjusted.summary()
    # the reference's 1.00 stands in the estimates' column
    rows = [s for s in adjusted.summary().splitlines() if s.startswith("  ") and "events" in s]
    columns = {line.index(".") for line in rows}
    assert len(rows) == 4 and len(columns) == 1, rows


def test_ninety_percent_intervals_cover_at_their_rate():
    """Over 200 simulated datasets the 90% interval of the detractor hazard ratio
    covers the truth 85-95% of the time (measured: 88.5%)."""
    rng = np.random.default_rng(2026)
    hits = []
    for _ in range(200):
        rows = panel_rows(customer_lives(600, 24, rng))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            frame = fit_retention(rows, controls=["segment"], level=0.90).to_frame()
        det = frame.set_index("term").loc["category[detractor]"]
        hits.append(det["lo"] < HAZARD_RATIO["detractor"] < det["hi"])
    rate = float(np.mean(hits))
    assert 0.85 <= rate <= 0.95, f"coverage {rate:.3f}"


def test_agrees_with_lifelines_cox():
    """Continuous-time Cox (Efron ties) on exact times vs the monthly cloglog fit."""
    lifelines = pytest.importorskip("lifelines", reason="lifelines is a test dependency")
    lives = customer_lives(4000, 36, np.random.default_rng(11))
    model = fit_retention(panel_rows(lives), controls=["segment"])
    data = pd.get_dummies(lives[["category", "segment"]], dtype=float)
    data = data.drop(columns=["category_passive", "segment_Mid-Market"])
    data["time"], data["event"] = lives["time"], lives["churned"]
    cox = lifelines.CoxPHFitter().fit(data, duration_col="time", event_col="event")
    hr = model.hazard_ratios().set_index("category")["estimate"]
    for cat in ("promoter", "detractor"):
        cox_hr = float(np.exp(cox.params_[f"category_{cat}"]))
        assert hr[cat] == pytest.approx(cox_hr, rel=0.10), (cat, hr[cat], cox_hr)


def test_category_without_events_warns_and_still_fits(rows):
    thin = rows.copy()
    thin.loc[thin.category == "promoter", "churned"] = 0
    # the level is flagged, and its runaway estimate is said to be one
    with (
        pytest.warns(SmallSampleWarning, match="promoter.*no churn events"),
        pytest.warns(ConvergenceWarning, match="separation.*flagged terms"),
    ):
        model = fit_retention(thin, controls=["segment"])
    hr = model.hazard_ratios().set_index("category")
    assert hr.loc["promoter", "note"] == "no churn events"
    assert np.isnan(hr.loc["promoter", "estimate"])  # no number rather than exp(-30)
    assert np.isfinite(hr.loc["detractor", "estimate"])
    assert hr.loc["detractor", "lo"] < 2.0 < hr.loc["detractor", "hi"]
    assert "[no churn events]" in model.summary()


def test_tiny_segment_warns(rows):
    tiny = rows.copy()
    five = tiny["customer_id"].isin(tiny["customer_id"].unique()[:5])
    tiny.loc[five, "segment"] = "Public"
    with pytest.warns(SmallSampleWarning, match="segment = 'Public'"):
        model = fit_retention(tiny, controls=["segment"])
    assert "segment[Public]" in model.to_frame()["term"].to_list()


def test_bad_arguments(rows):
    with pytest.raises(ParameterError, match="'link'"):
        fit_retention(rows, link="probit")
    with pytest.raises(InputError, match="'size_band'"):
        fit_retention(rows, controls=["size_band"])


@pytest.mark.parametrize("with_at_risk", [True, False])
def test_one_pass_cells_and_base_equal_the_panel_cells(rows, with_at_risk):
    """The cells and the current base come from one grouped pass; they equal what
    ``cells()`` gives for the at-risk rows and for the last month's survivors."""
    from cxvalue.panel import cells

    frame = rows.assign(
        period=pd.Timestamp("2024-01-01") + pd.to_timedelta(rows["tenure_months"] * 31, "D"),
        revenue=np.arange(len(rows)) % 7 * 10.0,
    )
    frame["period"] = frame["period"].dt.to_period("M").dt.to_timestamp()
    last = frame["period"].max()
    if not with_at_risk:
        frame = frame.drop(columns="at_risk")
    model = fit_retention(frame, controls=["segment"])
    by = ["category", "segment"]
    risk = (lambda t: t.at_risk == 1) if with_at_risk else None
    expected = cells(frame, by, where=risk).drop(columns="n_customers")
    pd.testing.assert_frame_equal(model.cells, expected)

    def survivors(t):
        keep = (t.at_risk == 1) if with_at_risk else (t.churned == t.churned)
        return keep & (t.period == last.date()) & (t.churned == 0)

    base = cells(frame, by, ["revenue"], where=survivors)
    assert model.base["n"].tolist() == base["n_customers"].tolist() == base["n_rows"].tolist()
    np.testing.assert_allclose(model.base["revenue"], base["revenue_sum"], rtol=1e-12)
    np.testing.assert_allclose(model.base["revenue_sq"], base["revenue_sq"], rtol=1e-12)
    assert model.base[by].equals(base[by])
