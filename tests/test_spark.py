"""The panel on Spark through Ibis: the same cells and the same retention fit as on DuckDB.

Runs where PySpark and a Java runtime are installed (``pip install -e '.[dev,spark]'``,
``make test-spark``); skipped otherwise. One local Spark session (``local[2]``) is
shared by every test of the module.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from cxvalue.ingest import read_customers, read_responses, read_revenue
from cxvalue.models import fit_retention, fit_revenue
from cxvalue.models.retention import cells_query
from cxvalue.models.revenue import sample_query
from cxvalue.panel import build_panel, cells

pytestmark = pytest.mark.spark

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples"
BY = ["category", "tenure_band", "size_band", "segment"]
VALUES = ["revenue", "revenue_next", "score"]
COUNTS = ["n_rows", "exposure", "events", "n_customers", *(f"{v}_n" for v in VALUES)]


def _java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


@pytest.fixture(scope="module")
def session():
    pytest.importorskip(
        "pyspark", reason="PySpark not installed: the Spark tests run where it is "
        "(pip install -e '.[dev,spark]' or make test-spark)",
    )  # fmt: skip
    if not _java_available():
        pytest.skip("No Java runtime (java not on PATH, no JAVA_HOME): PySpark needs Java 17+")
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("cxvalue-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "4g")  # 2g ran out of heap on the sample's panel
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def con(session):
    return ibis.pyspark.connect(session)


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    """The bundled sample's canonical tables, read as a user would."""
    return {
        "responses": read_responses(SAMPLE / "responses.csv.gz").table,
        "revenue": read_revenue(SAMPLE / "revenue.csv.gz").table,
        "customers": read_customers(SAMPLE / "customers.csv").table,
    }


@pytest.fixture(scope="module")
def spark_tables(session, con, sample) -> dict[str, ibis.Table]:
    """The sample's tables as Spark temporary views, seen through Ibis."""
    tables = {}
    for name, frame in sample.items():
        session.createDataFrame(frame).createOrReplaceTempView(f"cx_{name}")
        tables[name] = con.table(f"cx_{name}")
    return tables


@pytest.fixture(scope="module")
def duck_panel(sample):
    return build_panel(sample["responses"], sample["revenue"], sample["customers"])


@pytest.fixture(scope="module")
def spark_panel(con, spark_tables):
    """The sample's panel built on Spark, cached there once (Spark re-plans the whole
    panel query for every ``cells`` call otherwise: ~40 s each on two cores)."""
    panel = build_panel(spark_tables["responses"], spark_tables["revenue"],
                        spark_tables["customers"])  # fmt: skip
    assert panel.backend is con
    # Ibis 12's PySpark .cache() compiles without registering in-memory tables first
    # (the panel's month calendar is one), so register them as execute() would.
    con._run_pre_execute_hooks(panel.expr)
    return dataclasses.replace(panel, expr=panel.expr.cache())


def same_cells(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same groups in the same order, exact counts, sums to 1e-9 (relative)."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    pd.testing.assert_frame_equal(got[BY], want[BY])
    pd.testing.assert_frame_equal(got[COUNTS], want[COUNTS])  # int64, exact
    sums = [c for c in want.columns if c.endswith(("_sum", "_sq"))]
    np.testing.assert_allclose(got[sums].to_numpy(), want[sums].to_numpy(), rtol=1e-9, atol=1e-9)


def test_pandas_inputs_on_a_spark_backend(con):
    """Hand-made edge cases (leading-zero ids, gaps, credits, explicit churn) on Spark.

    First in the module: it runs before the sample's panel is cached in the local
    session (after it, a 2 GB session ran short of memory for this query).
    """
    revenue = pd.DataFrame({
        "customer_id": ["00042"] * 4 + ["42"] * 3 + ["0042"],
        "period": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-04-01", "2023-12-01",
                                  "2023-01-01", "2023-08-01", "2023-09-01", "2023-03-01"]),
        "revenue": [100.0, 101.0, 102.0, 103.0, 50.0, 80.0, -20.0, 5.0],
    }).astype({"customer_id": "string"})  # fmt: skip
    responses = pd.DataFrame({
        "customer_id": ["00042", "42", "42"],
        "responded_at": pd.to_datetime(["2023-01-01", "2023-02-20", "2023-02-10"]),
        "score": [9, 10, 3], "response_id": ["r1", "r2", "r3"],
    }).astype({"customer_id": "string", "response_id": "string"})  # fmt: skip
    customers = pd.DataFrame({
        "customer_id": ["00042", "0042"], "segment": ["smb", "enterprise"],
        "churned_at": pd.to_datetime(["2023-06-15", None]),
    }).astype({"customer_id": "string", "segment": "string"})  # fmt: skip
    by = ["customer_id", "category", "tenure_band", "size_band"]
    values = ["revenue_next", "score"]
    want = cells(build_panel(responses, revenue, customers), by, values)
    on_spark = build_panel(responses, revenue, customers, backend=con)
    pd.testing.assert_frame_equal(cells(on_spark, by, values), want, check_dtype=False, rtol=1e-9)
    # another churn rule (42's six empty months no longer a churn) cuts the same months
    # (not stored: Ibis has no temporary tables on PySpark)
    want = cells(build_panel(responses, revenue, customers, churn_after_months=7), by, values)
    got = cells(on_spark.with_churn_after(7), by, values)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-9)


def test_sample_panel_on_spark_gives_identical_cells(spark_panel, duck_panel):
    got = cells(spark_panel, BY, VALUES)
    want = cells(duck_panel, BY, VALUES)
    assert want["n_rows"].sum() > 400_000  # the whole sample, not a slice
    same_cells(got, want)
    assert spark_panel.data_end == duck_panel.data_end
    assert spark_panel.controls_available == duck_panel.controls_available


def test_retention_fit_on_spark_equals_duckdb(spark_panel, duck_panel):
    controls = ("segment", "size_band", "tenure_band")
    got = fit_retention(spark_panel, controls=controls)
    want = fit_retention(duck_panel, controls=controls)
    assert list(got.params.index) == list(want.params.index)
    np.testing.assert_allclose(got.params.to_numpy(), want.params.to_numpy(), rtol=1e-9,
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(got.cov.to_numpy(), want.cov.to_numpy(), rtol=1e-9, atol=1e-15)
    assert (got.exposure, got.events) == (want.exposure, want.events)


def test_both_fits_from_one_spark_query_equal_duckdb(spark_panel, duck_panel, monkeypatch):
    """As the report fits them: both models' grouped queries run as one (prefetch)."""
    controls = ["segment", "size_band", "tenure_band"]
    ahead = spark_panel.prefetch([cells_query(spark_panel, controls),
                                  sample_query(spark_panel, controls)])  # fmt: skip
    monkeypatch.setattr(ahead.backend, "to_pyarrow", None)  # nothing more runs on Spark
    for fit in (fit_retention, fit_revenue):
        got, want = fit(ahead, controls=controls), fit(duck_panel, controls=controls)
        assert list(got.params.index) == list(want.params.index)
        np.testing.assert_allclose(got.params.to_numpy(), want.params.to_numpy(), rtol=1e-9,
                                   atol=1e-12)  # fmt: skip
        np.testing.assert_allclose(got.cov.to_numpy(), want.cov.to_numpy(), rtol=1e-9,
                                   atol=1e-15)  # fmt: skip
