"""The command line: help, version, sample, validate, nps, demo and their exit codes."""

import json

import pandas as pd
import pytest

import cxvalue
from cxvalue.cli import main


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert cxvalue.__version__ in capsys.readouterr().out


def test_bad_arguments_exit_2(capsys):
    assert main(["validate"]) == 2
    assert main(["validate", "x.csv", "--as", "orders"]) == 2


def test_python_dash_m_runs_the_same_command():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cxvalue", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and cxvalue.__version__ in done.stdout


def test_validate_clean_file_prints_the_ledger(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text("customer_id,period,revenue\n001,2025-01-01,10\n", encoding="utf-8")
    assert main(["validate", str(path), "--as", "revenue"]) == 0
    assert "1 read, 1 kept, 0 rejected" in capsys.readouterr().out


def test_validate_strict_exits_1_on_rejections_and_json(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text(
        "customer_id,responded_at,score\nA,2025-01-01,11\nB,2025-01-01,9\n", encoding="utf-8"
    )
    assert main(["validate", str(path), "--as", "responses", "--json"]) == 0
    ledger = json.loads(capsys.readouterr().out)
    assert (ledger["rows_read"], ledger["rows_kept"], ledger["rows_rejected"]) == (2, 1, 1)
    assert main(["validate", str(path), "--as", "responses", "--strict"]) == 1


def test_validate_unreadable_input_exits_2_with_the_reason(tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("cust_id,responded_at,score\nC1,2025-01-01,8\n", encoding="utf-8")
    assert main(["validate", str(path), "--as", "responses"]) == 2
    err = capsys.readouterr().err
    assert "customer_id" in err and "cust_id" in err
    assert main(["validate", str(tmp_path / "none.csv"), "--as", "responses"]) == 2
    assert main(["validate", str(path), "--as", "responses", "--map", "customer_id"]) == 2
    assert main(["validate", str(path), "--as", "responses", "--map", "customer_id=cust_id"]) == 0


def test_validate_dayfirst_flag(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("customer_id,responded_at,score\nA,03/04/2025,9\n", encoding="utf-8")
    assert main(["validate", str(path), "--as", "responses"]) == 2
    assert "dayfirst" in capsys.readouterr().err
    assert main(["validate", str(path), "--as", "responses", "--dayfirst"]) == 0


def test_validate_and_nps_read_the_sheet_named(tmp_path, capsys):
    path = tmp_path / "survey.xlsx"
    answers = pd.DataFrame({"customer_id": ["1", "2"], "responded_at": ["2025-01-02"] * 2,
                            "score": [10, 3]})  # fmt: skip
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"Notes": ["Q1 survey"]}).to_excel(book, sheet_name="Read me", index=False)
        answers.to_excel(book, sheet_name="Answers", index=False)
    assert main(["validate", str(path), "--as", "responses"]) == 2
    assert "'Answers'" in capsys.readouterr().err
    assert main(["validate", str(path), "--as", "responses", "--sheet", "Answers"]) == 0
    assert "2 kept" in capsys.readouterr().out
    assert main(["nps", str(path), "--sheet", "Answers"]) == 0
    assert "all responses  n=2" in capsys.readouterr().out
    with pd.ExcelWriter(path, mode="a", engine="openpyxl") as book:
        answers.to_excel(book, sheet_name="More", index=False)
    assert main(["validate", str(path), "--as", "responses", "--sheet", "Answers", "--sheet",
                 "More"]) == 0  # fmt: skip
    assert "4 read, 4 kept" in capsys.readouterr().out


def test_sample_validate_and_nps_on_the_sample(tmp_path, capsys):
    assert main(["sample", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "revenue.csv.gz"), "--as", "revenue", "--strict"]) == 0
    assert "summed duplicate customer-months" in capsys.readouterr().out
    args = [
        "nps",
        str(tmp_path / "responses.csv.gz"),
        "--customers",
        str(tmp_path / "customers.csv"),
    ]
    assert main([*args, "--by", "segment", "--period", "Q"]) == 0
    out = capsys.readouterr().out
    assert "Enterprise" in out and "2025Q4" in out and "95% interval" in out


def test_warnings_are_lines_of_the_command(tmp_path, capsys):
    """`cxvalue nps` on every answer warned with Python's '…/cli.py:99: DataWarning:' and
    the line of source beneath it."""
    path = tmp_path / "r.csv"
    path.write_text("customer_id,responded_at,score\nA,2025-01-03,9\nA,2025-02-03,3\n"
                    "B,2025-01-05,10\n", encoding="utf-8")  # fmt: skip
    assert main(["nps", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("cxvalue: warning: nps(): 1 response(s) come from customers already")
    assert ".py:" not in err and "frame = " not in err


def test_nps_of_each_customer_s_latest_answer(tmp_path, capsys):
    """The warning's way out, from the command line: 40 customers who answered 0, then 10."""
    path = tmp_path / "r.csv"
    rows = [f"C{i},2025-01-0{day},{score}" for i in range(40) for day, score in ((2, 0), (9, 10))]
    path.write_text("customer_id,responded_at,score\n" + "\n".join(rows) + "\n")
    assert main(["nps", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "come from customers already counted" in err
    assert "n=80  NPS    0.0" in out
    assert main(["nps", str(path), "--latest"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "latest answer: 40 of 80 answers." in out
    assert "n=40" in out and "+100.0" in out


def test_nps_of_a_csat_survey_on_its_scale(tmp_path, capsys):
    """The 1-5 warning's way out, from the command line: 40 customers answering 1-5."""
    path = tmp_path / "csat.csv"
    rows = [f"C{i},2025-01-02,{1 + i % 5}" for i in range(40)]
    path.write_text("customer_id,responded_at,score\n" + "\n".join(rows) + "\n")
    assert main(["nps", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "--scale csat" in err and "NPS −100.0" in out
    assert main(["nps", str(path), "--scale", "csat"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "n=40  Net CSAT    0.0" in out  # 16 satisfied (4-5), 16 not (1-2)
    assert out.startswith("Net CSAT of all responses")


def test_demo_prints_ledgers_and_nps(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "responses.csv.gz (qualtrics)" in out and "revenue.csv.gz" in out
    assert "NPS by segment" in out and "2025Q4" in out


def test_public_surface_is_pinned():
    assert sorted(cxvalue.__all__) == sorted([
        "Backtest", "backtest", "compare_metrics", "forecast", "GrowthResult",
        "revenue_retention",
        "ColumnError", "ConfigError", "ConvergenceWarning", "CxValueError", "CxValueWarning",
        "DataWarning", "EmptyInputError", "IngestResult", "InputError", "Ledger", "NPSDifference",
        "Panel", "ParameterError", "ParseError", "RetentionModel", "RevenueModel", "Scale",
        "SmallSampleWarning", "ValueResult", "build_panel", "cells", "fit_retention",
        "fit_revenue", "fmt_currency", "fmt_nps", "fmt_number", "fmt_pct", "nps",
        "nps_difference", "read_customers", "read_responses", "read_revenue", "scenario",
        "sensitivity", "bridge", "margin_table", "observed_transitions",
        "snapshot_panel", "value",
        "check_drift", "DriftReport", "drift",
    ])  # fmt: skip
    for name in cxvalue.__all__:
        assert hasattr(cxvalue, name)


@pytest.mark.parametrize("error", ["ColumnError", "ParseError", "EmptyInputError", "ConfigError"])
def test_every_error_is_a_cxvalue_error_and_a_value_error(error):
    cls = getattr(cxvalue, error)
    assert issubclass(cls, cxvalue.CxValueError) and issubclass(cls, ValueError)


def test_validate_takes_the_revenue_s_form(tmp_path, capsys):
    """A layout not told from the columns could not be named on the command line."""
    from cxvalue.cli import REVENUE_FORMS
    from cxvalue.ingest.revenue import FORMS

    assert REVENUE_FORMS == tuple(f for f in FORMS if f != "auto")
    path = tmp_path / "lines.csv"
    text = "customer,from,to,net\nA,2025-01-01,2025-12-31,1200\nB,2025-12-01,2025-12-31,50\n"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path), "--as", "revenue"]) == 2
    assert "cannot tell the revenue layout" in capsys.readouterr().err
    args = ["validate", str(path), "--as", "revenue", "--form", "periods", "--map",
            "service_start=from", "--map", "service_end=to", "--map", "revenue=net"]  # fmt: skip
    assert main(args) == 0
    assert "2 read, 2 kept, 0 rejected; 13 revenue rows out" in capsys.readouterr().out
    assert main(["validate", str(path), "--as", "customers", "--form", "periods"]) == 2
    assert "use it with --as revenue" in capsys.readouterr().err


def test_validate_and_nps_read_several_files_as_one(tmp_path, capsys):
    """A shell expands exports/*.csv into several arguments: one table, not a usage error."""
    for month in (1, 2):
        (tmp_path / f"nps_0{month}.csv").write_text(
            f"customer_id,responded_at,score\n{month},2025-0{month}-03,{month + 8}\n",
            encoding="utf-8",
        )
    files = [str(tmp_path / "nps_01.csv"), str(tmp_path / "nps_02.csv")]
    assert main(["validate", *files, "--as", "responses"]) == 0
    assert "nps_01.csv, nps_02.csv (responses): 2 read, 2 kept" in capsys.readouterr().out
    assert main(["nps", *files]) == 0
    assert "all responses  n=2" in capsys.readouterr().out
