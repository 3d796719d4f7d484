"""Revenue in its three layouts: long, wide, subscription; customers."""

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxvalue.errors import DataWarning, InputError, ParameterError, ParseError
from cxvalue.ingest import read_customers, read_responses, read_revenue


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_long_form_with_synonyms_month_labels_and_cost(tmp_path):
    text = ("Account ID,Month,Amount,Cost,product\nA,Jan 2025,100,10,x\nA,2025-02,50,,y\n"
            "B,Mär 2025,7,1,z\n")  # fmt: skip
    result = read_revenue(write(tmp_path, "l.csv", text))
    table = result.table
    assert list(table.columns) == ["customer_id", "period", "revenue", "cost"]
    assert table["period"].dt.strftime("%Y-%m").tolist() == ["2025-01", "2025-02", "2025-03"]
    assert table["cost"].isna().tolist() == [False, True, False]
    assert "read as long form" in result.ledger.notes
    assert "columns not used: product" in result.ledger.notes


def test_a_year_column_and_a_month_column_are_one_month(tmp_path):
    """A finance extract's Jahr;Monat;Umsatz: 'Monat' (1-12) was the period, and every row
    was rejected as "not a date"; the library returned an empty table."""
    text = "Kunde;Jahr;Monat;Umsatz\n00001;2024;12;1.200,50\n00001;2025;1;1.100\n00002;;3;50\n"
    frame = pd.DataFrame({"Customer": ["A", "A"], "Year": [2025, 2025], "Month": ["Jan", "March"],
                          "Revenue": [100.0, 120.0]})  # fmt: skip
    frame.to_parquet(tmp_path / "y.parquet")
    for source, months in ((write(tmp_path, "j.csv", text), ["2024-12", "2025-01"]),
                           (tmp_path / "y.parquet", ["2025-01", "2025-03"])):  # fmt: skip
        result = read_revenue(source)
        assert result.table["period"].dt.strftime("%Y-%m").tolist() == months
        year, month = ("Jahr", "Monat") if source.suffix == ".csv" else ("Year", "Month")
        assert f"columns {year!r} and {month!r} read as one month" in result.ledger.notes
    assert [e.rows for e in read_revenue(tmp_path / "j.csv").ledger.rejected] == [(4,)]
    # months that carry their year are read as they are, a year column beside them or not
    dated = read_revenue(write(tmp_path, "d.csv", "customer_id,year,month,revenue\n"
                               "A,2024,Jan 2025,5\n"))  # fmt: skip
    assert dated.table["period"].tolist() == [pd.Timestamp("2025-01-01")]
    assert "columns not used: year" in dated.ledger.notes


def test_a_payment_s_date_is_its_month_when_no_other_date_is_named(tmp_path):
    """Paddle's 'Billed At', a bank export's 'Payment Date': not found ("cannot tell the
    revenue layout"). A column named as the date still wins over them."""
    paid = read_revenue(write(tmp_path, "p.csv", "Customer ID,Billed At,Amount\n"
                              "ctm_A,2025-01-03T10:00:00Z,49\n"))  # fmt: skip
    assert paid.table["period"].tolist() == [pd.Timestamp("2025-01-01")]
    both = read_revenue(write(tmp_path, "b.csv", "customer_id,Payment Date,Date,amount\n"
                              "A,2025-02-03,2025-01-31,5\n"))  # fmt: skip
    assert both.table["period"].tolist() == [pd.Timestamp("2025-01-01")]


def test_mrr_counts_as_revenue_in_the_long_form(tmp_path):
    result = read_revenue(write(tmp_path, "m.csv", "customer_id,month,MRR\nA,2025-01,9.5\n"))
    assert result.table["revenue"].tolist() == [9.5]


