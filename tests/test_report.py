"""`cxvalue report` on the sample: the board pack's structure, what it must never hold,
the tables, the summary and the snapshot."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.shapes.picture import Picture

import cxvalue as cx
from cxvalue.cli import main
from cxvalue.formatting import fmt_number
from cxvalue.report import load_config
from cxvalue.report.deck import overflowing_text
from cxvalue.report.flow import CHURN_DATES_NOTE
from cxvalue.report.pack import headline, summary_markdown, write_report
from cxvalue.report.snapshot import read_snapshot
from cxvalue.report.words import methods
from cxvalue.samples import VERBATIMS
from cxvalue.value import NOT_ENOUGH

SAMPLE_CONFIG = Path("examples/sample.toml")
FIGURES = ("nps_trend", "nps_by_segment", "survival", "revenue_change", "lifetime_value",
           "value_bridge", "point_value", "forecast", "sensitivity")  # fmt: skip


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pack")
    return write_report(load_config(SAMPLE_CONFIG), out, progress=lambda _m: None)


def test_every_output_is_written(pack):
    for name in ("board", "summary", "tables", "snapshot"):
        assert pack[name].is_file() and pack[name].stat().st_size > 0
    for name in FIGURES:
        for ext in ("png", "svg"):
            assert (pack["figures"] / f"{name}.{ext}").is_file(), f"{name}.{ext}"


def test_board_pack_structure(pack):
    deck = Presentation(str(pack["board"]))
    slides = list(deck.slides)
    titles = [s.shapes.title.text_frame.text if s.shapes.title else "" for s in slides]
    # title, value at stake, one per figure, methods (one or two slides)
    assert len(slides) in (2 + len(FIGURES) + 1, 2 + len(FIGURES) + 2)
    assert titles[1] == "Value at stake"
    assert titles[2 + len(FIGURES)].startswith("Methods and caveats")
    figure_slides = slides[2 : 2 + len(FIGURES)]
    for slide, title in zip(figure_slides, titles[2:], strict=False):
        pictures = [s for s in slide.shapes if isinstance(s, Picture)]
        assert len(pictures) == 1, title
        pic = pictures[0]
        assert pic.left >= 0 and pic.top >= 0
        assert (
            pic.left + pic.width <= deck.slide_width and pic.top + pic.height <= deck.slide_height
        )
        assert slide.has_notes_slide and len(slide.notes_slide.notes_text_frame.text) > 40
        assert any(ch.isdigit() for ch in title), f"an action title states a number: {title}"
    assert overflowing_text(deck) == []
    methods_text = " ".join(shape.text_frame.text for slide in slides[2 + len(FIGURES):]
                            for shape in slide.shapes if shape.has_text_frame)  # fmt: skip
    assert ("Churn: the churned_at date in the customers table; for customers not in it, 3 "
            "months in a row without revenue." in methods_text)  # fmt: skip


def test_slide_titles_state_the_numbers_the_results_hold(pack):
    deck = Presentation(str(pack["board"]))
    titles = " | ".join(s.shapes.title.text_frame.text for s in deck.slides if s.shapes.title)
    snap = read_snapshot(pack["snapshot"])
    gap = snap["value"]["gap"]["promoter_vs_detractor"]["estimate"]
    assert f"€{gap:,.0f}"[:3] in titles  # "€7,7…" (rounded in the title)
    assert "A promoter is worth" in titles
    headline = " ".join(sh.text_frame.text for sh in deck.slides[1].shapes if sh.has_text_frame)
    point = snap["value"]["per_point"]["estimate"]
    assert f"€{float(f'{point:.3g}'):,.0f}" in headline
    assert "detractor to passive" in headline  # the transition assumption, stated
    # one number, one way of writing it: the headline's figures read the same in the
    # titles of their own slides (€482,000 there and €480,000 here read as two numbers)
    for value in (point, gap):
        written = f"€{float(f'{value:.3g}'):,.0f}"
        assert written in headline and written in titles, written


def test_no_verbatim_and_no_customer_id_anywhere(pack):
    responses = cx.read_responses("data/samples/responses.csv.gz").table
    ids = responses["customer_id"].dropna().astype(str).unique()[:200]
    texts = []
    with zipfile.ZipFile(pack["board"]) as z:
        texts += [z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml")]
    with zipfile.ZipFile(pack["tables"]) as z:
        texts += [z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml")]
    texts += [pack["summary"].read_text(), pack["snapshot"].read_text()]
    blob = "\n".join(texts)
    for verbatim in filter(None, VERBATIMS):
        assert verbatim not in blob
    leaked = [i for i in ids if f">{i}<" in blob or f'"{i}"' in blob or f" {i} " in blob]
    assert leaked == []


def test_tables_for_finance(pack):
    book = load_workbook(pack["tables"])
    for sheet in ("lifetime_value", "value_gaps", "value_of_a_point", "forecast", "ledgers",
                  "hazard_ratios", "sensitivity"):  # fmt: skip
        assert sheet in book.sheetnames
    clv = book["lifetime_value"]
    header = [c.value for c in clv[1]]
    assert header[:4] == ["category", "estimate", "lo", "hi"]
    assert all(isinstance(row[1].value, float) for row in clv.iter_rows(min_row=2))

    # every row of each extract accounted for, reason by reason, in plain cells
    totals = {row[0].value: [c.value for c in row] for row in book["ledgers"].iter_rows(min_row=2)}
    header = [c.value for c in book["ledgers"][1]]
    reasons = pd.DataFrame(list(book["ledger_reasons"].values)[1:],
                           columns=[c.value for c in book["ledger_reasons"][1]])  # fmt: skip
    for table, values in totals.items():
        row = dict(zip(header, values, strict=True))
        mine = reasons[reasons["table"] == table]
        assert row["rows_read"] == row["rows_kept"] + row["rows_rejected"]
        assert mine.loc[mine["kind"] == "rejected", "count"].sum() == row["rows_rejected"]
        assert mine.loc[mine["kind"] == "repaired", "count"].sum() == row["rows_repaired"]
    assert totals["revenue"][header.index("rows_repaired")] > 0  # the sample's credit notes
    cells = [value for sheet in ("ledgers", "ledger_reasons") for r in book[sheet].values
             for value in r]  # fmt: skip
    assert not any("LedgerEntry" in str(value) for value in cells)


def test_summary_and_snapshot_agree(pack):
    snap = read_snapshot(pack["snapshot"])
    text = pack["summary"].read_text()
    point = snap["value"]["per_point"]["estimate"]
    assert f"€{float(f'{point:.3g}'):,.0f}" in text
    assert "36-month horizon, 30% margin" in text
    assert snap["value"]["assumptions"]["transition"] == "detractor_to_passive"
    assert snap["value"]["customers"] > 1000  # today's base, for the drift check's scaling
    assert snap["value"]["currency"] == "EUR"  # the drift check's amounts say it
    assert set(snap["retention"]["hazard_ratio"]) == {"promoter", "detractor", "not_surveyed"}
    assert len(snap["forecast"]) == 24
    assert json.loads(pack["snapshot"].read_text())["schema_version"] == 1


def test_summary_tables_show_missing_numbers_as_a_dash(pack):
    """The scenario's value is given for its whole horizon, not per year: those cells read
    "–", never "nan"."""
    text = pack["summary"].read_text()
    scenario = text.split("## Scenario")[1].split("##")[0]
    assert "| – | – | – |" in scenario
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)


def test_summary_gives_revenue_retention_shares_their_digits(pack):
    """NRR read "1" and the Earned Growth Rate "-0" when shares, money and customer counts
    shared one column (its precision set by revenue in millions)."""
    text = pack["summary"].read_text()
    table = text.split("## Revenue retention\n")[1].split("##")[0]
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in table.splitlines()
            if line.startswith("| ")}  # fmt: skip
    assert rows["metric"][:4] == ["| metric", "share", "amount", "customers"]
    sheet = load_workbook(pack["tables"])["revenue_retention"]
    book = {row[0]: row[1:] for row in sheet.values}
    assert book["metric"][:3] == ("share", "amount", "customers")
    nrr = rows["nrr"][1]
    assert abs(float(nrr) - book["nrr"][0]) < 5e-4 and len(nrr.split(".")[1]) >= 3
    assert rows["nrr"][2] == "–"
    assert 0.5 < book["nrr"][0] < 1.5 and book["nrr"][1] is None
    assert rows["n_base"][3] == f"{book['n_base'][2]:,.0f}" and book["n_base"][2] > 1000
    assert "## NPS by quarter" in text and "## Nps" not in text


def test_summary_tables_give_each_column_one_precision(pack):
    """Every number of a summary column has as many decimals as the others (the NPS column
    read "9.307" beside "11" when each cell chose its own)."""
    text = pack["summary"].read_text()
    tables = re.findall(r"\n(\|.*\|)\n\|(?:---\|)+\n((?:\|.*\|\n?)+)", text)
    assert len(tables) >= 5
    for head, body in tables:
        rows = [line.strip("|").split(" | ") for line in body.strip().splitlines()]
        for j, name in enumerate(head.strip("| ").split(" | ")):
            cells = [row[j].strip() for row in rows]
            fixed = [c for c in cells if re.fullmatch(r"-?[\d,]+\.\d+", c)]
            places = {len(c.split(".")[1]) for c in fixed}
            assert len(places) <= 1, (name, cells)
            if fixed:  # a column with decimals has no whole numbers written without them
                assert not [c for c in cells if re.fullmatch(r"-?[\d,]+", c)], (name, cells)


def test_revenue_retention_reaches_the_summary_and_the_tables(pack):
    config = load_config(SAMPLE_CONFIG)
    revenue = cx.read_revenue(config.inputs["revenue"].path).table
    customers = cx.read_customers(config.inputs["customers"].path).table
    growth = cx.revenue_retention(revenue, customers)  # computed here, outside the report
    text = pack["summary"].read_text()
    assert f"net **{100 * growth.nrr:.1f}%**, gross {100 * growth.grr:.1f}%" in text
    assert f"Earned Growth Rate **+{100 * growth.earned_growth_rate:.1f}%**" in text
    sheet = load_workbook(pack["tables"])["revenue_retention"]
    values = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["nrr"][0] == pytest.approx(growth.nrr, rel=1e-12)  # share
    assert values["new_revenue"][1] == pytest.approx(growth.new_revenue, rel=1e-12)  # amount
    assert values["n_new"][2] == growth.n_new  # customers


@pytest.mark.parametrize(("months", "shown"), [(23, False), (24, True)])
def test_revenue_retention_needs_two_years_of_revenue(tmp_path, months, shown):
    from cxvalue.report.config import parse_config
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=1500, n_months=months), seed=3)
    config = parse_config({"inputs": {name: {"path": str(path)} for name, path in paths.items()},
                           "value": {"draws": 200}})  # fmt: skip
    out = write_report(config, tmp_path / "out", progress=lambda _m: None)
    assert all(path.exists() for path in out.values())  # the rest of the report is written
    text = out["summary"].read_text()
    assert ("Revenue retention 20" in text) is shown
    assert ("so it is left out" in text) is not shown  # the note says why it is missing
    assert ("revenue_retention" in load_workbook(out["tables"]).sheetnames) is shown


def test_a_short_history_is_said_in_the_report_s_language(tmp_path):
    """The note on revenue retention left out was the one English line of a German deck."""
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=1500, n_months=23), seed=3)
    inputs = {name: {"path": str(path)} for name, path in paths.items()}
    config = parse_config({"locale": "de", "value": {"draws": 200}, "inputs": inputs})
    said = " ".join(methods(run_flow(config, growth=False, progress=lambda _m: None)))
    assert (
        "Die Umsatzbindung (NRR, GRR) vergleicht die letzten 12 Monate Umsatz mit den 12 davor; "
        "der Umsatz umfasst 23 Monate (2023-01 bis 2024-11), daher fehlt sie."
    ) in said
    assert "Revenue retention" not in said


def test_config_error_names_the_key(tmp_path, capsys):
    bad = tmp_path / "cxvalue.toml"
    bad.write_text(SAMPLE_CONFIG.read_text().replace("margin = 0.3", "margin = 3"))
    assert main(["report", "--config", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "value.margin" in capsys.readouterr().err
    typo = tmp_path / "typo.toml"
    typo.write_text(SAMPLE_CONFIG.read_text().replace("discount_rate", "discount"))
    assert main(["report", "--config", str(typo), "--out", str(tmp_path / "out")]) == 2
    assert "discount_rate" in capsys.readouterr().err  # the nearest known key


def test_a_missing_input_file_is_a_clear_error(tmp_path, capsys):
    config = tmp_path / "cxvalue.toml"
    config.write_text('[inputs.responses]\npath = "nope.csv"\n[inputs.revenue]\npath = "r.csv"\n')
    assert main(["report", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "nope.csv: no such file" in err and "r.csv: no such file" in err  # both at once
    # the customers are read on a second thread: their error reaches the user the same way
    samples = Path("data/samples").resolve()
    (tmp_path / "customers.csv").write_text("name,segment\nAcme,SMB\n")
    config.write_text(f'[inputs.responses]\npath = "{samples / "responses.csv.gz"}"\n'
                      f'[inputs.revenue]\npath = "{samples / "revenue.csv.gz"}"\n'
                      '[inputs.customers]\npath = "customers.csv"\n')  # fmt: skip
    assert main(["report", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "customers.csv" in err and "customer_id" in err


def test_sample_responses_are_a_vendor_export():
    """The sample config reads a Qualtrics export as it comes (three header rows)."""
    with gzip.open("data/samples/responses.csv.gz", "rt", encoding="utf-8-sig") as f:
        first = [next(f) for _ in range(3)]
    assert "ImportId" in first[2]


def test_german_words_for_money_and_settings():
    from cxvalue.report import words

    assert words.money([482050.0, 444552.0, 519687.0], "de", "EUR") == [
        "482.000 €", "445.000 €", "520.000 €"]  # fmt: skip
    assert words.money([2410251.0], "en", "EUR") == ["€2.41M"]
    frame = pd.DataFrame({"low_setting": ["24 months", "22.5%"],
                          "high_setting": ["60 months", "5%"]})  # fmt: skip
    de = words.settings(frame, "de")
    assert de["low_setting"].tolist() == ["24 Monate", "22,5 %"]
    assert de["high_setting"].tolist() == ["60 Monate", "5 %"]
    assert words.years(36, "de") == "3 Jahre" and words.years(18, "en") == "18 months"
    # a German interval gives its shared unit once, so that it fits a headline card
    assert words.interval("40,9 Mio. €", "41,5 Mio. €", "de") == "[40,9–41,5 Mio. €]"
    assert words.interval("445.000 €", "520.000 €", "de") == "[445.000–520.000 €]"
    assert words.interval("950.000 €", "1,20 Mio. €", "de") == "[950.000 € – 1,20 Mio. €]"
    assert words.interval("−1,2 Mio. €", "3,4 Mio. €", "de") == "[−1,2 Mio. € – 3,4 Mio. €]"
    assert words.interval("€40.9M", "€41.5M", "en") == "[€40.9M – €41.5M]"


def test_thin_evidence_is_said_in_the_report_s_language(tmp_path):
    """A German report of a small company (400 customers): the value of a point lacks
    evidence. The headline footnote and the methods say so in German, not with
    cxvalue.value's English reason."""
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.report.pack import headline
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=400), seed=3)
    config = parse_config({
        "locale": "de",
        "inputs": {name: {"path": str(path)} for name, path in paths.items()},
        "model": {"controls": ["segment", "size", "tenure_band"]},
        "value": {"draws": 2000},
    })  # fmt: skip
    flow = run_flow(config, growth=False, progress=lambda _m: None)
    assert flow.value.point["evidence"].iloc[0] == NOT_ENOUGH
    said = "Nicht genug Evidenz: das Intervall ist breiter als die Schätzung."
    assert said in headline(flow).footnote
    assert said in methods(flow)
    assert not any("not enough" in text for text in [headline(flow).footnote, *methods(flow)])
    # a segment with too few answers is marked on its figure and in the tables; nps()'s
    # English advice on by= and period= stays off the methods slide
    assert flow.nps_segments["too_few"].any()
    assert not any("nps():" in text for text in [*flow.notes, *methods(flow)])


