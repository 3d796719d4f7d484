"""Do the customers who answered appear in the revenue? Checked before the models run.

Survey tools and billing systems often key customers differently (``00012345``
against ``12345``, ``C-12345``): then no answer meets its revenue, every
customer-month is "not surveyed" and the models fail far from the cause. The
revenue table is sorted by customer (``read_revenue``), so a few thousand
answers, drawn at random, have their customer looked up by bisection, without
hashing tens of millions of ids.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left

import numpy as np
import pandas as pd
import pyarrow as pa

from cxvalue.errors import DataWarning, InputError

#: Answers looked up; with more, a random draw of this many.
DRAWN = 2000
#: Below this share found in the revenue, a warning.
FEW = 0.5


def check_answers_meet_revenue(
    answered: pd.Series, billed: pd.Series, responses: str, revenue: str, seed: int = 0
) -> float:
    """The share of answers whose customer is in the revenue; an error when none is.

    Parameters
    ----------
    answered : pandas.Series
        The responses' ``customer_id``.
    billed : pandas.Series
        The revenue's ``customer_id``, sorted (as :func:`cxvalue.read_revenue` gives it).
    responses, revenue : str
        The two files, for the messages.
    seed : int
        Seed of the draw.

    Raises
    ------
    InputError
        No answering customer is in the revenue.
    """
    if answered.empty or billed.empty:
        return 1.0
    n = len(answered)
    rows = np.arange(n) if n <= DRAWN else np.random.default_rng(seed).choice(n, DRAWN, False)
    drawn = answered.iloc[rows].tolist()
    column = pa.array(billed.array)
    found = sum(_contains(column, str(i)) for i in drawn)
    share = found / len(drawn)
    of = (f"of {len(drawn):,} answers drawn at random from the {n:,}" if len(drawn) < n
          else f"of the {n:,} answers")  # fmt: skip
    like = f"ids such as {str(drawn[0])!r} in {responses} and {column[0].as_py()!r} in {revenue}"
    if found == 0:
        raise InputError(
            f"None {of} in {responses} comes from a customer in {revenue} ({like}). The "
            "two extracts key customers differently. If another column of one holds the "
            'other\'s id, map it (columns = { customer_id = "..." }); else export both with '
            "the same id, leading zeros and prefixes alike.",
            source=responses,
        )
    if share < FEW:
        warnings.warn(
            f"Only {found:,} {of} in {responses} ({share:.0%}) come from customers in "
            f"{revenue} ({like}); the others count as not surveyed. Check that both extracts "
            "key customers the same way.",
            DataWarning,
            stacklevel=2,
        )
    return share


def _contains(column: pa.ChunkedArray | pa.Array, value: str) -> bool:
    """Whether a sorted text column holds ``value`` (Arrow and Python both order text by
    code point)."""
    at = bisect_left(_Sorted(column), value)
    return at < len(column) and column[at].as_py() == value


class _Sorted:
    """A sorted Arrow text column as a sequence ``bisect`` can search."""

    def __init__(self, column: pa.ChunkedArray | pa.Array) -> None:
        self.column = column

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, i: int) -> str:
        return self.column[i].as_py()
