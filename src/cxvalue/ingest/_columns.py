"""Finding the canonical columns among a file's columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cxvalue.errors import ColumnError, nearest

SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id", "customerid", "customer", "customer number", "customer no", "account id",
        "account number", "account", "externalreference", "external data reference",
        "externaldatareference", "kundennummer", "kunden id", "kundenid", "kunde", "client id",
        "custom data 1", "customdata1",
    ),
    "responded_at": (
        "responded_at", "response date", "enddate", "end date", "recordeddate", "recorded date",
        "date", "datum", "submitted at", "completed", "date modified", "startdate",
    ),
    "score": ("score", "nps", "nps score", "ltr", "likelihood to recommend", "recommend"),
    "response_id": ("response_id", "responseid", "response id", "respondent id", "respondentid"),
    "weight": ("weight", "gewicht", "survey weight"),
    "period": ("period", "month", "monat", "date", "datum", "billing month", "invoice month"),
    "revenue": ("revenue", "amount", "umsatz", "betrag", "net revenue", "sales", "value"),
    "mrr": ("mrr", "monthly revenue", "monthly charge", "monthly recurring revenue", "arr/12"),
    "start": ("start", "start date", "startdate", "subscription start", "beginn", "start_at"),
    "end": ("end", "end date", "enddate", "subscription end", "ende", "end_at", "cancelled at"),
    "acquired_at": ("acquired_at", "acquired", "customer since", "signup date", "created at"),
    "churned_at": ("churned_at", "churned", "churn date", "cancelled at", "cancellation date"),
}  # fmt: skip


def _key(name: str) -> str:
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

    A name in ``mapping`` wins; otherwise the first synonym (in order of
    preference) that matches a column, ignoring case, spaces and punctuation.

    Raises
    ------
    ColumnError
        A mapped column is not in the file; or ``required`` and nothing
        matches (the message lists the columns found and the nearest one).
    """
    visible = [c for c in columns if c != "_row" and c not in exclude]
    if mapping and canonical in mapping:
        name = mapping[canonical]
        if name not in visible:
            near = nearest(name, visible)
            raise ColumnError(
                f"{source}: columns={{'{canonical}': '{name}'}} names a column that is not there. "
                f"Found: {', '.join(visible)}."
                + (f" Nearest: {near!r}." if near else ""),
                source=source, column=canonical, found=visible, nearest=near,
            )
        return name
    keys = {}
    for c in visible:
        keys.setdefault(_key(c), []).append(c)
    for synonym in SYNONYMS.get(canonical, (canonical,)):
        hits = keys.get(_key(synonym), [])
        if len(hits) > 1:
            raise ColumnError(
                f"{source}: {len(hits)} columns could be {canonical!r}: {', '.join(hits)}. "
                f"Pass columns={{'{canonical}': ...}} to say which.",
                source=source, column=canonical, found=visible, nearest=hits[0],
            )
        if hits:
            return hits[0]
    if not required:
        return None
    near = nearest(canonical, visible)
    hint = f" Nearest: {near!r}. Pass columns={{'{canonical}': '{near}'}} if that is it." if near else (
        f" Pass columns={{'{canonical}': ...}} to name it."
    )
    raise ColumnError(
        f"{source}: no {canonical!r} column. Found: {', '.join(visible)}.{hint}",
        source=source, column=canonical, found=visible, nearest=near,
    )
