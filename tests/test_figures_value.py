"""Model and money figures on a small sample: titles carry the numbers, intervals are drawn."""

from __future__ import annotations

import dataclasses
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

import cxvalue as cx
from _figures_helpers import (  # noqa: F401 (pyplot_fixture)
    assert_laid_out,
    pyplot_fixture,
    segment_frame,
    source_of,
    subtitle_of,
    texts_by_gid,
    title_of,
    trend_frame,
)
from cxvalue import samples
from cxvalue.errors import ColumnError, ParameterError
from cxvalue.figures import (
    _frames,
    category_mix,
    forecast_fan,
    lifetime_value,
    nps_by_segment,
    nps_trend,
    point_value,
    revenue_change,
    sensitivity_tornado,
    style,
    survival_curves,
    value_bridge,
)
from cxvalue.formatting import fmt_currency, fmt_pct

pytestmark = pytest.mark.filterwarnings("error")

CONTROLS = ("segment", "size", "tenure_band")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """One small sample company, both models, value and a forecast with a scenario."""
    paths = samples.write_sample(
        tmp_path_factory.mktemp("sample"), samples.SampleParams(n_customers=5000)
    )
    panel = cx.build_panel(
        cx.read_responses(paths["responses"]),
        cx.read_revenue(paths["revenue"]),
        cx.read_customers(paths["customers"]),
    )
    retention = cx.fit_retention(panel, controls=CONTROLS)
    revenue = cx.fit_revenue(panel, controls=CONTROLS)
    result = cx.value(retention, revenue, n_draws=2000)
    fc = cx.forecast(retention, revenue, months=24, moves={("detractor", "passive"): 0.5})
    return {"retention": retention, "revenue": revenue, "result": result, "forecast": fc,
            "panel": panel}  # fmt: skip


def bridge_frame(result) -> pd.DataFrame:
    """The bridge frame by hand, in the contract cxvalue's bridge() returns."""
    base = 1.2e8
    frame = pd.DataFrame({
        "step": ["baseline", "retention", "expansion", "scenario"],
        "estimate": [base, 1.6e6, 0.8e6, base + 2.4e6],
        "lo": [0.98 * base, 1.4e6, 0.6e6, 0.98 * base + 2.0e6],
        "hi": [1.02 * base, 1.8e6, 1.0e6, 1.02 * base + 2.8e6],
    })  # fmt: skip
    frame.attrs = {"nps_change": 5.0, "horizon_months": 36, "assumptions": result.assumptions,
                   "customers": result.customers}  # fmt: skip
    return frame


def sensitivity_frame(result=None) -> pd.DataFrame:
    frame = pd.DataFrame({
        "parameter": ["discount_rate", "margin", "horizon_months"],
        "low_setting": ["5%", "22%", "24 months"],
        "high_setting": ["15%", "38%", "60 months"],
        "low": [505_000.0, 361_000.0, 340_000.0],
        "high": [460_000.0, 602_000.0, 700_000.0],
        "base": 482_000.0,
    })  # fmt: skip
    if result is not None:
        frame.attrs["assumptions"] = result.assumptions
    return frame


def money(value: float, locale: str = "en", digits: int = 2) -> str:
    """How the figures write an amount in a title (``digits`` significant digits, units kept)."""
    return _frames.keep_units(_frames.money(value, locale, "EUR", digits)[0])


def check_figure(fig: Figure, tmp_path, name: str) -> None:
    """Ticks labelled, laid out, and written as PNG, SVG and PDF without a warning."""
    assert isinstance(fig, Figure)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    labels = [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())]
    assert any(labels) and all(label.strip() for label in labels if label)
    assert_laid_out(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = style.save(fig, tmp_path / name)
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)


def bands(ax) -> list:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def errorbar_lines(ax) -> list:
    return [c for c in ax.collections if isinstance(c, LineCollection)]


# --- survival ----------------------------------------------------------------------------------


