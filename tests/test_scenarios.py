"""Scenarios, the value bridge, sensitivities, margins from data, observed transitions,
and "not enough evidence" for thin categories."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

import cxvalue as cx
from _models_sim import FixedGrowth, customer_lives, panel_rows
from cxvalue._clv import geometric_sum, monthly_rate
from cxvalue.errors import InputError, ParameterError, SmallSampleWarning
from cxvalue.models._design import Design
from test_value import two_category_models

HAZARDS = {"promoter": 0.01, "passive": 0.025}
GROWTH = {"promoter": 0.06, "passive": 0.0}


def by_hand(h: float, g: float, months: int = 24, discount: float = 0.1) -> float:
    """Discounted revenue of one customer at 1000 a month, summed month by month."""
    d = (1 + discount) ** (1 / 12) - 1
    return sum(1000 * np.exp(g * t / 12) * (1 - h) ** t / (1 + d) ** t
               for t in range(1, months + 1))  # fmt: skip


def toy_result():
    retention, revenue = two_category_models(HAZARDS, GROWTH, 1000.0,
                                             {"promoter": 30, "passive": 70})  # fmt: skip
    return cx.value(retention, revenue, margin=0.4, discount_rate=0.1, horizon_months=24,
                    transition="passive_to_promoter", n_draws=100)  # fmt: skip


def test_bridge_splits_a_move_into_retention_and_expansion_by_hand():
    result = toy_result()
    frame = cx.bridge(result, points=10).set_index("step")["estimate"]
    movers = 0.10 * 100  # 10 points = 10% of 100 customers, passive -> promoter
    pa, pr = (HAZARDS["passive"], GROWTH["passive"]), (HAZARDS["promoter"], GROWTH["promoter"])
    baseline = 0.4 * (30 * by_hand(*pr) + 70 * by_hand(*pa))
    retention = 0.4 * movers * (by_hand(pr[0], pa[1]) - by_hand(*pa))
    total = 0.4 * movers * (by_hand(*pr) - by_hand(*pa))
    assert frame["baseline"] == pytest.approx(baseline, abs=0.01)
    assert frame["retention"] == pytest.approx(retention, abs=0.01)
    assert frame["expansion"] == pytest.approx(total - retention, abs=0.01)
    assert frame["scenario"] == pytest.approx(baseline + total, abs=0.01)


def test_bridge_agrees_with_scenario_draw_by_draw(sample_models):
    result = cx.value(*sample_models, n_draws=2000)
    bridge = cx.bridge(result, points=5).set_index("step")
    plus5 = cx.scenario(result, points=5).set_index("year").loc["total"]
    change = bridge.loc["scenario", "estimate"] - bridge.loc["baseline", "estimate"]
    assert change == pytest.approx(plus5["value_change"], rel=1e-9)
    effects = bridge.loc["retention", "estimate"] + bridge.loc["expansion", "estimate"]
    assert effects == pytest.approx(change, rel=1e-9)
    assert bridge.loc["retention", "lo"] > 0 and bridge.loc["expansion", "lo"] > 0
    assert bridge.attrs["nps_change"] == pytest.approx(5.0)
    # the baseline is today's base, each customer in their own category
    base = sample_models[0].base
    assert bridge.attrs["customers"] == int(base["n"].sum())


def account_truth(retention, revenue_model, rows: pd.DataFrame, to: str, margin: float) -> float:
    """The discounted profit gain of named accounts from the models' public parts."""
    d = monthly_rate(0.1)
    prof = retention.base.groupby(list(retention.controls), dropna=False).agg(
        n=("n", "sum"), revenue=("revenue", "sum")
    )
    mean = (prof["revenue"] / prof["n"]).rename("r0").reset_index()
    rows = rows.merge(mean, on=list(retention.controls))
    gain = 0.0
    for cat, sign in ((to, 1.0), (None, -1.0)):
        frame = rows.assign(category=to) if cat else rows
        h = retention.hazard(frame)
        g = (
            revenue_model.annualisation
            * revenue_model.design.matrix(frame)
            @ (revenue_model.params.to_numpy())
        )
        x = (1 - h) * np.exp(g / 12) / (1 + d)
        gain += sign * np.sum(frame["revenue"] * geometric_sum(x, 1, 36))
    return margin * float(gain)


