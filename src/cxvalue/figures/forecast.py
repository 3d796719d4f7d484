"""The forecast fan: revenue of today's base month by month, with 80% and 95% bands.

Draws the frame :func:`cxvalue.forecast` returns: the baseline as a line in
grey with its two bands, the scenario (when the frame has one) as a line in
the accent colour with its 80% band, and actual revenue as dots where given.
Same rules as every figure: ``ax=None`` makes a house figure; with ``ax`` the
action title is the axes title and the caller owns the rest.
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from cxvalue._validation import check_param
from cxvalue.figures import _frames, _measures, _words, style
from cxvalue.formatting import Locale
from cxvalue.ingest.scale import Measure

__all__ = ["forecast_fan"]

#: Inches a month label ("Dec 2027") needs at tick size.
_LABEL_IN = 1.25
_NEEDS = ("scenario", "period", "revenue", "lo_80", "hi_80", "lo_95", "hi_95")


@_measures.speaks_measure
def forecast_fan(
    forecast: pd.DataFrame,
    *,
    actuals: pd.Series | pd.DataFrame | None = None,
    locale: Locale = "en",
    measure: Measure | None = None,
    currency: str = "EUR",
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
) -> Figure:
    """Monthly revenue of today's base: the forecast fan, a scenario, actuals.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``cxvalue.forecast(...)``: ``scenario``, ``period``, ``month``,
        ``revenue`` with ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``.
    actuals : pandas.Series or DataFrame, optional
        Actual revenue by period: a Series indexed by period, or a frame with
        ``period`` and ``revenue`` (or ``actual``). Drawn as dots.
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
    df = _frames.check_columns(forecast, "forecast_fan", locale, _NEEDS, "cxvalue.forecast()")
    df["period"] = pd.to_datetime(df["period"])
    check_param((df["scenario"] == "baseline").any(), "forecast", "forecast_fan",
                "a frame with 'baseline' rows", sorted(df["scenario"].unique()))  # fmt: skip
    base = df[df["scenario"] == "baseline"].sort_values("period")
    scen = df[df["scenario"] == "scenario"].sort_values("period")
    actual = _actuals(actuals)
    auto_title, auto_sub = _fan_words(base, scen, actual is not None, locale, currency)
    with style.board():
        fig, ax, owned = style.figure_and_axes(ax, "full")
        _draw_fan(ax, base, scen, actual, locale, currency)
        style.decorate(
            fig, ax, owned, title=_frames.pick(auto_title, title),
            subtitle=_frames.pick(auto_sub, subtitle),
            source=_frames.pick(_fan_source(base, locale), source),
        )  # fmt: skip
    return fig


def _actuals(actuals: Any) -> pd.Series | None:
    """Actual revenue as a Series indexed by month start, or None."""
    if actuals is None:
        return None
    if isinstance(actuals, pd.DataFrame):
        column = next((c for c in ("revenue", "actual") if c in actuals.columns), None)
        check_param("period" in actuals.columns and column is not None, "actuals",
                    "forecast_fan", "a frame with 'period' and 'revenue'",
                    list(actuals.columns))  # fmt: skip
        actuals = actuals.set_index("period")[column]
    check_param(isinstance(actuals, pd.Series), "actuals", "forecast_fan",
                "a Series of revenue by period or a frame", type(actuals).__name__)  # fmt: skip
    series = actuals.astype(float).copy()
    series.index = pd.to_datetime(series.index.astype(str))
    return series.sort_index() if len(series) else None


