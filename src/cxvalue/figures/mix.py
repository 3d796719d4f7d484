"""The category mix: shares of promoters, passives and detractors as stacked bars.

Draws the tidy frame :func:`cxvalue.nps.nps` returns, one bar per group (by
NPS, highest first) or per period (oldest at the top). Same rules as the other
figures: ``ax=None`` makes a house figure; with ``ax`` the action title is the
axes title and the caller owns the rest. Returns the ``Figure``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cxvalue._categories import SURVEYED
from cxvalue.figures import _frames, _measures, _words, style
from cxvalue.formatting import Locale, fmt_number, fmt_pct
from cxvalue.ingest.scale import Measure

__all__ = ["category_mix"]

_SHARES = {c: f"share_{c}s" for c in SURVEYED}
#: Segments narrower than this share get no percentage written inside.
_MIN_LABELLED = 0.07
_DARK = frozenset({"promoter"})  # white text; dark text on the lighter colours


@_measures.speaks_measure
def category_mix(
    frame: pd.DataFrame,
    by: str | list[str] | None = None,
    *,
    ax: Axes | None = None,
    locale: Locale = "en",
    measure: Measure | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    **kwargs: Any,
) -> Figure:
    """Stacked horizontal shares of promoters, passives and detractors.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``cxvalue.nps(...)`` with the ``share_*`` columns.
    by : str or list of str, optional
        Group columns: one bar per group, in the latest period when there are
        several. Without ``by``: one bar per period, or one bar overall.
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title and no subtitle or
        source line is drawn. By default a full-slide figure is made.
    locale : {"en", "de"}
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS's.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.
    **kwargs
        Bar properties, merged over the defaults (``height``, ``edgecolor``, …).

    Returns
    -------
    matplotlib.figure.Figure
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    needs = (*keys, "n", "nps", *_SHARES.values())
    df = _frames.check_frame(frame, "category_mix", locale, needs)
    df, labels, when = _rows(df, keys, locale)
    auto_title, auto_sub = _mix_words(df, labels, bool(keys), when, locale)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_bars(ax, df, labels, locale, owned, kwargs)
        style.decorate(
            fig, ax, owned, title=auto_title if title is None else title,
            subtitle=auto_sub if subtitle is None else subtitle,
            source=_frames.source_text(df, locale, intervals=False) if source is None else source,
        )  # fmt: skip
    return fig


def _rows(
    df: pd.DataFrame, keys: list[str], locale: str
) -> tuple[pd.DataFrame, list[str], str | None]:
    """The bars in drawing order (top first), their labels, the period named if one."""
    if keys:
        df, when = _frames.latest_period(df)
        _frames.check_unique(df, keys, "category_mix", "Pass every group column as by=[...].")
        ok = df[~df["too_few"]].sort_values("nps", ascending=False, kind="stable")
        df = pd.concat([ok, df[df["too_few"]]]).reset_index(drop=True)
        return df, _frames.group_labels(df, keys, locale), when
    if "period" in df and df["period"].nunique() > 1:
        df = df.assign(period=df["period"].astype(str)).sort_values("period", kind="stable")
        _frames.check_unique(df, ["period"], "category_mix", "Pass the group column as by=.")
        return df.reset_index(drop=True), df["period"].tolist(), None
    _frames.check_unique(df.assign(_all=0), ["_all"], "category_mix", "Pass the groups as by=.")
    label = {"en": "All responses", "de": "Alle Antworten"}[locale]
    return df.reset_index(drop=True), [label], None


