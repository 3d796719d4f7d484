"""The drift check's core on hand-built schema-1 snapshots (tests/_drift_factory.py)."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from _drift_factory import (
    SHARES,
    baseline,
    current_from,
    noise_only,
    revenue_sample,
    score_counts,
    set_revenue,
)
from cxvalue._drift_checks import check_score_psi, psi_thresholds
from cxvalue._drift_stats import holm, multinomial, nps_change, psi
from cxvalue.drift import DriftReport, DriftThresholds, check_drift, write_cannot_judge
from cxvalue.errors import ConfigError
from cxvalue.nps import nps_difference
from cxvalue.report.config import parse_config


@pytest.fixture(scope="module")
def base():
    return baseline()


def by_name(report: DriftReport) -> dict:
    return {c.name: c for c in report.checks}


def detractors_up(points: float, n: int = 2_000) -> list[int]:
    """Score counts with `points` of share moved from promoters (9–10) to detractors (0–6)."""
    shares = SHARES.copy()
    moved = points / 100
    shares[9:] *= 1 - moved / shares[9:].sum()
    shares[:7] *= 1 + moved / shares[:7].sum()
    return score_counts(n, shares)


# -- the four outcomes ---------------------------------------------------------------------


def test_identical_snapshots_pass(base):
    report = check_drift(base, copy.deepcopy(base))
    assert report.exit_code == 0 and report.verdict == "pass"
    assert {c.status for c in report.checks} == {"pass"}
    assert len(report.checks) >= 15


def test_detractor_share_up_10_points_fails_nps_and_score_checks(base):
    report = check_drift(base, current_from(base, counts=detractors_up(10)))
    checks = by_name(report)
    assert report.exit_code == 1 and report.verdict == "drift"
    assert checks["nps_moved"].status == "fail"
    assert checks["nps_moved"].value == pytest.approx(-20, abs=0.2)
    assert checks["score_distribution.categories"].status == "fail"
    assert checks["score_distribution.categories"].detail["detractor_move"] == pytest.approx(
        10, abs=0.1
    )
    # PSI is blunt here: moving 10 points between categories gives PSI ≈ 0.06
    assert checks["score_distribution.psi"].value < 0.1
    assert report.checks[0].status == "fail"


def test_nps_moved_needs_both_size_and_noise(base):
    """A 6-point move at n = 2,000 (z ≈ 2.3) warns; at n = 60 it is within noise."""
    report = check_drift(base, current_from(base, counts=detractors_up(3)))
    assert by_name(report)["nps_moved"].status == "warn"
    small = current_from(base, counts=score_counts(60))
    check = by_name(check_drift(small, current_from(small, counts=detractors_up(12, n=60))))
    assert abs(check["nps_moved"].value) >= 10 and check["nps_moved"].status == "pass"
    assert "within noise" in check["nps_moved"].reason


def test_a_changed_score_distribution_fails_psi(base):
    """Same NPS categories, but answers pile up on 7 and 10 (e.g. a new survey widget)."""
    shares = np.zeros(11)
    shares[:7] = SHARES[:7].sum() / 7
    shares[7], shares[8] = SHARES[7:9].sum(), 0.0
    shares[9], shares[10] = 0.0, SHARES[9:].sum()
    checks = by_name(check_drift(base, current_from(base, counts=score_counts(2_000, shares))))
    assert checks["score_distribution.psi"].status == "fail"
    assert checks["score_distribution.categories"].status == "pass"


@pytest.mark.parametrize("sigma, psi_status", [(1.0, {"warn", "fail"}), (0.6, {"fail"})])
def test_revenue_times_1_5_fails(base, sigma, psi_status):
    old = set_revenue(copy.deepcopy(base), revenue_sample(1, sigma=sigma))
    new = current_from(old, revenue=revenue_sample(2, sigma=sigma, factor=1.5))
    report = check_drift(old, new)
    checks = by_name(report)
    assert report.exit_code == 1
    assert checks["revenue_per_customer_month"].status == "fail"
    assert checks["revenue_per_customer_month"].value == pytest.approx(0.5, abs=0.05)
    assert checks["revenue_distribution"].status in psi_status
    same = check_drift(old, current_from(old, revenue=revenue_sample(3, sigma=sigma)))
    assert by_name(same)["revenue_distribution"].status == "pass"


def test_revenue_on_other_edges_cannot_be_judged(base):
    new = set_revenue(copy.deepcopy(base), revenue_sample(2))  # its own deciles
    check = by_name(check_drift(base, new))["revenue_distribution"]
    assert check.status == "cannot_judge" and "frozen" in check.reason


@pytest.mark.parametrize("empty", ["responses", "revenue"])
def test_empty_current_cannot_be_judged_even_when_something_moved(base, empty):
    cur = current_from(base, counts=detractors_up(10))
    if empty == "responses":
        cur = current_from(cur, counts=[0] * 11)
    else:
        cur["data"].update(customer_months=0, revenue_total=0.0, revenue_bin_counts=[0] * 10)
    report = check_drift(base, cur)
    assert report.exit_code == 2 and report.verdict == "cannot_judge"
    assert all(c.blocking for c in report.checks)
    assert "nothing to compare" in report.checks[0].reason


@pytest.mark.parametrize("mangle", ["newer", "no_data", "wrong_type", "not_a_dict"])
def test_schema_mismatch_or_mangled_snapshot_cannot_be_judged(base, mangle):
    cur = copy.deepcopy(base)
    if mangle == "newer":
        cur["schema_version"] = 2
    elif mangle == "no_data":
        del cur["data"]
    elif mangle == "wrong_type":
        cur["nps"]["n"] = "2000"
    else:
        cur = ["not", "a", "snapshot"]
    report = check_drift(base, cur)
    assert report.exit_code == 2
    assert report.checks[0].name == "snapshot.current" and report.checks[0].blocking
    if mangle == "newer":
        assert "version 2" in report.checks[0].reason and "version 1" in report.checks[0].reason


# -- effects ---------------------------------------------------------------------------------


def test_spec_mismatch_makes_effects_cannot_judge_never_pass(base):
    cur = current_from(base)
    cur["retention"]["spec"]["controls"] = ["segment"]
    report = check_drift(base, cur)
    checks = by_name(report)
    retention = [c for n, c in checks.items() if n.startswith("effect.retention.")]
    assert len(retention) == 3 and {c.status for c in retention} == {"cannot_judge"}
    assert "controls" in retention[0].reason
    assert checks["effect.revenue.promoter"].status == "pass"
    assert report.exit_code == 2


def test_controls_in_another_order_are_the_same_spec(base):
    cur = current_from(base)
    cur["retention"]["spec"]["controls"] = ["tenure_band", "segment"]
    assert check_drift(base, cur).exit_code == 0


def test_a_model_that_did_not_converge_cannot_be_judged(base):
    cur = current_from(base)
    cur["retention"]["converged"] = False
    report = check_drift(base, cur)
    assert report.exit_code == 2
    assert by_name(report)["effect.retention.promoter"].status == "cannot_judge"
    assert "did not converge" in by_name(report)["effect.retention.promoter"].reason


def test_a_moved_hazard_ratio_fails_and_a_small_move_does_not(base):
    cur = current_from(base)
    promoter = cur["retention"]["hazard_ratio"]["promoter"]
    promoter["log"] = float(np.log(0.9))  # 0.6 → 0.9: +50 %, z ≈ 3.6
    cur["retention"]["hazard_ratio"]["detractor"]["log"] += np.log(1.05)
    checks = by_name(check_drift(base, cur))
    assert checks["effect.retention.promoter"].status == "fail"
    assert checks["effect.retention.promoter"].value == pytest.approx(0.5)
    assert checks["effect.retention.detractor"].status == "pass"
    assert "conservative" in checks["effect.retention.promoter"].reason


def test_holm_matches_statsmodels():
    p = [0.01, 0.04, 0.03, 0.005, 0.5]
    expected = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(holm(p), expected)


def test_nps_change_matches_nps_difference():
    d = nps_difference([9, 9, 3, 7] * 50, [9, 9, 9, 3] * 50)
    delta, z = nps_change((100, 50, 50), (150, 0, 50))
    assert delta == pytest.approx(d.estimate) and z == pytest.approx(d.estimate / d.se)


# -- money and forecasts ------------------------------------------------------------------------


def test_value_per_point_fails_when_large_and_intervals_apart(base):
    cur = current_from(base)
    cur["value"]["per_point"] = {"estimate": 80_000.0, "lo": 70_000.0, "hi": 90_000.0}
    cur["value"]["gap"]["promoter_vs_detractor"] = {
        "estimate": 2_000.0,
        "lo": 1_600.0,
        "hi": 2_400.0,
    }
    checks = by_name(check_drift(base, cur))
    assert checks["value.per_point"].status == "fail"
    assert checks["value.gap.promoter_vs_detractor"].status == "pass"


def test_value_only_warns_when_large_but_the_intervals_overlap(base):
    """New estimate outside the baseline's interval happens in ~17 % of no-change runs."""
    cur = current_from(base)
    cur["value"]["per_point"] = {"estimate": 65_000.0, "lo": 54_000.0, "hi": 76_000.0}
    check = by_name(check_drift(base, cur))["value.per_point"]
    assert check.status == "warn" and check.detail["outside_baseline_interval"]


