"""Do the three extracts key customers alike? Checked before the models run.

Survey tools, billing and CRM systems often key customers differently
(``00012345`` against ``12345``, ``C-12345``): then no answer meets its revenue
and every customer-month is "not surveyed", or no customer gets a segment, and
the models fail far from the cause. A few thousand rows, drawn at random, have
their customer looked up in the other table: in the revenue by bisection (it
is sorted by customer, as :func:`cxvalue.read_revenue` gives it), in the
customers table (one row per customer) by a set lookup, so that tens of
millions of ids are never hashed.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxvalue.errors import DataWarning, InputError

#: Rows looked up; with more, a random draw of this many.
DRAWN = 2000
#: Below this share of answers found in the revenue, a warning.
FEW_ANSWERS = 0.5
#: Below this share of revenue rows whose customer is in the customers table, a warning.
FEW_CUSTOMERS = 0.95


def check_ids_meet(
    responses: pd.Series,
    revenue: pd.Series,
    customers: pd.Series | None,
    names: dict[str, str],
    seed: int = 0,
) -> None:
    """Check that the answers and the customers table meet the revenue.

    Parameters
    ----------
    responses, revenue, customers : pandas.Series
        The tables' ``customer_id``; the revenue's sorted, as :func:`cxvalue.read_revenue`
        gives it (``customers`` may be None).
    names : dict
        The file of each table, for the messages.
    seed : int
        Seed of the draws.

    Raises
    ------
    InputError
        No answer, or no row of the customers table, has a customer in the revenue.

    Warns
    -----
    DataWarning
        Fewer than half of the answers have one; more than 5% of the revenue's rows have
        no row in the customers table.
    """
    in_revenue = _Lookup(pa.array(revenue.array), is_sorted=True)
    _check(responses, in_revenue, names["responses"], names["revenue"], FEW_ANSWERS,
           "the others count as not surveyed", seed, key="ids_answers")  # fmt: skip
    if customers is None or customers.empty:
        return
    _check(customers, in_revenue, names["customers"], names["revenue"], 0.0, "", seed,
           key=None)  # fmt: skip
    in_customers = _Lookup(pa.array(customers.array), is_sorted=False)
    _check(revenue, in_customers, names["revenue"], names["customers"],
           FEW_CUSTOMERS, "the others' segment and size count as missing, their churn comes "
           "from empty months and their tenure from their first revenue", seed,
           key="ids_revenue")  # fmt: skip


def _check(
    ids: pd.Series,
    found_in: _Lookup,
    source: str,
    target: str,
    few: float,
    consequence: str,
    seed: int,
    key: str | None,
) -> None:
    if ids.empty:
        return
    n = len(ids)
    rows = np.arange(n) if n <= DRAWN else np.random.default_rng(seed).choice(n, DRAWN, False)
    column = pa.array(ids.array)
    drawn = [column[int(i)].as_py() for i in rows]  # (a take of a chunked column: 40x slower)
    found = found_in(drawn)
    of = (f"of {len(drawn):,} rows drawn at random from the {n:,}" if len(drawn) < n
          else f"of the {n:,} rows")  # fmt: skip
    if found == 0:
        raise InputError(
            f"None {of} in {source} has a customer_id that is in {target} (ids such as "
            f"{drawn[0]!r} there, {found_in.example!r} in {target}). The two extracts key "
            "customers differently. If another column of "
            'one holds the other\'s id, map it (columns = { customer_id = "..." }); else '
            "export both with the same id, leading zeros and prefixes alike.",
            source=source,
        )
    share = found / len(drawn)
    if share < few:
        warnings.warn(
            DataWarning(
                f"Only {found:,} {of} in {source} ({share:.0%}) have a customer_id that is in "
                f"{target}; {consequence}. Check that both extracts key customers the same "
                "way.",
                key=key, source=source, target=target, found=found, drawn=len(drawn), rows=n,
                share=share,
            ),
            stacklevel=3,
        )  # fmt: skip


class _Lookup:
    """How many of some ids a text column holds: by bisection when it is sorted (Arrow
    and Python both order text by code point), else by a set of the column's ids."""

    def __init__(self, column: pa.ChunkedArray | pa.Array, is_sorted: bool) -> None:
        self.column, self.is_sorted = column, is_sorted
        self.example = column[0].as_py()

    def __call__(self, ids: list[str]) -> int:
        if self.is_sorted:
            values = SortedColumn(self.column)
            return sum(
                (at := bisect_left(values, value)) < len(values) and values[at] == value
                for value in ids
            )
        wanted = pa.array(ids, type=pa.string())
        held = pc.filter(self.column, pc.is_in(self.column, value_set=pc.unique(wanted)))
        return int(pc.sum(pc.is_in(wanted, value_set=pc.unique(held))).as_py() or 0)


class SortedColumn:
    """A sorted Arrow text column as a sequence ``bisect`` can search."""

    def __init__(self, column: pa.ChunkedArray | pa.Array) -> None:
        self.column = column

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, i: int) -> str:
        return self.column[i].as_py()
