"""Cells as extracts bring them: amounts, dates, ids, encodings, delimiters, odd lines."""

import numpy as np
import pandas as pd
import pytest

from cxvalue.errors import InputError, ParseError
from cxvalue.ingest import read_customers, read_responses, read_revenue
from cxvalue.ingest.dates import parse_dates, parse_month_label
from cxvalue.ingest.parsing import decimal_convention, parse_amounts, parse_ids, parse_scores


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("cells", "delimiter", "expected"),
    [
        (["1.234,56", "12,5", "-12,5", "1.234,56 €", "EUR 1 234,56", "(100,00)"], ";",
         [1234.56, 12.5, -12.5, 1234.56, 1234.56, -100.0]),
        (["$1,234.56", "(1,234.00)", "1234.5", "12", "1,234.00-", "+7.5"], ",",
         [1234.56, -1234.0, 1234.5, 12.0, -1234.0, 7.5]),
        (["1.234", "1.234.567", "12,50"], ";", [1234.0, 1234567.0, 12.5]),
        (["1,234", "0.125", "1,234,567"], ",", [1234.0, 0.125, 1234567.0]),
        (["1\u00a0234,5", "2\u202f000,00", "1'234.50", "CHF 12.00"], ";",
         [1234.5, 2000.0, 1234.5, 12.0]),
    ],
)  # fmt: skip
def test_amounts(cells, delimiter, expected):
    amounts, _, _ = parse_amounts(pd.Series(cells, dtype=object), delimiter)
    assert amounts.tolist() == pytest.approx(expected)


def test_decimal_convention_is_decided_per_column():
    assert decimal_convention(pd.Series(["1.234", "1.234"]), ",") == "."  # nothing shows it
    assert decimal_convention(pd.Series(["1.234", "1.234"]), ";") == ","
    assert decimal_convention(pd.Series(["1.234", "5,50"]), ",") == ","  # one cell shows it
    # the same ambiguous cell means the same number everywhere in a column
    amounts, sep, other = parse_amounts(pd.Series(["1.234", "5,50", "7,25"]), ",")
    assert (sep, amounts.tolist(), other.tolist()) == (",", [1234.0, 5.5, 7.25], [False] * 3)


def test_a_cell_written_the_other_way_is_read_as_written_and_said_so(tmp_path):
    text = (
        "customer_id;period;revenue\nA;2025-01-01;1.234,56\nB;2025-01-01;12,50\n"
        "C;2025-01-01;1,234.56\n"
    )
    result = read_revenue(write(tmp_path, "r.csv", text))
    assert result.table["revenue"].tolist() == [1234.56, 12.5, 1234.56]
    (entry,) = result.ledger.repaired
    assert entry.rows == (4,) and "other decimal separator" in entry.what


def test_typed_and_unreadable_amounts():
    amounts, _, _ = parse_amounts(pd.Series([1.5, "2,5", None, "n/a", "", "-"], dtype=object), ";")
    assert amounts.tolist()[:2] == [1.5, 2.5] and amounts.iloc[2:].isna().all()
    numeric, sep, _ = parse_amounts(pd.Series([1.0, np.nan]))
    assert sep == "." and numeric.iloc[0] == 1.0 and np.isnan(numeric.iloc[1])


