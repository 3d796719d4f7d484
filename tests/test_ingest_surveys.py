"""Survey exports as the tools write them: Qualtrics, SurveyMonkey, plain; scales and weights."""

import warnings

import pandas as pd
import pytest

from cxvalue.errors import ColumnError, DataWarning, InputError, ParameterError, ParseError
from cxvalue.ingest import Scale, read_responses


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def qualtrics(rows, extra_names=(), extra_questions=(), import_ids=True):
    names = ["StartDate", "EndDate", "Status", "Finished", "ResponseId", "ExternalReference",
             "Q1", "Q1_NPS_GROUP", *extra_names]  # fmt: skip
    questions = ["Start Date", "End Date", "Response Type", "Finished", "Response ID",
                 "External Data Reference",
                 "How likely are you to recommend Acme to a friend or colleague?",
                 "How likely are you to recommend Acme to a friend or colleague? - Group",
                 *extra_questions]  # fmt: skip
    lines = [",".join(names), ",".join(f'"{q}"' for q in questions)]
    if import_ids:
        lines.append(",".join(f'"{{""ImportId"":""{n}""}}"' for n in names))
    return "\n".join(lines + [",".join(r) for r in rows]) + "\n"


def row(status="IP Address", finished="True", rid="R_1", cid="00123", score="9", group="Promoter"):
    return ["2025-01-02 10:00:00", "2025-01-02 10:05:00", status, finished, rid, cid, score, group]


def test_qualtrics_first_data_row_is_row_four_and_question_text_finds_the_score(tmp_path):
    result = read_responses(write(tmp_path, "q.csv", qualtrics([row(score="abc")])))
    assert result.vendor == "qualtrics" and result.ledger.vendor == "qualtrics"
    (entry,) = result.ledger.rejected
    assert (entry.what, entry.rows, entry.column) == ("score is not a number", (4,), "Q1")
    assert "qualtrics export: 3 header rows" in result.ledger.notes
    assert str(result.ledger).startswith("q.csv (qualtrics): 1 read, 0 kept, 1 rejected")


@pytest.mark.parametrize(
    ("status", "finished", "reason"),
    [
        ("Survey Preview", "True", "survey preview (not a response)"),
        ("1", "1", "survey preview (not a response)"),  # numeric export
        ("Survey Test", "True", "survey test (not a response)"),
        ("IP Address", "False", "unfinished response (Finished = False)"),
        ("0", "0", "unfinished response (Finished = False)"),
    ],
)
def test_qualtrics_previews_tests_and_unfinished_are_left_out_with_their_reason(
    tmp_path, status, finished, reason
):
    text = qualtrics([row(), row(status=status, finished=finished, rid="R_2", cid="00124")])
    result = read_responses(write(tmp_path, "q.csv", text))
    assert result.table["customer_id"].tolist() == ["00123"]
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [(reason, (5,))]


@pytest.mark.parametrize(
    ("score", "group", "ok"),
    [("9", "3", True), ("9", "1", False), ("6", "Detractor", True), ("7", "Promoter", False),
     ("8", "", True)],
)  # fmt: skip
def test_qualtrics_nps_group_is_cross_checked_labels_and_codes(tmp_path, score, group, ok):
    result = read_responses(write(tmp_path, "q.csv", qualtrics([row(score=score, group=group)])))
    assert len(result.table) == int(ok)
    if not ok:
        assert result.ledger.rejected[0].what == "score disagrees with Q1_NPS_GROUP"


def test_qualtrics_without_import_id_row_and_as_xlsx(tmp_path):
    text = qualtrics([row(cid="00123"), row(rid="R_2", cid="00124", score="3", group="Detractor")],
                     import_ids=False)  # fmt: skip
    csv = read_responses(write(tmp_path, "q.csv", text))
    assert csv.vendor == "qualtrics" and csv.table["score"].tolist() == [9, 3]
    cells = pd.read_csv(write(tmp_path, "q.csv", text), header=None, dtype=str)
    path = tmp_path / "q.xlsx"
    cells.to_excel(path, index=False, header=False)
    xlsx = read_responses(path)
    assert xlsx.vendor == "qualtrics"
    assert xlsx.table["customer_id"].tolist() == ["00123", "00124"]