def test_mid_month_dates_map_to_the_month_and_the_ledger_says_so(tmp_path):
    text = "customer_id,period,revenue\nA,2025-01-15,10\nA,2025-02-01,5\n"
    result = read_revenue(write(tmp_path, "l.csv", text))
    assert result.table["period"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-01", "2025-02-01"]
    (entry,) = result.ledger.repaired
    assert entry.rows == (2,)
    assert entry.what == "dates inside a month mapped to the month's first day"


def test_duplicates_are_summed_costs_too_and_blank_costs_stay_missing(tmp_path):
    text = ("customer_id,period,revenue,margin\nA,2025-01-01,100,\nA,2025-01-01,50,\n"
            "A,2025-01-20,-30,-3\nB,2025-01-01,10,\n")  # fmt: skip
    result = read_revenue(write(tmp_path, "d.csv", text))
    table = result.table
    assert table["revenue"].tolist() == [120.0, 10.0]
    assert table["margin"].tolist()[0] == -3.0 and pd.isna(table["margin"].tolist()[1])
    rules = {e.what: e for e in result.ledger.repaired}
    assert rules["summed duplicate customer-months"].rows == (2, 3, 4)
    assert result.ledger.rows_read == result.ledger.rows_kept == 4
    assert result.ledger.rows_out == 2


def test_wide_form_month_headers_blank_cells_and_bad_cells(tmp_path):
    text = ("customer_id,Jan 2025,2025-02,01.03.2025,Total\nA,100,,3,103\nB,\"1,000.50\",0,20,x\n"
            "C,5,oops,1,\n")  # fmt: skip
    result = read_revenue(write(tmp_path, "w.csv", text))
    table = result.table
    assert result.ledger.rows_read == 3 and result.ledger.rows_kept == 2
    assert table.groupby("customer_id")["revenue"].sum().to_dict() == {"A": 103.0, "B": 1020.5}
    assert len(table[table["customer_id"] == "A"]) == 2  # the blank month is no row
    (entry,) = result.ledger.rejected
    assert entry.rows == (4,) and entry.what == "revenue not a number in column '2025-02'"
    assert "columns not used: Total" in result.ledger.notes


def test_wide_form_from_excel_with_date_headers(tmp_path):
    path = tmp_path / "w.xlsx"
    pd.DataFrame({"Kunde": ["001", "002"], pd.Timestamp("2025-01-01"): [10.0, None],
                  pd.Timestamp("2025-02-01"): [5, 7]}).to_excel(path, index=False)  # fmt: skip
    table = read_revenue(path).table
    assert table["customer_id"].tolist() == ["001", "001", "002"]
    assert table["revenue"].tolist() == [10.0, 5.0, 7.0]


def test_an_accounting_reports_unnamed_first_column_holds_the_customers(tmp_path):
    """QuickBooks' Sales by Customer Summary: titles, customers in a column with no header,
    months across, a total column and row, an indented sub-customer, a footer line."""
    text = ("Acme Inc.\nSales by Customer Summary\nJanuary - March 2025\n\n"
            ",Jan 2025,Feb 2025,Mar 2025,Total\n"
            'Customer 001,"1,200.00","1,250.00",,"$2,450.00"\n'
            "   Sub-customer 001-A,100.00,100.00,100.00,$300.00\n"
            'Customer 002,"2,000.00","2,100.00","2,050.00","$6,150.00"\n'
            'TOTAL,"$3,300.00","$3,450.00","$2,150.00","$8,900.00"\n\n'
            '"Accrual basis  Monday, May 5, 2025 09:12 AM GMT-07:00"\n')  # fmt: skip
    result = read_revenue(write(tmp_path, "qb.csv", text))
    assert result.table.groupby("customer_id")["revenue"].sum().to_dict() == {
        "Customer 001": 2450.0, "Customer 002": 6150.0, "Sub-customer 001-A": 300.0,
    }  # fmt: skip
    assert "the unnamed first column read as customer_id (the row labels)" in result.ledger.notes
    (total,) = result.ledger.rejected
    assert total.what == "a total row (Total, Summe), not a customer" and total.rows == (9,)
    # a column named as the ids wins; an unnamed column is not the ids of a long table
    named = read_revenue(write(tmp_path, "n.csv", ",customer_id,Jan 2025,Feb 2025\nx,A,5,6\n"))
    assert named.table["customer_id"].tolist() == ["A", "A"]
    with pytest.raises(InputError, match="no 'customer_id' column"):
        read_revenue(write(tmp_path, "l.csv", ",period,revenue\nA,2025-01,5\n"))


def test_a_workbook_with_a_sheet_per_year_says_the_other_years_are_not_read(tmp_path):
    """Finance keeps a sheet per year: only the first was read, its revenue years old, and
    only the ledger's note named the other sheets."""
    from cxvalue.report.notes import in_locale

    path = tmp_path / "years.xlsx"
    with pd.ExcelWriter(path) as book:
        for year in (2024, 2025):
            pd.DataFrame({"Kunde": ["001"], f"Jan {year}": [10], f"Feb {year}": [11]}).to_excel(
                book, sheet_name=str(year), index=False)  # fmt: skip
        pd.DataFrame({"Notes": ["from the ERP"], "x": [1]}).to_excel(book, sheet_name="Notes")
    said = r"years\.xlsx: sheet '2025' holds a table like the first sheet's, the one read, and "
    with pytest.warns(DataWarning, match=said + "its rows are not read") as caught:
        result = read_revenue(path)
    assert result.table["period"].dt.year.unique().tolist() == [2024]
    assert "sheets not read that hold a table like this one: '2025'" in result.ledger.notes
    assert str(caught[0].message).endswith(
        "sheet=['2024', '2025'] reads them as one table (in the config, sheet = ['2024', '2025'])."
    )
    assert in_locale(caught[0].message, "de").startswith("years.xlsx: Das Blatt '2025' enthält")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        read_revenue(path, sheet="2025")  # a sheet named: the others are not in question


def test_a_workbook_s_sheets_per_year_are_read_as_one_table(tmp_path):
    """Named together, the sheets are one table: an annual invoice on each year's sheet is
    seen twice (a year apart) and spread over its twelve months, which two reads could
    not tell; a rejected row is named by its sheet and the row that sheet shows."""
    path, years = tmp_path / "annual.xlsx", ["2023", "2024", "2025"]
    with pd.ExcelWriter(path) as book:
        for year, b in zip(years, (600, 600, "x"), strict=True):
            pd.DataFrame(
                {"customer_id": ["A", "B"], "period": [f"{year}-01-15"] * 2, "revenue": [1200, b]}
            ).to_excel(book, sheet_name=year, index=False)
    with pytest.warns(DataWarning, match="invoices every 12 months for 2 customers"):
        result = read_revenue(path, sheet=years)
    a = result.table[result.table["customer_id"] == "A"]
    # (the last invoice's months after January 2025, the extract's last, are left out)
    assert len(a) == 25 and a["revenue"].eq(100).all()
    assert result.ledger.rows_read == 6 and result.ledger.rows_kept == 5
    (rejected,) = result.ledger.rejected
    assert (rejected.what, rejected.rows) == ("revenue not a number (sheet '2025')", (3,))
    assert "read sheets '2023', '2024', '2025' as one table" in result.ledger.notes
    with pytest.raises(ParseError, match=r"\(row 3 in sheet '2025'\)"):
        read_revenue(path, sheet=years, strict=True, billing_months=1)
    with pytest.raises(ParameterError, match="'2024' named twice in the sheets"):
        read_revenue(path, sheet=["2024", " 2024"])


def test_a_file_per_month_is_read_as_one_table(tmp_path):
    """An extract per month had to be joined by hand. A list of files or a pattern reads
    them as one table, and the ledger and errors name each row's file."""
    write(tmp_path, "rev_2025-01.csv", "customer_id,period,revenue\nA,2025-01,10\nB,2025-01,x\n")
    write(tmp_path, "rev_2025-02.csv", "customer_id;period;revenue\nA;2025-02;10,5\nB;2025-02;7\n")
    write(tmp_path, "notes.txt", "not an extract")
    result = read_revenue(tmp_path / "rev_*.csv")
    assert result.table["revenue"].tolist() == [10.0, 10.5, 7.0]
    assert result.source == "rev_*.csv" and result.ledger.rows_read == 4
    (rejected,) = result.ledger.rejected
    assert (rejected.what, rejected.rows) == (
        "revenue not a number (file 'rev_2025-01.csv')", (3,))  # fmt: skip
    named = read_revenue([tmp_path / "rev_2025-02.csv", str(tmp_path / "rev_2025-01.csv")])
    assert named.source == "rev_2025-02.csv, rev_2025-01.csv"
    pd.testing.assert_frame_equal(named.table, result.table)
    with pytest.raises(ParseError, match=r"\(row 3 in file 'rev_2025-01\.csv'\)"):
        read_revenue(tmp_path / "rev_*.csv", strict=True)
    (tmp_path / "b").mkdir()  # a pattern in a list, and one name in two folders
    write(tmp_path / "b", "rev_2025-01.csv", "customer_id,period,revenue\nC,2025-02,1\n")
    more = read_revenue([tmp_path / "rev_*.csv", tmp_path / "b" / "rev_2025-01.csv"])
    assert more.ledger.rows_read == 5 and len(more.table) == 4
    (rejected,) = more.ledger.rejected
    assert rejected.what == f"revenue not a number (file '{tmp_path / 'rev_2025-01.csv'}')"
    with pytest.raises(InputError, match=r"rev_2026-\*\.csv: no file matches"):
        read_revenue(tmp_path / "rev_2026-*.csv")
    with pytest.raises(ParameterError, match="'rev_2025-01.csv' named twice in the files"):
        read_revenue([tmp_path / "rev_2025-01.csv"] * 2)
    with pytest.raises(ParameterError, match="An empty list of files"):
        read_revenue([])


def test_a_warehouse_s_parquet_parts_are_read_typed_as_one_table(tmp_path):
    """A warehouse writes part-0.parquet, part-1.parquet, …: read as one typed source (the
    fast lane), they give the one file's table, and rows are named by their part."""
    from cxvalue.ingest._typed import open_parquet

    rng = np.random.default_rng(3)
    n = 3_000
    frame = pd.DataFrame({
        "customer_id": [f"{i:05d}" for i in rng.integers(0, 400, n)],
        "period": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 24, n) * 31, "D"),
        "revenue": rng.gamma(2.0, 50.0, n).round(2),
    })  # fmt: skip
    frame.loc[2_500, "revenue"] = np.nan
    frame.to_parquet(tmp_path / "whole.parquet")
    (tmp_path / "parts").mkdir()
    for k in range(3):
        frame.iloc[k * 1_000 : (k + 1) * 1_000].to_parquet(tmp_path / "parts" / f"part-{k}.parquet")
    pattern = tmp_path / "parts" / "part-*.parquet"
    assert open_parquet(pattern).sizes == (1_000, 1_000, 1_000)
    whole = read_revenue(tmp_path / "whole.parquet", billing_months=1)
    parts = read_revenue(pattern, billing_months=1)
    pd.testing.assert_frame_equal(parts.table, whole.table)
    assert parts.ledger.rows_read == n and parts.ledger.rows_kept == n - 1
    (blank,) = parts.ledger.rejected
    assert (blank.what, blank.rows) == ("no revenue (blank) (file 'part-2.parquet')", (502,))
    frame.iloc[:10].assign(extra=1).to_parquet(tmp_path / "parts" / "part-3.parquet")
    assert open_parquet(pattern) is None  # another schema: the generic lane reads them
    assert read_revenue(pattern, billing_months=1).ledger.rows_read == n + 10