def test_a_growing_base_is_not_value_drift(base):
    """A year-old baseline of a company whose base grew 40%: the value of a point and the
    value at stake grew with it (1% of more customers move; more detractors), the value
    per customer did not. Compared at today's base size, that passes; a larger value per
    customer still fails; without the counts (older snapshots) the figures are compared
    as they are."""
    gap = {"estimate": 5e6, "lo": 4.6e6, "hi": 5.4e6}
    base["value"] |= {"customers": 10_000}
    base["value"]["gap"]["promoter_vs_detractor_whole_base"] = gap
    cur = current_from(base)
    cur["value"]["customers"] = 14_000
    for key in ("estimate", "lo", "hi"):
        cur["value"]["per_point"][key] *= 1.4
        cur["value"]["gap"]["promoter_vs_detractor_whole_base"][key] *= 1.4
    checks = by_name(check_drift(base, cur))
    point, whole = checks["value.per_point"], checks["value.gap.promoter_vs_detractor_whole_base"]
    assert point.status == whole.status == "pass" and point.value == pytest.approx(0.0)
    assert "scaled to today's base: 10,000 customers then, 14,000 now, +40.0%" in point.reason
    cur["value"]["per_point"] = {k: v * 1.6 for k, v in cur["value"]["per_point"].items()}
    assert by_name(check_drift(base, cur))["value.per_point"].status == "fail"
    del base["value"]["customers"]
    checks = by_name(check_drift(base, cur))
    assert checks["value.gap.promoter_vs_detractor_whole_base"].status == "fail"
    assert "scaled" not in checks["value.gap.promoter_vs_detractor_whole_base"].reason


