"""Panel columns beyond the spells: latest response, bands, customers-table columns."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from cxvalue._categories import DETRACTOR, NOT_SURVEYED, PASSIVE, PROMOTER
from cxvalue._panel_inputs import month_index

#: The panel's own columns, in order; customers-table columns follow.
PANEL_COLUMNS = (
    "customer_id", "period", "spell", "revenue", "revenue_trailing", "revenue_next",
    "at_risk", "churned", "active_through_next", "tenure_months", "tenure_band",
    "size_band", "score", "category", "months_since_response",
)  # fmt: skip
#: Size-band labels by number of bands; other counts get "size 1 of k" …
SIZE_LABELS = {
    1: ("all",),
    2: ("small", "large"),
    3: ("small", "medium", "large"),
    4: ("small", "medium", "large", "very large"),
}
#: Months of a customer's start over which the size band's revenue is averaged.
SIZE_MONTHS = 12


def size_labels(bands: int) -> tuple[str, ...]:
    """The labels of ``bands`` size bands, smallest first."""
    return SIZE_LABELS.get(bands, tuple(f"size {i} of {bands}" for i in range(1, bands + 1)))


def tenure_labels(cuts: Sequence[int]) -> tuple[str, ...]:
    """Labels of the tenure bands cut at ``cuts``: (12, 24) → 0-11m, 12-23m, 24m+."""
    edges = [0, *cuts]
    inner = tuple(f"{lo}-{hi - 1}m" for lo, hi in zip(edges, edges[1:], strict=False))
    return (*inner, f"{edges[-1]}m+")


def tenure_band(tenure: ir.IntegerValue, cuts: Sequence[int]) -> ir.StringValue:
    """The tenure band of each row (see :func:`tenure_labels`)."""
    labels = tenure_labels(cuts)
    if not cuts:
        return ibis.literal(labels[0], "string")
    branches = [(tenure < cut, label) for cut, label in zip(cuts, labels, strict=False)]
    return ibis.cases(*branches, else_=labels[-1])


def nps_category(score: ir.IntegerValue) -> ir.StringValue:
    """The 0-10 category of a score, for responses that come without one."""
    return ibis.cases((score >= 9, PROMOTER), (score >= 7, PASSIVE), else_=DETRACTOR)


def response_months(responses: ir.Table, extra: Sequence[str] = ()) -> ir.Table:
    """Responses with the first month ``eff`` whose start is at or after the answer.

    An answer at midnight on the 1st counts for that month; any later answer
    counts from the next month on. Columns named in ``extra`` come along as
    ``r_{name}`` (float64).
    """
    valid = responses.filter(responses.responded_at.notnull() & responses.score.notnull())
    at = valid.responded_at
    on_first = at.day() == 1
    if at.type().is_timestamp():
        on_first = on_first & (at.hour() == 0) & (at.minute() == 0) & (at.second() == 0)
    resp_m = month_index(at)
    cols = valid.columns
    return valid.select(
        r_customer_id=valid.customer_id,
        r_at=at,
        r_id=valid.response_id.cast("string") if "response_id" in cols else ibis.null("string"),
        r_m=resp_m,
        eff=resp_m + ibis.ifelse(on_first, 0, 1),
        score=valid.score.cast("int64"),
        category=(
            valid.category.cast("string") if "category" in cols else nps_category(valid.score)
        ),
        **{f"r_{c}": valid[c].cast("float64") for c in extra},
    )


def answer_spans(responses: ir.Table, recency: int, extra: Sequence[str] = ()) -> ir.Table:
    """The months each answer describes: ``a_key``, ``eff`` to ``until`` (exclusive), its
    month ``r_m``, score, category and the ``extra`` columns as ``r_{name}``.

    ``responses`` are keyed canonical responses (a ``key`` column instead of
    customer_id: the panel's integer key, or the text id renamed). An answer
    describes the months from its ``eff`` month (see :func:`response_months`)
    until the customer's next answer takes over or ``recency`` months have
    passed, whichever comes first; of several answers with the same ``eff``
    month the latest counts (ties: the larger response_id). A customer's spans
    do not overlap, so each customer-month falls in at most one: that of its
    latest counting answer.
    """
    # response_months reads customer_id: hand it the key under that name (r_customer_id)
    answers = response_months(responses.rename(customer_id="key"), extra)
    rank = ibis.row_number().over(
        group_by=[answers.r_customer_id, answers.eff],
        order_by=[ibis.desc(answers.r_at), ibis.desc(answers.r_id)],
    )
    best = answers.mutate(rn=rank).filter(lambda t: t.rn == 0)
    taken_over = best.eff.lead().over(group_by=best.r_customer_id, order_by=best.eff)
    expires = best.eff + recency
    return best.select(
        a_key=best.r_customer_id, eff=best.eff,
        until=ibis.least(ibis.coalesce(taken_over, expires), expires),
        r_m=best.r_m, score=best.score, category=best.category,
        **{f"r_{c}": best[f"r_{c}"] for c in extra},
    )  # fmt: skip


def latest_response(rows: ir.Table, spans: ir.Table) -> ir.Table:
    """Add score, category, months_since_response from :func:`answer_spans`; months no
    answer describes get category ``not_surveyed``.

    The join is on the key with a month range: the spans are not spelled out month
    by month, which would make a table nearly as long as the panel.
    """
    joined = rows.left_join(
        spans, [rows.key == spans.a_key, rows.m >= spans.eff, rows.m < spans.until]
    )
    joined = joined.mutate(
        category=ibis.coalesce(joined.category, NOT_SURVEYED),
        months_since_response=(joined.m - joined.r_m).cast("int64"),
    )
    return joined.drop("a_key", "eff", "until", "r_m")


def tenure_from_acquisition(rows: ir.Table) -> ir.Table:
    """Count ``tenure_months`` of a first spell from the ``acquired_at`` column where given.

    Revenue extracts often start years after many customers joined; tenure
    counted from the first revenue month would call them all new. An
    ``acquired_at`` after the first revenue month is ignored (the revenue says
    otherwise), and later spells always count from their own start.
    """
    if "acquired_at" not in rows.columns:
        return rows
    a_m = month_index(rows.acquired_at)
    use = (rows.spell == 1) & a_m.notnull() & (a_m <= rows.start)
    return rows.mutate(tenure_months=ibis.ifelse(use, rows.m - a_m, rows.tenure_months))


def no_responses(rows: ir.Table) -> ir.Table:
    """Add empty response columns (every row ``not_surveyed``)."""
    return rows.mutate(
        score=ibis.null("int64"),
        category=ibis.literal(NOT_SURVEYED, "string"),
        months_since_response=ibis.null("int64"),
    )


def size_table(rows: ir.Table, bands: int, key: str) -> ir.Table:
    """One row per customer (``key``) with its size_band: bands (ntile) of customers by
    their average monthly revenue over their first :data:`SIZE_MONTHS` months in the panel.

    ``rows`` need ``key``, ``m``, ``revenue`` and ``first_m`` (the customer's first
    month). One band per customer, fixed over time, so that it does not move
    with the outcome (a shrinking customer keeps its band). Ties are broken by
    the key so that the bands are reproducible.
    """
    early = rows.filter(rows.m < rows.first_m + SIZE_MONTHS)
    return _bands(early.group_by(key).aggregate(avg=early.revenue.mean()), key, bands)


def spell_sizes(spells: ir.Table, monthly: ir.Table, bands: int) -> ir.Table:
    """The size band of each ``key`` as :func:`size_table` gives it for the spells' rows,
    from the spells and the monthly revenue (without the customer-month rows).

    The first :data:`SIZE_MONTHS` months from a customer's first month hold as many
    panel rows as its spells cover of them, and all its revenue of those months
    (months outside the spells have none).
    """
    first = spells.group_by("key").aggregate(first_m=spells.start.min())
    cut = first.first_m + SIZE_MONTHS - 1
    both = spells.join(first, "key")
    covered = ibis.greatest(ibis.least(both.row_end, cut) - both.start + 1, 0)
    months = both.group_by("key").aggregate(months=covered.sum())
    rev = monthly.rename(r_key="key")
    early = rev.join(first, [rev.r_key == first.key, rev.m >= first.first_m, rev.m <= cut])
    total = early.group_by("key").aggregate(total=early.revenue.sum())
    avg = months.join(total, "key")
    return _bands(avg.select("key", avg=avg.total / avg.months), "key", bands)


def _bands(avg: ir.Table, key: str, bands: int) -> ir.Table:
    """``key`` and size_band: ``bands`` equal groups by ``avg`` (ties broken by the key)."""
    tile = ibis.ntile(bands).over(order_by=[avg.avg, avg[key]])
    labels = size_labels(bands)
    label = ibis.cases(*[(tile == i, lab) for i, lab in enumerate(labels)], else_=labels[-1])
    return avg.select(key, size_band=label)


def size_band(rows: ir.Table, bands: int) -> ir.Table:
    """Add size_band (see :func:`size_table`) to rows that have customer_id, m, revenue."""
    first = rows.group_by("customer_id").aggregate(first_m=rows.m.min())
    with_first = rows.join(first, "customer_id")
    sized = size_table(with_first, bands, "customer_id").rename(s_customer_id="customer_id")
    joined = rows.left_join(sized, rows.customer_id == sized.s_customer_id)
    return joined.drop("s_customer_id")


def customer_columns(
    rows: ir.Table, customers: ir.Table | None, on: str = "customer_id"
) -> tuple[ir.Table, list[str]]:
    """Left-join every customers-table column on ``on``; return the table and the added
    names.

    A customers column whose name the panel uses (:data:`PANEL_COLUMNS`) is
    added as ``{name}_customers``.
    """
    if customers is None:
        return rows, []
    renames = {
        (f"{c}_customers" if c in PANEL_COLUMNS else c): c for c in customers.columns if c != on
    }
    side = customers.select(c_on=customers[on], **{
        new: customers[old] for new, old in renames.items()
    })  # fmt: skip
    joined = rows.left_join(side, rows[on] == side.c_on).drop("c_on")
    return joined, list(renames)