@pytest.mark.parametrize(
    ("cells", "kwargs", "dates"),
    [
        (["2025-03-31", "2025-03-31 10:00:00", "2025-03-31T10:00:00Z"], {}, ["2025-03-31"] * 3),
        (["31.03.2025", "1.4.2025", "31.03.25 10:00"], {},
         ["2025-03-31", "2025-04-01", "2025-03-31"]),
        (["45747", "45747.75"], {}, ["2025-03-31", "2025-04-01"]),
        (["03/31/2025", "04/01/2025"], {}, ["2025-03-31", "2025-04-01"]),
        (["31/03/2025", "01/04/2025"], {}, ["2025-03-31", "2025-04-01"]),
        (["31-03-2025", "1/4/25"], {}, ["2025-03-31", "2025-04-01"]),
        (["05/05/2025"], {}, ["2025-05-05"]),  # the same either way
        (["03/04/2025"], {"dayfirst": True}, ["2025-04-03"]),
        (["03/04/2025"], {"dayfirst": False}, ["2025-03-04"]),
        (["2025/03/31"], {}, ["2025-03-31"]),
        (["20250331", "19991231"], {}, ["2025-03-31", "1999-12-31"]),  # SAP, warehouses
        (["Mar 31, 2025 10:12:00 am", "April 1st, 2025", "Sept 4, 2025"], {},
         ["2025-03-31", "2025-04-01", "2025-09-04"]),  # Alchemer, US spreadsheets
        (["31 March 2025", "1. April 2025 14:00", "03-MÄR-25", "5. Mai 2025"], {},
         ["2025-03-31", "2025-04-01", "2025-03-03", "2025-05-05"]),  # Oracle, German
        (["Marketing 3 2025", "Feb 30, 2025", "Mon 3, 2025"], {}, [None] * 3),
    ],
)  # fmt: skip
def test_dates(cells, kwargs, dates):
    kwargs = {"dayfirst": None, **kwargs}
    rows = pd.Series(range(2, len(cells) + 2))
    parsed, _ = parse_dates(pd.Series(cells), source="f.csv", column="d", rows=rows, **kwargs)
    assert parsed.tolist() == [pd.Timestamp(d) if d else pd.NaT for d in dates]


def test_typed_dates_from_spreadsheets_and_frames():
    stamps = pd.Series(pd.to_datetime(["2025-01-05 10:00", None]))
    parsed, _ = parse_dates(stamps, dayfirst=None, source="f", column="d", rows=pd.Series([2, 3]))
    assert parsed.iloc[0] == pd.Timestamp("2025-01-05") and pd.isna(parsed.iloc[1])
    mixed = pd.Series([pd.Timestamp("2025-01-05"), "31.01.2025", 45747], dtype=object)
    parsed, _ = parse_dates(mixed, dayfirst=None, source="f", column="d", rows=pd.Series([2, 3, 4]))
    assert parsed.tolist() == [pd.Timestamp(d) for d in ("2025-01-05", "2025-01-31", "2025-03-31")]


def test_ambiguous_and_mixed_slash_dates_are_errors_not_guesses():
    rows = pd.Series([2, 3, 4])
    with pytest.raises(ParseError, match=r"dayfirst=True .* dayfirst=False") as info:
        parse_dates(pd.Series(["03/04/2025", "05/06/2025", "03/04/2025"]), dayfirst=None,
                    source="f.csv", column="d", rows=rows)  # fmt: skip
    assert info.value.rows == [2, 3, 4] and info.value.column == "d"
    with pytest.raises(ParseError, match="both day-first and month-first"):
        parse_dates(pd.Series(["31/03/2025", "03/31/2025", "01/01/2025"]), dayfirst=None,
                    source="f.csv", column="d", rows=rows)  # fmt: skip


def test_an_explicit_dayfirst_wins_and_cells_that_do_not_fit_are_rejected(tmp_path):
    text = "customer_id,responded_at,score\nA,03/31/2025,9\nB,04/01/2025,9\n"
    result = read_responses(write(tmp_path, "d.csv", text), dayfirst=True)
    assert result.table["responded_at"].tolist() == [pd.Timestamp("2025-01-04")]
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [("responded_at not a date", (2,))]
    assert "column 'responded_at': slash dates read day-first" in result.ledger.notes


