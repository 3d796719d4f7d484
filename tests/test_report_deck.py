"""The board-pack writers: the PPTX deck and the Excel tables."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import string
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from cxvalue.report.deck import (
    Deck,
    DeckError,
    FigureSlide,
    HeadlineSlide,
    TextSlide,
    count_lines,
    fits,
    overflowing_text,
    text_height,
    text_width,
    write_deck,
)
from cxvalue.report.tables import FORMULA_PREFIXES, escape_cell, sheet_names, write_tables

LONG_TITLE = (
    "Promoters spend 18% more each year than passives and stay 2.4 years longer, so one NPS "
    "point is worth about €482k over three years across the current base"
)
TITLES = [
    LONG_TITLE,
    "NPS rose 6 points to +23 over the last four quarters, led by the enterprise segment, "
    "while the share of detractors fell from 21% to 15%",
    "Detractors leave at twice the rate of promoters in every size band",
]
METHODS = [
    f"Step {i}: responses joined to revenue by customer id, leading zeros kept"
    + (", latest response per quarter" * (i % 2))
    for i in range(25)
]


def _png(path: Path, width: float, height: float) -> Path:
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [0, 1, 0.5])
    fig.savefig(path, dpi=40)
    return path


@pytest.fixture
def pngs(tmp_path: Path) -> list[Path]:
    return [
        _png(tmp_path / "normal.png", 40 / 3, 7.5),
        _png(tmp_path / "wide.png", 16, 2.5),
        _png(tmp_path / "tall.png", 4, 9),
    ]


def _deck(pngs: list[Path]) -> Deck:
    return Deck(
        title="What customer experience is worth: NPS and revenue 2023–2025",
        subtitle="Board pack for the quarterly review",
        date="March 2026",
        slides=[
            HeadlineSlide(
                "Value at stake: one NPS point is worth about €482k over three years",
                [
                    ("€482k [€445k–€519k]", "value of one NPS point over 3 years"),
                    ("€3.1M [€2.6M–€3.7M]", "moving 10% of detractors to passive, current base"),
                    ("+18% [+12%–+24%]", "revenue growth of promoters over passives"),
                ],
                footnote="3-year horizon, 8% discount rate, 35% gross margin; adjusted for "
                "segment, size band and tenure band; 90% intervals from 2,000 draws; "
                "n = 48,210 responses, Jan 2023–Dec 2025.",
                notes="Lead with the first number, then say what it rests on.",
            ),
            *[
                FigureSlide(title, png, notes=f"Notes for {png.stem}.", subtitle=sub)
                for title, png, sub in zip(
                    TITLES, pngs, [None, "NPS by quarter, 90% interval shaded", None], strict=True
                )
            ],
            TextSlide("Methods and caveats", METHODS, notes="Read only if asked."),
        ],
    )


@pytest.fixture
def deck_path(pngs: list[Path], tmp_path: Path) -> Path:
    return write_deck(_deck(pngs), tmp_path / "out" / "board.pptx")


def _title_shape(slide):
    return slide.shapes.title


# ----------------------------------------------------------------------------- deck


def test_deck_is_16_9_with_title_headline_figures_and_methods(deck_path: Path) -> None:
    prs = Presentation(str(deck_path))
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    titles = [_title_shape(s).text_frame.text for s in prs.slides]
    assert titles[0].startswith("What customer experience is worth")
    assert titles[1].startswith("Value at stake")
    assert titles[2:5] == TITLES
    assert titles[5] == "Methods and caveats"
    assert all(t == "Methods and caveats (continued)" for t in titles[6:])
    assert len(prs.slides) == 5 + len(titles[5:]) and len(titles[5:]) in (2, 3)
    assert prs.core_properties.title.startswith("What customer experience")


def test_every_picture_fits_the_slide_keeps_its_aspect_and_clears_the_title(
    deck_path: Path, pngs: list[Path]
) -> None:
    prs = Presentation(str(deck_path))
    sw, sh = prs.slide_width, prs.slide_height
    for slide, png in zip(list(prs.slides)[2:5], pngs, strict=True):
        pics = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pics) == 1
        pic, title = pics[0], _title_shape(slide)
        assert pic.left >= 0 and pic.top >= 0
        assert pic.left + pic.width <= sw and pic.top + pic.height <= sh
        assert pic.top >= title.top + title.height  # below the title box: no overlap
        others = [s for s in slide.shapes if s.name in ("Subtitle", "Footer", "Slide number")]
        for other in others:  # nor with the subtitle or footer
            apart = (
                pic.top >= other.top + other.height
                or other.top >= pic.top + pic.height
                or pic.left >= other.left + other.width
                or other.left >= pic.left + pic.width
            )
            assert apart, other.name
        with Image.open(png) as img:
            px_w, px_h = img.size
        assert pic.width / pic.height == pytest.approx(px_w / px_h, rel=0.01)
        centre = pic.left + pic.width / 2
        assert centre == pytest.approx(sw / 2, abs=Emu(20000))
        # The picture takes the whole free width or the whole free height.
        assert pic.width > 0.9 * (sw - 2 * title.left) or pic.height > 0.6 * sh


def test_figure_slides_have_speaker_notes(deck_path: Path) -> None:
    prs = Presentation(str(deck_path))
    for slide, stem in zip(list(prs.slides)[2:5], ["normal", "wide", "tall"], strict=True):
        assert slide.has_notes_slide
        assert slide.notes_slide.notes_text_frame.text == f"Notes for {stem}."


def test_no_empty_placeholders_and_a_footer_on_content_slides(deck_path: Path) -> None:
    prs = Presentation(str(deck_path))
    for k, slide in enumerate(prs.slides):
        for ph in slide.placeholders:
            assert ph.has_text_frame and ph.text_frame.text.strip(), (k, ph.name)
        for shape in slide.shapes:
            if shape.has_text_frame and shape.name not in ("Accent",):
                assert shape.text_frame.text.strip(), (k, shape.name)
        names = {s.name for s in slide.shapes}
        if k == 0:
            assert "Footer" not in names
        else:
            footer = next(s for s in slide.shapes if s.name == "Footer")
            assert footer.text_frame.text == (
                "What customer experience is worth: NPS and revenue 2023–2025 · March 2026"
            )
            number = next(s for s in slide.shapes if s.name == "Slide number")
            xml = number.text_frame._txBody.xml
            assert 'type="slidenum"' in xml and f">{k + 1}<" in xml


def test_every_text_box_fits_by_the_estimator(deck_path: Path) -> None:
    assert overflowing_text(deck_path) == []


def test_headline_numbers_with_their_intervals_and_footnote(deck_path: Path) -> None:
    slide = Presentation(str(deck_path)).slides[1]
    cards = [s for s in slide.shapes if s.name.startswith("Headline ")]
    assert len(cards) == 3
    first = [p.text for p in cards[0].text_frame.paragraphs]
    assert first == ["€482k", "[€445k–€519k]", "value of one NPS point over 3 years"]
    sizes = {c.text_frame.paragraphs[0].runs[0].font.size for c in cards}
    assert len(sizes) == 1 and next(iter(sizes)).pt >= 28  # one big size for all numbers
    assert [c.top for c in cards] == [cards[0].top] * 3
    assert all(a.left + a.width < b.left for a, b in zip(cards, cards[1:], strict=False))
    footnote = next(s for s in slide.shapes if s.name == "Footnote")
    assert "8% discount rate" in footnote.text_frame.text
    assert footnote.top >= max(c.top + c.height for c in cards)
    assert slide.notes_slide.notes_text_frame.text.startswith("Lead with")


def test_25_bullets_are_split_in_order_and_each_slide_fits(deck_path: Path) -> None:
    prs = Presentation(str(deck_path))
    methods = [s for s in prs.slides if _title_shape(s).text.startswith("Methods")]
    assert len(methods) >= 2
    bullets = []
    sizes = set()
    for slide in methods:
        box = next(s for s in slide.shapes if s.name == "Bullets")
        bullets += [p.text for p in box.text_frame.paragraphs]
        sizes |= {r.font.size.pt for p in box.text_frame.paragraphs for r in p.runs}
        assert box.top >= _title_shape(slide).top + _title_shape(slide).height
        assert slide.notes_slide.notes_text_frame.text == "Read only if asked."
    assert bullets == METHODS
    assert len(sizes) == 1 and min(sizes) >= 16  # one size throughout, still readable
    counts = [len(next(s for s in sl.shapes if s.name == "Bullets").text_frame.paragraphs)
              for sl in methods]  # fmt: skip
    assert min(counts) >= 0.6 * max(counts)  # spread evenly, no lone straggler


def test_few_bullets_stay_on_one_slide_at_a_large_size(tmp_path: Path) -> None:
    deck = Deck("T", "S", "D", [TextSlide("Caveats", ["Observational.", "Adjusted."], "n")])
    prs = Presentation(str(write_deck(deck, tmp_path / "d.pptx")))
    assert len(prs.slides) == 2
    box = next(s for s in prs.slides[1].shapes if s.name == "Bullets")
    assert box.text_frame.paragraphs[0].runs[0].font.size.pt == 20


def test_amounts_keep_their_units_on_one_line(tmp_path: Path, pngs: list[Path]) -> None:
    """A German title "… von 35,6 Mio. € auf 31,2 Mio. € …" wrapped between "Mio." and "€":
    the deck joins numbers and units with no-break spaces, in titles and bullets alike."""
    title = "Der Monatsumsatz des heutigen Bestands sinkt bis Dez. 2027 von 35,6 Mio. € auf 31,2"
    slides = [FigureSlide(f"{title} Mio. €", pngs[0], "n"),
              TextSlide("Geld", ["Marge 30 %, Diskontsatz 10 %."], "n")]  # fmt: skip
    deck = Deck("T", "S", "D", slides)
    prs = Presentation(str(write_deck(deck, tmp_path / "d.pptx")))
    texts = [shape.text_frame.text for slide in list(prs.slides)[1:] for shape in slide.shapes
             if shape.has_text_frame]  # fmt: skip
    assert any("35,6\u00a0Mio.\u00a0€ auf 31,2\u00a0Mio.\u00a0€" in t for t in texts)
    assert any("Marge 30\u00a0%, Diskontsatz 10\u00a0%." in t for t in texts)


def test_a_headline_interval_too_long_for_one_line_wraps(tmp_path: Path) -> None:
    """Four cards with an interval that fits no card on one line even at 12 pt (a German
    report of a large company wrote "[40,9 Mio. € – 41,5 Mio. €]"): the interval wraps and
    the deck is written, instead of an error at the end of a whole report."""
    long = "[40,9 Mio. € – 41,5 Mio. €]"
    cards = [(f"41,2 Mio. € {long}", "Wert eines NPS-Punkts")] * 4
    slides = [HeadlineSlide("Was auf dem Spiel steht", cards, "Fußnote", "n")]
    path = write_deck(Deck("T", "S", "D", slides), tmp_path / "d")
    slide = Presentation(str(path)).slides[1]
    intervals = [shape.text_frame.paragraphs[1].runs[0] for shape in slide.shapes
                 if shape.name.startswith("Headline")]  # fmt: skip
    assert len(intervals) == 4 and intervals[0].text.startswith("[40,9")
    assert intervals[0].font.size.pt <= 13  # the smallest interval size
    assert overflowing_text(path) == []


def test_text_slide_of_16_short_bullets_fits_one_slide(tmp_path: Path) -> None:
    bullets = [f"Caveat {i}: observational, adjusted for segment and size only" for i in range(16)]
    path = write_deck(Deck("T", "S", "D", [TextSlide("Caveats", bullets, "n")]), tmp_path / "d")
    assert len(Presentation(str(path)).slides) == 2
    assert overflowing_text(path) == []


def test_impossible_content_raises_a_clear_error(tmp_path: Path, pngs: list[Path]) -> None:
    with pytest.raises(DeckError, match="too long"):
        write_deck(Deck("T", "S", "D", [FigureSlide(LONG_TITLE * 3, pngs[0], "n")]), tmp_path / "a")
    with pytest.raises(DeckError, match="not found"):
        write_deck(
            Deck("T", "S", "D", [FigureSlide("t", tmp_path / "no.png", "n")]), tmp_path / "b"
        )
    five = [("1", "a")] * 5
    with pytest.raises(DeckError, match="1 to 4"):
        write_deck(Deck("T", "S", "D", [HeadlineSlide("t", five, "f", "n")]), tmp_path / "c")
    with pytest.raises(DeckError, match="too long"):
        write_deck(Deck("T", "S", "D", [TextSlide("t", ["word " * 3000], "n")]), tmp_path / "d")


def test_estimator_wraps_words_and_breaks_long_ones() -> None:
    assert count_lines("", 1.0, 12) == 1
    assert count_lines("a\nb", 5.0, 12) == 2
    one = text_width("word", 12)
    assert count_lines("word word", one * 2.2, 12) == 1
    assert count_lines("word word", one * 1.5, 12) == 2
    assert count_lines("x" * 100, text_width("x" * 10, 12), 12) == 10
    assert text_width("abc", 24) == pytest.approx(2 * text_width("abc", 12))
    assert text_width("abc", 12, bold=True) > text_width("abc", 12)
    assert text_height([("one line", 10)], 5.0) == pytest.approx(10 * 1.2 / 72)
    assert fits("short", 2.0, 0.5, 12) and not fits("long " * 50, 2.0, 0.5, 12)


@given(st.text(alphabet=string.ascii_letters + string.digits + " .,;:-+%€()[]", max_size=80))
@settings(max_examples=60, deadline=None)
def test_estimator_is_never_narrower_than_dejavu_sans(text: str) -> None:
    """DejaVu Sans, the widest usual fallback font, never takes more room than estimated."""
    for bold in (False, True):
        prop = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal", size=72)
        width = RendererAgg(10, 10, 72).get_text_width_height_descent(text, prop, ismath=False)[0]
        assert text_width(text, 72, bold) >= width / 72 - 1e-6


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_renders_one_page_per_slide(deck_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(deck_path)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = (out / "board.pdf").read_bytes()
    n_slides = len(Presentation(str(deck_path)).slides)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == n_slides


# ----------------------------------------------------------------------------- tables


def test_formula_like_text_comes_back_escaped_as_strings(tmp_path: Path) -> None:
    nasty = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\r=1", "ok"]
    frame = pd.DataFrame({"text": nasty, "n": range(len(nasty))})
    path = write_tables({"cells": frame}, tmp_path / "t.xlsx")
    sheet = load_workbook(path)["cells"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    for cell, raw in zip(cells, nasty, strict=True):
        assert cell.data_type == "s"
        if raw == "ok":
            assert cell.value == "ok"
        else:
            assert cell.value.startswith("'") and cell.value[1:].lstrip("\r\n") == raw.lstrip(
                "\r\n"
            )
    assert [c.value for c in cells[:4]] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd"]


def test_numbers_and_dates_stay_typed_with_formats(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["007", "010"],
            "count": np.array([1200, 3], dtype="int64"),
            "value": [482_000.5, np.nan],
            "share": [0.1234, 0.5],
            "p_value": [6.14e-20, 0.03],
            "month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
            "stamp": pd.to_datetime(["2025-01-01 10:30", "2025-01-02 00:00"]).tz_localize("UTC"),
            "flag": [True, False],
            "period": pd.period_range("2025-01", periods=2, freq="M"),
        }
    )
    path = write_tables({"A table with a rather long name: 2025/Q1 [draft]": frame}, tmp_path / "x")
    book = load_workbook(path)
    (name,) = book.sheetnames
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    sheet = book[name]
    header = [c for c in sheet[1]]
    assert [c.value for c in header][:3] == ["id", "count", "value"] and all(
        c.font.b for c in header
    )
    row = {h.value: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["id"].value == "007" and row["id"].data_type == "s"
    assert row["count"].value == 1200 and row["count"].number_format == "#,##0"
    assert row["value"].value == 482_000.5 and row["value"].data_type == "n"
    assert row["share"].number_format == "0.0000"
    assert row["p_value"].number_format == "0.00E+00" and row["p_value"].value == 6.14e-20
    assert row["month"].value == dt.datetime(2025, 1, 1) and row["month"].is_date
    assert row["month"].number_format == "yyyy-mm-dd"
    assert (
        row["stamp"].value == dt.datetime(2025, 1, 1, 10, 30)
        and "hh:mm" in row["stamp"].number_format
    )
    assert row["flag"].value is True
    assert row["period"].value == "2025-01"
    assert sheet.cell(row=3, column=3).value is None  # NaN → empty cell
    assert sheet.freeze_panes == "A2"
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert all(6 <= w <= 60 for w in widths.values())


def test_an_estimate_and_its_interval_share_one_number_format(tmp_path: Path) -> None:
    """Hazard ratios read 0.63 [0.4251, 0.94]: each column chose its own decimals."""
    frame = pd.DataFrame({
        "category": ["promoter", "passive", "detractor"],
        "estimate": [0.6323, 1.0, 2.1], "lo": [0.4251, np.nan, 1.4], "hi": [0.94, np.nan, 3.2],
        "p_value": [0.02, np.nan, 1e-9], "events": [36, 76, 90],
        "revenue": [1.5e6, 2.5e6, 3.5e6], "lo_80": [0.2, 0.3, 0.4], "base_hi": [1e6, 2e6, 3e6],
    })  # fmt: skip
    sheet = load_workbook(write_tables({"t": frame}, tmp_path / "f.xlsx"))["t"]
    formats = {c.value: sheet.cell(row=2, column=c.column).number_format for c in sheet[1]}
    assert formats["estimate"] == formats["lo"] == formats["hi"] == "0.0000"
    assert formats["p_value"] == "0.00E+00" and formats["events"] == "#,##0"
    # an interval column goes with the estimate before it: lo_80 with revenue
    assert formats["revenue"] == formats["lo_80"] == formats["base_hi"] == "0.0000"


def test_sheet_names_are_valid_and_unique() -> None:
    names = sheet_names(["Value by segment: Q1/Q2 [all customers]" * 2] * 3 + ["", "History"])
    assert all(0 < len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[1].endswith("(2)") and names[3] == "Sheet"


def test_index_is_written_and_empty_tables_rejected(tmp_path: Path) -> None:
    frame = pd.DataFrame({"nps": [23.0, -5.0]}, index=pd.Index(["=seg", "b"], name="segment"))
    sheet = load_workbook(write_tables({"s": frame}, tmp_path / "i.xlsx"))["s"]
    assert [c.value for c in sheet[1]] == ["segment", "nps"]
    assert sheet["A2"].value == "'=seg" and sheet["B3"].value == -5.0
    with pytest.raises(ValueError, match="at least one"):
        write_tables({}, tmp_path / "e.xlsx")
    with pytest.raises(ValueError, match="DataFrame"):
        write_tables({"x": [1, 2]}, tmp_path / "e.xlsx")  # type: ignore[dict-item]


def test_escape_cell_leaves_safe_values_alone() -> None:
    assert escape_cell(-2) == -2 and escape_cell(1.5) == 1.5 and escape_cell(None) is None
    assert escape_cell("a=1") == "a=1" and escape_cell("'=1") == "'=1"
    assert escape_cell("＝1") == "'＝1"
    assert escape_cell("\x00=1+1") == "\ufffd=1+1"  # control characters replaced, not removed


@given(st.lists(st.text(max_size=30), min_size=1, max_size=8), st.text(max_size=20))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_cell_read_back_starts_like_a_formula(values: list[str], header: str) -> None:
    frame = pd.DataFrame({header or "h": values, "other": values[::-1]})
    with tempfile.TemporaryDirectory() as tmp:
        sheet = load_workbook(write_tables({"t": frame}, Path(tmp) / "h.xlsx"))["t"]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type == "s"
                assert not str(cell.value).startswith(FORMULA_PREFIXES), repr(cell.value)
