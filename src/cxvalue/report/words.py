"""The words of the board pack in English and German: slide texts, speaker notes, methods."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from cxvalue.figures import _frames, _words
from cxvalue.figures._measures import ByMeasure, reword, speaking
from cxvalue.formatting import fmt_currency, fmt_number, fmt_pct
from cxvalue.ingest.scale import CUTS, Scale
from cxvalue.report.flow import (
    CHURN_DATES_NOTE,
    NO_SEGMENT_NOTE,
    NO_TENURE_NOTE,
    SHORT_HISTORY_NOTE,
    has_churn_dates,
    short_history,
)
from cxvalue.report.notes import in_locale
from cxvalue.value import NOT_ENOUGH_PREFIX, WIDE

T = TypeVar("T")

#: Written as NPS names things; read in the words of the report's measure (CSAT, CES).
TEXT = ByMeasure({
    "en": {
        "subtitle": "What customer experience is worth: NPS, retention and revenue",
        "data_to": "Data to {end}",
        "at_stake": "Value at stake",
        "per_point": "value of one more NPS point over {years}",
        "gap": "a promoter vs a detractor, per customer, over {years}",
        "plus5": "more profit in the first year with +{points} NPS points",
        "nps_now": "NPS today (latest answer per customer, n = {n})",
        "nps_now_weighted": "Survey-weighted NPS today (latest answer per customer, n = {n})",
        "methods": "Methods and caveats",
        "headline_notes": (
            "Four numbers, each with its 95% interval. The value of a point and the promoter "
            "gap are discounted profit over the horizon; the +5 points figure is undiscounted "
            "profit in year one. Assumptions in the footnote; methods on the last slide."
        ),
        "methods_notes": (
            "What the numbers rest on: the extracts and what was rejected, the two models and "
            "what they are adjusted for, the money assumptions, and what the data cannot say."
        ),
        "years_one": "1 year",
        "years": "{n} years",
        "months": "{n} months",
        "continued": "continued",
        "ledger": "{table}: {read} rows read, {rejected} rejected ({share}); every rejected row "
        "is listed in the ledger.",
        "tables": {"responses": "Responses", "revenue": "Revenue", "customers": "Customers"},
        "scale": "Scores on a {low}–{high} scale: {detractor} count as detractors, {passive} as "
        "passives, {promoter} as promoters; NPS in this pack is the net score on that scale, "
        "the share of promoters minus that of detractors.",
        "retention": "Retention: discrete-time hazard model, binomial GLM ({link} link) on "
        "{exposure} customer-months with {events} churn events, adjusted for {controls}; "
        "reference category: passive.",
        "churn_dates": "Churn: the churned_at date in the customers table; for customers not "
        "in it, {k} months in a row without revenue.",
        "churn_inferred": "Churn: {k} months in a row without revenue (no churn dates given).",
        "revenue": "Revenue: change in log revenue of retained customers over the next "
        "{window} months, adjusted for {controls}; standard errors clustered by customer.",
        "money": "Money: {assumptions}.",
        "poststrat": "Non-respondents are their own category (not surveyed); figures for the "
        "whole base re-weight respondents' category shares to the base's mix of controls "
        "(post-stratification).",
        "causal": "The models show association adjusted for the controls named, not proof that "
        "raising NPS causes the revenue: other differences between promoters and detractors "
        "may remain.",
        "held": "Categories are held for the horizon and no new customers are added: the "
        "forecast is today's base.",
        "evidence": "Not enough evidence: {what}.",
        "note": "Note: {what}",
        "more_note": "1 more note from the run is in summary.md.",
        "more_notes": "{k} more notes from the run are in summary.md.",
        "nothing": "nothing",
    },
    "de": {
        "subtitle": "Was Kundenerlebnis wert ist: NPS, Kundenbindung und Umsatz",
        "data_to": "Daten bis {end}",
        "at_stake": "Was auf dem Spiel steht",
        "per_point": "Wert eines zusätzlichen NPS-Punkts über {years}",
        "gap": "ein Promotor gegenüber einem Kritiker, je Kunde, über {years}",
        "plus5": "mehr Gewinn im ersten Jahr mit +{points} NPS-Punkten",
        "nps_now": "NPS heute (letzte Antwort je Kunde, n = {n})",
        "nps_now_weighted": "Gewichteter NPS heute (letzte Antwort je Kunde, n = {n})",
        "methods": "Methoden und Vorbehalte",
        "headline_notes": (
            "Vier Zahlen, jede mit ihrem 95-%-Intervall. Wert eines Punkts und Abstand "
            "Promotor–Kritiker sind diskontierter Gewinn über den Horizont; +5 Punkte ist "
            "undiskontierter Gewinn im ersten Jahr. Annahmen in der Fußnote, Methoden am Ende."
        ),
        "methods_notes": (
            "Worauf die Zahlen beruhen: Datenquellen und verworfene Zeilen, die beiden Modelle "
            "und ihre Kontrollvariablen, die Annahmen zum Geld und was die Daten nicht sagen."
        ),
        "years_one": "1 Jahr",
        "years": "{n} Jahre",
        "months": "{n} Monate",
        "continued": "Fortsetzung",
        "ledger": "{table}: {read} Zeilen gelesen, {rejected} verworfen ({share}); jede "
        "verworfene Zeile steht im Protokoll.",
        "tables": {"responses": "Antworten", "revenue": "Umsatz", "customers": "Kunden"},
        "scale": "Antworten auf einer Skala von {low} bis {high}: {detractor} zählen als Kritiker, "
        "{passive} als Indifferente, {promoter} als Promotoren; NPS ist in diesem Bericht der "
        "Nettowert auf dieser Skala, der Anteil der Promotoren minus der der Kritiker.",
        "retention": "Kundenbindung: zeitdiskretes Hazard-Modell, binomiales GLM ({link}-Link) "
        "auf {exposure} Kundenmonaten mit {events} Kündigungen, bereinigt um {controls}; "
        "Referenz: Indifferente.",
        "churn_dates": "Kündigung: das Datum churned_at der Kundentabelle; für Kunden, die "
        "dort fehlen, {k} Monate in Folge ohne Umsatz.",
        "churn_inferred": "Kündigung: {k} Monate in Folge ohne Umsatz (keine Kündigungsdaten "
        "angegeben).",
        "revenue": "Umsatz: Änderung des log. Umsatzes gehaltener Kunden über die nächsten "
        "{window} Monate, bereinigt um {controls}; Standardfehler nach Kunde geclustert.",
        "money": "Geld: {assumptions}.",
        "poststrat": "Nichtantwortende sind eine eigene Kategorie (nicht befragt); Zahlen für den "
        "ganzen Bestand gewichten die Kategorieanteile der Antwortenden auf den Mix des "
        "Bestands um (Poststratifizierung).",
        "causal": "Die Modelle zeigen einen um die genannten Kontrollen bereinigten Zusammenhang, "
        "keinen Beweis, dass ein höherer NPS den Umsatz verursacht.",
        "held": "Kategorien bleiben über den Horizont gleich, Neukunden kommen nicht hinzu: die "
        "Prognose gilt dem heutigen Bestand.",
        "evidence": "Nicht genug Evidenz: {what}.",
        "note": "Hinweis: {what}",
        "more_note": "1 weiterer Hinweis aus dem Lauf steht in summary.md (englisch).",
        "more_notes": "{k} weitere Hinweise aus dem Lauf stehen in summary.md (englisch).",
        "nothing": "nichts",
    },
})  # fmt: skip

#: Speaker notes: how each figure was made, for the presenter.
NOTES = {"en": {
    "nps_trend": (
        "NPS per quarter from every answer in that quarter, with its 95% interval (multinomial "
        "variance of the promoter and detractor shares); n per quarter under the axis."
    ),
    "nps_by_segment": (
        "NPS per segment from each customer's latest answer in the last 12 months, sorted, "
        "with 95% intervals. Segments whose intervals overlap are not shown to differ."
    ),
    "survival": (
        "Share of customers still customers after each month, from a discrete-time hazard "
        "model (binomial GLM with a {link} link on customer-months) adjusted for {controls}, "
        "for a typical customer; bands are 95% intervals from parameter draws. Churn: "
        "{churn}."
    ),
    "revenue_change": (
        "Yearly revenue change of customers who stay, by category, relative to passives, from "
        "a regression of log revenue change on category and {controls}; customer-clustered "
        "standard errors, 95% intervals."
    ),
    "lifetime_value": (
        "Discounted profit per customer over the horizon for each category: survival from the "
        "retention model times revenue growth from the revenue model, averaged over today's "
        "customer mix so categories are compared on the same customers. Intervals: 95% from "
        "{draws} joint draws of both models' coefficients."
    ),
    "value_bridge": (
        "Discounted profit of today's base over the horizon, and what +{points} NPS points "
        "add: the retention effect (movers keep their new category's lower churn) and the "
        "expansion effect (their revenue grows like their new category's). Error bars: 95%."
    ),
    "point_value": (
        "Distribution of the value of one NPS point over {draws} parameter draws; shaded: the "
        "95% interval. One point = {transition}. Respondents' category shares are re-weighted "
        "to the whole base's mix of controls (post-stratification)."
    ),
    "forecast": (
        "Monthly revenue of today's customers (no new customers) for 24 months, baseline and "
        "with +{points} NPS points; bands: 80% and 95% intervals including parameter, churn "
        "and revenue noise."
    ),
    "sensitivity": (
        "The value of one point when one assumption moves to a low and a high setting, the "
        "others at base: margin ±25%, discount rate 5–15%, horizon 24–60 months, and the churn "
        "definition where churn is inferred from empty months."
    ),
}, "de": {
    "nps_trend": (
        "NPS je Quartal aus allen Antworten des Quartals, mit 95 %-Intervall (multinomiale "
        "Varianz der Anteile von Promotoren und Kritikern); n je Quartal unter der Achse."
    ),
    "nps_by_segment": (
        "NPS je Segment aus der letzten Antwort jedes Kunden in den letzten 12 Monaten, "
        "sortiert, mit 95 %-Intervallen. Segmente, deren Intervalle sich überlappen, "
        "unterscheiden sich nicht nachweislich."
    ),
    "survival": (
        "Anteil der Kunden, die nach jedem Monat noch Kunden sind, aus einem zeitdiskreten "
        "Hazard-Modell (binomiales GLM mit {link}-Link auf Kundenmonaten), bereinigt um "
        "{controls}, für einen typischen Kunden; die Bänder sind 95 %-Intervalle aus "
        "Parameterziehungen. {churn}"
    ),
    "revenue_change": (
        "Jährliche Umsatzänderung gehaltener Kunden je Kategorie, relativ zu Indifferenten, aus "
        "einer Regression der log. Umsatzänderung auf Kategorie und {controls}; nach Kunde "
        "geclusterte Standardfehler, 95 %-Intervalle."
    ),
    "lifetime_value": (
        "Diskontierter Gewinn je Kunde über den Horizont je Kategorie: Überleben aus dem "
        "Bindungsmodell mal Umsatzwachstum aus dem Umsatzmodell, gemittelt über den heutigen "
        "Kundenmix, sodass die Kategorien an denselben Kunden verglichen werden. Intervalle: "
        "95 % aus {draws} gemeinsamen Ziehungen der Koeffizienten beider Modelle."
    ),
    "value_bridge": (
        "Diskontierter Gewinn des heutigen Bestands über den Horizont, und was +{points} "
        "NPS-Punkte hinzufügen: der Bindungseffekt (Wechsler behalten die niedrigere "
        "Kündigungsrate ihrer neuen Kategorie) und der Expansionseffekt (ihr Umsatz wächst wie "
        "der ihrer neuen Kategorie). Fehlerbalken: 95 %."
    ),
    "point_value": (
        "Verteilung des Werts eines NPS-Punkts über {draws} Parameterziehungen; schattiert: das "
        "95 %-Intervall. Ein Punkt = {transition}. Die Kategorieanteile der Antwortenden werden "
        "auf den Mix des ganzen Bestands umgewichtet (Poststratifizierung)."
    ),
    "forecast": (
        "Monatsumsatz der heutigen Kunden (ohne Neukunden) über 24 Monate, Basis und mit "
        "+{points} NPS-Punkten; Bänder: 80 %- und 95 %-Intervalle mit Parameter-, Kündigungs- "
        "und Umsatzrauschen."
    ),
    "sensitivity": (
        "Der Wert eines Punkts, wenn eine Annahme auf einen niedrigen und einen hohen Wert "
        "geht, die übrigen auf Basis: Marge ±25 %, Diskontsatz 5–15 %, Horizont 24–60 Monate, "
        "und die Kündigungsdefinition, wo die Kündigung aus leeren Monaten folgt."
    ),
}}  # fmt: skip


def measure(flow: Any) -> str:
    """What the report's survey measures ("nps", "csat", "ces"): its responses' scale's."""
    scale = flow.config.inputs["responses"].scale
    return "nps" if scale is None else scale.measure


