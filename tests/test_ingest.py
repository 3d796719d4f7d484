"""Formats and conventions as real extracts bring them, each with a small fixture."""

import gzip
import warnings

import pandas as pd
import pytest

from cxvalue.errors import (
    ColumnError,
    DataWarning,
    EmptyInputError,
    InputError,
    ParameterError,
    ParseError,
)
from cxvalue.ingest import Scale, read_customers, read_responses, read_revenue


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


QUALTRICS = (
    "StartDate,EndDate,Status,Finished,ResponseId,ExternalReference,Q1,Q1_NPS_GROUP,Q3\n"
    '"Start Date","End Date","Response Type","Finished","Response ID","External Data Reference",'
    '"How likely are you to recommend Acme to a friend or colleague?","Q1 - Group","Comments"\n'
    '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
    '"{""ImportId"":""finished""}","{""ImportId"":""_recordId""}",'
    '"{""ImportId"":""externalDataReference""}","{""ImportId"":""QID1""}",'
    '"{""ImportId"":""QID1_NPS_GROUP""}","{""ImportId"":""QID3_TEXT""}"\n'
    "2025-01-02 10:00:00,2025-01-02 10:05:00,IP Address,True,R_a,00123,"
    "10 - Extremely likely,Promoter,top\n"
    "2025-01-03 10:00:00,2025-01-03 10:05:00,Survey Preview,True,R_b,00124,9,Promoter,\n"
    "2025-01-04 10:00:00,2025-01-04 10:05:00,IP Address,False,R_c,00125,3,Detractor,\n"
    "2025-01-05 10:00:00,2025-01-05 10:05:00,IP Address,True,R_d,00126,8,Detractor,oops\n"
    "2025-01-06 10:00:00,2025-01-06 10:05:00,IP Address,True,R_e,00127,"
    "0 - Not at all likely,Detractor,\n"
)


def test_qualtrics_export(tmp_path):
    result = read_responses(write(tmp_path, "q.csv", QUALTRICS))
    assert result.vendor == "qualtrics"
    table = result.table
    assert table["customer_id"].tolist() == ["00123", "00127"]
    assert table["score"].tolist() == [10, 0]
    assert table["category"].tolist() == ["promoter", "detractor"]
    assert table["responded_at"].tolist() == [pd.Timestamp(d) for d in ("2025-01-02", "2025-01-06")]
    reasons = {e.what: e.rows for e in result.ledger.rejected}
    assert reasons["survey preview (not a response)"] == (5,)
    assert reasons["unfinished response (Finished = False)"] == (6,)
    assert reasons["score disagrees with Q1_NPS_GROUP"] == (7,)
    assert "Q3" in table.columns  # the verbatim is kept for the analyst


def test_surveymonkey_export(tmp_path):
    text = (
        "Respondent ID,Collector ID,End Date,Custom Data 1,How likely is it that you would "
        "recommend us to a friend or colleague?\n"
        ",,,,Response\n"
        "1001,55,01/31/2025,A-001,9\n"
        "1002,55,02/15/2025,A-002,6\n"
    )
    result = read_responses(write(tmp_path, "sm.csv", text))
    assert result.vendor == "surveymonkey"
    assert result.table["customer_id"].tolist() == ["A-001", "A-002"]
    assert result.table["score"].tolist() == [9, 6]
    assert result.table["responded_at"].tolist() == [
        pd.Timestamp("2025-01-31"),
        pd.Timestamp("2025-02-15"),
    ]
    assert [e.rows for e in result.ledger.rejected] == []


def test_column_map_for_every_name(tmp_path):
    text = "Account Number;Datum;Bewertung\n007;31.03.2025;9\n"
    result = read_responses(
        write(tmp_path, "x.csv", text),
        columns={"customer_id": "Account Number", "responded_at": "Datum", "score": "Bewertung"},
    )
    assert result.table.loc[0, "customer_id"] == "007"
    assert result.table.loc[0, "responded_at"] == pd.Timestamp("2025-03-31")


