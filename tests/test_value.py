"""Value: CLV arithmetic to the cent, planted truth on the sample, invariants."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxvalue as cx
from _models_sim import FixedGrowth, customer_lives, panel_rows
from cxvalue._clv import geometric_sum, monthly_rate
from cxvalue.errors import ParameterError
from cxvalue.figures._frames import describe
from cxvalue.models._design import Design
from cxvalue.report import words
from cxvalue.samples import SampleParams

SAMPLE_CONTROLS = ("segment", "size", "tenure_band")


def two_category_models(hazards: dict, growth: dict, revenue: float, customers: dict):
    """A retention model with the given monthly hazards (no uncertainty) and one profile."""
    lives = customer_lives(400, 12, np.random.default_rng(0))
    lives = lives[lives.category != "detractor"]
    fitted = cx.fit_retention(panel_rows(lives), controls=())
    a = np.log(-np.log1p(-hazards["passive"]))
    b = np.log(-np.log1p(-hazards["promoter"])) - a
    params = pd.Series([a, b], index=fitted.params.index)
    base = pd.DataFrame({"category": list(customers), "n": list(customers.values()),
                         "revenue": [revenue * n for n in customers.values()]})  # fmt: skip
    retention = dataclasses.replace(fitted, params=params, cov=fitted.cov * 0.0, base=base)
    design = Design(factors={"category": ("passive", "promoter")})
    g = pd.Series([growth["passive"], growth["promoter"] - growth["passive"]],
                  index=design.terms)  # fmt: skip
    return retention, FixedGrowth(params=g, design=design)


def test_clv_to_the_cent_on_a_two_category_example():
    hazards, growth = {"promoter": 0.01, "passive": 0.025}, {"promoter": 0.06, "passive": 0.0}
    retention, revenue = two_category_models(
        hazards, growth, 1000.0, {"promoter": 30, "passive": 70}
    )
    result = cx.value(retention, revenue, margin=0.4, discount_rate=0.1, horizon_months=24,
                      transition="passive_to_promoter", n_draws=100)  # fmt: skip
    d = (1.1) ** (1 / 12) - 1
    for cat in ("promoter", "passive"):
        by_hand = sum(0.4 * 1000.0 * np.exp(growth[cat] * t / 12) * (1 - hazards[cat]) ** t
                      / (1 + d) ** t for t in range(1, 25))  # fmt: skip
        row = result.clv.set_index("category").loc[cat]
        assert row["estimate"] == pytest.approx(by_hand, abs=0.005)
        assert row["lo"] == pytest.approx(by_hand, abs=0.005)  # no uncertainty: no width
    # the point: 1% of 100 customers move passive -> promoter, each gaining the gap
    point = cx.value(retention, revenue, margin=0.4, transition="passive_to_promoter",
                     discount_rate=0.1, horizon_months=24, n_draws=100).point.iloc[0]  # fmt: skip
    clv = result.clv.set_index("category")["estimate"]
    assert point["customers_moving"] == pytest.approx(1.0)
    assert point["estimate"] == pytest.approx(clv["promoter"] - clv["passive"], abs=0.01)


def test_without_a_revenue_model_revenue_is_held_flat_and_said_so():
    """A snapshot has no revenue history: value(retention, None) values each category by
    retention alone, at today's revenue."""
    hazards = {"promoter": 0.01, "passive": 0.025}
    retention, _ = two_category_models(hazards, {"promoter": 0.06, "passive": 0.0}, 1000.0,
                                       {"promoter": 30, "passive": 70})  # fmt: skip
    result = cx.value(retention, None, margin=0.4, discount_rate=0.1, horizon_months=24,
                      transition="passive_to_promoter", n_draws=100)  # fmt: skip
    d = 1.1 ** (1 / 12) - 1
    for cat in ("promoter", "passive"):
        by_hand = sum(0.4 * 1000.0 * (1 - hazards[cat]) ** t / (1 + d) ** t
                      for t in range(1, 25))  # fmt: skip
        assert result.clv.set_index("category").loc[cat, "estimate"] == pytest.approx(
            by_hand, abs=0.005
        )
    assert result.assumptions.flat_revenue
    assert "revenue held flat (no revenue model)" in result.summary()
    assert "Umsatz konstant gehalten" in describe(result.assumptions, "de")


def test_a_transition_from_a_category_the_base_lacks_is_flagged_not_valued_silently():
    retention, revenue = two_category_models(
        {"promoter": 0.01, "passive": 0.025}, {"promoter": 0.06, "passive": 0.0}, 1000.0,
        {"promoter": 100, "passive": 0},
    )  # fmt: skip
    with pytest.warns(cx.DataWarning, match="no passives.*transition='passive_to_promoter'"):
        result = cx.value(retention, revenue, transition="passive_to_promoter", n_draws=100)
    point = result.point.iloc[0]
    assert point["estimate"] == 0 and point["customers_moving"] == 0
    assert point["evidence"] == "not enough evidence: today's base has no passives to move"
    assert words.evidence(point["evidence"], "de") == (
        "im heutigen Bestand gibt es keine Indifferenten, die wechseln könnten"
    )