def test_a_table_split_over_two_sheets_reads_as_on_one(tmp_path):
    """A sample's revenue (200 customers), on one sheet and split by year over two: the
    same table, every row read, and the same rows rejected (one bad cell per sheet)."""
    from cxvalue.samples import SampleParams, write_sample

    paths = write_sample(tmp_path, params=SampleParams(n_customers=200), seed=5)
    frame = pd.read_csv(paths["revenue"], sep=";", dtype=str)  # Kundennummer;Monat;Umsatz
    frame.loc[[3, len(frame) - 2], "Umsatz"] = "n/a"
    year = frame["Monat"].str[-4:]
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    frame.to_excel(one, index=False)
    with pd.ExcelWriter(two) as book:
        for name in sorted(year.unique()):
            frame[year == name].to_excel(book, sheet_name=name, index=False)
    whole = read_revenue(one)
    split = read_revenue(two, sheet=sorted(year.unique()))
    pd.testing.assert_frame_equal(split.table, whole.table)
    assert split.ledger.rows_read == whole.ledger.rows_read == len(frame)
    assert sum(e.count for e in split.ledger.rejected) == whole.ledger.rows_rejected == 2


def test_subscriptions_expand_to_months_inclusive(tmp_path):
    text = ("customer_id,MRR,start,end\nA,\"1,000.00\",2025-01-15,2025-03-10\nB,50,2025-02-01,\n"
            "C,10,2025-05-01,2025-04-01\nD,10,2025-06-01,\n")  # fmt: skip
    result = read_revenue(write(tmp_path, "s.csv", text))
    sizes = result.table.groupby("customer_id").size().to_dict()
    assert sizes == {"A": 3, "B": 5, "D": 1}  # open ends run to the latest month in the file
    assert result.ledger.rows_read == 4 and result.ledger.rows_out == 9
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [
        ("subscription ends before it starts", (4,))
    ]
    assert "open-ended subscriptions run through 2025-06" in result.ledger.notes


def test_a_billing_tool_s_subscriptions_export_is_read_without_its_scheduled_ones(tmp_path):
    """Chargebee: 'Started At' and 'Cancelled At' were not found ("cannot tell the revenue
    layout"); a subscription scheduled to start in two months then moved the extract's
    last month there, and every open subscription billed months that had not come."""
    text = ("Subscription Id,Customer Id,Status,MRR,Currency,Started At,Cancelled At,"
            "Current Term End\n"
            "sub_1,cus_A,active,99.00,EUR,2024-01-15 10:00:00,,2026-01-15 10:00:00\n"
            "sub_2,cus_B,cancelled,99.00,EUR,2024-03-01 08:00:00,2025-02-01 08:00:00,\n"
            "sub_3,cus_C,in_trial,0.00,EUR,2025-11-20 08:00:00,,2025-12-04 08:00:00\n"
            "sub_4,cus_D,future,99.00,EUR,2026-02-01 00:00:00,,\n")  # fmt: skip
    result = read_revenue(write(tmp_path, "s.csv", text))
    months = result.table.groupby("customer_id")["period"].agg(["min", "max", "size"])
    assert months.astype(str).values.tolist() == [
        ["2024-01-01", "2025-11-01", "23"], ["2024-03-01", "2025-02-01", "12"],
        ["2025-11-01", "2025-11-01", "1"]]  # fmt: skip
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [
        ("not started (Status 'future')", (5,))]  # fmt: skip
    assert "open-ended subscriptions run through 2025-11" in result.ledger.notes


