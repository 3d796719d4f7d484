"""Ingest: read extracts into the canonical tables, and account for every row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cxvalue._validation import check_choice
from cxvalue.ingest._common import IngestResult
from cxvalue.ingest.customers import read_customers
from cxvalue.ingest.ledger import Ledger, LedgerEntry
from cxvalue.ingest.responses import Scale, read_responses
from cxvalue.ingest.revenue import read_revenue

__all__ = [
    "IngestResult",
    "Ledger",
    "LedgerEntry",
    "Scale",
    "read_customers",
    "read_responses",
    "read_revenue",
    "read_table",
]

READERS = {"responses": read_responses, "revenue": read_revenue, "customers": read_customers}


def read_table(kind: str, source: str | Path | pd.DataFrame, **kwargs: Any) -> IngestResult:
    """Read ``source`` as the canonical table ``kind`` ("responses", "revenue", "customers")."""
    check_choice(kind, tuple(READERS), "kind", "read_table")
    return READERS[kind](source, **kwargs)