def test_survival_curves_title_bands_and_end_labels(fitted, tmp_path):
    retention = fitted["retention"]
    fig = survival_curves(retention, months=24)
    end = retention.survival(24).query("month == 24").set_index("category")["survival"]
    p1, p2 = fmt_pct([end["promoter"], end["detractor"]])
    assert title_of(fig) == (
        f"After 24 months, {p1} of promoters are still customers, against {p2} of detractors"
    )
    ax = fig.axes[0]
    assert len(bands(ax)) == len(retention.categories)
    labels = [t.get_text() for t in texts_by_gid(fig, "survival-label")]
    assert f"Promoters {p1}" in labels and f"Detractors {p2}" in labels
    assert ax.get_legend() is None
    assert "customer-months" in source_of(fig) and "adjusted for segment" in source_of(fig)
    check_figure(fig, tmp_path, "survival")


def test_survival_curves_give_a_flagged_category_no_band_and_say_so(fitted, tmp_path):
    """A category without churn events (IBM's telco promoters) has an interval from 0% to
    100%: drawn, it covered the chart. No band, a label and a title that say why."""
    flagged = dataclasses.replace(fitted["retention"],
                                  flags={"category[promoter]": "no churn events"})  # fmt: skip
    fig = survival_curves(flagged, months=24)
    ax = fig.axes[0]
    assert "survival-interval-promoter" not in [b.get_gid() for b in bands(ax)]
    assert len(bands(ax)) == len(flagged.categories) - 1
    labels = [t.get_text() for t in texts_by_gid(fig, "survival-label")]
    assert any(t.startswith("Promoters") and t.endswith("(not enough evidence)") for t in labels)
    assert title_of(fig).endswith(" (not enough evidence)")
    check_figure(fig, tmp_path, "survival_flagged")


def test_end_labels_do_not_touch(tmp_path):
    """A small company whose passives and non-respondents end one point apart (51%, 50%):
    their survival labels ran 2 px into each other, and the forecast's two end labels had
    1.5 px between them. Measured on the drawn figures, in both languages."""
    paths = samples.write_sample(tmp_path, samples.SampleParams(n_customers=400), seed=3)
    panel = cx.build_panel(cx.read_responses(paths["responses"]), cx.read_revenue(paths["revenue"]),
                           cx.read_customers(paths["customers"]))  # fmt: skip
    retention = cx.fit_retention(panel, controls=CONTROLS)
    fc = cx.forecast(retention, cx.fit_revenue(panel, controls=CONTROLS), months=24,
                     moves={("detractor", "passive"): 0.5})  # fmt: skip
    drawn = [(survival_curves(retention, locale=loc), "survival-label") for loc in ("en", "de")]
    drawn += [(forecast_fan(fc, locale=loc), "fan-label") for loc in ("en", "de")]
    for fig, gid in drawn:
        renderer = fig.canvas.get_renderer()
        fig.draw(renderer)
        boxes = sorted((t.get_window_extent(renderer) for t in texts_by_gid(fig, gid)),
                       key=lambda box: box.y0)  # fmt: skip
        gaps = [upper.y0 - lower.y1 for lower, upper in zip(boxes, boxes[1:], strict=False)]
        assert min(gaps) >= 2, gaps
        assert min(gaps) < 20  # the case this test is about: two labels pushed apart


def test_survival_subtitle_names_the_typical_customer(fitted):
    """The subtitle said 'the most common segment and size, tenure held fixed' whatever the
    model was adjusted for, also for a report without a customers table (size band only)."""
    retention = fitted["retention"]
    levels = retention.reference_levels
    assert subtitle_of(survival_curves(retention)).startswith(
        "Share of customers still with us after each month, by NPS category, for a typical "
        f"customer (segment {levels['segment']}, size {levels['size']}, tenure band "
        f"{levels['tenure_band']}); shaded"
    )
    assert "für einen typischen Kunden (segment " in subtitle_of(
        survival_curves(retention, locale="de")
    )
    assert "for today's customer mix (tenure held fixed);" in subtitle_of(
        survival_curves(retention, mix="actual")
    )
    narrow = cx.fit_retention(fitted["panel"], controls=["size_band"])
    band = narrow.reference_levels["size_band"]
    assert f"for a typical customer (size band {band});" in subtitle_of(survival_curves(narrow))
    assert "for today's customer mix;" in subtitle_of(survival_curves(narrow, mix="actual"))
    bare = cx.fit_retention(fitted["panel"], controls=[])
    assert "for any customer (no controls);" in subtitle_of(survival_curves(bare))
    assert "für jeden Kunden (keine Kontrollvariablen);" in subtitle_of(
        survival_curves(bare, locale="de")
    )


