"""Model figures: who stays (survival curves) and whose revenue grows (revenue change).

Both draw a fitted model: :func:`survival_curves` a ``RetentionModel`` (from
:func:`cxvalue.fit_retention`), :func:`revenue_change` a ``RevenueModel``
(from :func:`cxvalue.fit_revenue`). Same rules as every figure: ``ax=None``
makes a house figure with action title, subtitle and source line; with
``ax`` the action title is the axes title and the caller owns the rest.
Both return the ``Figure``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue._validation import check_choice, check_param
from cxvalue.figures import _frames, _measures, _words, style
from cxvalue.formatting import LOCALES, Locale, fmt_number, fmt_pct
from cxvalue.ingest.scale import Measure

__all__ = ["revenue_change", "survival_curves"]


@_measures.speaks_measure
def survival_curves(
    retention: Any,
    *,
    months: int = 36,
    mix: str = "typical",
    locale: Locale = "en",
    measure: Measure | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    n_draws: int = 2000,
) -> Figure:
    """Share of customers still with us after each month, one curve per NPS category.

    Parameters
    ----------
    retention : RetentionModel
        From :func:`cxvalue.fit_retention`; its :meth:`survival` is drawn.
    months : int
        Months ahead.
    mix : {"typical", "actual"}
        A typical customer, or today's mix of customers (standardised).
    locale : {"en", "de"}
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS's.
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.
    n_draws : int
        Parameter draws for the interval bands.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each curve carries its label and its value at the last month at its
    right end (no legend); the bands are the intervals from the model's
    parameter draws. The title compares promoters with detractors. A category
    the model flags (no or few churn events, a runaway estimate) gets no band,
    which the data cannot bound, and its label says "not enough evidence".
    """
    check_choice(locale, LOCALES, "locale", "survival_curves")
    check_param(hasattr(retention, "survival"), "retention", "survival_curves",
                "a RetentionModel from cxvalue.fit_retention()", retention)  # fmt: skip
    curves = retention.survival(months, mix=mix, n_draws=n_draws)
    level = float(getattr(retention, "level", 0.95))
    flags = getattr(retention, "flags", {})
    thin = {c for c in dict.fromkeys(curves["category"]) if flags.get(f"category[{c}]")}
    auto_title, auto_sub = _survival_words(curves, months, _who(retention, mix, locale), level,
                                           locale, thin)  # fmt: skip
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_survival(ax, curves, months, locale, thin)
        style.decorate(
            fig, ax, owned, title=_frames.pick(auto_title, title),
            subtitle=_frames.pick(auto_sub, subtitle),
            source=_frames.pick(_retention_source(retention, n_draws, locale), source),
        )  # fmt: skip
    return fig


def _draw_survival(
    ax: Axes, curves: pd.DataFrame, months: int, locale: str, thin: set[str]
) -> None:
    """Bands (not for ``thin`` categories), lines and end labels; the y axis as shares from
    0 to 100%."""
    style.style_axes(ax, grid="y")
    ends = curves[curves["month"] == months].set_index("category")
    cats = list(dict.fromkeys(curves["category"]))
    for cat in cats:
        rows = curves[curves["category"] == cat]
        color = style.CATEGORY_COLORS.get(cat, style.NEUTRAL)
        line = "--" if cat == "not_surveyed" else "-"
        shade = style.NEUTRAL if cat == "not_surveyed" else color
        if cat not in thin:
            ax.fill_between(
                rows["month"], rows["lo"], rows["hi"], color=shade, alpha=0.2, linewidth=0,
                zorder=1, gid=f"survival-interval-{cat}",
            )  # fmt: skip
        ax.plot(
            rows["month"], rows["survival"], color=shade if cat == "not_surveyed" else color,
            linewidth=3, linestyle=line, zorder=3, gid=f"survival-{cat}",
        )  # fmt: skip
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, months)
    # end labels: spaced at least one label height apart (in axes fraction of the y range;
    # 1.7 font sizes: the layout then shrinks the axes, and a label's box is taller than
    # its font size; 1.25 left two labels 2 px into each other)
    fig = ax.get_figure(root=True)
    height_pt = ax.get_position().height * fig.get_size_inches()[1] * 72
    gap = 1.7 * style.TICK_SIZE / max(height_pt, 1) * 1.02
    targets = [float(ends.loc[c, "survival"]) for c in cats]
    for cat, y, at in zip(cats, targets, _frames.spread(targets, gap), strict=True):
        color = style.NEUTRAL if cat == "not_surveyed" else style.CATEGORY_COLORS.get(cat, "k")
        text = f"{_words.LABELS[locale].get(cat, cat)} {fmt_pct(y, 0, locale)[0]}"
        text += _frames.thin_mark(cat in thin, locale)
        ax.annotate(
            text, (months, y), xytext=(months + 0.012 * months, at), textcoords="data",
            va="center", ha="left", fontsize=style.TICK_SIZE, fontweight="bold", color=color,
            annotation_clip=False, gid="survival-label",
        )  # fmt: skip
    ax.yaxis.set_major_formatter(style.pct_formatter(locale))
    step = 6 if months <= 48 else 12
    ax.set_xticks(np.arange(0, months + 1, step))
    ax.set_xlabel(
        {"en": "Months from today", "de": "Monate ab heute"}[locale], fontsize=style.LABEL_SIZE
    )
    ax.spines["left"].set_visible(False)


def _who(retention: Any, mix: str, locale: str) -> str:
    """Whom the curves describe: the typical customer by their controls' levels, or today's
    mix (with tenure held fixed when the model is adjusted for it)."""
    words = _words.MONEY[locale]
    controls = tuple(getattr(retention, "controls", ()))
    if mix == "actual":
        held = any(c.startswith("tenure") for c in controls)
        return words["actual"] + (words["tenure_held"] if held else "")
    levels = getattr(retention, "reference_levels", {})
    means = getattr(retention, "numeric_means", {})
    if not levels and not means:
        return words["for_anyone"]
    return words["typical"].format(typical=_words.typical(locale, levels, means))


def _survival_words(
    curves: pd.DataFrame, months: int, who: str, level: float, locale: str, thin: set[str]
) -> tuple[str, str]:
    words = _words.MONEY[locale]
    end = curves[curves["month"] == months].set_index("category")["survival"]
    sub = words["survival_sub"].format(who=who, level=_frames.pct_level(level, locale))
    if PROMOTER in end and DETRACTOR in end:
        p1, p2 = fmt_pct([end[PROMOTER], end[DETRACTOR]], 0, locale)
        hedge = _frames.thin_mark(thin & {PROMOTER, DETRACTOR}, locale)
        return words["survival"].format(months=months, p1=p1, p2=p2) + hedge, sub
    cat = end.index[0]
    p1 = fmt_pct(end[cat], 0, locale)[0]
    return words["survival_one"].format(
        months=months, p1=p1, cat=_words.LABELS[locale].get(cat, cat)
    ), sub


def _retention_source(retention: Any, n_draws: int, locale: str) -> str:
    words = _words.MONEY[locale]
    end = getattr(retention, "data_end", None)
    when = "" if end is None else words["data_to"].format(end=_frames.month_text(end, locale))
    return words["retention_source"].format(
        exposure=fmt_number(float(retention.exposure), 0, locale)[0],
        events=fmt_number(float(retention.events), 0, locale)[0], end=when,
        adjusted=_words.adjusted(locale, tuple(retention.controls)),
        level=_frames.pct_level(float(retention.level), locale),
        draws=fmt_number(float(n_draws), 0, locale)[0],
    )  # fmt: skip


@_measures.speaks_measure
def revenue_change(
    revenue_model: Any,
    *,
    locale: Locale = "en",
    measure: Measure | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
) -> Figure:
    """Yearly revenue change of retained customers by category, relative to passives.

    Parameters
    ----------
    revenue_model : RevenueModel
        From :func:`cxvalue.fit_revenue`; its :meth:`growth` is drawn.
    locale : {"en", "de"}
    measure : {"nps", "csat", "ces"}, optional
        Whose words name the score and its categories ("net CSAT",
        "satisfied customers"); by default NPS's.
    ax : matplotlib.axes.Axes, optional
        Draw here; the action title becomes the axes title.
    title, subtitle, source : str, optional
        Replace the automatic texts; ``""`` leaves one out.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The model's differences in annual log growth are shown as percentages,
    ``exp(vs_passive) − 1``: a promoter's revenue grows that much more per
    year than a passive's. Passives are the zero line; each category is a
    dot with its interval as an error bar.
    """
    check_choice(locale, LOCALES, "locale", "revenue_change")
    check_param(hasattr(revenue_model, "growth"), "revenue_model", "revenue_change",
                "a RevenueModel from cxvalue.fit_revenue()", revenue_model)  # fmt: skip
    growth = revenue_model.growth()
    rel = growth[growth["category"] != PASSIVE].reset_index(drop=True)
    for col in ("vs_passive", "vs_passive_lo", "vs_passive_hi"):
        rel[col] = np.expm1(rel[col].to_numpy(float))
    passive = growth.set_index("category")["growth"].get(PASSIVE, 0.0)
    pp = fmt_pct(float(np.expm1(passive)), 1, locale, signed=True)[0]
    level = float(getattr(revenue_model, "level", 0.95))
    auto_title, auto_sub = _growth_words(rel, pp, level, locale)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_growth(ax, rel, pp, locale)
        style.decorate(
            fig, ax, owned, title=_frames.pick(auto_title, title),
            subtitle=_frames.pick(auto_sub, subtitle),
            source=_frames.pick(_revenue_source(revenue_model, locale), source),
        )  # fmt: skip
    return fig


def growth_pct(value: float, locale: str) -> str:
    """A yearly change as the growth figures write it: ``+4.5%`` / ``+4,5 %``."""
    return fmt_pct(value, 1, locale, signed=True)[0]


def _draw_growth(ax: Axes, rel: pd.DataFrame, pp: str, locale: str) -> None:
    style.style_axes(ax, grid="x")
    y = np.arange(len(rel), dtype=float)
    est = rel["vs_passive"].to_numpy(float)
    lo, hi = rel["vs_passive_lo"].to_numpy(float), rel["vs_passive_hi"].to_numpy(float)
    for yi, cat, e, a, b in zip(y, rel["category"], est, lo, hi, strict=True):
        color = style.CATEGORY_COLORS.get(cat, style.NEUTRAL)
        color = style.NEUTRAL if cat == "not_surveyed" else color
        ax.barh(yi, e, height=0.5, color=color, alpha=0.3, zorder=2, gid=f"growth-bar-{cat}")
        ax.errorbar(
            e, yi, xerr=[[e - a], [b - e]], fmt="o", color=color, markersize=13,
            elinewidth=3, capsize=7, capthick=3, zorder=3, gid=f"growth-interval-{cat}",
        )  # fmt: skip
        side = 1 if e >= 0 else -1
        ax.annotate(
            growth_pct(e, locale), (b if side > 0 else a, yi), xytext=(12 * side, 0),
            textcoords="offset points", ha="left" if side > 0 else "right", va="center",
            fontsize=15, fontweight="bold", color=color, gid="growth-value",
            path_effects=style.HALO,
        )  # fmt: skip
    ax.axvline(0, color=style.INK, linewidth=1.5, zorder=1, gid="zero-line")
    ax.annotate(
        _words.MONEY[locale]["passive_ref"].format(pp=pp), (0, -0.6), xytext=(6, 0),
        textcoords="offset points", ha="left", va="center", fontsize=style.NOTE_SIZE,
        color=style.MUTED, gid="growth-reference",
    )  # fmt: skip
    labels = [_words.LABELS[locale].get(c, c) for c in rel["category"]]
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(len(rel) - 0.5, -0.9)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    span = max(abs(lo.min()), abs(hi.max()), 0.01)
    ax.set_xlim(-1.3 * span, 1.3 * span)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(style.pct_formatter(locale))
    ax.set_xlabel(_words.MONEY[locale]["growth_axis"], fontsize=style.LABEL_SIZE)


def _growth_words(rel: pd.DataFrame, pp: str, level: float, locale: str) -> tuple[str, str]:
    words = _words.MONEY[locale]
    sub = words["growth_sub"].format(pp=pp, level=_frames.pct_level(level, locale))
    by = rel.set_index("category")["vs_passive"]

    def size(v: float) -> str:
        return fmt_pct(abs(v), 1, locale)[0]

    if PROMOTER in by and DETRACTOR in by:
        p, d = float(by[PROMOTER]), float(by[DETRACTOR])
        title = words["growth_two"].format(
            p1=size(p), p2=size(d), dir1=words["less" if p < 0 else "more"],
            dir2=words["less" if d < 0 else "more"],
        )  # fmt: skip
        return title, sub
    cat, v = by.index[0], float(by.iloc[0])
    return words["growth_one"].format(
        cat=_words.NOUN[locale].get(cat, cat), p1=size(v), dir1=words["more" if v >= 0 else "less"]
    ), sub


def _revenue_source(model: Any, locale: str) -> str:
    words = _words.MONEY[locale]
    cov = {"cluster": {"en": "cluster-robust by customer", "de": "clusterrobust je Kunde"},
           "HC1": {"en": "robust (HC1)", "de": "robust (HC1)"}}  # fmt: skip
    return words["revenue_source"].format(
        rows=fmt_number(float(model.n_rows), 0, locale)[0],
        customers=fmt_number(float(model.n_customers), 0, locale)[0],
        adjusted=_words.adjusted(locale, tuple(model.controls)),
        typical=_words.typical(locale, model.reference_levels, model.numeric_means),
        level=_frames.pct_level(float(model.level), locale),
        cov=cov.get(model.cov_type, {}).get(locale, model.cov_type),
    )  # fmt: skip
