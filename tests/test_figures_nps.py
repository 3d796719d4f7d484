"""NPS figures: inspect what was drawn (titles, bands, dots, labels), never pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import same_color

from _figures_helpers import (  # noqa: F401 (pyplot_fixture)
    artists_by_gid,
    assert_laid_out,
    flat,
    nps_row,
    pyplot_fixture,
    segment_frame,
    subtitle_of,
    texts_by_gid,
    title_of,
    trend_frame,
)
from cxvalue.errors import ColumnError, EmptyInputError, InputError, ParameterError
from cxvalue.figures import category_mix, nps_by_segment, nps_trend, style
from cxvalue.formatting import fmt_nps, fmt_number, fmt_pct

pytestmark = pytest.mark.filterwarnings("error")


def quarters(values_and_n, period0=2024):
    """A trend frame from (n, promoters, detractors) per quarter, starting 2024Q1."""
    return pd.DataFrame([
        nps_row(n, p, d, period=f"{period0 + i // 4}Q{i % 4 + 1}")
        for i, (n, p, d) in enumerate(values_and_n)
    ])  # fmt: skip


# --- nps_trend -------------------------------------------------------------------------------


def test_trend_title_states_the_rise_and_the_latest_nps():
    frame = trend_frame()
    ordered = frame.sort_values("period")
    fig = nps_trend(frame)
    last, first = ordered["nps"].iloc[-1], ordered["nps"].iloc[0]
    change = fmt_number(abs(last - first))[0]
    assert title_of(fig) == (
        f"NPS rose {change} points to {fmt_nps(last)[0]} over the last four quarters"
    )
    half = (ordered["hi"].iloc[-1] - ordered["lo"].iloc[-1]) / 2
    assert f"95% interval (±{fmt_number(half)[0]} points in 2025Q4)" in subtitle_of(fig)


def test_trend_interval_under_a_point_is_not_written_as_zero():
    """560,000 answers a quarter give an interval of about ±0.25 points: "±0.3", not "±0"."""
    frame = quarters([(560_000, 200_000, 140_000), (560_000, 201_000, 139_000)])
    half = (frame["hi"].iloc[-1] - frame["lo"].iloc[-1]) / 2
    assert 0.1 < half < 0.5
    subtitle = subtitle_of(nps_trend(frame))
    assert f"(±{fmt_number(half, 1)[0]} points in 2024Q2)" in subtitle
    german = subtitle_of(nps_trend(frame, locale="de"))
    assert f"±{fmt_number(half, 1, 'de')[0]} Punkte" in german


def test_nps_axes_tick_whole_points():
    """The demo's trend (+7 to +11, ±2) got ticks every 2.5 points, written +2, +5, +8:
    the NPS axes tick whole points only, each written as its value."""
    frame = quarters([(3663, 1200, 925), (3685, 1180, 940), (3723, 1190, 960),
                      (3750, 1260, 905), (3790, 1290, 890), (3851, 1320, 895)])  # fmt: skip
    for fig, axis in ((nps_trend(frame), "y"), (nps_by_segment(segment_frame()), "x")):
        fig.draw_without_rendering()
        ax = fig.axes[0]
        ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
        low, high = ax.get_ylim() if axis == "y" else sorted(ax.get_xlim())
        shown = [t for t in ticks if low <= t <= high]
        assert len(shown) >= 3 and all(float(t).is_integer() for t in shown), shown


def test_trend_title_says_fell_when_the_drop_is_beyond_the_intervals():
    fig = nps_trend(quarters([(2000, 900, 300), (2000, 700, 500)]))
    assert title_of(fig) == "NPS fell 20 points to +10 over the last quarter"


def test_trend_title_says_steady_when_the_change_is_within_the_intervals():
    frame = quarters([(300, 120, 60), (300, 126, 60)])  # +20 -> +22, interval ±~9
    fig = nps_trend(frame)
    assert title_of(fig) == "NPS held steady at +22 over the last quarter"
    assert "The change of +2 points since 2024Q1 is within the intervals." in subtitle_of(fig)


def test_trend_band_line_and_points_match_the_frame():
    frame = trend_frame()
    ordered = frame.sort_values("period")
    fig = nps_trend(frame)
    ax = fig.axes[0]
    (band,) = artists_by_gid(ax, "nps-interval")
    assert isinstance(band, PolyCollection)
    xy = band.get_paths()[0].vertices
    for i, (lo, hi) in enumerate(zip(ordered["lo"], ordered["hi"], strict=True)):
        ys = xy[np.isclose(xy[:, 0], i), 1]
        assert ys.min() == pytest.approx(lo) and ys.max() == pytest.approx(hi)
    (line,) = artists_by_gid(ax, "nps-line")
    np.testing.assert_allclose(line.get_ydata(), ordered["nps"])
    (points,) = artists_by_gid(ax, "nps-points")
    np.testing.assert_allclose(points.get_ydata(), ordered["nps"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(ordered["period"])


def test_trend_writes_n_under_each_period():
    frame = trend_frame()
    fig = nps_trend(frame)
    labels = [t.get_text() for t in texts_by_gid(fig, "nps-n")]
    assert labels == [f"n = {c}" for c in fmt_number(frame.sort_values("period")["n"])]


def test_trend_draws_too_few_periods_hollow_and_says_so():
    frame = quarters([(400, 160, 80), (420, 170, 80), (25, 10, 5), (410, 170, 75)])
    fig = nps_trend(frame)
    ax = fig.axes[0]
    (hollow,) = artists_by_gid(ax, "nps-too-few")
    (filled,) = artists_by_gid(ax, "nps-points")
    assert list(hollow.get_xdata()) == [2] and list(filled.get_xdata()) == [0, 1, 3]
    assert same_color(hollow.get_markerfacecolor(), "white")
    assert not same_color(filled.get_markerfacecolor(), "white")
    assert "Hollow points: too few responses." in subtitle_of(fig)


def test_trend_headline_skips_a_latest_period_with_too_few_responses():
    frame = quarters([(2000, 900, 300), (2000, 700, 500), (20, 10, 2)])
    fig = nps_trend(frame)
    assert title_of(fig) == "NPS fell 20 points to +10 from 2024Q1 to 2024Q2"


def test_trend_draws_the_zero_line_only_when_zero_is_in_range():
    assert artists_by_gid(nps_trend(trend_frame()).axes[0], "zero-line") == []
    around_zero = quarters([(300, 90, 100), (300, 100, 90)])
    assert len(artists_by_gid(nps_trend(around_zero).axes[0], "zero-line")) == 1


def test_trend_in_german():
    frame = quarters([(1_000_000, 400_000, 200_000), (1_000_000, 406_000, 200_000)])
    fig = nps_trend(frame, locale="de")
    assert title_of(fig) == "NPS stieg im letzten Quartal um 0,6 Punkte auf +21"
    assert [t.get_text() for t in texts_by_gid(fig, "nps-n")] == ["n = 1.000.000"] * 2
    assert (
        "Quelle: n = 2.000.000 Umfrageantworten"
        in texts_by_gid(fig, style.SOURCE_GID)[0].get_text()
    )
    assert title_of(nps_trend(frame, locale="en")).startswith("NPS rose 0.6 points to +21")


def test_trend_source_line_says_n_periods_and_what_the_nps_is():
    fig = nps_trend(trend_frame())
    (source,) = texts_by_gid(fig, style.SOURCE_GID)
    assert flat(source.get_text()) == (
        "Source: n = 6,050 survey responses, 2024Q4–2025Q4. NPS as surveyed, not adjusted for "
        "mix; 95% intervals (Wald)."
    )


def test_trend_texts_can_be_replaced_or_left_out():
    fig = nps_trend(trend_frame(), title="Our NPS", subtitle="", source="Source: CRM")
    assert title_of(fig) == "Our NPS"
    assert texts_by_gid(fig, style.SUBTITLE_GID) == []
    assert texts_by_gid(fig, style.SOURCE_GID)[0].get_text() == "Source: CRM"


def test_trend_style_arguments_merge_over_defaults():
    (line,) = artists_by_gid(
        nps_trend(trend_frame(), color="black", linewidth=4).axes[0], "nps-line"
    )
    assert same_color(line.get_color(), "black") and line.get_linewidth() == 4


def test_trend_on_given_axes(pyplot):
    fig, (left, right) = pyplot.subplots(1, 2)
    out = nps_trend(trend_frame(), ax=right)
    assert out is fig
    assert right.lines and not left.lines
    assert flat(right.get_title(loc="left")).startswith("NPS rose")
    assert fig.texts == []  # no figure-level title or source line on someone else's figure


def test_trend_layout_fits_and_saves(tmp_path):
    fig = nps_trend(trend_frame())
    assert_laid_out(fig)
    paths = style.save(fig, tmp_path / "trend")
    assert all(p.stat().st_size > 0 for p in paths)


def test_trend_thins_labels_for_many_periods():
    months = [nps_row(300, 120, 60, period=f"{2024 + i // 12}-{i % 12 + 1:02d}") for i in range(36)]
    fig = nps_trend(pd.DataFrame(months))
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert 3 <= len(shown) < 36 and shown[-1] == "2026-12"
    assert len(texts_by_gid(fig, "nps-n")) == len(shown)
    assert title_of(fig).endswith("over the last 35 months")
    assert_laid_out(fig)


def test_trend_rejects_bad_input():
    frame = trend_frame()
    with pytest.raises(ColumnError, match="'period'") as err:
        nps_trend(frame.rename(columns={"period": "periods"}))
    assert err.value.nearest == "periods"
    with pytest.raises(InputError, match="grouped by 'segment'"):
        nps_trend(pd.concat([frame.assign(segment="A"), frame.assign(segment="B")]))
    with pytest.raises(EmptyInputError):
        nps_trend(frame.iloc[:0])
    with pytest.raises(ParameterError, match="'locale' parameter of nps_trend"):
        nps_trend(frame, locale="fr")


def test_trend_does_not_change_the_frame():
    frame = trend_frame()
    before = frame.copy()
    nps_trend(frame)
    pd.testing.assert_frame_equal(frame, before)


# --- nps_by_segment --------------------------------------------------------------------------


def test_segment_title_names_the_most_and_least_loyal():
    frame = segment_frame()
    fig = nps_by_segment(frame)
    nps = frame.set_index("segment")["nps"]
    top, bottom = fmt_nps([nps["Enterprise"], nps["SMB"]])
    assert (
        title_of(fig) == f"Enterprise customers are the most loyal: NPS {top} vs {bottom} for SMB"
    )
    assert "with its 95% interval" in subtitle_of(fig)


def test_segment_dots_are_sorted_and_sit_at_the_frame_values():
    frame = segment_frame()
    fig = nps_by_segment(frame)
    ax = fig.axes[0]
    ok = frame[~frame["too_few"]].sort_values("nps", ascending=False)
    (dots,) = artists_by_gid(ax, "nps-dots")
    np.testing.assert_allclose(dots.get_xdata(), ok["nps"])
    assert list(dots.get_ydata()) == [0, 1, 2, 3]
    assert ax.yaxis_inverted()  # row 0, the highest NPS, at the top
    labels = [t.get_text() for t in ax.get_yticklabels()]
    expected = [
        f"{s} (n = {fmt_number(n)[0]})" for s, n in zip(ok["segment"], ok["n"], strict=True)
    ]
    assert labels == [*expected, "Public sector (n = 22)"]


def test_segment_interval_lines_span_lo_to_hi():
    frame = segment_frame()
    ax = nps_by_segment(frame).axes[0]
    ok = frame[~frame["too_few"]].sort_values("nps", ascending=False)
    (lines,) = artists_by_gid(ax, "nps-interval")
    assert isinstance(lines, LineCollection)
    segments = lines.get_segments()
    assert len(segments) == len(ok)
    for seg, lo, hi, y in zip(segments, ok["lo"], ok["hi"], range(len(ok)), strict=True):
        np.testing.assert_allclose(seg, [[lo, y], [hi, y]])


def test_segment_too_few_groups_are_grey_text_not_dots():
    frame = segment_frame()
    ax = nps_by_segment(frame).axes[0]
    (note,) = texts_by_gid(ax.figure, "nps-too-few")
    assert note.get_text() == "too few responses"
    (dots,) = artists_by_gid(ax, "nps-dots")
    assert 4 not in list(dots.get_ydata())
    grey = ax.get_yticklabels()[4]
    assert grey.get_text().startswith("Public sector") and same_color(
        grey.get_color(), style.NEUTRAL
    )
    assert same_color(ax.get_yticklabels()[0].get_color(), style.INK)


def test_segment_values_written_beside_each_dot():
    frame = segment_frame()
    fig = nps_by_segment(frame)
    ok = frame[~frame["too_few"]].sort_values("nps", ascending=False)
    assert [t.get_text() for t in texts_by_gid(fig, "nps-value")] == fmt_nps(ok["nps"])


def test_segment_title_says_none_stands_out_when_intervals_overlap():
    rows = [("North", 200, 50, 70), ("South", 180, 40, 60), ("East", 150, 40, 50)]
    frame = pd.DataFrame([nps_row(n, p, d, region=r) for r, n, p, d in rows])
    fig = nps_by_segment(frame, by="region")
    assert title_of(fig) == "No region stands out: NPS ranges from −11 (South) to −7 (East)"
    assert "Differences are within the intervals." in subtitle_of(fig)


def test_segment_title_of_the_only_group_does_not_invent_others():
    """One segment in the data: the title said "other groups have too few responses"."""
    only = pd.DataFrame([nps_row(300, 120, 60, segment="SMB")])
    assert title_of(nps_by_segment(only)) == "NPS is +20 for SMB, the only segment in the data"
    assert title_of(nps_by_segment(only, locale="de")) == (
        "NPS +20 bei SMB, der einzigen Gruppe in den Daten"
    )
    rows = [nps_row(300, 120, 60, segment="SMB"), nps_row(12, 6, 2, segment="Enterprise")]
    title = title_of(nps_by_segment(pd.DataFrame(rows)))
    assert title == "NPS is +20 for SMB; other groups have too few responses"


def test_segment_takes_the_latest_period_and_names_it():
    frame = pd.concat([
        segment_frame().assign(period="2025Q3", nps=0.0),
        segment_frame().assign(period="2025Q4"),
    ])  # fmt: skip
    fig = nps_by_segment(frame)
    assert "(2025Q4)" in subtitle_of(fig)
    (dots,) = artists_by_gid(fig.axes[0], "nps-dots")
    assert dots.get_xdata().max() > 30


def test_segment_by_several_columns():
    frame = segment_frame().assign(region="EU")
    ax = nps_by_segment(frame, by=["segment", "region"]).axes[0]
    assert ax.get_yticklabels()[0].get_text() == "Enterprise · EU (n = 1,204)"


def test_segment_in_german():
    fig = nps_by_segment(segment_frame(), locale="de")
    assert title_of(fig).startswith("Am loyalsten ist Enterprise: NPS +31 gegenüber +8 bei SMB")
    assert fig.axes[0].get_yticklabels()[0].get_text() == "Enterprise (n = 1.204)"


def test_segment_on_given_axes_layout_and_save(pyplot, tmp_path):
    fig, ax = pyplot.subplots()
    assert nps_by_segment(segment_frame(), ax=ax) is fig and fig.texts == []
    ours = nps_by_segment(segment_frame())
    assert_laid_out(ours)
    assert all(p.stat().st_size > 0 for p in style.save(ours, tmp_path / "segments"))


def test_segment_rejects_a_frame_with_more_groups_than_by():
    frame = pd.concat([segment_frame().assign(region="EU"), segment_frame().assign(region="US")])
    with pytest.raises(InputError, match="grouped by 'region'"):
        nps_by_segment(frame)


# --- category_mix ----------------------------------------------------------------------------


def test_mix_bars_are_the_shares_stacked_in_category_order():
    frame = segment_frame()
    fig = category_mix(frame, by="segment")
    ax = fig.axes[0]
    order = pd.concat([
        frame[~frame["too_few"]].sort_values("nps", ascending=False), frame[frame["too_few"]]
    ])  # fmt: skip
    left = np.zeros(len(order))
    for cat in ("promoter", "passive", "detractor"):
        bars = artists_by_gid(ax, f"mix-{cat}")
        share = order[f"share_{cat}s"].to_numpy()
        np.testing.assert_allclose([b.get_width() for b in bars], share)
        np.testing.assert_allclose([b.get_x() for b in bars], left)
        assert all(same_color(b.get_facecolor()[:3], style.CATEGORY_COLORS[cat]) for b in bars)
        left += share
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Promoters", "Passives", "Detractors",
    ]  # fmt: skip
    top = frame.loc[frame["segment"] == "Enterprise", "share_promoters"].iloc[0]
    assert fmt_pct(top)[0] in title_of(fig) and title_of(fig).startswith("Enterprise has the most")


def test_mix_by_period_and_layout(tmp_path):
    fig = category_mix(trend_frame())
    ax = fig.axes[0]
    assert [t.get_text().split(" (")[0] for t in ax.get_yticklabels()] == sorted(
        trend_frame()["period"]
    )
    assert "intervals" not in texts_by_gid(fig, style.SOURCE_GID)[0].get_text()
    assert_laid_out(fig)
    assert all(p.stat().st_size > 0 for p in style.save(fig, tmp_path / "mix"))