def test_subscriptions_through_a_given_month(tmp_path):
    text = "customer_id,MRR,start,end\nA,10,2024-11-01,\nB,10,2025-03-01,\n"
    result = read_revenue(write(tmp_path, "s.csv", text), through="2025-01-31")
    assert result.table["period"].dt.strftime("%Y-%m").tolist() == ["2024-11", "2024-12", "2025-01"]
    assert result.ledger.rejected[0].what == "subscription starts after through="
    with pytest.raises(ParameterError, match="'through' parameter"):
        read_revenue(write(tmp_path, "s.csv", text), through="soon")


def test_form_can_be_forced_and_unknown_layouts_say_what_was_expected(tmp_path):
    text = "customer_id,period,revenue\nA,2025-01-01,1\n"
    assert read_revenue(write(tmp_path, "l.csv", text), form="long").ledger.rows_kept == 1
    with pytest.raises(ParameterError, match="'form' parameter of read_revenue"):
        read_revenue(write(tmp_path, "l.csv", text), form="tall")
    with pytest.raises(InputError, match="cannot tell the revenue layout"):
        read_revenue(write(tmp_path, "x.csv", "customer_id,foo\nA,1\n"))


def test_strict_revenue_error_reads_like_the_style_guide(tmp_path):
    rows = "".join(f"{i};01.01.2025;1.234,56\n" for i in range(12))
    text = "Kunde;Monat;Umsatz\n" + rows + "X;01.02.2025;abc\nY;01.02.2025;n/a\nZ;01.02.2025;??\n"
    with pytest.raises(ParseError) as info:
        read_revenue(write(tmp_path, "revenue.csv", text), strict=True)
    message = str(info.value)
    assert message.startswith(
        "revenue.csv, column 'Umsatz': 3 values are not amounts (rows 14, 15, 16). "
        "Expected numbers like 1.234,56 or 1,234.56. Pass columns={'revenue': ...} "
        "if this is the wrong column."
    )
    assert info.value.values == ["abc", "n/a", "??"] and info.value.rows == [14, 15, 16]
    assert isinstance(info.value, ValueError)