def test_evidence_reasons_in_german():
    from cxvalue.report import words

    assert words.evidence("not enough evidence: only 3 churn events among detractors", "de") == (
        "nur 3 Kündigungen bei Kritikern"
    )
    assert words.evidence("only 3 churn events among customers not surveyed; x", "de") == (
        "nur 3 Kündigungen bei nicht befragten Kunden; x"
    )  # a model's own reason stays
    assert words.evidence("not enough evidence: only 3 churn events among detractors", "en") == (
        "only 3 churn events among detractors"
    )


def test_without_churn_dates_the_churn_definition_is_a_sensitivity(tmp_path, monkeypatch):
    """Churn inferred from empty months: the flow refits with 2 and 6 empty months and the
    value of a point moves with the definition (more churn -> a different point). The
    refits cut the base panel's customer-months, stored once, on its engine (a new
    DuckDB each kept memory beneath the next)."""
    from cxvalue.report import flow as flow_module
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=3000), seed=5)
    customers = pd.read_csv(paths["customers"], dtype=str).drop(columns=["churned_at"])
    customers.to_csv(paths["customers"], index=False)
    config = parse_config({
        "inputs": {name: {"path": str(path)} for name, path in paths.items()},
        "model": {"controls": ["segment", "size", "tenure_band"]},
        "value": {"draws": 500},
    })  # fmt: skip
    built, fitted = [], []

    def build_panel(*args, **kwargs):
        built.append(cx.build_panel(*args, **kwargs))
        return built[-1]

    def fit_models(panel, *args):
        fitted.append((panel, panel.recut.stored))  # what was stored when it was fitted
        return real_fit(panel, *args)

    real_fit = flow_module.fit_models
    monkeypatch.setattr(flow_module, "build_panel", build_panel)
    monkeypatch.setattr(flow_module, "fit_models", fit_models)
    flow = run_flow(config, progress=lambda _m: None)
    assert len(built) == 1
    assert [panel.churn_after_months for panel, _ in fitted] == [3, 2, 6]
    stored = built[0].recut.stored  # before the first fit, and read by all three
    assert stored is not None
    assert all(s is stored and p.backend is built[0].backend for p, s in fitted)
    monkeypatch.undo()
    sens = flow.sensitivity.set_index("parameter")
    assert "churn_after_months" in sens.index
    row = sens.loc["churn_after_months"]
    assert (row["low_setting"], row["high_setting"]) == ("2 months", "6 months")
    assert row["low"] != row["high"]
    assert not any("churned_at dates" in n for n in flow.notes)
    # the methods slide says how churn was decided, in the report's language
    assert "Churn: 3 months in a row without revenue (no churn dates given)." in methods(flow)
    german = dataclasses.replace(flow, config=dataclasses.replace(flow.config, locale="de"))
    assert ("Kündigung: 3 Monate in Folge ohne Umsatz (keine Kündigungsdaten angegeben)."
            in methods(german))  # fmt: skip
    # the report's own notes too (here the one of a report with churn dates for everyone)
    noted = dataclasses.replace(german, notes=[CHURN_DATES_NOTE])
    assert methods(noted)[-1].startswith("Hinweis: Die Kündigung kommt für jeden Kunden aus")
    # revenue retention comes with the extras, unless the caller computes it
    assert flow.growth.nrr == cx.revenue_retention(flow.revenue.table, flow.customers.table).nrr
    assert run_flow(config, growth=False, progress=lambda _m: None).growth is None


