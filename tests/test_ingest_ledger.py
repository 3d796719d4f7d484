"""The ledger's views and invariant, column finding, strictness and the dispatcher."""

import json

import pandas as pd
import pytest

from cxvalue.errors import ColumnError, EmptyInputError, InputError, ParameterError, ParseError
from cxvalue.ingest import (
    Ledger,
    LedgerEntry,
    read_customers,
    read_responses,
    read_revenue,
    read_table,
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def many_bad(n_bad):
    lines = ["customer_id,responded_at,score"]
    lines += [f" C{i} ,2025-01-01,{11 if i < n_bad else 9}" for i in range(n_bad + 3)]
    return "\n".join(lines) + "\n"


def test_ledger_refuses_books_that_do_not_add_up():
    entry = LedgerEntry("no customer_id", 2, (3, 4))
    Ledger("f.csv", "responses", rows_read=5, rows_kept=3, rows_out=3, rejected=(entry,))
    with pytest.raises(AssertionError, match="does not add up"):
        Ledger("f.csv", "responses", rows_read=5, rows_kept=4, rows_out=4, rejected=(entry,))


def test_first_ten_rows_per_reason_but_the_full_count(tmp_path):
    ledger = read_responses(write(tmp_path, "r.csv", many_bad(25))).ledger
    (rejected,) = ledger.rejected
    assert rejected.count == 25 and rejected.rows == tuple(range(2, 12))
    (repaired,) = ledger.repaired
    assert repaired.count == 28 and len(repaired.rows) == 10
    assert ledger.rows_read == 28 == ledger.rows_kept + ledger.rows_rejected


def test_to_dict_is_json_ready_and_to_frame_is_tidy(tmp_path):
    ledger = read_responses(write(tmp_path, "r.csv", many_bad(2))).ledger
    d = json.loads(json.dumps(ledger.to_dict()))
    assert (d["rows_read"], d["rows_kept"], d["rows_rejected"], d["vendor"]) == (5, 3, 2, "plain")
    assert d["rejected"] == [{"reason": "score out of range 0–10", "count": 2, "rows": [2, 3]}]
    assert d["repaired"][0]["rule"] == "trimmed spaces around customer_id"
    frame = ledger.to_frame()
    assert list(frame.columns) == ["kind", "what", "column", "count", "rows"]
    assert frame["kind"].tolist() == ["rejected", "repaired"]


def test_str_is_a_short_aligned_block(tmp_path):
    text = "customer_id,responded_at,score\nA,2025-01-01,11\nB,,9\nC,2025-01-01,9\n"
    ledger = read_responses(write(tmp_path, "responses.csv", text)).ledger
    lines = str(ledger).splitlines()
    assert lines[0] == "responses.csv (responses): 3 read, 1 kept, 2 rejected"
    assert lines[1].split() == ["rejected", "1", "no", "responded_at", "(blank)", "row", "3"]
    assert lines[1].index("row 3") == lines[2].index("row 2")  # aligned
    html = ledger._repr_html_()
    assert "<table>" in html and "responses.csv (responses)" in html


def test_str_says_how_many_rows_when_more_than_ten(tmp_path):
    ledger = read_responses(write(tmp_path, "r.csv", many_bad(12))).ledger
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (12 in all)" in str(ledger)


def test_result_carries_source_and_vendor(tmp_path):
    result = read_responses(write(tmp_path, "r.csv", many_bad(0)))
    assert (result.source, result.vendor) == ("r.csv", "plain")
    assert "IngestResult(responses, 3 rows from r.csv" in repr(result)
    assert "<table>" in result._repr_html_()


def test_missing_column_names_what_was_looked_for_and_the_nearest(tmp_path):
    text = "cust_id,responded_at,score\nC1,2025-01-01,8\n"
    with pytest.raises(ColumnError) as info:
        read_responses(write(tmp_path, "responses.csv", text))
    assert str(info.value) == (
        "responses.csv: no 'customer_id' column. Found: cust_id, responded_at, score. "
        "Nearest: 'cust_id'. Pass columns={'customer_id': 'cust_id'} if that is it."
    )
    assert (info.value.column, info.value.nearest) == ("customer_id", "cust_id")
    # a column named as another one is ("Customer Since": acquired_at) is never suggested
    with pytest.raises(ColumnError) as info:
        read_customers(write(tmp_path, "c.csv", "Contact,Customer Since\nC1,2021-03-01\n"))
    assert info.value.nearest is None and "Nearest" not in str(info.value)


@pytest.mark.parametrize(
    "header",
    ["customer_id,Customer ID,score,responded_at", "Account Number,Customer Number,score,date"],
)
def test_two_columns_that_could_be_one_are_ambiguous(tmp_path, header):
    with pytest.raises(ColumnError, match="2 columns could be 'customer_id'"):
        read_responses(write(tmp_path, "a.csv", header + "\nA,B,9,2025-01-01\n"))


def test_stronger_synonyms_win_without_ambiguity(tmp_path):
    text = (
        "StartDate,EndDate,RecordedDate,Kundennummer,Kunde,NPS\n"
        "2025-01-01,2025-01-02,2025-01-03,7,Acme,9\n"
    )
    table = read_responses(write(tmp_path, "s.csv", text)).table
    assert table.loc[0, "responded_at"] == pd.Timestamp("2025-01-02")  # EndDate
    assert table.loc[0, "customer_id"] == "7" and table.loc[0, "Kunde"] == "Acme"


@pytest.mark.parametrize(
    "header",
    ["Customer ID", "account id", "ACCOUNT_NUMBER", "ExternalReference", "External Data Reference",
     "customer", "Kundennummer", "kunde", "Custom Data 1", "Debitor", "Debitorennummer",
     "account_code", "extRef"],
)  # fmt: skip
def test_customer_id_synonyms(tmp_path, header):
    text = f"{header},responded_at,score\n007,2025-01-01,9\n"
    assert read_responses(write(tmp_path, "s.csv", text)).table["customer_id"].tolist() == ["007"]


def test_column_map_wins_and_a_wrong_map_is_named(tmp_path):
    text = "Account Number,customer,Datum,Bewertung\n007,Acme,31.03.2025,9\n"
    mapping = {"customer_id": "Account Number", "responded_at": "Datum", "score": "Bewertung"}
    table = read_responses(write(tmp_path, "m.csv", text), columns=mapping).table
    assert table.loc[0, "customer_id"] == "007" and table.loc[0, "customer"] == "Acme"
    with pytest.raises(ColumnError, match="names a column that is not there.*Nearest: 'Datum'"):
        read_responses(write(tmp_path, "m.csv", text), columns={**mapping, "responded_at": "Date"})


def test_empty_files(tmp_path):
    with pytest.raises(EmptyInputError, match="has no rows"):
        read_responses(write(tmp_path, "e.csv", "customer_id,responded_at,score\n"))
    with pytest.raises(EmptyInputError, match="no rows"):
        read_responses(write(tmp_path, "z.csv", ""))
    with pytest.raises(EmptyInputError, match="no rows"):
        read_revenue(pd.DataFrame(columns=["customer_id", "period", "revenue"]))


def test_strict_rule_rejections_are_input_errors_naming_file_column_and_rows(tmp_path):
    text = "customer_id,responded_at,score,response_id\nA,2025-01-01,9,R1\nB,2025-01-01,9,R1\n"
    assert read_responses(write(tmp_path, "d.csv", text)).ledger.rows_rejected == 1
    with pytest.raises(InputError) as info:
        read_responses(write(tmp_path, "d.csv", text), strict=True)
    assert not isinstance(info.value, ParseError)
    assert str(info.value).startswith(
        "d.csv, column 'response_id': duplicate response_id (row 3). strict=True allows no"
    )


def test_strict_lists_the_other_reasons_too(tmp_path):
    text = "customer_id,responded_at,score\nA,2025-01-01,x\n,2025-01-01,9\nB,2025-01-01,\n"
    with pytest.raises(ParseError) as info:
        read_responses(write(tmp_path, "s.csv", text), strict=True)
    message = str(info.value)
    assert "column 'score': 1 value is not a score (row 2)" in message
    assert "Also rejected: 1 × no customer_id; 1 × no score (non-answer)." in message


def test_read_table_dispatches_by_kind(tmp_path):
    path = write(tmp_path, "r.csv", "customer_id,period,revenue\nA,2025-01-01,1\n")
    assert read_table("revenue", path).ledger.table == "revenue"
    assert read_table("customers", path).ledger.table == "customers"
    with pytest.raises(ParameterError, match="'kind' parameter of read_table"):
        read_table("invoices", path)