def test_survival_curves_in_german_on_given_axes(fitted, pyplot):
    fig, ax = pyplot.subplots()
    out = survival_curves(fitted["retention"], locale="de", ax=ax)
    assert out is fig
    assert " ".join(ax.get_title(loc="left").split()).startswith(
        "Nach 36 Monaten sind von den Promotoren noch"
    )
    assert "\u00a0%" in ax.get_title(loc="left") or " %" in ax.get_title(loc="left")


# --- revenue change ----------------------------------------------------------------------------


def test_revenue_change_title_and_error_bars(fitted, tmp_path):
    model = fitted["revenue"]
    fig = revenue_change(model)
    growth = model.growth().set_index("category")
    promoter = fmt_pct(np.expm1(growth.loc["promoter", "vs_passive"]), 1)[0]
    detractor = fmt_pct(abs(np.expm1(growth.loc["detractor", "vs_passive"])), 1)[0]
    assert title_of(fig) == (
        f"A retained promoter's revenue grows {promoter} a year more than a passive's; "
        f"a detractor's {detractor} less"
    )
    ax = fig.axes[0]
    assert len(errorbar_lines(ax)) >= 3  # one interval per category but passives
    assert any(line.get_gid() == "zero-line" for line in ax.lines)
    check_figure(fig, tmp_path, "revenue")


def test_revenue_change_names_the_typical_customer_in_words(fitted):
    """The source line says who the figure describes as a reader would: each control with
    its reference level ("tenure band 24m+"), not the model's "tenure_band = 24m+"."""
    model = fitted["revenue"]
    levels = model.reference_levels
    assert set(levels) == set(CONTROLS)
    source = source_of(revenue_change(model))
    named = ", ".join(f"{c.replace('_', ' ')} {levels[c]}" for c in model.design.factors
                      if c != "category")  # fmt: skip
    assert f"typical customer: {named};" in source
    assert "=" not in source and "_" not in source
    german = source_of(revenue_change(model, locale="de"))
    named = (
        f"segment {levels['segment']}, size {levels['size']}, Kundendauer {levels['tenure_band']}"
    )
    assert f"bereinigt um segment, size, Kundendauer; typischer Kunde: {named};" in german


def test_typical_customer_words_give_numeric_controls_their_mean():
    from cxvalue.figures import _words

    levels, means = {"size_band": "large"}, {"employees": 1234.56}
    assert _words.typical("en", levels, means) == "size band large, employees 1,234.6 (mean)"
    # cxvalue's own bands in the report's language; a company's columns as it named them
    assert (
        _words.typical("de", levels, means) == "Umsatzklasse groß, employees 1.234,6 (Mittelwert)"
    )
    assert _words.adjusted("de", ("segment", "size_band", "tenure_band")) == (
        "bereinigt um segment, Umsatzklasse, Kundendauer"
    )
    # also from the English phrase the value's assumptions carry
    assert _words.adjusted("de", "adjusted for segment, size band, tenure band") == (
        "bereinigt um segment, Umsatzklasse, Kundendauer"
    )
    assert _words.typical("de", {}, {}) == "jeder Kunde (keine Kontrollvariablen)"


# --- lifetime value ----------------------------------------------------------------------------


def test_lifetime_value_title_states_the_gap(fitted, tmp_path):
    result = fitted["result"]
    fig = lifetime_value(result)
    gap = result.gaps.set_index("comparison").loc["promoter - detractor", "per_customer"]
    # three digits, as the headline slide writes it
    assert title_of(fig) == (
        f"A promoter is worth {money(gap, digits=3)} more than a detractor over 3 years"
    )
    ax = fig.axes[0]
    assert errorbar_lines(ax), "the intervals are drawn as error bars"
    assert "one NPS point = 1% of customers moving from detractor to passive" in source_of(fig)
    check_figure(fig, tmp_path, "clv")


def test_lifetime_value_gap_interval_keeps_three_digits(fitted):
    """A narrow gap interval (a million customers) is not rounded onto its estimate."""
    result = fitted["result"]
    narrow = type("Narrow", (), {})()
    for name in ("clv", "point", "assumptions", "draws", "customers"):
        setattr(narrow, name, getattr(result, name))
    narrow.gaps = pd.DataFrame({"comparison": ["promoter - detractor"], "per_customer": [8161.4],
                                "lo": [8121.0], "hi": [8201.2]})  # fmt: skip
    fig = lifetime_value(narrow)
    assert title_of(fig).startswith("A promoter is worth €8,160 more than a detractor")
    assert "(gap: €8,120 to €8,200)" in subtitle_of(fig)


