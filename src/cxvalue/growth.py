"""Revenue retention (NRR, GRR) and Bain's Earned Growth Rate.

Computed from the canonical revenue table (``customer_id``, ``period``,
``revenue``; see ``docs/contracts.md``) by comparing the ``months`` months up
to and including ``as_of`` (the *current* window) with the ``months`` months
before them (the *prior* window).

Rules
-----
Each customer's revenue is summed over each window: ``P`` (prior) and ``C``
(current). A customer is in the **retention base** when ``P > 0``. A customer
whose prior-window revenue is zero, absent or net negative (credit notes
outweighing invoices) is treated as having *no prior revenue*: their
current-window revenue counts as **new**, and a net-negative prior sum is left
out of the base (reported as ``prior_excluded_revenue``).

For base customers:

* **churned** when ``C <= 0`` (no net current revenue); churned revenue is
  ``P - C``, i.e. the whole prior revenue plus any net credit given now;
* otherwise **expansion** is ``max(C - P, 0)`` and **contraction** ``max(P - C, 0)``.

So the bridge adds up exactly::

    prior + new + expansion - contraction - churned = current

where ``prior`` is the base's prior revenue and ``current`` all current revenue.

* NRR = (prior + expansion - contraction - churned) / prior
  = current revenue of the base / prior revenue of the base.
* GRR = (prior - contraction - churned) / prior
  = sum of ``min(C, P)`` over the base / prior (no expansion counted).
* Earned Growth Rate (Bain) = NRR + earned new revenue / prior - 100%, where
  earned new revenue is the current revenue of new customers acquired by
  referral or word of mouth (see :data:`EARNED_KEYWORDS`). Example: NRR 104%,
  earned new 6% of prior revenue gives 104% + 6% - 100% = 10%.

Earned Growth needs a customers table with a ``referral_source`` (or
``acquisition_source``) column. Without one it is reported as not computable
(``None``), never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxvalue._validation import check_positive_int
from cxvalue.errors import ColumnError, InputError
from cxvalue.formatting import Locale, fmt_currency, fmt_pct
from cxvalue.ingest._typed import arrow_text, shared_codes

__all__ = ["EARNED_KEYWORDS", "SOURCE_COLUMNS", "GrowthResult", "revenue_retention"]

#: An acquisition source counts as *earned* when its normalised text (lower
#: case, ``_``/``-`` as spaces, single spaces) contains one of these.
EARNED_KEYWORDS: tuple[str, ...] = (
    "referral",
    "referred",
    "word of mouth",
    "recommendation",
    "recommended",
)
#: Customers-table columns read for the acquisition source, in order of preference.
SOURCE_COLUMNS: tuple[str, ...] = ("referral_source", "acquisition_source")
NO_EARNED_NOTE = (
    "Earned Growth cannot be computed: the customers table has no "
    "referral_source or acquisition_source column."
)


def _normalise(value: object) -> str:
    text = re.sub(r"[_\-]+", " ", str(value).strip().lower())
    return re.sub(r"\s+", " ", text)


def _month(value: object) -> pd.Timestamp:
    return pd.Timestamp(value).to_period("M").to_timestamp()


def _ym(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m")


@dataclass(frozen=True)
class GrowthResult:
    """Revenue retention, revenue bridge and Earned Growth for one pair of windows.

    All rates are shares (1.04 means 104%); money is in the revenue table's unit.

    Attributes
    ----------
    as_of : pandas.Timestamp
        Last month of the current window.
    months : int
        Length of each window in months.
    current_start, prior_start : pandas.Timestamp
        First month of the current and the prior window.
    prior_revenue : float
        Prior-window revenue of the retention base (customers with ``P > 0``).
    prior_excluded_revenue : float
        Net-negative prior revenue of customers left out of the base (``<= 0``).
    current_revenue : float
        All current-window revenue.
    new_revenue : float
        Current revenue of customers with no prior revenue.
    earned_new_revenue, bought_new_revenue : float or None
        ``new_revenue`` split by acquisition source; None without a source column.
    expansion, contraction, churned : float
        Bridge terms (all ``>= 0``), see the module docstring.
    nrr, grr : float
        Net and gross revenue retention.
    earned_new_share : float or None
        ``earned_new_revenue / prior_revenue``.
    earned_growth_rate : float or None
        ``nrr + earned_new_share - 1``; None when it cannot be computed.
    n_base, n_retained, n_churned, n_new, n_earned_new : int
        Customer counts (``n_earned_new`` is 0 without a source column).
    note : str
        Caveats, e.g. why Earned Growth is missing; empty when none.
    """

    as_of: pd.Timestamp
    months: int
    current_start: pd.Timestamp
    prior_start: pd.Timestamp
    prior_revenue: float
    prior_excluded_revenue: float
    current_revenue: float
    new_revenue: float
    earned_new_revenue: float | None
    bought_new_revenue: float | None
    expansion: float
    contraction: float
    churned: float
    nrr: float
    grr: float
    earned_new_share: float | None
    earned_growth_rate: float | None
    n_base: int
    n_retained: int
    n_churned: int
    n_new: int
    n_earned_new: int
    note: str = ""

    @property
    def prior_total_revenue(self) -> float:
        """All prior-window revenue, including net-negative customers left out of the base."""
        return self.prior_revenue + self.prior_excluded_revenue

    @property
    def earned_growth_available(self) -> bool:
        """Whether Earned Growth could be computed."""
        return self.earned_growth_rate is not None

    def to_frame(self) -> pd.DataFrame:
        """Return the figures as a table with columns ``metric``, ``value``, ``label``.

        Metrics that cannot be computed have value NaN and say why in ``label``.
        """
        rows = []
        for metric, label in _LABELS.items():
            value = getattr(self, metric)
            if value is None:
                value = math.nan
                label = f"{label} (not computable: no acquisition source column)"
            rows.append((metric, float(value), label))
        return pd.DataFrame(rows, columns=["metric", "value", "label"])

    def summary(self, locale: Locale = "en", currency: str = "EUR") -> str:
        """Return a short readable report of the retention figures and bridge.

        Parameters
        ----------
        locale : {"en", "de"}
            Number conventions (labels stay English).
        currency : str
            ISO code for money amounts.
        """

        def money(x: float) -> str:
            return fmt_currency(x, locale=locale, currency=currency)[0]

        def pct(x: float, signed: bool = False) -> str:
            return fmt_pct(x, decimals=1, locale=locale, signed=signed)[0]

        def row(label: str, value: str) -> str:
            return f"  {label:<36}{value:>12}"

        prior_end = self.current_start - pd.DateOffset(months=1)
        lines = [
            f"Revenue retention, {_ym(self.current_start)} to {_ym(self.as_of)} "
            f"vs {_ym(self.prior_start)} to {_ym(prior_end)}",
            row("Net revenue retention (NRR)", pct(self.nrr)),
            row("Gross revenue retention (GRR)", pct(self.grr)),
        ]
        if self.earned_growth_rate is not None and self.earned_new_share is not None:
            lines.append(
                row("Earned Growth Rate", pct(self.earned_growth_rate, True))
                + f"  (NRR {pct(self.nrr)} + earned new {pct(self.earned_new_share)} - 100%)"
            )
        else:
            lines.append(row("Earned Growth Rate", "not computable"))
        lines += [
            "Revenue bridge",
            row(f"Prior revenue ({self.n_base:,} customers)", money(self.prior_revenue)),
            row(f"+ New customers ({self.n_new:,})", money(self.new_revenue)),
        ]
        if self.earned_new_revenue is not None and self.bought_new_revenue is not None:
            n_bought = self.n_new - self.n_earned_new
            lines += [
                row(f"    earned ({self.n_earned_new:,})", money(self.earned_new_revenue)),
                row(f"    bought ({n_bought:,})", money(self.bought_new_revenue)),
            ]
        lines += [
            row("+ Expansion", money(self.expansion)),
            row("- Contraction", money(self.contraction)),
            row(f"- Churned ({self.n_churned:,} customers)", money(self.churned)),
            row("= Current revenue", money(self.current_revenue)),
        ]
        if self.note:
            lines.append("Note: " + self.note)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


_LABELS: dict[str, str] = {
    "nrr": "Net revenue retention",
    "grr": "Gross revenue retention",
    "earned_growth_rate": "Earned Growth Rate (NRR + earned new share - 100%)",
    "earned_new_share": "Earned new revenue / prior revenue",
    "prior_revenue": "Prior-window revenue of the retention base",
    "prior_excluded_revenue": "Net-negative prior revenue left out of the base",
    "current_revenue": "Current-window revenue",
    "new_revenue": "New-customer revenue",
    "earned_new_revenue": "New-customer revenue, earned (referral / word of mouth)",
    "bought_new_revenue": "New-customer revenue, bought (other sources)",
    "expansion": "Expansion",
    "contraction": "Contraction",
    "churned": "Churned revenue",
    "n_base": "Customers in the retention base",
    "n_retained": "Base customers with current revenue",
    "n_churned": "Base customers churned",
    "n_new": "New customers",
    "n_earned_new": "New customers acquired by referral / word of mouth",
}


def _earned_flags(
    customers: pd.DataFrame | None, earned_sources: Iterable[str] | None
) -> tuple[pd.Series | None, str]:
    """Return a boolean Series indexed by customer_id (None without a source column)."""
    if customers is None:
        return None, "Earned Growth cannot be computed: no customers table was given."
    column = next((c for c in SOURCE_COLUMNS if c in customers.columns), None)
    if column is None:
        return None, NO_EARNED_NOTE
    if "customer_id" not in customers.columns:
        raise ColumnError(
            "revenue_retention() needs a customer_id column in the customers table.",
            source="<DataFrame>",
            column="customer_id",
            found=[str(c) for c in customers.columns],
        )
    source = customers[column]
    if isinstance(source.dtype, (pd.StringDtype, pd.ArrowDtype, pd.CategoricalDtype)):
        codes, values = pd.factorize(source, use_na_sentinel=True)  # each text once
    else:  # objects: 1 and 1.0 are one value to factorize but two texts
        codes, values = np.arange(len(source)), source.to_numpy(dtype=object)
    text = pd.Series([_normalise(v) for v in values] + [""], dtype=object)  # last: missing
    if earned_sources is None:
        hit = text.map(lambda t: any(k in t for k in EARNED_KEYWORDS)).to_numpy(dtype=bool)
    else:
        wanted = {_normalise(s) for s in earned_sources}
        hit = text.isin(wanted).to_numpy(dtype=bool)
    flags = hit[np.where(codes >= 0, codes, len(values))]
    ids, unique_ids = _id_codes(customers["customer_id"])
    known = ids >= 0
    earned = np.bincount(ids[known], weights=flags[known], minlength=len(unique_ids)) > 0
    seen = np.bincount(ids[known], minlength=len(unique_ids)) > 0
    return pd.Series(earned[seen], index=unique_ids[seen]), ""


def _id_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Customer ids as codes: ``ids.astype("string").str.strip()``, numbered in sorted order.

    Returns the codes (int32, -1 where the id is missing) and the stripped ids
    they number (sorted, unique).
    """
    numbers, lookup, unique_ids = _id_numbering(ids)
    return lookup[numbers], unique_ids


