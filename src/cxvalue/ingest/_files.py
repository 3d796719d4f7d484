"""Reading an extract into a frame of raw cells, with spreadsheet row numbers.

CSV-like files are read as text, every cell a string, so that nothing is
coerced before the parsers look at it (``00123`` stays ``00123``). Survey
exports with extra header rows (Qualtrics: three, SurveyMonkey: two) are
recognised here.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxvalue.errors import EmptyInputError, InputError

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
DATAFRAME = "<DataFrame>"


@dataclass
class RawTable:
    """Cells as read, plus how they were read."""

    frame: pd.DataFrame  # the file's columns + "_row" (spreadsheet row numbers)
    source: str
    vendor: str  # "qualtrics", "surveymonkey", "plain"
    notes: list[str]
    delimiter: str | None = None
    question_texts: dict[str, str] | None = None  # column -> question (survey exports)


def read_raw(source: str | Path | pd.DataFrame, vendor: str | None = None) -> RawTable:
    """Read a path (CSV, TSV, gzip'd CSV, XLSX, Parquet) or take a DataFrame."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        frame.columns = [str(c) for c in frame.columns]
        frame["_row"] = range(2, len(frame) + 2)
        return _checked(RawTable(frame, DATAFRAME, vendor or "plain", []))
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: no such file.", source=str(path))
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".parquet"]:
        return _from_frame(pd.read_parquet(path), path.name, vendor)
    if suffixes[-1:] in ([".xlsx"], [".xlsm"], [".xls"]):
        return _from_frame(pd.read_excel(path, dtype=object), path.name, vendor)
    return _read_text(path, vendor)


def _from_frame(frame: pd.DataFrame, name: str, vendor: str | None) -> RawTable:
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    frame["_row"] = range(2, len(frame) + 2)
    return _checked(RawTable(frame, name, vendor or "plain", []))


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        bom = encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf")
        return text, ("UTF-8 with BOM" if bom else "UTF-8" if encoding == "utf-8-sig" else encoding)
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def _read_text(path: Path, vendor: str | None) -> RawTable:
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        data = gzip.decompress(data)
    text, encoding = _decode(data)
    inner_suffix = Path(path.stem).suffix.lower() if path.suffix.lower() == ".gz" else path.suffix
    delimiter = _delimiter(text, inner_suffix.lower())
    cells = pd.read_csv(
        io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
        na_filter=False, skip_blank_lines=True, engine="c",
    )
    if cells.empty:
        raise EmptyInputError(f"{path.name} is empty: it has no header and no rows.", source=path.name)
    head = [list(cells.iloc[i]) for i in range(min(3, len(cells)))]
    detected = vendor or _detect_vendor(head)
    header_rows = {"qualtrics": 3, "surveymonkey": 2}.get(detected, 1)
    names, questions = _column_names(head, detected)
    frame = cells.iloc[header_rows:].reset_index(drop=True)
    frame.columns = names
    frame["_row"] = range(header_rows + 1, header_rows + 1 + len(frame))
    notes = [f"read as {encoding}, separated by {_name(delimiter)}"]
    if detected != "plain":
        notes.insert(0, f"{detected} export: {header_rows} header rows")
    table = RawTable(frame, path.name, detected, notes, delimiter, questions)
    return _checked(table)


def _name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}[delimiter]


def _detect_vendor(rows: list[list[str]]) -> str:
    if len(rows) >= 3 and any(c.strip().startswith('{"ImportId"') for c in rows[2]):
        return "qualtrics"
    if len(rows) >= 2 and (
        "Respondent ID" in rows[0]
        or any(c.strip() in ("Response", "Open-Ended Response") for c in rows[1])
    ):
        return "surveymonkey"
    return "plain"


def _column_names(rows: list[list[str]], vendor: str) -> tuple[list[str], dict[str, str] | None]:
    first = [c.strip() for c in rows[0]]
    if vendor == "qualtrics":
        questions = dict(zip(first, (c.strip() for c in rows[1]), strict=False))
        return _unique(first), questions
    if vendor == "surveymonkey":
        names, current = [], ""
        for top, sub in zip(first, [c.strip() for c in rows[1]], strict=False):
            current = top or current
            if sub and sub not in ("Response", "Open-Ended Response") and not top:
                names.append(f"{current} - {sub}")
            else:
                names.append(top or current)
        return _unique(names), {n: n for n in names}
    return _unique(first), None


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name or "unnamed"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _checked(table: RawTable) -> RawTable:
    if table.frame.empty:
        raise EmptyInputError(
            f"{table.source} has no rows: only a header was found. "
            "Check that the export contains responses or revenue lines.",
            source=table.source,
        )
    return table

