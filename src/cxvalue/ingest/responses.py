"""Reading survey responses: Qualtrics, SurveyMonkey and plain files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue._validation import check_param
from cxvalue.errors import ColumnError
from cxvalue.ingest._columns import find_column
from cxvalue.ingest._common import IngestResult, finish, new_tracker, rest_columns, take_dates, take_ids
from cxvalue.ingest._files import RawTable, read_raw
from cxvalue.ingest.parsing import parse_amounts, parse_scores

_RECOMMEND = re.compile(r"how likely.*recommend|recommend.*friend|weiterempfehlen", re.IGNORECASE)
_GROUPS = {"promoter": PROMOTER, "passive": PASSIVE, "detractor": DETRACTOR,
           "3": PROMOTER, "2": PASSIVE, "1": DETRACTOR}  # Qualtrics codes 1/2/3  # fmt: skip


@dataclass(frozen=True)
class Scale:
    """A survey scale and its category cut-points (inclusive ranges).

    Examples
    --------
    >>> Scale.nps().category(9)
    'promoter'
    >>> csat = Scale(1, 5, detractor=(1, 2), passive=(3, 3), promoter=(4, 5))
    >>> csat.category(3)
    'passive'
    """

    low: int = 0
    high: int = 10
    detractor: tuple[int, int] = (0, 6)
    passive: tuple[int, int] = (7, 8)
    promoter: tuple[int, int] = (9, 10)

    def __post_init__(self) -> None:
        covered = sorted(
            v for lo, hi in (self.detractor, self.passive, self.promoter) for v in range(lo, hi + 1)
        )
        check_param(
            covered == list(range(self.low, self.high + 1)), "scale", "Scale",
            f"cut-points that cover {self.low}–{self.high} once each", covered,
        )

    @classmethod
    def nps(cls) -> Scale:
        """The 0–10 likelihood-to-recommend scale (0–6, 7–8, 9–10)."""
        return cls()

    def category(self, score: int) -> str:
        """The category of one score."""
        return str(self.categories(np.array([score]))[0])

    def categories(self, scores: np.ndarray) -> np.ndarray:
        """Categories of an array of in-range scores."""
        out = np.full(len(scores), DETRACTOR, dtype=object)
        out[(scores >= self.passive[0]) & (scores <= self.passive[1])] = PASSIVE
        out[(scores >= self.promoter[0]) & (scores <= self.promoter[1])] = PROMOTER
        return out


def read_responses(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    strict: bool = False,
    scale: Scale | None = None,
    vendor: str | None = None,
) -> IngestResult:
    """Read survey responses into the canonical responses table.

    Parameters
    ----------
    source : path or DataFrame
        CSV/TSV (optionally gzip'd), XLSX or Parquet; Qualtrics and
        SurveyMonkey exports are recognised by their header rows.
    columns : mapping, optional
        Canonical name → the file's column, e.g. ``{"customer_id": "Account Number"}``.
        Unmapped columns are found by name; the NPS question of a Qualtrics
        export by its question text.
    dayfirst : bool, optional
        How to read slash dates when the values leave it open (``03/04/2025``).
    strict : bool
        Raise on any rejected row instead of recording it in the ledger.
    scale : Scale, optional
        The score's scale; 0–10 NPS by default.
    vendor : {"qualtrics", "surveymonkey", "plain"}, optional
        Override the detected export format.

    Returns
    -------
    IngestResult
        ``.table`` with customer_id, responded_at, score, category,
        response_id, weight and the remaining columns; ``.ledger``.
    """
    scale = scale or Scale.nps()
    raw = read_raw(source, vendor)
    tracker = new_tracker(raw, "responses")
    if raw.vendor == "qualtrics":
        _drop_qualtrics_non_responses(tracker)
    names = list(raw.frame.columns)
    score_col = _score_column(raw, columns)
    id_col = find_column(names, "customer_id", mapping=columns, source=raw.source)
    date_col = find_column(names, "responded_at", mapping=columns, source=raw.source)
    rid_col = find_column(names, "response_id", mapping=columns, source=raw.source, required=False)
    weight_col = find_column(names, "weight", mapping=columns, source=raw.source, required=False)

    take_ids(tracker, id_col)
    take_dates(tracker, date_col, "responded_at", dayfirst=dayfirst)
    _take_scores(tracker, score_col, scale)
    group_col = next((c for c in names if c.upper().endswith("_NPS_GROUP")), None)
    if group_col and scale == Scale.nps():
        _cross_check_group(tracker, group_col)
    frame = tracker.frame
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "responded_at": frame["responded_at"],
            "score": frame["score"].astype("int64"),
            "category": scale.categories(frame["score"].to_numpy()),
            "response_id": (frame[rid_col].astype("string").str.strip() if rid_col
                            else pd.Series(pd.NA, index=frame.index, dtype="string")),
            "weight": _weights(frame, weight_col),
        }
    )
    if rid_col:
        dup = out["response_id"].notna() & out.duplicated("response_id")
        tracker.reject(dup, "duplicate response_id (first kept)", rid_col)
        out = out.loc[~dup]
    used = {id_col, date_col, score_col, rid_col, weight_col, group_col} - {None}
    for name in rest_columns(tracker.frame, used | set(out.columns)):
        out[name] = tracker.frame[name]
    return finish(tracker, out, strict=strict, vendor=raw.vendor)


def _drop_qualtrics_non_responses(tracker) -> None:
    frame = tracker.frame
    if "Status" in frame:
        status = frame["Status"].astype(str).str.strip().str.lower()
        tracker.reject(status.isin(["survey preview", "1"]), "survey preview (not a response)")
    frame = tracker.frame
    if "Finished" in frame:
        finished = frame["Finished"].astype(str).str.strip().str.lower()
        tracker.reject(finished.isin(["false", "0"]), "unfinished response (Finished = False)")


def _score_column(raw: RawTable, columns: Mapping[str, str] | None) -> str:
    names = [c for c in raw.frame.columns if not c.upper().endswith("_NPS_GROUP")]
    found = find_column(names, "score", mapping=columns, source=raw.source, required=False)
    if found:
        return found
    by_text = [c for c, q in (raw.question_texts or {}).items() if _RECOMMEND.search(q)]
    by_text = [c for c in by_text if c in names]
    if len(by_text) == 1:
        return by_text[0]
    if len(by_text) > 1:
        raise ColumnError(
            f"{raw.source}: {len(by_text)} questions ask about recommending: "
            f"{', '.join(by_text)}. Pass columns={{'score': ...}} to say which is the NPS question.",
            source=raw.source, column="score", found=names, nearest=by_text[0],
        )
    return find_column(names, "score", mapping=columns, source=raw.source)


def _take_scores(tracker, column: str, scale: Scale) -> None:
    scores, reasons = parse_scores(tracker.frame[column])
    for reason in reasons.dropna().unique():
        tracker.reject(reasons.eq(reason), reason, column)
    scores = scores.loc[tracker.frame.index]
    out_of_range = (scores < scale.low) | (scores > scale.high)
    tracker.reject(out_of_range, f"score out of range {scale.low}–{scale.high}", column)
    tracker.frame = tracker.frame.assign(score=scores.loc[tracker.frame.index])


def _cross_check_group(tracker, column: str) -> None:
    frame = tracker.frame
    stated = frame[column].astype(str).str.strip().str.lower().map(_GROUPS)
    implied = pd.Series(Scale.nps().categories(frame["score"].to_numpy()), index=frame.index)
    tracker.reject(
        stated.notna() & stated.ne(implied), f"score disagrees with {column}", column
    )
    tracker.notes.append(f"scores cross-checked against {column}")


def _weights(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(1.0, index=frame.index)
    weights, _ = parse_amounts(frame[column])
    return weights.fillna(1.0)