def test_lifetime_value_marks_thin_evidence_and_writes_german_money(fitted):
    result = fitted["result"]
    clv = result.clv.copy()
    clv.loc[clv["category"] == "detractor", "evidence"] = "not enough evidence: wide"
    thin = type("Thin", (), {})()
    for name in ("gaps", "point", "assumptions", "draws", "customers"):
        setattr(thin, name, getattr(result, name))
    thin.clv = clv
    fig = lifetime_value(thin, locale="de")
    notes = texts_by_gid(fig, "clv-not-enough")
    assert [t.get_text() for t in notes] == ["nicht genug Evidenz"]
    gap = result.gaps.set_index("comparison").loc["promoter - detractor", "per_customer"]
    assert money(gap, "de", digits=3) in title_of(fig)
    assert money(gap, "de", digits=3).endswith("\u00a0€")
    assert "Evidenz" not in title_of(fig)  # the gap itself is sound
    thin.gaps = result.gaps.assign(evidence="not enough evidence: wide")
    assert title_of(lifetime_value(thin, locale="de")).endswith(" (nicht genug Evidenz)")


# --- point value -------------------------------------------------------------------------------


def test_point_value_title_band_and_transition(fitted, tmp_path):
    result = fitted["result"]
    fig = point_value(result)
    est = float(result.point["estimate"].iloc[0])
    assert title_of(fig) == f"One more NPS point is worth {money(est, digits=3)} over 3 years"
    ax = fig.axes[0]
    (band,) = [c for c in bands(ax) if c.get_gid() == "point-interval"]
    assert band.get_paths()
    (line,) = [x for x in ax.lines if x.get_gid() == "point-estimate"]
    assert line.get_xdata()[0] == pytest.approx(est)
    assert "detractor to passive" in source_of(fig) and "12," not in title_of(fig)
    check_figure(fig, tmp_path, "point")


def test_point_value_bound_lines_do_not_cross_the_estimate_label(fitted):
    """When the interval is narrow beside the axis (here a long tail of draws), the label
    "Schätzung …" reaches past the upper bound: the bound's dotted line stops under it
    instead of crossing its "€"."""
    result = fitted["result"]
    est = float(result.point["estimate"].iloc[0])
    narrow = type("Narrow", (), {})()
    for name in ("clv", "gaps", "assumptions", "customers"):
        setattr(narrow, name, getattr(result, name))
    spread = float(result.point["hi"].iloc[0]) - est
    draws = np.asarray(result.draws["point"], dtype=float)  # a long tail: a wide axis
    narrow.draws = {"point": np.append(draws, [est - 3 * spread, est + 3 * spread])}
    narrow.point = result.point
    fig = point_value(narrow, locale="de")
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    (label,) = texts_by_gid(fig, "point-value")
    box = label.get_window_extent(renderer)
    hi = float(narrow.point["hi"].iloc[0])
    assert ax.transData.inverted().transform((box.x1, box.y0))[0] > hi  # reaches past it
    lines = [line for line in ax.lines if line.get_gid() == "point-bound-line"]
    assert len(lines) == 2
    for line in lines:
        (x0, _y0), (_x1, y1) = ax.transData.transform(np.column_stack(line.get_data()))
        assert y1 < box.y0 or not (box.x0 <= x0 <= box.x1), "a bound line crosses the label"


def test_point_value_marks_thin_evidence_and_a_value_no_one_makes(fitted, tmp_path):
    """Flagged as the lifetime values are; and when no one can move (all draws 0), one
    bar and one tick, not slivers and five ticks that all read €0."""
    result = fitted["result"]
    assert texts_by_gid(point_value(result), "point-not-enough") == []  # the sample's is sound
    nobody = type("Nobody", (), {})()
    for name in ("clv", "gaps", "assumptions", "customers"):
        setattr(nobody, name, getattr(result, name))
    nobody.draws = {"point": np.zeros(1000)}
    nobody.point = result.point.assign(
        estimate=0.0, lo=0.0, hi=0.0, customers_moving=0.0,
        evidence="not enough evidence: today's base has no detractors to move",
    )  # fmt: skip
    fig = point_value(nobody, locale="de")
    assert (
        title_of(fig) == "Ein NPS-Punkt mehr ist über 3 Jahre 0\u00a0€ wert (nicht genug Evidenz)"
    )
    assert [t.get_text() for t in texts_by_gid(fig, "point-not-enough")] == ["nicht genug Evidenz"]
    ax = fig.axes[0]
    assert texts_by_gid(fig, "point-bounds") == []
    fig.canvas.draw()
    (tick,) = ax.get_xticklabels()
    assert tick.get_text().startswith("0") and tick.get_text().endswith("€")
    check_figure(fig, tmp_path, "point_nobody")