def test_customers_table(tmp_path):
    text = ("Kundennummer,segment,acquired_at,churned_at,referral_source,employees\n"
            "01,SMB,2023-01-01,,referral,12\n02,SMB,15.02.2023,2024-05-31,,007\n"
            "01,Ent,2023-01-01,,sales,3\n03,Ent,not yet,,,\n")  # fmt: skip
    with pytest.warns(DataWarning, match="rows differ in 'segment', 'referral_source', 'employ"):
        result = read_customers(write(tmp_path, "c.csv", text))
    table = result.table
    assert table["customer_id"].tolist() == ["01", "02"]
    assert table["acquired_at"].tolist() == [pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-15")]
    assert table["churned_at"].isna().tolist() == [True, False]
    assert table["referral_source"].tolist()[0] == "referral"
    assert pd.isna(table["referral_source"][1])
    assert table["employees"].tolist() == ["12", "007"]  # everything else stays text
    assert str(table["segment"].dtype) == "string"
    assert {e.what: e.rows for e in result.ledger.rejected} == {
        "acquired_at not a date": (5,),
        "duplicate customer_id (first kept)": (4,),
    }


@pytest.mark.parametrize(
    ("header", "columns"),
    [("Segment", None), ("Kundensegment", None), ("Branche", {"segment": "Branche"}),
     ("segment", None)],
)  # fmt: skip
def test_the_segment_column_is_found_by_its_usual_names(tmp_path, header, columns):
    """A CRM's "Segment" column was kept as it was: the report, adjusting for segment,
    said "no customers table with a segment column was given" and left it out."""
    text = f"customer_id,{header},region\n01,SMB,North\n02,Ent,South\n"
    path = write(tmp_path, "c.csv", text)
    result = read_customers(path, columns=columns)
    assert result.table["segment"].tolist() == ["SMB", "Ent"]
    assert list(result.table.columns) == ["customer_id", "segment", "region"]
    renamed = f"column {header!r} read as segment"
    assert (renamed in result.ledger.notes) == (header != "segment")
    pd.read_csv(path, dtype=str).to_parquet(tmp_path / "c.parquet", index=False)
    typed = read_customers(tmp_path / "c.parquet", columns=columns)
    pd.testing.assert_frame_equal(typed.table, result.table)


def test_a_german_crm_s_dates_are_found():
    """Kunde seit and Kündigungsdatum were columns like any other: tenure then counted from
    the first revenue, and churn came from empty months."""
    frame = pd.DataFrame({"Kundennummer": ["00001", "00002"], "Kunde seit": ["01.03.2021", ""],
                          "Kündigungsdatum": ["", "31.12.2024"]})  # fmt: skip
    table = read_customers(frame).table
    assert table["acquired_at"].tolist()[0] == pd.Timestamp("2021-03-01")
    assert table["churned_at"].tolist()[1] == pd.Timestamp("2024-12-31")


def test_a_hubspot_companies_export_s_customer_date_is_the_acquisition():
    """HubSpot's "Became a Customer Date" (its "Create Date" is the record's, not the
    customer's) was a column like any other: tenure counted from the first revenue."""
    frame = pd.DataFrame({"Customer ID": ["00001"], "Create Date": ["2021-04-01 10:00"],
                          "Became a Customer Date": ["2021-05-03"]})  # fmt: skip
    table = read_customers(frame).table
    assert table["acquired_at"].tolist() == [pd.Timestamp("2021-05-03")]
    assert table["Create Date"].tolist() == ["2021-04-01 10:00"]


def test_e_mail_addresses_as_ids_are_one_customer_whatever_their_case(tmp_path):
    """A CRM keeps e-mails as typed, a survey tool lower-cases them: the answers of
    'Anna.B@Example.de' did not meet her revenue, and counted as not surveyed."""
    text = ("customer_id,period,revenue\nAnna.B@Example.de,2025-01,10\nbo@x.de,2025-01,5\n"
            "ANNA.B@example.de,2025-02,10\nC-17,2025-01,3\n")  # fmt: skip
    frame = pd.read_csv(io.StringIO(text)).assign(period=lambda f: pd.to_datetime(f["period"]))
    frame.to_parquet(tmp_path / "e.parquet")
    for source in (write(tmp_path, "e.csv", text), tmp_path / "e.parquet"):
        result = read_revenue(source)
        assert result.table["customer_id"].tolist() == ["C-17", "anna.b@example.de",
                                                        "anna.b@example.de", "bo@x.de"]  # fmt: skip
        (lowered,) = [e for e in result.ledger.repaired if "e-mail" in e.what]
        assert lowered.rows == (2, 4)
    answers = read_responses(write(tmp_path, "a.csv", "customer_id,responded_at,score\n"
                                   "anna.b@EXAMPLE.de,2025-01-03,9\n"))  # fmt: skip
    assert answers.table["customer_id"].tolist() == ["anna.b@example.de"]


def test_ids_a_program_wrote_as_decimals_meet_the_same_ids_as_whole_numbers(tmp_path):
    """pandas makes an id column with a blank floats, and writes 1001 as "1001.0": those
    ids did not meet the survey's 1001, and the report stopped at "ids do not match"."""
    text = "customer_id,period,revenue\n1001.0,2025-01,10\n1002.00,2025-01,5\n,2025-01,3\n"
    frame = pd.read_csv(io.StringIO(text), dtype={"customer_id": "string"})
    frame.assign(period=pd.to_datetime(frame["period"])).to_parquet(tmp_path / "d.parquet")
    for source in (write(tmp_path, "d.csv", text), tmp_path / "d.parquet"):
        result = read_revenue(source)
        assert result.table["customer_id"].tolist() == ["1001", "1002"]
        (repair,) = [e for e in result.ledger.repaired if "written as text" in e.what]
        assert repair.rows == (2, 3) and repair.column == "customer_id"
    versions = "customer_id,period,revenue\n1.5,2025-01,10\n2.0,2025-01,5\n"
    table = read_revenue(write(tmp_path, "v.csv", versions)).table
    assert table["customer_id"].tolist() == ["1.5", "2.0"]  # ids with a point, as written


def test_dataframe_source_row_numbers_are_position_plus_two():
    frame = pd.DataFrame({"customer_id": ["A", "B", "C"], "period": ["2025-01-01"] * 3,
                          "revenue": ["1", "x", "2"]}, index=[10, 20, 30])  # fmt: skip
    before = frame.copy()
    result = read_revenue(frame)
    assert result.source == "<DataFrame>" and result.ledger.rejected[0].rows == (3,)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is left alone


def test_the_currencies_amounts_are_written_in_are_kept(tmp_path):
    usd = read_revenue(write(tmp_path, "u.csv", 'customer,month,amount\nA,2025-01,"$1,234.56"\n'
                             "A,2025-02,USD 99.5\nB,2025-01,12\n"))  # fmt: skip
    assert usd.currencies == ("$", "USD")
    assert "column 'amount': amounts in $, USD" in usd.ledger.notes
    wide = read_revenue(write(tmp_path, "w.csv", "customer;Jan 2025;Feb 2025\nA;1.234,56 €;12 €\n"))
    assert wide.currencies == ("EUR",)
    plain = read_revenue(write(tmp_path, "p.csv", "customer,month,amount\nA,2025-01,5\n"))
    assert plain.currencies == ()


def test_a_currency_column_names_the_currencies(tmp_path):
    """Codes in any case and signs count; blanks and names that are no code do not; the
    column is used, not listed as unused; Parquet's typed lane says the same."""
    text = ("customer,month,amount,Currency\nA,2025-01,10,eur\nA,2025-02,10, EUR \n"
            "B,2025-01,10,$\nB,2025-02,10,\nC,2025-01,10,Euro\n")  # fmt: skip
    path = write(tmp_path, "c.csv", text)
    with pytest.warns(DataWarning, match=r"c\.csv: the amounts are in \$, EUR, and cxvalue adds"):
        result = read_revenue(path)
    assert result.currencies == ("$", "EUR")
    assert "column 'Currency': amounts in $, EUR" in result.ledger.notes
    assert not any(n.startswith("columns not used") for n in result.ledger.notes)
    frame = pd.read_csv(path, dtype=str).assign(
        month=lambda d: pd.to_datetime(d["month"]), amount=lambda d: d["amount"].astype(float)
    )
    frame.to_parquet(tmp_path / "c.parquet", index=False)
    with pytest.warns(DataWarning, match="the amounts are in"):
        typed = read_revenue(tmp_path / "c.parquet")
    assert typed.currencies == result.currencies
    assert typed.ledger.notes == tuple(n for n in result.ledger.notes if "UTF" not in n)
    wide = read_revenue(write(tmp_path, "w.csv", "customer;Währung;Jan 2025;Feb 2025\nA;CHF;1;2\n"))
    assert wide.currencies == ("CHF",)


def test_quarter_columns_are_spread_over_their_months(tmp_path):
    text = "customer,Q1 2025,2025-Q2,3. Quartal 2025\nA,300,330,360\nB,90,,\n"
    result = read_revenue(write(tmp_path, "q.csv", text))
    a = result.table[result.table.customer_id == "A"]
    assert a["period"].dt.month.tolist() == list(range(1, 10))  # through September
    assert a["revenue"].tolist() == [100.0] * 3 + [110.0] * 3 + [120.0] * 3
    assert result.table["revenue"].sum() == pytest.approx(300 + 330 + 360 + 90)
    assert "3 quarter columns, a quarter's revenue spread evenly" in " ".join(result.ledger.notes)


def test_quarter_subtotals_beside_their_months_are_left_out(tmp_path):
    """A finance sheet's Jan, Feb, Mar, Q1, Apr: the Q1 subtotal was spread over the months
    it sums, and the first quarter's revenue counted twice."""
    text = "Kunde;Jan 2025;Feb 2025;Mar 2025;Q1 2025;Apr 2025;Q2 2025\nA;100;100;100;300;90;n/a\n"
    result = read_revenue(write(tmp_path, "q.csv", text))
    assert result.table["revenue"].tolist() == [100.0, 100.0, 100.0, 90.0]
    assert result.table["revenue"].sum() == 390.0 and not result.ledger.rejected
    assert ("quarter columns Q1 2025, Q2 2025 left out as subtotals: their months have columns "
            "of their own") in result.ledger.notes  # fmt: skip
    assert not any(n.startswith("columns not used") for n in result.ledger.notes)


def test_two_wide_columns_naming_one_month_are_summed_and_said():
    frame = pd.DataFrame({"customer": ["A"], "Jan 2025": [10.0], "2025-01": [5.0],
                          "Feb 2025": [7.0]})  # fmt: skip
    result = read_revenue(frame)
    assert result.table["revenue"].tolist() == [15.0, 7.0]  # January was overwritten: 5.0
    assert [e.what for e in result.ledger.repaired] == ["summed duplicate customer-months"]


@pytest.mark.parametrize(
    ("header", "currencies"),
    [("Amount (USD)", ("USD",)), ("Umsatz in €", ("EUR",)), ("Net revenue EUR", ("EUR",)),
     ("MRR (£)", ("GBP",))],
)  # fmt: skip
def test_an_amount_column_named_with_its_currency_is_found_and_its_currency_kept(
    tmp_path, header, currencies
):
    """ "Amount (USD)" was not an amount column: the read stopped at "cannot tell the
    revenue layout"; its currency now counts as written amounts' do."""
    text = f"customer_id,period,{header}\nA,2025-01,1200.5\n"
    for source in (write(tmp_path, "v.csv", text), _as_parquet(tmp_path, header)):
        result = read_revenue(source)
        assert result.table["revenue"].tolist() == [1200.5]
        assert result.currencies == currencies
        assert f"column {header!r}: amounts in {currencies[0]}" in result.ledger.notes


def _as_parquet(tmp_path, header):
    path = tmp_path / "v.parquet"
    pd.DataFrame({"customer_id": ["A"], "period": pd.to_datetime(["2025-01-01"]),
                  header: [1200.5]}).to_parquet(path)  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("header", "title", "factor", "words"),
    [("Umsatz (TEUR)", "", 1_000, "TEUR"), ("Revenue ($000)", "", 1_000, "$000"),
     ("Revenue", "Revenue by customer, in thousands", 1_000, "thousands"),
     ("Umsatz", "Umsatz je Kunde 2025 (Tsd. EUR)", 1_000, "Tsd."),
     ("Umsatz (Mio. €)", "", 1_000_000, "Mio."), ("Revenue", "", 1, "")],
)  # fmt: skip
def test_amounts_in_thousands_or_millions_are_multiplied_out_and_said(
    tmp_path, header, title, factor, words
):
    """A sheet "in TEUR" valued one more point at €482 instead of €482,000."""
    text = (
        f"{title}\n\n" if title else ""
    ) + f"customer_id;period;{header};cost\nA;2025-01;1,5;0,5\n"
    if factor == 1:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataWarning)
            result = read_revenue(write(tmp_path, "v.csv", text))
    else:
        with pytest.warns(DataWarning, match=rf"amounts in (thousands|millions) \(.* says "
                          rf"{re.escape(repr(words))}\): multiplied by {factor:,}"):  # fmt: skip
            result = read_revenue(write(tmp_path, "v.csv", text))
    assert result.table[["revenue", "cost"]].values.tolist() == [[1.5 * factor, 0.5 * factor]]