def test_named_accounts_are_valued_at_their_own_revenue(sample_models, sample_panel):
    retention, revenue_model = sample_models
    result = cx.value(retention, revenue_model, margin=0.3, n_draws=500)
    expr = sample_panel.expr
    last = expr.filter((expr.period == sample_panel.data_end.date()) & (expr.at_risk == 1)
                       & (expr.churned == 0) & (expr.category == "detractor"))  # fmt: skip
    rows = sample_panel.backend.execute(
        last.select("customer_id", "category", "revenue", *retention.controls).order_by(
            "customer_id").limit(40))  # fmt: skip
    ids = rows["customer_id"].astype(str).tolist()
    frame = cx.scenario(result, accounts=ids, to="passive", panel=sample_panel)
    total = frame.set_index("year").loc["total"]
    truth = account_truth(retention, revenue_model, rows, "passive", 0.3)
    assert total["value_change"] == pytest.approx(truth, rel=1e-6)
    assert total["value_lo"] < truth < total["value_hi"]
    assert total["nps_change"] == pytest.approx(100 * 40 / result.customers)
    # the same accounts listed twice, in another order, change nothing
    again = cx.scenario(result, accounts=ids[::-1] + ids[:5], to="passive", panel=sample_panel)
    assert again.set_index("year").loc["total", "value_change"] == pytest.approx(
        total["value_change"], rel=1e-12
    )
    # accounts already passive do not move
    same = cx.scenario(result, accounts=ids, to="detractor", panel=sample_panel)
    assert np.all(same.drop(columns="year").fillna(0).to_numpy(float) == 0.0)
    with pytest.raises(InputError, match="'no-such-customer'"):
        cx.scenario(result, accounts=[*ids, "no-such-customer"], to="passive", panel=sample_panel)
    with pytest.raises(ParameterError, match="'to'"):
        cx.scenario(result, accounts=ids, panel=sample_panel)


def test_margin_from_a_cost_column_overall_and_by_segment():
    revenue = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c"],
        "period": pd.to_datetime(["2024-01-01", "2025-06-01", "2025-06-01", "2025-07-01",
                                  "2025-07-01"]),
        "revenue": [1000.0, 100.0, 200.0, 200.0, 500.0],
        "cost": [0.0, 60.0, 100.0, 100.0, 400.0],
    })  # fmt: skip
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment": ["X", "X", "Y"]})
    overall = cx.margin_table(revenue, "cost", months=12)
    # 2024-01 is outside the latest 12 months: 1 - 660/1000
    assert overall["margin"].iloc[0] == pytest.approx(1 - 660 / 1000)
    by = cx.margin_table(revenue, "cost", customers=customers, by="segment").set_index("segment")
    assert by.loc["X", "margin"] == pytest.approx(1 - 260 / 500)
    assert by.loc["Y", "margin"] == pytest.approx(1 - 400 / 500)
    assert "'cost' column by segment" in by.attrs["source"]
    with pytest.raises(InputError, match="'margin' column"):
        cx.margin_table(revenue, "margin")


def test_value_with_a_margin_table(sample_models):
    retention, revenue_model = sample_models
    levels = sorted(retention.base["segment"].dropna().unique())
    flat = pd.DataFrame({"segment": levels, "margin": 0.3})
    a = cx.value(retention, revenue_model, margin=0.3, n_draws=500)
    b = cx.value(retention, revenue_model, margin=flat, n_draws=500)
    pd.testing.assert_frame_equal(a.clv, b.clv)
    richer = flat.assign(margin=np.where(flat["segment"] == levels[0], 0.6, 0.3))
    richer.attrs["source"] = "margin from the 'cost' column by segment"
    c = cx.value(retention, revenue_model, margin=richer, n_draws=500)
    assert np.all(c.clv["estimate"] > a.clv["estimate"])
    assert 0.3 < c.assumptions.margin < 0.6
    assert "'cost' column by segment (revenue-weighted" in c.assumptions.describe()
    with pytest.raises(ParameterError, match="no margin for segment"):
        cx.value(retention, revenue_model, margin=flat.iloc[1:], n_draws=500)
    with pytest.raises(ParameterError, match="'region'"):
        cx.value(retention, revenue_model, margin=pd.DataFrame({"region": ["N"], "margin": [0.3]}))