@pytest.mark.parametrize(
    ("cell", "score", "reason"),
    [
        ("9", 9, None),
        ("9.0", 9, None),
        ("10 - Extremely likely", 10, None),
        ("0 = Not at all likely", 0, None),
        ("", None, "no score (non-answer)"),
        ("11", None, "score out of range 0–10"),
        ("-1", None, "score out of range 0–10"),
        ("7.5", None, "score is not a whole number"),
        ("very likely", None, "score is not a number"),
    ],
)
def test_scores_as_they_come(tmp_path, cell, score, reason):
    text = f'customer_id,responded_at,score\nA,2025-01-01,"{cell}"\n'
    result = read_responses(write(tmp_path, "s.csv", text))
    if score is None:
        assert result.table.empty
        assert [e.what for e in result.ledger.rejected] == [reason]
    else:
        assert result.table["score"].tolist() == [score]


def test_other_scales_are_declared_with_cut_points(tmp_path):
    csat = Scale(1, 5, detractor=(1, 2), passive=(3, 3), promoter=(4, 5))
    text = "customer_id,responded_at,score\n" + "".join(
        f"{c},2025-01-01,{s}\n" for c, s in zip("ABCD", (5, 3, 1, 0), strict=True)
    )
    result = read_responses(write(tmp_path, "c.csv", text), scale=csat)
    assert result.table["category"].tolist() == ["promoter", "passive", "detractor"]
    assert [e.what for e in result.ledger.rejected] == ["score out of range 1–5"]
    with pytest.raises(ParameterError, match="cover 1–5"):
        Scale(1, 5, detractor=(1, 2), passive=(3, 3), promoter=(5, 5))


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("1.234,56 €", 1234.56),
        ("$1,234.56", 1234.56),
        ("(1,234.00)", -1234.0),
        ("EUR 1 234,56", 1234.56),
        ("-12,5", -12.5),
        ("1234.5", 1234.5),
    ],
)
def test_amounts_in_german_and_english(tmp_path, cell, amount):
    sep = ";" if "," in cell and "." not in cell.split(",")[-1] and "$" not in cell else ","
    if cell.startswith("$") or cell.startswith("(1,234.00"):
        sep = ","
    line = f'A{sep}2025-01-01{sep}"{cell}"\n'
    result = read_revenue(write(tmp_path, "r.csv", f"customer_id{sep}period{sep}revenue\n" + line))
    assert result.table["revenue"].tolist() == [pytest.approx(amount)]


def test_decimal_convention_is_per_column_not_per_cell(tmp_path):
    text = "customer_id;period;revenue\nA;01.01.2025;1.234\nA;01.02.2025;12,50\n"
    result = read_revenue(write(tmp_path, "r.csv", text))
    assert result.table["revenue"].tolist() == [1234.0, 12.5]


