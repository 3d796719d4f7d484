"""NPS statistics against published numbers, simulation and invariants."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxvalue.errors import ParameterError, SmallSampleWarning
from cxvalue.nps import format_nps_table, nps, nps_difference, nps_interval


def scores(promoters, passives, detractors):
    return [10] * promoters + [7] * passives + [3] * detractors


def test_published_example_wald():
    """n = 1000, 250 promoters, 75 detractors: NPS 17.5, SE 1.71574, 95% [14.137, 20.863]."""
    row = nps(scores(250, 675, 75)).iloc[0]
    assert row["nps"] == pytest.approx(17.5)
    assert row["se"] == pytest.approx(1.71574, abs=1e-5)
    assert (row["lo"], row["hi"]) == (pytest.approx(14.137, abs=1e-3), pytest.approx(20.863, abs=1e-3))
    # the independent-binomial shortcut (no covariance term) gives [14.36, 20.64]: not ours
    assert row["lo"] != pytest.approx(14.36, abs=0.05)


def test_small_hand_example_with_a_non_answer():
    """1, 8, 8, 10, 5, blank, 9: two promoters, two detractors of six: NPS 0, SE 33.33."""
    with pytest.warns(SmallSampleWarning):
        row = nps([1, 8, 8, 10, 5, None, 9]).iloc[0]
    assert row["n"] == 6
    assert row["nps"] == 0
    assert row["se"] == pytest.approx(100 / 3, abs=1e-2)
    assert row["too_few"] and "too few responses" in row["note"]


COVERAGE_SHARES = [(0.3, 0.2), (0.6, 0.1), (0.1, 0.6), (0.85, 0.05)]


def coverage(method, p_p, p_d, n, reps=4000, seed=7, level=0.90):
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, [p_p, 1 - p_p - p_d, p_d], size=reps)
    _, _, lo, hi = nps_interval(
        counts[:, 0] / n, counts[:, 2] / n, np.full(reps, n), method=method, level=level
    )
    truth = 100 * (p_p - p_d)
    return float(np.mean((lo <= truth) & (truth <= hi)))


@pytest.mark.parametrize("n", [30, 100, 1000])
@pytest.mark.parametrize(("p_p", "p_d"), COVERAGE_SHARES)
def test_adjusted_interval_covers_at_its_rate(p_p, p_d, n):
    """90% adjusted intervals cover 85–95% (table in docs/nps_intervals.md)."""
    assert 0.85 <= coverage("adjusted", p_p, p_d, n) <= 0.95


@pytest.mark.parametrize("n", [100, 1000])
@pytest.mark.parametrize(("p_p", "p_d"), COVERAGE_SHARES)
def test_wald_interval_covers_at_moderate_n(p_p, p_d, n):
    assert 0.85 <= coverage("wald", p_p, p_d, n) <= 0.95


def test_wald_undercovers_at_small_n_extreme_shares():
    """Why "adjusted" exists: Wald at n = 30 with shares (85%, 5%) covers well under 90%."""
    assert coverage("wald", 0.85, 0.05, 30) < 0.85


def test_bootstrap_agrees_with_wald_at_large_n_and_resamples_counts():
    wald = nps(scores(2500, 6750, 750)).iloc[0]
    boot = nps(scores(2500, 6750, 750), method="bootstrap", n_boot=20_000).iloc[0]
    width = wald["hi"] - wald["lo"]
    assert abs(boot["lo"] - wald["lo"]) < 0.05 * width
    assert abs(boot["hi"] - wald["hi"]) < 0.05 * width
    # counts, not rows, are resampled: ten million responses cost the same as ten thousand
    _, _, lo, hi = nps_interval([0.4], [0.2], [10_000_000], method="bootstrap", n_boot=10_000)
    assert lo[0] < 20 < hi[0] and hi[0] - lo[0] < 0.2


def test_weights_kish_and_revenue():
    frame = pd.DataFrame({"score": [10, 10, 3, 8], "w": [1.0, 1.0, 1.0, 1.0], "rev": [100.0, 300.0, 600.0, 0.0]})
    plain = nps(frame, min_n=1).iloc[0]
    equal = nps(frame, weight="w", min_n=1).iloc[0]
    assert equal["nps"] == plain["nps"] and equal["n_effective"] == 4
    by_revenue = nps(frame, revenue_weight="rev", min_n=1).iloc[0]
    assert by_revenue["nps"] == pytest.approx(100 * (400 - 600) / 1000)  # on paper: −20
    assert by_revenue["n_effective"] == pytest.approx(1000**2 / (100**2 + 300**2 + 600**2))
    assert "revenue-weighted" in by_revenue["method"]


def test_groups_and_periods():
    frame = pd.DataFrame(
        {
            "score": [10, 3, 9, 9, 7, 2],
            "segment": ["A", "A", "A", "B", "B", "B"],
            "responded_at": pd.to_datetime(
                ["2025-01-05", "2025-02-01", "2025-04-01", "2025-01-01", "2025-01-02", "2025-05-01"]
            ),
        }
    )
    with pytest.warns(SmallSampleWarning, match="fewer than 30"):
        out = nps(frame, by="segment", period="Q")
    assert out[["segment", "period", "n", "nps"]].values.tolist() == [
        ["A", "2025Q1", 2, 0.0], ["A", "2025Q2", 1, 100.0],
        ["B", "2025Q1", 2, 50.0], ["B", "2025Q2", 1, -100.0],
    ]
    text = format_nps_table(out)
    assert "too few responses" in text and "+50" not in text


def test_panel_rows_not_surveyed_are_left_out():
    panel = pd.DataFrame({"category": ["promoter", "not_surveyed", "detractor", "passive"], "score": [9, None, 2, 7]})
    assert nps(panel, min_n=1).iloc[0]["n"] == 3


def test_difference_by_hand_and_its_coverage():
    a, b = scores(30, 40, 30), scores(50, 30, 20)
    diff = nps_difference(a, b)
    var_a = (0.3 + 0.3 - 0.0) / 100
    var_b = (0.5 + 0.2 - 0.3**2) / 100
    assert diff.estimate == pytest.approx(30.0)
    assert diff.se == pytest.approx(100 * np.sqrt(var_a + var_b))
    assert diff.p_value == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(30 / diff.se)))
    assert list(diff.to_frame().columns) == ["term", "estimate", "se", "lo", "hi", "p_value"]
    assert "+30.0 points" in str(diff.summary())
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(400):
        ca = rng.multinomial(200, [0.3, 0.4, 0.3])
        cb = rng.multinomial(300, [0.5, 0.3, 0.2])
        d = nps_difference(scores(*ca), scores(*cb), level=0.90)
        hits += d.lo <= 30 <= d.hi
    assert 0.85 <= hits / 400 <= 0.95


def test_difference_accepts_nps_rows():
    a = nps(scores(30, 40, 30), min_n=1)
    b = nps(scores(50, 30, 20), min_n=1)
    assert nps_difference(a, b).estimate == pytest.approx(30.0)


def test_parameter_errors_use_the_template():
    with pytest.raises(ParameterError, match="'method' parameter of nps"):
        nps([9, 9], method="exact")
    with pytest.raises(ParameterError, match=r"'level' parameter of nps\(\) must be a float in \(0, 1\)"):
        nps([9, 9], level=95)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(0, 10), st.none()), min_size=1, max_size=60),
    method=st.sampled_from(["wald", "adjusted", "bootstrap"]),
    seed=st.integers(0, 1000),
)
def test_invariants(values, method, seed):
    if all(v is None for v in values):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        row = nps(values, method=method, n_boot=200).iloc[0]
        shuffled = list(np.random.default_rng(seed).permutation(np.array(values, dtype=object)))
        again = nps(shuffled, method=method, n_boot=200).iloc[0]
        weighted = nps(pd.DataFrame({"score": values, "w": 2.5}), weight="w", n_boot=200).iloc[0]
    assert -100 <= row["nps"] <= 100
    assert row["lo"] <= row["nps"] + 1e-9 or method != "wald"
    assert row["lo"] <= row["hi"]
    assert again["nps"] == pytest.approx(row["nps"])
    assert weighted["nps"] == pytest.approx(row["nps"])