def _draw_fan(
    ax: Axes, base: pd.DataFrame, scen: pd.DataFrame, actual: pd.Series | None, locale: str,
    currency: str,
) -> None:  # fmt: skip
    style.style_axes(ax, grid="y")
    words = _words.MONEY[locale]
    x = base["period"]
    ax.fill_between(x, base["lo_95"], base["hi_95"], color=style.BASELINE, alpha=0.25,
                    linewidth=0, zorder=1, gid="fan-95")  # fmt: skip
    ax.fill_between(x, base["lo_80"], base["hi_80"], color=style.BASELINE, alpha=0.45,
                    linewidth=0, zorder=1, gid="fan-80")  # fmt: skip
    ax.plot(x, base["revenue"], color=style.NEUTRAL, linewidth=3, zorder=3, gid="fan-baseline")
    ends = [(x.iloc[-1], float(base["revenue"].iloc[-1]), words["baseline"], style.NEUTRAL)]
    if not scen.empty:
        ax.fill_between(scen["period"], scen["lo_80"], scen["hi_80"], color=style.SCENARIO,
                        alpha=0.2, linewidth=0, zorder=2, gid="fan-scenario-80")  # fmt: skip
        ax.plot(scen["period"], scen["revenue"], color=style.SCENARIO, linewidth=3, zorder=4,
                gid="fan-scenario")  # fmt: skip
        ends.append((scen["period"].iloc[-1], float(scen["revenue"].iloc[-1]), words["scenario"],
                     style.SCENARIO))  # fmt: skip
    lows = [base["lo_95"].min()]
    highs = [base["hi_95"].max(), *([] if scen.empty else [scen["hi_80"].max()])]
    if actual is not None:
        ax.plot(actual.index, actual.to_numpy(), marker="o", linestyle="none", markersize=8,
                color=style.INK, zorder=5, gid="fan-actuals")  # fmt: skip
        lows.append(actual.min())
        highs.append(actual.max())
    low, high = float(np.min(lows)), float(np.max(highs))
    pad = 0.08 * (high - low if high > low else abs(high) or 1.0)
    ax.set_ylim(low - pad, high + pad)
    # end labels, kept apart
    fig = ax.get_figure(root=True)
    height_pt = ax.get_position().height * fig.get_size_inches()[1] * 72
    # 1.7 font sizes, as for the survival curves' labels (1.3 left 1.5 px between them)
    gap = 1.7 * style.TICK_SIZE / max(height_pt, 1) * (high - low + 2 * pad)
    ys = _frames.spread([e[1] for e in ends], gap)
    for (when, y, label, color), at in zip(ends, ys, strict=True):
        money = _frames.money(y, locale, currency, digits=3)[0]
        ax.annotate(
            f"{label} {money}", (when, y), xytext=(when + pd.Timedelta(days=12), at),
            textcoords="data", ha="left", va="center", fontsize=style.TICK_SIZE,
            fontweight="bold", color=color, annotation_clip=False, gid="fan-label",
        )  # fmt: skip
    first = min(x.iloc[0], actual.index[0]) if actual is not None else x.iloc[0]
    ax.set_xlim(first - pd.Timedelta(days=20), x.iloc[-1] + pd.Timedelta(days=20))
    months = (x.iloc[-1].year - first.year) * 12 + x.iloc[-1].month - first.month + 1
    width_in = ax.get_position().width * fig.get_size_inches()[0]
    every = next((k for k in (1, 2, 3, 6, 12, 24) if months / k * _LABEL_IN <= width_in), 36)
    ax.xaxis.set_major_locator(
        mdates.MonthLocator(
            bymonth=range(1, 13, every) if every < 12 else (1,), interval=max(every // 12, 1)
        )
    )
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _p: _frames.month_text(mdates.num2date(v), locale))
    )
    ax.yaxis.set_major_formatter(style.currency_formatter(locale, currency))
    ax.set_ylabel(words["fan_axis"], fontsize=style.LABEL_SIZE)
    ax.spines["left"].set_visible(False)


def _fan_words(
    base: pd.DataFrame, scen: pd.DataFrame, actuals: bool, locale: str, currency: str
) -> tuple[str, str]:
    words = _words.MONEY[locale]
    v0, v1 = float(base["revenue"].iloc[0]), float(base["revenue"].iloc[-1])
    t0, t1 = _frames.money([v0, v1], locale, currency, digits=3)
    end = _frames.month_text(base["period"].iloc[-1], locale)
    direction = words["rises" if v1 >= v0 else "falls"]
    sub = words["fan_sub"] + (words["fan_sub_actuals"] if actuals else "")
    if scen.empty:
        return words["fan_title"].format(dir=direction, v0=t0, v1=t1, end=end), sub
    extra = float(scen["revenue"].iloc[-1]) - v1
    d = _frames.money_as(extra, v1, locale, currency)[0]
    return words["fan_title_scenario"].format(dir=direction, v0=t0, v1=t1, end=end, d=d), sub


def _fan_source(base: pd.DataFrame, locale: str) -> str:
    first, last = (_frames.month_text(base["period"].iloc[i], locale) for i in (0, -1))
    return _words.MONEY[locale]["fan_source"].format(first=first, last=last)
