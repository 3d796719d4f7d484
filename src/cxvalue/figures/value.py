"""Money figures: lifetime value by category, the value of a point, the bridge, the tornado.

They draw what :func:`cxvalue.value` returns (a ``ValueResult``) and the
frames built from it (the value bridge and the sensitivity table). Same
rules as every figure: ``ax=None`` makes a house figure with action title,
subtitle and source line; with ``ax`` the action title is the axes title
and the caller owns the rest. Each returns the ``Figure``. Money is written
with :func:`cxvalue.formatting.fmt_currency` (``€7,700`` / ``7.700 €``,
``€1.2M`` / ``1,2 Mio. €``), rounded in titles and labels to two
significant digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cxvalue._categories import DETRACTOR, PROMOTER
from cxvalue._validation import check_choice, check_param
from cxvalue.figures import _frames, _measures, _words, style
from cxvalue.formatting import LOCALES, Locale, fmt_nps, fmt_number
from cxvalue.ingest.scale import Measure

__all__ = ["lifetime_value", "point_value", "sensitivity_tornado", "value_bridge"]

BRIDGE_STEPS = ("baseline", "retention", "expansion", "scenario")
#: The effects are smaller than this share of the baseline: zoom the axis onto them.
_ZOOM_BELOW = 0.25
#: The expansion effect (Okabe–Ito bluish green), beside retention in the promoter blue.
_EXPANSION = "#009E73"


def _check_result(result: Any, func: str, locale: str) -> None:
    check_choice(locale, LOCALES, "locale", func)
    check_param(
        all(hasattr(result, a) for a in ("clv", "point", "assumptions", "draws")), "result", func,
        "a ValueResult from cxvalue.value()", type(result).__name__,
    )  # fmt: skip


def _value_source(result: Any, locale: str) -> str:
    return _words.MONEY[locale]["value_source"].format(
        customers=fmt_number(float(result.customers), 0, locale)[0],
        describe=_frames.describe(result.assumptions, locale),
    )


# --- lifetime value ----------------------------------------------------------------------------


@_measures.speaks_measure
def lifetime_value(
    result: Any,
    *,
    locale: Locale = "en",
    measure: Measure | None = None,
    currency: str = "EUR",
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
) -> Figure:
    """Discounted profit per customer over the horizon, by NPS category, with intervals.

    Parameters
    ----------
    result : ValueResult
        From :func:`cxvalue.value`: its ``clv`` (``category``, ``estimate``,
        ``lo``, ``hi``, ``evidence``) and ``gaps``.
    locale : {"en", "de"}
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS's.
    currency : str
        ISO code of the money (``"EUR"``, ``"USD"``, …).
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    One horizontal bar per category from zero, its interval as an error
    bar; a category whose ``evidence`` is not empty is marked "not enough
    evidence". The title states the promoter − detractor gap per customer.
    """
    _check_result(result, "lifetime_value", locale)
    clv = result.clv.reset_index(drop=True)
    auto_title, auto_sub = _clv_words(result, locale, currency)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_clv(ax, clv, locale, currency)
        style.decorate(
            fig, ax, owned, title=_frames.pick(auto_title, title),
            subtitle=_frames.pick(auto_sub, subtitle),
            source=_frames.pick(_value_source(result, locale), source),
        )  # fmt: skip
    return fig


def _draw_clv(ax: Axes, clv: pd.DataFrame, locale: str, currency: str) -> None:
    style.style_axes(ax, grid="x")
    y = np.arange(len(clv), dtype=float)
    est, lo, hi = (clv[c].to_numpy(float) for c in ("estimate", "lo", "hi"))
    colors = [style.CATEGORY_COLORS.get(c, style.NEUTRAL) for c in clv["category"]]
    ax.barh(y, est, height=0.6, color=colors, zorder=2, gid="clv-bars")
    ax.errorbar(
        est, y, xerr=[est - lo, hi - est], fmt="none", ecolor=style.INK, elinewidth=2.5,
        capsize=8, capthick=2.5, zorder=3, gid="clv-interval",
    )  # fmt: skip
    words = _words.MONEY[locale]
    evidence = clv["evidence"].fillna("").astype(str).to_numpy() if "evidence" in clv else None
    for i, (e, h) in enumerate(zip(est, hi, strict=True)):
        label = _frames.money(e, locale, currency, digits=3)[0]
        weak = evidence is not None and bool(evidence[i])
        ax.annotate(
            label, (max(h, e), y[i]), xytext=(12, 0), textcoords="offset points", ha="left",
            va="center", fontsize=16, fontweight="bold", color=style.INK, gid="clv-value",
        )  # fmt: skip
        if weak:
            ax.annotate(
                words["not_enough"], (max(h, e), y[i]), xytext=(12, -20),
                textcoords="offset points", ha="left", va="center", fontsize=style.NOTE_SIZE,
                fontstyle="italic", color=style.MUTED, gid="clv-not-enough",
            )  # fmt: skip
    labels = [_words.LABELS[locale].get(c, c) for c in clv["category"]]
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(len(clv) - 0.4, -0.6)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    top = float(np.nanmax(np.concatenate([hi, est])))
    ax.set_xlim(min(0.0, float(np.nanmin(lo)) * 1.1), top * 1.22)
    ax.xaxis.set_major_formatter(style.currency_formatter(locale, currency))
    ax.set_xlabel(words["clv_axis"], fontsize=style.LABEL_SIZE)


def _clv_words(result: Any, locale: str, currency: str) -> tuple[str, str]:
    words = _words.MONEY[locale]
    a = result.assumptions
    horizon = _words.horizon(locale, int(a.horizon_months))
    level = _frames.pct_level(float(a.level), locale)
    gaps = result.gaps.set_index("comparison") if len(result.gaps) else pd.DataFrame()
    key = f"{PROMOTER} - {DETRACTOR}"
    one = _words.ONE[locale]
    if key in gaps.index:
        gap = gaps.loc[key]
        # three digits, as on the headline slide (€7,740, not €7,700 there and €7,740 here);
        # to two, bounds of €8,121-8,201 around €8,161 read €8,100-8,200
        g, glo, ghi = _frames.money(
            [gap["per_customer"], gap["lo"], gap["hi"]], locale, currency, digits=3
        )
        title = words["clv_title"].format(
            high=one[PROMOTER], low=one[DETRACTOR], gap=g, horizon=horizon
        ) + _frames.thin_mark(gap.get("evidence"), locale)
        sub = words["clv_sub"].format(horizon=horizon, level=level, glo=glo, ghi=ghi)
        return title[:1].upper() + title[1:], sub
    top = result.clv.sort_values("estimate", ascending=False).iloc[0]
    title = words["clv_title_one"].format(
        high=one.get(top["category"], top["category"]), horizon=horizon,
        v=_frames.money(float(top["estimate"]), locale, currency)[0],
    )  # fmt: skip
    sub = words["clv_sub"].split(";")[0].format(horizon=horizon) + "."
    return title[:1].upper() + title[1:], sub


# --- the value of a point ---------------------------------------------------------------------


@_measures.speaks_measure
def point_value(
    result: Any,
    *,
    locale: Locale = "en",
    measure: Measure | None = None,
    currency: str = "EUR",
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    bins: int = 40,
) -> Figure:
    """The value of one more NPS point: its spread over the parameter draws, interval shaded.

    Parameters
    ----------
    result : ValueResult
        From :func:`cxvalue.value`: ``draws["point"]`` and ``point``.
    locale : {"en", "de"}
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS's.
    currency : str
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.
    bins : int
        Histogram bins.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The histogram shows how the value varies over the draws of both
    models' coefficients; the draws inside the interval are shaded and the
    estimate (draw 0, the point estimate) is a line. The source line names
    the transition assumption: who moves for one point decides its value.
    """
    _check_result(result, "point_value", locale)
    draws = np.asarray(result.draws["point"], dtype=float)
    point = result.point.iloc[0]
    auto_title, auto_sub = _point_words(result, locale, currency)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_point(ax, draws, point, bins, locale, currency)
        style.decorate(
            fig, ax, owned, title=_frames.pick(auto_title, title),
            subtitle=_frames.pick(auto_sub, subtitle),
            source=_frames.pick(_value_source(result, locale), source),
        )  # fmt: skip
    return fig


def _draw_point(
    ax: Axes, draws: np.ndarray, point: pd.Series, bins: int, locale: str, currency: str
) -> None:
    style.style_axes(ax, grid="y")
    lo, hi, est = float(point["lo"]), float(point["hi"]), float(point["estimate"])
    # every draw the same (no one moves): one bar a currency unit wide, not 40 slivers
    counts, edges = np.histogram(draws, bins=bins if np.ptp(draws) > 0 else 1)
    share = counts / max(counts.sum(), 1)
    ax.stairs(share, edges, fill=True, color=style.BASELINE, alpha=0.45, gid="point-draws")
    inside = (edges[:-1] + edges[1:]) / 2
    keep = (inside >= lo) & (inside <= hi)
    x = np.repeat(edges, 2)[1:-1]
    y = np.repeat(share, 2)
    mask = np.repeat(keep, 2)
    ax.fill_between(
        x, 0, y, where=mask, color=style.ACCENT, alpha=0.45, linewidth=0, zorder=2,
        gid="point-interval",
    )  # fmt: skip
    ax.axvline(est, color=style.ACCENT, linewidth=3, zorder=3, gid="point-estimate")
    top = float(share.max())
    flagged = bool(point.get("evidence"))  # marked as the lifetime values mark theirs
    label_y = top * (1.2 if flagged else 1.08)  # the mark goes under it, above the bars
    words = _words.MONEY[locale]
    ax.annotate(
        words["estimate"].format(v=_frames.money(est, locale, currency, digits=3)[0]),
        (est, label_y),
        xytext=(8, 0), textcoords="offset points", ha="left", va="center", fontsize=16,
        fontweight="bold", color=style.ACCENT, path_effects=style.HALO, gid="point-value",
    )  # fmt: skip
    if flagged:
        ax.annotate(
            words["not_enough"], (est, label_y), xytext=(8, -22), textcoords="offset points",
            ha="left", va="center", fontsize=style.NOTE_SIZE, fontstyle="italic",
            color=style.MUTED, path_effects=style.HALO, gid="point-not-enough",
        )  # fmt: skip
    for edge, ha, dx in ((lo, "right", -6), (hi, "left", 6)) if hi > lo else ():
        ax.annotate(
            _frames.money(edge, locale, currency, digits=3)[0], (edge, top * 0.93), xytext=(dx, 0),
            textcoords="offset points", ha=ha, va="center", fontsize=style.NOTE_SIZE,
            color=style.ACCENT, path_effects=style.HALO, gid="point-bounds",
        )  # fmt: skip
        # up to the tallest bar: above it runs the estimate's label, which may reach past
        ax.plot([edge, edge], [0, top], color=style.ACCENT, linewidth=1, linestyle=":",
                zorder=2, gid="point-bound-line")  # fmt: skip
    ax.set_ylim(0, top * (1.32 if flagged else 1.2))
    pad = 0.04 * (edges[-1] - edges[0])
    ax.set_xlim(edges[0] - pad, edges[-1] + pad)
    if hi <= lo:  # a tick at the one value, not five that all read €0; no share above 100%
        ax.set_xticks([est])
        ax.set_yticks(np.linspace(0.0, 1.0, 6))
    ax.xaxis.set_major_formatter(style.currency_formatter(locale, currency))
    ax.yaxis.set_major_formatter(style.pct_formatter(locale))
    ax.set_xlabel(words["point_axis"], fontsize=style.LABEL_SIZE)
    ax.set_ylabel(words["draws_axis"], fontsize=style.LABEL_SIZE)
    ax.spines["left"].set_visible(False)


def _point_words(result: Any, locale: str, currency: str) -> tuple[str, str]:
    words = _words.MONEY[locale]
    a, point = result.assumptions, result.point.iloc[0]
    # three digits, as on the headline slide and the tornado's base
    v, lo, hi = _frames.money(
        [point["estimate"], point["lo"], point["hi"]], locale, currency, digits=3
    )
    horizon = _words.horizon(locale, int(a.horizon_months))
    title = words["point_title"].format(v=v, horizon=horizon)
    title += _frames.thin_mark(point["evidence"], locale)
    common = {
        "moving": fmt_number(float(point["customers_moving"]), 0, locale)[0],
        "draws": fmt_number(float(a.n_draws), 0, locale)[0],
        "level": _frames.pct_level(float(a.level), locale), "lo": lo, "hi": hi,
    }  # fmt: skip
    moves = dict(a.moves)
    if len(moves) == 1:
        ((src, dst),) = moves
        move = _words.MOVE[locale]
        sub = words["point_sub"].format(src=move.get(src, src), dst=move.get(dst, dst), **common)
    else:
        mix = _frames.transition_text(a, locale).split(": ", 1)[-1]
        sub = words["point_sub_mix"].format(mix=mix, **common)
    return title, sub


# --- the value bridge -------------------------------------------------------------------------


@_measures.speaks_measure
def value_bridge(
    bridge: pd.DataFrame,
    *,
    locale: Locale = "en",
    measure: Measure | None = None,
    currency: str = "EUR",
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
) -> Figure:
    """A waterfall: today's base profit, the retention and expansion effects, the scenario.

    Parameters
    ----------
    bridge : pandas.DataFrame
        ``cxvalue.scenarios.bridge(result, points=5)``: rows ``baseline``,
        ``retention``, ``expansion``, ``scenario`` in ``step`` with
        ``estimate``, ``lo``, ``hi`` (discounted profit over the horizon,
        whole base); ``attrs`` with ``nps_change``, ``horizon_months``,
        ``assumptions`` (or None) and ``customers``.
    locale : {"en", "de"}
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS's.
    currency : str
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    When the effects are small beside today's profit (under a quarter of
    it), the value axis starts near today's profit so that the effects can
    be read; the baseline and scenario bars are then drawn cut, with break
    marks, and the chart says "Axis does not start at zero". The effects
    and the scenario carry their intervals as error bars.
    """
    df = _frames.check_columns(
        bridge, "value_bridge", locale, ("step", "estimate", "lo", "hi"),
        "cxvalue.scenarios.bridge()",
    )  # fmt: skip
    steps = df["step"].astype(str).tolist()
    check_param(
        sorted(steps) == sorted(BRIDGE_STEPS) and len(steps) == 4, "bridge", "value_bridge",
        "one row per step: " + ", ".join(BRIDGE_STEPS), steps,
    )  # fmt: skip
    df = df.set_index("step").loc[list(BRIDGE_STEPS)]
    attrs = dict(bridge.attrs)
    auto_title, auto_sub = _bridge_words(df, attrs, locale, currency)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_bridge(ax, df, attrs, locale, currency)
        style.decorate(
            fig, ax, owned, title=_frames.pick(auto_title, title),
            subtitle=_frames.pick(auto_sub, subtitle),
            source=_frames.pick(_bridge_source(attrs, locale), source),
        )  # fmt: skip
    return fig


def _bridge_labels(attrs: dict, locale: str) -> list[str]:
    pts = fmt_nps(float(attrs.get("nps_change", 0.0)), 0, locale)[0]
    labels = list(_words.MONEY[locale]["bridge"])
    labels[3] = labels[3].format(pts=pts)
    return labels


def _draw_bridge(ax: Axes, df: pd.DataFrame, attrs: dict, locale: str, currency: str) -> None:
    style.style_axes(ax, grid="y")
    est, lo, hi = (df[c].to_numpy(float) for c in ("estimate", "lo", "hi"))
    base, ret, exp, scen = est
    bottoms = np.array([0.0, base, base + ret, 0.0])
    heights = np.array([base, ret, exp, scen])
    colors = [style.BASELINE, style.CATEGORY_COLORS[PROMOTER], _EXPANSION, style.SCENARIO]
    x = np.arange(4, dtype=float)
    ax.bar(x, heights, bottom=bottoms, width=0.62, color=colors, zorder=2, gid="bridge-bars")
    tops = bottoms + heights
    # the effects' intervals at the top of their bars; the scenario's around its top
    centre = np.array([np.nan, base + ret, base + ret + exp, scen])
    err_lo = np.array([np.nan, ret - lo[1], exp - lo[2], scen - lo[3]])
    err_hi = np.array([np.nan, hi[1] - ret, hi[2] - exp, hi[3] - scen])
    ax.errorbar(
        x[1:], centre[1:], yerr=[err_lo[1:], err_hi[1:]], fmt="none", ecolor=style.INK,
        elinewidth=2.5, capsize=10, capthick=2.5, zorder=4, gid="bridge-interval",
    )  # fmt: skip
    for i in range(3):  # connectors between the bars
        ax.plot([x[i] + 0.31, x[i + 1] - 0.31], [tops[i], tops[i]], color=style.NEUTRAL,
                linewidth=1, linestyle="--", zorder=1)  # fmt: skip
    effects = abs(ret) + abs(exp)
    zoom = base > 0 and effects < _ZOOM_BELOW * base
    low_edge = min(float(np.nanmin(lo[1:] + bottoms[1:])), base) if zoom else 0.0
    top_edge = float(np.nanmax([hi[3], base + max(ret, 0) + max(exp, 0), base]))
    if zoom:
        span = top_edge - base
        floor = base - 1.6 * max(span, 1e-9)
        ax.set_ylim(floor, top_edge + 0.35 * span)
        cut = _break_marks(ax, x[[0, 3]], floor, span)
        # no value ticks on the cut part of the bars, nor beside the note at the top
        ymin, ymax = ax.get_ylim()
        ticks = [t for t in ax.get_yticks() if cut < t <= ymax - 0.06 * (ymax - ymin)]
        ax.set_yticks(ticks)
        ax.text(
            0.0, 1.0, _words.MONEY[locale]["not_zero"], transform=ax.transAxes, ha="left",
            va="top", fontsize=style.NOTE_SIZE + 1, fontstyle="italic", color=style.INK,
            gid="bridge-not-zero",
        )  # fmt: skip
    else:
        ax.set_ylim(min(0.0, low_edge), top_edge * 1.12)
    ymin, ymax = ax.get_ylim()
    lift = 0.02 * (ymax - ymin)
    values = _frames.money_as(est, max(abs(base), abs(scen)), locale, currency)
    # the base's and the scenario's labels differ by about the scenario's change: €5.26M
    # and €5.30M around +€39,000, $3.34B and $3.37B around +$32.9M (not $3.3B and $3.4B)
    for digits in (3, 4, 5):
        written = _frames.shown(scen, digits - 1) - _frames.shown(base, digits - 1)
        if abs(written - (scen - base)) <= 0.25 * abs(scen - base):
            break
        values[0], values[3] = _frames.money([base, scen], locale, currency, digits=digits)
    signs = ["", "+" if ret >= 0 else "", "+" if exp >= 0 else "", ""]
    label_at = [base, max(centre[1] + err_hi[1], tops[1]), max(centre[2] + err_hi[2], tops[2]),
                scen + err_hi[3]]  # fmt: skip
    for xi, v, s, at in zip(x, values, signs, label_at, strict=True):
        ax.text(xi, at + lift, s + v, ha="center", va="bottom", fontsize=17, fontweight="bold",
                color=style.INK, gid="bridge-value")  # fmt: skip
    ax.set_xticks(x, labels=_bridge_labels(attrs, locale))
    ax.tick_params(axis="x", length=0, labelsize=15)
    ax.set_xlim(-0.6, 3.6)
    ax.yaxis.set_major_formatter(style.currency_formatter(locale, currency))
    ax.spines["left"].set_visible(False)


def _break_marks(ax: Axes, xs: np.ndarray, floor: float, span: float) -> float:
    """A white zigzag across the cut bars: they go on down to zero. Returns its height."""
    h = 0.035 * (ax.get_ylim()[1] - floor)
    y0 = floor + 0.5 * span
    zig_x = np.linspace(-0.33, 0.33, 9)
    zig_y = np.where(np.arange(9) % 2 == 0, -h / 2, h / 2)
    for xc in xs:
        ax.fill_between(
            xc + zig_x, y0 + zig_y - h / 2, y0 + zig_y + h / 2, color="white", linewidth=0,
            zorder=3, gid="bridge-break",
        )  # fmt: skip
    return y0 + h


def _bridge_words(df: pd.DataFrame, attrs: dict, locale: str, currency: str) -> tuple[str, str]:
    words = _words.MONEY[locale]
    ret, exp = float(df.loc["retention", "estimate"]), float(df.loc["expansion", "estimate"])
    assumptions = attrs.get("assumptions")
    level = _frames.pct_level(float(getattr(assumptions, "level", 0.95)), locale)
    horizon = _words.horizon(locale, int(attrs.get("horizon_months", 36)))
    pts = fmt_nps(float(attrs.get("nps_change", 0.0)), 0, locale)[0]
    v, r = _frames.money_as([ret + exp, ret], ret + exp, locale, currency)
    title = words["bridge_title"].format(pts=pts, v=v, r=r, horizon=horizon)
    return title, words["bridge_sub"].format(horizon=horizon, level=level)


def _bridge_source(attrs: dict, locale: str) -> str:
    words = _words.MONEY[locale]
    customers = fmt_number(float(attrs.get("customers", 0)), 0, locale)[0]
    assumptions = attrs.get("assumptions")
    if assumptions is None:
        return words["bridge_source_short"].format(
            customers=customers, h=int(attrs.get("horizon_months", 36))
        )
    return words["bridge_source"].format(
        customers=customers, describe=_frames.describe(assumptions, locale)
    )


# --- the sensitivity tornado ------------------------------------------------------------------


@_measures.speaks_measure
def sensitivity_tornado(
    sensitivity: pd.DataFrame,
    *,
    locale: Locale = "en",
    measure: Measure | None = None,
    currency: str = "EUR",
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
) -> Figure:
    """How much the value of a point moves with each assumption: a tornado.

    Parameters
    ----------
    sensitivity : pandas.DataFrame
        ``cxvalue.scenarios.sensitivity(...)``: one row per assumption with
        ``parameter``, ``low_setting``, ``high_setting`` (text), ``low``,
        ``high`` (value per point at those settings) and ``base``.
        Optional ``base_lo`` / ``base_hi`` (the base case's interval) are
        drawn as a band; ``attrs["assumptions"]`` gives the source line.
    locale : {"en", "de"}
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS's.
    currency : str
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.

    Returns
    -------
    matplotlib.figure.Figure
    """
    df = _frames.check_columns(
        sensitivity, "sensitivity_tornado", locale,
        ("parameter", "low_setting", "high_setting", "low", "high", "base"),
        "cxvalue.scenarios.sensitivity()",
    )  # fmt: skip
    swing = (df["high"] - df["low"]).abs().to_numpy(float)
    df = df.iloc[np.argsort(-swing, kind="stable")].reset_index(drop=True)
    attrs = dict(sensitivity.attrs)
    auto_title, auto_sub = _tornado_words(df, attrs, locale, currency)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_tornado(ax, df, locale, currency)
        style.decorate(
            fig, ax, owned, title=_frames.pick(auto_title, title),
            subtitle=_frames.pick(auto_sub, subtitle),
            source=_frames.pick(_tornado_source(attrs, locale), source),
        )  # fmt: skip
    return fig


def _draw_tornado(ax: Axes, df: pd.DataFrame, locale: str, currency: str) -> None:
    style.style_axes(ax, grid="x")
    base = float(df["base"].iloc[0])
    y = np.arange(len(df), dtype=float)
    low, high = df["low"].to_numpy(float), df["high"].to_numpy(float)
    light = "#9CC7E6"
    # a bar nearer the base than its row's other one is drawn over it: when both settings
    # move the value the same way, both bars stay in sight
    high_near = np.abs(high - base) < np.abs(low - base)
    for near in (False, True):
        rows = high_near == near
        ax.barh(y[~rows], (low - base)[~rows], left=base, height=0.6, color=light,
                zorder=2 + near, gid="tornado-low")  # fmt: skip
        ax.barh(y[rows], (high - base)[rows], left=base, height=0.6, color=style.ACCENT,
                zorder=2 + near, gid="tornado-high")  # fmt: skip
    if {"base_lo", "base_hi"} <= set(df.columns):
        ax.fill_betweenx(
            [-0.9, len(df) - 0.4], float(df["base_lo"].iloc[0]), float(df["base_hi"].iloc[0]),
            color=style.NEUTRAL, alpha=0.2, linewidth=0, zorder=1, gid="tornado-interval",
        )  # fmt: skip
    # the base line runs from under its label (at the top) to the bottom of the bars
    ax.plot([base, base], [-0.45, len(df) - 0.4], color=style.INK, linewidth=2, zorder=3,
            gid="tornado-base")  # fmt: skip
    for yi, (_, row) in zip(y, df.iterrows(), strict=True):
        for value, text in _tornado_labels(row, base, locale, currency):
            right = value >= base
            ax.annotate(
                text,
                (value, yi), xytext=(8 if right else -8, 0), textcoords="offset points",
                ha="left" if right else "right", va="center", fontsize=14, color=style.INK,
                gid="tornado-setting",
            )  # fmt: skip
    ax.annotate(
        _words.MONEY[locale]["base"].format(v=_frames.money(base, locale, currency, digits=3)[0]),
        (base, -0.55), xytext=(0, 0), textcoords="offset points", ha="center", va="bottom",
        fontsize=15, fontweight="bold", color=style.INK, gid="tornado-base-label",
    )  # fmt: skip
    labels = [_words.parameter(locale, str(p)) for p in df["parameter"]]
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(len(df) - 0.4, -0.9)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    lo_edge, hi_edge = float(min(low.min(), base)), float(max(high.max(), base))
    span = max(hi_edge - lo_edge, abs(base) * 0.05, 1.0)
    ax.set_xlim(lo_edge - 0.6 * span, hi_edge + 0.6 * span)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(style.currency_formatter(locale, currency))
    ax.set_xlabel(_words.MONEY[locale]["tornado_axis"], fontsize=style.LABEL_SIZE)


def _tornado_labels(
    row: pd.Series, base: float, locale: str, currency: str
) -> list[tuple[float, str]]:
    """Where each setting's label goes and what it says: one label per side of the
    base, so two settings on the same side share one (two lines), at the bar farther out."""
    low, high = float(row["low"]), float(row["high"])
    settings = ((low, row["low_setting"]), (high, row["high_setting"]))
    texts = [
        f"{setting}: {_frames.money(value, locale, currency)[0]}" for value, setting in settings
    ]
    if (low >= base) != (high >= base):
        return [(low, texts[0]), (high, texts[1])]
    far = max(low, high, key=lambda v: abs(v - base))
    return [(far, "\n".join(texts))]


def _tornado_words(df: pd.DataFrame, attrs: dict, locale: str, currency: str) -> tuple[str, str]:
    words = _words.MONEY[locale]
    values = np.concatenate([df["low"].to_numpy(float), df["high"].to_numpy(float)])
    lo, hi = _frames.money([float(values.min()), float(values.max())], locale, currency)
    base = _frames.money(float(df["base"].iloc[0]), locale, currency, digits=3)[0]
    param = _words.parameter(locale, str(df["parameter"].iloc[0]))
    param = param[:1].lower() + param[1:] if locale == "en" else param
    title = words["tornado_title"].format(lo=lo, hi=hi, param=param)
    sub = words["tornado_sub"].format(base=base)
    if {"base_lo", "base_hi"} <= set(df.columns):
        level = getattr(attrs.get("assumptions"), "level", 0.95)
        sub += words["tornado_band"].format(level=_frames.pct_level(float(level), locale))
    return title, sub


def _tornado_source(attrs: dict, locale: str) -> str:
    words = _words.MONEY[locale]
    assumptions = attrs.get("assumptions")
    if assumptions is None:
        return words["tornado_source_short"]
    return words["tornado_source"].format(describe=_frames.describe(assumptions, locale))
