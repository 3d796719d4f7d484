"""Invariants of ingest under hypothesis: order, id spelling, splitting, format."""

import io

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cxvalue.ingest import read_revenue

ids = st.from_regex(r"0{0,3}[1-9][0-9]{0,3}", fullmatch=True)
months = st.integers(0, 23).map(lambda k: pd.Timestamp("2024-01-01") + pd.DateOffset(months=k))
amounts = st.decimals(-1000, 100_000, places=2, allow_nan=False, allow_infinity=False)
row = st.tuples(ids, months, amounts, st.booleans())
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def to_csv(rows, pad=False, german=False):
    lines = ["customer_id;period;revenue" if german else "customer_id,period,revenue"]
    for cid, month, amount, bad in rows:
        cid = f"  {cid} " if pad else cid
        if bad:
            text = "n/a"
        elif german:
            text = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        else:
            text = f'"{amount:,.2f}"'
        date = month.strftime("%d.%m.%Y") if german else month.strftime("%Y-%m-%d")
        lines.append(f"{cid};{date};{text}" if german else f"{cid},{date},{text}")
    return "\n".join(lines) + "\n"


def read(text, tmp_path, name="r.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_revenue(path)


def canonical(table):
    return table.sort_values(["customer_id", "period"]).reset_index(drop=True)


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=30), seed=st.integers(0, 2**16))
def test_order_spelling_and_conventions_do_not_change_the_table(rows, seed, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("order")
    base = read(to_csv(rows), tmp_path)
    shuffled = pd.Series(range(len(rows))).sample(frac=1, random_state=seed).tolist()
    others = [
        read(to_csv([rows[i] for i in shuffled]), tmp_path, "shuffled.csv"),
        read(to_csv(rows, pad=True), tmp_path, "padded.csv"),
        read(to_csv(rows, german=True), tmp_path, "german.csv"),
    ]
    for other in others:
        pd.testing.assert_frame_equal(canonical(other.table), canonical(base.table))
        assert other.ledger.rows_rejected == base.ledger.rows_rejected


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=30))
def test_revenue_is_conserved_except_rejected_rows(rows, tmp_path_factory):
    result = read(to_csv(rows), tmp_path_factory.mktemp("sum"))
    ledger = result.ledger
    assert ledger.rows_read == len(rows) == ledger.rows_kept + ledger.rows_rejected
    good = [float(a) for _, _, a, bad in rows if not bad]
    assert result.table["revenue"].sum() == pytest_approx(sum(good))
    assert ledger.rows_rejected == sum(bad for *_, bad in rows)
    assert not result.table.duplicated(["customer_id", "period"]).any()
    assert set(result.table["customer_id"]) == {cid for cid, _, _, bad in rows if not bad}


@SETTINGS
@given(rows=st.lists(row, min_size=2, max_size=30), cut=st.integers(1, 29))
def test_splitting_a_file_in_two(rows, cut, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("split")
    cut = min(cut, len(rows) - 1)
    whole = read(to_csv(rows), tmp_path).table
    first = read(to_csv(rows[:cut]), tmp_path, "a.csv").table
    second = read(to_csv(rows[cut:]), tmp_path, "b.csv").table
    joined = pd.concat([first, second]).groupby(["customer_id", "period"], as_index=False)["revenue"].sum()
    pd.testing.assert_frame_equal(canonical(joined), canonical(whole), check_dtype=False)


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=30))
def test_csv_and_parquet_round_trip(rows, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("parquet")
    from_csv = read(to_csv(rows), tmp_path).table
    assume(len(from_csv) > 0)  # a file whose every row is rejected has nothing to round-trip
    path = tmp_path / "r.parquet"
    from_csv.to_parquet(path)
    pd.testing.assert_frame_equal(read_revenue(path).table, from_csv)
    buffer = io.StringIO(to_csv(rows))
    frame = pd.read_csv(buffer, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(read_revenue(frame).table, from_csv)


def pytest_approx(x):
    import pytest

    return pytest.approx(x, rel=1e-9, abs=1e-6)
