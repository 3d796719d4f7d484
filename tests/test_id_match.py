"""Extracts keyed unlike the revenue: an error when none meets it, a warning when few do."""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given

from cxvalue._id_match import _Lookup, check_ids_meet
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
    wanted = asked + billed[:3]
    expected = sum(value in set(billed) for value in wanted)
    if billed:
        assert _Lookup(column, is_sorted=True)(wanted) == expected
        assert _Lookup(column, is_sorted=False)(wanted) == expected


NAMES = {"responses": "r.csv", "revenue": "v.csv", "customers": "c.csv"}


def test_no_answer_meeting_the_revenue_is_an_error_that_shows_an_id():
    billed = ids(f"{i:06d}" for i in range(1, 500))
    answered = ids(f"{i:08d}" for i in range(1, 300))
    both = r"\(ids such as '00000001' there, '000001' in v\.csv\)"
    with pytest.raises(InputError, match=r"None of the 299 rows in r\.csv has a customer_id "
                       r"that is in v\.csv " + both):  # fmt: skip
        check_ids_meet(answered, billed, None, NAMES)


def test_few_answers_meeting_the_revenue_is_a_warning_and_most_is_quiet():
    billed = ids(f"{i:06d}" for i in range(1, 5000))
    some = ids([f"{i:06d}" for i in range(1, 3000)] + [f"X{i}" for i in range(7000)])
    with pytest.warns(DataWarning, match=r"Only (\d+) of 2,000 rows drawn at random from the "
                      r"9,999 in r\.csv \((\d\d)%\) have") as caught:  # fmt: skip
        check_ids_meet(some, billed, None, NAMES)
    share = int(str(caught[0].message).split("(")[1][:2]) / 100
    assert share == pytest.approx(2999 / 9999, abs=0.05)  # 2,000 drawn: within 3 s.e.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        check_ids_meet(billed[:4000], billed, None, NAMES)


def test_a_customers_table_keyed_otherwise_is_an_error_and_one_that_misses_some_a_warning():
    billed = ids(sorted(f"{i:06d}" for i in range(1, 3000) for _ in range(3)))
    answered = billed[::7]
    with pytest.raises(InputError, match=r"in c\.csv has a customer_id that is in v\.csv"):
        check_ids_meet(answered, billed, ids(f"K{i:06d}" for i in range(1, 3000)), NAMES)
    with pytest.warns(DataWarning, match=r"in v\.csv \(8\d%\) have a customer_id that is in "
                      r"c\.csv; the others' segment and size count as missing"):  # fmt: skip
        check_ids_meet(answered, billed, ids(f"{i:06d}" for i in range(1, 2600)), NAMES)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # prospects without revenue are fine
        check_ids_meet(answered, billed, ids(f"{i:06d}" for i in range(1, 9000)), NAMES)


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
    with pytest.raises(InputError, match=r"in r\.csv has a customer_id that is in v\.csv \(ids "
                       r"such as 'C-1' there, '1' in v\.csv\)"):  # fmt: skip
        read_inputs(config)
