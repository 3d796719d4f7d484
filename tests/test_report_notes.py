"""The library's warnings in a German board pack (cxvalue.report.notes).

That every keyed warning the suite raises has words that fit its values is checked
where it is raised (``tests/conftest.py``); here, that the keys and the words match,
and how the words write numbers.
"""

from __future__ import annotations

import ast
from pathlib import Path

from cxvalue.errors import DataWarning, SmallSampleWarning
from cxvalue.report.notes import LIBRARY_NOTES, in_locale

SOURCE = Path(__file__).resolve().parents[1] / "src" / "cxvalue"


def keys_raised() -> set[str]:
    """The keys given to a warning, or to the helper that raises it, in the source."""
    keys = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if not (name.endswith("Warning") or name == "_check"):  # _check: _id_match's
                continue
            given = [k.value for k in node.keywords if k.arg == "key"]
            keys |= {v.value for v in given if isinstance(v, ast.Constant) and v.value}
    return keys


def test_every_keyed_warning_has_german_words_and_no_words_are_left_over():
    assert keys_raised() == set(LIBRARY_NOTES["de"])


def test_german_words_write_numbers_and_shares_as_german_does():
    warning = DataWarning(
        "…", key="off_scale", source="nps.csv", column="Q1", off=1234, n=5000, share=0.2468,
        scale_low=1, scale_high=5, low=0, high=10,
    )  # fmt: skip
    assert in_locale(warning, "de") == (
        "nps.csv: 1.234 von 5.000 Werten in 'Q1' (25 %) liegen außerhalb von 1–5, der Skala, "
        "auf der sie gelesen werden; sie reichen von 0 bis 10. Stimmt die Skala? Werte "
        "außerhalb werden verworfen."
    )
    share = DataWarning("…", key="log_ratio_excluded", bad=3, eligible=120, share=0.025,
                        base=2, next=1)  # fmt: skip
    assert "(2,5 %)" in in_locale(share, "de")


def test_a_warning_without_words_in_a_language_is_left_as_raised():
    assert in_locale(DataWarning("plain"), "de") is None
    assert in_locale(SmallSampleWarning("…", key="few_moves", moves=3), "en") is None
