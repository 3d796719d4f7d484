"""The fast steps of read_responses give what the straightforward pandas steps gave.

Each ``plain_*`` function below is the step as it was written before it was made
faster (pandas on every row); the tests compare them with the fast helpers on
tricky cells, and compare whole ``read_responses`` results with the plain steps
patched back in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxvalue._categories import CODES, DETRACTOR, PASSIVE, PROMOTER
from cxvalue.errors import InputError
from cxvalue.ingest import read_responses, responses
from cxvalue.ingest._common import parsed, rest_columns
from cxvalue.ingest._tracker import Tracker
from cxvalue.ingest.parsing import IDS, TEXT, by_unique, flag, is_blank, text_of
from cxvalue.ingest.scale import Scale

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCALES = [Scale.nps(), Scale.csat(), Scale.ces(), Scale(1, 10, (1, 4), (5, 7), (8, 10))]

MISSING = [None, np.nan, pd.NA]
ID_CELLS = ["R_1", "R_2", "r_1", " R_1", "R_1 ", "\u00a0R_2", "R_1\t", "", " ", "\t", "1", "1.0"]
GROUP_CELLS = [
    "Promoter", "promoter ", " PASSIVE", "Detractor", "detractor", "3", "2", "1", "3.0", "1.0",
    "9.0", "0", "3.00", "promoter.0", "", "  ", "x", "Promoters",
]  # fmt: skip

ids = st.one_of(st.sampled_from(ID_CELLS + MISSING), st.integers(0, 2), st.sampled_from([1.0, 2.5]))
groups = st.one_of(
    st.sampled_from(GROUP_CELLS + MISSING), st.integers(0, 4), st.sampled_from([1.0, 3.0, True])
)


def plain_duplicates(rid: pd.Series) -> pd.Series:
    """Before: ``duplicated`` on the strings."""
    return rid.ne("") & rid.duplicated()


def plain_disagreement(text: pd.Series, scores: pd.Series, scale: Scale) -> pd.Series:
    """Before: the group of every row, as strings, compared with every row's category."""
    text = text.str.lower().str.replace(r"\.0$", "", regex=True)
    stated = text.astype(object).map(responses._GROUPS)
    implied = pd.Series(scale.categories(scores.to_numpy()), scores.index)
    return stated.notna() & stated.ne(implied)


def plain_category_column(tracker: Tracker, names: list[str]) -> str | None:
    column = next((c for c in names if str(c).strip().lower() == "category"), None)
    if column is None:
        return None
    stated = text_of(tracker.frame[column]).str.lower()
    known = flag(stated.isin([PROMOTER, PASSIVE, DETRACTOR]) | stated.eq(""))
    return column if known.all() else None


def plain_cross_check_group(tracker: Tracker, column: str, score_col: str, scale: Scale) -> None:
    frame = tracker.frame
    mask = plain_disagreement(text_of(frame[column]), frame[parsed("score")], scale)
    tracker.reject(mask, f"score disagrees with {column}", score_col)
    tracker.notes.append(f"scores cross-checked against {column}")


