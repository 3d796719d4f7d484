"""Every case in ../shared/data/bad-inputs ends as its README says: the expected
error, or the expected parse — never a silent drop."""

import json

import pytest

from cxvalue.errors import InputError
from cxvalue.ingest import read_table
from conftest import SHARED_DATA

EXPECTED_FILE = SHARED_DATA / "bad-inputs" / "expected.json"
CASES = json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.exists() else {}


@pytest.mark.parametrize("name", sorted(CASES) or ["(none)"])
def test_bad_input_case(name, shared_data):
    if name not in CASES:
        pytest.skip("expected.json not found")
    case = CASES[name]
    path = shared_data / "bad-inputs" / name
    kwargs = {"columns": case["map"]} if "map" in case else {}
    if "error" in case:
        with pytest.raises(InputError) as info:
            read_table(case["table"], path, **kwargs)
        message = str(info.value).lower()
        for word in case["error"]:
            assert word.lower() in message
        assert name in str(info.value)  # the error names the file
        return
    result = read_table(case["table"], path, **kwargs)
    ledger = result.ledger.to_dict()
    assert ledger["rows_read"] == ledger["rows_kept"] + ledger["rows_rejected"]
    assert ledger["rows_read"] == case["rows_read"]
    if "rows_kept" in case:
        assert ledger["rows_kept"] == case["rows_kept"]
    if "rejected_rows" in case:
        rows = sorted(r for entry in ledger["rejected"] for r in entry["rows"])
        assert rows == case["rejected_rows"]
    if "ids" in case:
        assert sorted(result.table["customer_id"].unique()) == case["ids"]
    if "scores" in case:
        assert result.table["score"].tolist() == case["scores"]
    if "total_revenue" in case:
        assert result.table["revenue"].sum() == pytest.approx(case["total_revenue"])
    if "output_rows" in case:
        assert len(result.table) == case["output_rows"]
        assert any("summed" in e["rule"] for e in ledger["repaired"])


def test_blank_score_is_a_non_answer_with_its_reason(shared_data):
    result = read_table("responses", shared_data / "bad-inputs" / "qualtrics_labels.csv")
    (entry,) = result.ledger.rejected
    assert entry.rows == (7,)
    assert "non-answer" in entry.what