# --- the bridge --------------------------------------------------------------------------------


def test_value_bridge_zooms_and_says_so(fitted, tmp_path):
    frame = bridge_frame(fitted["result"])
    fig = value_bridge(frame)
    assert title_of(fig) == (
        "+5 NPS points would add €2.4M profit over 3 years, €1.6M of it from retention"
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Profit today's base", "Retention effect", "Expansion effect", "Profit with +5 points"
    ]  # fmt: skip
    (note,) = texts_by_gid(fig, "bridge-not-zero")
    assert note.get_text() == "Axis does not start at zero"
    assert ax.get_ylim()[0] > 0
    (bars,) = errorbar_lines(ax)
    assert len(bars.get_segments()) == 3  # the two effects and the scenario
    values = [t.get_text() for t in texts_by_gid(fig, "bridge-value")]
    assert values == ["€120.0M", "+€1.6M", "+€0.8M", "€122.4M"]
    check_figure(fig, tmp_path, "bridge")


@pytest.mark.parametrize("locale", ["en", "de"])
def test_value_bridge_note_has_its_own_row(fitted, locale):
    """The "axis does not start at zero" note at the top left is not set beside a tick
    label on the same row (it read "306,0 Mio. € Achse beginnt nicht bei null")."""
    frame = pd.DataFrame({"step": ["baseline", "retention", "expansion", "scenario"],
                          "estimate": [300.63e6, 1.376e6, 1.034e6, 303.04e6],
                          "lo": [298.55e6, 1.215e6, 0.947e6, 300.96e6],
                          "hi": [302.65e6, 1.545e6, 1.117e6, 305.03e6]})  # fmt: skip
    frame.attrs = bridge_frame(fitted["result"]).attrs  # the sample's bridge, as in the demo
    fig = value_bridge(frame, locale=locale)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    (note,) = texts_by_gid(fig, "bridge-not-zero")
    box = note.get_window_extent(renderer)
    for label in fig.axes[0].get_yticklabels():
        if label.get_text():
            tick = label.get_window_extent(renderer)
            assert tick.y1 < box.y0 or tick.y0 > box.y1, label.get_text()


def test_value_bridge_from_zero_when_effects_are_large_and_in_german():
    frame = pd.DataFrame({"step": ["baseline", "retention", "expansion", "scenario"],
                          "estimate": [1e6, 4e5, 2e5, 1.6e6], "lo": [9e5, 3e5, 1e5, 1.4e6],
                          "hi": [1.1e6, 5e5, 3e5, 1.8e6]})  # fmt: skip
    frame.attrs = {"nps_change": 5.0, "horizon_months": 24, "assumptions": None,
                   "customers": 900}  # fmt: skip
    fig = value_bridge(frame, locale="de")
    assert fig.axes[0].get_ylim()[0] == 0
    assert not texts_by_gid(fig, "bridge-not-zero")
    assert title_of(fig).startswith("+5 NPS-Punkte brächten über 2 Jahre 600.000\u00a0€")
    assert "Horizont 24 Monate" in source_of(fig)


def test_value_bridge_of_billions_writes_its_effects_in_millions():
    """Effects of €125.5M beside a €25.4B base: one decimal in billions would make them
    "+€0.1B" each; they keep their own unit, as the title has them."""
    frame = pd.DataFrame({"step": ["baseline", "retention", "expansion", "scenario"],
                          "estimate": [25.368e9, 125.5e6, 80.5e6, 25.574e9],
                          "lo": [25.35e9, 124e6, 79.8e6, 25.555e9],
                          "hi": [25.39e9, 127e6, 81.1e6, 25.594e9]})  # fmt: skip
    frame.attrs = {"nps_change": 5.0, "horizon_months": 36, "assumptions": None,
                   "customers": 1_036_892}  # fmt: skip
    fig = value_bridge(frame)
    values = [t.get_text() for t in texts_by_gid(fig, "bridge-value")]
    assert values == ["€25.4B", "+€125.5M", "+€80.5M", "€25.6B"]
    assert title_of(fig).startswith("+5 NPS points would add €206.0M profit over 3 years")
    german = [t.get_text() for t in texts_by_gid(value_bridge(frame, locale="de"), "bridge-value")]
    assert german[1] == "+125,5 Mio. €"