def _id_numbering(ids: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """:func:`_id_codes` in two steps: ``lookup[numbers]`` are the codes.

    ``numbers`` number the distinct raw ids (-1 where missing); ``lookup`` (int32,
    one more entry, -1, for a missing id) gives each one's stripped id's code. Each
    distinct raw id is converted and stripped once, so millions of rows cost one
    hash pass; Arrow strings are stripped, sorted and numbered in Arrow. A caller
    that needs the codes of some rows only looks those up.
    """
    arrow = arrow_text(ids)
    if arrow is not None:
        dictionary, numbers = shared_codes(arrow)
        lookup, unique_ids = _sorted_stripped(dictionary)
    else:
        numbers, uniques = pd.factorize(ids.astype("string"), use_na_sentinel=True)
        raw = pd.Series(uniques, dtype="string")
        stripped, unique_ids = pd.factorize(raw.str.strip(), sort=True, use_na_sentinel=True)
        lookup = stripped
    lookup = np.append(lookup, -1).astype(np.int32)  # number -1 stays -1
    return numbers, lookup, pd.Index(np.asarray(unique_ids, dtype=object), dtype=object)


def _sorted_stripped(dictionary: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct id's position among the sorted distinct stripped ids, and those ids.

    Arrow trims the characters ``str.isspace()`` calls whitespace (tested) and sorts
    strings by their UTF-8 bytes, which is the order of code points: Python's order.
    """
    stripped = pc.utf8_trim_whitespace(dictionary)
    if pc.all(pc.equal(stripped, dictionary)).as_py() is not False:
        # nothing was stripped: the ids are distinct already, and their positions in
        # sorted order are the inverse of the sorting permutation
        order = pc.array_sort_indices(dictionary).to_numpy()
        lookup = np.empty(len(order), dtype=np.int32)
        lookup[order] = np.arange(len(order), dtype=np.int32)
        return lookup, dictionary.take(order).to_numpy(zero_copy_only=False)
    unique = pc.unique(stripped)
    unique = unique.take(pc.array_sort_indices(unique))
    lookup = pc.index_in(stripped, value_set=unique).to_numpy(zero_copy_only=False)
    return lookup.astype(np.int32), unique.to_numpy(zero_copy_only=False)


def _positions(ids: pd.Index, listed: pd.Index) -> np.ndarray:
    """Where each of ``ids`` is in ``listed`` (-1 if absent); both hold unique strings."""
    try:
        found = pc.index_in(
            pa.array(ids, type=pa.string()), value_set=pa.array(listed, pa.string())
        )
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    except (pa.ArrowException, UnicodeError):  # text Arrow cannot hold (lone surrogates)
        return listed.get_indexer(ids)


def _month_dates(periods: pd.Series) -> pd.Series:
    """Dates to compare with month starts: the periods themselves when they are naive
    datetimes (a date is in a month when it lies between its start and the next one's),
    else ``pd.to_datetime(periods).dt.to_period("M").dt.to_timestamp()``."""
    if isinstance(periods.dtype, np.dtype) and periods.dtype.kind == "M":
        return periods
    return pd.to_datetime(periods).dt.to_period("M").dt.to_timestamp()


def revenue_retention(
    revenue: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: object = None,
    months: int = 12,
    earned_sources: Iterable[str] | None = None,
) -> GrowthResult:
    """Net and gross revenue retention, revenue bridge and Bain's Earned Growth Rate.

    Parameters
    ----------
    revenue : pandas.DataFrame
        Canonical revenue table: ``customer_id``, ``period`` (month start), ``revenue``.
    customers : pandas.DataFrame, optional
        Canonical customers table. Its ``referral_source`` (or, failing that,
        ``acquisition_source``) column decides which new customers are *earned*.
        Without it Earned Growth is reported as not computable.
    as_of : date-like, optional
        Last month of the current window (any day in it); default the last
        period in ``revenue``.
    months : int, default 12
        Length of each window. The table must cover ``2 * months`` months up to ``as_of``.
    earned_sources : iterable of str, optional
        Source values that count as earned, matched whole and case-insensitively
        (``_``/``-`` read as spaces). By default a source is earned when it
        contains one of :data:`EARNED_KEYWORDS` (referral, referred, word of
        mouth, recommendation, recommended). New customers missing from the
        customers table, or with no source, count as bought.

    Returns
    -------
    GrowthResult

    Raises
    ------
    InputError
        When a column is missing, the table covers less than ``2 * months``
        months up to ``as_of``, ``as_of`` lies after the data, or no customer
        has positive prior-window revenue.

    Notes
    -----
    Customers whose prior-window revenue sums to zero or less count as having
    no prior revenue (their current revenue is *new*); base customers whose
    current revenue sums to zero or less count as churned. See the module
    docstring for the bridge.

    Examples
    --------
    >>> import pandas as pd
    >>> rev = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01"]),
    ...     "revenue": [100.0, 110.0, 20.0],
    ... })
    >>> r = revenue_retention(rev, months=1)
    >>> round(r.nrr, 2), r.new_revenue
    (1.1, 20.0)
    """
    func = "revenue_retention"
    check_positive_int(months, "months", func)
    missing = [c for c in ("customer_id", "period", "revenue") if c not in revenue.columns]
    if missing:
        raise ColumnError(
            f"{func}() needs the column(s) {', '.join(missing)} in the revenue table; "
            f"it has {', '.join(map(str, revenue.columns))}.",
            source="<DataFrame>",
            column=missing[0],
            found=[str(c) for c in revenue.columns],
        )
    if len(revenue) == 0:
        raise InputError(f"{func}() got an empty revenue table.", source="<DataFrame>")

    dates = _month_dates(revenue["period"])
    first, last = (_month(d) for d in (dates.min(), dates.max()))
    end = last if as_of is None else _month(as_of)
    if end > last:
        raise InputError(
            f"{func}(): as_of {_ym(end)} is after the last period in the revenue table "
            f"({_ym(last)}); months without data would look like churn.",
            source="<DataFrame>",
        )
    current_start = end - pd.DateOffset(months=months - 1)
    prior_start = end - pd.DateOffset(months=2 * months - 1)
    if first > prior_start:
        gap_end = first - pd.DateOffset(months=1)
        raise InputError(
            f"{func}() needs {2 * months} months of revenue history ({months} prior + "
            f"{months} current) from {_ym(prior_start)} to {_ym(end)}; the revenue table "
            f"starts at {_ym(first)}, so {_ym(prior_start)} to {_ym(gap_end)} is missing. "
            f"Pass an earlier-ending as_of or a smaller months.",
            source="<DataFrame>",
        )

    numbers, lookup, unique_ids = _id_numbering(revenue["customer_id"])
    when = dates.to_numpy()
    lo, mid, hi = (
        np.datetime64(t) for t in (prior_start, current_start, end + pd.DateOffset(months=1))
    )
    # boolean masks, and one row-sized array at a time: at tens of millions of rows,
    # every extra copy is hundreds of MB
    in_window = (when >= lo) & (when < hi) & (numbers >= 0)
    codes, prior = lookup[numbers[in_window]], when[in_window] < mid
    amount = revenue["revenue"]
    if amount.dtype == np.dtype(np.float64):  # only the window is copied, below
        amount = amount.to_numpy()
    else:
        amount = pd.to_numeric(amount, errors="coerce").to_numpy(float, na_value=np.nan)
    del when
    seen = np.bincount(codes, minlength=len(unique_ids)) > 0  # customers with window rows
    keys = pd.Categorical.from_codes(codes, categories=pd.RangeIndex(len(unique_ids)))
    del codes
    # sums per customer in row order (pandas' compensated group sums), customers sorted
    # by id; each window's column holds 0 in the other window's rows
    sums = {}
    for name, outside in (("P", ~prior), ("C", prior)):
        column = amount[in_window]  # a copy: zeroed below
        column[np.isnan(column) | outside] = 0.0
        grouped = pd.Series(column, copy=False).groupby(keys, sort=True, observed=False)
        sums[name] = grouped.sum().to_numpy()[seen]
        del column, grouped
    per = pd.DataFrame(sums, index=pd.Index(unique_ids[seen], name="customer_id"))
    P, C = per["P"], per["C"]

    base = P > 0
    if not base.any():
        raise InputError(
            f"{func}(): no customer has positive revenue from {_ym(prior_start)} to "
            f"{_ym(current_start - pd.DateOffset(months=1))}, so retention is undefined.",
            source="<DataFrame>",
        )
    churn = base & (C <= 0)
    kept = base & (C > 0)
    new = ~base
    prior_revenue = float(P[base].sum())
    expansion = float((C - P)[kept].clip(lower=0).sum())
    contraction = float((P - C)[kept].clip(lower=0).sum())
    churned = float((P - C)[churn].sum())
    new_revenue = float(C[new].sum())
    current_revenue = float(C.sum())
    nrr = float(C[base].sum()) / prior_revenue
    grr = float(pd.concat([C[base], P[base]], axis=1).min(axis=1).sum()) / prior_revenue

    flags, note = _earned_flags(customers, earned_sources)
    earned_new = bought_new = share = egr = None
    n_earned = 0
    if flags is not None:
        listed = _positions(per.index, flags.index)
        known = pd.Series(listed >= 0, index=per.index)
        hit = flags.to_numpy()[listed] if len(flags) else np.zeros(len(listed), dtype=bool)
        earned = pd.Series(hit & (listed >= 0), index=per.index)
        earned_mask = new & (C != 0) & earned
        earned_new = float(C[earned_mask].sum())
        bought_new = float(C[new & ~earned_mask].sum())
        n_earned = int(earned_mask.sum())
        share = earned_new / prior_revenue
        egr = nrr + share - 1.0
        unknown = int((new & ~known).sum())
        if unknown:
            note = (
                f"{unknown:,} new customer(s) are not in the customers table and count as bought."
            )
    excluded = float(P[~base].sum())
    if excluded < 0:
        extra = (
            f"{int((P < 0).sum()):,} customer(s) with net-negative prior revenue "
            f"({excluded:,.2f}) are treated as having no prior revenue."
        )
        note = f"{note} {extra}".strip()

    return GrowthResult(
        as_of=end,
        months=months,
        current_start=current_start,
        prior_start=prior_start,
        prior_revenue=prior_revenue,
        prior_excluded_revenue=excluded,
        current_revenue=current_revenue,
        new_revenue=new_revenue,
        earned_new_revenue=earned_new,
        bought_new_revenue=bought_new,
        expansion=expansion,
        contraction=contraction,
        churned=churned,
        nrr=nrr,
        grr=grr,
        earned_new_share=share,
        earned_growth_rate=egr,
        n_base=int(base.sum()),
        n_retained=int(kept.sum()),
        n_churned=int(churn.sum()),
        n_new=int((new & (C != 0)).sum()),
        n_earned_new=n_earned,
        note=note,
    )
