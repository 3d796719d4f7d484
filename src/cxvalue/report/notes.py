"""The library's warnings in the board pack's other language.

cxvalue writes a warning in English where it raises it. The warnings a report can
meet also carry a key and the values they say (:class:`cxvalue.errors.CxValueWarning`);
here each key has its words in German, which the methods slide gives in place of the
English. A warning without words here is shown as it was raised.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

from cxvalue.errors import CxValueWarning
from cxvalue.formatting import german_separators

__all__ = ["LIBRARY_NOTES", "in_locale"]

Words = str | Callable[[Mapping[str, Any], Callable[..., str]], str]


class _Localized(string.Formatter):
    """``str.format`` that writes numbers in German: ``{n:,}`` 2.000, ``{s:.1%}`` 2,5 %."""

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return text
        text = german_separators(text)
        return text[:-1] + " %" if format_spec.endswith("%") else text


def _of(p: Mapping[str, Any], f: Callable[..., str], things: str, total: str) -> str:
    """``"von 2.000 zufällig gezogenen der 9.000 Kunden mit churned_at"`` or ``"der 9.000
    Kunden …"``: the count a warning's draw was of."""
    if p["drawn"] < p[total]:
        return f("von {drawn:,} zufällig gezogenen der {n:,} " + things, n=p[total], **p)
    return f("der {n:,} " + things, n=p[total], **p)


def _dates(column: str, before_or_after: str, question: str) -> Callable[..., str]:
    def said(p: Mapping[str, Any], f: Callable[..., str]) -> str:
        of = _of(p, f, f"Kunden mit {column}", "total")
        return f(
            "{customers}: {flagged:,} {of} ({share:.0%}) haben Umsatz in {revenue} mehr als "
            "{grace} Monate " + before_or_after + " (im Median {median} Monate): " + question,
            of=of, **p,
        )  # fmt: skip

    return said


def _ids(consequence: str) -> Callable[..., str]:
    def said(p: Mapping[str, Any], f: Callable[..., str]) -> str:
        return f(
            "Nur {found:,} {of} in {source} ({share:.0%}) haben eine customer_id, die in "
            "{target} steht; " + consequence + ". Prüfen Sie, ob beide Exporte Kunden gleich "
            "kennzeichnen.",
            of=_of(p, f, "Zeilen", "rows"), **p,
        )  # fmt: skip

    return said


