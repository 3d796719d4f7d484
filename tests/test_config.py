"""The TOML configuration: defaults, paths, and errors that name the key."""

import pytest

from cxvalue.errors import ConfigError, DataWarning, InputError
from cxvalue.ingest import Scale
from cxvalue.report.config import load_config, parse_config

MINIMAL = {"inputs": {"responses": {"path": "r.csv"}, "revenue": {"path": "v.csv"}}}


def test_full_example_from_the_docs(tmp_path):
    (tmp_path / "cxvalue.toml").write_text(
        """
title = "Acme board pack"
currency = "EUR"
locale = "de"

[inputs.responses]
path = "responses.csv"
columns = { customer_id = "ExternalReference", score = "Q1", responded_at = "EndDate" }

[inputs.revenue]
path = "revenue.csv"
dayfirst = true

[inputs.customers]
path = "customers.xlsx"
sheet = "Kunden"

[model]
controls = ["segment", "size"]
churn_after_months = 3

[value]
margin = 0.3
discount_rate = 0.08
horizon_months = 36
transition = "detractor_to_passive"
""",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "cxvalue.toml")
    assert config.locale == "de"
    assert config.inputs["responses"].path == tmp_path / "responses.csv"
    assert config.inputs["responses"].columns["customer_id"] == "ExternalReference"
    assert config.inputs["revenue"].dayfirst is True
    assert config.inputs["customers"].sheet == "Kunden"
    assert config.inputs["revenue"].sheet is None
    assert config.model.controls == ("segment", "size")
    assert config.value.discount_rate == 0.08


def test_defaults_fill_everything_but_the_paths():
    config = parse_config(MINIMAL)
    assert config.value.horizon_months == 36
    assert config.value.transition == "detractor_to_passive"
    assert config.model.link == "cloglog"
    assert "customers" not in config.inputs


@pytest.mark.parametrize(
    ("patch", "key", "words"),
    [
        ({"value": {"discount_rate": 8}}, "value.discount_rate", "[0, 1)"),
        ({"value": {"margin": True}}, "value.margin", "share"),
        ({"value": {"transition": "up"}}, "value.transition", "detractor_to_passive"),
        ({"value": {"horizon_month": 3}}, "value.horizon_month", "horizon_months"),
        ({"model": {"controls": "segment"}}, "model.controls", "list"),
        ({"model": {"churn_after_months": 0}}, "model.churn_after_months", "at least 1"),
        ({"locale": "fr"}, "locale", '"de"'),
    ],
)
def test_bad_values_name_the_key_and_what_was_expected(patch, key, words):
    with pytest.raises(ConfigError) as info:
        parse_config({**MINIMAL, **patch})
    assert info.value.key == key
    assert words in str(info.value)


def test_missing_revenue_input_is_named():
    with pytest.raises(ConfigError, match=r"\[inputs.revenue\] is missing"):
        parse_config({"inputs": {"responses": {"path": "r.csv"}}})


