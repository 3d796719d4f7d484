"""Invariants of ingest under hypothesis: order, id spelling, splitting, format."""

import io
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from cxvalue.ingest import read_responses, read_revenue

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


def read(text, tmp_path, name="r.csv", **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_revenue(path, **kwargs)


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
    assert result.table["revenue"].sum() == pytest.approx(sum(good), rel=1e-9, abs=1e-6)
    assert ledger.rows_rejected == sum(bad for *_, bad in rows)
    assert not result.table.duplicated(["customer_id", "period"]).any()
    assert set(result.table["customer_id"]) == {cid for cid, _, _, bad in rows if not bad}


@SETTINGS
@given(rows=st.lists(row, min_size=2, max_size=30), cut=st.integers(1, 29))
@example(rows=[("1", pd.Timestamp(f"2024-0{m}-01"), Decimal("5.00"), False) for m in (1, 3, 5)],
         cut=1)  # fmt: skip
def test_splitting_a_file_in_two(rows, cut, tmp_path_factory):
    """Each row one month's revenue (billing_months=1): an invoice interval is told from a
    whole file's rows, and a part may hold too few of a customer's to tell it (Jan, Mar,
    May 2024 are invoices every two months; Mar and May alone are not)."""
    tmp_path = tmp_path_factory.mktemp("split")
    cut = min(cut, len(rows) - 1)
    whole = read(to_csv(rows), tmp_path, billing_months=1).table
    first = read(to_csv(rows[:cut]), tmp_path, "a.csv", billing_months=1).table
    second = read(to_csv(rows[cut:]), tmp_path, "b.csv", billing_months=1).table
    joined = pd.concat([first, second])
    joined = joined.groupby(["customer_id", "period"], as_index=False)["revenue"].sum()
    pd.testing.assert_frame_equal(canonical(joined), canonical(whole), check_dtype=False)


@SETTINGS
@given(rows=st.lists(row, min_size=2, max_size=30), cut=st.integers(1, 29))
def test_a_file_split_in_two_reads_as_one_when_both_are_named(rows, cut, tmp_path_factory):
    """Two files named together are one table: the same table as the whole file's (the
    invoice interval told from both), every row read, the same rows rejected."""
    tmp_path = tmp_path_factory.mktemp("parts")
    cut = min(cut, len(rows) - 1)
    whole = read(to_csv(rows), tmp_path)
    read(to_csv(rows[:cut]), tmp_path, "part_1.csv")
    read(to_csv(rows[cut:], german=True), tmp_path, "part_2.csv")  # (another export's way)
    both = read_revenue(tmp_path / "part_*.csv")
    pd.testing.assert_frame_equal(canonical(both.table), canonical(whole.table),
                                  check_dtype=False)  # fmt: skip
    assert both.ledger.rows_read == whole.ledger.rows_read == len(rows)
    assert both.ledger.rows_rejected == whole.ledger.rows_rejected


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


blank_id_row = st.tuples(st.just(""), months, amounts, st.just(False))


@SETTINGS
@given(rows=st.lists(st.one_of(row, blank_id_row), min_size=1, max_size=30))
@pytest.mark.filterwarnings("ignore:.*rows have no customer_id:cxvalue.errors.DataWarning")
def test_every_parseable_amount_is_kept_or_accounted_as_rejected(rows, tmp_path_factory):
    result = read(to_csv(rows), tmp_path_factory.mktemp("acct"))
    parseable = sum(float(a) for _, _, a, bad in rows if not bad)
    rejected_amounts = sum(float(a) for cid, _, a, bad in rows if not bad and not cid)
    kept = result.table["revenue"].sum()
    assert kept + rejected_amounts == pytest.approx(parseable, rel=1e-9, abs=1e-6)
    reasons = {e.what: e.count for e in result.ledger.rejected}
    assert reasons.get("no customer_id", 0) == sum(1 for cid, *_ in rows if not cid)


responses_row = st.tuples(ids, st.integers(0, 400), st.one_of(st.integers(-2, 12), st.just(None)))


def responses_csv(rows, pad=False):
    lines = ["response_id,customer_id,responded_at,score"]
    for i, (cid, day, score) in enumerate(rows):
        date = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)).strftime("%d.%m.%Y")
        cid = f" {cid}  " if pad else cid
        lines.append(f"R{i},{cid},{date},{'' if score is None else score}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(rows=st.lists(responses_row, min_size=1, max_size=30), seed=st.integers(0, 2**16))
def test_responses_do_not_depend_on_order_or_id_padding(rows, seed, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("responses")
    order = pd.Series(range(len(rows))).sample(frac=1, random_state=seed).tolist()
    base = read_responses(_put(tmp_path, "a.csv", responses_csv(rows)))
    lines = responses_csv(rows).splitlines()
    shuffled = "\n".join([lines[0]] + [lines[i + 1] for i in order]) + "\n"
    for text in (shuffled, responses_csv(rows, pad=True)):
        other = read_responses(_put(tmp_path, "b.csv", text))
        pd.testing.assert_frame_equal(_by_response(other.table), _by_response(base.table))
        assert {e.what: e.count for e in other.ledger.rejected} == {
            e.what: e.count for e in base.ledger.rejected
        }
    ledger = base.ledger
    assert ledger.rows_read == len(rows) == ledger.rows_kept + ledger.rows_rejected
    assert ledger.rows_kept == sum(1 for _, _, s in rows if s is not None and 0 <= s <= 10)


def _put(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _by_response(table):
    return table.sort_values("response_id").reset_index(drop=True)
