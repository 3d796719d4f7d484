"""``cxvalue report``: the board pack, figures, summary, tables and snapshot of one run.

:func:`write_report` runs the flow a config describes (:mod:`.flow`) and
writes into one folder:

- ``board.pptx``: title, value at stake, one slide per figure (its action
  title as the slide title, the method in the speaker notes), methods and
  caveats;
- ``figures/``: every figure as PNG (300 dpi) and SVG;
- ``summary.md``: the numbers in words and tables;
- ``tables.xlsx``: the key tables for finance;
- ``snapshot.json``: what ``cxvalue drift`` compares next month.

No verbatim and no customer id is written anywhere: the pack holds
aggregates only.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cxvalue import figures
from cxvalue.figures import style
from cxvalue.figures._measures import reword
from cxvalue.formatting import fmt_nps, fmt_number, fmt_pct
from cxvalue.growth import GrowthResult
from cxvalue.report import words
from cxvalue.report.capture import make_snapshot
from cxvalue.report.config import Config
from cxvalue.report.deck import Deck, FigureSlide, HeadlineSlide, TextSlide, write_deck
from cxvalue.report.flow import (
    SCENARIO_POINTS,
    Flow,
    _stderr,
    add_growth,
    hand_back_freed_memory,
    run_flow,
)
from cxvalue.report.snapshot import write_snapshot
from cxvalue.report.tables import write_tables

__all__ = ["write_report"]

#: Resolution of the pictures placed on slides (the PNGs in figures/ are 300 dpi).
SLIDE_DPI = 200
#: Revenue retention's metrics that are shares (the rest are money or customers).
RETENTION_SHARES = ("nrr", "grr", "earned_growth_rate", "earned_new_share")


def write_report(
    config: Config, out: str | Path, *, progress: Callable[[str], None] | None = None
) -> dict[str, Path]:
    """Run the flow and write the board pack, figures, summary, tables and snapshot.

    Parameters
    ----------
    config : Config
        From :func:`cxvalue.report.load_config`.
    out : str or Path
        The folder to write into (made if missing).
    progress : callable, optional
        Called with a line of text at each step (default: stderr).

    Returns
    -------
    dict of str to Path
        ``board``, ``figures``, ``summary``, ``tables``, ``snapshot``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    flow = run_flow(config, growth=False, progress=progress)
    say = progress or _stderr
    hand_back_freed_memory()  # before the threads below, which cannot reuse it
    # The snapshot and revenue retention only read the flow, and hashing, binning and
    # summing millions of rows is mostly Arrow and numpy work that lets go of the
    # interpreter: they run beside the figures (pure Python for the most part), one
    # after the other, so that their working memory is not taken at the same time
    # (36M customer-months: 0.9 and 0.5 GB; both at once put the report's peak here).
    with ThreadPoolExecutor(max_workers=1) as beside:
        grown = beside.submit(add_growth, flow)
        captured = beside.submit(make_snapshot, flow)
        with tempfile.TemporaryDirectory(prefix="cxvalue-slides-") as slide_dir:
            say("drawing figures (revenue retention and the snapshot beside them)")
            slides = draw_figures(flow, out / "figures", Path(slide_dir))
            say("writing the board pack")
            board = write_deck(build_deck(flow, slides), out / "board.pptx")
        grown.result()
        summary = out / "summary.md"
        summary.write_text(summary_markdown(flow), encoding="utf-8")
        tables = write_tables(key_tables(flow), out / "tables.xlsx")
        snapshot = write_snapshot(captured.result(), out / "snapshot.json")
    return {"board": board, "figures": out / "figures", "summary": summary, "tables": tables,
            "snapshot": snapshot}  # fmt: skip