def test_both_models_come_from_one_run_of_the_panel(monkeypatch):
    """The flow fits both models from one query on the panel, with the estimates of fits
    on the panel stored first (materialize) and each model's query run on it."""
    from cxvalue.report.flow import fit_models, model_panel, read_inputs

    config = load_config(SAMPLE_CONFIG)
    panel = model_panel(config, *read_inputs(config), config.model.churn_after_months)
    stored = panel.materialize()
    expected = (cx.fit_retention(stored, controls=config.model.controls),
                cx.fit_revenue(stored, controls=config.model.controls))  # fmt: skip
    calls = []
    run = panel.backend.to_pyarrow
    monkeypatch.setattr(panel.backend, "to_pyarrow", lambda q: calls.append(q) or run(q))
    models = fit_models(panel, config, config.model.controls)
    assert len(calls) == 1
    for model, reference in zip(models, expected, strict=True):
        pd.testing.assert_series_equal(model.params, reference.params, rtol=1e-9)
        pd.testing.assert_frame_equal(model.cov, reference.cov, rtol=1e-9)


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_churn_dates_cover_every_revenue_customer_or_not(storage) -> None:
    import types

    import pandas as pd

    from cxvalue.report.flow import churn_dates_cover

    def flow(listed, billed):
        table = lambda ids, **more: types.SimpleNamespace(  # noqa: E731
            table=pd.DataFrame(
                {"customer_id": pd.array(ids, dtype=pd.StringDtype(storage)), **more}
            )  # fmt: skip
        )
        return types.SimpleNamespace(
            customers=table(listed, churned_at=pd.NaT), revenue=table(billed)
        )

    assert churn_dates_cover(flow(["a", "b", "c"], ["a", "a", "c"]))
    assert not churn_dates_cover(flow(["a", "b"], ["a", "d", "b"]))
    assert not churn_dates_cover(flow(["a"], ["a "]))