def _draw_bars(
    ax: Axes, df: pd.DataFrame, labels: list[str], locale: str, owned: bool,
    kwargs: dict[str, Any],
) -> None:  # fmt: skip
    """One stacked bar per row, percentages inside, a legend in category order.

    With many rows the percentages move from inside the bars to an x axis.
    """
    bar = {"height": 0.62, "edgecolor": "white", "linewidth": 1.5, **kwargs}
    row_pt = style.row_points(ax, len(df))
    inside = row_pt >= 22
    size = float(np.clip(row_pt * 0.55, 10, style.TICK_SIZE))
    style.style_axes(ax, grid="none" if inside else "x")
    y = np.arange(len(df), dtype=float)
    few = df["too_few"].to_numpy(bool)
    left = np.zeros(len(df))
    for cat, column in _SHARES.items():
        share = df[column].to_numpy(float)
        bars = ax.barh(
            y, share, left=left, color=style.CATEGORY_COLORS[cat],
            label=_words.LABELS[locale][cat], gid=f"mix-{cat}", **bar,
        )  # fmt: skip
        for patch, grey in zip(bars.patches, few, strict=True):
            patch.set_gid(f"mix-{cat}")
            patch.set_alpha(0.35 if grey else 1.0)
        if inside:
            _write_shares(ax, y, left, share, few, cat, locale, size)
        left = left + share
    _bar_axes(ax, df, labels, y, few, locale, size, inside)
    where = {"loc": "lower left", "bbox_to_anchor": (0, 1.0)} if owned else {
        "loc": "upper left", "bbox_to_anchor": (0, -0.08 if not inside else 0.0)}  # fmt: skip
    ax.legend(ncols=3, borderaxespad=0.2, fontsize=style.TICK_SIZE, **where)


def _bar_axes(
    ax: Axes, df: pd.DataFrame, labels: list[str], y: np.ndarray, few: np.ndarray, locale: str,
    size: float, inside: bool,
) -> None:  # fmt: skip
    """Row labels with n (greyed, and said, when too few); shares on x unless written inside."""
    counts = fmt_number(df["n"].to_numpy(float), 0, locale)
    note = ", " + _words.TEXT[locale]["too_few"]
    ax.set_yticks(y, labels=[
        f"{g} (n = {c}{note if grey else ''})"
        for g, c, grey in zip(labels, counts, few, strict=True)
    ])  # fmt: skip
    for tick, grey in zip(ax.get_yticklabels(), few, strict=True):
        tick.set_color(style.NEUTRAL if grey else style.INK)
        tick.set_fontsize(size)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if inside:
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
    else:
        ax.xaxis.set_major_formatter(style.pct_formatter(locale))


def _write_shares(
    ax: Axes, y: np.ndarray, left: np.ndarray, share: np.ndarray, few: np.ndarray, cat: str,
    locale: str, size: float,
) -> None:  # fmt: skip
    """The percentage in the middle of each segment wide enough to hold it."""
    texts = fmt_pct(share, 0, locale)
    for yi, x0, w, text, grey in zip(y, left, share, texts, few, strict=True):
        color = style.MUTED if grey else "white" if cat in _DARK else style.INK
        if w >= _MIN_LABELLED:
            ax.text(
                x0 + w / 2, yi, text, ha="center", va="center", fontsize=size, color=color,
                gid=f"mix-{cat}-label",
            )  # fmt: skip


def _mix_words(
    df: pd.DataFrame, labels: list[str], groups: bool, when: str | None, locale: str
) -> tuple[str, str]:
    """The automatic action title and subtitle of the mix."""
    words = _words.TEXT[locale]
    period = words["when"].format(period=when) if when else ""
    sub = words["mix_sub"].format(when=period)
    ok = np.flatnonzero(~df["too_few"].to_numpy(bool))
    if ok.size == 0:
        ok = np.arange(len(df))
    first, last = df.iloc[ok[0]], df.iloc[ok[-1]]
    p1, p2 = fmt_pct([first["share_promoters"], last["share_promoters"]], 0, locale)
    if ok.size == 1:
        d1 = fmt_pct(first["share_detractors"], 0, locale)[0]
        return words["mix_one"].format(p1=p1, d1=d1), sub
    if groups:
        shares = df["share_promoters"].to_numpy(float)[ok]
        hi, lo = ok[np.argmax(shares)], ok[np.argmin(shares)]
        p1, p2 = fmt_pct([shares.max(), shares.min()], 0, locale)
        return words["mix_groups"].format(top=labels[hi], bottom=labels[lo], p1=p1, p2=p2), sub
    return words["mix_periods"].format(first=labels[ok[0]], last=labels[ok[-1]], p1=p1, p2=p2), sub