def test_observed_transitions_count_upward_moves():
    responses = pd.DataFrame({
        "customer_id": ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E", "F"],
        "responded_at": pd.to_datetime(["2025-01-01", "2025-06-01"] * 5 + ["2025-01-01"]),
        "score": [3, 8, 7, 10, 2, 9, 9, 3, 5, 6, 10],
    })  # fmt: skip
    with pytest.warns(SmallSampleWarning, match="only 3 upward moves"):
        mix = cx.observed_transitions(responses.sample(frac=1, random_state=1))
    assert mix == {("detractor", "passive"): pytest.approx(1 / 3),
                   ("passive", "promoter"): pytest.approx(1 / 3),
                   ("detractor", "promoter"): pytest.approx(1 / 3)}  # fmt: skip
    assert "observed between repeated surveys (3 upward moves" in mix.name
    with pytest.raises(InputError, match="no customer answered twice"):
        cx.observed_transitions(responses[responses["customer_id"].isin(["D", "E", "F"])])


def test_observed_mix_values_a_point_between_its_pure_moves(sample_models):
    responses = cx.read_responses("data/samples/responses.csv.gz")
    mix = cx.observed_transitions(responses)
    result = cx.value(*sample_models, transition=mix, n_draws=500)
    assert result.assumptions.transition == mix.name
    pure = {name: cx.value(*sample_models, transition=name, n_draws=500).point["estimate"][0]
            for name in ("detractor_to_passive", "passive_to_promoter",
                         "detractor_to_promoter")}  # fmt: skip
    assert min(pure.values()) < result.point["estimate"][0] < max(pure.values())


def test_sensitivity_moves_the_value_of_a_point_as_expected(sample_models):
    frame = cx.sensitivity(*sample_models).set_index("parameter")
    base = frame["base"].iloc[0]
    assert frame.loc["margin", "low"] == pytest.approx(0.75 * base, rel=1e-9)
    assert frame.loc["margin", "high"] == pytest.approx(1.25 * base, rel=1e-9)
    assert frame.loc["discount_rate", "low"] > base > frame.loc["discount_rate", "high"]
    assert frame.loc["horizon_months", "low"] < base < frame.loc["horizon_months", "high"]
    swings = (frame["high"] - frame["low"]).abs().to_numpy()
    assert np.all(np.diff(swings) <= 0)  # sorted, largest swing first


@pytest.mark.parametrize("margin", [0.3, 0.3 + 1e-15, 0.3 - 1e-15])
def test_sensitivity_settings_read_the_same_for_nearly_the_same_margin(sample_models, margin):
    """0.75 and 1.25 times 30% is 22.5% and 37.5%: labels that rounded to whole percents
    flipped between 22% and 23% with the margin's last bits (seen between two runs)."""
    frame = cx.sensitivity(*sample_models, margin=margin, discount_rates=(0.05, 0.125),
                           n_draws=100).set_index("parameter")  # fmt: skip
    assert tuple(frame.loc["margin", ["low_setting", "high_setting"]]) == ("22.5%", "37.5%")
    assert tuple(frame.loc["discount_rate", ["low_setting", "high_setting"]]) == ("5%", "12.5%")


def test_too_few_events_say_not_enough_evidence_in_words():
    lives = customer_lives(3000, 24, np.random.default_rng(5))
    promoters = lives.index[lives["category"] == "promoter"]
    lives = lives.drop(promoters[25:])  # 25 promoters: a handful of churn events
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        retention = cx.fit_retention(panel_rows(lives), controls=["segment"])
    base = retention.base.assign(revenue=lambda f: f["n"] * 100.0)
    design = Design(factors={"category": tuple(retention.design.factors["category"])})
    growth = FixedGrowth(params=pd.Series([0.0, 0.0, 0.0], index=design.terms), design=design)
    result = cx.value(dataclasses.replace(retention, base=base), growth, n_draws=500,
                      transition="passive_to_promoter")  # fmt: skip
    clv = result.clv.set_index("category")["evidence"]
    events = int(retention.cells.groupby("category")["events"].sum()["promoter"])
    assert events < 10
    assert clv["promoter"] == f"not enough evidence: only {events} churn events among promoters"
    assert clv["passive"] == ""
    assert result.point["evidence"][0].startswith("not enough evidence: only")
    gaps = result.gaps.set_index("comparison")["evidence"]
    assert gaps["promoter - detractor"].startswith("not enough evidence")
    assert "only" in result.summary()
