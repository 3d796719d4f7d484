"""The words of the automatic titles, subtitles and source lines, in English and German.

Numbers come in already formatted (``fmt_nps``, ``fmt_number``, ``fmt_pct``),
so every template here only places them in a sentence.
"""

from __future__ import annotations

import re

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
_WEIGHTING = {
    "en": {"survey": "Survey-weighted NPS", "revenue": "Revenue-weighted NPS",
           "survey×revenue": "Survey- and revenue-weighted NPS"},
    "de": {"survey": "Gewichteter NPS", "revenue": "Umsatzgewichteter NPS",
           "survey×revenue": "Gewichteter und umsatzgewichteter NPS"},
}  # fmt: skip

TEXT = {
    "en": {
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
}

LABELS = {
    "en": {"promoter": "Promoters", "passive": "Passives", "detractor": "Detractors"},
    "de": {"promoter": "Promotoren", "passive": "Indifferente", "detractor": "Kritiker"},
}


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