@words.spoken
def draw_figures(flow: Flow, folder: Path, slide_dir: Path) -> list[FigureSlide]:
    """Draw every figure, save PNG and SVG into ``folder``, and return one slide per figure
    (its picture, without the title the slide carries, in ``slide_dir``)."""
    loc, cur = flow.config.locale, flow.config.currency
    money = {"locale": loc, "currency": cur}
    makers: list[tuple[str, Callable[[], Figure]]] = [
        ("nps_trend", lambda: figures.nps_trend(flow.nps_trend, locale=loc)),
        ("nps_by_segment", lambda: figures.nps_by_segment(flow.nps_segments, locale=loc)),
        ("survival", lambda: figures.survival_curves(flow.retention, locale=loc,
                                                     months=flow.value.assumptions.horizon_months)),
        ("revenue_change", lambda: figures.revenue_change(flow.revenue_model, locale=loc)),
        ("lifetime_value", lambda: figures.lifetime_value(flow.value, **money)),
        ("value_bridge", lambda: figures.value_bridge(flow.bridge, **money)),
        ("point_value", lambda: figures.point_value(flow.value, **money)),
        ("forecast", lambda: figures.forecast_fan(flow.forecast, **money)),
        ("sensitivity", lambda: figures.sensitivity_tornado(words.settings(flow.sensitivity, loc),
                                                            **money)),
    ]  # fmt: skip
    if flow.nps_segments is None:
        makers = [m for m in makers if m[0] != "nps_by_segment"]
        for stale in folder.glob("nps_by_segment.*"):  # of an earlier run into the same folder
            stale.unlink()
    with style.png_beside():  # the next figure is drawn while the last one's PNGs are written
        return [_draw(name, make, flow, folder, slide_dir) for name, make in makers]


def _draw(
    name: str, make: Callable[[], Figure], flow: Flow, folder: Path, slide_dir: Path
) -> FigureSlide:
    """One figure saved as PNG and SVG, and as the picture of its slide."""
    with style.board():
        fig = make()
        style.save(fig, folder / name, formats=("png", "svg"))
        title = title_of(fig)
        style.action_title(fig, "", subtitle_of(fig))  # the slide carries the title
        image = style.save(fig, slide_dir / name, formats=("png",), dpi=SLIDE_DPI)[0]
    return FigureSlide(title=title, image=image, notes=words.notes(name, flow))


def title_of(fig: Figure) -> str:
    """The action title a figure was drawn with, as one line."""
    return " ".join(_text(fig, style.TITLE_GID).split())


def subtitle_of(fig: Figure) -> str | None:
    """The subtitle, with its line breaks as drawn."""
    return " ".join(_text(fig, style.SUBTITLE_GID).split()) or None


def _text(fig: Figure, gid: str) -> str:
    return " ".join(t.get_text() for t in fig.texts if t.get_gid() == gid)


@words.spoken
def build_deck(flow: Flow, slides: list[FigureSlide]) -> Deck:
    """The deck: title, value at stake, figure slides, methods and caveats."""
    w = words.for_locale(flow.config.locale)
    end = flow.retention.data_end
    return Deck(
        title=flow.config.title,
        subtitle=w["subtitle"],
        date=w["data_to"].format(end=words.month(end, flow.config.locale)),
        slides=[headline(flow), *slides,
                TextSlide(w["methods"], words.methods(flow), notes=w["methods_notes"],
                          continued=w["continued"])],
    )  # fmt: skip


@words.spoken
def headline(flow: Flow) -> HeadlineSlide:
    """The value at stake: the point, the gap, the +5 scenario and NPS today."""
    loc, cur = flow.config.locale, flow.config.currency
    w = words.for_locale(loc)
    a = flow.value.assumptions
    years = words.years(a.horizon_months, loc)
    point = flow.value.point.iloc[0]
    gap = flow.value.gaps.set_index("comparison").loc["promoter - detractor"]
    year1 = flow.scenario.set_index("year").loc["1"]
    now = flow.nps_now.iloc[0]

    def money(est: float, lo: float, hi: float) -> str:
        e, low, high = words.money([est, lo, hi], loc, cur)
        return f"{e} {words.interval(low, high, loc)}"

    figures_ = [
        (money(point["estimate"], point["lo"], point["hi"]), w["per_point"].format(years=years)),
        (money(gap["per_customer"], gap["lo"], gap["hi"]), w["gap"].format(years=years)),
        (money(year1["profit_change"], year1["profit_lo"], year1["profit_hi"]),
         w["plus5"].format(points=SCENARIO_POINTS)),
        (f"{fmt_nps(now['nps'], locale=loc)[0]} [{fmt_nps(now['lo'], locale=loc)[0]} – "
         f"{fmt_nps(now['hi'], locale=loc)[0]}]",
         w[_nps_now_key(now)].format(n=fmt_number(now["n"], 0, loc)[0])),
    ]  # fmt: skip
    thin = [w["evidence"].format(what=words.evidence(e, loc))
            for e in dict.fromkeys((point["evidence"], gap["evidence"])) if e]  # fmt: skip
    footnote = " ".join([words.assumptions(a, loc) + ".", *thin])
    return HeadlineSlide(title=w["at_stake"], figures=figures_, footnote=footnote,
                         notes=w["headline_notes"])  # fmt: skip