def test_value_bridge_tells_the_base_and_the_scenario_apart(fitted):
    """A small company: +€39,000 on €5.26M. To one decimal both bars read "€5.3M"."""
    frame = pd.DataFrame({"step": ["baseline", "retention", "expansion", "scenario"],
                          "estimate": [5.257e6, 21e3, 18e3, 5.296e6],
                          "lo": [4.9e6, 19e3, 16e3, 4.9e6],
                          "hi": [5.6e6, 23e3, 20e3, 5.6e6]})  # fmt: skip
    frame.attrs = bridge_frame(fitted["result"]).attrs
    values = [t.get_text() for t in texts_by_gid(value_bridge(frame), "bridge-value")]
    assert values == ["€5.26M", "+€21,000", "+€18,000", "€5.30M"]


@pytest.mark.parametrize(
    ("estimate", "labels"),
    [
        # a large company: +$32.9M on $3.34B read "$3.3B" and "$3.4B", a $100M step
        ([3.3393e9, 18.5e6, 14.3e6, 3.3721e9], ["$3.34B", "+$18.5M", "+$14.3M", "$3.37B"]),
        # the sample's: the labels already differ by about the change
        ([308.0e6, 1.7e6, 1.2e6, 310.9e6], ["$308.0M", "+$1.7M", "+$1.2M", "$310.9M"]),
    ],
)
def test_value_bridge_labels_differ_by_about_the_change(fitted, estimate, labels):
    frame = pd.DataFrame({"step": ["baseline", "retention", "expansion", "scenario"],
                          "estimate": estimate, "lo": [0.99 * v for v in estimate],
                          "hi": [1.01 * v for v in estimate]})  # fmt: skip
    frame.attrs = bridge_frame(fitted["result"]).attrs
    fig = value_bridge(frame, currency="USD")
    assert [t.get_text() for t in texts_by_gid(fig, "bridge-value")] == labels


def test_value_bridge_checks_its_frame(fitted):
    frame = bridge_frame(fitted["result"])
    with pytest.raises(ColumnError, match="'estimate'"):
        value_bridge(frame.rename(columns={"estimate": "value"}))
    with pytest.raises(ParameterError):
        value_bridge(frame.iloc[:3])


def test_dollar_amounts_are_not_read_as_maths(fitted):
    """Two dollar amounts in one title set the text between them as maths (matplotlib's
    mathtext: "$370,000 profit over 3 years, $" came out in italics without spaces)."""
    import matplotlib.text

    result = fitted["result"]
    figures = [value_bridge(bridge_frame(result), currency="USD"),
               forecast_fan(fitted["forecast"], currency="USD"),
               lifetime_value(result, currency="USD"), point_value(result, currency="USD"),
               sensitivity_tornado(sensitivity_frame(result), currency="USD")]  # fmt: skip
    for fig in figures:
        texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().count("$") >= 2]
        assert texts, "a text with two dollar amounts"
        assert not any(t.get_parse_math() for t in texts)
    assert "$" in title_of(figures[0]) and "over 3 years, $" in title_of(figures[0])


# --- forecast ----------------------------------------------------------------------------------


def test_forecast_fan_bands_scenario_and_actuals(fitted, tmp_path):
    fc = fitted["forecast"]
    base = fc[fc["scenario"] == "baseline"]
    actuals = pd.Series([base["revenue"].iloc[0] * 1.01] * 6,
                        index=pd.date_range("2025-07-01", periods=6, freq="MS"))  # fmt: skip
    fig = forecast_fan(fc, actuals=actuals)
    v0, v1 = fmt_currency([base["revenue"].iloc[0], base["revenue"].iloc[-1]], decimals=2)
    assert f"from {v0} to {v1} by Dec 2027" in title_of(fig)  # three significant digits
    extra = fc[fc["scenario"] != "baseline"]["revenue"].iloc[-1] - base["revenue"].iloc[-1]
    assert 1e4 < extra < 5e5  # under half a million beside millions: written in full
    assert title_of(fig).endswith(f"the scenario adds {money(extra)} a month")
    ax = fig.axes[0]
    gids = {c.get_gid() for c in bands(ax)}
    assert {"fan-80", "fan-95", "fan-scenario-80"} <= gids
    (dots,) = [x for x in ax.lines if x.get_gid() == "fan-actuals"]
    assert len(dots.get_xdata()) == 6
    check_figure(fig, tmp_path, "fan")


