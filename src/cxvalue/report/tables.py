"""The board pack's tables: one Excel workbook, one sheet per table.

Numbers are written as numbers (with a number format), dates as dates, text
as text — and text a spreadsheet could run as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
apostrophe, so it stays inert even when the sheet is re-saved as CSV or a
cell is edited. See :func:`escape_cell`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cxvalue.errors import CxValueError

__all__ = ["write_tables", "escape_cell", "sheet_names", "TablesError", "FORMULA_PREFIXES"]

#: Leading characters that make a spreadsheet treat text as a formula (also the
#: full-width forms some spreadsheets normalise).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
#: Excel's limit for a sheet name, and the characters it forbids in one.
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Excel's limit for the text in one cell.
MAX_CELL_CHARS = 32767

INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.00"
SMALL_FLOAT_FORMAT = "0.0000"
#: Columns with numbers too small for four decimals (p-values): 6.14E-20, not 0.0000.
TINY_FLOAT_FORMAT = "0.00E+00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_MIN_WIDTH, _MAX_WIDTH = 6, 60


class TablesError(CxValueError, ValueError):
    """The tables cannot be written as given (no tables, not a DataFrame)."""


def escape_cell(value: Any) -> Any:
    """Make ``value`` safe to write to a spreadsheet cell.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return
    or a newline (or the full-width ``＝ ＋ － ＠``) gets a leading apostrophe:
    ``"=1+1"`` → ``"'=1+1"``. Characters XML cannot hold (control characters)
    become ``"\\ufffd"`` first, so removing them can never expose a prefix.
    Anything that is not text is returned unchanged.

    Examples
    --------
    >>> escape_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> escape_cell("-2+3"), escape_cell("net promoter"), escape_cell(-2)
    ("'-2+3", 'net promoter', -2)
    """
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text


def sheet_names(names: list[str]) -> list[str]:
    """Valid, unique Excel sheet names for ``names``, in order.

    Forbidden characters (``[ ] : * ? / \\``) become ``_``, leading and trailing
    apostrophes go, names are cut to 31 characters, empty names become
    ``"Sheet"``, and duplicates (Excel ignores case) get ``" (2)"``, ``" (3)"``...
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        base = _BAD_SHEET_CHARS.sub("_", ILLEGAL_CHARACTERS_RE.sub("", str(raw))).strip("'")
        base = base.strip() or "Sheet"
        name, k = base[:MAX_SHEET_NAME].rstrip(), 1
        while name.casefold() in seen or name.casefold() == "history":  # reserved by Excel
            k += 1
            suffix = f" ({k})"
            name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        seen.add(name.casefold())
        out.append(name)
    return out


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _cell_value(value: Any) -> tuple[Any, str | None]:
    """The value openpyxl should store, and its number format (None: General)."""
    if _is_missing(value):
        return None, None
    if isinstance(value, (bool, np.bool_)):
        return bool(value), None
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value), INT_FORMAT
    if isinstance(value, (numbers.Real, np.floating, decimal.Decimal)):
        x = float(value)
        if math.isinf(x):
            return ("∞" if x > 0 else "−∞"), None  # Excel has no infinity
        return x, FLOAT_FORMAT
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        ts = pd.Timestamp(value).floor("us")  # Excel keeps milliseconds at best
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)  # Excel has no time zones: keep the wall-clock time
        has_time = ts != ts.normalize()
        return ts.to_pydatetime(), DATETIME_FORMAT if has_time else DATE_FORMAT
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    if isinstance(value, np.datetime64):
        return _cell_value(pd.Timestamp(value))
    if isinstance(value, (pd.Timedelta, dt.timedelta, np.timedelta64)):
        return str(pd.Timedelta(value)), None
    if isinstance(value, pd.Period):
        return str(value), None
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_CELL_CHARS - 1:
        text = text[: MAX_CELL_CHARS - 2] + "…"
    return escape_cell(text), None


def _column_cells(column: pd.Series) -> list[tuple[Any, str | None]]:
    """Cell values and formats of one column, with one format per kind in the column.

    Dates get the date-and-time format when any of them has a time; numbers
    that are not whole get four decimals when most are below 1 in size (rates,
    shares, ratios), two otherwise; a column with numbers that four decimals would
    show as 0 (p-values) gets scientific notation.
    """
    cells = [_cell_value(v) for v in column.tolist()]
    fmts = {fmt for _, fmt in cells}
    if DATETIME_FORMAT in fmts:
        cells = [(v, DATETIME_FORMAT if f == DATE_FORMAT else f) for v, f in cells]
    floats = [abs(v) for v, f in cells if f == FLOAT_FORMAT]
    if any(0 < v < 5e-5 for v in floats):  # would show as 0.0000
        cells = [(v, TINY_FLOAT_FORMAT if f == FLOAT_FORMAT else f) for v, f in cells]
    elif floats and float(np.median(floats)) < 1:
        cells = [(v, SMALL_FLOAT_FORMAT if f == FLOAT_FORMAT else f) for v, f in cells]
    return cells


