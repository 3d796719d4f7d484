"""The faster NPS steps give what the plain pandas code gave (``_nps_reference``).

Same result frames (columns, dtypes, values, order), the same warnings, the same
errors, on tricky inputs: object, nullable, float32 and Arrow columns, blanks and
NaN, bad scores and categories, missing group values, unobserved categories,
repeated customers, weights, periods.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _nps_reference import nps as reference_nps
from cxvalue.errors import DataWarning
from cxvalue.nps import nps

ARROW = pd.StringDtype("pyarrow")
CATEGORIES = ["promoter", "passive", "detractor", "not_surveyed", None, np.nan]


def outcome(func, *args, **kwargs):
    """(result or error, warnings as (category, text, file)) of one call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func(*args, **kwargs)
        except Exception as error:  # the error is what is compared
            result = (type(error), str(error))
    return result, [(w.category, str(w.message), w.filename) for w in caught]


def assert_same(new, old):
    (result, caught), (expected, expected_caught) = new, old
    if isinstance(expected, pd.DataFrame):
        assert isinstance(result, pd.DataFrame), result
        pd.testing.assert_frame_equal(result, expected, check_exact=True, check_index_type=True)
    else:
        assert not isinstance(result, pd.DataFrame), expected
        assert result == expected
    assert caught == expected_caught


def assert_same_nps(data, **kwargs):
    before = data.copy() if isinstance(data, pd.DataFrame) else None
    old = data
    if isinstance(data, pd.DataFrame) and data.get("category", pd.Series()).dtype == ARROW:
        old = data.astype({"category": object})  # the old code failed on Arrow categories
    assert_same(outcome(nps, data, **kwargs), outcome(reference_nps, old, **kwargs))
    if before is not None:
        pd.testing.assert_frame_equal(data, before)  # the input is not mutated


# --- inputs --------------------------------------------------------------------------------------

