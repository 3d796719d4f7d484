"""Forecast arithmetic against a hand calculation; backtest coverage on the sample."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import cxvalue as cx
from _models_sim import FixedGrowth, customer_lives, panel_rows
from cxvalue.errors import InputError
from cxvalue.forecast import backtest, forecast
from cxvalue.models._design import Design


@pytest.fixture(scope="module")
def models():
    rows = panel_rows(customer_lives(1500, 24, np.random.default_rng(5)))
    fitted = cx.fit_retention(rows, controls=())
    base = pd.DataFrame({"category": ["promoter", "passive", "detractor"], "n": [100, 50, 40],
                         "revenue": [100 * 800.0, 50 * 500.0, 40 * 300.0],
                         "revenue_sq": [100 * 800.0**2, 50 * 500.0**2, 40 * 300.0**2]})  # fmt: skip
    retention = dataclasses.replace(fitted, cov=fitted.cov * 0.0, base=base,
                                    data_end=pd.Timestamp("2025-12-01"))  # fmt: skip
    design = Design(factors={"category": ("passive", "detractor", "promoter")})
    growth = FixedGrowth(pd.Series([0.03, -0.07, 0.05], index=design.terms), design)
    return retention, growth


def test_forecast_equals_the_hand_calculation(models):
    retention, growth = models
    frame = forecast(retention, growth, months=6, margin=0.25, n_draws=50)
    h = retention.monthly_churn().set_index("category")["monthly_churn"]
    g = {"passive": 0.03, "detractor": -0.04, "promoter": 0.08}
    n = {"promoter": 100, "passive": 50, "detractor": 40}
    r0 = {"promoter": 800.0, "passive": 500.0, "detractor": 300.0}
    for t in range(1, 7):
        want = sum(n[c] * r0[c] * np.exp(g[c] * t / 12) * (1 - h[c]) ** (t - 1) for c in n)
        row = frame.iloc[t - 1]
        assert row["revenue"] == pytest.approx(want, rel=1e-12)
        assert row["profit"] == pytest.approx(0.25 * want, rel=1e-12)
        assert row["lo_95"] == pytest.approx(want, rel=1e-12)  # no uncertainty, no noise
    assert list(frame["period"].dt.strftime("%Y-%m")[:2]) == ["2026-01", "2026-02"]


def test_scenario_moves_customers_and_keeps_their_revenue(models):
    retention, growth = models
    frame = forecast(retention, growth, months=12, n_draws=50,
                     moves={("detractor", "promoter"): 0.5})  # fmt: skip
    base = frame[frame.scenario == "baseline"]["revenue"].to_numpy()
    moved = frame[frame.scenario == "scenario"]["revenue"].to_numpy()
    assert moved[0] > base[0]  # month 1: movers already grow like promoters
    assert np.all(np.diff(moved - base) > 0)  # and the gap widens as they churn less
    h = retention.monthly_churn().set_index("category")["monthly_churn"]
    t = 12
    gain = 20 * 300.0 * (np.exp(0.08 * t / 12) * (1 - h["promoter"]) ** (t - 1)
                         - np.exp(-0.04 * t / 12) * (1 - h["detractor"]) ** (t - 1))  # fmt: skip
    assert moved[-1] - base[-1] == pytest.approx(gain, rel=1e-9)


def test_noise_widens_the_interval(models):
    retention, growth = models
    noisy = dataclasses.replace(growth, resid_sd=0.1)
    calm = forecast(retention, noisy, months=12, n_draws=500)
    wide = forecast(retention, noisy, months=12, n_draws=500, noise=True)
    assert (wide["hi_80"] - wide["lo_80"]).iloc[-1] > (calm["hi_80"] - calm["lo_80"]).iloc[-1]
    assert (wide["lo_95"] <= wide["lo_80"]).all() and (wide["hi_80"] <= wide["hi_95"]).all()


@pytest.fixture(scope="module")
def sample():
    return (cx.read_responses("data/samples/responses.csv.gz"),
            cx.read_revenue("data/samples/revenue.csv.gz"),
            cx.read_customers("data/samples/customers.csv"))  # fmt: skip


def test_backtest_on_the_sample_covers_at_about_the_stated_rate(sample):
    """Four cut-offs, 12 months each. Measured: MAPE 0.1-0.5%, pooled coverage of the
    80% interval 71% (of 48 months), of the 95% interval 96% (docs/backtest.md)."""
    tables = []
    for cutoff in ("2024-06", "2024-08", "2024-10", "2024-12"):
        result = backtest(*sample, cutoff=cutoff, months=12,
                          controls=("segment", "size", "tenure_band"))  # fmt: skip
        assert result.mape < 0.02 and abs(result.bias) < 0.02
        assert result.customers > 10_000
        tables.append(result.table)
    pooled = pd.concat(tables)
    assert 0.65 <= pooled["inside_80"].mean() <= 0.95
    assert pooled["inside_95"].mean() >= pooled["inside_80"].mean()


def test_backtest_needs_data_after_the_cutoff_and_answers_before_it(sample):
    with pytest.raises(InputError, match=r"needs data to 2026-06\. months=6 scores the months"):
        backtest(*sample, cutoff="2025-06", months=12)
    with pytest.raises(InputError, match=r"needs data to 2026-12\.$"):
        backtest(*sample, cutoff="2025-12", months=12)
    # the sample's first answers are from April 2023: a fit up to February has none
    with pytest.raises(InputError, match=r"no survey answer .* 2023-02.*first is from 2023-04-02"):
        backtest(*sample, cutoff="2023-02", months=12)
