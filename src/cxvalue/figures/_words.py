"""The words of the automatic titles, subtitles and source lines, in English and German.

Numbers come in already formatted (``fmt_nps``, ``fmt_number``, ``fmt_pct``),
so every template here only places them in a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cxvalue.figures._measures import ByMeasure
from cxvalue.formatting import fmt_number

_NUMBERS = {
    "en": "one two three four five six seven eight nine ten eleven twelve".split(),
    "de": "ein zwei drei vier fünf sechs sieben acht neun zehn elf zwölf".split(),
}
#: period kind -> (singular, plural) as used in "over the last four quarters"
_UNITS = {
    "en": {"Q": ("quarter", "quarters"), "M": ("month", "months"), "Y": ("year", "years"),
           "": ("period", "periods")},
    "de": {"Q": ("Quartal", "Quartalen"), "M": ("Monat", "Monaten"), "Y": ("Jahr", "Jahren"),
           "": ("Zeitraum", "Zeiträumen")},
}  # fmt: skip
_PER = {
    "en": {"Q": "quarter", "M": "month", "Y": "year", "": "period"},
    "de": {"Q": "Quartal", "M": "Monat", "Y": "Jahr", "": "Zeitraum"},
}
_METHODS = {
    "en": {"wald": "Wald", "adjusted": "adjusted Wald", "bootstrap": "bootstrap"},
    "de": {"wald": "Wald", "adjusted": "adjustiert", "bootstrap": "Bootstrap"},
}
_WEIGHTING = ByMeasure({
    "en": {"survey": "Survey-weighted NPS", "revenue": "Revenue-weighted NPS",
           "survey×revenue": "Survey- and revenue-weighted NPS"},
    "de": {"survey": "Gewichteter NPS", "revenue": "Umsatzgewichteter NPS",
           "survey×revenue": "Gewichteter und umsatzgewichteter NPS"},
})  # fmt: skip

TEXT = ByMeasure({
    "en": {
        "axis": "NPS",
        "rose": "NPS rose {d} {pts} to {v} {span}",
        "fell": "NPS fell {d} {pts} to {v} {span}",
        "steady": "NPS held steady at {v} {span}",
        "single": "NPS stands at {v} in {period}",
        "no_trend": "Too few responses to show an NPS trend",
        "last": "over the last {k} {unit}",
        "last_one": "over the last {unit}",
        "between": "from {first} to {last}",
        "trend_sub": "Net Promoter Score per {per}, shaded: {level} interval (±{hw} {pts_hw} in "
        "{period}).",
        "within": " The change of {d} {pts} since {first} is within the intervals.",
        "hollow": " Hollow points: too few responses.",
        "n": "n",
        "most": "{top} customers are the most loyal: NPS {v1} vs {v2} for {bottom}",
        "more": "{top} customers are more loyal: NPS {v1} vs {v2} for {bottom}",
        "alike": "No {by} stands out: NPS ranges from {v2} ({bottom}) to {v1} ({top})",
        "one_group": "NPS is {v1} for {top}; other groups have too few responses",
        "only_group": "NPS is {v1} for {top}, the only {by} in the data",
        "no_group": "Too few responses in every group to compare NPS",
        "segment_sub": "NPS by {by} with its {level} interval, most loyal first{when}.",
        "alike_sub": " Differences are within the intervals.",
        "when": " ({period})",
        "too_few": "too few responses",
        "mix_groups": "{top} has the most promoters: {p1} of responses vs {p2} for {bottom}",
        "mix_periods": "Promoters were {p2} of responses in {last}, from {p1} in {first}",
        "mix_one": "Promoters are {p1} of responses, detractors {d1}",
        "mix_sub": "Share of responses by category{when}.",
        "source": "Source: n = {n} survey responses{span}. {what}; {level} intervals ({method}).",
        "source_no_interval": "Source: n = {n} survey responses{span}. {what}.",
        "unadjusted": "NPS as surveyed, not adjusted for mix",
    },
    "de": {
        "axis": "NPS",
        "rose": "NPS stieg {span} um {d} {pts} auf {v}",
        "fell": "NPS sank {span} um {d} {pts} auf {v}",
        "steady": "NPS blieb {span} stabil bei {v}",
        "single": "NPS liegt in {period} bei {v}",
        "no_trend": "Zu wenige Antworten für einen NPS-Verlauf",
        "last": "in den letzten {k} {unit}",
        "last_one": "im letzten {unit}",
        "between": "von {first} bis {last}",
        "trend_sub": "Net Promoter Score je {per}, schattiert: {level}-Intervall (±{hw} {pts_hw} "
        "in {period}).",
        "within": " Die Veränderung um {d} {pts} seit {first} liegt innerhalb der Intervalle.",
        "hollow": " Hohle Punkte: zu wenige Antworten.",
        "n": "n",
        "most": "Am loyalsten ist {top}: NPS {v1} gegenüber {v2} bei {bottom}",
        "more": "Loyaler ist {top}: NPS {v1} gegenüber {v2} bei {bottom}",
        "alike": "Keine Gruppe sticht heraus: NPS zwischen {v2} ({bottom}) und {v1} ({top})",
        "one_group": "NPS {v1} bei {top}; andere Gruppen haben zu wenige Antworten",
        "only_group": "NPS {v1} bei {top}, der einzigen Gruppe in den Daten",
        "no_group": "Zu wenige Antworten in allen Gruppen für einen NPS-Vergleich",
        "segment_sub": "NPS je {By} mit {level}-Intervall, die loyalste Gruppe zuerst{when}.",
        "alike_sub": " Die Unterschiede liegen innerhalb der Intervalle.",
        "when": " ({period})",
        "too_few": "zu wenige Antworten",
        "mix_groups": "Die meisten Promotoren hat {top}: {p1} der Antworten gegenüber {p2} bei "
        "{bottom}",
        "mix_periods": "Promotoren waren {p2} der Antworten in {last}, nach {p1} in {first}",
        "mix_one": "Promotoren sind {p1} der Antworten, Kritiker {d1}",
        "mix_sub": "Anteil der Antworten je Kategorie{when}.",
        "source": "Quelle: n = {n} Umfrageantworten{span}. {what}; {level}-Intervalle ({method}).",
        "source_no_interval": "Quelle: n = {n} Umfrageantworten{span}. {what}.",
        "unadjusted": "NPS wie erhoben, nicht um den Mix bereinigt",
    },
})  # fmt: skip


_POINTS = {"en": ("point", "points"), "de": ("Punkt", "Punkte")}


def points(locale: str, number: str) -> str:
    """``"point"`` after ``"1"`` (or ``"+1"``, ``"−1"``), ``"points"`` otherwise."""
    singular, plural = _POINTS[locale]
    return singular if number.lstrip("+−") == "1" else plural


def period_kind(periods: list[str]) -> str:
    """``"Q"``, ``"M"`` or ``"Y"`` when every period looks like 2025Q1, 2025-03 or 2025."""
    for kind, pattern in (("Q", r"\d{4}Q[1-4]"), ("M", r"\d{4}-\d{2}"), ("Y", r"\d{4}")):
        if periods and all(re.fullmatch(pattern, p) for p in periods):
            return kind
    return ""


def span(locale: str, kind: str, steps: int | None, first: str, last: str) -> str:
    """``"over the last four quarters"``, or ``"from 2024Q2 to 2025Q1"`` when not recent."""
    words = TEXT[locale]
    if steps is None:
        return words["between"].format(first=first, last=last)
    singular, plural = _UNITS[locale][kind]
    if steps == 1:
        return words["last_one"].format(unit=singular)
    k = _NUMBERS[locale][steps - 1] if steps <= 12 else str(steps)
    return words["last"].format(k=k, unit=plural)


def per(locale: str, kind: str) -> str:
    """The unit one point stands for: ``"quarter"`` / ``"Quartal"``."""
    return _PER[locale][kind]


def method_name(locale: str, method: str) -> str:
    """How the interval was computed, for the source line."""
    return _METHODS[locale].get(method, method)


def what(locale: str, weighting: str) -> str:
    """What the NPS is: as surveyed, or weighted."""
    return _WEIGHTING[locale].get(weighting, TEXT[locale]["unadjusted"])


#: The categories' names: legends, axis labels, the ends of curves.
LABELS = ByMeasure({
    "en": {"promoter": "Promoters", "passive": "Passives", "detractor": "Detractors",
           "not_surveyed": "Not surveyed"},
    "de": {"promoter": "Promotoren", "passive": "Indifferente", "detractor": "Kritiker",
           "not_surveyed": "Nicht befragt"},
}, own={
    "csat": {"en": {"promoter": "Satisfied", "passive": "Neutral", "detractor": "Dissatisfied",
                    "not_surveyed": "Not surveyed"},
             "de": {"promoter": "Zufriedene", "passive": "Neutrale", "detractor": "Unzufriedene",
                    "not_surveyed": "Nicht befragt"}},
    "ces": {"en": {"promoter": "Low effort", "passive": "Medium effort",
                   "detractor": "High effort", "not_surveyed": "Not surveyed"},
            "de": {"promoter": "Geringer Aufwand", "passive": "Mittlerer Aufwand",
                   "detractor": "Hoher Aufwand", "not_surveyed": "Nicht befragt"}},
})  # fmt: skip
#: One customer of a category, for sentences ("a promoter is worth …").
ONE = ByMeasure({
    "en": {"promoter": "a promoter", "passive": "a passive", "detractor": "a detractor",
           "not_surveyed": "a customer not surveyed"},
    "de": {"promoter": "ein Promotor", "passive": "ein Indifferenter", "detractor": "ein Kritiker",
           "not_surveyed": "ein nicht befragter Kunde"},
})  # fmt: skip
_NOUNS = {
    "en": {"promoter": "promoter", "passive": "passive", "detractor": "detractor"},
    "de": {"promoter": "Promotor", "passive": "Indifferent", "detractor": "Kritiker"},
}
#: The category as a noun ("a retained promoter's revenue").
NOUN = ByMeasure(_NOUNS, own={
    "csat": {"en": {"promoter": "satisfied customer", "passive": "neutral customer",
                    "detractor": "dissatisfied customer"},
             "de": {"promoter": "zufrieden", "passive": "neutral", "detractor": "unzufrieden"}},
    "ces": {"en": {"promoter": "low-effort customer", "passive": "medium-effort customer",
                   "detractor": "high-effort customer"},
            "de": {"promoter": "geringer Aufwand", "passive": "mittlerer Aufwand",
                   "detractor": "hoher Aufwand"}},
})  # fmt: skip
#: The category in a transition ("from detractor to passive").
MOVE = ByMeasure(_NOUNS, own={
    "csat": {"en": {"promoter": "satisfied", "passive": "neutral", "detractor": "dissatisfied"},
             "de": {"promoter": "zufrieden", "passive": "neutral", "detractor": "unzufrieden"}},
    "ces": {"en": {"promoter": "low effort", "passive": "medium effort",
                   "detractor": "high effort"},
            "de": {"promoter": "geringem Aufwand", "passive": "mittlerem Aufwand",
                   "detractor": "hohem Aufwand"}},
})  # fmt: skip

#: The words of the model and money figures (survival, revenue, value, bridge, forecast, tornado).
MONEY = ByMeasure({
    "en": {
        "survival": "After {months} months, {p1} of promoters are still customers, against {p2} "
        "of detractors",
        "survival_one": "After {months} months, {p1} of {cat} are still customers",
        "survival_sub": "Share of customers still with us after each month, by NPS category, for "
        "{who}; shaded: {level} interval.",
        "typical": "a typical customer ({typical})",
        "actual": "today's customer mix", "tenure_held": " (tenure held fixed)",
        "for_anyone": "any customer (no controls)",
        "retention_source": "Source: retention model on {exposure} customer-months with {events} "
        "churn events{end}; {adjusted}; {level} intervals from {draws} parameter draws.",
        "data_to": " to {end}",
        "growth_two": "A retained promoter's revenue grows {p1} a year {dir1} than a passive's; a "
        "detractor's {p2} {dir2}",
        "growth_one": "A retained {cat}'s revenue grows {p1} a year {dir1} than a passive's",
        "more": "more", "less": "less",
        "growth_sub": "Yearly revenue change of retained customers vs passives (passives: {pp} a "
        "year), for a typical customer; lines: {level} interval.",
        "growth_axis": "Yearly revenue change vs passives",
        "passive_ref": "Passives: {pp} a year",
        "revenue_source": "Source: revenue model on {rows} customer-months of {customers} retained "
        "customers; {adjusted}; typical customer: {typical}; {level} intervals ({cov}).",
        "mean": "mean", "anyone": "any customer (no controls)",
        "clv_title": "{high} is worth {gap} more than {low} {horizon}",
        "clv_title_one": "{high} is worth {v} {horizon}",
        "clv_sub": "Discounted profit per customer {horizon}, by NPS category; lines: {level} "
        "interval (gap: {glo} to {ghi}).",
        "clv_axis": "Discounted profit per customer",
        "not_enough": "not enough evidence",
        "value_source": "Source: {customers} customers in today's base; {describe}.",
        "point_title": "One more NPS point is worth {v} {horizon}",
        "point_sub": "Discounted profit of today's base if {moving} customers move from {src} to "
        "{dst}; spread over {draws} parameter draws, shaded: {level} interval ({lo} to {hi}).",
        "point_sub_mix": "Discounted profit of today's base if {moving} customers move ({mix}); "
        "spread over {draws} parameter draws, shaded: {level} interval ({lo} to {hi}).",
        "point_axis": "Value of +1 NPS point",
        "draws_axis": "Share of draws",
        "estimate": "Estimate {v}",
        "bridge_title": "{pts} NPS points would add {v} profit {horizon}, {r} of it from "
        "retention",
        "bridge_sub": "Discounted profit of today's base {horizon}; lines: {level} interval of the "
        "effects and of the scenario.",
        "bridge": ("Profit today's base", "Retention effect", "Expansion effect",
                   "Profit with {pts} points"),
        "not_zero": "Axis does not start at zero",
        "bridge_source": "Source: {customers} customers in today's base; {describe}.",
        "bridge_source_short": "Source: {customers} customers in today's base; horizon {h} months.",
        "fan_title": "Monthly revenue of today's base {dir} from {v0} to {v1} by {end}",
        "fan_title_scenario": "Monthly revenue of today's base {dir} from {v0} to {v1} by {end}; "
        "the scenario adds {d} a month",
        "rises": "rises", "falls": "falls",
        "fan_sub": "Forecast revenue per month, no new customers; bands: 80% and 95% intervals.",
        "fan_sub_actuals": " Dots: actual revenue.",
        "fan_axis": "Revenue per month",
        "baseline": "As is", "scenario": "Scenario", "actuals": "Actual",
        "fan_source": "Source: forecast of today's customer base from the retention and revenue "
        "models, {first} to {last}; categories stay as they are, no new customers.",
        "tornado_title": "The value of a point ranges from {lo} to {hi} across the assumptions; "
        "{param} moves it most",
        "tornado_sub": "Value of +1 NPS point at a low and a high setting of each assumption, the "
        "others at base ({base}).",
        "tornado_band": " Shaded: {level} interval at base.",
        "tornado_axis": "Value of +1 NPS point",
        "base": "Base {v}",
        "tornado_source": "Source: {describe}.",
        "tornado_source_short": "Source: value of a point recomputed at each setting; "
        "other assumptions at base.",
        "params": {"margin": "Margin", "discount_rate": "Discount rate",
                   "horizon_months": "Horizon (months)",
                   "churn_after_months": "Churn after months without revenue",
                   "transition": "Transition assumption"},
        "describe": "{h}-month horizon, {margin}, {rate} yearly discount rate; one NPS "
        "point = {transition}; models {adjusted}{flat}; {level} intervals from {draws} parameter "
        "draws",
        "flat": "; revenue held flat (no revenue model)",
        "transition_one": "{pct} of customers moving from {src} to {dst}",
        "transition_mix": "customers moving as a mix: {mix}",
        "mix_item": "{w} {src} to {dst}",
        "adjusted": "adjusted for {controls}",
        "unadjusted": "not adjusted for any control",
        "years": "over {k} years", "year": "over one year", "months": "over {k} months",
    },
    "de": {
        "survival": "Nach {months} Monaten sind von den Promotoren noch {p1} Kunden, von den "
        "Kritikern nur {p2}",
        "survival_one": "Nach {months} Monaten sind noch {p1} der {cat} Kunden",
        "survival_sub": "Anteil der Kunden, die nach jedem Monat noch Kunden sind, je "
        "NPS-Kategorie, für {who}; schattiert: {level}-Intervall.",
        "typical": "einen typischen Kunden ({typical})",
        "actual": "den heutigen Kundenmix", "tenure_held": " (Kundendauer fest)",
        "for_anyone": "jeden Kunden (keine Kontrollvariablen)",
        "retention_source": "Quelle: Kündigungsmodell auf {exposure} Kundenmonaten mit {events} "
        "Kündigungen{end}; {adjusted}; {level}-Intervalle aus {draws} Parameterziehungen.",
        "data_to": " bis {end}",
        "growth_two": "Der Umsatz eines gehaltenen Promotors wächst jährlich um {p1} {dir1} "
        "als der eines Indifferenten; der eines Kritikers um {p2} {dir2}",
        "growth_one": "Der Umsatz eines gehaltenen Kunden ({cat}) wächst jährlich um {p1} {dir1} "
        "als der eines Indifferenten",
        "more": "mehr", "less": "weniger",
        "growth_sub": "Jährliche Umsatzveränderung gehaltener Kunden gegenüber Indifferenten "
        "(Indifferente: {pp} pro Jahr), typischer Kunde; Linien: {level}-Intervall.",
        "growth_axis": "Jährliche Umsatzveränderung gegenüber Indifferenten",
        "passive_ref": "Indifferente: {pp} pro Jahr",
        "revenue_source": "Quelle: Umsatzmodell auf {rows} Kundenmonaten von {customers} "
        "gehaltenen Kunden; {adjusted}; typischer Kunde: {typical}; {level}-Intervalle ({cov}).",
        "mean": "Mittelwert", "anyone": "jeder Kunde (keine Kontrollvariablen)",
        "clv_title": "{high} ist {horizon} {gap} mehr wert als {low}",
        "clv_title_one": "{high} ist {horizon} {v} wert",
        "clv_sub": "Diskontierter Gewinn je Kunde {horizon}, je NPS-Kategorie; Linien: "
        "{level}-Intervall (Abstand: {glo} bis {ghi}).",
        "clv_axis": "Diskontierter Gewinn je Kunde",
        "not_enough": "nicht genug Evidenz",
        "value_source": "Quelle: {customers} Kunden im heutigen Bestand; {describe}.",
        "point_title": "Ein NPS-Punkt mehr ist {horizon} {v} wert",
        "point_sub": "Diskontierter Gewinn des heutigen Bestands, wenn {moving} Kunden von {src} "
        "zu {dst} wechseln; Streuung über {draws} Parameterziehungen, schattiert: "
        "{level}-Intervall ({lo} bis {hi}).",
        "point_sub_mix": "Diskontierter Gewinn des heutigen Bestands, wenn {moving} Kunden "
        "wechseln ({mix}); Streuung über {draws} Parameterziehungen, schattiert: {level}-Intervall "
        "({lo} bis {hi}).",
        "point_axis": "Wert von +1 NPS-Punkt",
        "draws_axis": "Anteil der Ziehungen",
        "estimate": "Schätzung {v}",
        "bridge_title": "{pts} NPS-Punkte brächten {horizon} {v} mehr Gewinn, davon {r} durch "
        "Kundenbindung",
        "bridge_sub": "Diskontierter Gewinn des heutigen Bestands {horizon}; Linien: "
        "{level}-Intervall der Effekte und des Szenarios.",
        "bridge": ("Gewinn heutiger Bestand", "Bindungseffekt", "Wachstumseffekt",
                   "Gewinn mit {pts} Punkten"),
        "not_zero": "Achse beginnt nicht bei null",
        "bridge_source": "Quelle: {customers} Kunden im heutigen Bestand; {describe}.",
        "bridge_source_short": "Quelle: {customers} Kunden im heutigen Bestand; Horizont {h} "
        "Monate.",
        "fan_title": "Der Monatsumsatz des heutigen Bestands {dir} bis {end} von {v0} auf {v1}",
        "fan_title_scenario": "Der Monatsumsatz des heutigen Bestands {dir} bis {end} von {v0} "
        "auf {v1}; das Szenario bringt {d} pro Monat mehr",
        "rises": "steigt", "falls": "sinkt",
        "fan_sub": "Prognose des Umsatzes je Monat, ohne Neukunden; Bänder: 80- und "
        "95-%-Intervalle.",
        "fan_sub_actuals": " Punkte: tatsächlicher Umsatz.",
        "fan_axis": "Umsatz je Monat",
        "baseline": "Wie bisher", "scenario": "Szenario", "actuals": "Ist",
        "fan_source": "Quelle: Prognose des heutigen Kundenbestands aus Kündigungs- und "
        "Umsatzmodell, {first} bis {last}; Kategorien bleiben, keine Neukunden.",
        "tornado_title": "Der Wert eines Punkts liegt je nach Annahme zwischen {lo} und {hi}; "
        "am stärksten wirkt: {param}",
        "tornado_sub": "Wert von +1 NPS-Punkt bei niedriger und hoher Einstellung jeder Annahme, "
        "die übrigen wie im Basisfall ({base}).",
        "tornado_band": " Schattiert: {level}-Intervall im Basisfall.",
        "tornado_axis": "Wert von +1 NPS-Punkt",
        "base": "Basis {v}",
        "tornado_source": "Quelle: {describe}.",
        "tornado_source_short": "Quelle: Wert eines Punkts je Einstellung neu berechnet; übrige "
        "Annahmen wie im Basisfall.",
        "params": {"margin": "Marge", "discount_rate": "Diskontsatz",
                   "horizon_months": "Horizont (Monate)",
                   "churn_after_months": "Kündigung nach Monaten ohne Umsatz",
                   "transition": "Wechselannahme"},
        "describe": "Horizont {h} Monate, {margin}, Diskontsatz {rate} pro Jahr; ein "
        "NPS-Punkt = {transition}; Modelle {adjusted}{flat}; {level}-Intervalle aus {draws} "
        "Parameterziehungen",
        "flat": "; Umsatz konstant gehalten (kein Umsatzmodell)",
        "transition_one": "{pct} der Kunden wechseln von {src} zu {dst}",
        "transition_mix": "Kunden wechseln als Mix: {mix}",
        "mix_item": "{w} {src} zu {dst}",
        "adjusted": "bereinigt um {controls}",
        "unadjusted": "nicht um Kontrollvariablen bereinigt",
        "years": "über {k} Jahre", "year": "über ein Jahr", "months": "über {k} Monate",
    },
})  # fmt: skip


def horizon(locale: str, months: int) -> str:
    """``"over 3 years"`` / ``"über 3 Jahre"``; months when not whole years."""
    words = MONEY[locale]
    if months == 12:
        return words["year"]
    if months % 12 == 0:
        return words["years"].format(k=months // 12)
    return words["months"].format(k=months)


def adjusted(locale: str, controls: object) -> str:
    """``"adjusted for segment, size, tenure band"`` from controls or an English phrase."""
    words = MONEY[locale]
    if isinstance(controls, str):  # a phrase made by the models ("adjusted for …")
        text = controls.removeprefix("models ").strip()
        if text.startswith("adjusted for "):
            controls = [c.strip() for c in text.removeprefix("adjusted for ").split(",")]
        elif text.startswith("not adjusted") or text.startswith("nothing"):
            controls = []
        else:
            controls = [c.strip() for c in text.split(",") if c.strip()]
    names = [control(locale, str(c)) for c in controls]  # type: ignore[union-attr]
    return words["adjusted"].format(controls=", ".join(names)) if names else words["unadjusted"]


#: cxvalue's own bands in other languages, with their levels (a customers table's
#: columns and values stay as the company named them).
BANDS = {
    "de": {"size_band": "Umsatzklasse", "tenure_band": "Kundendauer"},
}
SIZE_LEVELS = {
    "de": {"small": "klein", "medium": "mittel", "large": "groß", "very large": "sehr groß"},
}


def control(locale: str, name: str) -> str:
    """A control's name in words: ``size band`` / ``Umsatzklasse``, ``segment`` (from the
    column name or from the words of an ``adjusted for …`` phrase)."""
    return BANDS.get(locale, {}).get(name.replace(" ", "_"), name.replace("_", " "))


def _level(locale: str, name: str, level: object) -> str:
    """A control's level in words: cxvalue's size bands translated, others as they are."""
    if name != "size_band":
        return str(level)
    return SIZE_LEVELS.get(locale, {}).get(str(level), str(level))


def typical(locale: str, levels: Mapping[str, object], means: Mapping[str, float]) -> str:
    """The typical customer in words: ``"segment SMB, size band large"``, each control at
    its reference level (``levels``) and numeric ones at their mean (``means``)."""
    words = MONEY[locale]
    parts = [f"{control(locale, name)} {_level(locale, name, level)}"
             for name, level in levels.items()]  # fmt: skip
    parts += [f"{control(locale, name)} {fmt_number(float(value), 1, locale)[0]} "
              f"({words['mean']})" for name, value in means.items()]  # fmt: skip
    return ", ".join(parts) if parts else words["anyone"]


def parameter(locale: str, name: str) -> str:
    """The display name of a sensitivity parameter."""
    known = MONEY[locale]["params"]
    return known.get(name, name.replace("_", " ").capitalize())
