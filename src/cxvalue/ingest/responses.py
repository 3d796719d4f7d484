"""Reading survey responses: Qualtrics, SurveyMonkey and plain files."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from cxvalue._categories import CODES, DETRACTOR, PASSIVE, PROMOTER
from cxvalue.errors import ColumnError, DataWarning
from cxvalue.ingest._columns import find_column
from cxvalue.ingest._common import (
    IngestResult,
    finish,
    parsed,
    rest_columns,
    take_amounts,
    take_dates,
    take_ids,
    warn_if_sheets_alike,
)
from cxvalue.ingest._files import RawTable, naming_other_sheets, read_raw
from cxvalue.ingest._tracker import Tracker
from cxvalue.ingest._typed import dictionary_codes
from cxvalue.ingest.parsing import IDS, TEXT, by_unique, flag, parse_scores, text_of
from cxvalue.ingest.scale import Scale

_RECOMMEND = re.compile(
    r"how likely.*recommend|recommend.*(friend|colleague)|likelihood to recommend"
    r"|recommend(ation)? score|\bltr\b|weiterempfehl|empfehlungsbereitschaft"
    r"|\bnps\b\s*(score|rating|\(\s*0\s*[-–]\s*10\s*\))",
    re.IGNORECASE,
)
_GROUP = re.compile(r"_NPS_GROUP$", re.IGNORECASE)
# Qualtrics writes the NPS group as a label, or as 1/2/3 in numeric exports.
_GROUPS = {"promoter": PROMOTER, "passive": PASSIVE, "detractor": DETRACTOR,
           "3": PROMOTER, "2": PASSIVE, "1": DETRACTOR}  # fmt: skip
# Qualtrics "Status" (Response Type): labels, or numeric codes in numeric exports.
_NOT_RESPONSES = {
    "survey preview": "survey preview (not a response)", "1": "survey preview (not a response)",
    "offline survey preview": "survey preview (not a response)",
    "17": "survey preview (not a response)",
    "survey test": "survey test (not a response)", "2": "survey test (not a response)",
}  # fmt: skip
_PLAIN_NUMBER = r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$"


def read_responses(
    source: str | Path | pd.DataFrame | Sequence[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
    scale: Scale | None = None,
    vendor: str | None = None,
    sheet: str | Sequence[str] | None = None,
) -> IngestResult:
    """Read survey responses into the canonical responses table.

    Parameters
    ----------
    source : path, list of paths or DataFrame
        CSV/TSV/TXT (optionally gzip'd), XLSX or Parquet, or a DataFrame
        (its row numbers are then index position + 2). Qualtrics and
        SurveyMonkey exports are recognised by their header rows. Several files
        (a list, or a pattern such as ``exports/nps_*.csv``) are read as one table
        (a survey export per month); the ledger names each row's file.
    columns : mapping, optional
        Canonical name → the file's column, e.g. ``{"customer_id": "Account Number"}``
        (``customer_id``, ``responded_at``, ``score``, ``response_id``, ``weight``).
        Unmapped columns are found by name; the NPS question of a survey
        export by its question text ("How likely … recommend").
    dayfirst : bool, optional
        How to read slash dates when the values leave it open (``03/04/2025``).
    strict : bool
        Raise on any rejected row (:class:`~cxvalue.errors.ParseError` for a
        cell that cannot be read, else :class:`~cxvalue.errors.InputError`)
        instead of recording it in the ledger.
    scale : Scale, optional
        The score's scale; 0–10 NPS by default.
    vendor : {"qualtrics", "surveymonkey", "plain"}, optional
        Override the detected export format.
    sheet : str or list of str, optional
        The sheet of an Excel workbook to read (default: its first). A list reads
        those sheets as one table (a sheet per survey wave); the ledger names each row's sheet.

    Returns
    -------
    IngestResult
        ``.table``: customer_id, responded_at, score, category, response_id,
        weight, then the file's other columns (numeric ones as float64).
        Qualtrics previews, tests and unfinished responses, blank scores
        (non-answers), out-of-range scores, scores that disagree with a
        ``…_NPS_GROUP`` column and repeated response ids (the first is kept)
        are rejected, each with its reason in ``.ledger``.

    Examples
    --------
    >>> result = read_responses("responses.csv")  # doctest: +SKIP
    >>> print(result.ledger)  # doctest: +SKIP
    responses.csv (qualtrics): 1,204 read, 1,180 kept, 24 rejected
    """
    asked_scale, scale = scale, scale or Scale.nps()
    raw = read_raw(source, vendor, sheet)
    with naming_other_sheets(raw.sheets_passed_over):
        tracker = Tracker(raw, "responses")
        warn_if_sheets_alike(tracker, raw)
        if raw.vendor == "qualtrics":
            _drop_qualtrics_non_responses(tracker)
        names = list(raw.frame.columns)
        find = {"mapping": columns, "source": raw.source}
        group_col = next((c for c in names if _GROUP.search(str(c))), None)
        score_col = _score_column(raw, columns, exclude=[group_col] if group_col else [])
        id_col = find_column(names, "customer_id", **find)
        date_col = find_column(names, "responded_at", **find)
        rid_col = find_column(names, "response_id", **find, required=False)
        weight_col = find_column(names, "weight", **find, required=False)

        take_ids(tracker, id_col)
        take_dates(tracker, date_col, "responded_at", dayfirst=dayfirst)
        _take_scores(tracker, score_col, scale)
        if asked_scale is None:
            _warn_if_one_to_five(tracker, score_col)
        if group_col and scale == Scale.nps():
            _cross_check_group(tracker, group_col, score_col, scale)
        category_col = _category_column(tracker, names)
        if category_col:  # e.g. a canonical table read back: the same check
            _cross_check_group(tracker, category_col, score_col, scale)
        if weight_col:
            _take_weights(tracker, weight_col, raw.delimiter)
        if rid_col:
            rid = text_of(tracker.frame[rid_col])
            tracker.put(parsed("response_id"), rid)
            tracker.reject(_repeated_text(rid), "duplicate response_id", rid_col)
        used = {id_col, date_col, score_col, rid_col, weight_col, category_col}
        table = _table(tracker, scale, rid_col, used)
        return finish(tracker, table, strict=strict)


#: Answers, at least, before the scale they are read on is questioned.
QUESTION_SCALE_AFTER = 30


def _warn_if_one_to_five(tracker: Tracker, score_col: str) -> None:
    """Warn when every score read on the default NPS scale lies within 1-5: a 1-5
    satisfaction score read so makes every answer a detractor."""
    scores = tracker.frame[parsed("score")]
    if len(scores) >= QUESTION_SCALE_AFTER and scores.min() >= 1 and scores.max() <= 5:
        warnings.warn(
            DataWarning(
                f"{tracker.source}: every score in {score_col!r} is between 1 and 5; on the "
                "NPS scale (0-10) each is a detractor. If it is a 1-5 satisfaction score, read "
                "it with scale=Scale.csat() (1-2 detractor, 3 passive, 4-5 promoter); in a "
                'report\'s config, scale = "csat" under [inputs.responses]; in `cxvalue nps`, '
                "--scale csat.",
                key="one_to_five", source=tracker.source, column=score_col,
            ),
            stacklevel=3,
        )  # fmt: skip


def _table(tracker: Tracker, scale: Scale, rid_col: str | None, used: set) -> pd.DataFrame:
    frame = tracker.frame
    rid = (frame[parsed("response_id")].replace("", None).astype(TEXT) if rid_col
           else pd.Series(pd.NA, index=frame.index, dtype=TEXT))  # fmt: skip
    score = frame[parsed("score")]
    out = pd.DataFrame(
        {
            "customer_id": frame[parsed("customer_id")].astype(IDS),
            "responded_at": frame[parsed("responded_at")].astype("datetime64[ns]"),
            "score": score.astype("int64"),
            "category": pd.Series(_categories(scale, score), index=frame.index, dtype=object),
            "response_id": rid,
            "weight": frame[parsed("weight")] if parsed("weight") in frame else 1.0,
        },
        index=frame.index,
    ).astype({"weight": "float64"})
    for name in rest_columns(frame, used):
        kept = name if name not in out.columns else f"{name} (file)"
        if kept != name:  # a file column named like a canonical one
            tracker.notes.append(f"the file's column {name!r} is kept as {kept!r}")
        out[kept] = _as_numbers_if_numeric(frame[name])
    return out


def _drop_qualtrics_non_responses(tracker: Tracker) -> None:
    if "Status" in tracker.frame:
        status = text_of(tracker.frame["Status"]).str.lower()
        for reason in dict.fromkeys(_NOT_RESPONSES.values()):
            codes = [k for k, v in _NOT_RESPONSES.items() if v == reason]
            tracker.reject(status.isin(codes), reason, "Status")
    if "Finished" in tracker.frame:
        finished = text_of(tracker.frame["Finished"]).str.lower()
        tracker.reject(
            finished.isin(["false", "0", "0.0"]), "unfinished response (Finished = False)",
            "Finished",
        )  # fmt: skip


def _score_column(raw: RawTable, columns: Mapping[str, str] | None, exclude: list[str]) -> str:
    names = list(raw.frame.columns)
    found = find_column(names, "score", mapping=columns, source=raw.source, required=False,
                        exclude=exclude)  # fmt: skip
    if found:
        return found
    # the question's text: a vendor's question row, or the header itself (Google Forms)
    texts = raw.question_texts or {c: c for c in names}
    by_text = [c for c, q in texts.items()
               if c in names and c not in exclude and _RECOMMEND.search(str(q))]  # fmt: skip
    if len(by_text) > 1:
        raise ColumnError(
            f"{raw.source}: {len(by_text)} questions ask about recommending: "
            f"{', '.join(by_text)}. Pass columns={{'score': ...}} to say which is the NPS "
            "question.",
            source=raw.source, column="score", found=names, nearest=by_text[0],
        )  # fmt: skip
    if by_text:
        return by_text[0]
    return str(find_column(names, "score", mapping=columns, source=raw.source, exclude=exclude))


def _take_scores(tracker: Tracker, column: str, scale: Scale) -> None:
    scores, reasons = parse_scores(tracker.frame[column])
    expected = f"whole numbers {scale.low}–{scale.high}, e.g. 9 or '10 - Extremely likely'"
    for reason in reasons.dropna().unique():
        failing = (None if reason.startswith("no score")
                   else ("value is not a score", "values are not scores"))  # fmt: skip
        tracker.reject(reasons.eq(reason), reason, column, failing=failing, expected=expected,
                       canonical="score")  # fmt: skip
    out_of_range = (scores < scale.low) | (scores > scale.high)
    _warn_if_off_the_scale(tracker, column, scale, scores, out_of_range)
    tracker.reject(
        out_of_range, f"score out of range {scale.low}–{scale.high}", column,
        failing=("score is out of range", "scores are out of range"), expected=expected,
        canonical="score",
    )  # fmt: skip
    tracker.put(parsed("score"), scores)


#: Above this share of scores outside the scale given, the scale is questioned.
OFF_SCALE_SHARE = 0.1


def _warn_if_off_the_scale(
    tracker: Tracker, column: str, scale: Scale, scores: pd.Series, off: pd.Series
) -> None:
    """Warn when many scores lie outside the scale: an NPS question read as a 1-5 CSAT
    loses its 0 and 6-10 answers to the ledger, and the rest read as the wrong categories."""
    n = int(scores.notna().sum())
    if n < QUESTION_SCALE_AFTER or off.sum() <= OFF_SCALE_SHARE * n:
        return
    low, high = int(scores.min()), int(scores.max())
    warnings.warn(
        DataWarning(
            f"{tracker.source}: {int(off.sum()):,} of {n:,} scores in {column!r} "
            f"({off.sum() / n:.0%}) lie outside {scale.low}-{scale.high}, the scale they are "
            f"read on; they run from {low} to {high}. Is the scale right? Scores outside it "
            "are rejected.",
            key="off_scale", source=tracker.source, column=column, off=int(off.sum()), n=n,
            share=off.sum() / n, scale_low=scale.low, scale_high=scale.high, low=low, high=high,
        ),
        stacklevel=4,
    )  # fmt: skip


def _category_column(tracker: Tracker, names: list[str]) -> str | None:
    """A column named ``category`` holding only category names (else it is just kept)."""
    column = next((c for c in names if str(c).strip().lower() == "category"), None)
    if column is None:
        return None
    stated = pd.Series(pd.unique(text_of(tracker.frame[column])), dtype=TEXT).str.lower()
    known = flag(stated.isin([PROMOTER, PASSIVE, DETRACTOR]) | stated.eq(""))
    return column if known.all() else None


def _cross_check_group(tracker: Tracker, column: str, score_col: str, scale: Scale) -> None:
    """Reject scores whose category disagrees with the one ``column`` states (if any)."""
    frame = tracker.frame
    stated = by_unique(text_of(frame[column]), _stated_categories)
    implied = _category_numbers(scale, frame[parsed("score")])
    tracker.reject(stated.ne(-1) & stated.ne(implied), f"score disagrees with {column}", score_col)
    tracker.notes.append(f"scores cross-checked against {column}")


def _stated_categories(text: pd.Series) -> pd.Series:
    """The category stripped cells state (``Promoter``, ``3``, ``3.0``) as its code
    (:data:`cxvalue._categories.CODES`), -1 where they state none.

    Meant for a column's distinct values (:func:`by_unique`): a few labels, millions of rows.
    """
    stated = text.str.lower().str.replace(r"\.0$", "", regex=True).astype(object).map(_GROUPS)
    return stated.map(CODES).fillna(-1).astype("int8")


def _score_offsets(scale: Scale, scores: pd.Series) -> np.ndarray:
    """Kept scores (whole numbers in range) as positions 0, 1, … on the scale."""
    return scores.to_numpy().astype("int64") - scale.low


def _categories(scale: Scale, scores: pd.Series) -> np.ndarray:
    """``scale.categories`` of kept scores, looked up by score (no per-row strings made)."""
    every = scale.categories(np.arange(scale.low, scale.high + 1))
    return every[_score_offsets(scale, scores)]


def _category_numbers(scale: Scale, scores: pd.Series) -> np.ndarray:
    """The category of kept scores as its code (:data:`cxvalue._categories.CODES`)."""
    every = scale.categories(np.arange(scale.low, scale.high + 1))
    return np.array([CODES[c] for c in every], dtype="int8")[_score_offsets(scale, scores)]


def _repeated_text(text: pd.Series) -> pd.Series:
    """``text.ne("") & text.duplicated()``: the second and later of each non-blank value.

    ``text`` is stripped Arrow-backed text (:func:`text_of`). The values are numbered in
    Arrow and the repeats found among the numbers: hashing millions of strings this way
    is several times faster than ``duplicated`` on the strings.
    """
    _, codes = dictionary_codes(pa.array(text.array))
    repeated = pd.Series(codes, index=text.index).duplicated(keep="first")
    return flag(text.ne("")) & repeated


def _take_weights(tracker: Tracker, column: str, delimiter: str | None) -> None:
    take_amounts(tracker, column, "weight", delimiter=delimiter, canonical="weight")
    tracker.reject(tracker.frame[parsed("weight")] < 0, "weight is negative", column,
                   failing=("weight is negative", "weights are negative"),
                   expected="weights of 0 or more", canonical="weight")  # fmt: skip


def _as_numbers_if_numeric(values: pd.Series) -> pd.Series:
    """A kept column as float64 when every filled cell is a plain number (csat, progress),
    else as text (``string``, ``<NA>`` where blank). Codes with leading zeros (``007``)
    stay text; dates from a spreadsheet stay dates.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = text_of(values)
    filled = flag(text.ne(""))  # is_blank(values), from the text already at hand
    if filled.any() and flag(text[filled].str.match(_PLAIN_NUMBER)).all():
        return pd.to_numeric(text.astype(object).where(filled, None)).astype("float64")
    return _as_string(values, filled)


def _as_string(values: pd.Series, filled: pd.Series) -> pd.Series:
    """Cells as text, ``<NA>`` where not ``filled``."""
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = values.astype(object).where(values.notna(), None).map(str, na_action="ignore")
    return values.astype(TEXT).where(filled, pd.NA)