def test_amounts_in_cents_are_divided_out_and_said(tmp_path):
    """A warehouse's billing table (Stripe synced: amount_cents, 9900 for 99.00): its
    column was not found, and named as revenue made every figure a hundred times too big."""
    from cxvalue.report.notes import in_locale

    frame = pd.DataFrame({"customer_id": ["A", "A"], "period": pd.to_datetime(["2025-01-01",
                          "2025-02-01"]), "amount_cents": [9900, 12345]})  # fmt: skip
    frame.to_parquet(tmp_path / "c.parquet")
    frame.to_csv(tmp_path / "c.csv", index=False)
    for source in (tmp_path / "c.csv", tmp_path / "c.parquet"):
        with pytest.warns(DataWarning, match=r"amounts in cents \('amount_cents' says 'cents'\): "
                          "divided by 100, so that money is in whole units") as caught:  # fmt: skip
            result = read_revenue(source)
        assert result.table["revenue"].tolist() == [99.0, 123.45]
    assert in_locale(caught[0].message, "de").startswith(
        "c.parquet: Beträge in Cent ('amount_cents' nennt 'cents'): durch 100 geteilt, damit"
    )


def test_a_wide_sheet_titled_in_teur_is_multiplied_out(tmp_path):
    text = "Umsatz je Kunde 2025 (in TEUR)\n\nKunde;Jan 2025;Feb 2025\n00001;1,2;1,5\n"
    with pytest.warns(DataWarning, match=r"'Umsatz je Kunde 2025 \(in TEUR\)' says 'TEUR'"):
        result = read_revenue(write(tmp_path, "w.csv", text))
    assert result.table["revenue"].tolist() == [1200.0, 1500.0]


def test_sheets_titled_in_different_units_are_not_read_as_one(tmp_path):
    """One unit for the table would multiply a sheet in euros by a thousand."""
    path = tmp_path / "t.xlsx"
    with pd.ExcelWriter(path) as book:
        for year, title in ((2024, "Umsatz 2024 (in TEUR)"), (2025, "Umsatz 2025 in EUR")):
            cells = [[title, None, None], ["Kunde", f"Jan {year}", f"Feb {year}"], ["001", 5, 6]]
            pd.DataFrame(cells).to_excel(
                book, sheet_name=str(year), index=False, header=False)  # fmt: skip
    with pytest.raises(InputError, match=r"the sheets are in different units: '2024' "
                       r"\(thousands\), '2025' \(units\)\. Read them one at a time"):  # fmt: skip
        read_revenue(path, sheet=["2024", "2025"])
    with pytest.warns(DataWarning, match="says 'TEUR'"):
        assert read_revenue(path, sheet="2024").table["revenue"].tolist() == [5000.0, 6000.0]


def test_a_level_spelt_two_ways_is_one_level(tmp_path):
    """A CRM's 'Enterprise', 'enterprise' and 'Mid  Market' were levels of their own: the
    models adjusted for segments that are one, and the deck compared them."""
    segments = ["Enterprise"] * 20 + ["enterprise"] * 3 + ["Mid Market"] * 12 + ["Mid  Market"] * 5
    frame = pd.DataFrame({"customer_id": [f"{i:03d}" for i in range(40)], "segment": segments,
                          "name": [f"Company {i}" for i in range(39)] + ["company 0"]})  # fmt: skip
    frame.to_parquet(tmp_path / "c.parquet")
    frame.to_csv(tmp_path / "c.csv", index=False)
    for source in (tmp_path / "c.csv", tmp_path / "c.parquet"):
        result = read_customers(source)
        assert result.table["segment"].value_counts().to_dict() == {"Enterprise": 23,
                                                                    "Mid Market": 17}  # fmt: skip
        assert result.table["name"].tolist() == frame["name"].tolist()  # names, not levels
        assert ("column 'segment': 'Mid  Market' as 'Mid Market', 'enterprise' as 'Enterprise' "
                "(one level, spelt two ways)") in result.ledger.notes  # fmt: skip