def plain_as_numbers_if_numeric(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = text_of(values)
    filled = ~is_blank(values)
    if filled.any() and flag(text[filled].str.match(responses._PLAIN_NUMBER)).all():
        return pd.to_numeric(text.astype(object).where(filled, None)).astype("float64")
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = values.astype(object).where(values.notna(), None).map(str, na_action="ignore")
    return values.astype(TEXT).where(~is_blank(values), pd.NA)


def plain_table(tracker: Tracker, scale: Scale, rid_col: str | None, used: set) -> pd.DataFrame:
    frame = tracker.frame
    rid = (text_of(frame[rid_col]).replace("", None).astype(TEXT) if rid_col
           else pd.Series(pd.NA, index=frame.index, dtype=TEXT))  # fmt: skip
    score = frame[parsed("score")]
    out = pd.DataFrame(
        {
            "customer_id": frame[parsed("customer_id")].astype(IDS),
            "responded_at": frame[parsed("responded_at")].astype("datetime64[ns]"),
            "score": score.astype("int64"),
            "category": pd.Series(scale.categories(score.to_numpy()), frame.index, dtype=object),
            "response_id": rid,
            "weight": frame[parsed("weight")] if parsed("weight") in frame else 1.0,
        },
        index=frame.index,
    ).astype({"weight": "float64"})
    for name in rest_columns(frame, used):
        kept = name if name not in out.columns else f"{name} (file)"
        if kept != name:
            tracker.notes.append(f"the file's column {name!r} is kept as {kept!r}")
        out[kept] = plain_as_numbers_if_numeric(frame[name])
    return out


def plain_read_responses(source: object, **kwargs: object) -> object:
    """read_responses with every step as it was before it was made faster."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(responses, "_repeated_text", plain_duplicates)
        patch.setattr(responses, "_category_column", plain_category_column)
        patch.setattr(responses, "_cross_check_group", plain_cross_check_group)
        patch.setattr(responses, "_table", plain_table)
        return read_responses(source, **kwargs)


def _outcome(read: object, source: object, **kwargs: object) -> tuple:
    try:
        result = read(source, **kwargs)
    except InputError as error:
        return ("raised", type(error), str(error))
    return ("read", result.table, result.ledger, result.vendor)


def assert_same_outcome(source: object, **kwargs: object) -> None:
    fast, plain = (
        _outcome(read_responses, source, **kwargs),
        _outcome(plain_read_responses, source, **kwargs),
    )
    assert fast[0] == plain[0]
    if fast[0] == "raised":
        assert fast[1:] == plain[1:]
        return
    pd.testing.assert_frame_equal(fast[1], plain[1], check_exact=True)
    assert list(fast[1].dtypes) == list(plain[1].dtypes)
    assert fast[2] == plain[2]
    assert fast[3] == plain[3]


def _series(cells: list, arrow: bool, gaps: bool) -> pd.Series:
    """Cells as object or Arrow-backed strings, on a RangeIndex or on one with gaps."""
    index = pd.RangeIndex(0, 3 * len(cells), 3) if gaps else None
    values = pd.Series(cells, index=index, dtype=object)
    return values.map(str, na_action="ignore").astype(TEXT) if arrow else values


@SETTINGS
@given(cells=st.lists(ids, max_size=40), arrow=st.booleans(), gaps=st.booleans())
def test_repeated_ids_are_duplicated_with_the_first_kept(cells, arrow, gaps):
    rid = text_of(_series(cells, arrow, gaps))
    fast = responses._repeated_text(rid)
    assert fast.dtype == bool
    pd.testing.assert_series_equal(fast, flag(plain_duplicates(rid)), check_names=False)


@SETTINGS
@given(cells=st.lists(st.sampled_from(["R_1", "R_2", "", "R_3"]), min_size=2, max_size=40),
       cut=st.integers(1, 39))  # fmt: skip
def test_repeated_ids_across_arrow_chunks(cells, cut):
    """A column read in several chunks is numbered with one dictionary across them."""
    cut = 1 + cut % (len(cells) - 1)  # two chunks, neither empty
    chunks = pa.chunked_array([pa.array(cells[:cut]), pa.array(cells[cut:], pa.string())])
    rid = pd.Series(pd.arrays.ArrowStringArray(chunks))
    assert pa.array(rid.array).num_chunks == 2
    fast = responses._repeated_text(rid)
    pd.testing.assert_series_equal(fast, flag(plain_duplicates(rid)))


@SETTINGS
@given(
    cells=st.lists(st.tuples(groups, st.integers(0, 10)), max_size=40),
    arrow=st.booleans(),
    gaps=st.booleans(),
    scale=st.sampled_from(SCALES),
)
def test_group_cross_check_per_distinct_value_is_the_plain_one(cells, arrow, gaps, scale):
    text = text_of(_series([c for c, _ in cells], arrow, gaps))
    scores = pd.Series([scale.low + s % (scale.high - scale.low + 1) for _, s in cells],
                       index=text.index, dtype="float64")  # fmt: skip
    stated = by_unique(text, responses._stated_categories)
    fast = stated.ne(-1) & stated.ne(responses._category_numbers(scale, scores))
    pd.testing.assert_series_equal(fast, plain_disagreement(text, scores, scale))


@pytest.mark.parametrize("scale", SCALES, ids=str)
def test_categories_looked_up_by_score_are_the_scales(scale):
    scores = pd.Series(np.arange(scale.low, scale.high + 1).repeat(3)[::-1], dtype="float64")
    fast = responses._categories(scale, scores)
    assert fast.dtype == object
    assert fast.tolist() == scale.categories(scores.to_numpy()).tolist()
    assert responses._categories(scale, scores.iloc[:0]).tolist() == []


def test_stated_categories_of_the_usual_spellings():
    text = pd.Series(["promoter", "Passive", "DETRACTOR", "3", "2.0", "1", "9.0", "", "x"],
                     dtype=TEXT)  # fmt: skip
    stated = [PROMOTER, PASSIVE, DETRACTOR] * 2  # the labels, then the numbers 3, 2.0, 1
    assert responses._stated_categories(text).tolist() == [CODES[c] for c in stated] + [-1] * 3


scores = st.one_of(st.integers(0, 10), st.sampled_from(["9", "10 - Extremely likely", "", "n/a",
                                                        "9.5", "11", None]))  # fmt: skip
kept = st.one_of(st.sampled_from(["SMB", " SMB", "", "7", "007", "3.5", None, np.nan]),
                 st.integers(0, 3))  # fmt: skip
row = st.tuples(ids, scores, groups, st.sampled_from([PROMOTER, "Passive ", "", None]), kept)


def _frame(rows: list[tuple], category: bool, known: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i % 4}" if i % 7 else " " for i in range(len(rows))],
            "responded_at": [f"2025-01-{1 + i % 28:02d}" for i in range(len(rows))],
            "score": [r[1] for r in rows],
            "Q1_NPS_GROUP": [r[2] for r in rows],
            "response_id": [r[0] for r in rows],
            "segment": [r[4] for r in rows],
        }
    )
    if category:
        frame["category"] = [r[3] if known else r[2] for r in rows]
    return frame


@SETTINGS
@given(
    rows=st.lists(row, min_size=1, max_size=25),
    category=st.booleans(),
    known=st.booleans(),
    as_text=st.booleans(),
)
def test_read_responses_gives_what_the_plain_steps_gave(rows, category, known, as_text):
    frame = _frame(rows, category, known)
    if as_text:  # every cell a string, as from a text file
        frame = frame.map(lambda v: v if v is None or v is pd.NA else str(v)).astype(TEXT)
    assert_same_outcome(frame)
    assert_same_outcome(frame, strict=True)


def test_read_responses_from_csv_gives_what_the_plain_steps_gave(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "customer_id,responded_at,score,Q1_NPS_GROUP,response_id,category,segment\n"
        "c1,2025-01-01,9,Promoter,R_1,promoter,SMB\n"
        "c2,2025-01-02,3,promoter ,R_2,detractor,\n"
        "c3,2025-01-03,7,2.0, R_1,passive,007\n"
        "c4,2025-01-04,10,,R_3 ,promoter,SMB\n"
        "c5,2025-01-05,8,2,R_3,,7\n"
        "c6,2025-01-06,n/a,1,,detractor,\n"
        "c7,2025-01-07,0,1.0,,detractor,3.5\n",
        encoding="utf-8",
    )
    assert_same_outcome(path)
    assert_same_outcome(path, strict=True)
    result = read_responses(path)
    reasons = {e.what: e.rows for e in result.ledger.rejected}
    assert reasons["duplicate response_id"] == (4, 6)
    assert reasons["score disagrees with Q1_NPS_GROUP"] == (3,)


def test_lone_surrogates_fail_as_before():
    """Text Arrow cannot hold fails in text_of, before (and as before) any fast step."""
    frame = pd.DataFrame({"customer_id": ["a", "b"], "responded_at": ["2025-01-01"] * 2,
                          "score": [9, 3], "response_id": ["x\ud800", "x\ud800"]})  # fmt: skip
    for read in (read_responses, plain_read_responses):
        with pytest.raises(UnicodeEncodeError):
            read(frame)
