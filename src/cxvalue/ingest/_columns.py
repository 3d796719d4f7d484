"""Finding the canonical columns among a file's columns.

Names are compared ignoring case, spaces and punctuation (``Customer ID``,
``customer_id`` and ``CustomerID`` are one name). Synonyms come in tiers,
strongest first: the first tier with a match wins, and two columns matching
in the same tier are ambiguous (a :class:`ColumnError` lists both) — so a
Qualtrics export's ``EndDate`` beats its ``StartDate`` without a guess, but a
file with both ``Customer Number`` and ``Account ID`` must say which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cxvalue.errors import ColumnError, nearest
from cxvalue.ingest._units import bare_amount_name

Tiers = tuple[tuple[str, ...], ...]

SYNONYMS: dict[str, Tiers] = {
    "customer_id": (
        ("customer_id",),
        ("customer number", "customer no", "account id", "account number", "client id",
         "kundennummer", "kunden id", "kundennr", "account code", "debitor", "debitornummer",
         "debitorennummer", "debitorennr", "debitorenkonto", "debitor account number",
         "kundenkonto"),
        ("externalreference", "external data reference", "externaldatareference", "extref"),
        ("custom data 1", "benutzerdefinierte daten 1"),
        ("customer", "account", "kunde", "client"),
    ),
    "responded_at": (
        ("responded_at", "response date", "responded"),
        ("enddate", "end date", "date submitted", "submitted at", "completed at", "submit date",
         "submit date (utc)", "submission date", "enddatum"),
        ("recordeddate", "recorded date"),
        ("date", "datum", "survey date", "timestamp", "zeitstempel", "created at"),
        ("startdate", "start date", "date modified", "start date (utc)", "startdatum"),
    ),
    "score": (
        ("score",),
        ("nps", "nps score", "ltr", "likelihood to recommend", "recommend", "bewertung"),
    ),
    "response_id": (
        ("response_id",),
        ("responseid", "respondent id", "respondentid", "response number", "befragten-id"),
    ),
    "weight": (("weight",), ("survey weight", "gewicht", "weighting")),
    "period": (
        ("period",),
        ("month", "monat", "billing month", "invoice month", "revenue month"),
        ("date", "datum", "invoice date", "rechnungsdatum", "close date", "date (utc)",
         "document date", "posting date", "service date", "belegdatum", "buchungsdatum",
         "leistungsdatum"),
        ("created", "created (utc)", "created date", "created date (utc)", "erstellt",
         "erstellt am", "billed at", "billing date", "paid at", "payment date",
         "zahlungsdatum"),
    ),
    "revenue": (
        ("revenue",),
        ("amount", "umsatz", "betrag", "net revenue", "net amount", "sales", "net sales",
         "nettobetrag", "nettoumsatz", "umsatz netto", "line item amount", "charge amount"),
        ("mrr", "monthly revenue", "monthly recurring revenue"),
    ),
    "mrr": (("mrr",), ("monthly revenue", "monthly recurring revenue", "monthly charge")),
    "start": (("start",), ("start date", "subscription start", "start_at", "beginn", "started",
                           "started at", "activated at", "subscription start date")),
    "end": (("end",), ("end date", "subscription end", "end_at", "ende", "ended", "ended at",
                       "cancelled at", "canceled at", "subscription end date")),
    # a service period's (an invoice line's) start and end: named so, unlike a subscription's
    "service_start": (("service_start",), ("period start", "period start (utc)", "service start",
                                           "service start date", "service period start",
                                           "date from", "line item date from", "leistungsbeginn",
                                           "leistungszeitraum von", "abrechnungszeitraum von")),
    "service_end": (("service_end",), ("period end", "period end (utc)", "service end",
                                       "service end date", "service period end", "date to",
                                       "line item date to", "leistungsende",
                                       "leistungszeitraum bis", "abrechnungszeitraum bis")),
    "currency": (("currency",), ("currency code", "currency iso", "iso currency", "curr", "ccy",
                                 "währung", "waehrung")),
    "status": (("status",), ("invoice status", "payment status", "order status", "stage",
                             "opportunity stage", "belegstatus", "rechnungsstatus")),
    "cost": (("cost",), ("costs", "kosten", "cogs", "cost of sales")),
    "document_type": (("document_type",), ("document type", "doc type", "transaction type",
                                           "invoice type", "belegart", "belegtyp",
                                           "rechnungsart")),
    "year": (("year",), ("jahr", "calendar year", "kalenderjahr")),
    "refunded": (("refunded",), ("amount refunded", "refunded amount", "refund amount",
                                 "refunds", "refund", "erstattet", "erstattungsbetrag")),
    "margin": (("margin",), ("gross margin", "marge", "deckungsbeitrag")),
    "segment": (("segment",), ("customer segment", "kundensegment", "market segment",
                               "marktsegment")),
    "acquired_at": (
        ("acquired_at",),
        ("acquired", "customer since", "signup date", "signed up", "created at", "start date",
         "became a customer date", "became a customer", "kunde seit", "kundenbeginn",
         "vertragsbeginn"),
    ),
    "churned_at": (
        ("churned_at",),
        ("churned", "churn date", "cancelled at", "cancellation date", "end date",
         "kündigungsdatum", "kuendigungsdatum", "gekündigt am", "vertragsende"),
    ),
}  # fmt: skip


#: Canonical columns of money: their file's names may carry a unit or a currency.
AMOUNT_NAMES = ("revenue", "mrr", "cost")


def name_key(name: object) -> str:
    """A column name reduced to lower-case letters and digits."""
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def find_column(
    columns: Sequence[str],
    canonical: str,
    *,
    mapping: Mapping[str, str] | None,
    source: str,
    required: bool = True,
    exclude: Sequence[str] = (),
) -> str | None:
    """The file's column that holds ``canonical``.

    A name in ``mapping`` wins; otherwise the first tier of synonyms with a
    matching column decides.

    Raises
    ------
    ColumnError
        A mapped column is not in the file; two columns match in the same
        tier; or ``required`` and nothing matches (the message lists the
        columns found and the nearest one).
    """
    internal = [c for c in columns if c == "_row" or str(c).startswith("_cx_")]
    visible = [c for c in columns if c not in internal and c not in exclude]
    if mapping and mapping.get(canonical) is not None:
        return _mapped(visible, canonical, mapping[canonical], source)
    keys: dict[str, list[str]] = {}
    for column in visible:
        keys.setdefault(name_key(column), []).append(column)
        if canonical in AMOUNT_NAMES and (bare := name_key(bare_amount_name(column))) != (
            name_key(column)
        ):  # "Umsatz (TEUR)", "Amount (USD)" are an amount column, in a unit or currency
            keys.setdefault(bare, []).append(column)
    for tier in SYNONYMS.get(canonical, ((canonical,),)):
        hits = list(dict.fromkeys(c for s in tier for c in keys.get(name_key(s), [])))
        if len(hits) > 1:
            raise ColumnError(
                f"{source}: {len(hits)} columns could be {canonical!r}: {', '.join(hits)}. "
                f"Pass columns={{'{canonical}': ...}} to say which.",
                source=source, column=canonical, found=visible, nearest=hits[0],
            )  # fmt: skip
        if hits:
            return hits[0]
    if required:
        raise missing_column(canonical, visible, source)
    return None


def _mapped(visible: list[str], canonical: str, name: str, source: str) -> str:
    if name in visible:
        return name
    by_key = {name_key(c): c for c in visible}
    if name_key(name) in by_key:  # the map's spelling differs only in case or spaces
        return by_key[name_key(name)]
    near = nearest(name, visible)
    raise ColumnError(
        f"{source}: columns={{'{canonical}': '{name}'}} names a column that is not there. "
        f"Found: {', '.join(visible)}." + (f" Nearest: {near!r}." if near else ""),
        source=source, column=canonical, found=visible, nearest=near,
    )  # fmt: skip


#: Survey tools' own columns: never a customer's id, so never suggested as one.
SURVEY_SYSTEM_IDS = {"respondentid", "collectorid", "responseid", "ipaddress", "recipientemail",
                     "distributionchannel", "userlanguage", "befragtenid", "kollektorid",
                     "ipadresse"}  # fmt: skip
#: Words that make a column (a survey question's text, say) the likeliest customer id.
ID_WORDS = ("customer", "account", "kunde", "client")


def _names_another(column: str, canonical: str) -> bool:
    """True when ``column`` is named as another canonical column is ("Customer Since", an
    acquisition date): never suggested for ``canonical``."""
    key = name_key(column)
    return any(key in {name_key(s) for tier in tiers for s in tier}
               for other, tiers in SYNONYMS.items() if other != canonical)  # fmt: skip


def missing_column(canonical: str, visible: list[str], source: str) -> ColumnError:
    """The error for a required column that is not there, naming the nearest one.

    For ``customer_id``, a column whose name speaks of a customer or an account (a
    survey question such as "What is your account number?") comes first, and a survey
    tool's own ids (Respondent ID, Collector ID) are never suggested; nor, for any column,
    one named as another canonical column is ("Customer Since" is an acquisition date).
    """
    free = [c for c in visible if not _names_another(c, canonical)]
    if canonical == "customer_id":
        likely = [c for c in free if any(w in name_key(c) for w in ID_WORDS)]
        others = [c for c in free if name_key(c) not in SURVEY_SYSTEM_IDS]
        near = likely[0] if likely else nearest(canonical, others)
    else:
        near = nearest(canonical, free)
    hint = (
        f" Nearest: {near!r}. Pass columns={{'{canonical}': '{near}'}} if that is it."
        if near
        else f" Pass columns={{'{canonical}': ...}} to name it."
    )
    return ColumnError(
        f"{source}: no {canonical!r} column. Found: {', '.join(visible)}.{hint}",
        source=source, column=canonical, found=visible, nearest=near,
    )  # fmt: skip