@pytest.mark.parametrize(
    ("label", "month"),
    [("Jan 2025", "2025-01"), ("January 2025", "2025-01"), ("Mär 2025", "2025-03"),
     ("Mrz. 25", "2025-03"), ("Okt 2024", "2024-10"), ("2025-02", "2025-02"),
     ("02/2025", "2025-02"),
     ("01.03.2025", "2025-03"), ("2025-03-15", "2025-03"), ("Dez-24", "2024-12"),
     ("202502", "2025-02"), (202502, "2025-02"), ("2025M02", "2025-02")],
)  # fmt: skip
def test_month_labels(label, month):
    assert parse_month_label(label) == pd.Timestamp(month + "-01")


@pytest.mark.parametrize("label", ["Total", "Customer", "2025", "13/2025", "Foo 2025", "202513",
                                   "123456", "2025M13"])  # fmt: skip
def test_not_month_labels(label):
    assert parse_month_label(label) is None


@pytest.mark.parametrize(
    ("cell", "total"),
    [("Total", True), (" GRAND TOTAL ", True), ("Summe:", True), ("Gesamtergebnis", True),
     ("insgesamt", True), ("Subtotal", True), ("Total général", True), ("Totalbank AG", False),
     ("SUM-0012", False), ("00123", False), ("Summer GmbH", False), ("00123 Total", True),
     ("00123 Ergebnis", True), ("Totalbank", False), ("Acme Total Care", False)],
)  # fmt: skip
def test_a_total_row_s_label_is_no_customer(cell, total):
    assert parse_ids(pd.Series([cell], dtype=object))[4].tolist() == [total]


def test_ids_stay_text_and_are_repaired_visibly():
    ids, trimmed, from_number, scientific, total = parse_ids(
        pd.Series(["00123", " 00124 ", 125.0, 126, "", None, "1.23E+05"], dtype=object)
    )
    assert not total.any()
    assert ids.tolist()[:4] == ["00123", "00124", "125", "126"]
    assert ids.iloc[4:].isna().all()
    assert trimmed.tolist() == [False, True] + [False] * 5
    assert from_number.tolist() == [False, False, True, True, False, False, False]
    assert scientific.tolist() == [False] * 6 + [True]
    assert str(ids.dtype) == "string"


def test_excel_ids_as_numbers_and_in_scientific_notation(tmp_path):
    path = tmp_path / "c.xlsx"
    ids = [123.0, "00124", 1.23e5, "1.23E+05"]
    frame = pd.DataFrame({"customer_id": ids, "segment": ["A"] * 4})
    frame.to_excel(path, index=False)
    result = read_customers(path)
    assert result.table["customer_id"].tolist() == ["123", "00124", "123000"]
    (repair,) = result.ledger.repaired
    assert repair.rows == (2, 4) and "written as text" in repair.what
    (rejected,) = result.ledger.rejected
    assert rejected.rows == (5,) and "scientific notation" in rejected.what


def test_scores_parser():
    scores, reasons = parse_scores(
        pd.Series(
            [
                "9",
                "9.0",
                "10 - Extremely likely",
                "7 (neutral)",
                "0 = Not at all likely",
                "",
                "n/a",
                "8.5",
                "9abc",
            ]
        )
    )
    assert scores.tolist()[:5] == [9, 9, 10, 7, 0]
    assert reasons.tolist()[5:] == [
        "no score (non-answer)",
        "score is not a number",
        "score is not a whole number",
        "score is not a number",
    ]


@pytest.mark.parametrize(
    ("encoding", "note"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("cp1252", "cp1252")],
)
def test_encodings_are_recorded(tmp_path, encoding, note):
    text = "Kundennummer;Monat;Umsatz;Notiz\n0042;01.01.2025;1.234,56 €;Müller „Grüße“\n"
    result = read_revenue(write(tmp_path, "r.csv", text, encoding))
    assert result.table.loc[0, "revenue"] == pytest.approx(1234.56)
    assert result.ledger.notes[0].startswith(f"read as {note}")