def _unbilled(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    span = p["first"] if p["first"] == p["last"] else f"{p['first']} bis {p['last']}"
    return f(
        "{source}: {span}: Jeder Betrag ist 0, wie in den kommenden Monaten einer Tabelle; "
        "die {rows:,} Kundenmonate bleiben außen vor, damit der heutige Bestand der von "
        "{previous} ist, dem letzten Monat mit Umsatz (sonst wäre jeder Kunde gekündigt).",
        span=span, **p,
    )  # fmt: skip


def _repeats(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    who = "1 Kunde steht" if p["n"] == 1 else f("{n:,} Kunden stehen", **p)
    return f(
        "{source}: {who} in mehr als einer Zeile, und die Zeilen unterscheiden sich in "
        "{columns} (Kunde {first}: Zeilen {rows}). Die erste Zeile je Kunde gilt. Ist die "
        "Datei eine Historie mit einer Zeile je Änderung, behalten Sie je Kunde die gültige.",
        who=who, **p,
    )  # fmt: skip


def _invoices(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    every = ", ".join(f("alle {k} Monate für {n:,} Kunden", k=k, n=n)
                      for k, n in p["intervals"].items())  # fmt: skip
    return f(
        "{source}: Der Umsatz kommt als Rechnungen {every}; jede wird gleichmäßig auf die "
        "Monate verteilt, die sie abdeckt (ihren und die folgenden), da die Modelle Umsatz "
        "je Monat brauchen (billing_months = 1 liest jede Zeile als Umsatz eines Monats).",
        every=every, **p,
    )  # fmt: skip


def _small_levels(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    levels = "; ".join(f("{factor}={level} ({rows:,} Zeilen, {customers:,} Kunden)",
                         factor=factor, level=level, rows=rows, customers=customers)
                       for factor, level, rows, customers in p["levels"])  # fmt: skip
    return f(
        "Wenige Daten hinter {levels} (weniger als {min_rows} Zeilen oder {min_customers} "
        "Kunden): Ihr Umsatzeffekt ist ungenau.",
        levels=levels, min_rows=p["min_rows"], min_customers=p["min_customers"],
    )  # fmt: skip


def _no_convergence(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    reason = ("eine Schätzung läuft gegen unendlich (Separation)" if p["separation"]
              else "keine Konvergenz")  # fmt: skip
    return (f"Das Hazard-Modell konvergierte nicht sauber ({reason}); Schätzungen markierter "
            "Terme sind nicht verlässlich.")  # fmt: skip


def _thin_level(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    staying = p["exposure"] - p["events"]
    if staying < p["least"]:
        why = f("nur {k:,} Kundenmonate ohne Kündigung", k=staying)
    else:
        why = "keine Kündigungen" if p["events"] == 0 else f("nur {events:,} Kündigungen", **p)
    unbounded = " (keine Kündigungen: Die Daten begrenzen sie nicht nach unten)."
    return f(
        "{factor} = {level!r} hat {why} in {exposure:,} Kundenmonaten; die Schätzung ist "
        "nicht verlässlich" + (unbounded if p["events"] == 0 else "."),
        why=why, **p,
    )  # fmt: skip


#: The categories, as in "es gibt keine Kritiker".
_NONE = {"promoter": "Promotoren", "passive": "Indifferenten", "detractor": "Kritiker",
         "not_surveyed": "nicht befragten Kunden"}  # fmt: skip


def _nobody_to_move(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    names = ", ".join(_NONE.get(c, c) for c in p["categories"])
    which = "dieser Kategorie" if len(p["categories"]) == 1 else "diesen Kategorien"
    return (
        f"Im heutigen Bestand gibt es keine {names}: Der Übergang bewegt niemanden aus "
        f"{which}, und der Wert eines NPS-Punkts lässt diese Wechsel aus (er ist 0, wenn sie "
        "alles sind, was er hat). Wählen Sie einen Übergang aus einer Kategorie, die der "
        "Bestand hat."
    )


def _too_few(p: Mapping[str, Any], f: Callable[..., str]) -> str:
    report = "nur mit seinem Intervall zu berichten."
    if p["groups"] is None:
        return f("Zu wenige Antworten für den NPS (n = {n:,}, weniger als {least}): Er ist "
                 + report, n=p["n"][0], least=p["least"])  # fmt: skip
    named = "; ".join(f("{g} (n = {n:,})", g=g, n=n)
                      for g, n in zip(p["groups"], p["n"], strict=True))  # fmt: skip
    return f("Zu wenige Antworten (weniger als {least}) in {k} Gruppe(n): {named}. Ihr NPS ist "
             + report, k=len(p["n"]), named=named, least=p["least"])  # fmt: skip


#: Each keyed warning's words, by language: a template for ``str.format`` (numbers in
#: the language's separators), or a function of the values and that formatter.
LIBRARY_NOTES: dict[str, dict[str, Words]] = {"de": {
    "one_to_five": (
        "{source}: Jeder Wert in {column!r} liegt zwischen 1 und 5; auf der NPS-Skala (0–10) "
        "ist jeder ein Kritiker. Ist es eine Zufriedenheit von 1 bis 5, lesen Sie sie mit "
        "scale = \"csat\" unter [inputs.responses]."
    ),
    "off_scale": (
        "{source}: {off:,} von {n:,} Werten in {column!r} ({share:.0%}) liegen außerhalb von "
        "{scale_low}–{scale_high}, der Skala, auf der sie gelesen werden; sie reichen von "
        "{low} bis {high}. Stimmt die Skala? Werte außerhalb werden verworfen."
    ),
    "unit": lambda p, f: f(
        "{source}: Beträge in {unit} ({text!r} nennt {words!r}): {done}, damit Geld in "
        "ganzen Einheiten steht. Sind sie es schon, lassen Sie die Einheit aus Spaltenname "
        "und Titel weg.",
        unit={"thousands": "Tausend", "millions": "Millionen", "cents": "Cent"}[p["what"]],
        done=f("mit {factor:,} multipliziert" if p["divisor"] == 1 else "durch {divisor} geteilt",
               **p), **p,
    ),
    "incomplete_month": (
        "{source}: {month} wirkt unvollständig: {billed:,} Kunden mit Umsatz gegen {before:,} "
        "im Monat davor, wo ein üblicher Monat {usual:.0%} davon hält. Er bleibt außen vor, "
        "damit Bestand und Umsatz heute die von {previous} sind; through = '{month}' behält ihn."
    ),
    "unbilled_months": _unbilled,
    "outline": (
        "{source}: {blank:,} von {rows:,} Zeilen haben keinen Wert in {column!r} und werden "
        "mit ihrem Umsatz verworfen. Ist die Datei eine Excel-Pivot-Tabelle, die jeden "
        "Kunden nur einmal über seine Zeilen schreibt, wiederholen Sie die Beschriftungen "
        "(PivotTable-Entwurf → Berichtslayout → Alle Elementbeschriftungen wiederholen) und "
        "exportieren Sie neu."
    ),
    "sheets_alike": lambda p, f: (
        f"{p['source']}: "
        + ("Das Blatt {} enthält" if len(p["sheets"]) == 1 else "Die Blätter {} enthalten")
        .format(", ".join(map(repr, p["sheets"])))
        + " eine Tabelle wie das erste, gelesene Blatt; ihre Zeilen werden nicht gelesen. "
        f"{p['every']} liest sie als eine Tabelle (in der Konfiguration "
        f"{p['every'].replace('=', ' = ')})."
    ),
    "currencies": (
        "{source}: Die Beträge sind in {currencies}, und cxvalue addiert sie, wie sie sind: "
        "Rechnen Sie sie zuerst in eine Währung um."
    ),
    "repeats_differ": _repeats,
    "invoices": _invoices,
    "churn_dates": _dates("churned_at", "danach", (
        "Ist churned_at ein Vertragsende statt der Kündigung? Sie gelten ab dem Datum als "
        "gekündigt und verlassen den heutigen Bestand. Ist es nicht die Kündigung, lassen Sie "
        "die Spalte im Export weg; dann kommt die Kündigung aus Monaten ohne Umsatz.")),
    "acquisition_dates": _dates("acquired_at", "davor", (
        "Ist acquired_at ein Vertragsbeginn oder eine Verlängerung statt des Tages, an dem sie "
        "Kunden wurden? Ihre Kundendauer zählt stattdessen ab dem ersten Umsatz, die der "
        "anderen ab acquired_at, wofür tenure_band kontrolliert.")),
    "ids_answers": _ids("die anderen zählen als nicht befragt"),
    "ids_revenue": _ids(
        "bei den anderen fehlen Segment und Größe, ihre Kündigung kommt aus leeren Monaten und "
        "ihre Kundendauer zählt ab dem ersten Umsatz"),
    "answers_after": (
        "{responses}: Die Antworten reichen bis {last_answer}, {months} Monate über "
        "{last_revenue} hinaus, den letzten Monat von {revenue}. Die Modelle sehen keine der "
        "{after:,} Antworten danach, der NPS heute zählt sie. Ist der Umsatzexport der neueste?"
    ),
    "answers_before": (
        "{responses}: Die letzte Antwort ist von {last_answer}, {months} Monate vor "
        "{last_revenue}, dem letzten Monat von {revenue}. Der NPS heute ist so alt, und "
        "Kundenmonate mehr als {recency} Monate danach (recency_months) zählen als nicht "
        "befragt. Ist der Umfrageexport der neueste?"
    ),
    "log_ratio_excluded": (
        "{bad:,} von {eligible:,} Kundenmonaten gehaltener Kunden ({share:.1%}) haben Umsatz "
        "von null oder weniger in den letzten oder den nächsten Monaten ({base:,} davor, "
        "{next:,} danach) und bleiben beim Log-Verhältnis außen vor."
    ),
    "revenue_small_levels": _small_levels,
    "few_clusters": (
        "Nur {n:,} Kunden zum Clustern (weniger als {least}): Cluster-robuste Standardfehler "
        "sind bei so wenigen Clustern unzuverlässig."
    ),
    "no_convergence": _no_convergence,
    "thin_level": _thin_level,
    "nobody_to_move": _nobody_to_move,
    "few_moves": (
        "Nur {moves:,} Wechsel nach oben zwischen wiederholten Befragungen; der beobachtete Mix "
        "ist unsicher."
    ),
    "nps_repeated": lambda p, f: f(
        ("1 Antwort kommt" if p["repeated"] == 1 else "{repeated:,} Antworten kommen")
        + " von Kunden, die in ihrer Gruppe schon gezählt sind; das Intervall nimmt eine "
        "Antwort je Kunde an.",
        **p,
    ),
    "nps_too_few": _too_few,
}}  # fmt: skip


def in_locale(warning: CxValueWarning, locale: str) -> str | None:
    """``warning`` in ``locale``'s words; None when it has none there (no key, or a key
    without words in that language)."""
    words = LIBRARY_NOTES.get(locale, {}).get(warning.key or "")
    if words is None:
        return None
    say = _Localized().format
    return say(words, **warning.params) if isinstance(words, str) else words(warning.params, say)
