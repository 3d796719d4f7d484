"""NPS figures: the trend over periods and the comparison of segments.

Both draw the tidy frame :func:`cxvalue.nps.nps` returns and compute nothing
heavy. Each takes ``ax=None``: without it the figure is a full slide in the
house style with an action title, a subtitle and a source line; with it the
figure function draws into ``ax``, sets the action title as the axes title
and leaves the rest of the figure to the caller (see
:func:`cxvalue.figures.style.decorate`). Both return the ``Figure``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from cxvalue.figures import _frames, _measures, _words, style
from cxvalue.formatting import Locale, fmt_nps, fmt_number
from cxvalue.ingest.scale import Measure

__all__ = ["nps_trend", "nps_by_segment"]

_NEEDS = ("nps", "lo", "hi", "n")
#: A period label needs about this many inches at tick size; fewer fit → label every k-th.
_LABEL_IN = 0.95


@_measures.speaks_measure
def nps_trend(
    frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    locale: Locale = "en",
    measure: Measure | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    **kwargs: Any,
) -> Figure:
    """NPS per period as a line, its interval as a shaded band, n under each period.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``cxvalue.nps(responses, period="Q")``: one row per period, with
        ``period``, ``nps``, ``lo``, ``hi``, ``n`` (and ``too_few``, ``level``,
        ``method``, ``weighting`` when present).
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title and no subtitle or
        source line is drawn. By default a full-slide figure is made.
    locale : {"en", "de"}
        Language of the words and numbers.
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS\'s.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.
    **kwargs
        Line properties, merged over the defaults (``color``, ``linewidth``, …).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The automatic title compares the first and the last period with enough
    responses: "rose" or "fell" when the change is beyond the two intervals
    combined (a z-test for Wald intervals), "held steady" otherwise. Periods
    flagged ``too_few`` are drawn as hollow points.

    Examples
    --------
    >>> import cxvalue as cx
    >>> from cxvalue.figures import nps_trend
    >>> fig = nps_trend(cx.nps(responses, period="Q"))  # doctest: +SKIP
    """
    df = _frames.check_frame(frame, "nps_trend", locale, ("period", *_NEEDS))
    df = df.assign(period=df["period"].astype(str)).sort_values("period", kind="stable")
    _frames.check_unique(
        df, ["period"], "nps_trend", "Draw one group: filter the frame to it first, e.g. "
        "frame[frame['segment'] == 'Enterprise'], or compare groups with nps_by_segment().",
    )  # fmt: skip
    auto_title, auto_sub = _trend_words(df, locale)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        x = np.arange(len(df))
        _draw_trend(ax, x, df, locale, kwargs)
        _period_axis(ax, x, df, locale)
        style.decorate(
            fig, ax, owned, title=auto_title if title is None else title,
            subtitle=auto_sub if subtitle is None else subtitle,
            source=_frames.source_text(df, locale) if source is None else source,
        )  # fmt: skip
    return fig


def _draw_trend(
    ax: Axes, x: np.ndarray, df: pd.DataFrame, locale: str, kwargs: dict[str, Any]
) -> None:
    """The band, the line, filled and hollow points, and the zero line."""
    line = {"color": style.ACCENT, "linewidth": 2.5, "zorder": 3, "gid": "nps-line", **kwargs}
    color = line["color"]
    y, few = df["nps"].to_numpy(float), df["too_few"].to_numpy(bool)
    ax.fill_between(
        x, df["lo"].to_numpy(float), df["hi"].to_numpy(float), color=color, alpha=0.15,
        linewidth=0, zorder=1, gid="nps-interval",
    )  # fmt: skip
    ax.plot(x, y, **line)
    marker = {"marker": "o", "linestyle": "none", "markersize": 9, "zorder": 4}
    ax.plot(x[~few], y[~few], color=color, gid="nps-points", **marker)
    if few.any():
        ax.plot(
            x[few], y[few], markerfacecolor="white", markeredgecolor=color, markeredgewidth=2,
            gid="nps-too-few", **marker,
        )  # fmt: skip
    _label_ends(ax, x, y, few, color, locale)
    _nps_limits(ax, df)
    ax.set_xlim(x[0] - 0.5, x[-1] + 0.5)


def _nps_limits(ax: Axes, df: pd.DataFrame) -> None:
    """y limits from the estimates and the intervals of periods with enough responses.

    The wide bands of too-few periods may run off the axes: they would
    flatten everything else.
    """
    ok = df[~df["too_few"]] if (~df["too_few"]).any() else df
    values = np.concatenate([df["nps"], ok["lo"], ok["hi"]]).astype(float)
    low, high = float(values.min()), float(values.max())
    pad = max(5.0, 0.12 * (high - low))
    low, high = max(low - pad, -100.0), min(high + pad, 100.0)
    ax.set_ylim(low, high)
    if low < 0 < high:
        ax.axhline(0, color=style.NEUTRAL, linewidth=1, zorder=2, gid="zero-line")


def _label_ends(
    ax: Axes, x: np.ndarray, y: np.ndarray, few: np.ndarray, color: str, locale: str
) -> None:
    """Write the NPS above the first and last point with enough responses."""
    ok = np.flatnonzero(~few)
    for i in sorted({int(ok[0]), int(ok[-1])}) if ok.size else []:
        ax.annotate(
            fmt_nps(float(y[i]), 0, locale)[0], (x[i], y[i]), xytext=(0, 12),
            textcoords="offset points", ha="center", va="bottom", fontsize=15,
            fontweight="bold", color=color, gid="nps-value", path_effects=style.HALO,
        )  # fmt: skip


def _nps_ticks(axis: Axis, locale: str) -> None:
    """Whole NPS points on ``axis`` (ticks of 2.5 would be written +2, +5, +8)."""
    axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(style.nps_formatter(locale))


def _period_axis(ax: Axes, x: np.ndarray, df: pd.DataFrame, locale: str) -> None:
    """Period tick labels, n written small under each, NPS formatting on the y axis."""
    style.style_axes(ax, grid="y")
    ax.spines["left"].set_visible(False)
    _nps_ticks(ax.yaxis, locale)
    ax.set_ylabel(_words.TEXT[locale]["axis"], fontsize=style.LABEL_SIZE, color=style.INK)
    fig = ax.get_figure(root=True)
    width_in = ax.get_position().width * fig.get_size_inches()[0] * 0.9
    step = max(1, int(np.ceil(len(x) * _LABEL_IN / width_in)))
    shown = x[::-1][::step][::-1]  # always label the latest period
    ax.set_xticks(shown, labels=df["period"].to_numpy()[shown])
    ax.set_xticks(x, minor=True)
    ax.tick_params(axis="x", which="major", length=0 if step == 1 else 6, pad=8 if step == 1 else 3)
    ax.tick_params(axis="x", which="minor", length=0 if step == 1 else 3, color=style.NEUTRAL)
    counts = fmt_number(df["n"].to_numpy(float), 0, locale)
    few = df["too_few"].to_numpy(bool)
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for i in shown:
        ax.annotate(
            f"n = {counts[i]}", (x[i], 0), xycoords=trans, xytext=(0, -34),
            textcoords="offset points", ha="center", va="top", fontsize=style.NOTE_SIZE,
            color=style.NEUTRAL if few[i] else style.MUTED, gid="nps-n",
        )  # fmt: skip


def _trend_words(df: pd.DataFrame, locale: str) -> tuple[str, str]:
    """The automatic action title and subtitle of the trend."""
    words = _words.TEXT[locale]
    periods = df["period"].tolist()
    kind = _words.period_kind(periods)
    ok = df[~df["too_few"]]
    level = _frames.level_text(df, locale)
    hollow = words["hollow"] if df["too_few"].any() else ""
    if ok.empty:
        return words["no_trend"], words["hollow"].strip()
    first, last = ok.iloc[0], ok.iloc[-1]
    value = fmt_nps(float(last["nps"]), 0, locale)[0]
    half = _frames.half_width(last)  # under a point (large samples): decimals, not ±0
    hw = fmt_number(half, 0 if half >= 1 else 1 if half >= 0.1 else 2, locale)[0]
    sub = words["trend_sub"].format(
        per=_words.per(locale, kind), level=level, period=last["period"], hw=hw,
        pts_hw=_words.points(locale, hw),
    )  # fmt: skip
    if len(ok) == 1:
        return words["single"].format(v=value, period=last["period"]), sub + hollow
    recent = last["period"] == periods[-1]
    steps = _frames.period_steps(first["period"], last["period"], kind) if recent else None
    span = _words.span(locale, kind, steps, first["period"], last["period"])
    change = float(last["nps"]) - float(first["nps"])
    d = fmt_number(abs(change), 0 if abs(change) >= 1 else 1, locale)[0]
    if not _frames.beyond(first, last):
        signed = fmt_nps(change, 0, locale)[0]
        within = words["within"].format(
            d=signed, pts=_words.points(locale, signed), first=first["period"]
        )
        return words["steady"].format(v=value, span=span), sub + within + hollow
    key = "rose" if change > 0 else "fell"
    return words[key].format(d=d, pts=_words.points(locale, d), v=value, span=span), sub + hollow


@_measures.speaks_measure
def nps_by_segment(
    frame: pd.DataFrame,
    by: str | list[str] = "segment",
    *,
    ax: Axes | None = None,
    locale: Locale = "en",
    measure: Measure | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    **kwargs: Any,
) -> Figure:
    """NPS per group as dots with their intervals, most loyal first.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``cxvalue.nps(responses, by="segment")``. When it also has several
        periods, the latest is drawn (and named in the subtitle).
    by : str or list of str
        The group column(s).
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title and no subtitle or
        source line is drawn. By default a full-slide figure is made.
    locale : {"en", "de"}
        Language of the words and numbers.
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS\'s.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.
    **kwargs
        Dot properties, merged over the defaults (``color``, ``markersize``, …).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Groups are sorted by NPS, highest at the top, and labelled with their n.
    Groups flagged ``too_few`` come last, in grey, with "too few responses"
    in place of a dot. The automatic title names the most and least loyal
    group, or says that none stands out when their difference is within
    their intervals combined.
    """
    keys = [by] if isinstance(by, str) else list(by)
    df = _frames.check_frame(frame, "nps_by_segment", locale, (*keys, *_NEEDS))
    df, when = _frames.latest_period(df)
    _frames.check_unique(
        df, keys, "nps_by_segment", "Pass every group column as by=[...], or filter the frame.",
    )  # fmt: skip
    df = _order_groups(df)
    labels = _frames.group_labels(df, keys, locale)
    by_text = " · ".join(keys).replace("_", " ")
    auto_title, auto_sub = _segment_words(df, labels, by_text, when, locale)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_segments(ax, df, labels, locale, kwargs)
        style.decorate(
            fig, ax, owned, title=auto_title if title is None else title,
            subtitle=auto_sub if subtitle is None else subtitle,
            source=_frames.source_text(df, locale) if source is None else source,
        )  # fmt: skip
    return fig


def _order_groups(df: pd.DataFrame) -> pd.DataFrame:
    """Groups with enough responses by NPS (highest first), then the rest by n."""
    ok = df[~df["too_few"]].sort_values("nps", ascending=False, kind="stable")
    few = df[df["too_few"]].sort_values("n", ascending=False, kind="stable")
    return pd.concat([ok, few]).reset_index(drop=True)


def _draw_segments(
    ax: Axes, df: pd.DataFrame, labels: list[str], locale: str, kwargs: dict[str, Any]
) -> None:
    """Interval lines, dots with their values, too-few rows, the group axis."""
    dots = {"color": style.ACCENT, "markersize": 13, "zorder": 3, "gid": "nps-dots", **kwargs}
    style.style_axes(ax, grid="x")
    y = np.arange(len(df), dtype=float)
    few = df["too_few"].to_numpy(bool)
    ok = df[~few]
    ax.hlines(
        y[~few], ok["lo"], ok["hi"], color=dots["color"], alpha=0.35, linewidth=5,
        capstyle="butt", zorder=2, gid="nps-interval",
    )  # fmt: skip
    ax.plot(ok["nps"].to_numpy(float), y[~few], marker="o", linestyle="none", **dots)
    above = style.row_points(ax, len(df)) >= 40  # else beside the interval's right end
    for yi, (_, row) in zip(y[~few], ok.iterrows(), strict=True):
        where = {"xy": (float(row["nps"]), yi), "xytext": (0, 11), "ha": "center", "va": "bottom"}
        if not above:
            where = {"xy": (float(row["hi"]), yi), "xytext": (8, 0), "ha": "left", "va": "center"}
        ax.annotate(
            fmt_nps(float(row["nps"]), 0, locale)[0], textcoords="offset points", fontsize=14,
            fontweight="bold", color=dots["color"], gid="nps-value", path_effects=style.HALO,
            **where,
        )  # fmt: skip
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    for yi in y[few]:
        ax.text(
            0.01, yi, _words.TEXT[locale]["too_few"], transform=trans, va="center",
            fontsize=style.NOTE_SIZE, fontstyle="italic", color=style.NEUTRAL, gid="nps-too-few",
        )  # fmt: skip
    _group_axis(ax, df, labels, y, few, locale, 1.0 if above else 2.0)


def _group_axis(
    ax: Axes, df: pd.DataFrame, labels: list[str], y: np.ndarray, few: np.ndarray, locale: str,
    right: float,
) -> None:  # fmt: skip
    """Group labels with n on the y axis (greyed when too few), NPS on the x axis."""
    counts = fmt_number(df["n"].to_numpy(float), 0, locale)
    ax.set_yticks(y, labels=[f"{g} (n = {c})" for g, c in zip(labels, counts, strict=True)])
    for tick, grey in zip(ax.get_yticklabels(), few, strict=True):
        tick.set_color(style.NEUTRAL if grey else style.INK)
    ax.set_ylim(len(df) - 0.4, -0.7)  # first group at the top, room for its value label
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    _nps_ticks(ax.xaxis, locale)
    ax.set_xlabel(_words.TEXT[locale]["axis"], fontsize=style.LABEL_SIZE, color=style.INK)
    ok = df[~few]
    if not ok.empty:
        low, high = float(ok["lo"].min()), float(ok["hi"].max())
        pad = max(3.0, 0.08 * (high - low))
        ax.set_xlim(max(low - pad, -100), min(high + right * pad, 100))
        if low - pad < 0 < high + right * pad:
            ax.axvline(0, color=style.NEUTRAL, linewidth=1, zorder=1, gid="zero-line")


def _segment_words(
    df: pd.DataFrame, labels: list[str], by: str, when: str | None, locale: str
) -> tuple[str, str]:
    """The automatic action title and subtitle of the segment comparison."""
    words = _words.TEXT[locale]
    period = words["when"].format(period=when) if when else ""
    sub = words["segment_sub"].format(
        by=by, By=by[:1].upper() + by[1:], level=_frames.level_text(df, locale), when=period
    )
    ok = np.flatnonzero(~df["too_few"].to_numpy(bool))
    if ok.size == 0:
        return words["no_group"], sub
    top, bottom = df.iloc[ok[0]], df.iloc[ok[-1]]
    names = {"top": labels[ok[0]], "bottom": labels[ok[-1]]}
    v1, v2 = fmt_nps([float(top["nps"]), float(bottom["nps"])], 0, locale)
    if len(df) == 1:
        return words["only_group"].format(v1=v1, by=by, **names), sub
    if ok.size == 1:
        return words["one_group"].format(v1=v1, **names), sub
    if not _frames.beyond(top, bottom):
        alike = words["alike"].format(by=by, v1=v1, v2=v2, **names)
        return alike, sub + words["alike_sub"]
    key = "more" if ok.size == 2 else "most"
    return words[key].format(v1=v1, v2=v2, **names), sub