def test_invalid_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("title = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "none.toml")


def test_the_report_reads_each_input_from_its_sheet(tmp_path):
    import pandas as pd

    from cxvalue.report.flow import read_inputs

    sheets = {
        "Info": pd.DataFrame({"About": ["one workbook for all three extracts"]}),
        "NPS": pd.DataFrame({"customer_id": ["1"], "responded_at": ["2025-01-03"], "score": [9]}),
        "Umsatz": pd.DataFrame({"customer_id": ["1"], "period": ["2025-01"], "revenue": [5.0]}),
        "Kunden": pd.DataFrame({"customer_id": ["1"], "segment": ["SMB"]}),
    }
    with pd.ExcelWriter(tmp_path / "all.xlsx") as book:
        for name, frame in sheets.items():
            frame.to_excel(book, sheet_name=name, index=False)
    inputs = {name: {"path": "all.xlsx", "sheet": sheet}
              for name, sheet in (("responses", "NPS"), ("revenue", "Umsatz"),
                                  ("customers", "Kunden"))}  # fmt: skip
    responses, revenue, customers = read_inputs(parse_config({"inputs": inputs}, tmp_path))
    assert responses.table["score"].tolist() == [9]
    assert revenue.table["revenue"].tolist() == [5.0]
    assert customers.table["segment"].tolist() == ["SMB"]
    inputs["revenue"]["sheet"] = ["Umsatz", "Umsatz 2"]  # a list of sheets: one table
    with pd.ExcelWriter(tmp_path / "all.xlsx", mode="a", engine="openpyxl") as book:
        sheets["Umsatz"].assign(period="2025-02").to_excel(book, sheet_name="Umsatz 2",
                                                           index=False)  # fmt: skip
    config = parse_config({"inputs": inputs}, tmp_path)
    assert config.inputs["revenue"].sheet == ("Umsatz", "Umsatz 2")
    assert read_inputs(config)[1].table["period"].dt.month.tolist() == [1, 2]
    inputs["revenue"]["sheet"] = ["Umsatz", 2]
    with pytest.raises(ConfigError, match="sheet must be a sheet's name or a list of names"):
        parse_config({"inputs": inputs}, tmp_path)


def test_the_report_reads_a_list_or_a_pattern_of_files_as_one_table(tmp_path):
    """A survey export per month: the config names them all, or a pattern; names in the
    report's checks are the list's or the pattern's."""
    from cxvalue.report.flow import read_inputs

    for month in (1, 2):
        (tmp_path / f"nps_2025-0{month}.csv").write_text(
            f"customer_id,responded_at,score\n1,2025-0{month}-03,{month + 7}\n", encoding="utf-8"
        )
    (tmp_path / "rev.csv").write_text("customer_id,period,revenue\n1,2025-01,5\n1,2025-02,5\n",
                                      encoding="utf-8")  # fmt: skip
    for path in ("nps_*.csv", ["nps_2025-01.csv", "nps_2025-02.csv"]):
        config = parse_config({"inputs": {"responses": {"path": path},
                                          "revenue": {"path": "rev.csv"}}}, tmp_path)  # fmt: skip
        responses, revenue, _ = read_inputs(config)
        assert responses.table["score"].tolist() == [8, 9]
    inputs = {"responses": {"path": ["nps_2025-01.csv", "nps_2025-03.csv"]},
              "revenue": {"path": "rev.csv"}}  # fmt: skip
    with pytest.raises(InputError, match=r"nps_2025-03\.csv: no such file"):
        read_inputs(parse_config({"inputs": inputs}, tmp_path))
    with pytest.raises(ConfigError, match="path must be a file or a list of files"):
        parse_config({"inputs": {"responses": {"path": []}, "revenue": {"path": "rev.csv"}}},
                     tmp_path)  # fmt: skip


def test_the_revenue_s_last_month_can_be_named(tmp_path):
    import pandas as pd

    from cxvalue.report.flow import read_inputs

    (tmp_path / "r.csv").write_text("customer_id,responded_at,score\n1,2025-01-03,9\n")
    (tmp_path / "v.csv").write_text("customer_id,period,revenue\n1,2025-01,5\n1,2025-02,6\n")
    inputs = {"responses": {"path": "r.csv"}, "revenue": {"path": "v.csv", "through": "2025-01"}}
    _, revenue, _ = read_inputs(parse_config({"inputs": inputs}, tmp_path))
    assert revenue.table["period"].max() == pd.Timestamp("2025-01-01")
    inputs["revenue"]["through"] = "Dez 2025"
    with pytest.raises(ConfigError, match='inputs.revenue.through must be a month such as "2025'):
        parse_config({"inputs": inputs})


@pytest.mark.parametrize(
    ("currency", "written", "error"),
    [("EUR", ("$", "USD"), 'Set currency = "USD"'), ("EUR", ("$",), "or the dollar they are"),
     ("USD", ("GBP",), 'Set currency = "GBP"'), ("EUR", ("EUR", "USD"), "one currency first"),
     ("USD", ("$", "USD"), None), ("CAD", ("$",), None), ("eur", ("EUR",), None),
     ("EUR", (), None)],
)  # fmt: skip
def test_the_config_s_currency_must_be_the_amounts(currency, written, error):
    from cxvalue.errors import InputError
    from cxvalue.report.flow import check_currency

    if error is None:
        check_currency(currency, written, "v.csv")
        return
    with pytest.raises((ConfigError, InputError), match=error) as caught:
        check_currency(currency, written, "v.csv")
    assert "v.csv writes its amounts in" in str(caught.value)


def test_the_report_stops_on_amounts_in_another_currency(tmp_path):
    from cxvalue.report.flow import read_inputs

    (tmp_path / "r.csv").write_text("customer_id,responded_at,score\n1,2025-01-03,9\n")
    (tmp_path / "v.csv").write_text('customer_id,period,revenue\n1,2025-01,"$1,200.00"\n')
    inputs = {"responses": {"path": "r.csv"}, "revenue": {"path": "v.csv"}}
    with pytest.raises(ConfigError, match=r"v\.csv writes its amounts in \$, but the config's"):
        read_inputs(parse_config({"inputs": inputs}, tmp_path))
    read_inputs(parse_config({"inputs": inputs, "currency": "USD"}, tmp_path))


def test_a_file_with_no_usable_row_says_why(tmp_path):
    """The report said "no usable rows (see its ledger)", and a CLI user has no ledger."""
    from cxvalue.errors import EmptyInputError
    from cxvalue.report.flow import read_inputs

    (tmp_path / "r.csv").write_text("customer_id,responded_at,score\n1,2025-01-03,9\n")
    (tmp_path / "v.csv").write_text("customer_id,period,revenue\n1,FY25-P01,10\n2,FY25-P01,9\n")
    inputs = {"responses": {"path": "r.csv"}, "revenue": {"path": "v.csv"}}
    with pytest.raises(EmptyInputError, match=r"v\.csv: no usable rows(.|\n)*period not a date"
                       r"\s+rows 2, 3"):  # fmt: skip
        read_inputs(parse_config({"inputs": inputs}, tmp_path))


def test_the_report_stops_on_a_currency_column_of_two_currencies(tmp_path):
    """A billing export's currency column (Stripe's "currency": eur, usd) was a column not
    used: euros and dollars were added as they were."""
    from cxvalue.errors import InputError
    from cxvalue.report.flow import read_inputs

    (tmp_path / "r.csv").write_text("customer_id,responded_at,score\n1,2025-01-03,9\n")
    (tmp_path / "v.csv").write_text(
        "customer_id,period,amount,currency\n1,2025-01,1200,eur\n2,2025-01,900,usd\n"
    )
    inputs = {"responses": {"path": "r.csv"}, "revenue": {"path": "v.csv"}}
    with (
        pytest.warns(DataWarning, match=r"v\.csv: the amounts are in EUR, USD"),
        pytest.raises(InputError, match=r"v\.csv writes its amounts in EUR, USD: cxvalue adds"),
    ):
        read_inputs(parse_config({"inputs": inputs}, tmp_path))
    (tmp_path / "v.csv").write_text("customer_id,period,amount,Währung\n1,2025-01,1200,USD\n")
    with pytest.raises(ConfigError, match='Set currency = "USD"'):
        read_inputs(parse_config({"inputs": inputs}, tmp_path))
    read_inputs(parse_config({"inputs": inputs, "currency": "USD"}, tmp_path))


def _with_scale(scale, table="responses"):
    inputs = {name: dict(spec) for name, spec in MINIMAL["inputs"].items()}
    inputs[table]["scale"] = scale
    return parse_config({"inputs": inputs}).inputs["responses"].scale


def test_the_responses_scale_is_named_or_spelled_out():
    assert parse_config(MINIMAL).inputs["responses"].scale is None
    assert _with_scale("csat") == _with_scale("CSAT") == Scale.csat()
    assert _with_scale("ces") == Scale.ces() and _with_scale("nps") == Scale.nps()
    spelled = {"low": 1, "high": 10, "detractor": [1, 4], "passive": [5, 7], "promoter": [8, 10]}
    assert _with_scale(spelled) == Scale(1, 10, (1, 4), (5, 7), (8, 10))
    # what a scale measures names its words in the pack, not its categories
    assert [_with_scale(s).measure for s in ("nps", "csat", "ces", spelled)] == [
        "nps", "csat", "ces", "nps"]  # fmt: skip
    seven = _with_scale({**spelled, "measure": "CSAT"})
    assert seven.measure == "csat" and seven == Scale(1, 10, (1, 4), (5, 7), (8, 10))


@pytest.mark.parametrize(
    ("scale", "table", "key", "words"),
    [
        ("cast", "responses", "inputs.responses.scale", 'Got \'cast\'. Did you mean "csat"?'),
        (7, "responses", "inputs.responses.scale", '"nps" (0-10, the default), "csat" (1-5)'),
        ({"low": 1, "high": 5, "detractor": [1, 2]}, "responses", "inputs.responses.scale",
         "a table such as { low = 1, high = 5"),
        ({"low": 1, "high": 5, "detractor": [1, 2], "passive": [3, 4], "promoter": [4, 5]},
         "responses", "inputs.responses.scale", "cover 1–5 once each. Got [1, 2, 3, 4, 4, 5]"),
        ({"low": 1, "high": 5, "detractor": [1, 2], "passive": [3, 3], "promotor": [4, 5]},
         "responses", "inputs.responses.scale.promotor", "Did you mean "
         "inputs.responses.scale.promoter?"),
        ("csat", "revenue", "inputs.revenue.scale", "only the responses have a score scale"),
        ({"low": 1, "high": 5, "detractor": [1, 2], "passive": [3, 3], "promoter": [4, 5],
          "measure": "nss"}, "responses", "inputs.responses.scale.measure",
         '"nps", "csat" or "ces" (what the scale measures'),
    ],
)  # fmt: skip
def test_a_wrong_scale_names_the_key(scale, table, key, words):
    with pytest.raises(ConfigError) as info:
        _with_scale(scale, table)
    assert info.value.key == key
    assert words in str(info.value)
