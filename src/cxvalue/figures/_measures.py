"""The words of each survey measure: the figures' and the deck's texts are written as NPS
names things, and read in CSAT's or CES's words while one of those is spoken.

A public figure function speaks its ``measure`` around everything it draws
(``with speaking(measure):``); the word tables it reads (:class:`ByMeasure`)
then return their texts reworded for that measure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from matplotlib.figure import Figure

from cxvalue._validation import check_choice
from cxvalue.ingest.scale import MEASURES

_SPOKEN: ContextVar[str] = ContextVar("cxvalue_measure", default="nps")

#: NPS's words (a regular expression) -> the same words in CSAT and in CES, in the order
#: they are replaced; German nouns in each form the templates use them.
_REWORD: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        (r"Net Promoter Score", "Net CSAT", "Net CES"),
        (r"\bNPS category", "CSAT category", "CES category"),
        (r"\ban NPS\b", "a net CSAT", "a net CES"),
        (r"\b(most|more) loyal\b", r"\1 satisfied", r"\1 at ease"),
        (r"^(- )?NPS\b", r"\1Net CSAT", r"\1Net CES"),
        (r"\bNPS\b", "net CSAT", "net CES"),
        (r"\bpromoter", "satisfied customer", "low-effort customer"),
        (r"\bPromoter", "Satisfied customer", "Low-effort customer"),
        (r"\bpassive", "neutral customer", "medium-effort customer"),
        (r"\bPassive", "Neutral customer", "Medium-effort customer"),
        (r"\bdetractor", "dissatisfied customer", "high-effort customer"),
        (r"\bDetractor", "Dissatisfied customer", "High-effort customer"),
    ],
    "de": [
        (r"Net Promoter Score", "Netto-CSAT", "Netto-CES"),
        (r"\bNPS-(?=\w)", "CSAT-", "CES-"),
        (r"\bAm loyalsten ist\b", "Am zufriedensten ist", "Am wenigsten Aufwand hat"),
        (r"\bLoyaler ist\b", "Zufriedener ist", "Weniger Aufwand hat"),
        (r"\bdie loyalste Gruppe\b", "die zufriedenste Gruppe",
         "die Gruppe mit dem geringsten Aufwand"),
        (r"\bNPS\b", "Netto-CSAT", "Netto-CES"),
        (r"\b(der|den|keine|meisten) Promotoren\b", r"\1 Zufriedenen",
         r"\1 Kunden mit geringem Aufwand"),
        (r"\bPromotoren\b", "Zufriedene", "Kunden mit geringem Aufwand"),
        (r"\bPromotors\b", "Zufriedenen", "Kunden mit geringem Aufwand"),
        (r"\bein Promotor\b", "ein Zufriedener", "ein Kunde mit geringem Aufwand"),
        (r"\bPromotor\b", "Zufriedene", "geringer Aufwand"),
        (r"\b(der|keine|einem) Kritiker\b", r"\1 Unzufriedenen", r"\1 Kunden mit hohem Aufwand"),
        (r"\bein Kritiker\b", "ein Unzufriedener", "ein Kunde mit hohem Aufwand"),
        (r"\bKritiker(s|n)\b", "Unzufriedenen", "Kunden mit hohem Aufwand"),
        (r"\bKritiker\b", "Unzufriedene", "Kunden mit hohem Aufwand"),
        (r"\bein Indifferenter\b", "ein Neutraler", "ein Kunde mit mittlerem Aufwand"),
        (r"\bIndifferenten\b", "Neutralen", "Kunden mit mittlerem Aufwand"),
        (r"\bIndifferente\b", "Neutrale", "Kunden mit mittlerem Aufwand"),
    ],
}  # fmt: skip
_COLUMN = {"csat": 1, "ces": 2}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@contextmanager
def speaking(measure: str) -> Iterator[None]:
    """Word tables read in ``measure``'s words ("nps", "csat" or "ces") inside the block."""
    check_choice(measure, MEASURES, "measure", "the figures")
    token = _SPOKEN.set(measure)
    try:
        yield
    finally:
        _SPOKEN.reset(token)


def reword(text: str, locale: str) -> str:
    """``text``, written as NPS names things, in the words of the measure spoken; its
    ``{placeholders}`` stay as they are."""
    column = _COLUMN.get(_SPOKEN.get())
    if column is None:
        return text
    held = _PLACEHOLDER.findall(text)
    text = _PLACEHOLDER.sub("\x00", text)
    for pattern, *words in _REWORD.get(locale, _REWORD["en"]):
        text = re.sub(pattern, words[column - 1], text)
    return re.sub("\x00", lambda _: held.pop(0), text)


def _reworded(value: Any, locale: str) -> Any:
    if isinstance(value, str):
        return reword(value, locale)
    if isinstance(value, tuple):
        return tuple(_reworded(v, locale) for v in value)
    if isinstance(value, Mapping):
        return {k: _reworded(v, locale) for k, v in value.items()}
    return value


class ByMeasure(Mapping[str, Any]):
    """A word table by locale, written as NPS names things; ``table[locale]`` returns it in
    the words of the measure spoken, or as ``own[measure][locale]`` gives it."""

    def __init__(
        self, tables: dict[str, Any], own: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        self._tables = tables
        self._own = own or {}
        self._read: dict[tuple[str, str], Any] = {}

    def __getitem__(self, locale: str) -> Any:
        key = (_SPOKEN.get(), locale)
        if key not in self._read:
            own = self._own.get(key[0], {}).get(locale)
            self._read[key] = own if own is not None else _reworded(self._tables[locale], locale)
        return self._read[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


def speaks_measure(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """A public figure drawn in the words of its ``measure`` keyword; without one, in the
    measure already spoken (NPS's unless a report speaks another)."""

    @functools.wraps(draw)
    def drawn(*args: Any, **kwargs: Any) -> Figure:
        measure = kwargs.get("measure")
        if measure is None:
            return draw(*args, **kwargs)
        with speaking(measure):
            return draw(*args, **kwargs)

    return drawn
