"""Pure formatting functions, so a number looks the same everywhere.

Figures, slides, summaries and notebooks all format through these. Each takes
one value or a sequence and returns a list of strings (one value in, a list
of one out), in English (``"en"``) or German (``"de"``) conventions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import numpy as np

from cxvalue._validation import check_choice

Locale = Literal["en", "de"]
LOCALES = ("en", "de")
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}
#: (threshold, English suffix, German suffix)
_SCALES = ((1e9, "B", "Mrd."), (1e6, "M", "Mio."))
MINUS = "\u2212"


def _values(values: float | Iterable[float]) -> list[float]:
    if isinstance(values, (int, float, np.number)):
        return [float(values)]
    return [float(v) for v in values]


_SWAPPED = str.maketrans(",.", ".,")


def german_separators(text: str) -> str:
    """A number written the English way (``1,234.5``) with German separators (``1.234,5``)."""
    return text.translate(_SWAPPED)


def _number(x: float, decimals: int, locale: str) -> str:
    """Digits with grouping, in the locale's separators, without sign."""
    text = f"{abs(x):,.{decimals}f}"
    return german_separators(text) if locale == "de" else text


def fmt_number(
    values: float | Iterable[float], decimals: int = 0, locale: Locale = "en"
) -> list[str]:
    """Format numbers with thousands separators: ``1,234.5`` / ``1.234,5``."""
    check_choice(locale, LOCALES, "locale", "fmt_number")
    out = []
    for x in _values(values):
        if math.isnan(x):
            out.append("–")
            continue
        sign = MINUS if x < 0 and round(abs(x), decimals) > 0 else ""
        out.append(sign + _number(x, decimals, locale))
    return out


def fmt_currency(
    values: float | Iterable[float],
    locale: Locale = "en",
    currency: str = "EUR",
    compact: bool = True,
    decimals: int | None = None,
) -> list[str]:
    """Format money: ``€1.2M`` / ``1,2 Mio. €``, ``€18,400`` / ``18.400 €``.

    Parameters
    ----------
    values : float or iterable of float
    locale : {"en", "de"}
    currency : str
        ISO code; EUR, USD, GBP have symbols, others are written as the code.
    compact : bool
        Abbreviate millions and billions (``€1.2M``, ``1,2 Mio. €``); smaller
        amounts are written in full with thousands separators.
    decimals : int, optional
        Digits after the separator; by default 1 for abbreviated amounts, 0 otherwise.

    Examples
    --------
    >>> fmt_currency([1_234_567, 18_400], locale="de")
    ['1,2 Mio. €', '18.400 €']
    >>> fmt_currency(-2500, locale="en", currency="USD")
    ['−$2,500']
    """
    check_choice(locale, LOCALES, "locale", "fmt_currency")
    symbol = SYMBOLS.get(currency.upper(), currency.upper())
    out = []
    for x in _values(values):
        if math.isnan(x):
            out.append("–")
            continue
        body, suffix = _scaled(abs(x), locale, compact, decimals)
        sign = MINUS if x < 0 and body.strip("0.,") else ""
        if locale == "de":
            out.append(f"{sign}{body}{' ' + suffix if suffix else ''} {symbol}")
        else:
            space = " " if len(symbol) > 1 else ""
            out.append(f"{sign}{symbol}{space}{body}{suffix}")
    return out


def _scaled(x: float, locale: str, compact: bool, decimals: int | None) -> tuple[str, str]:
    if compact and x >= 1e6:
        for threshold, en, de in _SCALES:
            if x >= threshold:
                d = 1 if decimals is None else decimals
                return _number(x / threshold, d, locale), (de if locale == "de" else en)
    return _number(x, 0 if decimals is None else decimals, locale), ""


def fmt_pct(
    values: float | Iterable[float],
    decimals: int | None = 0,
    locale: Locale = "en",
    signed: bool = False,
) -> list[str]:
    """Format shares (0.123) as percentages: ``12%`` / ``12 %``.

    ``decimals=None``: none for a whole percent, one otherwise (``95%``, ``22.5%``),
    judged to 1e-6 so that a share's last bits do not change the text.
    """
    check_choice(locale, LOCALES, "locale", "fmt_pct")
    out = []
    for x in _values(values):
        if math.isnan(x):
            out.append("–")
            continue
        places = decimals
        if places is None:
            places = 0 if round(100 * x, 6).is_integer() else 1
        text = fmt_number(100 * x, places, locale)[0]
        if signed and x > 0:
            text = "+" + text
        out.append(text + (" %" if locale == "de" else "%"))
    return out


def fmt_nps(values: float | Iterable[float], decimals: int = 0, locale: Locale = "en") -> list[str]:
    """Format NPS points with a sign: ``+23``, ``−4``, ``0``."""
    out = []
    for x, text in zip(_values(values), fmt_number(values, decimals, locale), strict=True):
        out.append("+" + text if x > 0 and text.strip("0.,") else text)
    return out


def fmt_interval(lo: float, hi: float, formatter=fmt_number, **kwargs) -> str:
    """Format an interval with any formatter: ``€1.1M to €2.3M`` / ``1,1 bis 2,3 Mio. €``."""
    a, b = formatter([lo, hi], **kwargs)
    return f"{a} bis {b}" if kwargs.get("locale", "en") == "de" else f"{a} to {b}"


def escape_spreadsheet_text(text: str) -> str:
    """Make text safe to put in a spreadsheet cell.

    A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab/carriage
    return) would be run as a formula by Excel or LibreOffice; prefix it with
    an apostrophe so it is shown as text.
    """
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text