def _nps_now_key(now: pd.Series) -> str:
    """The headline's words for NPS today: weighted when the answers carry survey weights."""
    return "nps_now" if now["weighting"] == "none" else "nps_now_weighted"


@words.spoken
def summary_markdown(flow: Flow) -> str:
    """The numbers in words and tables."""
    loc, cur = flow.config.locale, flow.config.currency
    a, result = flow.value.assumptions, flow.value
    point, now = result.point.iloc[0], flow.nps_now.iloc[0]
    gap = result.gaps.set_index("comparison").loc["promoter - detractor"]
    cash = lambda v: words.money([v], loc, cur)[0]  # noqa: E731
    prose = [
        f"- One more NPS point is worth **{cash(point['estimate'])}** "
        f"[{cash(point['lo'])} – {cash(point['hi'])}] in discounted profit over "
        f"{a.horizon_months} months ({int(point['customers_moving']):,} customers moving).",
        f"- A promoter is worth **{cash(gap['per_customer'])}** [{cash(gap['lo'])} – "
        f"{cash(gap['hi'])}] more than a detractor over the same horizon.",
        f"- {'NPS' if now['weighting'] == 'none' else 'Survey-weighted NPS'} today (each "
        "customer's latest answer, last 12 months): "
        f"**{fmt_nps(now['nps'], locale=loc)[0]}** [{fmt_nps(now['lo'], locale=loc)[0]} – "
        f"{fmt_nps(now['hi'], locale=loc)[0]}], n = {int(now['n']):,}.",
    ]  # fmt: skip
    lines = [f"# {flow.config.title}", "", *(reword(line, "en") for line in prose)]
    if flow.growth is not None:
        lines.append(retention_line(flow.growth, loc))
    lines += ["", reword(f"Assumptions: {a.describe()}.", "en"), ""]
    evidence = sorted({e for e in [*result.clv["evidence"], point["evidence"]] if e})
    if evidence:
        lines += ["**Evidence:** " + reword("; ".join(evidence), "en"), ""]
    for title, table in key_tables(flow).items():
        heading = reword(title.replace("_", " ").capitalize().replace("Nps ", "NPS "), "en")
        lines += [f"## {heading}", "", _markdown_table(table), ""]
    if flow.notes:
        lines += ["## Notes from the run", "", *[f"- {n}" for n in flow.notes], ""]
    return "\n".join(lines)


def retention_line(growth: GrowthResult, locale: str) -> str:
    """NRR, GRR and Earned Growth of the last months against as many before, in one line."""

    def pct(value: float, signed: bool = False) -> str:
        return fmt_pct(value, decimals=1, locale=locale, signed=signed)[0]

    earned = ("Earned Growth Rate not computable (no acquisition source)"
              if growth.earned_growth_rate is None
              else f"Earned Growth Rate **{pct(growth.earned_growth_rate, True)}**")  # fmt: skip
    return (f"- Revenue retention {growth.current_start:%Y-%m} to {growth.as_of:%Y-%m} against "
            f"the {growth.months} months before: net **{pct(growth.nrr)}**, gross "
            f"{pct(growth.grr)}; {earned}.")  # fmt: skip