def test_money_in_reasons_carries_its_currency_and_a_new_currency_is_not_compared(base):
    """Reasons read "moved from 52,000 [...]": in which money? Snapshots now say, and a
    run in another currency than its baseline is not compared at all."""
    base["value"]["currency"] = "EUR"
    cur = current_from(base)
    checks = by_name(check_drift(base, cur))
    assert "moved from €52,000 [€41,000, €63,000] to €52,000" in checks["value.per_point"].reason
    assert re.search(r"moved from €[\d,]+\.\d\d to €", checks["revenue_per_customer_month"].reason)
    cur["value"]["currency"] = "USD"
    check = by_name(check_drift(base, cur))["value.per_point"]
    assert check.status == "cannot_judge" and "the currency differs (EUR then, USD now)" in (
        check.reason
    )
    del base["value"]["currency"], cur["value"]["currency"]  # older snapshots: plain amounts
    assert (
        "moved from 52,000 [41,000, 63,000]"
        in by_name(check_drift(base, cur))["value.per_point"].reason
    )


def test_effects_say_conservative_only_when_periods_overlap(base):
    cur = current_from(base)
    assert "conservative" in by_name(check_drift(base, cur))["effect.revenue.promoter"].reason
    cur["data"].update(period_first="2026-01", period_last="2026-12")
    report = check_drift(base, cur)
    assert "conservative" not in by_name(report)["effect.revenue.promoter"].reason
    assert not any("overlap" in note for note in report.notes)


