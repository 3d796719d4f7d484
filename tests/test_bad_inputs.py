"""Every case in ../shared/data/bad-inputs ends as its README says: the expected
error, or the expected parse — never a silent drop."""

import json
from pathlib import Path

import pytest

from cxvalue.errors import InputError
from cxvalue.ingest import read_table

EXPECTED = Path(__file__).resolve().parents[1].parent / "shared/data/bad-inputs/expected.json"
CASES = json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}


@pytest.mark.parametrize("name", sorted(CASES) or ["(no cases)"])
def test_bad_input_case(name, shared_data):
    if name not in CASES:
        pytest.skip("expected.json not found")
    case = CASES[name]
    path = shared_data / "bad-inputs" / name
    kwargs = {"columns": case["map"]} if "map" in case else {}
    if "error" in case:
        with pytest.raises(InputError) as info:
            read_table(case["table"], path, **kwargs)
        message = str(info.value)
        for word in case["error"]:
            assert word.lower() in message.lower()
        assert name in message  # the error names the file
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


def test_every_case_in_the_readme_is_checked(shared_data):
    readme = (shared_data / "bad-inputs" / "README.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in readme.splitlines() if line.startswith("- `")}
    assert listed == set(CASES)


def test_blank_score_is_a_non_answer_with_its_reason(shared_data):
    result = read_table("responses", shared_data / "bad-inputs" / "qualtrics_labels.csv")
    (entry,) = result.ledger.rejected
    assert entry.rows == (7,)
    assert entry.what == "no score (non-answer)"


def test_out_of_range_scores_have_their_reason(shared_data):
    result = read_table("responses", shared_data / "bad-inputs" / "score_out_of_range.csv")
    assert [(e.what, e.rows) for e in result.ledger.rejected] == [
        ("score out of range 0–10", (3, 4))
    ]


def test_german_revenue_is_read_with_its_conventions(shared_data):
    case = json.loads(EXPECTED.read_text(encoding="utf-8"))["revenue_german.csv"]
    path = shared_data / "bad-inputs" / "revenue_german.csv"
    result = read_table("revenue", path, columns=case["map"])
    assert result.table["revenue"].tolist() == pytest.approx([1234.56, -100.0, 2000.0])
    assert result.ledger.notes[0].startswith("read as cp1252")