SCORE_KINDS = ["int", "float", "float32", "nullable", "object", "bad", "category", "categorical",
               "arrow_category"]  # fmt: skip


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(SCORE_KINDS))
    scores = rng.integers(0, 11, n)
    blank = rng.random(n) < 0.2
    data = {}
    if kind == "int":
        data["score"] = scores
    elif kind in ("float", "float32"):
        data["score"] = np.where(blank, np.nan, scores).astype(
            "float64" if kind == "float" else kind
        )
    elif kind == "nullable":
        data["score"] = pd.array(np.where(blank, None, scores).tolist(), dtype="Int64")
    elif kind in ("object", "bad"):
        pool = [9, 10.0, "7", " 3 ", "", None, np.nan, "nan", -0.0, 0]
        pool += [11, 8.5, "abc", -1, np.inf] if kind == "bad" else []
        data["score"] = pd.Series([pool[i] for i in rng.integers(0, len(pool), n)], dtype=object)
    else:
        pool = CATEGORIES + (["Promoter"] if rng.random() < 0.2 else [])
        values = [pool[i] for i in rng.integers(0, len(pool), n)]
        dtype = {"category": object, "categorical": "category", "arrow_category": ARROW}[kind]
        data["category"] = pd.Series(values, dtype=dtype)
        data["score"] = scores
    segments = [["A", "B", None][i] for i in rng.integers(0, 3, n)]
    segment_kind = draw(st.sampled_from(["object", "arrow", "categorical", "int", "float"]))
    if segment_kind == "object":
        data["segment"] = pd.Series(segments, dtype=object)
    elif segment_kind == "arrow":
        data["segment"] = pd.Series(segments, dtype=ARROW)
    elif segment_kind == "categorical":
        data["segment"] = pd.Categorical(segments, categories=["C", "B", "A"])  # C unobserved
    elif segment_kind == "int":
        data["segment"] = rng.integers(0, 3, n)
    else:
        data["segment"] = np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 3, n))
    data["region"] = pd.Series([["N", "S"][i] for i in rng.integers(0, 2, n)], dtype=ARROW)
    ids = [str(i) if i < 8 else None for i in rng.integers(0, 9, n)]
    data["customer_id"] = pd.Series(ids, dtype=draw(st.sampled_from([object, ARROW])))
    days = rng.integers(0, 800, n)
    data["responded_at"] = pd.Timestamp("2023-01-01") + pd.to_timedelta(days, "D")
    data["responded_at"] = data["responded_at"].where(rng.random(n) > 0.1)  # some NaT
    data["w"] = np.where(rng.random(n) < 0.2, 0.0, rng.random(n) * 3)
    data["revenue"] = rng.random(n) * 1000
    frame = pd.DataFrame(data)
    if draw(st.booleans()):  # a filtered frame: not a RangeIndex
        frame.index = pd.Index(rng.permutation(n) * 3)
    return frame


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frame=frames(),
    by=st.sampled_from([None, "segment", ["segment", "region"], ["region", "customer_id"]]),
    period=st.sampled_from([None, "M", "Q", "Y"]),
    weights=st.sampled_from(
        [
            {},
            {"weight": "w"},
            {"revenue_weight": "revenue"},
            {"weight": "w", "revenue_weight": "revenue"},
        ]
    ),
    min_n=st.integers(1, 5),
)
def test_nps_gives_what_the_pandas_code_gave(frame, by, period, weights, min_n):
    assert_same_nps(frame, by=by, period=period, min_n=min_n, **weights)


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.integers(-2, 12),
            st.floats(allow_nan=True, allow_infinity=True),
            st.none(),
            st.sampled_from(["", " 8 ", "nan", "None", "<NA>", "x", "10"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_plain_scores_give_what_the_pandas_code_gave(values):
    assert_same(outcome(nps, values, min_n=1), outcome(reference_nps, values, min_n=1))
    numbers = [v for v in values if isinstance(v, float | int)]
    if numbers:  # the same values as a float column: the numpy path
        frame = pd.DataFrame({"score": np.array(numbers, dtype=float)})
        assert_same_nps(frame, min_n=1)


@pytest.mark.parametrize("dtype", ["int64", "int8", "uint8", "float64", "float32", "bool"])
def test_numeric_score_columns_of_every_width(dtype):
    scores = np.arange(0, 11).repeat(3)
    data = pd.DataFrame({"score": (scores % 2 if dtype == "bool" else scores).astype(dtype)})
    assert_same_nps(data, min_n=1)
    if dtype.startswith("float"):
        data.loc[[1, 4], "score"] = [np.nan, 10.5]
        assert_same_nps(data, min_n=1)  # the same ParseError, naming the same row


def test_arrow_categories_are_read_as_text_categories_are():
    """The old code failed here (float weights times Arrow booleans): a TypeError."""
    categories = pd.Series(["promoter", "detractor", None, "passive", "not_surveyed"])
    text = pd.DataFrame({"category": categories.astype(object), "segment": list("ABABA")})
    arrow = text.astype({"category": ARROW})
    for kwargs in ({}, {"by": "segment"}):
        pd.testing.assert_frame_equal(nps(arrow, min_n=1, **kwargs), nps(text, min_n=1, **kwargs))


def test_repeated_customers_are_counted_as_before_and_warned_at_the_caller():
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series(["1", "1", "2", None, None, "2"], dtype=ARROW),
            "score": [9, 3, 7, 10, 2, 8],
            "segment": ["A", "A", "A", "B", "B", "B"],
        }
    )
    for by, repeated in ((None, 3), ("segment", 2)):  # "1" and missing twice; "2" in A and B
        new = outcome(nps, frame, by=by, min_n=1)
        assert_same(new, outcome(reference_nps, frame, by=by, min_n=1))
        [(category, message, filename)] = new[1]
        assert category is DataWarning and filename == __file__
        assert f"{repeated} response(s)" in message


@pytest.mark.parametrize("blank", [False, True])
def test_the_input_is_not_mutated_where_nps_sets_columns(blank):
    """nps() sets score, category and period on its own frame, which may share the input's data."""
    frame = pd.DataFrame(
        {
            "score": [9.0, np.nan if blank else 3.0, 7.0, 10.0],
            "segment": [1.0, 2.0, 1.0, 2.0],  # one float block with the scores
            "period": ["x", "y", "x", "y"],  # replaced by the quarters
            "responded_at": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-04-01", None]),
        }
    )
    assert_same_nps(frame, period="Q", min_n=1)
    assert_same_nps(frame.assign(category="promoter"), by="segment", period="M", min_n=1)


def test_weighted_sums_are_bit_for_bit_as_before():
    rng = np.random.default_rng(5)
    n = 5_000
    frame = pd.DataFrame(
        {
            "score": rng.integers(0, 11, n),
            "segment": rng.choice(["A", "B", "C"], n),
            "w": rng.lognormal(0, 2, n),
        }
    )
    for by in (None, "segment"):
        assert_same_nps(frame, by=by, weight="w")