def test_forecast_accuracy_scored_against_actuals(base):
    cur = current_from(base)
    report = check_drift(base, cur)
    assert "forecast.accuracy" not in by_name(report)
    assert any("No actuals yet" in n for n in report.notes)
    # actuals 25 % and 15 % under the forecast: MAPE = (0.25/0.75 + 0.15/0.85) / 2
    estimates = [row["estimate"] for row in base["forecast"][:2]]
    cur["data"]["actuals"] = [
        {"period": "2026-01", "revenue": estimates[0] * 0.75},
        {"period": "2026-02", "revenue": estimates[1] * 0.85},
    ]
    check = by_name(check_drift(base, cur))["forecast.accuracy"]
    assert check.value == pytest.approx((0.25 / 0.75 + 0.15 / 0.85) / 2)
    assert check.status == "fail" and check.n == 2
    assert check.detail["coverage"] == 0.0


# -- inputs: ledgers and segments -----------------------------------------------------------


def test_rejections_up_fail_and_growth_only_warns(base):
    cur = current_from(base)
    cur["inputs"]["revenue"].update(rows_read=40_000, rows_kept=38_000, rows_rejected=2_000)
    checks = by_name(check_drift(base, cur))
    assert checks["rejection_rate.revenue"].status == "fail"  # 1.2 % → 5 %
    assert checks["rows.revenue"].status == "warn"  # +65 %
    assert checks["rejection_rate.responses"].status == "pass"


def test_vanished_and_new_segments_warn(base):
    cur = current_from(base)
    cur["data"]["segments"] = {"segment": ["Enterprise", "Mid-Market", "Public"]}
    check = by_name(check_drift(base, cur))["segments.segment"]
    assert check.status == "warn"
    assert "vanished: SMB" in check.reason and "new: Public" in check.reason


# -- false alarms ---------------------------------------------------------------------------


def test_noise_only_passes_in_at_least_9_of_10_seeds(base):
    exits = [check_drift(base, noise_only(base, seed), seed=seed).exit_code for seed in range(10)]
    assert exits.count(0) >= 9, exits


def test_fixed_psi_band_misfires_at_survey_sizes_and_ours_does_not():
    """200 responses per wave, nothing changed: PSI > 0.1 about half the time; our fail
    threshold (bootstrap at the actual sizes) alarms in at most 1 % of waves."""
    th = DriftThresholds()
    rng = np.random.default_rng(11)
    fixed, ours, total = 0, 0, 0
    for i in range(40):  # 40 baselines × 250 current waves = 10,000 no-change pairs
        old = rng.multinomial(200, SHARES)
        fail_at, _ = psi_thresholds(old, 200, th, np.random.default_rng([i, 1]))
        values = psi(old, multinomial(rng, 200, SHARES, 250), th.psi_epsilon)
        fixed += int((values > 0.1).sum())
        ours += int((values > fail_at).sum())
        total += values.size
    assert 0.35 < fixed / total < 0.75
    assert ours / total <= 0.01


def test_psi_check_uses_the_bootstrap_threshold_at_small_n(base):
    small = current_from(base, counts=score_counts(200))
    check = check_score_psi(small, small, DriftThresholds(), np.random.default_rng(0))
    assert check.threshold > 0.25 and check.warn_threshold > 0.1


def test_score_scales_compare_with_their_cut_points(base):
    """Snapshots before cut-points were kept held the NPS scale: the same as one with the NPS
    cut-points written out. A CSAT run against an NPS baseline cannot be judged."""
    written = copy.deepcopy(base)
    written["data"]["scale"] |= {"detractor": [0, 6], "passive": [7, 8], "promoter": [9, 10]}
    rng = np.random.default_rng(0)
    assert check_score_psi(base, written, DriftThresholds(), rng).status == "pass"
    csat = copy.deepcopy(written)
    csat["data"]["scale"] = {"low": 1, "high": 5, "detractor": [1, 2], "passive": [3, 3],
                             "promoter": [4, 5]}  # fmt: skip
    csat["data"]["score_counts"] = [100, 200, 300, 400, 500]
    check = check_score_psi(base, csat, DriftThresholds(), rng)
    assert check.status == "cannot_judge"
    assert check.reason.startswith(
        "The score scales differ (0–10 (detractor 0–6, passive 7–8, promoter 9–10) then, "
        "1–5 (detractor 1–2, passive 3–3, promoter 4–5) now)"
    )


