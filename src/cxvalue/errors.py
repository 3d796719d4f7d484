"""The error and warning families of cxvalue.

Every error derives from :class:`CxValueError`; errors about the user's input
also derive from :class:`ValueError`, so ``except ValueError`` keeps working.
Every warning derives from :class:`CxValueWarning`, so one filter silences
them all.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "CxValueError",
    "InputError",
    "ColumnError",
    "ParseError",
    "EmptyInputError",
    "ConfigError",
    "ParameterError",
    "CxValueWarning",
    "SmallSampleWarning",
    "ConvergenceWarning",
    "DataWarning",
    "nearest",
    "format_rows",
]

MAX_ROWS_SHOWN = 10


class CxValueError(Exception):
    """Root of every error cxvalue raises."""


class InputError(CxValueError, ValueError):
    """Something in the user's data or files is not what was expected.

    Attributes
    ----------
    source : str or None
        The file (or ``"<DataFrame>"``) the problem was found in.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class ColumnError(InputError):
    """A required column is missing, or more than one column could be it.

    Attributes
    ----------
    column : str
        The canonical column that was looked for (e.g. ``"customer_id"``).
    found : list of str
        The columns the input has.
    nearest : str or None
        The found column whose name is closest to what was looked for.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: str,
        found: Sequence[str] = (),
        nearest: str | None = None,
    ) -> None:
        super().__init__(message, source=source)
        self.column = column
        self.found = list(found)
        self.nearest = nearest


class ParseError(InputError):
    """Values in a column cannot be read as what the column should hold.

    Attributes
    ----------
    column : str
        The column as named in the file.
    rows : list of int or of str
        Row numbers as a spreadsheet shows them (header rows included); with their
        sheet or file (``"3 in file 'b.csv'"``) when several were read as one table.
    values : list
        The failing values, in the same order as ``rows``.
    expected : str
        What the values should have looked like.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: str,
        rows: Sequence[int] = (),
        values: Sequence[Any] = (),
        expected: str = "",
    ) -> None:
        super().__init__(message, source=source)
        self.column = column
        self.rows = list(rows)
        self.values = list(values)
        self.expected = expected

    @property
    def failure_cases(self) -> list[dict[str, Any]]:
        """The failing cells as records: column, row, value."""
        return [
            {"column": self.column, "row": r, "value": v}
            for r, v in zip(self.rows, self.values, strict=False)
        ]


class EmptyInputError(InputError):
    """The input has no data rows (or nothing is left to analyse)."""


class ConfigError(CxValueError, ValueError):
    """A configuration file or mapping has a bad or missing key.

    Attributes
    ----------
    key : str
        The dotted key, e.g. ``"value.discount_rate"``.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class ParameterError(CxValueError, ValueError):
    """A function was called with a parameter value it cannot use."""


class CxValueWarning(UserWarning):
    """Root of every warning cxvalue emits.

    Parameters
    ----------
    message : str
        What the warning says (in English).
    key : str, optional
        The warning's name, for a report that says it in another language; ``params``
        are the values it says (numbers unformatted), keyed as its words there need.
    """

    def __init__(self, message: str, *, key: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


class SmallSampleWarning(CxValueWarning):
    """Too few responses, events or customers to trust an estimate."""


class ConvergenceWarning(CxValueWarning):
    """A model fit did not converge, or converged to a boundary."""


class DataWarning(CxValueWarning):
    """The data is usable but something about it deserves a look."""


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate whose name is closest to ``name``, or None.

    Matching ignores case, spaces and underscores.
    """

    def key(s: str) -> str:
        return "".join(ch for ch in str(s).lower() if ch.isalnum())

    by_key = {key(c): c for c in candidates}
    match = difflib.get_close_matches(key(name), list(by_key), n=1, cutoff=0.5)
    return by_key[match[0]] if match else None


def format_rows(rows: Sequence[int], limit: int = MAX_ROWS_SHOWN) -> str:
    """Render row numbers for a message: ``"rows 3, 4"`` or ``"rows 3, 4, … (12 in all)"``."""
    rows = list(rows)
    word = "row" if len(rows) == 1 else "rows"
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        shown += f", … ({len(rows)} in all)"
    return f"{word} {shown}"