def test_forecast_fan_of_billions_tells_its_numbers_apart(fitted):
    """The sample's forecast times 300 (€2.7B a month): the scenario's extra is written in
    millions, not "€0.0B"; the end labels and the axis ticks differ from each other."""
    fc = fitted["forecast"].copy()
    money_columns = [c for c in fc.columns if c == "revenue" or c[:3] in ("lo_", "hi_")]
    fc[money_columns] = fc[money_columns] * 300
    fig = forecast_fan(fc)
    base = fc[fc["scenario"] == "baseline"]
    extra = fc[fc["scenario"] != "baseline"]["revenue"].iloc[-1] - base["revenue"].iloc[-1]
    assert 1e6 < extra < 5e8
    assert title_of(fig).endswith(f"the scenario adds {money(extra)} a month")
    assert "€0.0B" not in title_of(fig) and "B" in title_of(fig)
    ends = [t.get_text() for t in texts_by_gid(fig, "fan-label")]
    assert len(ends) == 2 and len({e.split()[-1] for e in ends}) == 2
    fig.draw_without_rendering()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks)


def test_forecast_fan_without_scenario_in_german(fitted):
    fc = fitted["forecast"]
    fig = forecast_fan(fc[fc["scenario"] == "baseline"], locale="de", currency="USD")
    assert "Szenario" not in title_of(fig)
    assert "Dez. 2027" in title_of(fig) and "$" in title_of(fig)


# --- tornado -----------------------------------------------------------------------------------


def test_sensitivity_tornado_sorted_by_swing_with_settings(fitted, tmp_path):
    frame = sensitivity_frame(fitted["result"]).assign(base_lo=446_000.0, base_hi=521_000.0)
    fig = sensitivity_tornado(frame)
    assert title_of(fig) == (
        "The value of a point ranges from €340,000 to €700,000 across the assumptions; "
        "horizon (months) moves it most"
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Horizon (months)", "Margin", "Discount rate"
    ]  # fmt: skip
    settings = {t.get_text() for t in texts_by_gid(fig, "tornado-setting")}
    assert {"24 months: €340,000", "60 months: €700,000", "5%: €510,000"} <= settings
    assert [c.get_gid() for c in bands(ax)] == ["tornado-interval"]
    # the base line stops under its label instead of crossing it
    (label,) = texts_by_gid(fig, "tornado-base-label")
    (line,) = [x for x in ax.lines if x.get_gid() == "tornado-base"]
    renderer = fig.canvas.get_renderer()
    text_box, line_box = label.get_window_extent(renderer), line.get_window_extent(renderer)
    assert line_box.y1 <= text_box.y0 and text_box.x0 < line_box.x0 < text_box.x1
    bars = [p.get_window_extent(renderer) for p in ax.patches]  # and spans every bar
    assert line_box.y0 <= min(b.y0 for b in bars) and max(b.y1 for b in bars) <= line_box.y1
    assert "detractor to passive" in source_of(fig)
    check_figure(fig, tmp_path, "tornado")


