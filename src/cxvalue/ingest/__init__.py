"""Ingest: read extracts into the canonical tables, and account for every row.

Three readers — :func:`read_responses`, :func:`read_revenue`,
:func:`read_customers` — each return an :class:`IngestResult`: the canonical
table (see ``docs/contracts.md``) and a :class:`Ledger` of rows read, kept,
repaired and rejected. :func:`read_table` dispatches by kind for the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cxvalue._validation import check_choice
from cxvalue.ingest._common import IngestResult
from cxvalue.ingest.customers import read_customers
from cxvalue.ingest.ledger import Ledger, LedgerEntry
from cxvalue.ingest.responses import read_responses
from cxvalue.ingest.revenue import read_revenue
from cxvalue.ingest.scale import Scale

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


def read_table(
    kind: str, source: str | Path | pd.DataFrame | Sequence[str | Path], **kwargs: Any
) -> IngestResult:
    """Read ``source`` as the canonical table ``kind``.

    Parameters
    ----------
    kind : {"responses", "revenue", "customers"}
    source : path, list of paths or DataFrame
    **kwargs
        Passed to :func:`read_responses`, :func:`read_revenue` or
        :func:`read_customers`.

    Returns
    -------
    IngestResult
    """
    check_choice(kind, tuple(READERS), "kind", "read_table")
    return READERS[kind](source, **kwargs)