def test_void_and_draft_invoices_are_not_revenue(tmp_path):
    """A billing export (Stripe: draft, open, paid, void) was summed whole: drafts and void
    invoices counted as revenue."""
    text = ("customer_id,period,amount,Status\nA,2025-01,100,paid\nA,2025-02,100,Void\n"
            "B,2025-01,50,draft\nB,2025-01,50,open\nC,2025-02,70,\n")  # fmt: skip
    for source in (write(tmp_path, "v.csv", text), _parquet_of(tmp_path, text)):
        result = read_revenue(source)
        assert result.table["revenue"].tolist() == [100.0, 50.0, 70.0]  # paid, open, blank
        assert [(e.what, e.rows) for e in result.ledger.rejected] == [
            ("not revenue (Status 'draft')", (4,)),
            ("not revenue (Status 'void')", (3,)),
        ]


def test_an_mrr_table_s_cancelled_month_is_billed_an_invoice_s_is_not(tmp_path):
    """A monthly MRR table says 'cancelled' in a subscription's last month, which it still
    pays: that month was rejected as a cancelled invoice's, and churn came a month early."""
    text = ("customer_id,period,MRR,status\nA,2025-01,100,active\nA,2025-02,100,cancelled\n"
            "B,2025-01,50,trialing\nB,2025-02,50,active\n")  # fmt: skip
    for source in (write(tmp_path, "m.csv", text), _parquet_of(tmp_path, text)):
        result = read_revenue(source)
        assert result.table["revenue"].tolist() == [100.0, 100.0, 50.0, 50.0]
        assert not result.ledger.rejected
        assert ("column 'status' holds a subscription's state in each month: a cancelled "
                "subscription's month is revenue") in result.ledger.notes  # fmt: skip
    invoices = "customer_id,month,amount,status\nA,2025-01,100,paid\nA,2025-02,100,cancelled\n"
    (rejected,) = read_revenue(write(tmp_path, "i.csv", invoices)).ledger.rejected
    assert (rejected.what, rejected.rows) == ("not revenue (status 'cancelled')", (3,))


def test_a_payments_export_counts_paid_amounts_net_of_refunds(tmp_path):
    """Stripe's payments export: a failed charge and a refunded one were summed as revenue,
    a partial refund left in, and its date column ('Created (UTC)') not found at all."""
    text = ("id,Created (UTC),Amount,Amount Refunded,Currency,Customer ID,Status\n"
            "ch_1,2025-01-05 10:00:00,100.00,0.00,eur,cus_A,Paid\n"
            "ch_2,2025-01-06 10:00:00,250.00,0.00,eur,cus_B,Failed\n"
            "ch_3,2025-02-05 10:00:00,100.00,100.00,eur,cus_A,Refunded\n"
            "ch_4,2025-02-06 10:00:00,250.00,,eur,cus_B,Paid\n"
            "ch_5,2025-03-05 10:00:00,100.00,40.00,eur,cus_A,Partially Refunded\n")  # fmt: skip
    frame = pd.read_csv(io.StringIO(text), parse_dates=["Created (UTC)"])
    frame.to_parquet(tmp_path / "p.parquet")
    for source in (write(tmp_path, "p.csv", text), tmp_path / "p.parquet"):
        result = read_revenue(source)
        assert result.table[["customer_id", "revenue"]].values.tolist() == [
            ["cus_A", 100.0], ["cus_A", 60.0], ["cus_B", 250.0]]  # fmt: skip
        assert [(e.what, e.rows) for e in result.ledger.rejected] == [
            ("not revenue (Status 'failed')", (3,)),
            ("not revenue (Status 'refunded')", (4,)),
        ]
        assert "revenue net of refunds (column 'Amount Refunded')" in result.ledger.notes
    frame.drop(columns="Status").to_parquet(tmp_path / "no_status.parquet")  # typed columns
    net = read_revenue(tmp_path / "no_status.parquet").table
    assert net["revenue"].tolist() == [100.0, 0.0, 60.0, 250.0, 250.0]


def test_an_erp_s_credit_notes_are_revenue_given_back(tmp_path):
    """An ERP's documents (Belegart Rechnung or Gutschrift, Belegdatum, Nettobetrag): the
    columns were not found, and credit notes written as positive amounts would have been
    summed as revenue. Written negative already, they stay negative."""
    text = ("Kundennr;Belegdatum;Belegart;Nettobetrag\n10001;15.01.2025;Rechnung;1.000,00\n"
            "10001;20.01.2025;Gutschrift;200,00\n10002;15.01.2025;Rechnung;500,00\n"
            "10002;10.02.2025;Gutschrift;-50,00\n")  # fmt: skip
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str).assign(
        Belegdatum=lambda f: pd.to_datetime(f["Belegdatum"], dayfirst=True),
        Nettobetrag=[1000.0, 200.0, 500.0, -50.0],
    )
    frame.to_parquet(tmp_path / "b.parquet")
    for source in (write(tmp_path, "b.csv", text), tmp_path / "b.parquet"):
        result = read_revenue(source)
        assert result.table["revenue"].tolist() == [800.0, 500.0, -50.0]
        credit = next(e for e in result.ledger.repaired if "credit" in e.what)
        assert credit.rows == (3,) and credit.what == (
            "credit notes written as positive amounts counted as negative revenue"
        )


def _parquet_of(tmp_path, text):
    frame = pd.read_csv(io.StringIO(text), dtype={"customer_id": str})
    frame["period"] = pd.to_datetime(frame["period"])
    frame.to_parquet(tmp_path / "v.parquet")
    return tmp_path / "v.parquet"


