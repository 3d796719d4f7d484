"""snapshot.json: deterministic writing, validation when read, newer schemas refused."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from _drift_factory import baseline
from cxvalue.errors import CxValueError
from cxvalue.report.capture import steady_cov
from cxvalue.report.snapshot import (
    SCHEMA_VERSION,
    SnapshotError,
    dumps_snapshot,
    read_snapshot,
    round_floats,
    validate_snapshot,
    write_snapshot,
)


@pytest.fixture()
def snap():
    return baseline()


def test_round_trip_keeps_values_and_types(snap, tmp_path):
    path = write_snapshot(snap, tmp_path / "out" / "snapshot.json")
    back = read_snapshot(path)
    assert back == round_floats(snap)
    assert isinstance(back["nps"]["n"], int) and isinstance(back["data"]["revenue_total"], float)
    assert back["retention"]["converged"] is True


def test_written_bytes_are_deterministic(snap, tmp_path):
    shuffled = dict(reversed(list(copy.deepcopy(snap).items())))
    a = write_snapshot(snap, tmp_path / "a.json").read_bytes()
    b = write_snapshot(shuffled, tmp_path / "b.json").read_bytes()
    assert a == b
    text = a.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n") and "\r" not in text
    keys = list(json.loads(text))
    assert keys == sorted(keys)


def test_floats_are_rounded_to_10_significant_digits():
    assert round_floats({"x": 1 / 3, "y": 123456.78901234567, "z": [2 / 3]}) == {
        "x": 0.3333333333,
        "y": 123456.789,
        "z": [0.6666666667],
    }
    assert dumps_snapshot({"b": float("nan"), "a": 1}) == '{\n  "a": 1,\n  "b": null\n}\n'


def test_covariances_near_zero_read_the_same_despite_summation_noise():
    """DuckDB's parallel float sums differ in the last bits between runs. At 22.6M rows a
    revenue covariance came out 8.193681534e-14 in one run and 8.193681537e-14 in the next
    (a correlation of about 1e-5): rounded to 10 significant digits, the snapshots differed."""
    rng = np.random.default_rng(7)
    half = rng.normal(size=(6, 6))
    cov = half @ half.T * 1e-8
    sd = np.sqrt(np.diag(cov))
    cov[1, 4] = cov[4, 1] = 8.193681534e-14
    steady = round_floats(steady_cov(cov).tolist())
    observed = cov.copy()
    observed[1, 4] = observed[4, 1] = 8.193681537e-14
    assert round_floats(cov.tolist()) != round_floats(observed.tolist())  # the old way
    assert round_floats(steady_cov(observed).tolist()) == steady
    for _ in range(20):  # noise of 1e-15 of each entry's scale, as between two runs
        noise = rng.normal(scale=1e-15, size=cov.shape) * np.outer(sd, sd)
        assert round_floats(steady_cov(cov + (noise + noise.T) / 2).tolist()) == steady
    # no entry moves by more than half of 1e-10 of its scale; the variances keep 10 digits
    assert np.all(np.abs(steady_cov(cov) - cov) <= 0.5e-10 * np.outer(sd, sd) * (1 + 1e-9))
    np.testing.assert_allclose(np.diag(steady_cov(cov)), np.diag(cov), rtol=1e-10)


def test_write_does_not_change_the_callers_dict(snap, tmp_path):
    before = copy.deepcopy(snap)
    write_snapshot(snap, tmp_path / "s.json")
    assert snap == before


def test_newer_schema_is_refused_naming_both_versions(snap, tmp_path):
    snap["schema_version"] = SCHEMA_VERSION + 1
    snap["cxvalue_version"] = "0.9.0"
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snap), encoding="utf-8")
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    message = str(info.value)
    assert "schema version 2" in message and "schema version 1" in message
    assert "0.9.0" in message and "Upgrade cxvalue" in message
    assert info.value.source == str(path)


def test_all_problems_are_listed_at_once(snap):
    del snap["data"]["revenue_total"]
    snap["nps"]["n"] = "2000"
    snap["inputs"]["revenue"]["rows_kept"] = 1
    with pytest.raises(SnapshotError) as info:
        validate_snapshot(snap)
    problems = info.value.problems
    assert any(p.startswith("data.revenue_total: missing") for p in problems)
    assert any(p.startswith("nps.n: expected a whole number") for p in problems)
    assert any("rows_read (24300) is not rows_kept + rows_rejected" in p for p in problems)
    assert isinstance(info.value, CxValueError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "mangle, expected",
    [
        (lambda s: s.pop("schema_version"), "no valid schema_version"),
        (lambda s: s.update(schema_version="1"), "no valid schema_version"),
        (lambda s: s.update(schema_version=True), "no valid schema_version"),
        (lambda s: s.pop("retention"), "retention: missing"),
        (lambda s: s["data"].update(score_counts=[1, 2, 3]), "expected 11 counts"),
        (lambda s: s["data"].update(revenue_bin_counts=[1]), "expected 10 counts for 9 edges"),
        (lambda s: s["retention"].update(cov=[[1.0]]), "expected a 3×3 matrix"),
        (lambda s: s["nps"].update(estimate=float("inf")), "nps.estimate: expected a number"),
        (lambda s: s["nps"].update(n_detractors=-1), "nps.n_detractors: expected a count ≥ 0"),
        (lambda s: s["data"].update(segments={"segment": "SMB"}), "expected a list of levels"),
        (lambda s: s["inputs"].pop("revenue"), "inputs.revenue: missing"),
        (lambda s: s["forecast"][0].pop("period"), "forecast[0].period: missing"),
        (lambda s: s["value"].update(customers=12.5), "value.customers: expected a whole number"),
        (lambda s: s["value"].update(currency=978), "value.currency: expected a string"),
    ],
)
def test_mangled_snapshots_raise(snap, mangle, expected):
    mangle(snap)
    with pytest.raises(SnapshotError) as info:
        validate_snapshot(snap)
    assert expected in str(info.value)


def test_parts_not_computed_may_be_null_with_a_status(snap):
    snap["retention"] = {
        "status": "did not converge after 100 iterations",
        "spec": snap["retention"]["spec"],
        "converged": False,
        "terms": None,
        "params": None,
        "cov": None,
        "hazard_ratio": None,
    }
    snap["value"] = {
        "status": "retention model missing",
        "assumptions": {},
        "clv": None,
        "gap": None,
        "per_point": None,
    }
    snap["forecast"] = None
    validate_snapshot(snap)
    del snap["retention"]["status"]
    with pytest.raises(SnapshotError, match="retention.params: expected a list"):
        validate_snapshot(snap)


def test_optional_actuals_are_validated(snap):
    snap["data"]["actuals"] = [{"period": "2026-01", "revenue": 1.2e6}]
    validate_snapshot(snap)
    snap["data"]["actuals"] = [{"period": "2026-01", "revenue": "lots"}]
    with pytest.raises(SnapshotError, match=r"data.actuals\[0\].revenue"):
        validate_snapshot(snap)


def test_unreadable_files_raise_snapshot_error(tmp_path):
    with pytest.raises(SnapshotError, match="Cannot read the snapshot"):
        read_snapshot(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1,', encoding="utf-8")
    with pytest.raises(SnapshotError, match="not a JSON snapshot.*line 1"):
        read_snapshot(bad)
    listy = tmp_path / "list.json"
    listy.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SnapshotError, match="must be a JSON object"):
        read_snapshot(listy)


def test_invalid_snapshot_is_not_written(snap, tmp_path):
    del snap["nps"]
    with pytest.raises(SnapshotError):
        write_snapshot(snap, tmp_path / "s.json")
    assert not (tmp_path / "s.json").exists()


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_fingerprint_is_pandas_hash_of_the_table_whatever_the_string_storage(storage) -> None:
    # Arrow text columns are numbered in Arrow before hashing: the bytes must not change.
    import hashlib

    import numpy as np
    import pandas as pd

    from cxvalue.report.capture import fingerprint

    rng = np.random.default_rng(3)
    ids = pd.array(rng.choice(["a", "b ", "", "é", "c"], 500), dtype=pd.StringDtype(storage))
    ids[::17] = pd.NA
    table = pd.DataFrame(
        {
            "customer_id": ids,
            "period": pd.date_range("2024-01-01", periods=500, freq="D"),
            "revenue": rng.normal(size=500),
            "note": pd.array(rng.choice(["x", "y"], 500), dtype="string"),
        }
    )
    digest = hashlib.sha256(b"customer_id,period,revenue,note")
    digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    assert fingerprint(table) == "sha256:" + digest.hexdigest()
    other = table.assign(customer_id=table["customer_id"].astype(pd.StringDtype("python")))
    assert fingerprint(other) == fingerprint(table)
    chunked = pd.concat([table.iloc[:200], table.iloc[200:]], ignore_index=True)
    if storage == "pyarrow":  # Arrow texts in several chunks, as a reader gives them
        assert chunked["customer_id"].array._pa_array.num_chunks == 2
    assert fingerprint(chunked) == fingerprint(table)


@pytest.mark.parametrize("block", [7, 1 << 17])
def test_fingerprint_is_pandas_hash_for_every_kind_of_column(block, monkeypatch) -> None:
    # Blocks of rows, Arrow numbering of texts (both storages), numbers, dates, bools,
    # objects, categoricals, nullable ints, missing values: the same bytes as pandas.
    import hashlib

    import numpy as np
    import pandas as pd

    from cxvalue.report import capture

    monkeypatch.setattr(capture, "_BLOCK", block)
    rng = np.random.default_rng(5)
    n = 300
    texts = rng.choice(["a", "b ", "", "é", "c", "\u00e9\u0301", "x" * 40], n)
    frame = pd.DataFrame(
        {
            "arrow": pd.array(texts, dtype=pd.StringDtype("pyarrow")),
            "python": pd.array(texts[::-1], dtype=pd.StringDtype("python")),
            "unique": pd.array([f"r{i}" for i in range(n)], dtype="string"),
            "when": pd.date_range("2024-01-31", periods=n, freq="ME"),
            "tz": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Berlin"),
            "gap": pd.to_timedelta(rng.integers(0, 9, n), unit="D"),
            "amount": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
            "score": rng.integers(0, 11, n),
            "small": rng.integers(0, 5, n).astype(np.int8),
            "flag": rng.random(n) < 0.5,
            "label": pd.Series(rng.choice(["p", "d", None], n), dtype=object),
            "mixed": pd.Series([1, "1", 2.5, None] * (n // 4), dtype=object),
            "cat": pd.Categorical(rng.choice(["u", "v"], n)),
            "nullable": pd.array(rng.integers(0, 3, n), dtype="Int64"),
        }
    )
    frame.loc[::13, ["arrow", "python", "when"]] = None
    frame.loc[::29, "nullable"] = pd.NA
    for table in (frame, frame.iloc[:1], frame[["when", "amount"]]):
        digest = hashlib.sha256(",".join(table.columns).encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
        assert capture.fingerprint(table) == "sha256:" + digest.hexdigest()
    empty = frame.iloc[:0]
    assert capture.fingerprint(empty) == capture.fingerprint(empty.copy())
    surrogate = pd.DataFrame({"t": pd.array(["\ud800", "a"], dtype=pd.StringDtype("python"))})
    with pytest.raises(UnicodeEncodeError):  # as pandas: Arrow cannot hold it, pandas fails
        capture.fingerprint(surrogate)


@pytest.mark.parametrize("block", [7, 1 << 17])
def test_revenue_bins_counted_in_blocks_are_the_whole_tables_counts(block, monkeypatch) -> None:
    # Amounts on an edge count in the bin below it (searchsorted, side left), whatever
    # block they fall in.
    import numpy as np

    from cxvalue.report import capture

    monkeypatch.setattr(capture, "_BLOCK", block)
    rng = np.random.default_rng(8)
    edges = [-5.0, 0.0, 2.5, 100.0]
    amounts = np.concatenate([rng.normal(0, 50, 200), np.repeat(edges, 3), [1e9, -1e9]])
    rng.shuffle(amounts)
    expected = np.bincount(np.searchsorted(edges, amounts, side="left"), minlength=5)
    got = capture._bin_counts(edges, amounts)
    assert got.tolist() == expected.tolist()
    assert got.sum() == len(amounts)
    assert got[1] == np.sum((amounts > -5.0) & (amounts <= 0.0))