@pytest.mark.parametrize(
    ("name", "sep", "note"),
    [("r.csv", ",", "commas"), ("r.csv", ";", "semicolons"), ("r.tsv", "\t", "tabs"),
     ("r.txt", "\t", "tabs"), ("r.txt", "|", "bars")],
)  # fmt: skip
def test_delimiters_are_sniffed(tmp_path, name, sep, note):
    text = "\n".join(
        sep.join(cells)
        for cells in (["customer_id", "period", "revenue"], ["A", "2025-01-01", "5"])
    )
    result = read_revenue(write(tmp_path, name, text + "\n"))
    assert result.table["revenue"].tolist() == [5.0]
    assert f"separated by {note}" in result.ledger.notes[0]


def test_quoted_commas_in_the_header_do_not_fool_the_sniffer(tmp_path):
    text = '"customer_id";"Umsatz, netto";"period"\nA;5,5;2025-01-01\n'
    result = read_revenue(write(tmp_path, "r.csv", text), columns={"revenue": "Umsatz, netto"})
    assert result.table["revenue"].tolist() == [5.5]


def test_blank_lines_are_skipped_and_row_numbers_still_match_the_file(tmp_path):
    text = "customer_id,responded_at,score\nA,2025-01-01,9\n\n,,\nB,2025-01-01,99\n"
    result = read_responses(write(tmp_path, "b.csv", text))
    assert result.ledger.rows_read == 2
    assert result.ledger.rejected[0].rows == (5,)
    assert "2 blank lines skipped (not data rows)" in result.ledger.notes


@pytest.mark.parametrize(
    "above",
    [
        "Umsatz je Kunde 2025\n\n",
        "Umsatz je Kunde 2025;;\n;;\n",
        '"Report: revenue";;\nAs of 2025;;\n',
    ],
)
def test_title_rows_above_the_header_are_skipped_and_rows_still_match(tmp_path, above):
    """An accounting export's title and blank lines above the header stopped the read at
    "cannot tell the revenue layout. Found: Umsatz je Kunde 2025"."""
    text = above + "Kunde;Jan 2025;Feb 2025\n00001;100;110\n00002;x;95\n"
    result = read_revenue(write(tmp_path, "t.csv", text))
    assert result.table["customer_id"].tolist() == ["00001", "00001"]  # 00002: a bad cell
    assert result.ledger.rejected[0].rows == (5,)
    assert any(
        n.startswith("2 rows above the header skipped (a title: '") for n in result.ledger.notes
    )


def test_excel_s_sep_line_names_the_delimiter_and_is_no_header(tmp_path):
    """Excel's "sep=;" first line stopped the read at "every row has more cells than the
    header has columns"."""
    text = "sep=;\r\nUmsatz 2025\r\n\r\nKunde;Jan 2025;Feb 2025\r\n00001;100;110\r\n00002;x;95\r\n"
    result = read_revenue(write(tmp_path, "s.csv", text))
    assert result.table["revenue"].tolist() == [100.0, 110.0]
    assert result.ledger.rejected[0].rows == (6,)
    notes = result.ledger.notes
    assert "read as UTF-8, separated by semicolons (its first line, sep=;, says so)" in notes
    assert "2 rows above the header skipped (a title: 'Umsatz 2025')" in notes


def test_a_comma_in_a_title_does_not_make_the_delimiter(tmp_path):
    """The first line with any delimiter chose it: a title's comma split a semicolon table."""
    text = "Umsatz je Kunde, Stand Dezember\n\nKunde;Jan 2025;Feb 2025\n00001;1,5;2\n00002;3;4,25\n"
    result = read_revenue(write(tmp_path, "t.csv", text))
    assert result.table["revenue"].tolist() == [1.5, 2.0, 3.0, 4.25]
    assert "read as UTF-8, separated by semicolons" in result.ledger.notes


