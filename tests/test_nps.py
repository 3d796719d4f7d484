"""NPS statistics against published numbers, hand calculations, simulation and invariants.

Coverage of 90% intervals, as measured (``docs/nps_intervals.md``; reproduce with
``.venv/bin/python tests/test_nps.py``). Exact = summed over every possible sample;
sim = 4,000 multinomial samples from ``default_rng(7)`` (bootstrap: 2,000 samples x
2,000 draws, same seed).

| shares (P, D) | n | Wald exact | adjusted exact | Wald sim | adjusted sim | bootstrap sim |
|---|---|---|---|---|---|---|
| (30%, 20%) | 30 | 88.3% | 89.5% | 88.4% | 89.5% | 91.8% |
| (60%, 10%) | 30 | 87.2% | 89.8% | 87.1% | 89.5% | 90.0% |
| (10%, 60%) | 30 | 87.2% | 89.8% | 87.4% | 89.8% | 90.3% |
| (85%, 5%) | 30 | 83.1% | 91.6% | 82.6% | 91.7% | 89.8% |
| (30%, 20%) | 100 | 89.5% | 89.8% | 89.8% | 90.2% | 91.0% |
| (60%, 10%) | 100 | 89.4% | 90.1% | 89.2% | 89.7% | 90.8% |
| (10%, 60%) | 100 | 89.4% | 90.1% | 89.3% | 90.3% | 90.1% |
| (85%, 5%) | 100 | 88.3% | 90.3% | 87.8% | 90.1% | 91.1% |
| (30%, 20%) | 1000 | 90.0% | 90.0% | 89.6% | 89.7% | 90.2% |
| (60%, 10%) | 1000 | 89.9% | 90.0% | 89.8% | 89.7% | 89.6% |
| (10%, 60%) | 1000 | 89.9% | 90.0% | 90.0% | 90.1% | 90.0% |
| (85%, 5%) | 1000 | 89.8% | 90.1% | 88.9% | 89.7% | 89.3% |
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multinomial, norm

from cxvalue._nps_intervals import difference_arrays
from cxvalue.errors import (
    ColumnError,
    DataWarning,
    EmptyInputError,
    InputError,
    ParameterError,
    ParseError,
    SmallSampleWarning,
)
from cxvalue.nps import NPSDifference, format_nps_table, nps, nps_difference, nps_interval

DOC = Path(__file__).resolve().parents[1] / "docs" / "nps_intervals.md"
SHARES = [(0.3, 0.2), (0.6, 0.1), (0.1, 0.6), (0.85, 0.05)]
SIZES = [30, 100, 1000]


def scores(promoters, passives, detractors):
    return [10] * promoters + [7] * passives + [3] * detractors


def quiet_nps(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return nps(*args, **kwargs)


# --- coverage machinery: the same array code nps() runs ------------------------------------------


def simulated_coverage(method, p_p, p_d, n, reps=4000, seed=7, level=0.90, n_boot=2000):
    """Share of `reps` multinomial samples whose interval holds the true NPS."""
    counts = np.random.default_rng(seed).multinomial(n, [p_p, 1 - p_p - p_d, p_d], size=reps)
    _, _, lo, hi = nps_interval(
        counts[:, 0] / n, counts[:, 2] / n, np.full(reps, n), method=method, level=level,
        n_boot=n_boot,
    )  # fmt: skip
    truth = 100 * (p_p - p_d)
    return float(np.mean((lo <= truth + 1e-9) & (truth - 1e-9 <= hi)))


def exact_coverage(method, p_p, p_d, n, level=0.90):
    """Coverage summed over every possible sample (P, passives, D) of size n."""
    P, D = (m.ravel() for m in np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij"))
    P, D = P[P + D <= n], D[P + D <= n]
    prob = multinomial.pmf(np.column_stack([P, n - P - D, D]), n, [p_p, 1 - p_p - p_d, p_d])
    _, _, lo, hi = nps_interval(P / n, D / n, np.full(P.size, n), method=method, level=level)
    truth = 100 * (p_p - p_d)
    return float(np.sum(prob * ((lo <= truth + 1e-9) & (truth - 1e-9 <= hi))))


def coverage_table() -> str:
    """The Markdown table of docs/nps_intervals.md (takes about a minute: the bootstrap)."""
    columns = ["Wald exact", "adjusted exact", "Wald sim", "adjusted sim", "bootstrap sim"]
    lines = [f"| shares (P, D) | n | {' | '.join(columns)} |", "|---|---|---|---|---|---|---|"]
    for n in SIZES:
        for p_p, p_d in SHARES:
            cells = [exact_coverage(m, p_p, p_d, n) for m in ("wald", "adjusted")]
            cells += [simulated_coverage(m, p_p, p_d, n) for m in ("wald", "adjusted")]
            cells.append(simulated_coverage("bootstrap", p_p, p_d, n, reps=2000))
            shown = " | ".join(f"{100 * c:.1f}%" for c in cells)
            lines.append(f"| ({p_p:.0%}, {p_d:.0%}) | {n} | {shown} |")
    return "\n".join(lines)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("p_p", "p_d"), SHARES)
def test_adjusted_90_percent_interval_covers_85_to_95_percent(p_p, p_d, n):
    assert 0.85 <= simulated_coverage("adjusted", p_p, p_d, n) <= 0.95


@pytest.mark.parametrize("n", [100, 1000])
@pytest.mark.parametrize(("p_p", "p_d"), SHARES)
def test_wald_90_percent_interval_covers_85_to_95_percent_from_n_100(p_p, p_d, n):
    assert 0.85 <= simulated_coverage("wald", p_p, p_d, n) <= 0.95


@pytest.mark.parametrize(
    ("p_p", "p_d", "n"), [(0.3, 0.2, 100), (0.85, 0.05, 100), (0.6, 0.1, 1000)]
)
def test_bootstrap_90_percent_interval_covers_85_to_95_percent_from_n_100(p_p, p_d, n):
    assert 0.85 <= simulated_coverage("bootstrap", p_p, p_d, n, reps=500, n_boot=1000) <= 0.95


def test_wald_undercovers_small_extreme_groups_which_is_why_adjusted_exists():
    assert exact_coverage("wald", 0.85, 0.05, 30) < 0.85
    assert exact_coverage("adjusted", 0.85, 0.05, 30) >= 0.89


def test_the_coverage_table_in_the_docs_is_what_the_code_gives():
    rows = re.findall(
        r"\| \((\d+)%, (\d+)%\) \| (\d+) \| ([\d.]+)% \| ([\d.]+)% \|", DOC.read_text()
    )
    assert len(rows) == len(SHARES) * len(SIZES)
    for p_p, p_d, n, wald, adjusted in rows:
        args = (int(p_p) / 100, int(p_d) / 100, int(n))
        assert 100 * exact_coverage("wald", *args) == pytest.approx(float(wald), abs=0.051)
        assert 100 * exact_coverage("adjusted", *args) == pytest.approx(float(adjusted), abs=0.051)


# --- published and hand-computed numbers ---------------------------------------------------------


def test_published_example_wald():
    """n = 1000, 250 promoters, 75 detractors: NPS 17.5, SE 1.71574, 95% [14.137, 20.863]."""
    row = nps(scores(250, 675, 75)).iloc[0]
    assert row["nps"] == pytest.approx(17.5, abs=1e-9)
    assert row["se"] == pytest.approx(1.71574, abs=1e-5)
    assert row["lo"] == pytest.approx(14.137, abs=1e-3)
    assert row["hi"] == pytest.approx(20.863, abs=1e-3)
    # The independent-binomial shortcut (no covariance term) is wider: [14.36, 20.64]. Not ours.
    z = norm.ppf(0.975)
    shortcut = 17.5 - z * 100 * np.sqrt((0.25 * 0.75 + 0.075 * 0.925) / 1000)
    assert shortcut == pytest.approx(14.36, abs=0.01)
    assert abs(row["lo"] - shortcut) > 0.2


def test_scores_with_a_blank_hand_example():
    """1, 8, 8, 10, 5, blank, 9: two of each category among six answers → NPS 0, SE 33.33."""
    with pytest.warns(SmallSampleWarning, match=r"all responses \(n=6 < 30\)"):
        row = nps([1, 8, 8, 10, 5, None, 9]).iloc[0]
    assert (row["n"], row["n_promoters"], row["n_passives"], row["n_detractors"]) == (6, 2, 2, 2)
    assert row["nps"] == 0 and row["se"] == pytest.approx(100 / 3, abs=1e-9)
    assert row["too_few"] and row["note"] == "too few responses (n=6 < 30)"
    same = quiet_nps(pd.Series([1, 8, 8, 10, 5, pd.NA, 9], dtype="Int64")).iloc[0]
    assert same["n"] == 6 and same["se"] == row["se"]


def test_adjusted_is_the_rocks_recipe_when_z_squared_is_3():
    """Rocks (2016) / the common recipe: n + 3, ¾ promoter and ¾ detractor pseudo-responses."""
    level = 2 * norm.cdf(np.sqrt(3)) - 1
    _, _, lo, hi = nps_interval([0.25], [0.075], [40], method="adjusted", level=level)
    a, d = (10 + 0.75) / 43, (3 + 0.75) / 43
    half = np.sqrt(3) * np.sqrt((a + d - (a - d) ** 2) / 43)
    assert (lo[0], hi[0]) == (
        pytest.approx(100 * (a - d - half)),
        pytest.approx(100 * (a - d + half)),
    )


def test_intervals_contain_the_estimate_and_stay_within_bounds():
    for method in ("wald", "adjusted", "bootstrap"):
        est, _, lo, hi = nps_interval([1.0, 0.0], [0.0, 1.0], [2, 2], method=method, level=0.9)
        assert list(lo) <= list(est) <= list(hi) and lo[1] == -100 and hi[0] == 100
    row = quiet_nps([10, 9, 10], method="wald", min_n=1).iloc[0]
    assert "zero width" in row["note"]


# --- bootstrap -----------------------------------------------------------------------------------


def test_bootstrap_agrees_with_wald_at_large_n():
    wald = nps(scores(2500, 6750, 750)).iloc[0]
    boot = nps(scores(2500, 6750, 750), method="bootstrap", n_boot=20_000).iloc[0]
    width = wald["hi"] - wald["lo"]
    assert abs(boot["lo"] - wald["lo"]) < 0.05 * width
    assert abs(boot["hi"] - wald["hi"]) < 0.05 * width


def test_bootstrap_resamples_counts_so_ten_million_responses_cost_nothing():
    est, _, lo, hi = nps_interval([0.4], [0.2], [10**7], method="bootstrap")
    _, _, wlo, whi = nps_interval([0.4], [0.2], [10**7])
    assert abs(lo[0] - wlo[0]) < 0.05 * (whi[0] - wlo[0]) and abs(hi[0] - whi[0]) < 0.05 * (
        whi[0] - wlo[0]
    )


def test_bootstrap_is_seeded_and_a_group_does_not_depend_on_the_others():
    frame = pd.DataFrame(
        {"score": scores(20, 15, 10) + scores(5, 30, 10), "seg": ["A"] * 45 + ["B"] * 45}
    )
    both = quiet_nps(frame, by="seg", method="bootstrap", seed=3)
    alone = quiet_nps(frame[frame["seg"] == "A"], by="seg", method="bootstrap", seed=3)
    assert both.iloc[0]["lo"] == alone.iloc[0]["lo"] and both.iloc[0]["hi"] == alone.iloc[0]["hi"]
    other = quiet_nps(frame, by="seg", method="bootstrap", seed=4)
    assert not np.allclose(both[["lo", "hi"]], other[["lo", "hi"]])


# --- weights -------------------------------------------------------------------------------------


def test_equal_weights_equal_unweighted():
    frame = pd.DataFrame({"score": [10, 9, 3, 8, 6, 10], "w": 2.5})
    plain, equal = quiet_nps(frame), quiet_nps(frame, weight="w")
    cols = ["nps", "se", "lo", "hi", "n_effective", "share_promoters"]
    np.testing.assert_allclose(equal[cols].to_numpy(float), plain[cols].to_numpy(float))
    assert equal.iloc[0]["weighting"] == "survey" and plain.iloc[0]["weighting"] == "none"


def test_kish_effective_n_by_hand():
    frame = pd.DataFrame({"score": [10, 10, 3, 8], "w": [1.0, 2.0, 3.0, 4.0]})
    row = quiet_nps(frame, weight="w").iloc[0]
    assert row["n_effective"] == pytest.approx(100 / 30)  # (1+2+3+4)² / (1+4+9+16)
    assert row["nps"] == pytest.approx(100 * (3 - 3) / 10)
    assert row["se"] == pytest.approx(100 * np.sqrt((0.3 + 0.3) / (100 / 30)))
    assert row["note"] == "too few responses (effective n=3.3, n=4 < 30)"


def test_revenue_weighted_nps_by_hand():
    """Promoters with €100 and €300, a detractor with €600, a passive with €0.

    NPS = (400 − 600)/1000 = −20; n_eff = 1000² / (100² + 300² + 600²) = 2.1739;
    SE = √((0.4 + 0.6 − 0.2²) / 2.1739) = 0.66453 → 66.45 points.
    """
    frame = pd.DataFrame({"score": [10, 9, 3, 8], "rev": [100.0, 300.0, 600.0, 0.0], "w": 2.0})
    row = quiet_nps(frame, revenue_weight="rev").iloc[0]
    assert row["nps"] == pytest.approx(-20.0)
    assert row["n_effective"] == pytest.approx(2.173913, abs=1e-6)
    assert row["se"] == pytest.approx(66.453, abs=1e-3)
    assert (row["n"], row["weighting"]) == (4, "revenue")
    both = quiet_nps(frame, weight="w", revenue_weight="rev").iloc[0]
    assert both["nps"] == pytest.approx(-20.0) and both["weighting"] == "survey×revenue"


def test_negative_or_missing_weights_are_refused_with_the_fix():
    frame = pd.DataFrame({"score": [10, 9, 3], "rev": [100.0, -50.0, np.nan]})
    with pytest.raises(ParseError, match=r"rows 2, 3.*clip") as info:
        nps(frame, revenue_weight="rev")
    assert info.value.column == "rev" and info.value.rows == [2, 3]


# --- grouping, flags, inputs ---------------------------------------------------------------------


def hand_frame():
    return pd.DataFrame(
        {
            "customer_id": ["1", "2", "3", "4", "5", "6", "7"],
            "score": [10, 3, 9, 9, 7, 2, 8],
            "segment": ["A", "A", "A", "B", "B", "B", None],
            "responded_at": pd.to_datetime(
                [
                    "2025-01-05",
                    "2025-02-01",
                    "2025-04-01",
                    "2025-01-01",
                    "2025-01-02",
                    "2025-05-01",
                    "2025-03-31",
                ]
            ),  # fmt: skip
        }
    )


def test_by_and_period_on_a_hand_made_frame():
    frame = hand_frame()
    before = frame.copy()
    with pytest.warns(SmallSampleWarning) as caught:
        out = nps(frame, by="segment", period="Q")
    assert len(caught) == 1  # one warning naming every flagged group
    assert "A 2025Q1 (n=2 < 30); A 2025Q2 (n=1 < 30)" in str(caught[0].message)
    assert out[["segment", "period", "n", "nps"]].fillna("?").values.tolist() == [
        ["A", "2025Q1", 2, 0.0], ["A", "2025Q2", 1, 100.0], ["B", "2025Q1", 2, 50.0],
        ["B", "2025Q2", 1, -100.0], ["?", "2025Q1", 1, 0.0],
    ]  # fmt: skip
    assert out["too_few"].all() and (out["note"].str.startswith("too few responses")).all()
    pd.testing.assert_frame_equal(frame, before)  # the input is not mutated
    months = quiet_nps(frame, period="M")["period"].tolist()
    assert months == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    assert quiet_nps(frame, period="Y")["period"].tolist() == ["2025"]


def test_too_few_flag_follows_min_n_and_no_warning_when_none_is_flagged():
    frame = hand_frame()
    with pytest.warns(SmallSampleWarning, match=r"1 group\(s\): \(missing\) \(n=1 < 3\)\."):
        out = nps(frame, by="segment", min_n=3)
    assert out["too_few"].tolist() == [False, False, True]
    assert out["note"].tolist() == ["", "", "too few responses (n=1 < 3)"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        nps(frame.dropna(subset=["segment"]), by="segment", min_n=3)


def test_panel_not_surveyed_rows_and_given_categories_are_respected():
    panel = pd.DataFrame(
        {"category": ["promoter", "not_surveyed", "detractor", "passive"], "score": [4, None, 1, 3]}
    )  # a 1–5 CSAT scale: categories already mapped
    row = quiet_nps(panel).iloc[0]
    assert (row["n"], row["nps"]) == (3, 0.0)
    with pytest.raises(ParseError, match="'category'"):
        nps(panel.assign(category=["Promoter", "passive", "passive", "passive"]))


def test_bad_scores_and_missing_columns_are_named():
    with pytest.raises(ParseError, match=r"whole numbers 0–10.*rows 2, 3, 4") as info:
        nps([9, 11, "abc", 8.5, None])
    assert info.value.values == [11, "abc", 8.5]
    with pytest.raises(ColumnError, match="Did you mean 'Score'"):
        nps(pd.DataFrame({"Score": [9, 10]}))
    with pytest.raises(ColumnError, match="'segment'"):
        nps(pd.DataFrame({"score": [9]}), by="segment")
    with pytest.raises(InputError, match="not dates"):
        nps(pd.DataFrame({"score": [9], "responded_at": ["2025-01-01"]}), period="Q")
    with pytest.raises(EmptyInputError):
        nps([None, None])


def test_repeated_customers_in_a_group_are_warned_about():
    frame = pd.DataFrame({"customer_id": ["1", "1", "2"], "score": [9, 3, 7]})
    with pytest.warns(DataWarning, match="one response per customer"):
        quiet_nps(frame)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "exact"}, r"The 'method' parameter of nps\(\) must be one of 'wald'"),
        ({"level": 95}, r"The 'level' parameter of nps\(\) must be a float in \(0, 1\). Got 95"),
        ({"level": 0.0}, "'level' parameter"),
        ({"min_n": 0}, r"The 'min_n' parameter of nps\(\) must be an int >= 1. Got 0"),
        ({"min_n": 2.5}, "'min_n' parameter"),
        ({"n_boot": 10}, "'n_boot' parameter"),
        ({"period": "W"}, "'period' parameter"),
    ],
)
def test_parameter_errors_use_the_template(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        nps([9, 9], **kwargs)


def test_format_nps_table():
    frame = pd.DataFrame(
        {
            "score": scores(40, 30, 20) + scores(2, 5, 5),
            "segment": ["Enterprise"] * 90 + ["SMB"] * 12,
        }
    )
    text = format_nps_table(quiet_nps(frame, by="segment"))
    assert text.splitlines() == [
        "NPS by segment (95% intervals, method: wald)",
        "Enterprise  n=90  NPS  +22.2 [6.0, 38.5]",
        "SMB         n=12  too few responses (n=12 < 30)",
    ]


# --- differences ---------------------------------------------------------------------------------


def test_difference_by_hand():
    """a: 30/40/30 of 100, b: 50/30/20 of 100. Var_a = 0.6/100, Var_b = (0.7 − 0.09)/100.

    SE = 100·√0.0121 = 11.0 points; z = 30/11 = 2.7273; p = 0.006386.
    """
    diff = nps_difference(scores(30, 40, 30), scores(50, 30, 20))
    assert diff.estimate == pytest.approx(30.0)
    assert diff.se == pytest.approx(11.0)
    assert diff.z == pytest.approx(30 / 11)
    assert diff.p_value == pytest.approx(0.006386, abs=1e-6)
    assert (diff.lo, diff.hi) == (
        pytest.approx(30 - 1.959964 * 11),
        pytest.approx(30 + 1.959964 * 11),
    )
    assert list(diff.to_frame().columns) == ["term", "estimate", "se", "lo", "hi", "p_value"]
    assert "+30.0 points" in str(diff) and "+30.0 points" in str(diff.summary())
    assert "<table>" in diff.summary()._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        diff.estimate = 0  # type: ignore[misc]


def test_difference_accepts_nps_rows_and_uses_their_effective_n():
    a, b = quiet_nps(scores(30, 40, 30)), quiet_nps(scores(50, 30, 20))
    assert nps_difference(a, b).se == pytest.approx(11.0)
    weighted = quiet_nps(
        pd.DataFrame({"score": scores(50, 30, 20), "w": [1.0, 3.0] * 50}), weight="w"
    )
    assert nps_difference(a, weighted).n_b == pytest.approx(weighted.iloc[0]["n_effective"])
    with pytest.raises(InputError, match="one\\s+row"):
        nps_difference(quiet_nps(hand_frame(), by="segment"), b)
    assert isinstance(nps_difference(a, b), NPSDifference)
    with pytest.warns(SmallSampleWarning, match="n_a=6, n_b=100"):
        nps_difference([1, 8, 8, 10, 5, 9], b)


def test_difference_90_percent_interval_covers_85_to_95_percent():
    rng = np.random.default_rng(3)
    ca = rng.multinomial(200, [0.3, 0.4, 0.3], size=4000)
    cb = rng.multinomial(300, [0.5, 0.3, 0.2], size=4000)
    _, _, lo, hi, _, _ = difference_arrays(
        ca[:, 0] / 200, ca[:, 2] / 200, 200, cb[:, 0] / 300, cb[:, 2] / 300, 300, 0.90
    )
    assert 0.85 <= np.mean((lo <= 30) & (30 <= hi)) <= 0.95
    public = nps_difference(scores(*ca[0]), scores(*cb[0]), level=0.90)  # the same code path
    assert (public.lo, public.hi) == (pytest.approx(lo[0]), pytest.approx(hi[0]))


# --- invariants ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(0, 10), st.none()), min_size=1, max_size=60),
    method=st.sampled_from(["wald", "adjusted", "bootstrap"]),
    level=st.floats(0.5, 0.99),
    seed=st.integers(0, 1000),
)
def test_invariants(values, method, level, seed):
    if all(v is None for v in values):
        return
    kwargs = {"method": method, "level": level, "n_boot": 200}
    row = quiet_nps(values, **kwargs).iloc[0]
    shuffled = list(np.random.default_rng(seed).permutation(np.array(values, dtype=object)))
    again = quiet_nps(shuffled, **kwargs).iloc[0]
    weighted = quiet_nps(pd.DataFrame({"score": values, "w": 2.5}), weight="w", **kwargs).iloc[0]
    assert -100 <= row["lo"] <= row["nps"] <= row["hi"] <= 100
    for other in (again, weighted):
        for col in ("nps", "se", "lo", "hi"):
            assert other[col] == pytest.approx(row[col], abs=1e-9)


if __name__ == "__main__":
    print(coverage_table())


@pytest.mark.parametrize("period", ["M", "Q", "Y"])
def test_period_labels_are_pandas_period_texts(period) -> None:
    import numpy as np

    from cxvalue.nps import _period_labels

    rng = np.random.default_rng(1)
    when = pd.Series(pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, 400), "D"))
    when[::37] = pd.NaT
    expected = when.dt.to_period(period).astype(str)
    assert list(_period_labels(when, period)) == expected.tolist()