def key_tables(flow: Flow) -> dict[str, pd.DataFrame]:
    """The tables finance asks for, as plain frames (aggregates only)."""
    result = flow.value
    tables = {
        "lifetime_value": result.clv,
        "value_gaps": result.gaps,
        "value_of_a_point": result.point,
        "scenario_plus_5_points": flow.scenario,
        "value_bridge": flow.bridge,
        "sensitivity": flow.sensitivity,
        "hazard_ratios": flow.retention.hazard_ratios(),
        "revenue_growth": flow.revenue_model.growth(),
        "forecast": flow.forecast.assign(period=flow.forecast["period"].dt.strftime("%Y-%m")),
        "nps_by_quarter": flow.nps_trend,
        "nps_by_segment": flow.nps_segments,
        "revenue_retention": None if flow.growth is None else _retention_table(flow.growth),
    }  # fmt: skip
    ledgers = {name: getattr(flow, name).ledger for name in ("responses", "revenue", "customers")
               if getattr(flow, name) is not None}  # fmt: skip
    tables["ledgers"] = pd.DataFrame(
        [_ledger_row(name, ledger) for name, ledger in ledgers.items()]
    )
    tables["ledger_reasons"] = pd.concat(
        [ledger.to_frame().assign(table=name) for name, ledger in ledgers.items()],
        ignore_index=True,
    )[["table", "kind", "what", "column", "count", "rows"]]
    return {k: _plain(v) for k, v in tables.items() if v is not None}


def _retention_table(growth: GrowthResult) -> pd.DataFrame:
    """Revenue retention with one kind of number per column (shares, money, customers), so
    that each gets its own precision: NRR 0.9781, not 1 beside revenue in billions."""
    frame = growth.to_frame()
    kind = np.select([frame["metric"].isin(RETENTION_SHARES), frame["metric"].str.startswith("n_")],
                     ["share", "customers"], "amount")  # fmt: skip
    table = frame[["metric"]].copy()
    for name in ("share", "amount", "customers"):
        table[name] = frame["value"].where(kind == name)
    table["label"] = frame["label"]
    return table


def _ledger_row(name: str, ledger: Any) -> dict[str, Any]:
    """One extract's counts; each reason and rule is a row of ``ledger_reasons``."""
    return {"table": name, "file": Path(str(ledger.source)).name, "rows_read": ledger.rows_read,
            "rows_kept": ledger.rows_kept, "rows_rejected": ledger.rows_rejected,
            "rows_repaired": sum(e.count for e in ledger.repaired),
            "rows_out": ledger.rows_out}  # fmt: skip


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy without attrs (they hold objects a spreadsheet cannot take)."""
    out = frame.copy()
    out.attrs = {}
    return out.reset_index(drop=True)


def _markdown_table(frame: pd.DataFrame) -> str:
    """The table in Markdown, each float column to one number of decimals (money in
    whole units, shares and effects to four significant digits of the column's largest
    value, p-values in scientific notation); missing numbers as "–"."""
    formats = {c: _decimals(pd.to_numeric(frame[c], errors="coerce")) for c in frame.columns}

    def cell(column: str, v: Any) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return "–"  # not given (a scenario's value is for the whole horizon only)
        if isinstance(v, float):
            places = formats[column]
            return f"{v:.4g}" if places is None else f"{v:,.{places}f}"
        return str(v).replace("|", "\\|")

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(cell(c, v) for c, v in zip(frame.columns, row, strict=True)) + " |"
            for row in frame.itertuples(False)]  # fmt: skip
    return "\n".join([head, rule, *rows])


def _decimals(values: pd.Series) -> int | None:
    """Decimals that give the column's largest value four significant digits (none from
    1,000 on or for whole numbers, at most four); None for a column with values under
    0.001 (p-values)."""
    size = values.abs()
    size = size[np.isfinite(size) & (size > 0)]
    if size.empty or (size == size.round()).all():
        return 0
    if size.min() < 1e-3:
        return None
    return int(min(4, max(0, 3 - math.floor(math.log10(size.max())))))
