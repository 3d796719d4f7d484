"""The house style: palette, sizes, titles, layout, saving, and that it never leaks."""

from __future__ import annotations

import itertools
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from _figures_helpers import (  # noqa: F401 (pyplot_fixture)
    assert_laid_out,
    flat,
    pyplot_fixture,
    texts_by_gid,
    trend_frame,
)
from cxvalue._categories import CATEGORIES
from cxvalue.errors import ParameterError
from cxvalue.figures import nps_trend, style

pytestmark = pytest.mark.filterwarnings("error")

_REC709 = np.array([0.2126, 0.7152, 0.0722])
#: Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
_DEUTERANOPIA = np.array(
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]]
)
_PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)


def _linear(color: str) -> np.ndarray:
    c = np.array(to_rgb(color))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _encode(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def luminance(color: str) -> float:
    """Relative luminance (Rec. 709 weights on linear sRGB)."""
    return float(_REC709 @ _linear(color))


def luma(color: str) -> float:
    """Greyscale value as most converters compute it (Rec. 709 weights on encoded sRGB)."""
    return float(_REC709 @ np.array(to_rgb(color)))


# --- palette ---------------------------------------------------------------------------------


def test_category_colors_cover_every_category():
    assert set(style.CATEGORY_COLORS) == set(CATEGORIES)


@pytest.mark.parametrize("grey", [luminance, luma], ids=["luminance", "luma"])
def test_category_colors_stay_apart_in_greyscale(grey):
    values = {cat: grey(color) for cat, color in style.CATEGORY_COLORS.items()}
    for a, b in itertools.combinations(values, 2):
        assert abs(values[a] - values[b]) >= 0.15, (a, b, values)


@pytest.mark.parametrize("matrix", [_DEUTERANOPIA, _PROTANOPIA], ids=["deuteranopia", "protanopia"])
def test_category_colors_stay_apart_for_colour_blind_viewers(matrix):
    seen = {cat: _encode(matrix @ _linear(c)) for cat, c in style.CATEGORY_COLORS.items()}
    for a, b in itertools.combinations(seen, 2):
        assert np.linalg.norm(seen[a] - seen[b]) >= 0.2, (a, b)


def test_scenario_and_baseline_differ_in_greyscale():
    assert abs(luma(style.SCENARIO) - luma(style.BASELINE)) >= 0.15
    assert abs(luminance(style.SCENARIO) - luminance(style.BASELINE)) >= 0.15


def test_muted_text_is_readable_on_white():
    # WCAG contrast ratio of at least 4.5:1 for the grey of subtitles and source lines
    assert (1.05) / (luminance(style.MUTED) + 0.05) >= 4.5


# --- the style context -----------------------------------------------------------------------


def test_board_applies_the_style_only_inside_and_restores_rcparams():
    before = dict(mpl.rcParams)
    with style.board():
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["svg.fonttype"] == "path"
        assert mpl.rcParams["pdf.fonttype"] == 42
        assert mpl.rcParams["figure.titlesize"] >= 20
        assert mpl.rcParams["axes.labelsize"] >= 14
    assert dict(mpl.rcParams) == before


def test_board_takes_overrides():
    with style.board({"font.size": 17}):
        assert mpl.rcParams["font.size"] == 17
        assert mpl.rcParams["axes.spines.top"] is False


def test_drawing_and_saving_leave_rcparams_unchanged(tmp_path):
    before = dict(mpl.rcParams)
    fig = nps_trend(trend_frame())
    style.save(fig, tmp_path / "trend", formats=("png",), dpi=50)
    assert dict(mpl.rcParams) == before


def test_importing_the_figures_changes_no_rcparams():
    code = (
        "import matplotlib as mpl\n"
        "before = dict(mpl.rcParams)\n"
        "import cxvalue.figures, cxvalue.figures.style\n"
        "assert dict(mpl.rcParams) == before\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- figure, titles, layout ------------------------------------------------------------------


@pytest.mark.parametrize(("size", "inches"), [("full", (40 / 3, 7.5)), ("half", (6.5, 7.5))])
def test_new_figure_sizes(size, inches):
    fig = style.new_figure(size)
    assert tuple(fig.get_size_inches()) == pytest.approx(inches)


@pytest.mark.parametrize("size", ["quarter", (0, 3), (1, 2, 3)])
def test_new_figure_rejects_bad_sizes(size):
    with pytest.raises(ParameterError, match="'size' parameter of new_figure"):
        style.new_figure(size)


def test_action_title_top_left_large_with_grey_subtitle():
    fig = style.new_figure()
    title = style.action_title(fig, "NPS rose 6 points to +23", "Per quarter, 95% interval.")
    (sub,) = texts_by_gid(fig, style.SUBTITLE_GID)
    assert title.get_text() == "NPS rose 6 points to +23"
    assert title.get_fontsize() >= 20 and title.get_ha() == "left"
    assert title.get_position()[0] < 0.05 and title.get_position()[1] > 0.9
    assert sub.get_color() == style.MUTED and sub.get_fontsize() < title.get_fontsize()
    assert sub.get_window_extent().y1 < title.get_window_extent().y0  # below, not on top


def test_action_title_replaces_the_previous_one():
    fig = style.new_figure()
    style.action_title(fig, "First", "sub")
    style.action_title(fig, "Second")
    assert [t.get_text() for t in fig.texts] == ["Second"]


def test_long_titles_wrap_inside_the_figure():
    fig = style.new_figure("half")
    text = "Enterprise customers are the most loyal: NPS +31 vs +8 for SMB, and the gap grew"
    title = style.action_title(fig, text)
    assert "\n" in title.get_text() and flat(title.get_text()) == text
    assert title.get_window_extent().x1 < fig.bbox.width


def test_source_line_bottom_left_small_grey():
    fig = style.new_figure()
    source = style.source_line(fig, "Source: n = 12,345 responses, Jan 2023–Dec 2025.")
    assert source.get_position()[1] < 0.1 and source.get_color() == style.MUTED
    assert source.get_fontsize() < style.TITLE_SIZE


def test_finish_keeps_the_axes_between_title_and_source():
    with style.board():
        fig = style.new_figure("half")
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1_000_000])
        ax.set_xlabel("Quarter")
    style.action_title(fig, "A title long enough to wrap onto a second line at half width", "Sub")
    style.source_line(fig, "Source: n = 12,345 responses, Jan 2023–Dec 2025. Adjusted for segment.")
    style.finish(fig)
    assert_laid_out(fig)


