"""Amounts written in thousands, millions or cents: a finance sheet's ``TEUR``, ``$000``,
``Mio. €``, a warehouse table's ``amount_cents``.

Read as they are, such amounts make every money figure a thousand times too small
("one more point is worth €482" for €482,000), or a hundred times too large. The unit is
looked for in the names of the amount columns and in the title rows above the header;
when one is named, the amounts (revenue, cost) are turned into whole units, and the
ledger and a warning say so.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from cxvalue.errors import DataWarning
from cxvalue.ingest.parsing import CURRENCY, currency_codes

if TYPE_CHECKING:  # (the Tracker reads files, and files' titles are read for units)
    from cxvalue.ingest._tracker import Tracker

_THOUSANDS = re.compile(
    r"(?<![a-z])(?:t(?:eur|usd|chf|gbp)|tsd\.?|tausend|thousands?|k(?:eur|usd|chf|gbp))"
    r"(?![a-z])|[tk]\s?[€$£]|[€$£]\s?k(?![a-z])|[€$£]\s?'?000s?(?!\d)|\(\s*'?000s?\s*\)"
)
_MILLIONS = re.compile(
    r"(?<![a-z])(?:mio\.?|millions?|m(?:eur|usd|chf|gbp))(?![a-z])|m\s?[€$£]"
    r"|[€$£]\s?mm?(?![a-z])"
)
_CENTS = re.compile(r"(?<![a-z])(?:cents?|in_cents)(?![a-z])")
#: The units an amount may be written in: (multiplier, divisor) to whole units, the unit in
#: words, how its name is written.
_UNITS = (((1_000, 1), "thousands", _THOUSANDS), ((1_000_000, 1), "millions", _MILLIONS),
          ((1, 100), "cents", _CENTS))  # fmt: skip
_UNIT_PREFIX = re.compile(r"(?i)(?<![a-z])[tkm](?=(?:eur|usd|chf|gbp)(?![a-z]))")
#: The amount columns a unit multiplies (a margin is a share, not an amount).
AMOUNTS = ("revenue", "cost")


def bare_amount_name(name: str) -> str:
    """An amount column's name without its unit and currency, as its synonyms are written:
    ``Umsatz (TEUR)``, ``Amount (USD)``, ``Revenue in thousands`` → ``umsatz``,
    ``amount``, ``revenue`` (with spaces and brackets that name matching ignores)."""
    text = str(name).lower()
    for _, _, pattern in _UNITS:
        text = pattern.sub(" ", text)
    return re.sub(r"(?<![a-z])in(?![a-z])", " ", re.sub(CURRENCY, " ", text))


def note_header_currencies(tracker: Tracker, names: Iterable[str]) -> None:
    """The currencies amount columns' names are written in (``Amount (USD)``, ``Umsatz
    (TEUR)``) kept with the ledger, as amounts written with them are."""
    for name in names:
        text = _UNIT_PREFIX.sub("", str(name))  # TEUR: thousands of EUR
        tracker.keep_currencies(name, currency_codes(re.findall(CURRENCY, text)))


def amount_unit(texts: Iterable[str]) -> tuple[tuple[int, int], str, str, str] | None:
    """``((multiplier, divisor) to whole units, the unit in words, the words that say so,
    the text they are in)`` from the first text that names a unit; None when none does."""
    for text in texts:
        lower = str(text).lower()
        for scale, what, pattern in _UNITS:
            if found := pattern.search(lower):
                return scale, what, str(text)[found.start() : found.end()].strip(), str(text)
    return None


def in_whole_units(
    tracker: Tracker, table: pd.DataFrame, texts: Iterable[str], stacklevel: int
) -> pd.DataFrame:
    """``table`` with its amounts multiplied out when ``texts`` (the amount columns' names,
    the title) name a unit; the ledger and a warning (at ``stacklevel``: the reader's
    caller) say so."""
    unit = amount_unit(texts)
    if unit is None:
        return table
    (factor, divisor), what, words, text = unit
    done = f"multiplied by {factor:,}" if divisor == 1 else f"divided by {divisor}"
    said = f"amounts in {what} ({text!r} says {words!r}): {done}"
    tracker.notes.append(said)
    warnings.warn(
        DataWarning(
            f"{tracker.source}: {said}, so that money is in whole units. If they are whole "
            "units already, leave the unit out of the column's name and the title.",
            key="unit", source=tracker.source, what=what, factor=factor, divisor=divisor,
            words=words, text=text,
        ),
        stacklevel=stacklevel + 1,
    )  # fmt: skip
    return table.assign(**{c: table[c] * factor / divisor for c in AMOUNTS if c in table})