def test_a_qualtrics_export_read_by_pandas_keeps_its_header_rows_out(tmp_path):
    path = write(tmp_path, "q.csv", qualtrics([row(), row(rid="R_2", score="")]))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = read_responses(frame)
    assert result.source == "<DataFrame>" and result.vendor == "qualtrics"
    assert result.table["score"].tolist() == [9]
    assert result.ledger.rejected[0].rows == (5,)  # the same row numbers as the file


def test_vendor_can_be_overridden_and_is_checked(tmp_path):
    text = "Respondent ID,customer_id,responded_at,score\n1,A,2025-01-01,9\n2,B,2025-01-02,7\n"
    assert read_responses(write(tmp_path, "p.csv", text)).vendor == "surveymonkey"
    forced = read_responses(write(tmp_path, "p.csv", text), vendor="plain")
    assert forced.vendor == "plain" and forced.ledger.rows_read == 2
    with pytest.raises(ParameterError, match="'vendor' parameter"):
        read_responses(write(tmp_path, "p.csv", text), vendor="typeform")


def test_surveymonkey_sub_labels_and_custom_data(tmp_path):
    text = (
        "Respondent ID,Collector ID,Start Date,End Date,Custom Data 1,"
        "How likely is it that you would recommend us to a friend or colleague?,"
        "What could we do better?,Which products do you use?,\n"
        ",,,,,Response,Open-Ended Response,Product A,Product B\n"
        "1001,55,01/30/2025,01/31/2025,00017,10,Faster support,Product A,\n"
        "1002,55,02/14/2025,02/15/2025,00018,0,,Product A,Product B\n"
    )
    result = read_responses(write(tmp_path, "sm.csv", text))
    assert result.vendor == "surveymonkey"
    table = result.table
    assert table["customer_id"].tolist() == ["00017", "00018"]
    assert table["score"].tolist() == [10, 0]
    assert table["responded_at"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-31", "2025-02-15"]
    assert "Which products do you use? - Product B" in table.columns
    assert "What could we do better?" in table.columns


def test_two_recommend_questions_are_ambiguous(tmp_path):
    text = qualtrics(
        [row() + ["5"]],
        extra_names=["Q9"],
        extra_questions=["How likely are you to recommend our app to a friend?"],
    )
    with pytest.raises(ColumnError, match="2 questions ask about recommending: Q1, Q9"):
        read_responses(write(tmp_path, "q.csv", text))
    ok = read_responses(write(tmp_path, "q.csv", text), columns={"score": "Q1"})
    assert ok.table["score"].tolist() == [9]
    assert ok.table["Q9"].tolist() == [5.0]  # another score kept, as a number


@pytest.mark.parametrize(
    ("scale", "cells", "categories"),
    [
        (Scale.nps(), ["0", "6", "7", "8", "9", "10"],
         ["detractor"] * 2 + ["passive"] * 2 + ["promoter"] * 2),
        (Scale.csat(), ["1", "2", "3", "4", "5"],
         ["detractor"] * 2 + ["passive"] + ["promoter"] * 2),
        (Scale.ces(), ["1", "3", "4", "5", "6", "7"],
         ["detractor"] * 2 + ["passive"] * 2 + ["promoter"] * 2),
    ],
)  # fmt: skip
def test_scales_and_their_categories(tmp_path, scale, cells, categories):
    text = "customer_id,responded_at,score\n" + "".join(f"A{c},2025-01-01,{c}\n" for c in cells)
    result = read_responses(write(tmp_path, "s.csv", text), scale=scale)
    assert result.table["category"].tolist() == categories
    assert result.table["score"].dtype == "int64"


def test_scale_cut_points_are_checked():
    assert Scale(1, 5, detractor=(1, 2), passive=(3, 3), promoter=(4, 5)) == Scale.csat()
    assert str(Scale.nps()) == "0–10 (detractor 0–6, passive 7–8, promoter 9–10)"
    with pytest.raises(ParameterError, match="cover 1–5 once each"):
        Scale(1, 5, detractor=(1, 2), passive=(3, 4), promoter=(4, 5))
    with pytest.raises(ParameterError, match="detractor < passive < promoter"):
        Scale(1, 5, detractor=(4, 5), passive=(3, 3), promoter=(1, 2))


def test_the_group_column_is_not_checked_against_another_scale(tmp_path):
    text = qualtrics([row(score="4", group="Detractor")])
    result = read_responses(write(tmp_path, "q.csv", text), scale=Scale.csat())
    assert result.table["category"].tolist() == ["promoter"]


def test_weights_are_numbers_and_bad_ones_are_rejected(tmp_path):
    text = ("customer_id,responded_at,score,weight\nA,2025-01-01,9,1.5\nB,2025-01-01,9,abc\n"
            "C,2025-01-01,9,-1\nD,2025-01-01,9,\nE,2025-01-01,9,0\n")  # fmt: skip
    result = read_responses(write(tmp_path, "w.csv", text))
    assert result.table["weight"].tolist() == [1.5, 0.0]
    assert {e.what: e.rows for e in result.ledger.rejected} == {
        "weight not a number": (3,),
        "weight is negative": (4,),
        "no weight (blank)": (5,),
    }
    text = "customer_id,responded_at,score\nA,2025-01-01,9\n"
    plain = read_responses(write(tmp_path, "p.csv", text))
    assert plain.table["weight"].tolist() == [1.0] and plain.table["weight"].dtype == "float64"


def test_other_columns_are_kept_numbers_as_numbers_codes_as_text(tmp_path):
    text = ("customer_id,responded_at,score,segment,csat,region_code,comment,category\n"
            "A,2025-01-01,9,SMB,4,007,great,gold\nB,2025-01-01,3,Ent,,010,,silver\n")  # fmt: skip
    table = read_responses(write(tmp_path, "k.csv", text)).table
    assert table["segment"].tolist() == ["SMB", "Ent"]
    assert table["csat"].tolist()[0] == 4.0 and pd.isna(table["csat"].tolist()[1])
    assert table["region_code"].tolist() == ["007", "010"]
    assert table["comment"].tolist() == ["great", pd.NA]
    assert str(table["comment"].dtype) == "string"
    assert table["category"].tolist() == ["promoter", "detractor"]
    assert table["category (file)"].tolist() == ["gold", "silver"]


def test_canonical_dtypes(tmp_path):
    text = "customer_id,responded_at,score,response_id\n00123,2025-01-01 13:45:00,9,R1\n"
    table = read_responses(write(tmp_path, "d.csv", text)).table
    assert list(table.columns[:6]) == [
        "customer_id",
        "responded_at",
        "score",
        "category",
        "response_id",
        "weight",
    ]
    assert str(table["customer_id"].dtype) == "string"
    assert str(table["response_id"].dtype) == "string"
    assert table["responded_at"].dtype == "datetime64[ns]"
    assert table.loc[0, "responded_at"] == pd.Timestamp("2025-01-01")  # midnight
    assert table["score"].dtype == "int64"


def test_strict_score_problem_is_a_parse_error_with_rows(tmp_path):
    text = "customer_id,responded_at,score\nA,2025-01-01,11\nB,2025-01-01,12\nC,2025-01-01,9\n"
    with pytest.raises(ParseError) as info:
        read_responses(write(tmp_path, "s.csv", text), strict=True)
    assert info.value.rows == [2, 3] and info.value.column == "score"
    assert info.value.values == ["11", "12"]
    assert "s.csv, column 'score': 2 scores are out of range (rows 2, 3)" in str(info.value)


def test_a_canonical_table_reads_back_unchanged_from_parquet_and_as_a_frame(tmp_path):
    text = (
        "customer_id,responded_at,score,response_id,weight,segment,nps_note\n"
        "007,2025-01-01,9,R1,1.5,SMB,x\n008,31.01.2025,3,R2,,Ent,\n009,2025-02-01,x,R3,1,SMB,y\n"
    )
    first = read_responses(write(tmp_path, "r.csv", text.replace(",,Ent", ",2,Ent"))).table
    path = tmp_path / "r.parquet"
    first.to_parquet(path)
    for source in (path, first):
        again = read_responses(source)
        pd.testing.assert_frame_equal(again.table, first)
        assert "scores cross-checked against category" in again.ledger.notes
    tampered = first.assign(category=["detractor", "detractor"])
    (entry,) = read_responses(tampered).ledger.rejected
    assert (entry.what, entry.rows) == ("score disagrees with category", (2,))


def test_a_german_surveymonkey_export_is_read_as_the_english_one(tmp_path):
    """Befragten-ID, Enddatum, Benutzerdefinierte Daten 1 and the sub-label "Antwort": the
    read stopped at "no 'customer_id' column", and the second header row was a response."""
    text = (
        "Befragten-ID,Kollektor-ID,Startdatum,Enddatum,Benutzerdefinierte Daten 1,"
        '"Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen weiterempfehlen?",'
        "Was ist der wichtigste Grund für Ihre Bewertung?\n"
        ",,,,,Antwort,Offene Antwort\n"
        "1001,55,30.01.2025 23:50:00,31.01.2025 00:10:00,00017,9,Gut\n"
        "1002,55,14.02.2025 10:00:00,14.02.2025 10:05:00,00018,3,\n"
    )
    result = read_responses(write(tmp_path, "sm_de.csv", text))
    assert result.vendor == "surveymonkey"
    table = result.table
    assert table[["customer_id", "score", "response_id"]].values.tolist() == [
        ["00017", 9, "1001"], ["00018", 3, "1002"]]  # fmt: skip
    assert table["responded_at"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-31", "2025-02-14"]


def test_a_surveymonkey_export_without_an_id_suggests_the_account_question(tmp_path):
    """'Collector ID' was suggested as the customer id: SurveyMonkey's own column."""
    text = ("Respondent ID,Collector ID,End Date,How likely is it that you would recommend us?,"
            "What is your account number?\n,,,Response,Open-Ended Response\n"
            "1141,431,2025-03-12,9,000123\n")  # fmt: skip
    path = tmp_path / "sm.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ColumnError, match="Nearest: 'What is your account number") as error:
        read_responses(path)
    assert "Collector" not in str(error.value).split("Nearest")[1]
    mapped = read_responses(path, columns={"customer_id": "What is your account number?"})
    assert mapped.table["customer_id"].tolist() == ["000123"]
    bare = tmp_path / "bare.csv"  # no question of that kind: still not a survey tool's id
    bare.write_text(text.replace(",What is your account number?", ",Comment"), encoding="utf-8")
    with pytest.raises(ColumnError) as error:
        read_responses(bare)
    assert error.value.nearest not in ("Collector ID", "Respondent ID")


def test_scores_all_within_one_to_five_on_the_nps_scale_are_questioned():
    """IBM's telco satisfaction scores (1-5) read as NPS: every answer a detractor."""
    frame = pd.DataFrame({"customer_id": [f"{i:04d}" for i in range(40)],
                          "responded_at": "2025-09-30", "score": [1, 2, 3, 4, 5] * 8})  # fmt: skip
    with pytest.warns(DataWarning, match=r"every score in 'score' is between 1 and 5.*"
                      r"scale=Scale\.csat\(\)"):  # fmt: skip
        assert set(read_responses(frame).table["category"]) == {"detractor"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        csat = read_responses(frame, scale=Scale.csat()).table["category"]
        assert csat.value_counts().to_dict() == {"detractor": 16, "promoter": 16, "passive": 8}
        read_responses(frame.iloc[:29])  # too few answers to question
        read_responses(frame.assign(score=[0, 5, 9, 10] * 10))  # an NPS survey


def test_many_scores_off_the_scale_question_it():
    """An NPS survey read as a 1-5 CSAT: 84% of the sample's answers went to the ledger as
    out of range, and the report rested on the rest (0-10 answers 1-5 as CSAT categories)."""
    frame = pd.DataFrame({"customer_id": [f"{i:04d}" for i in range(40)],
                          "responded_at": "2025-09-30", "score": list(range(10)) * 4})  # fmt: skip
    with pytest.warns(
        DataWarning,
        match=r"20 of 40 scores in 'score' \(50%\) lie outside 1-5, "
        r"the scale they are read on; they run from 0 to 9\. Is the scale right",
    ):
        assert read_responses(frame, scale=Scale.csat()).ledger.rows_rejected == 20  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        few = frame.assign(score=[3] * 36 + [7] * 4)  # 10%: a few typos
        assert read_responses(few, scale=Scale.csat()).ledger.rows_rejected == 4


def test_a_google_forms_export_is_read_by_its_question_headers(tmp_path):
    """Google Forms heads each column with its question and the first with "Timestamp": the
    read stopped at "no 'score' column". The id question is named as the way out."""
    text = ("Timestamp,Email Address,How likely are you to recommend Acme to a friend or "
            "colleague?,What is your customer number?\n"
            "2025/03/04 10:15:22 AM GMT+1,a@x.de,9,00001\n"
            "2025/03/05 2:01:09 PM GMT+1,b@x.de,3,00002\n")  # fmt: skip
    path = write(tmp_path, "forms.csv", text)
    with pytest.raises(ColumnError, match="columns={'customer_id': 'What is your customer"):
        read_responses(path)
    table = read_responses(path, columns={"customer_id": "What is your customer number?"}).table
    assert table["score"].tolist() == [9, 3]
    assert table["responded_at"].tolist() == [
        pd.Timestamp("2025-03-04"),
        pd.Timestamp("2025-03-05"),
    ]


def test_a_typeform_export_is_read_by_its_submit_date(tmp_path):
    text = ("#,How likely are you to recommend us to a friend?,customer_id,Start Date (UTC),"
            "Submit Date (UTC),Network ID\n"
            "abc1,9,00001,2025-03-04 23:55:00,2025-03-05 00:02:01,n\n")  # fmt: skip
    table = read_responses(write(tmp_path, "typeform.csv", text)).table
    assert table[["customer_id", "score"]].values.tolist() == [["00001", 9]]
    assert table["responded_at"].tolist() == [pd.Timestamp("2025-03-05")]  # submitted, not started


def test_a_delighted_export_is_read_by_its_created_at(tmp_path):
    """Delighted dates its answers "Created at": the read stopped at "no 'responded_at'
    column" and offered 'Response ID' as the date."""
    text = ("Response ID,Score,Comment,Permalink,Created at,Updated at,Person ID,Name,Email,"
            "Customer ID\n"
            "r_1,9,Great,https://x/1,2025-01-03 23:12:00 -0800,2025-02-01 10:00:00 -0800,p_1,Ann,"
            "a@x.com,C001\n")  # fmt: skip
    table = read_responses(write(tmp_path, "delighted.csv", text)).table
    assert table[["customer_id", "score"]].values.tolist() == [["C001", 9]]
    assert table["responded_at"].tolist() == [pd.Timestamp("2025-01-03")]  # created, not updated


def test_an_alchemer_export_is_read_with_its_month_named_dates(tmp_path):
    """Alchemer (SurveyGizmo) writes "Jan 03, 2025 10:12:00 am": every row was rejected as
    not a date, and the library returned an empty table."""
    text = ('Response ID,Time Started,Date Submitted,Status,How likely are you to recommend us '
            'to a friend or colleague?,customer_id\n'
            '1,"Jan 03, 2025 10:12:00 am","Jan 03, 2025 10:15:00 am",Complete,9,C001\n'
            '2,"Dec 31, 2024 11:58:00 pm","Jan 01, 2025 00:03 am",Complete,3,C002\n')  # fmt: skip
    result = read_responses(write(tmp_path, "alchemer.csv", text))
    assert not result.ledger.rejected
    assert result.table["responded_at"].tolist() == [pd.Timestamp("2025-01-03"),
                                                     pd.Timestamp("2025-01-01")]  # fmt: skip


@pytest.mark.parametrize(
    "header",
    ["Likelihood to Recommend (0-10)", "NPS (0-10)", "LTR Score", "Recommend Score",
     "Weiterempfehlung (0–10)", "Weiterempfehlungsbereitschaft"],
)  # fmt: skip
def test_a_recommend_score_is_found_by_its_header_with_a_scale_or_a_word_beside_it(
    tmp_path, header
):
    """Medallia's 'Likelihood to Recommend (0-10)', a German CRM's 'Weiterempfehlung':
    "no 'score' column"."""
    path = write(tmp_path, "m.csv", f"customer_id,Response Date,{header},NPS Group\n"
                 "A,2025-01-03,9,Promoter\nB,2025-01-04,3,Detractor\n")  # fmt: skip
    assert read_responses(path).table["score"].tolist() == [9, 3]


def test_a_workbook_with_a_sheet_per_survey_wave_says_the_other_waves_are_not_read(tmp_path):
    """Answers kept a sheet per wave, customers a sheet per segment: only the first sheet
    was read, and only a ledger note named the others."""
    from cxvalue.ingest import read_customers

    answers, customers = tmp_path / "waves.xlsx", tmp_path / "customers.xlsx"
    with pd.ExcelWriter(answers) as book:
        for wave in ("Q1", "Q2"):
            pd.DataFrame({"customer_id": ["A"], "responded_at": ["2025-01-03"],
                          "score": [9]}).to_excel(book, sheet_name=wave, index=False)  # fmt: skip
    with pd.ExcelWriter(customers) as book:
        for segment in ("SMB", "Enterprise", "Notes"):
            columns = {"customer_id": ["A"], "segment": [segment]}
            frame = pd.DataFrame(columns if segment != "Notes" else {"Note": ["x"], "By": ["y"]})
            frame.to_excel(book, sheet_name=segment, index=False)
    with pytest.warns(DataWarning, match=r"waves\.xlsx: sheet 'Q2' holds a table like the first "
                      r"sheet's, the one read, and its rows are not read"):  # fmt: skip
        read_responses(answers)
    with pytest.warns(DataWarning, match=r"sheet 'Enterprise' holds") as caught:
        read_customers(customers)
    assert len(caught) == 1  # the notes sheet is not alike


def test_waves_and_segments_on_sheets_are_read_as_one_table(tmp_path):
    """Each sheet's rows are read, a rejection names its sheet and the row it shows, and a
    customer on two segments' sheets is one customer (the first kept), as on one sheet."""
    from cxvalue.ingest import read_customers

    answers, customers = tmp_path / "waves.xlsx", tmp_path / "customers.xlsx"
    with pd.ExcelWriter(answers) as book:
        for wave, day in (("Q1", "2025-01-03"), ("Q2", "2025-04-03")):
            pd.DataFrame({"customer_id": ["A", "B"], "responded_at": [day, day],
                          "score": [9, 11 if wave == "Q2" else 3]}).to_excel(
                book, sheet_name=wave, index=False)  # fmt: skip
    read = read_responses(answers, sheet=["Q1", "q2"])  # (a sheet's name in any case)
    assert sorted(read.table["responded_at"].dt.month) == [1, 1, 4]
    (rejected,) = read.ledger.rejected
    assert (rejected.what, rejected.rows) == ("score out of range 0–10 (sheet 'Q2')", (3,))
    with pd.ExcelWriter(customers) as book:
        for segment, ids in (("SMB", ["A", "B"]), ("Enterprise", ["C", "A"])):
            pd.DataFrame({"customer_id": ids, "segment": segment}).to_excel(
                book, sheet_name=segment, index=False)  # fmt: skip
    with pytest.warns(DataWarning, match=r"differ in 'segment' \(customer A: rows 2 in sheet "
                      r"'SMB', 3 in sheet 'Enterprise'\)"):  # fmt: skip
        listed = read_customers(customers, sheet=["SMB", "Enterprise"])
    assert listed.table.set_index("customer_id")["segment"].to_dict() == {
        "A": "SMB", "B": "SMB", "C": "Enterprise"}  # fmt: skip
    (duplicate,) = listed.ledger.rejected
    assert duplicate.what == "duplicate customer_id (first kept) (sheet 'Enterprise')"
    assert duplicate.rows == (3,)
    with pytest.raises(ParameterError, match="a sheet's name or a list"):
        read_customers(customers, sheet=[])


def test_files_of_different_exports_are_not_read_as_one(tmp_path):
    """A Qualtrics export's two rows of question texts beside a plain file's header: one
    reading of both would take one for the other's rows."""
    import shutil
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "data" / "samples" / "responses.csv.gz"
    shutil.copy(sample, tmp_path / "wave_1.csv.gz")
    write(tmp_path, "wave_2.csv", "customer_id,responded_at,score\n000001,2025-06-03,9\n")
    with pytest.raises(InputError, match=r"wave_\*: the files are exports of different kinds: "
                       r"'wave_1\.csv\.gz' \(qualtrics\), 'wave_2\.csv' \(plain\)"):  # fmt: skip
        read_responses(tmp_path / "wave_*")


def test_files_with_dates_written_two_ways_name_a_row_of_each(tmp_path):
    """The date reader's error gave the rows as numbers, and with several files it broke
    on the labels that say which file a row is in."""
    write(tmp_path, "a_1.csv", "customer_id,responded_at,score\nA,13/03/2025,9\n")
    write(tmp_path, "a_2.csv", "customer_id,responded_at,score\nB,03/14/2025,9\n")
    with pytest.raises(ParseError, match="written both day-first and month-first") as error:
        read_responses(tmp_path / "a_*.csv")
    assert error.value.rows == ["2 in file 'a_1.csv'", "2 in file 'a_2.csv'"]
    assert read_responses(tmp_path / "a_1.csv", dayfirst=True).table["score"].tolist() == [9]


def test_customers_in_parquet_parts_are_one_table(tmp_path):
    """The typed lane names a repeated customer's rows by their file, as the text lane does."""
    from cxvalue.ingest import read_customers

    pd.DataFrame({"customer_id": ["A", "B"], "segment": ["SMB", "SMB"]}).to_parquet(
        tmp_path / "c-0.parquet")  # fmt: skip
    pd.DataFrame({"customer_id": ["C", "A"], "segment": ["Ent", "Ent"]}).to_parquet(
        tmp_path / "c-1.parquet")  # fmt: skip
    with pytest.warns(DataWarning, match=r"\(customer A: rows 2 in file 'c-0\.parquet', 3 in "
                      r"file 'c-1\.parquet'\)"):  # fmt: skip
        listed = read_customers(tmp_path / "c-*.parquet")
    assert listed.table["customer_id"].tolist() == ["A", "B", "C"]
    (duplicate,) = listed.ledger.rejected
    assert duplicate.what == "duplicate customer_id (first kept) (file 'c-1.parquet')"