def test_gupta_lehmann_margin_multiple_with_yearly_steps():
    """Constant yearly retention 0.8 and discount 10%: the multiple r/(1+i-r) = 2.6667."""
    r, i = 0.8, 0.10
    multiple = geometric_sum(np.array(r / (1 + i)), 1, 2000)
    assert float(multiple) == pytest.approx(r / (1 + i - r), abs=1e-4)
    assert r / (1 + i - r) == pytest.approx(2.6667, abs=1e-4)


def planted_clv(profiles: pd.DataFrame, category: str, horizon: int, discount: float):
    """Per-profile CLV (margin 1) from the generator's parameters, under the model's
    assumptions: category and controls held for the horizon, constant hazard and growth."""
    params, d = SampleParams(), monthly_rate(discount)
    out = []
    for row in profiles.itertuples():
        tenure = 0 if row.tenure_band == "0-11m" else 12
        h = params.monthly_hazard(category, row.size, row.segment, tenure)
        x = (1 - h) * np.exp(params.annual_growth[category] / 12) / (1 + d)
        out.append(row.revenue * geometric_sum(x, 1, horizon))
    return np.array(out)


def test_sample_gap_and_point_contain_the_planted_values(sample_models):
    """Measured: gap 24,642 [23,434, 25,904] vs planted 24,697; point 1.54M [1.42M, 1.66M]
    vs planted 1.49M (margin 1, 10% discount, 36 months)."""
    result = cx.value(*sample_models, margin=1.0, discount_rate=0.1, horizon_months=36)
    sim = result._sim
    w = sim.customers / sim.customers.sum()
    clv = {c: planted_clv(sim.profiles, c, 36, 0.1) for c in ("promoter", "passive", "detractor")}
    gap = result.gaps.set_index("comparison").loc["promoter - detractor"]
    assert gap["lo"] < (clv["promoter"] - clv["detractor"]) @ w < gap["hi"]
    holders = sim.holders("detractor")
    planted_point = (
        0.01
        * sim.customers.sum()
        * ((clv["passive"] - clv["detractor"]) @ (holders / holders.sum()))
    )
    point = result.point.iloc[0]
    assert point["lo"] < planted_point < point["hi"]
    assert "detractor to passive" in result.summary()
    assert "adjusted for segment, size, tenure band" in result.assumptions.describe()


def test_scenarios_on_the_sample(sample_models):
    result = cx.value(*sample_models, n_draws=2000)
    five = cx.scenario(result, points=5).set_index("year")
    one = cx.scenario(result, points=1).set_index("year")
    assert five.loc["total", "value_change"] == pytest.approx(
        5 * result.point.iloc[0]["estimate"], rel=1e-9
    )
    assert five.loc["total", "nps_change"] == pytest.approx(5.0)
    assert (five["revenue_lo"] <= five["revenue_change"]).all()
    assert one.loc["1", "profit_change"] == pytest.approx(five.loc["1", "profit_change"] / 5)
    halve = cx.scenario(result, moves={("detractor", "passive"): 0.5}).set_index("year")
    assert halve.loc["total", "profit_change"] > 0 and halve.loc["total", "nps_change"] > 5


@pytest.fixture(scope="module")
def small_models():
    rows = panel_rows(customer_lives(2000, 24, np.random.default_rng(3)))
    retention = cx.fit_retention(rows, controls=["segment"])
    base = retention.base.assign(revenue=lambda f: f["n"] * 500.0)
    retention = dataclasses.replace(retention, base=base)
    design = Design(factors={"category": tuple(retention.design.factors["category"])})
    growth = FixedGrowth(params=pd.Series([0.03, 0.05, -0.07], index=design.terms),
                         design=design)  # fmt: skip
    return retention, growth


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(m1=st.floats(0.0, 1.0), m2=st.floats(0.0, 1.0), d1=st.floats(0.0, 0.5),
       d2=st.floats(0.0, 0.5))  # fmt: skip
def test_value_is_monotone_in_margin_and_discount(small_models, m1, m2, d1, d2):
    def clv(margin, discount):
        res = cx.value(*small_models, margin=margin, discount_rate=discount, n_draws=200)
        return res.clv["estimate"].to_numpy()

    lo_m, hi_m = sorted((m1, m2))
    assert np.all(clv(lo_m, 0.1) <= clv(hi_m, 0.1) + 1e-9)
    lo_d, hi_d = sorted((d1, d2))
    assert np.all(clv(0.3, hi_d) <= clv(0.3, lo_d) + 1e-9)
    assert np.all(clv(0.0, d1) == 0.0)