@pytest.mark.parametrize(
    ("locale", "drop", "controls", "notes"),
    [
        ("de", "customers table", ("size_band",), ("Segment", "Kundendauer")),
        ("en", "acquired_at", ("segment", "size_band"), ("tenure",)),
        ("en", None, ("segment", "size_band", "tenure_band"), ()),
    ],
)
def test_default_controls_are_those_the_data_gives(tmp_path, locale, drop, controls, notes):
    """A config without model.controls adjusts for segment, size band and tenure band as far
    as the data gives them: segment needs a customers table, tenure band acquisition dates
    (counted from the first revenue month, every customer billed at the start would be new).
    Each default left out is said on the methods slide, in the report's language."""
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import NO_SEGMENT_NOTE, NO_TENURE_NOTE, run_flow
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=1500), seed=4)
    inputs = {name: {"path": str(path)} for name, path in paths.items()}
    if drop == "customers table":
        del inputs["customers"]
    elif drop == "acquired_at":
        table = pd.read_csv(paths["customers"], dtype=str).drop(columns=["acquired_at"])
        table.to_csv(paths["customers"], index=False)
    config = parse_config({"locale": locale, "inputs": inputs, "value": {"draws": 500}})
    assert config.model.controls is None
    flow = run_flow(config, growth=False, progress=lambda _m: None)
    assert flow.controls == controls
    left_out = [note for note in (NO_SEGMENT_NOTE, NO_TENURE_NOTE) if note in flow.notes]
    assert len(left_out) == len(notes)
    said = " ".join(methods(flow))
    assert locale != "de" or "bereinigt um Umsatzklasse;" in said  # cxvalue's band, in German
    assert all(f"nicht nach {word} bereinigt" in said if locale == "de" else
               f"not adjusted for {word}" in said for word in notes)  # fmt: skip


