"""`cxvalue drift` end to end: the sample company against its own snapshot, with planted
changes, broken inputs and fresh noise (`cxvalue.cli.main` and `cxvalue.drift`).

The sample is generated at 4,000 customers (about 3.5 s per flow on 2 cores): large
enough that the planted effects are estimated well, small enough for ten noise runs.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import cxvalue as cx
from cxvalue._sample_files import german_amounts, write_gz
from cxvalue.cli import main
from cxvalue.report.capture import make_snapshot
from cxvalue.report.config import load_config
from cxvalue.report.flow import run_flow
from cxvalue.report.snapshot import write_snapshot
from cxvalue.samples import SampleParams, write_sample

N_CUSTOMERS = 4_000
BASE_SEED = 1
#: Other seeds of the same generator: nothing changed but sampling.
NOISE_SEEDS = tuple(range(2, 12))
FILES = ("drift.md", "drift.json", "drift-junit.xml")
CONFIG = """\
title = "Acme drift"
seed = 7

[inputs.responses]
path = "responses.csv.gz"

[inputs.revenue]
path = "revenue.csv.gz"

[inputs.customers]
path = "customers.csv"

[model]
controls = ["segment", "size", "tenure_band"]
"""


def quiet(_message: str) -> None:
    """Progress lines of the flow, not wanted in the tests' output."""


def write_run(directory: Path, seed: int = BASE_SEED, config: str = CONFIG, **params) -> Path:
    """The sample's extracts and a cxvalue.toml in ``directory``; returns the config path."""
    write_sample(directory, params=SampleParams(n_customers=N_CUSTOMERS, **params), seed=seed)
    path = directory / "cxvalue.toml"
    path.write_text(config, encoding="utf-8")
    return path


def copy_run(source: Path, directory: Path) -> Path:
    """A copy of a run's folder (extracts and config); returns the config path."""
    shutil.copytree(source, directory)
    return directory / "cxvalue.toml"


def drift_cli(baseline: Path, config: Path, out: Path) -> int:
    return main(["drift", "--baseline", str(baseline), "--config", str(config), "--out", str(out)])


def read_report(out: Path) -> tuple[str, dict, dict[str, str]]:
    """drift.md, drift.json and each check's status, after checking all three files exist."""
    for name in FILES:
        assert (out / name).is_file(), f"{name} was not written"
    ET.parse(out / "drift-junit.xml")  # well-formed
    md = (out / "drift.md").read_text(encoding="utf-8")
    report = json.loads((out / "drift.json").read_text(encoding="utf-8"))
    return md, report, {c["name"]: c["status"] for c in report["checks"]}


@pytest.fixture(scope="module")
def base_run(tmp_path_factory) -> Path:
    """The baseline's folder: extracts of the sample (seed 1) and its config."""
    directory = tmp_path_factory.mktemp("base")
    write_run(directory)
    return directory


@pytest.fixture(scope="module")
def baseline(base_run, tmp_path_factory) -> Path:
    """The baseline's snapshot.json, as the report producer writes it."""
    flow = run_flow(load_config(base_run / "cxvalue.toml"), extras=False, progress=quiet)
    path = tmp_path_factory.mktemp("baseline") / "snapshot.json"
    return write_snapshot(make_snapshot(flow), path)


# -- the outcomes ---------------------------------------------------------------------------