def spoken(write: Callable[..., T]) -> Callable[..., T]:
    """A function of the flow (its first argument) that writes the pack's words, writing
    them in those of the flow's measure: "net CSAT", "satisfied customers"."""

    @functools.wraps(write)
    def written(flow: Any, *args: Any, **kwargs: Any) -> T:
        with speaking(measure(flow)):
            return write(flow, *args, **kwargs)

    return written


def for_locale(locale: str) -> dict[str, str]:
    """The slide texts in ``locale``."""
    return TEXT[locale]


def years(months: int, locale: str) -> str:
    """``3 years`` / ``36 months`` for a horizon in months."""
    w = TEXT[locale]
    if months % 12:
        return w["months"].format(n=months)
    return w["years_one"] if months == 12 else w["years"].format(n=months // 12)


def month(ts: pd.Timestamp | None, locale: str) -> str:
    """``Dec 2025`` / ``Dez. 2025``."""
    if ts is None:
        return "–"
    return f"{_frames._MONTHS[locale][ts.month - 1]} {ts.year}"


def money(values: list[float], locale: str, currency: str) -> list[str]:
    """Money to three significant figures: ``€482,000``, ``€7,740``, ``€2.41M``."""
    rounded = [float(f"{v:.3g}") for v in values]
    return fmt_currency(rounded, locale, currency, decimals=2 if max(map(abs, rounded)) >= 1e6
                        and max(map(abs, rounded)) < 1e7 else None)  # fmt: skip


def interval(low: str, high: str, locale: str) -> str:
    """``[€445,000 – €520,000]``; in German one unit for both bounds when they share it
    and the lower is not negative: ``[40,9–41,5 Mio. €]`` (``[40,9 Mio. € – 41,5 Mio. €]``
    does not fit a headline card on one line)."""
    if locale == "de":
        (n_low, u_low), (n_high, u_high) = (_number_and_unit(t) for t in (low, high))
        if u_low and u_low == u_high and not n_low.startswith("−"):
            return f"[{n_low}–{n_high} {u_low}]"
    return f"[{low} – {high}]"


def _number_and_unit(text: str) -> tuple[str, str]:
    """``"40,9 Mio. €"`` → ``("40,9", "Mio. €")``; no unit after the number → (text, "")."""
    number, _, unit = text.partition(" ")
    return (number, unit) if unit else (text, "")


def settings(frame: pd.DataFrame, locale: str) -> pd.DataFrame:
    """Sensitivity settings in the deck's language (``24 months`` → ``24 Monate``)."""
    if locale == "en":
        return frame
    out = frame.copy()
    for col in ("low_setting", "high_setting"):
        out[col] = (out[col].str.replace(" months", " Monate", regex=False)
                    .str.replace(r"(\d)\.(\d)", r"\1,\2", regex=True)
                    .str.replace(r"(\d)%", r"\1 %", regex=True))  # fmt: skip
    out.attrs = dict(frame.attrs)
    return out


def assumptions(a: Any, locale: str) -> str:
    """The assumptions sentence under every money figure."""
    return _frames.describe(a, locale)


#: The notes from the run the methods slide shows; summary.md has them all.
MAX_NOTES = 4

#: The report's own notes (:mod:`cxvalue.report.flow`) in other languages.
OWN_NOTES = {
    "de": {
        CHURN_DATES_NOTE: "Die Kündigung kommt für jeden Kunden aus den churned_at-Daten der "
        "Kundentabelle; die Kündigungsdefinition (leere Monate) ist hier daher keine Sensitivität.",
        NO_SEGMENT_NOTE: "Die Modelle sind nicht nach Segment bereinigt: Es gibt keine "
        "Kundentabelle mit einer Spalte segment.",
        SHORT_HISTORY_NOTE: "Die Umsatzbindung (NRR, GRR) vergleicht die letzten {growth} "
        "Monate Umsatz mit den {growth} davor; der Umsatz umfasst {months} Monate ({first} bis "
        "{last}), daher fehlt sie.",
        NO_TENURE_NOTE: "Die Modelle sind nicht nach Kundendauer bereinigt: Ohne Akquisitionsdaten "
        "(acquired_at in der Kundentabelle) zählte die Kundendauer ab dem ersten Umsatzmonat, "
        "und jeder Kunde mit Umsatz zu Beginn der Daten erschiene neu.",
    },
}


def _churn(flow: Any, w: dict) -> str:
    """How churn was decided, in the report's language (the panel's own rule is English)."""
    k = flow.panel.churn_after_months
    return w["churn_dates" if has_churn_dates(flow.customers) else "churn_inferred"].format(k=k)


def notes(name: str, flow: Any) -> str:
    """Speaker notes for one figure slide, in the report's language."""
    loc, a = flow.config.locale, flow.value.assumptions
    # the panel's churn rule is English; the methods slide's sentence says it in German
    churn = flow.retention.churn_rule if loc == "en" else _churn(flow, TEXT[loc])
    return reword(NOTES[loc][name], loc).format(
        link=flow.retention.link, controls=", ".join(_words.control(loc, c) for c in flow.controls),
        churn=churn, draws=fmt_number(a.n_draws, 0, loc)[0], points=5,
        transition=_frames.transition_text(a, loc),
    )  # fmt: skip


@spoken
def methods(flow: Any) -> list[str]:
    """The methods-and-caveats bullets: ledgers, models, assumptions, what to keep in mind.

    The report's own notes (:data:`OWN_NOTES`), the library's warnings that have words
    in :mod:`cxvalue.report.notes` and cxvalue.value's evidence reasons (:func:`evidence`)
    are given in the report's language; other warnings, and a model's own reason for thin
    evidence, stay in English.
    """
    loc = flow.config.locale
    w = TEXT[loc]
    a, ret = flow.value.assumptions, flow.retention
    bullets = []
    for name in ("responses", "revenue", "customers"):
        result = getattr(flow, name)
        if result is None:
            continue
        led = result.ledger
        read, rejected = fmt_number([led.rows_read, led.rows_rejected], 0, loc)
        share = fmt_pct(led.rows_rejected / max(led.rows_read, 1), 1, loc)[0]
        bullets.append(w["ledger"].format(table=w["tables"][name], read=read, rejected=rejected,
                                          share=share))  # fmt: skip
    scale = flow.config.inputs["responses"].scale
    if scale is not None and scale != Scale.nps():
        bullets.append(w["scale"].format(low=scale.low, high=scale.high, **{
            c: "–".join(dict.fromkeys(map(str, getattr(scale, c)))) for c in CUTS}))  # fmt: skip
    controls = ", ".join(_words.control(loc, c) for c in flow.controls) or w["nothing"]
    exposure, events = fmt_number([ret.exposure, ret.events], 0, loc)
    bullets += [
        w["retention"].format(link=ret.link, exposure=exposure, events=events,
                              controls=controls),
        _churn(flow, w),
        w["revenue"].format(window=flow.config.model.window_months, controls=controls),
        w["money"].format(assumptions=assumptions(a, loc)),
        w["poststrat"], w["causal"], w["held"],
    ]  # fmt: skip
    bullets += [w["evidence"].format(what=evidence(e, loc)) for e in _evidence(flow)]
    span = short_history(flow)  # once: it reads the revenue's months
    shown = flow.notes[:MAX_NOTES]
    bullets += [w["note"].format(what=_note(n, flow, span, loc)) for n in shown]
    left = len(flow.notes) - len(shown)
    if left:
        bullets.append(w["more_note" if left == 1 else "more_notes"].format(k=left))
    return bullets


def _note(note: str, flow: Any, span: dict[str, Any] | None, loc: str) -> str:
    """A note in the report's language: the report's own (``span``: the revenue's, when
    the short-history note may be among them), or a library warning with words in it
    (:mod:`cxvalue.report.notes`), in the words of the measure spoken; else as raised."""
    own = OWN_NOTES.get(loc, {})
    if span and note == SHORT_HISTORY_NOTE.format(**span):
        return own.get(SHORT_HISTORY_NOTE, SHORT_HISTORY_NOTE).format(**span)
    warning = flow.warned.get(note)
    said = None if warning is None else in_locale(warning, loc)
    return own.get(note, note) if said is None else reword(said, loc)


def _evidence(flow: Any) -> list[str]:
    """The value's evidence flags, each once (see :func:`evidence`)."""
    texts = [*flow.value.clv["evidence"], *flow.value.point["evidence"]]
    return sorted({t for t in texts if t})


def evidence(reasons: str, locale: str) -> str:
    """Why a number lacks evidence (:func:`cxvalue.value.evidence`'s text, with or without
    its "not enough evidence: "), in the report's language. The reasons cxvalue.value
    gives itself are translated; a model's own warning stays as it is. Both are in the
    words of the measure spoken ("dissatisfied customers" in a CSAT report)."""
    reasons = reasons.removeprefix(NOT_ENOUGH_PREFIX)
    if locale == "de":
        reasons = "; ".join(_reason_de(reason) for reason in reasons.split("; "))
    return reword(reasons, locale)


def _reason_de(reason: str) -> str:
    if reason == WIDE:
        return "das Intervall ist breiter als die Schätzung"
    thin = re.fullmatch(r"only (\d+) churn events among (.+)", reason)
    if thin and thin[2] in _AMONG_DE:
        return f"nur {thin[1]} Kündigungen bei {_AMONG_DE[thin[2]]}"
    none = re.fullmatch(r"today's base has no (.+) to move", reason)
    if none and none[1] in _NONE_DE:
        return f"im heutigen Bestand gibt es keine {_NONE_DE[none[1]]}, die wechseln könnten"
    return reason


#: :data:`cxvalue.value.AMONG` in German (accusative plural: "es gibt keine Kritiker").
_NONE_DE = {"promoters": "Promotoren", "passives": "Indifferenten", "detractors": "Kritiker",
            "customers not surveyed": "nicht befragten Kunden"}  # fmt: skip
#: :data:`cxvalue.value.AMONG` in German (dative: "bei Kritikern").
_AMONG_DE = {"promoters": "Promotoren", "passives": "Indifferenten", "detractors": "Kritikern",
             "customers not surveyed": "nicht befragten Kunden"}  # fmt: skip