def test_controls_the_config_names_must_exist(tmp_path):
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=400), seed=4)
    config = parse_config({
        "inputs": {name: {"path": str(paths[name])} for name in ("responses", "revenue")},
        "model": {"controls": ["segment", "size_band"]},
    })  # fmt: skip
    with pytest.raises(cx.errors.ConfigError, match=r"'segment'.*can be controls here: "
                       r"size_band, tenure_band\."):  # fmt: skip
        run_flow(config, progress=lambda _m: None)
    # a name the file spells otherwise only in case or spaces is the file's column
    config = dataclasses.replace(config, model=dataclasses.replace(
        config.model, controls=("Size Band",)))  # fmt: skip
    flow = run_flow(config, extras=False, growth=False, progress=lambda _m: None)
    assert flow.controls == ("size_band",)


def test_a_csat_survey_makes_the_report_the_scale_says(tmp_path):
    """The sample's answers as 1-5 satisfaction scores (0-6 → 1-2, 7-8 → 3, 9-10 → 4-5):
    with scale = "csat" the report's NPS, transitions seen, models and snapshot count what
    the 0-10 answers count (its NPS was -100, every answer a detractor by the 0-10
    cut-points), and the methods say how the scores were read. Without it the run stops,
    and the warning that says why is not lost with it."""
    from cxvalue.report.capture import make_snapshot
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=1500), seed=3)
    answers = cx.read_responses(paths["responses"]).table
    score = answers["score"]
    csat = score.where(score >= 9, 3).where(score >= 7, 1 + (score >= 4)).where(score < 9, 4)
    csat_path = tmp_path / "csat.csv"
    answers.assign(score=csat + (score == 10))[["customer_id", "responded_at", "score"]].to_csv(
        csat_path, index=False
    )

    def run(responses, locale="en", extras=False):
        inputs = {name: {"path": str(path)} for name, path in paths.items()}
        config = parse_config({"locale": locale, "value": {"draws": 200, "transition": "observed"},
                               "inputs": inputs | {"responses": responses}})  # fmt: skip
        return run_flow(config, extras=extras, growth=False, progress=lambda _m: None)

    nps, flow = (
        run({"path": str(paths["responses"])}),
        run({"path": str(csat_path), "scale": "csat"}, "de", extras=True),
    )
    pd.testing.assert_series_equal(flow.retention.params, nps.retention.params)
    point = nps.value.point["estimate"].iloc[0]
    assert flow.value.point["estimate"].iloc[0] == pytest.approx(point, rel=1e-12)
    snapshot = make_snapshot(flow)
    assert snapshot["nps"] == make_snapshot(nps)["nps"]
    data = snapshot["data"]
    assert data["scale"] == {"low": 1, "high": 5, "detractor": [1, 2], "passive": [3, 3],
                             "promoter": [4, 5]}  # fmt: skip
    assert data["category_counts"] == make_snapshot(nps)["data"]["category_counts"]
    assert data["score_counts"] == [int((flow.latest["score"] == k).sum()) for k in range(1, 6)]
    assert ("Antworten auf einer Skala von 1 bis 5: 1–2 zählen als Unzufriedene, 3 als "
            "Neutrale, 4–5 als Zufriedene; Netto-CSAT ist in diesem Bericht der Nettowert auf "
            "dieser Skala, der Anteil der Zufriedenen minus der der Unzufriedenen."
            ) in methods(flow)  # fmt: skip
    # the pack names the score and its categories as a CSAT survey does
    card = headline(flow)
    assert [label for _, label in card.figures[1:]] == [
        "ein Zufriedener gegenüber einem Unzufriedenen, je Kunde, über 3 Jahre",
        "mehr Gewinn im ersten Jahr mit +5 CSAT-Punkten",
        "Netto-CSAT heute (letzte Antwort je Kunde, n = "
        f"{fmt_number(len(flow.latest), 0, 'de')[0]})",
    ]
    summary = summary_markdown(flow)
    assert "- A satisfied customer is worth **" in summary and "- Net CSAT today" in summary
    nps_words = re.compile(r"NPS|promot|passive|detractor|Kritiker|Indifferent", re.I)
    prose = [card.footnote, *methods(flow), summary.split("\n## ")[0]]
    assert not any(nps_words.search(text) for text in prose), prose
    assert not any(
        "Skala" in text for text in methods(run({"path": str(paths["responses"])}, "de"))
    )
    with pytest.warns(cx.DataWarning, match=r'every score .* between 1 and 5.*scale = "csat"'):
        with pytest.raises(cx.InputError, match="No passive rows"):
            run({"path": str(csat_path)})


