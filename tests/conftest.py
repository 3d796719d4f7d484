"""Shared fixtures."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared test data beside the repository, or skip."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"{SHARED_DATA} not found: the shared test data sits beside the repo "
            "(../shared/data) in CI and on developer machines"
        )
    return SHARED_DATA