def test_only_won_opportunities_are_revenue(tmp_path):
    """A CRM's opportunities: lost and open ones were summed with the won."""
    text = ("Account ID;Close Date;Amount;Stage\nA;31.01.2025;100;Closed Won\n"
            "A;28.02.2025;80;Closed Lost\nB;31.01.2025;60;Negotiation\n"
            "B;28.02.2025;60;closed won\n")  # fmt: skip
    result = read_revenue(write(tmp_path, "o.csv", text))
    assert result.table["revenue"].tolist() == [100.0, 60.0]
    assert [e.what for e in result.ledger.rejected] == [
        "not won (Stage 'closed lost')", "not won (Stage 'negotiation')"]  # fmt: skip


def test_a_pivot_table_s_outline_says_how_to_repeat_its_labels(tmp_path):
    """An Excel pivot copied as values writes each customer once, above its rows: the rows
    below were rejected for a blank customer_id, their revenue lost, without a word."""
    months = ["Jan", "Feb", "Mär", "Apr", "Mai"]
    text = "Kunde;Monat;Umsatz\n" + "".join(
        f"{f'{c:05d}' if m == 'Jan' else ''};{m} 2025;100\n" for c in range(1, 5) for m in months
    )
    path = write(tmp_path, "p.csv", text)
    with pytest.warns(DataWarning, match=r"p\.csv: 16 of 20 rows have no Kunde and are rejected, "
                      r"with their revenue\. If the file is an Excel pivot table .* Repeat All "
                      r"Item Labels") as caught:  # fmt: skip
        result = read_revenue(path)
    assert caught[0].filename == __file__
    assert result.ledger.rejected[0].count == 16 and result.table["revenue"].sum() == 400
    frame = pd.read_csv(path, sep=";", dtype=str).assign(
        Monat=lambda f: pd.to_datetime([f"2025-0{m}-01" for m in range(1, 6)] * 4)
    )
    frame.to_parquet(tmp_path / "p.parquet")
    with pytest.warns(DataWarning, match="16 of 20 rows have no Kunde") as caught:
        read_revenue(tmp_path / "p.parquet")
    assert caught[0].filename == __file__


def test_invoice_line_items_are_spread_over_their_service_periods(tmp_path):
    """A billing tool's line items (Stripe, Zuora, Chargebee, an ERP's Leistungszeitraum)
    have no month column: the read stopped at "cannot tell the revenue layout", and mapped
    as subscriptions each amount counted in every month of its period (a year's twelve
    times). Each amount is spread over the months its period covers, from its start on."""
    stripe = ("Customer ID,Period Start (UTC),Period End (UTC),Amount\n"
              "A,2024-01-01,2025-01-01,1200\n"            # a year, its end the next one's start
              "B,2024-01-15,2024-02-15,100\nB,2024-02-15,2024-03-15,100\n"   # monthly cycles
              "C,2024-03-01,,40\n"                        # a one-off charge: its start month
              "D,2024-03-10,2024-02-10,99\n"              # ends before it starts
              "A,2025-01-01,2026-01-01,1200\n")  # fmt: skip
    zuora = ("Account Number;Service Start Date;Service End Date;Charge Amount\n"
             "A;01.01.2024;31.12.2024;1.200,00\nB;15.01.2024;14.02.2024;100,00\n"
             "B;15.02.2024;14.03.2024;100,00\nC;01.03.2024;;40,00\nD;10.03.2024;09.02.2024;99\n"
             "A;01.01.2025;31.12.2025;1.200,00\n")  # fmt: skip
    erp = zuora.replace(
        "Account Number;Service Start Date;Service End Date;Charge Amount",
        "Kundennummer;Leistungszeitraum von;Leistungszeitraum bis;Nettobetrag",
    )
    tables = []
    for name, text in (("s.csv", stripe), ("z.csv", zuora), ("e.csv", erp)):
        result = read_revenue(write(tmp_path, name, text))
        assert "read as periods form" in result.ledger.notes
        table = result.table
        tables.append(table)
        a = table[table["customer_id"] == "A"]
        assert len(a) == 13 and a["revenue"].eq(100).all()  # 2025's months after Jan left out
        assert "1,100.00 of revenue covers months after 2025-01, the extract's last month, " \
               "and is left out" in result.ledger.notes  # fmt: skip
        b = table[table["customer_id"] == "B"]
        assert b["period"].dt.month.tolist() == [1, 2] and b["revenue"].eq(100).all()
        assert table.loc[table["customer_id"] == "C", "revenue"].tolist() == [40]
        (rejected,) = result.ledger.rejected
        assert (rejected.what, rejected.rows) == ("service period ends before it starts", (6,))
        (repaired,) = [e for e in result.ledger.repaired if "no service period end" in e.what]
        assert repaired.rows == (5,)
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])
    # an invoice's status, refunds and credit notes count as in the long form
    voided = read_revenue(write(tmp_path, "v.csv", "Customer ID,Period Start,Period End,Amount,"
                                "Status\nA,2024-01-01,2024-02-01,100,paid\n"
                                "A,2024-02-01,2024-03-01,100,void\n"))  # fmt: skip
    assert voided.table["revenue"].tolist() == [100.0]
    assert [e.what for e in voided.ledger.rejected] == ["not revenue (Status 'void')"]
    # a subscriptions export's plain start and end, with an amount, is not taken for periods
    with pytest.raises(InputError, match="cannot tell the revenue layout"):
        read_revenue(write(tmp_path, "sub.csv", "customer,Start Date,End Date,Amount\n"
                                                "A,2024-01-01,2024-12-31,100\n"))  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 700), st.integers(0, 800), st.integers(-5_000, 50_000)),
        min_size=1, max_size=30,
    )
)  # fmt: skip
def test_service_periods_keep_their_revenue(tmp_path, lines):
    """Every amount's months: the revenue out plus what covers months after the extract's
    last is the revenue in, whatever the periods' lengths and overlaps."""
    day = pd.Timestamp("2023-01-01")
    rows = [(f"C{i % 4}", day + pd.Timedelta(days=s), day + pd.Timedelta(days=s + n), cents / 100)
            for i, (s, n, cents) in enumerate(lines)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["customer", "period start", "period end", "amount"])
    result = read_revenue(frame)
    left = [n.split(" of revenue")[0] for n in result.ledger.notes if "is left out" in n]
    left_out = float(left[0].replace(",", "").replace("−", "-")) if left else 0.0
    assert result.table["revenue"].sum() + left_out == pytest.approx(frame["amount"].sum(),
                                                                     abs=0.01)  # fmt: skip
    assert result.ledger.rows_read == len(frame) == result.ledger.rows_kept