def test_unparseable_amount_is_rejected_with_its_row(tmp_path):
    text = "customer_id,period,revenue\nA,2025-01-01,10\nA,2025-02-01,n/a\nB,2025-01-01,5\n"
    result = read_revenue(write(tmp_path, "r.csv", text))
    assert result.table["revenue"].sum() == 15
    (entry,) = result.ledger.rejected
    assert (entry.what, entry.rows) == ("revenue not a number", (3,))
    with pytest.raises(ParseError) as info:
        read_revenue(write(tmp_path, "r.csv", text), strict=True)
    assert info.value.column == "revenue" and info.value.rows == [3]
    assert "r.csv" in str(info.value) and "row 3" in str(info.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(tmp_path, encoding):
    text = "Kundennummer;Monat;Umsatz\n0042;01.01.2025;1.234,56 €\n"
    result = read_revenue(write(tmp_path, "r.csv", text, encoding))
    assert result.table.loc[0, "customer_id"] == "0042"
    assert result.table.loc[0, "revenue"] == pytest.approx(1234.56)


@pytest.mark.parametrize(
    ("cell", "kwargs", "date"),
    [
        ("2025-03-31", {}, "2025-03-31"),
        ("31.03.2025", {}, "2025-03-31"),
        ("45747", {}, "2025-03-31"),
        ("03/31/2025", {}, "2025-03-31"),
        ("31/03/2025", {}, "2025-03-31"),
        ("03/04/2025", {"dayfirst": True}, "2025-04-03"),
        ("03/04/2025", {"dayfirst": False}, "2025-03-04"),
    ],
)
def test_dates(tmp_path, cell, kwargs, date):
    text = f"customer_id,responded_at,score\nA,{cell},9\n"
    result = read_responses(write(tmp_path, "d.csv", text), **kwargs)
    assert result.table.loc[0, "responded_at"] == pd.Timestamp(date)


def test_ambiguous_dates_ask_for_dayfirst(tmp_path):
    text = "customer_id,responded_at,score\nA,03/04/2025,9\nB,05/06/2025,9\n"
    with pytest.raises(ParseError, match="dayfirst") as info:
        read_responses(write(tmp_path, "d.csv", text))
    assert info.value.rows == [2, 3]


def test_ids_stay_strings(tmp_path):
    text = (
        "customer_id,responded_at,score\n00123,2025-01-01,9\n  00124 ,2025-01-01,9\n,2025-01-01,9\n"
    )
    result = read_responses(write(tmp_path, "i.csv", text))
    assert result.table["customer_id"].tolist() == ["00123", "00124"]
    assert str(result.table["customer_id"].dtype) == "string"
    assert [(e.what, e.rows) for e in result.ledger.repaired] == [
        ("trimmed spaces around customer_id", (3,))
    ]
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [("no customer_id", (4,))]


def test_ids_from_excel_numbers_are_written_as_text(tmp_path):
    path = tmp_path / "c.xlsx"
    pd.DataFrame({"customer_id": [123.0, 124.0], "segment": ["A", "B"]}).to_excel(path, index=False)
    result = read_customers(path)
    assert result.table["customer_id"].tolist() == ["123", "124"]
    assert "written as text" in result.ledger.repaired[0].what


def test_revenue_long_wide_and_subscription_forms(tmp_path):
    long = read_revenue(write(tmp_path, "l.csv", "customer,month,amount\nA,2025-01-15,10\n"))
    assert long.table.loc[0, "period"] == pd.Timestamp("2025-01-01")
    assert "mapped to the month's first day" in long.ledger.repaired[0].what
    wide = read_revenue(write(tmp_path, "w.csv", "customer_id,2025-01,2025-02,Mär 2025\nA,1,,3\n"))
    assert wide.table["period"].dt.month.tolist() == [1, 3]
    sub = read_revenue(
        write(
            tmp_path,
            "s.csv",
            "customer_id,MRR,start,end\nA,100,2025-01-01,2025-03-31\nB,50,2025-02-01,\n",
        )
    )
    assert sub.table.groupby("customer_id")["revenue"].sum().to_dict() == {"A": 300.0, "B": 100.0}
    assert sub.ledger.rows_read == 2 and sub.ledger.rows_out == 5


def test_duplicate_response_ids_keep_the_first(tmp_path):
    text = "customer_id,responded_at,score,response_id\nA,2025-01-01,9,R1\nB,2025-01-02,3,R1\n"
    result = read_responses(write(tmp_path, "r.csv", text))
    assert result.table["customer_id"].tolist() == ["A"]
    assert result.ledger.rejected[0].what == "duplicate response_id"


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_text_columns_are_arrow_strings(tmp_path, suffix):
    """The contract: ids and kept text columns hold Arrow-backed strings (the panel's
    engine scans them without a copy), whichever reading lane the file takes."""
    responses = pd.DataFrame({"customer_id": ["A", "B"], "responded_at": ["2025-01-01"] * 2,
                              "score": [9, 3], "response_id": ["R1", None],
                              "segment": ["smb", " "]})  # fmt: skip
    customers = pd.DataFrame({"customer_id": ["A", "B"], "region": ["north", None]})
    read = []
    for name, frame, reader in (("r", responses, read_responses), ("c", customers, read_customers)):
        path = tmp_path / f"{name}.{suffix}"
        frame.to_csv(path, index=False) if suffix == "csv" else frame.to_parquet(path)
        read.append(reader(path).table)
    arrow = pd.StringDtype("pyarrow")
    for table, columns in zip(read, (["customer_id", "response_id", "segment"],
                                     ["customer_id", "region"]), strict=True):  # fmt: skip
        assert {c: table[c].dtype for c in columns} == dict.fromkeys(columns, arrow)
    assert read[0]["response_id"].isna().tolist() == [False, True]
    assert read[0]["segment"].isna().tolist() == [False, True]


def test_gzip_tsv_xlsx_parquet_and_dataframe(tmp_path):
    frame = pd.DataFrame(
        {"customer_id": ["001", "002"], "period": ["2025-01-01"] * 2, "revenue": [1.5, 2.0]}
    )
    gz = tmp_path / "r.csv.gz"
    gz.write_bytes(gzip.compress(frame.to_csv(index=False).encode()))
    tsv = write(tmp_path, "r.tsv", frame.to_csv(index=False, sep="\t"))
    xlsx = tmp_path / "r.xlsx"
    frame.to_excel(xlsx, index=False)
    parquet = tmp_path / "r.parquet"
    frame.to_parquet(parquet)
    tables = [read_revenue(s).table for s in (gz, tsv, xlsx, parquet, frame)]
    for table in tables[1:]:
        pd.testing.assert_frame_equal(table, tables[0])
    assert tables[0]["customer_id"].tolist() == ["001", "002"]


def test_missing_and_ambiguous_columns(tmp_path):
    with pytest.raises(ColumnError) as info:
        read_responses(write(tmp_path, "m.csv", "cust_id,responded_at,score\nC1,2025-01-01,8\n"))
    assert info.value.nearest == "cust_id" and "cust_id" in info.value.found
    text = "customer_id,Customer ID,score,responded_at\nA,B,9,2025-01-01\n"
    with pytest.raises(ColumnError, match="2 columns could be 'customer_id'"):
        read_responses(write(tmp_path, "a.csv", text))


def test_empty_file_says_no_rows(tmp_path):
    with pytest.raises(EmptyInputError, match="no rows"):
        read_revenue(write(tmp_path, "e.csv", "customer_id,period,revenue\n"))


def test_strict_turns_rejections_into_errors(tmp_path):
    text = "customer_id,responded_at,score\nA,2025-01-01,11\n"
    with pytest.raises(InputError, match="strict"):
        read_responses(write(tmp_path, "s.csv", text), strict=True)


def test_customers_table(tmp_path):
    text = (
        "customer_id,segment,acquired_at,churned_at,referral_source\n"
        "01,SMB,2023-01-01,,referral\n02,SMB,2023-02-01,2024-05-31,sales\n01,Ent,2023-01-01,,sales\n"
    )
    with pytest.warns(DataWarning, match=r"c.csv: 1 customer .* differ in 'segment', "
                      r"'referral_source' \(customer 01: rows 2, 4\)\. The first row"):  # fmt: skip
        result = read_customers(write(tmp_path, "c.csv", text))
    table = result.table
    assert table["customer_id"].tolist() == ["01", "02"]
    assert table["churned_at"].isna().tolist() == [True, False]
    assert result.ledger.rejected[0].what == "duplicate customer_id (first kept)"


def test_customers_repeated_alike_pass_quietly_and_dates_that_differ_are_named(tmp_path):
    alike = "customer_id,segment,churned_at\n01,SMB,\n02,SMB,\n01,SMB,\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_customers(write(tmp_path, "a.csv", alike)).table) == 2
    history = "Kunde,Ende\n01,\n02,\n01,31.05.2024\n02,\n"
    with pytest.warns(
        DataWarning, match=r"1 customer .* differ in 'Ende' \(customer 01: rows 2, 4"
    ):
        columns = {"customer_id": "Kunde", "churned_at": "Ende"}
        table = read_customers(write(tmp_path, "h.csv", history), columns=columns).table
    assert table["churned_at"].isna().all()


def test_ledger_views(tmp_path):
    text = "customer_id,responded_at,score\nA,2025-01-01,11\nB,2025-01-01,9\n"
    ledger = read_responses(write(tmp_path, "v.csv", text)).ledger
    d = ledger.to_dict()
    assert (d["rows_read"], d["rows_kept"], d["rows_rejected"]) == (2, 1, 1)
    assert d["rejected"] == [{"reason": "score out of range 0–10", "count": 1, "rows": [2]}]
    assert ledger.to_frame()["count"].tolist() == [1]
    assert "v.csv (responses): 2 read, 1 kept, 1 rejected" in str(ledger)
    assert "<table>" in ledger._repr_html_()