def test_same_data_passes_and_every_file_is_byte_identical(
    baseline, base_run, tmp_path, monkeypatch
):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert drift_cli(baseline, base_run / "cxvalue.toml", tmp_path / "a") == 0
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    assert drift_cli(baseline, base_run / "cxvalue.toml", tmp_path / "b") == 0

    md, report, statuses = read_report(tmp_path / "a")
    assert md.startswith("**No drift**: ") and report["exit_code"] == 0
    assert set(statuses.values()) == {"pass"} and len(statuses) >= 15
    for name in (*FILES, "snapshot.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # the snapshot written is next month's baseline: on the same data, the baseline itself
    assert (tmp_path / "a" / "snapshot.json").read_bytes() == baseline.read_bytes()
    # nothing that changes from run to run: no clock times, dates or durations
    for name in FILES:
        text = (tmp_path / "a" / name).read_text(encoding="utf-8")
        assert not re.search(r"\d\d:\d\d|\d{4}-\d\d-\d\d|\d+(\.\d+)?\s?(ms|sec)\b", text), name
    assert summary.read_text(encoding="utf-8") == md + "\n"


def test_more_detractors_fail_the_score_checks(baseline, tmp_path):
    """detractor_shift = 0.10 moves 10 % of every size band's attitudes to detractor."""
    config = write_run(tmp_path / "data", seed=2, detractor_shift=0.10)
    assert drift_cli(baseline, config, tmp_path / "out") == 1
    md, report, statuses = read_report(tmp_path / "out")
    assert md.startswith("**Drift found**: ") and report["verdict"] == "drift"
    assert statuses["score_distribution.categories"] == "fail"
    assert statuses["nps_moved"] == "fail"
    categories = next(c for c in report["checks"] if c["name"] == "score_distribution.categories")
    assert categories["detail"]["detractor_move"] > 5
    # A mix shift is not a per-customer value shift: the value of a point and the CLV gaps
    # are per customer of a category (the planted hazard ratios and growth did not change),
    # so they must not fail; the value at stake in the whole base (the gap times the
    # detractors) grows with the detractors, and that check fails.
    assert statuses["value.per_point"] != "fail"
    assert statuses["value.gap.promoter_vs_detractor"] != "fail"
    assert statuses["value.gap.promoter_vs_detractor_whole_base"] == "fail"
    junit = ET.parse(tmp_path / "out" / "drift-junit.xml").getroot()
    failed = {
        case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None
    }
    assert {"score_distribution.categories", "nps_moved"} <= failed


def scale_revenue(path: Path, factor: float) -> None:
    """Rewrite the German billing extract (``1.234,56``) with every amount × factor."""
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    amounts = frame["Umsatz"].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    frame["Umsatz"] = german_amounts(amounts.astype(float).to_numpy() * factor)
    write_gz(path, frame.to_csv(index=False, sep=";", lineterminator="\n"))


def test_revenue_times_one_and_a_half_fails_the_revenue_check(baseline, base_run, tmp_path):
    config = copy_run(base_run, tmp_path / "data")
    scale_revenue(tmp_path / "data" / "revenue.csv.gz", 1.5)
    assert drift_cli(baseline, config, tmp_path / "out") == 1
    md, report, statuses = read_report(tmp_path / "out")
    assert md.startswith("**Drift found**: ")
    level = next(c for c in report["checks"] if c["name"] == "revenue_per_customer_month")
    assert level["status"] == "fail" and level["value"] == pytest.approx(0.5, abs=1e-6)
    # the survey did not change, so neither did its checks
    for name in ("nps_moved", "score_distribution.psi", "score_distribution.categories"):
        assert statuses[name] == "pass", name
    assert statuses["value.per_point"] == "fail"  # money scales with revenue


# -- cannot judge ---------------------------------------------------------------------------


def test_empty_responses_cannot_be_judged(baseline, base_run, tmp_path):
    config = copy_run(base_run, tmp_path / "data")
    responses = tmp_path / "data" / "responses.csv.gz"
    header = gzip.decompress(responses.read_bytes()).decode("utf-8").splitlines(keepends=True)
    write_gz(responses, "".join(header[:3]))  # Qualtrics's three header rows, no answers
    assert drift_cli(baseline, config, tmp_path / "out") == 2
    md, report, statuses = read_report(tmp_path / "out")
    first = md.splitlines()[0]
    assert first.startswith("**Cannot judge**") and "responses.csv.gz" in first
    assert "no rows" in first
    assert report["exit_code"] == 2 and set(statuses.values()) == {"cannot_judge"}
    assert not (tmp_path / "out" / "snapshot.json").exists()


def _without_nps(snap: dict) -> str:
    del snap["nps"]
    return json.dumps(snap)


def _version_99(snap: dict) -> str:
    snap["schema_version"] = 99
    return json.dumps(snap)


@pytest.mark.parametrize(
    ("mangle", "why"),
    [
        (_without_nps, "nps: missing"),
        (_version_99, "schema version 99"),
        (lambda snap: json.dumps(snap)[:-40], "is not a JSON snapshot"),
        (None, "Cannot read the snapshot"),
    ],
    ids=["nps-deleted", "schema-99", "truncated", "missing-file"],
)
def test_a_mangled_baseline_cannot_be_judged(baseline, base_run, tmp_path, mangle, why):
    bad = tmp_path / "baseline.json"
    if mangle is not None:
        bad.write_text(mangle(json.loads(baseline.read_text(encoding="utf-8"))), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "snapshot.json").write_text("{}", encoding="utf-8")  # from an earlier month
    assert drift_cli(bad, base_run / "cxvalue.toml", out) == 2
    md, report, _ = read_report(out)
    assert md.startswith("**Cannot judge**") and why in md.splitlines()[0]
    assert report["verdict"] == "cannot_judge"
    assert not (out / "snapshot.json").exists(), "a stale baseline must not look fresh"


def test_a_config_error_names_the_key(baseline, base_run, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    config = tmp_path / "cxvalue.toml"
    text = CONFIG.replace("controls =", "controlz =").replace('path = "', f'path = "{base_run}/')
    config.write_text(text, encoding="utf-8")
    assert drift_cli(baseline, config, tmp_path / "out") == 2
    md, _, statuses = read_report(tmp_path / "out")
    assert "model.controlz" in md.splitlines()[0] and "model.controls" in md
    assert statuses == {"comparison": "cannot_judge"}
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + md + "\n"


# -- noise ----------------------------------------------------------------------------------


def test_noise_alone_passes_nine_seeds_in_ten(baseline, tmp_path):
    """Other seeds of the same generator (and the Python API: a dict and a Config)."""
    base = json.loads(baseline.read_text(encoding="utf-8"))
    outcomes = {}
    for seed in NOISE_SEEDS:
        config = load_config(write_run(tmp_path / str(seed), seed=seed))
        report = cx.drift(base, config, progress=quiet)
        flagged = [f"{c.name}={c.status}" for c in report.checks if c.status != "pass"]
        outcomes[seed] = (report.exit_code, flagged)
    passed = [seed for seed, (code, _) in outcomes.items() if code == 0]
    assert len(passed) >= 9, outcomes
    assert not any(code == 2 for code, _ in outcomes.values()), outcomes


def test_a_margin_column_is_recorded_as_assumed_not_as_observed():
    """A margin read from a cost column averages differently every month; the snapshot's
    assumptions must name the column (the drift check compares assumptions for equality)."""
    from types import SimpleNamespace

    from cxvalue.report.capture import _assumed_margin

    table = pd.DataFrame({"margin": [0.31]})
    table.attrs["source"] = "margin from the 'cost' column, latest 12 months"
    assumptions = SimpleNamespace(margin=0.3102, margin_source="… (revenue-weighted 31%)")
    flow = SimpleNamespace(
        margin=table,
        value=SimpleNamespace(assumptions=assumptions),
        config=SimpleNamespace(value=SimpleNamespace(margin="cost")),
    )
    assert _assumed_margin(flow) == ("cost", "margin from the 'cost' column, latest 12 months")
    flow.margin = 0.3
    assumptions.margin, assumptions.margin_source = 0.3, "30% margin"
    assert _assumed_margin(flow) == (0.3, "30% margin")


def test_a_csat_survey_s_drift_report_speaks_of_net_csat(base_run, tmp_path):
    """A CSAT survey's drift report said "NPS stayed at …" and "the promoter share"."""
    config = copy_run(base_run, tmp_path / "run")
    answers = cx.read_responses(config.parent / "responses.csv.gz").table
    csat = answers["category"].map({"promoter": 5, "passive": 3, "detractor": 1})
    answers.assign(score=csat)[["customer_id", "responded_at", "score"]].to_csv(
        config.parent / "csat.csv", index=False
    )
    read_csat = 'path = "csat.csv"\nscale = "csat"'
    config.write_text(CONFIG.replace('path = "responses.csv.gz"', read_csat), encoding="utf-8")
    flow = run_flow(load_config(config), extras=False, progress=quiet)
    baseline = write_snapshot(make_snapshot(flow), tmp_path / "baseline.json")
    assert drift_cli(baseline, config, tmp_path / "out") == 0
    md, report, statuses = read_report(tmp_path / "out")
    reasons = [c["reason"] for c in report["checks"]]
    assert any(r.startswith("Net CSAT stayed at") for r in reasons), reasons
    assert "nps_moved" in statuses  # names stay, for CI history
    assert not re.search(r"NPS|promoter|detractor|passive", " ".join(reasons)), reasons
    assert "satisfied customer share moved most" in md