# -- reports ----------------------------------------------------------------------------------


def drifted(base):
    cur = current_from(base, counts=detractors_up(10))
    cur["retention"]["spec"]["link"] = "logit"
    cur["data"]["segments"] = {"segment": ["Enterprise", "SMB"]}
    return check_drift(base, cur)


def test_checks_are_ordered_worst_first(base):
    statuses = [c.status for c in drifted(base).checks]
    rank = {"fail": 0, "cannot_judge": 1, "warn": 2, "pass": 3}
    assert statuses == sorted(statuses, key=rank.get)
    assert statuses[0] == "fail" and "cannot_judge" in statuses and "warn" in statuses


def test_markdown_starts_with_a_one_line_verdict(base):
    md = drifted(base).to_markdown()
    first = md.splitlines()[0]
    assert first.startswith("**Drift found**: 2 checks failed, 3 could not be judged, 1 warned")
    assert first.endswith("(baseline 2025-12, current 2026-01)")
    assert md.index("nps_moved") < md.index("<details>") < md.index("rows.responses")


def test_junit_xml_has_one_testcase_per_check(base):
    report = drifted(base)
    root = ET.fromstring(report.to_junit_xml())
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(report.checks)
    assert [c.get("name") for c in cases] == [c.name for c in report.checks]
    assert len(root.findall(".//failure")) == report.counts["fail"] == int(root.get("failures"))
    assert len(root.findall(".//skipped")) == report.counts["cannot_judge"]
    assert len(root.findall(".//system-out")) == report.counts["warn"]


def test_reports_are_byte_identical_on_rerun(base, tmp_path):
    cur = current_from(base, counts=detractors_up(4))
    first = check_drift(base, cur, seed=3).write(tmp_path / "a")
    second = check_drift(copy.deepcopy(base), copy.deepcopy(cur), seed=3).write(tmp_path / "b")
    for name in ("drift.md", "drift.json", "drift-junit.xml"):
        assert first[name].read_bytes() == second[name].read_bytes()
    data = json.loads(first["drift.json"].read_text(encoding="utf-8"))
    assert data["exit_code"] == 0 and len(data["checks"]) == len(check_drift(base, cur).checks)


def test_write_appends_to_github_step_summary(base, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report = check_drift(base, current_from(base))
    report.write(tmp_path / "out")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# Earlier step\n**No drift**")
    assert report.to_markdown() in text


def test_write_cannot_judge_writes_all_three_files(tmp_path):
    report = write_cannot_judge(tmp_path, "responses.csv could not be read: no such file.")
    assert report.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "drift-junit.xml",
        "drift.json",
        "drift.md",
    ]
    assert (tmp_path / "drift.md").read_text(encoding="utf-8").startswith("**Cannot judge**")
    assert json.loads((tmp_path / "drift.json").read_text(encoding="utf-8"))["exit_code"] == 2


# -- thresholds --------------------------------------------------------------------------------


def test_thresholds_from_the_drift_table():
    raw = {
        "inputs": {"responses": {"path": "r.csv"}, "revenue": {"path": "v.csv"}},
        "drift": {"nps_fail_points": 12, "psi_reps": 5000},
    }
    config = parse_config(raw)
    assert config.drift.nps_fail_points == 12 and config.drift.psi_reps == 5000
    assert parse_config({"inputs": raw["inputs"]}).drift == DriftThresholds()


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"nps_fail_point": 12}, "drift.nps_fail_point"),
        ({"psi_fail": "high"}, "drift.psi_fail"),
        ({"psi_reps": 0}, "drift.psi_reps"),
        ({"effects_fail_p": 1.5}, "drift.effects_fail_p"),
        ({"nps_warn_points": 12}, "drift.nps_warn_points"),
    ],
)
def test_bad_thresholds_name_the_key(raw, key):
    with pytest.raises(ConfigError) as info:
        DriftThresholds.from_mapping(raw)
    assert info.value.key == key and key in str(info.value)


def test_custom_thresholds_change_the_verdict(base):
    cur = current_from(base, counts=detractors_up(10))
    lax = DriftThresholds(
        nps_fail_points=30, nps_warn_points=25, shares_fail_points=20, shares_warn_points=15
    )
    assert check_drift(base, cur, thresholds=lax).exit_code == 0