def test_title_rows_of_a_workbook_are_skipped_and_rows_still_match(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["Umsatz je Kunde 2025 (in EUR)"], [], ["Kunde", "Jan 2025", "Feb 2025"],
                ["00001", 100, 110], ["00002", "x", 95]):  # fmt: skip
        sheet.append(row)
    book.save(tmp_path / "t.xlsx")
    result = read_revenue(tmp_path / "t.xlsx")
    assert result.ledger.rejected[0].rows == (5,)
    assert "2 rows above the header skipped (a title: 'Umsatz je Kunde 2025 (in EUR)')" in (
        result.ledger.notes
    )


def test_years_above_months_make_one_header_in_a_workbook_and_a_csv(tmp_path):
    """A finance sheet's year band (2024 merged over Jan, Feb, …, a year's total beside its
    months) stopped the read at "cannot tell the revenue layout"."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["Umsatz je Kunde"], ["Kunde", 2024, None, "2025", None, None],
                [None, "Dez", "Summe", "Jan", 2, "Summe"],
                ["00001", 100, 100, 110, 120, 230], ["00002", "x", 0, 95, 0, 95]):  # fmt: skip
        sheet.append(row)
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("D2:F2")
    book.save(tmp_path / "band.xlsx")
    text = (
        "Kunde;2024;;2025;;\n;Dez;Summe;Jan;2;Summe\n00001;100;100;110;120;230\n00002;x;0;95;0;95\n"
    )
    for result, first in ((read_revenue(tmp_path / "band.xlsx"), 4),
                          (read_revenue(write(tmp_path, "band.csv", text)), 3)):  # fmt: skip
        table = result.table
        assert table["period"].dt.strftime("%Y-%m").tolist() == ["2024-12", "2025-01", "2025-02"]
        assert table["revenue"].tolist() == [100.0, 110.0, 120.0]  # 00002's row: rejected
        assert result.ledger.rejected[0].rows == (first + 1,)  # as the sheet numbers it
        assert "two header rows, years above months: read as 'Dez 2024' to '02/2025'" in (
            result.ledger.notes
        )
        assert "columns not used: Summe 2024, Summe 2025" in result.ledger.notes


def test_multi_line_verbatims_count_as_one_row(tmp_path):
    text = (
        'customer_id,responded_at,score,comment\nA,2025-01-01,9,"line one\nline two"\n'
        "B,2025-01-01,x,\n"
    )
    result = read_responses(write(tmp_path, "m.csv", text))
    assert result.table["comment"].tolist() == ["line one\nline two"]
    assert result.ledger.rejected[0].rows == (3,)  # as a spreadsheet shows it


def test_rows_with_more_cells_than_the_header_are_rejected(tmp_path):
    text = "customer_id,responded_at,score\nA,2025-01-01,9\nB,2025-01-01,8,oops\nC,2025-01-01,7\n"
    result = read_responses(write(tmp_path, "r.csv", text))
    assert result.table["customer_id"].tolist() == ["A", "C"]
    assert result.ledger.rejected[0].rows == (3,) and "more cells" in result.ledger.rejected[0].what


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_revenue(tmp_path / "nope.csv")


def test_short_rows_are_padded_and_all_ragged_files_name_the_likely_cause(tmp_path):
    text = "customer_id,responded_at,score,comment\nA,2025-01-01,9\nB,2025-01-02,8,ok\r\n"
    result = read_responses(write(tmp_path, "s.csv", text))
    assert result.table["comment"].isna().tolist() == [True, False]
    with pytest.raises(InputError, match="every row has more cells than the header"):
        read_responses(write(tmp_path, "r.csv", "a;b\n1,2;3;4\n5;6;7\n"))


def test_excel_reads_the_first_sheet_and_says_so(tmp_path):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as book:
        nps = pd.DataFrame({"customer_id": ["01"], "responded_at": ["2025-01-01"], "score": [9]})
        nps.to_excel(book, sheet_name="NPS", index=False)
        pd.DataFrame({"x": [1]}).to_excel(book, sheet_name="other", index=False)
    result = read_responses(path)
    assert result.table["customer_id"].tolist() == ["01"]
    assert "read sheet 'NPS' of 2: 'NPS', 'other'" in result.ledger.notes
    with pytest.raises(InputError, match=r"\.xls\) is not read"):
        read_responses(write(tmp_path, "old.xls", "x"))


def test_a_workbook_s_sheet_is_chosen_by_name_and_a_cover_sheet_names_the_others(tmp_path):
    revenue = pd.DataFrame(
        {"customer_id": ["007", "007", "12"], "period": ["2025-01", "2025-02", "2025-01"],
         "revenue": [100.5, 90.0, 12.25]}
    )  # fmt: skip
    customers = pd.DataFrame({"customer_id": ["007", "12"], "segment": ["SMB", "Mid"]})
    answers = pd.DataFrame({"customer_id": ["007"], "responded_at": ["2025-01-03"], "score": [9]})
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"About": ["Export from SAP", "2025-03-01"]}).to_excel(
            book, sheet_name="Info", index=False
        )
        for name, frame in (("Umsatz", revenue), ("Kunden", customers), ("NPS", answers)):
            frame.to_excel(book, sheet_name=name, index=False)
    read = read_revenue(path, sheet="Umsatz")
    pd.testing.assert_frame_equal(read.table, read_revenue(revenue).table)
    assert "read sheet 'Umsatz' of 4: 'Info', 'Umsatz', 'Kunden', 'NPS'" in read.ledger.notes
    assert read_customers(path, sheet=" kunden").table["segment"].tolist() == ["SMB", "Mid"]
    assert read_responses(path, sheet="NPS").table["score"].tolist() == [9]

    others = "first sheet, 'Info'; it has 3 more ('Umsatz', 'Kunden', 'NPS'). sheet= reads"
    for reader in (read_revenue, read_customers, read_responses):
        with pytest.raises(InputError, match="export.xlsx: ") as error:
            reader(path)
        assert others in str(error.value)
    with pytest.raises(InputError, match="no sheet 'Umsätze'.*Nearest: 'Umsatz'"):
        read_revenue(path, sheet="Umsätze")

    csv = write(tmp_path, "r.csv", "customer_id,period,revenue\n1,2025-01,5\n")
    parquet = tmp_path / "r.parquet"  # typed: the typed lane reads it, unless a sheet is asked for
    revenue.assign(period=pd.to_datetime(revenue["period"])).to_parquet(parquet)
    for source in (csv, parquet, revenue):
        with pytest.raises(InputError, match="only an Excel workbook"):
            read_revenue(source, sheet="Umsatz")


def test_an_empty_first_sheet_names_the_others_and_one_sheet_adds_nothing(tmp_path):
    path = tmp_path / "empty_first.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame().to_excel(book, sheet_name="Cover", index=False)
        pd.DataFrame({"customer_id": ["1"]}).to_excel(book, sheet_name="Data", index=False)
    with pytest.raises(InputError, match="has no rows.*it has 1 more \\('Data'\\)"):
        read_customers(path)
    single = tmp_path / "one.xlsx"
    pd.DataFrame({"id": ["1"]}).to_excel(single, sheet_name="Data", index=False)
    with pytest.raises(InputError) as error:
        read_customers(single)
    assert "sheet" not in str(error.value)


def test_periods_as_warehouses_and_sap_write_them(tmp_path):
    """A fiscal period 202501, or a posting date 20250131, was 'not a date' for every row."""
    text = "customer_id,period,amount\nA,202501,100\nB,202502,50\nC,20250315,70\nD,202513,5\n"
    result = read_revenue(write(tmp_path, "v.csv", text))
    months = ("2025-01-01", "2025-02-01", "2025-03-01")
    assert result.table["period"].tolist() == [pd.Timestamp(m) for m in months]
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [("period not a date", (5,))]
    wide = "customer_id,202501,202502\nA,100,110\n"
    assert read_revenue(write(tmp_path, "w.csv", wide)).table["revenue"].tolist() == [100, 110]