def test_no_change_scenario_is_zero_with_a_degenerate_interval(small_models):
    result = cx.value(*small_models, n_draws=500)
    frame = cx.scenario(result, points=0)
    numbers = frame.drop(columns=["year"]).to_numpy(float)
    assert np.all(np.nan_to_num(numbers) == 0.0)


def test_draws_are_fast_and_the_first_is_the_estimate(small_models):
    result = cx.value(*small_models, n_draws=10_000)
    assert result.draws["clv"].shape[0] == 10_000
    assert result.point.iloc[0]["estimate"] == result.draws["point"][0]


def test_a_base_that_billed_nothing_is_an_error_not_a_division_by_zero(small_models):
    """A revenue ending in months still to come (zeros, kept by through=): the report
    stopped on numpy's "Weights sum to zero"."""
    retention, growth = small_models
    unbilled = dataclasses.replace(retention, base=retention.base.assign(revenue=0.0))
    n = f"{int(retention.base['n'].sum()):,}"
    with pytest.raises(cx.InputError, match=rf"billed nothing: revenue 0 for each of its {n} "
                       r"customers, so there is nothing to value\. Are the data's last months "
                       r"still to come\?"):  # fmt: skip
        cx.value(unbilled, growth, n_draws=100)
    empty = dataclasses.replace(retention, base=retention.base.assign(n=0, revenue=0.0))
    with pytest.raises(cx.InputError, match="Today's base is empty: no customer is one at"):
        cx.value(empty, growth, n_draws=100)


def test_wide_intervals_say_not_enough_evidence(small_models):
    retention, growth = small_models
    shaky = dataclasses.replace(retention, cov=retention.cov * 400.0)
    result = cx.value(shaky, growth, transition="passive_to_promoter", n_draws=2000)
    assert result.point.iloc[0]["evidence"].startswith("not enough evidence")
    assert "not enough evidence" in result.summary()


def test_bad_arguments(small_models):
    with pytest.raises(ParameterError, match="'margin'"):
        cx.value(*small_models, margin=30)
    with pytest.raises(ParameterError, match="'transition'"):
        cx.value(*small_models, transition="everyone_happy")
    with pytest.raises(ParameterError, match="exactly one"):
        cx.scenario(cx.value(*small_models, n_draws=100))


def test_a_base_level_the_revenue_model_never_saw_is_a_clear_error(small_models):
    retention, growth = small_models
    design = Design(factors={**growth.design.factors, "segment": ("SMB", "Mid-Market")})
    partial = dataclasses.replace(growth, design=design, controls=("segment",))
    with pytest.raises(ParameterError, match="segment = 'Enterprise'.*no retained"):
        cx.value(retention, partial, n_draws=100)


def test_the_base_s_detractors_interval_covers_the_true_count():
    """The value at stake multiplies the gap by the base's detractors: counted where a
    customer answered, estimated where not. Over repeated surveys of one population (a
    quarter answering; a small profile with no answers takes the base's share), the 95%
    interval of that count covers the true one at about its rate. Before, the count was
    taken as known: a zero-width interval."""
    from cxvalue._value_draws import ProfileDraws

    rng = np.random.default_rng(5)
    sizes, shares = np.array([4000, 1500, 300, 60]), np.array([0.3, 0.2, 0.45, 0.25])
    cats = ["promoter", "passive", "detractor", "not_surveyed"]
    empty = np.empty((1, len(cats), len(sizes)))
    hits, widths, reps = 0, [], 300
    for rep in range(reps):
        detractor = [rng.random(size) < share for size, share in zip(sizes, shares, strict=True)]
        answered = [rng.random(size) < 0.25 for size in sizes]
        answered[-1][:] = False
        k = np.array([(d & a).sum() for d, a in zip(detractor, answered, strict=True)], float)
        n = np.array([a.sum() for a in answered], float)
        share = np.where(n > 0, k / np.maximum(n, 1), k.sum() / n.sum())
        sim = ProfileDraws(
            categories=cats, value=empty, yearly=empty, hazard=empty, growth=empty,
            profiles=pd.DataFrame({"customers": sizes.astype(float), "share_detractor": share}),
            counts=np.stack([np.zeros_like(k), n - k, k, sizes - n]),
            monthly_discount=0.0, horizon=12,
        )  # fmt: skip
        totals = sim.holder_draws("detractor", 4000, seed=rep).sum(axis=1)
        assert totals[0] == pytest.approx((sizes * share).sum())  # draw 0: the estimate
        lo, hi = np.quantile(totals, [0.025, 0.975])
        hits += lo <= sum(d.sum() for d in detractor) <= hi
        widths.append(hi - lo)
    assert 0.92 <= hits / reps <= 0.98, hits / reps
    assert np.median(widths) > 100  # the share and the unanswered customers: ±115 here
