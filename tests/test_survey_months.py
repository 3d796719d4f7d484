"""Answers and revenue that reach different months: a warning, and a report that still runs."""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pytest

import cxvalue as cx
from cxvalue._survey_months import check_answer_months
from cxvalue.errors import DataWarning

NAMES = {"responses": "r.csv", "revenue": "v.csv"}


def months(first: str, last: str) -> pd.Series:
    return pd.Series(pd.date_range(first, last, freq="MS"))


def test_answers_that_end_near_the_revenue_pass_quietly():
    """A survey export a few weeks newer than the revenue, or a last wave a year ago."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        check_answer_months(months("2024-01", "2026-03"), months("2023-01", "2025-12"), NAMES, 12)
        check_answer_months(months("2023-01", "2024-12"), months("2023-01", "2025-12"), NAMES, 12)


def test_answers_long_after_the_revenue_are_named():
    answers = pd.Series(pd.to_datetime(["2025-01-15", "2026-02-03", "2026-04-30", "2026-04-01"]))
    with pytest.warns(
        DataWarning,
        match=r"r\.csv: the answers run to 2026-04, 4 months past "
        r"2025-12, the last month of v\.csv\. The models see none of the 3 answers",
    ):
        check_answer_months(answers, months("2023-01", "2025-12"), NAMES, 12)  # fmt: skip


def test_answers_older_than_their_recency_are_named():
    with pytest.warns(DataWarning, match=r"latest answer is from 2024-11, 13 months before "
                      r"2025-12.*more than 12 months after it \(recency_months\)"):  # fmt: skip
        check_answer_months(months("2023-01", "2024-11"), months("2023-01", "2025-12"), NAMES, 12)


def test_a_report_on_stale_answers_runs_and_says_why_the_point_is_naught(tmp_path):
    """Answers only from the sample's first year: today's base is all not surveyed, no one
    moves in the scenario, and the forecast stopped on a mix of zero weights."""
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.report.words import methods, notes
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=1500), seed=3)
    answers = cx.read_responses(paths["responses"]).table
    old = tmp_path / "old.csv"
    answers[answers["responded_at"] < "2024-01-01"].to_csv(old, index=False)
    inputs = {name: {"path": str(p)} for name, p in paths.items()} | {
        "responses": {"path": str(old)}
    }
    config = parse_config({"locale": "de", "value": {"draws": 200}, "inputs": inputs})
    flow = run_flow(config, growth=False, progress=lambda _m: None)
    assert any("latest answer is from 2023-11, 25 months before 2025-12" in n for n in flow.notes)
    # a German pack's methods slide says both warnings in German
    said = "\n".join(methods(flow))
    assert "Hinweis: old.csv: Die letzte Antwort ist von 2023-11, 25 Monate vor 2025-12" in said
    assert "Hinweis: Im heutigen Bestand gibt es keine Kritiker: Der Übergang" in said
    assert "latest answer" not in said and "value():" not in said
    # the figures' speaker notes are German too, their numbers and words the pack's
    spoken = [notes(name, flow) for name in ("survival", "point_value", "sensitivity")]
    assert spoken[0].startswith("Anteil der Kunden, die nach jedem Monat noch Kunden sind")
    assert "bereinigt um segment, Umsatzklasse, Kundendauer" in spoken[0]
    assert "Kündigung: das Datum churned_at der Kundentabelle" in spoken[0]
    assert "über 200 Parameterziehungen" in spoken[1] and "Marge ±25 %" in spoken[2]
    assert not any(" the " in text for text in spoken)
    # notes beyond the slide's four are counted, not dropped without a word
    more = methods(dataclasses.replace(flow, notes=[*flow.notes, "n4", "n5", "n6"]))
    assert more[-2:] == ["Hinweis: n4", "2 weitere Hinweise aus dem Lauf stehen in summary.md "
                         "(englisch)."]  # fmt: skip
    assert set(flow.forecast["scenario"]) == {"baseline"}
    assert flow.value.point["estimate"].iloc[0] == 0.0
