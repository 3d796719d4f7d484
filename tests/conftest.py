"""Shared fixtures."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

#: The shared test data sits beside the repository: ../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared test data beside the repository, or skip."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not found: the shared test data sits beside the repo in CI")
    return SHARED_DATA
