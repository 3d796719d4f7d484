"""Reading an extract into a frame of raw cells, with spreadsheet row numbers.

Text files are read with every cell a string (``dtype=str``, no NA
guessing), so nothing is coerced before the parsers look at it: ``00123``
stays ``00123``. Every source becomes a header plus a body; survey exports
with extra header rows (Qualtrics: question texts and ``{"ImportId":…}``;
SurveyMonkey: sub-labels) are recognised on that header, whether the export
came as CSV, XLSX or a DataFrame someone read without skipping them.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from cxvalue._validation import check_choice
from cxvalue.errors import EmptyInputError, InputError, ParameterError, ParseError, nearest
from cxvalue.ingest._units import amount_unit
from cxvalue.ingest.dates import parse_month_label
from cxvalue.ingest.parsing import TEXT, is_blank

DATAFRAME = "<DataFrame>"
WORKBOOKS = (".xlsx", ".xlsm")
VENDORS = (None, "qualtrics", "surveymonkey", "plain")
#: SurveyMonkey's sub-labels under a question, in English and German exports.
_SM_SUBLABELS = ("Response", "Open-Ended Response", "Antwort", "Offene Antwort")
_QUOTED = re.compile(r'"[^"]*"')
_SEP_LINE = re.compile(r'\s*"?sep=(.)"?\s*', re.IGNORECASE)
_YEAR = re.compile(r"((?:19|20)\d{2})(?:\.0)?")
#: Rows above the header that hold a title (one filled cell or none): skipped, this many at most.
MOST_TITLE_ROWS = 10
#: Sheets or files read as one table number their rows ``row + k * PART_ROWS`` (the k-th
#: part; a sheet has at most 1,048,576 rows), so that every row stays one number while the
#: readers work; the ledger and the messages give each row as its sheet or file shows it.
PART_ROWS = 10**9
#: Characters that make a file's name a pattern of several files ("nps_*.csv").
PATTERN = ("*", "?")


def is_pattern(source: object) -> bool:
    """True for a path whose file name is a pattern of several files ("nps_*.csv")."""
    return isinstance(source, (str, Path)) and any(c in Path(source).name for c in PATTERN)


@dataclass(frozen=True)
class Parts:
    """The sheets or files a table was read from as one, in order (rows: :data:`PART_ROWS`)."""

    names: tuple[str, ...] = ()
    kind: str = "sheet"  # "sheet" or "file"

    def by_part(self, rows: Sequence[int]) -> list[tuple[str, list[int]]]:
        """Row numbers per sheet or file ("sheet '2025'"), as each shows them; one group
        named "" when the table is one sheet or file."""
        if not self.names:
            return [("", list(rows))]
        split: dict[int, list[int]] = {}
        for row in rows:
            split.setdefault(int(row) // PART_ROWS, []).append(int(row) % PART_ROWS)
        return [(f"{self.kind} {self.names[k]!r}", split[k]) for k in sorted(split)]

    def note(self) -> str:
        """The ledger's note: "read files 'a.csv', 'b.csv' as one table"."""
        more = f" and {len(self.names) - 5} more" if len(self.names) > 5 else ""
        return f"read {self.kind}s {', '.join(map(repr, self.names[:5]))}{more} as one table"

    def row_labels(self, rows: pd.Series) -> pd.Series:
        """``rows`` for a message: the numbers, or "14 in sheet '2025'" when several sheets
        or files were read as one table."""
        if not self.names:
            return rows
        names = np.asarray(self.names, dtype=object)[rows.to_numpy() // PART_ROWS]
        numbers = (rows.to_numpy() % PART_ROWS).astype(str).astype(object)
        where = numbers + f" in {self.kind} '" + names + "'"
        return pd.Series(where, index=rows.index, dtype=object)


@dataclass
class RawTable:
    """Cells as read, plus how they were read."""

    frame: pd.DataFrame  # the file's columns + "_row" (spreadsheet row numbers)
    source: str
    vendor: str  # "qualtrics", "surveymonkey", "plain"
    notes: list[str]
    delimiter: str | None = None
    question_texts: dict[str, str] = field(default_factory=dict)  # column -> question text
    rejected: dict[str, list[int]] = field(default_factory=dict)  # rows unreadable as rows
    sheets_passed_over: str = ""  # a workbook's other sheets, when its first was read unasked
    other_headers: dict[str, list[str]] = field(default_factory=dict)  # those sheets' headers
    title: str = ""  # the text of the rows above the header (a finance sheet's "in TEUR")
    sheet: str = ""  # the workbook's sheet read, when one was
    parts: Parts = field(default_factory=Parts)  # the sheets or files read as one table


def read_raw(
    source: str | Path | pd.DataFrame | Sequence[str | Path],
    vendor: str | None = None,
    sheet: str | Sequence[str] | None = None,
) -> RawTable:
    """Read a path (CSV, TSV, TXT, gzip'd text, XLSX, Parquet) or take a DataFrame.

    Several files (a list, or a pattern such as ``exports/nps_*.csv``) are read as one
    table. ``sheet`` names a workbook's sheet (default: its first), or several, read as
    one table; it is an error for any other source.
    """
    check_choice(vendor, VENDORS, "vendor", "read_responses")
    files = files_of(source)
    if files is not None:
        if len(files) == 1:
            return read_raw(files[0], vendor, sheet)
        if sheet is not None and not isinstance(sheet, str):
            raise ParameterError("sheet= names one sheet (of each workbook) when several files "
                                 f"are read. Got {sheet!r}.")  # fmt: skip
        label = label_of(source, files)
        _check_once([f.name for f in files], "files", label, keys=[f.resolve() for f in files])
        parts = [read_raw(f, vendor, sheet) for f in files]
        return _combine(parts, file_names(files), "file", label)
    if sheet is not None and not isinstance(sheet, str):
        sheet = list(sheet)
        if not sheet or not all(isinstance(s, str) for s in sheet):
            raise ParameterError(f"sheet= takes a sheet's name or a list of them. Got {sheet!r}.")
        if len(sheet) == 1:
            sheet = sheet[0]
    if sheet is not None and not _is_workbook(source):
        where = DATAFRAME if isinstance(source, pd.DataFrame) else Path(source).name
        raise InputError(
            f"{where}: sheet={sheet!r} was given, but only an Excel workbook (.xlsx, .xlsm) "
            "has sheets.",
            source=where,
        )
    if isinstance(source, pd.DataFrame):
        header = [_header_cell(c) for c in source.columns]
        body = source.reset_index(drop=True).set_axis(range(len(header)), axis=1)
        return _assemble(header, body, 2, DATAFRAME, vendor, [])
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{path}: no such file.", source=str(path))
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        # typed columns stay typed: dates as datetime64 (not Python objects), text as Arrow
        frame = pq.read_table(path).to_pandas(
            date_as_object=False, types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get
        )
        body = frame.set_axis(range(frame.shape[1]), axis=1)
        return _assemble([_header_cell(c) for c in frame.columns], body, 2, path.name, vendor, [])
    if suffix == ".xls":
        raise InputError(
            f"{path.name}: the old Excel format (.xls) is not read; save it as .xlsx or CSV.",
            source=path.name,
        )
    if suffix in WORKBOOKS:
        if isinstance(sheet, list):
            return _read_sheets(path, vendor, sheet)
        return _read_excel(path, vendor, sheet)
    return _read_text(path, vendor)


@contextmanager
def naming_other_sheets(passed_over: str) -> Iterator[None]:
    """Add a workbook's other sheets (``RawTable.sheets_passed_over``) to an input error.

    A workbook whose first sheet, read unasked, is a cover or a pivot fails on its
    columns; the error then says which sheets there are and how to choose one. Rows
    rejected under ``strict`` (:class:`~cxvalue.errors.ParseError`) are about the
    sheet read and get nothing added.
    """
    try:
        yield
    except InputError as exc:
        if passed_over and not isinstance(exc, ParseError):
            exc.args = (f"{exc} {passed_over}", *exc.args[1:])
        raise


def _is_workbook(source: object) -> bool:
    return not isinstance(source, pd.DataFrame) and Path(source).suffix.lower() in WORKBOOKS


def _read_excel(path: Path, vendor: str | None, sheet: str | None) -> RawTable:
    """One sheet (the first unless named), every cell as Excel typed it (``00123`` stays text)."""
    with pd.ExcelFile(path) as book:
        sheets = [str(name) for name in book.sheet_names]
        name = sheets[0] if sheet is None else _sheet_named(sheet, sheets, path.name)
        cells = book.parse(name, header=None, dtype=object)
        headers = {} if sheet is not None else {s: _header_of(book, s) for s in sheets[1:]}
    passed_over = ""
    if sheet is None and len(sheets) > 1:
        others = ", ".join(repr(s) for s in sheets[1:])
        passed_over = (
            f"This is the workbook's first sheet, {name!r}; it has {len(sheets) - 1} more "
            f"({others}). sheet= reads another."
        )
    of = f" of {len(sheets)}: {', '.join(repr(s) for s in sheets)}" if len(sheets) > 1 else ""
    notes = [f"read sheet {name!r}{of}"]
    with naming_other_sheets(passed_over):
        if cells.empty:
            raise _empty(path.name)
        above = _title_rows(cells)
        title = _title_cells(cells.iloc[:above].to_numpy().ravel())
        if above:
            notes.append(_title_note(above, title))
        header = [_header_cell(c) for c in cells.iloc[above]]
        body = cells.iloc[above + 1 :].reset_index(drop=True)
        raw = _assemble(header, body, above + 2, path.name, vendor, notes)
    raw.sheets_passed_over = passed_over
    raw.other_headers = {s: header for s, header in headers.items() if header}
    raw.title = " ".join(title)
    raw.sheet = name
    return raw


def files_of(source: object) -> list[Path] | None:
    """The files ``source`` names when it may name several: a list of paths, or a path
    whose file name is a pattern (``exports/nps_*.csv``, matched in name order; in a list
    too); None for one file or a DataFrame."""
    if isinstance(source, (list, tuple)):
        if not source:
            raise ParameterError("An empty list of files was given: name at least one.")
        return [f for item in source for f in (files_of(item) or [Path(item)])]
    if not is_pattern(source):
        return None
    path = Path(source)
    found = sorted(p for p in path.parent.glob(path.name) if p.is_file())
    if not found:
        raise InputError(f"{path}: no file matches.", source=str(path))
    return found


def file_names(files: list[Path]) -> list[str]:
    """The files' names, as the ledger names their rows (whole paths when two folders hold
    files of one name)."""
    names = [f.name for f in files]
    return names if len(set(names)) == len(names) else [str(f) for f in files]


def label_of(source: object, files: list[Path]) -> str:
    """The name several files go by in the ledger and messages: the pattern, or the files'."""
    if not isinstance(source, (list, tuple)):
        return Path(source).name
    names = [f.name for f in files]
    return ", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more"


def _check_once(names: list[str], what: str, source: str, keys: list | None = None) -> None:
    """A sheet or file named twice (``keys`` alike: a file's whole path) would count its
    rows twice: an error."""
    keys = names if keys is None else keys
    twice = sorted({n for n, k in zip(names, keys, strict=True) if keys.count(k) > 1})
    if twice:
        raise ParameterError(f"{source}: {', '.join(map(repr, twice))} named twice in the {what}.")


def _read_sheets(path: Path, vendor: str | None, asked: list[str]) -> RawTable:
    """Several sheets of a workbook as one table (a sheet per year, per wave, per segment)."""
    with pd.ExcelFile(path) as book:
        names = [_sheet_named(s, [str(n) for n in book.sheet_names], path.name) for s in asked]
    _check_once(names, "sheets", path.name)
    parts = [_read_excel(path, vendor, name) for name in names]
    for part in parts:
        part.notes = part.notes[1:]  # (each "read sheet '2025' of 3": said once, for all)
    return _combine(parts, names, "sheet", path.name)


def _combine(parts: list[RawTable], names: list[str], kind: str, source: str) -> RawTable:
    """Sheets or files as one table: their rows one after the other, numbered as
    :data:`PART_ROWS` says. A column one part lacks is blank in its rows. Parts of
    different exports (a Qualtrics file and a plain one) or whose titles name different
    units are an error."""
    for what, of in (("exports of different kinds", lambda p: p.vendor),
                     ("in different units", lambda p: _unit_of(p.title))):  # fmt: skip
        if len({of(p) for p in parts}) > 1:
            shown = ", ".join(f"{n!r} ({of(p)})" for n, p in zip(names, parts, strict=True))
            raise InputError(
                f"{source}: the {kind}s are {what}: {shown}. Read them one at a time.",
                source=source,
            )
    frame = pd.concat(
        [p.frame.assign(_row=p.frame["_row"] + k * PART_ROWS) for k, p in enumerate(parts)],
        ignore_index=True,
    )
    rejected: dict[str, list[int]] = {}
    for k, part in enumerate(parts):
        for reason, rows in part.rejected.items():
            rejected.setdefault(reason, []).extend(r + k * PART_ROWS for r in rows)
    notes = [Parts(tuple(names), kind).note()]
    notes += list(dict.fromkeys(n for p in parts for n in p.notes))
    delimiters = {p.delimiter for p in parts}
    return RawTable(
        frame, source, parts[0].vendor, notes,
        delimiter=delimiters.pop() if len(delimiters) == 1 else None,
        question_texts={k: v for p in parts for k, v in p.question_texts.items()},
        rejected=rejected, title=" ".join(dict.fromkeys(p.title for p in parts if p.title)),
        parts=Parts(tuple(names), kind),
    )  # fmt: skip


def _unit_of(title: str) -> str:
    """The unit a sheet's title names its amounts in ("thousands"), or "units"."""
    unit = amount_unit([title])
    return "units" if unit is None else unit[1]


def _header_of(book: pd.ExcelFile, sheet: str) -> list[str]:
    """A sheet's header cells, below any title rows (none for an empty sheet)."""
    cells = book.parse(sheet, header=None, dtype=object, nrows=MOST_TITLE_ROWS + 2)
    return [] if cells.empty else [_header_cell(c) for c in cells.iloc[_title_rows(cells)]]


def _sheet_named(sheet: str, sheets: list[str], source: str) -> str:
    """The workbook's sheet called ``sheet`` (case and outer spaces aside), or an error."""
    by_key = {s.strip().casefold(): s for s in sheets}
    if sheet.strip().casefold() in by_key:
        return by_key[sheet.strip().casefold()]
    near = nearest(sheet, sheets)
    raise InputError(
        f"{source}: no sheet {sheet!r}. Its sheets: {', '.join(repr(s) for s in sheets)}."
        + (f" Nearest: {near!r}." if near else ""),
        source=source,
    )


def _header_cell(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""  # (NaT has a strftime that raises: a blank date cell in the first rows)
    if isinstance(value, pd.Timestamp) or hasattr(value, "strftime"):
        return pd.Timestamp(value).strftime("%Y-%m-%d")  # a month column from Excel
    return str(value).strip()


def _decode(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, "UTF-8 with BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
    try:
        return data.decode("cp1252"), "cp1252 (Windows; not valid UTF-8)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1 (neither UTF-8 nor cp1252)"


def _delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    # the delimiter the most lines have the same number of: the header's and the rows'
    # (a title above them has none, or a comma in its words)
    lines = [_QUOTED.sub("", line)
             for line in _first_lines(text.lstrip("\r\n"), MOST_TITLE_ROWS + 3)]  # fmt: skip
    best, most = ",", (0, 0)
    for delimiter in (",", ";", "\t", "|"):
        counts = Counter(n for line in lines if (n := line.count(delimiter)))
        if counts:
            per_line, lines_with_it = max(counts.items(), key=lambda item: (item[1], item[0]))
            if (lines_with_it, per_line) > most:
                best, most = delimiter, (lines_with_it, per_line)
    return best


def _read_text(path: Path, vendor: str | None) -> RawTable:
    data = path.read_bytes()
    inner = path
    if path.suffix.lower() == ".gz":
        data, inner = gzip.decompress(data), Path(path.stem)
    text, encoding = _decode(data)
    if not text.strip():
        raise _empty(path.name)
    hint = _SEP_LINE.fullmatch(_first_lines(text, 1)[0])  # Excel's "sep=;" first line
    delimiter = hint[1] if hint else _delimiter(text, inner.suffix.lower())
    notes = [f"read as {encoding}, separated by {_delimiter_name(delimiter)}"
             + (f" (its first line, {hint[0].strip()}, says so)" if hint else "")]  # fmt: skip
    lines = int(bool(hint))  # lines above the header: the sep= line, then any title
    lines += _title_lines(_after_lines(text, lines), delimiter)
    titles = _first_lines(text, lines)[int(bool(hint)) :]
    text = _after_lines(text, lines)
    rejected: dict[str, list[int]] = {}
    try:
        cells = _read_arrow(text, delimiter)
    except (pa.ArrowInvalid, StopIteration):  # ragged or short rows: the forgiving readers
        try:
            cells = pd.read_csv(
                io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                na_filter=False, skip_blank_lines=False, engine="c",
            ).fillna("")  # fmt: skip
        except pd.errors.ParserError:
            cells, rejected = _read_ragged(text, delimiter)
        cells = cells.astype(TEXT)
    above = _title_rows(cells)
    title = _title_cells([*titles, *cells.iloc[:above].to_numpy().ravel()])
    if len(titles) + above:
        notes.append(_title_note(len(titles) + above, title))
    header = [str(c).strip() for c in cells.iloc[above]]
    first = lines + above + 2
    rejected = {reason: [r + lines for r in rows] for reason, rows in rejected.items()}
    raw = _assemble(
        header, cells.iloc[above + 1 :].reset_index(drop=True), first, path.name, vendor,
        notes, delimiter=delimiter, rejected=rejected,
    )  # fmt: skip
    raw.title = " ".join(title)
    return raw


def _first_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` (without their line ends), not copying the rest."""
    lines, start = [], 0
    while len(lines) < n and start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        lines.append(text[start:end])
        start = end + 1
    return lines


def _after_lines(text: str, n: int) -> str:
    """``text`` after its first ``n`` lines."""
    return text[sum(len(line) + 1 for line in _first_lines(text, n)) :] if n else text


def _title_lines(text: str, delimiter: str) -> int:
    """Leading lines without the delimiter (a title, a blank line) above a line with it."""
    lines = _first_lines(text, MOST_TITLE_ROWS + 1)
    with_it = [k for k, line in enumerate(lines) if delimiter in line]
    return with_it[0] if with_it and with_it[0] < len(lines) - 1 else 0


def _title_rows(cells: pd.DataFrame) -> int:
    """Leading rows with one filled cell at most (a title, a blank row) above the header,
    a row with two or more."""
    if cells.shape[1] < 2:
        return 0
    head = cells.iloc[: MOST_TITLE_ROWS + 1]
    filled = (~head.apply(is_blank)).sum(axis=1).to_numpy()
    wide = [k for k, n in enumerate(filled) if n >= 2]
    return wide[0] if wide and wide[0] < len(cells) - 1 else 0


def _title_cells(cells: Iterable[object]) -> list[str]:
    """The filled cells of the rows above the header (a title's words)."""
    return [text for c in cells if not pd.isna(c) and (text := str(c).strip(' "\r;,\t'))]


def _title_note(rows: int, title: list[str]) -> str:
    """The ledger's note on title rows skipped, quoting the title's first cell."""
    what = f" (a title: {title[0]!r})" if title else ""
    return f"{rows} row{'s' if rows > 1 else ''} above the header skipped{what}"


def _read_arrow(text: str, delimiter: str) -> pd.DataFrame:
    """Every cell as an Arrow string, read in parallel; blank lines stay (as empty rows)."""
    width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    table = pcsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pcsv.ReadOptions(autogenerate_column_names=True),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(width)},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )  # fmt: skip
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    return frame.set_axis(range(width), axis=1)


def _read_ragged(text: str, delimiter: str) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Slow path for files whose rows have more cells than the header."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = len(rows[0])
    long = [i + 1 for i, r in enumerate(rows) if len(r) > width]
    rows = [r[:width] if len(r) > width else r + [""] * (width - len(r)) for r in rows]
    cells = pd.DataFrame(rows, dtype=object)
    reason = "more cells than the header has columns (check quoting and delimiter)"
    return cells, {reason: long}


def _delimiter_name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}[delimiter]


def _assemble(
    header: list[str],
    body: pd.DataFrame,
    first_row: int,
    source: str,
    vendor: str | None,
    notes: list[str],
    *,
    delimiter: str | None = None,
    rejected: dict[str, list[int]] | None = None,
) -> RawTable:
    """Recognise the vendor on the header, drop its extra header rows, name the columns."""
    if banded := _year_band(header, body):
        header, body, first_row = banded, body.iloc[1:].reset_index(drop=True), first_row + 1
        months = [h for h in header if parse_month_label(h) is not None]
        notes = [*notes, f"two header rows, years above months: read as {months[0]!r} to "
                         f"{months[-1]!r}"]  # fmt: skip
    peek = [[_header_cell(c) for c in body.iloc[i]] for i in range(min(2, len(body)))]
    detected, extra = _detect_vendor(header, peek, vendor)
    names, questions = _column_names(header, peek, detected)
    rows = pd.RangeIndex(first_row, first_row + len(body))
    frame = body.iloc[extra:].set_axis(names, axis=1).assign(_row=rows[extra:])
    rejected = dict(rejected or {})
    unreadable = frame["_row"].isin([r for rs in rejected.values() for r in rs])
    blank = pd.Series(True, index=frame.index)
    for name in names:  # narrowing down: only rows blank so far are looked at again
        candidates = blank[blank].index
        blank[candidates] = is_blank(frame.loc[candidates, name])
    blank &= ~unreadable
    if blank.any():
        n = int(blank.sum())
        notes = [*notes, f"{n} blank line{'s' if n > 1 else ''} skipped (not data rows)"]
    keep = ~blank & ~unreadable
    if not keep.all():  # on a clean extract of millions of rows, skip the copy
        frame = frame.loc[keep]
    frame = frame.set_axis(pd.RangeIndex(len(frame)), axis=0, copy=False)
    if detected != "plain":
        notes = [f"{detected} export: {1 + extra} header rows", *notes]
    if frame.empty and unreadable.any():
        raise InputError(
            f"{source}: every row has more cells than the header has columns. "
            "Check the delimiter and the quoting of the file.",
            source=source,
        )
    if frame.empty:
        raise _empty(source)
    return RawTable(frame, source, detected, notes, delimiter, questions, rejected)


def _year_band(header: list[str], body: pd.DataFrame) -> list[str] | None:
    """A finance sheet's two header rows, years above months (``2024`` over ``Jan``,
    ``Feb``, …, often merged), as one header (``Jan 2024``, ``Feb 2024``, …); None when
    the header is not such a band."""
    years = [_YEAR.fullmatch(h) for h in header]
    first = next((i for i, y in enumerate(years) if y), None)
    if first is None or len(body) < 2:
        return None
    if any(h and not y for h, y in zip(header[first:], years[first:], strict=True)):
        return None  # a column after the first year that is not one
    below = [_header_cell(c) for c in body.iloc[0]]
    if any(below[:first]):  # the row below names no customer: it is a header, not data
        return None
    merged, year = list(header[:first]), ""
    for y, cell in zip(years[first:], below[first:], strict=True):
        year = y[1] if y else year
        merged.append(f"{int(cell):02d}/{year}" if cell.isdigit() else f"{cell} {year}".strip())
    months = sum(parse_month_label(h) is not None for h in merged[first:])
    return merged if months >= 2 else None


def _detect_vendor(header: list[str], peek: list[list[str]], vendor: str | None) -> tuple[str, int]:
    """The vendor and how many of the body's first rows are further header rows."""
    import_ids = len(peek) > 1 and any(c.startswith('{"ImportId"') for c in peek[1])
    names = {h.lower() for h in header}
    labels = set(peek[0]) if peek else set()
    if vendor is None:
        if import_ids or ("responseid" in names and "Response ID" in labels):
            vendor = "qualtrics"
        elif names & {"respondent id", "befragten-id"} or labels & set(_SM_SUBLABELS):
            vendor = "surveymonkey"
        else:
            vendor = "plain"
    extra = {"qualtrics": 1 + import_ids, "surveymonkey": 1}.get(vendor, 0)
    return vendor, min(extra, len(peek))


def _column_names(
    header: list[str], peek: list[list[str]], vendor: str
) -> tuple[list[str], dict[str, str]]:
    if vendor == "qualtrics" and peek:
        names = _unique(header)
        return names, dict(zip(names, peek[0], strict=False))
    if vendor == "surveymonkey" and peek:
        names, current = [], ""
        for top, sub in zip(header, peek[0], strict=False):
            current = top or current
            names.append(f"{current} - {sub}" if sub and not top and sub not in _SM_SUBLABELS
                         else top or current)  # fmt: skip
        names = _unique(names)
        return names, {n: n for n in names}
    return _unique(header), {}


#: The name of a column whose header cell is blank.
UNNAMED = "unnamed"


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name or UNNAMED
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _empty(source: str) -> EmptyInputError:
    return EmptyInputError(
        f"{source} has no rows: only a header (or nothing) was found. "
        "Check that the export contains responses or revenue lines.",
        source=source,
    )
