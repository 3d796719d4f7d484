"""The typed lane (Parquet with typed columns) gives what the generic lane gives."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxvalue.errors import DataWarning, InputError
from cxvalue.ingest import customers as customers_module
from cxvalue.ingest import read_customers, read_revenue
from cxvalue.ingest import revenue as revenue_module
from cxvalue.ingest._typed import _SHARED, arrow_text, dictionary_codes, shared_codes

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ids = st.one_of(
    st.from_regex(r"0{0,2}[1-9][0-9]{0,2}", fullmatch=True),
    st.sampled_from(["", "   ", " 007", "12 ", "1.2E+05", "Total", " summe ", "12 Total", None]),
)
days = st.one_of(st.integers(0, 700), st.none())  # from 2024-01-01: mid-month dates and nulls
amounts = st.one_of(
    st.integers(-4000, 40000).map(lambda q: q / 4),  # credits too; exact in text and binary
    st.sampled_from([None, float("nan")]),
)
rows = st.lists(st.tuples(ids, days, amounts), min_size=1, max_size=25)


def _arrow(data, date_type):
    period = [None if d is None else pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)
              for _, d, _ in data]  # fmt: skip
    return pa.table(
        {
            "customer_id": pa.array([c for c, _, _ in data], pa.string()),
            "period": pa.array(
                [None if p is None else p.to_pydatetime() for p in period], pa.timestamp("us")
            ).cast(date_type),  # fmt: skip
            "revenue": pa.array([a for _, _, a in data], pa.float64(), from_pandas=False),
            "note": pa.array([None] * len(data), pa.string()),
        }
    )


def _generic(source, **kwargs):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(revenue_module, "open_parquet", lambda source: None)
        return read_revenue(source, **kwargs)


def _outcome(read, source, **kwargs):
    """The result or the error, and the warnings said on the way."""
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            result, error = read(source, **kwargs), None
        except InputError as raised:
            result, error = None, (type(raised), str(raised))
    return result, (error, [(w.category, str(w.message)) for w in said])


def _same(typed, generic):
    (a, a_said), (b, b_said) = typed, generic
    assert a_said == b_said
    if a is None:
        return
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.ledger == b.ledger


def _entries(ledger):
    return (
        ledger.rows_read, ledger.rows_kept, ledger.rows_out,
        [(e.what, e.count, e.rows) for e in ledger.rejected],
        sorted((e.what, e.count, e.rows) for e in ledger.repaired),
    )  # fmt: skip


@SETTINGS
@given(
    data=rows,
    date_type=st.sampled_from([pa.date32(), pa.timestamp("us")]),
    row_group_size=st.sampled_from([None, 3]),  # several row groups: several dictionaries
)
def test_typed_lane_equals_generic_lane(data, date_type, row_group_size, tmp_path_factory):
    path = tmp_path_factory.mktemp("typed") / "r.parquet"
    pq.write_table(_arrow(data, date_type), path, row_group_size=row_group_size)
    for strict in (False, True):
        _same(_outcome(read_revenue, path, strict=strict), _outcome(_generic, path, strict=strict))


@SETTINGS
@given(data=rows)
def test_typed_lane_equals_the_same_data_as_csv_text(data, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("text")
    path = tmp_path / "r.parquet"
    arrow = _arrow(data, pa.date32())
    pq.write_table(arrow, path)
    frame = arrow.to_pandas()
    text = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].fillna(""),
            "period": [("" if pd.isna(p) else str(p)) for p in frame["period"]],
            "revenue": [("" if np.isnan(a) else repr(a)) for a in frame["revenue"]],
            "note": "",
        }
    )
    csv = tmp_path / "r.csv"
    csv.write_text(text.to_csv(index=False), encoding="utf-8")
    typed, (error, _) = _outcome(read_revenue, path)
    generic, (csv_error, _) = _outcome(read_revenue, csv)
    assert (error is None) == (csv_error is None)
    if typed is None:
        return
    pd.testing.assert_frame_equal(typed.table, generic.table)
    assert _entries(typed.ledger) == _entries(generic.ledger)


def test_typed_lane_ledger_and_table(tmp_path):
    data = [
        (" 007", 14, 10.0),  # padded id, mid-month
        ("007", 0, -2.5),  # credit, same month: summed
        (None, 3, 1.0),  # no id
        ("1.2E+05", 3, 1.0),  # scientific notation
        ("B", None, 1.0),  # no period
        ("A", 40, None),  # no revenue
        (None, None, None),  # a blank line
        ("A", 31, 4.0),  # unsorted
        ("Gesamt", 3, 11.5),  # a spreadsheet's total row
    ]
    path = tmp_path / "r.parquet"
    pq.write_table(_arrow(data, pa.date32()), path)
    result = read_revenue(path)
    assert result.table["customer_id"].tolist() == ["007", "A"]
    assert result.table["revenue"].tolist() == [7.5, 4.0]
    assert result.table["period"].tolist() == [pd.Timestamp("2024-01-01"),
                                               pd.Timestamp("2024-02-01")]  # fmt: skip
    assert str(result.table["customer_id"].dtype) == "string"
    assert result.table["customer_id"].dtype == pd.StringDtype("pyarrow")
    ledger = result.ledger
    assert (ledger.rows_read, ledger.rows_kept, ledger.rows_out) == (8, 3, 2)
    assert [(e.what, e.rows) for e in ledger.rejected] == [
        ("customer_id in scientific notation (digits lost in a spreadsheet)", (5,)),
        ("a total row (Total, Summe), not a customer", (10,)),
        ("no customer_id", (4,)),
        ("no period (blank)", (6,)),
        ("no revenue (blank)", (7,)),
    ]
    assert [(e.what, e.rows) for e in ledger.repaired] == [
        ("trimmed spaces around customer_id", (2,)),
        ("dates inside a month mapped to the month's first day", (2,)),
        ("summed duplicate customer-months", (2, 3)),
    ]
    assert "1 blank line skipped (not data rows)" in ledger.notes
    _same((result, None), (_generic(path), None))
    with pytest.raises(InputError, match="column 'customer_id': 1 id is in scientific") as info:
        read_revenue(path, strict=True)
    assert info.value.rows == [5]


texts = st.one_of(st.sampled_from(["", "  ", " SMB", "Mid ", "Enterprise", "007", None]))
customer_rows = st.lists(st.tuples(ids, days, days, texts), min_size=1, max_size=25)


def _customers_arrow(data, date_type):
    def dates(k):
        return pa.array(
            [None if r[k] is None else pd.Timestamp("2024-01-01") + pd.Timedelta(days=r[k],
                                                                                  hours=r[k] % 5)
             for r in data], pa.timestamp("us"),
        ).cast(date_type, safe=False)  # fmt: skip

    return pa.table(
        {
            "customer_id": pa.array([r[0] for r in data], pa.string()),
            "segment": pa.array([r[3] for r in data], pa.string()),
            "acquired_at": dates(1),
            "churned_at": dates(2),
            "customer_id (file)": pa.array([None] * len(data), pa.string()),
        }
    )


def _generic_customers(source, **kwargs):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(customers_module, "open_parquet", lambda source: None)
        return read_customers(source, **kwargs)


@SETTINGS
@given(
    data=customer_rows,
    date_type=st.sampled_from([pa.date32(), pa.timestamp("us")]),
    row_group_size=st.sampled_from([None, 3]),
)
def test_typed_customers_equal_generic_lane(data, date_type, row_group_size, tmp_path_factory):
    path = tmp_path_factory.mktemp("typed") / "c.parquet"
    pq.write_table(_customers_arrow(data, date_type), path, row_group_size=row_group_size)
    for strict in (False, True):
        _same(
            _outcome(read_customers, path, strict=strict),
            _outcome(_generic_customers, path, strict=strict),
        )


def test_typed_customers_sorted_and_unsorted_duplicates(tmp_path):
    data = [("A", 1, None, "x"), (" B", 2, 3, None), ("A", 4, None, " y "), ("C", None, None, "")]
    path = tmp_path / "c.parquet"
    pq.write_table(_customers_arrow(data, pa.date32()), path)
    differ = r"1 customer appears .* differ in 'acquired_at', 'segment' \(customer A: rows 2, 4\)"
    with pytest.warns(DataWarning, match=differ):
        result = read_customers(path)
    assert result.table["customer_id"].tolist() == ["A", "B", "C"]
    assert result.table["customer_id"].dtype == pd.StringDtype("pyarrow")
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [
        ("duplicate customer_id (first kept)", (4,))
    ]
    _same(_outcome(read_customers, path), _outcome(_generic_customers, path))


@SETTINGS
@given(
    runs=st.lists(
        st.tuples(st.sampled_from(["b", "a", " a", "ä", "", None]), st.integers(1, 9)), max_size=12
    ),  # fmt: skip
    cuts=st.lists(st.integers(0, 100), max_size=3),
    large=st.booleans(),
)
def test_dictionary_codes_equal_arrow_dictionary_encoding(runs, cuts, large):
    # values in runs (a table sorted by id) take the run path, others the plain one;
    # both must number as Arrow's dictionary_encode does, chunks and nulls included
    values = [v for v, n in runs for _ in range(n)]
    bounds = sorted({0, len(values), *(c for c in cuts if c <= len(values))})
    kind = pa.large_string() if large else pa.string()
    pieces = [pa.array(values[a:b], kind) for a, b in itertools.pairwise(bounds)]
    chunked = pa.chunked_array(pieces, type=kind)
    expected = pc.dictionary_encode(chunked.combine_chunks())
    for given_values in (chunked, chunked.combine_chunks()):
        dictionary, codes = dictionary_codes(given_values)
        assert dictionary.equals(expected.dictionary)
        np.testing.assert_array_equal(codes, expected.indices.fill_null(-1).to_numpy())
        assert codes.dtype == np.int32


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", pd.ArrowDtype(pa.string())])
def test_shared_codes_number_a_column_once_and_follow_its_edits(dtype):
    """The report's steps share one numbering of a text column: the same result (the
    same arrays) for the same column, the numbering dictionary_codes gives, read-only; an
    edit of the column is numbered afresh; and nothing is kept once the column is gone."""
    import gc

    frame = pd.DataFrame({"id": pd.array(["b", "a", None, "b"], dtype=dtype)})
    held = len(_SHARED)
    first = shared_codes(arrow_text(frame["id"]))
    expected = dictionary_codes(pa.array(["b", "a", None, "b"]))
    assert first[0].to_pylist() == expected[0].to_pylist() == ["b", "a"]
    np.testing.assert_array_equal(first[1], [0, 1, -1, 0])
    assert not first[1].flags.writeable
    if dtype != "string[python]":  # Arrow-backed: the column's own Arrow data, shared
        again = shared_codes(arrow_text(frame["id"]))
        assert again[0] is first[0] and again[1] is first[1]
        del again
    frame.loc[0, "id"] = "c"
    edited = shared_codes(arrow_text(frame["id"]))
    assert edited[0].to_pylist() == ["c", "a", "b"]
    np.testing.assert_array_equal(edited[1], [0, 1, -1, 2])
    del frame, first, edited
    gc.collect()
    assert len(_SHARED) == held


def test_arrow_text_leaves_other_columns_to_pandas():
    assert arrow_text(pd.Series([1, 2])) is None
    assert arrow_text(pd.Series(["a", "b"], dtype=object)) is None
    assert arrow_text(pd.Series(["a\ud800"], dtype="string[python]")) is None  # lone surrogate