def test_decorate_with_given_axes_sets_the_axes_title_only(pyplot):
    fig, ax = pyplot.subplots()
    style.decorate(fig, ax, False, title="NPS held steady at +23", subtitle="x", source="y")
    assert ax.get_title(loc="left") == "NPS held steady at +23"
    assert fig.texts == []


# --- formatters ------------------------------------------------------------------------------


def test_tick_formatters_use_the_locale():
    assert style.currency_formatter("de")(1_200_000, 0) == "1,2 Mio. €"
    assert style.currency_formatter("en")(1_200_000, 0) == "€1.2M"
    assert style.number_formatter("de")(12_000, 0) == "12.000"
    assert style.number_formatter("en")(12_000, 0) == "12,000"
    assert style.nps_formatter()(-10, 0) == "\u221210"
    assert style.nps_formatter()(20, 0) == "+20"
    assert style.pct_formatter("de")(0.25, 0) == "25 %"


# --- saving ----------------------------------------------------------------------------------


def test_save_writes_png_svg_pdf(tmp_path):
    fig = nps_trend(trend_frame())
    paths = style.save(fig, tmp_path / "out" / "trend")
    assert [p.name for p in paths] == ["trend.png", "trend.svg", "trend.pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    png, svg, pdf = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (4000, 2250)
    root = ET.fromstring(svg)
    assert not list(root.iter("{http://www.w3.org/2000/svg}text"))  # text drawn as paths
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf  # TrueType font embedded


def test_save_is_reproducible(tmp_path):
    fig = nps_trend(trend_frame())
    first = [p.read_bytes() for p in style.save(fig, tmp_path / "a", formats=("svg", "pdf"))]
    second = [p.read_bytes() for p in style.save(fig, tmp_path / "b", formats=("svg", "pdf"))]
    assert first == second


@pytest.mark.parametrize("dpi", [300, 137])
def test_png_beside_writes_the_same_bytes(tmp_path, dpi):
    fig = nps_trend(trend_frame())
    (plain,) = style.save(fig, tmp_path / "plain", formats=("png",), dpi=dpi)
    with style.png_beside():
        beside = style.save(fig, tmp_path / "beside", formats=("png", "svg"), dpi=dpi)
        more = [style.save(fig, tmp_path / f"more{i}", formats=("png",), dpi=dpi) for i in range(4)]
    for path in [beside[0], *(paths[0] for paths in more)]:
        assert path.read_bytes() == plain.read_bytes()
    assert beside[1].read_bytes().startswith(b"<?xml")
    # after the block, save writes before it returns again
    late = style.save(fig, tmp_path / "late", formats=("png",), dpi=dpi)[0]
    assert late.read_bytes() == plain.read_bytes()


def test_png_beside_raises_a_failed_write_when_the_block_ends(tmp_path):
    fig = nps_trend(trend_frame())
    (tmp_path / "taken.png").mkdir()  # a folder where the file should go
    with pytest.raises(IsADirectoryError), style.png_beside():
        style.save(fig, tmp_path / "taken", formats=("png",), dpi=50)
        written = style.save(fig, tmp_path / "fine", formats=("png",), dpi=50)[0]
    assert written.read_bytes().startswith(b"\x89PNG")  # the others are still written


@pytest.mark.parametrize(
    ("kwargs", "name"), [({"formats": ("gif",)}, "formats"), ({"dpi": 0}, "dpi")]
)
def test_save_rejects_bad_parameters(tmp_path, kwargs, name):
    with pytest.raises(ParameterError, match=f"'{name}' parameter of save"):
        style.save(style.new_figure(), tmp_path / "x", **kwargs)
