"""Answers keyed unlike the revenue: an error when none meets it, a warning when few do."""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given

from cxvalue._id_match import _contains, check_answers_meet_revenue
from cxvalue.errors import DataWarning, InputError
from cxvalue.report.config import parse_config
from cxvalue.report.flow import read_inputs

IDS = pd.StringDtype("pyarrow")


def ids(values) -> pd.Series:
    return pd.Series(list(values), dtype=IDS)


@given(st.lists(st.text(min_size=1, max_size=6), max_size=60),
       st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=20))  # fmt: skip
def test_bisection_finds_exactly_the_ids_a_set_holds(billed, asked):
    chunks = [sorted(billed)[:7], sorted(billed)[7:]]  # a chunked column, as read_revenue's
    column = pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks], type=pa.string())
    for value in asked + billed[:3]:
        assert _contains(column, value) == (value in set(billed))


def test_no_answer_meeting_the_revenue_is_an_error_that_shows_both_ids():
    billed = ids(f"{i:06d}" for i in range(1, 500))
    answered = ids(f"{i:08d}" for i in range(1, 300))
    with pytest.raises(
        InputError,
        match=r"None of the 299 answers in r\.csv comes from a "
        r"customer in v\.csv \(ids such as '00000001' in r\.csv and '000001'",
    ):
        check_answers_meet_revenue(answered, billed, "r.csv", "v.csv")


def test_few_answers_meeting_the_revenue_is_a_warning_and_most_is_quiet():
    billed = ids(f"{i:06d}" for i in range(1, 5000))
    some = ids([f"{i:06d}" for i in range(1, 3000)] + [f"X{i}" for i in range(7000)])
    with pytest.warns(
        DataWarning,
        match=r"Only \d+ of 2,000 answers drawn at random from the "
        r"9,999 in r\.csv \(\d\d%\) come from customers in v\.csv",
    ):
        share = check_answers_meet_revenue(some, billed, "r.csv", "v.csv")
    assert share == pytest.approx(2999 / 9999, abs=0.05)  # 2,000 drawn: within 3 s.e.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        assert check_answers_meet_revenue(billed[:4000], billed, "r.csv", "v.csv") == 1.0


def test_the_report_stops_on_answers_keyed_unlike_the_revenue(tmp_path):
    (tmp_path / "r.csv").write_text(
        "customer_id,responded_at,score\nC-1,2025-01-05,9\nC-2,2025-01-06,3\n", encoding="utf-8"
    )
    (tmp_path / "v.csv").write_text(
        "customer_id,period,revenue\n1,2025-01,10\n2,2025-01,20\n", encoding="utf-8"
    )
    config = parse_config(
        {"inputs": {"responses": {"path": "r.csv"}, "revenue": {"path": "v.csv"}}}, tmp_path
    )
    with pytest.raises(InputError, match="'C-1' in r.csv and '1' in v.csv"):
        read_inputs(config)
