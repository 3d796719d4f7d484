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


@pytest.fixture(scope="session", autouse=True)
def keyed_warnings_speak_every_language():
    """Every warning the suite raises with a key is said in each language of
    :data:`cxvalue.report.notes.LIBRARY_NOTES` as it is raised: words that need a value
    the warning does not carry fail the test that raised it, at the warning's site."""
    from cxvalue.errors import CxValueWarning
    from cxvalue.report.notes import LIBRARY_NOTES, in_locale

    made = CxValueWarning.__init__

    def said(self, message, *, key=None, **params):
        made(self, message, key=key, **params)
        for locale in LIBRARY_NOTES if key else ():
            assert in_locale(self, locale), f"{key}: no words in {locale}"

    CxValueWarning.__init__ = said
    yield
    CxValueWarning.__init__ = made