def test_survey_weights_in_the_answers_weight_the_report_s_nps(tmp_path):
    """A weight column was read and then dropped: the report showed the unweighted NPS."""
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.report.pack import headline, summary_markdown
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=1500), seed=3)
    answers = cx.read_responses(paths["responses"]).table
    weights = answers["category"].map({"detractor": 2.0}).fillna(1.0)
    weighted = tmp_path / "weighted.csv"
    answers.assign(weight=weights)[["customer_id", "responded_at", "score", "weight"]].to_csv(
        weighted, index=False
    )

    def run(path):
        inputs = {name: {"path": str(p)} for name, p in paths.items()}
        config = parse_config({"value": {"draws": 200},
                               "inputs": inputs | {"responses": {"path": str(path)}}})  # fmt: skip
        return run_flow(config, growth=False, progress=lambda _m: None)

    plain, flow = run(paths["responses"]), run(weighted)
    now = flow.nps_now.iloc[0]
    expected = cx.nps(flow.latest, weight="weight").iloc[0]
    assert now["nps"] == pytest.approx(expected["nps"]) and now["weighting"] == "survey"
    assert now["nps"] < plain.nps_now.iloc[0]["nps"] - 5  # detractors count twice
    assert (flow.nps_trend["weighting"] == "survey").all()
    assert (plain.nps_trend["weighting"] == "none").all()
    assert "Survey-weighted NPS today (latest answer per customer" in headline(flow).figures[3][1]
    assert "- Survey-weighted NPS today (each customer's" in summary_markdown(flow)
    assert "- NPS today (each customer's" in summary_markdown(plain)


def test_one_segment_leaves_no_segment_slide(tmp_path):
    """A company whose customers are all one segment got a slide of one dot."""
    from cxvalue.report.config import parse_config
    from cxvalue.report.flow import run_flow
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=1500), seed=3)
    customers = pd.read_csv(paths["customers"], dtype=str).assign(segment="SMB")
    customers.to_csv(paths["customers"], index=False)
    inputs = {name: {"path": str(path)} for name, path in paths.items()}
    config = parse_config({"value": {"draws": 200}, "inputs": inputs,
                           "model": {"controls": ["size", "tenure_band"]}})  # fmt: skip
    flow = run_flow(config, growth=False, progress=lambda _m: None)
    assert flow.latest["segment"].eq("SMB").all() and flow.nps_segments is None
    # a segment figure an earlier run left in the same folder is not left lying there
    (tmp_path / "out" / "figures").mkdir(parents=True)
    (tmp_path / "out" / "figures" / "nps_by_segment.png").write_bytes(b"")
    figures = write_report(config, tmp_path / "out", progress=lambda _m: None)["figures"]
    assert not list(figures.glob("nps_by_segment.*")) and list(figures.glob("nps_trend.*"))
