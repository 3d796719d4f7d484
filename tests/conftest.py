"""Shared fixtures."""

from pathlib import Path

import matplotlib
import pytest

import cxvalue as cx

matplotlib.use("Agg")

#: The shared test data sits beside the repository: ../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared test data beside the repository, or skip."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not found: the shared test data sits beside the repo in CI")
    return SHARED_DATA


#: The sample's obvious confounders, as the demo uses them.
SAMPLE_CONTROLS = ("segment", "size", "tenure_band")


@pytest.fixture(scope="session")
def sample_panel():
    """The bundled sample's customer-month panel (data/samples)."""
    return cx.build_panel(
        cx.read_responses("data/samples/responses.csv.gz"),
        cx.read_revenue("data/samples/revenue.csv.gz"),
        cx.read_customers("data/samples/customers.csv"),
    )


@pytest.fixture(scope="session")
def sample_models(sample_panel):
    """Retention and revenue models fitted on the sample with SAMPLE_CONTROLS."""
    return (cx.fit_retention(sample_panel, controls=SAMPLE_CONTROLS),
            cx.fit_revenue(sample_panel, controls=SAMPLE_CONTROLS))  # fmt: skip