#: Number formats of non-whole numbers, coarse to fine.
_FLOAT_FORMATS = (FLOAT_FORMAT, SMALL_FLOAT_FORMAT, TINY_FLOAT_FORMAT)
_INTERVAL_COLUMN = re.compile(r"(lo|hi)(_.+)?|.+_(lo|hi)")


def _with_interval_formats(
    names: list[str], columns: list[list[tuple[Any, str | None]]]
) -> list[list[tuple[Any, str | None]]]:
    """Give an estimate and its interval's columns (``lo``/``hi``, ``lo_80``, ``base_lo``:
    the interval columns after it) one number format, the finest among them: a hazard
    ratio of 0.6323 with bounds 0.4251 and 0.9404, not 0.63 beside 0.4251."""
    groups: list[list[int]] = []
    for j, name in enumerate(names):
        if groups and _INTERVAL_COLUMN.fullmatch(name):
            groups[-1].append(j)
        else:
            groups.append([j])
    out = list(columns)
    for group in groups:
        found = {fmt for j in group for _, fmt in columns[j] if fmt in _FLOAT_FORMATS}
        if len(found) < 2:
            continue
        finest = max(found, key=_FLOAT_FORMATS.index)
        for j in group:
            out[j] = [(v, finest if f in _FLOAT_FORMATS else f) for v, f in columns[j]]
    return out


def _display_len(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if fmt == DATE_FORMAT:
        return 10
    if fmt == DATETIME_FORMAT:
        return 19
    if fmt == INT_FORMAT:
        return len(f"{value:,}")
    if fmt == FLOAT_FORMAT:
        return len(f"{value:,.2f}")
    if fmt == SMALL_FLOAT_FORMAT:
        return len(f"{value:.4f}")
    if fmt == TINY_FLOAT_FORMAT:
        return len(f"{value:.2E}")
    return max((len(line) for line in str(value).split("\n")), default=0)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Index as columns (unless it is a plain 0..n-1 range), column levels joined."""
    out = frame
    if not (isinstance(out.index, pd.RangeIndex) and out.index.name is None):
        names = [n if n is not None else f"index_{i}" for i, n in enumerate(out.index.names)]
        if out.index.nlevels == 1 and out.index.name is None:
            names = ["index"]
        out = out.copy()
        out.index = out.index.set_names(names)
        out = out.reset_index()
    if isinstance(out.columns, pd.MultiIndex):
        out = out.copy()
        out.columns = [
            " / ".join(str(part) for part in col if str(part) != "") for col in out.columns
        ]
    return out


def write_tables(tables: Mapping[str, pd.DataFrame], path: Path | str) -> Path:
    """Write each DataFrame to its own sheet of an Excel workbook; return the path.

    The sheet is named after the key (made valid: see :func:`sheet_names`).
    The header is bold and frozen; column widths follow the longest value
    (6 to 60 characters). Integers get ``#,##0``, other numbers ``#,##0.00``
    (``0.0000`` when most in the column are below 1, ``0.00E+00`` when some
    would show as 0 that way; an estimate and the interval columns after it, such as
    ``lo``/``hi`` or ``lo_80``, share the finest of their formats; the full value is
    stored), dates ``yyyy-mm-dd``
    (with the time when a date in the column has one; time zones are dropped,
    keeping the wall-clock time), missing values an empty cell. Text — headers
    too — goes through :func:`escape_cell`. A non-default index is written as
    leading columns.
    ``.xlsx`` is appended to ``path`` unless it ends so; missing folders are made.

    Raises
    ------
    TablesError
        ``tables`` is empty or holds something other than a DataFrame.
    """
    if not tables:
        raise TablesError("write_tables() needs at least one table, got none.")
    for key, frame in tables.items():
        if not isinstance(frame, pd.DataFrame):
            raise TablesError(
                f"Table {key!r} must be a pandas DataFrame, got {type(frame).__name__}."
            )
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, frame in zip(sheet_names(list(tables)), tables.values(), strict=True):
        sheet = workbook.create_sheet(name)
        flat = _flat(frame)
        widths = []
        for j, column in enumerate(flat.columns, start=1):
            header, _ = _cell_value(str(column))
            cell = sheet.cell(row=1, column=j, value=header)
            cell.font = bold
            cell.alignment = Alignment(vertical="top", wrap_text=False)
            widths.append(_display_len(header, None))
        columns = _with_interval_formats(
            [str(c) for c in flat.columns],
            [_column_cells(flat.iloc[:, j]) for j in range(flat.shape[1])],
        )
        for j, cells in enumerate(columns):
            for i, (value, fmt) in enumerate(cells, start=2):
                if value is None:
                    continue
                cell = sheet.cell(row=i, column=j + 1, value=value)
                if fmt is not None:
                    cell.number_format = fmt
                widths[j] = max(widths[j], _display_len(value, fmt))
        for j, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(j)].width = min(
                _MAX_WIDTH, max(_MIN_WIDTH, width + 2)
            )
        if len(flat.columns):
            sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