@pytest.mark.parametrize("locale", ["en", "de"])
def test_tornado_settings_on_one_side_share_a_label(locale):
    """A company's churn definition moved the value of a point down at both settings
    (2 and 6 empty months): the two labels were drawn on one spot. Now they share one label
    of two lines, no label touches another or the row names, and both bars stay in sight."""
    frame = pd.DataFrame({
        "parameter": ["horizon_months", "margin", "discount_rate", "churn_after_months"],
        "low_setting": ["24 months", "22.5%", "5%", "2 months"],
        "high_setting": ["60 months", "37.5%", "15%", "6 months"],
        "low": [298_437.0, 430_870.0, 606_335.0, 572_300.0],
        "high": [1_205_299.0, 718_116.0, 510_211.0, 555_874.0],
        "base": 574_493.0,
    })  # fmt: skip
    fig = sensitivity_tornado(frame, locale=locale)
    labels = texts_by_gid(fig, "tornado-setting")
    assert len(labels) == 7
    shared = [t.get_text() for t in labels if "\n" in t.get_text()]
    assert [text.split("\n")[0].split(":")[0] for text in shared] == ["2 months"]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    boxes += [t.get_window_extent(renderer) for t in fig.axes[0].get_yticklabels()]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1 :]), a
    bars = {gid: [p for p in fig.axes[0].patches if p.get_gid() == gid]
            for gid in ("tornado-low", "tornado-high")}  # fmt: skip
    (near,) = [p for p in bars["tornado-low"] if abs(p.get_width()) < 3000]
    (far,) = [p for p in bars["tornado-high"] if abs(p.get_width() + 18_619) < 1]
    assert near.get_zorder() > far.get_zorder()


def test_sensitivity_tornado_without_attrs_in_german():
    fig = sensitivity_tornado(sensitivity_frame(), locale="de")
    assert "am stärksten wirkt: Horizont (Monate)" in title_of(fig)
    assert source_of(fig).startswith("Quelle: Wert eines Punkts")


# --- the measure's words ------------------------------------------------------------------------

#: Words of NPS that a CSAT or CES figure must not say.
NPS_WORDS = re.compile(r"NPS|Net Promoter|promot|passive|detractor|Kritiker|Indifferent", re.I)


def every_figure(fitted, locale: str, measure: str | None) -> dict[str, Figure]:
    """Each public figure of the sample company, drawn in ``measure``'s words."""
    words = {"locale": locale, "measure": measure}
    money = {**words, "currency": "EUR"}
    result = fitted["result"]
    return {
        "nps_trend": nps_trend(trend_frame(), **words),
        "nps_by_segment": nps_by_segment(segment_frame(), **words),
        "category_mix": category_mix(trend_frame(), **words),
        "survival": survival_curves(fitted["retention"], months=24, **words),
        "revenue_change": revenue_change(fitted["revenue"], **words),
        "lifetime_value": lifetime_value(result, **money),
        "point_value": point_value(result, **money),
        "value_bridge": value_bridge(bridge_frame(result), **money),
        "forecast": forecast_fan(fitted["forecast"], **money),
        "sensitivity": sensitivity_tornado(sensitivity_frame(result), **money),
    }


def said(fig: Figure) -> str:
    """Every word drawn: titles, labels, ticks, legends, annotations."""
    fig.draw_without_rendering()
    return " | ".join(t.get_text() for t in fig.findobj(Text) if t.get_text())


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize(("measure", "name"), [("csat", "CSAT"), ("ces", "CES")])
def test_every_figure_speaks_its_measure(fitted, locale, measure, name):
    """A CSAT survey's figures said "NPS rose …", "promoters" and "One more NPS point"."""
    figures = every_figure(fitted, locale, measure)
    for key, fig in figures.items():
        text = said(fig)
        assert not NPS_WORDS.search(text), (key, NPS_WORDS.findall(text), text)
    for key in ("nps_trend", "nps_by_segment", "point_value", "sensitivity"):
        assert name in said(figures[key]), key
    assert title_of(figures["nps_trend"]).startswith({"en": "Net ", "de": "Netto-"}[locale] + name)
    labels = {"csat": ("Satisfied", "Zufriedene"), "ces": ("Low effort", "Geringer Aufwand")}
    assert labels[measure][locale == "de"] in said(figures["lifetime_value"])
    plt.close("all")


def test_figures_speak_nps_unless_told_otherwise(fitted):
    """NPS's words by default, and again after a figure drawn in another measure's."""
    first = every_figure(fitted, "en", None)
    assert title_of(first["nps_trend"]).startswith("NPS")
    assert "Promoters" in said(first["lifetime_value"]) and "promoters" in said(first["survival"])
    every_figure(fitted, "en", "csat")
    again = every_figure(fitted, "en", None)
    assert {k: said(f) for k, f in again.items()} == {k: said(f) for k, f in first.items()}
    with pytest.raises(ParameterError, match="measure"):
        survival_curves(fitted["retention"], measure="nss")
    plt.close("all")
