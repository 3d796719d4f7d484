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


def latest_response(rows: ir.Table, responses: ir.Table, recency: int) -> ir.Table:
    """Add score, category, months_since_response: the latest answer within ``recency``.

    A range join (same customer, answer at or before the start of the month
    and after the start of the month ``recency`` months earlier) plus a
    ``row_number`` window keeps the latest answer per customer-month (ties:
    the larger response_id). Rows with none get category ``not_surveyed``.
    """
    keys = rows.select(k_customer_id=rows.customer_id, k_m=rows.m)
    best = latest_answers(keys, response_months(responses), recency)
    best = best.select(
        "k_customer_id", "k_m", "score", "category",
        months_since_response=(best.k_m - best.r_m).cast("int64"),
    )  # fmt: skip
    joined = rows.left_join(best, [rows.customer_id == best.k_customer_id, rows.m == best.k_m])
    joined = joined.drop("k_customer_id", "k_m")
    return joined.mutate(category=ibis.coalesce(joined.category, NOT_SURVEYED))


def tenure_from_acquisition(rows: ir.Table, customers: ir.Table | None) -> ir.Table:
    """Count ``tenure_months`` of a first spell from ``acquired_at`` where given.

    Revenue extracts often start years after many customers joined; tenure
    counted from the first revenue month would call them all new. An
    ``acquired_at`` after the first revenue month is ignored (the revenue says
    otherwise), and later spells always count from their own start.
    """
    if customers is None or "acquired_at" not in customers.columns:
        return rows
    acq = customers.select(a_customer_id=customers.customer_id,
                           a_m=month_index(customers.acquired_at))  # fmt: skip
    joined = rows.left_join(acq, rows.customer_id == acq.a_customer_id)
    use = (joined.spell == 1) & joined.a_m.notnull() & (joined.a_m <= joined.start)
    tenure = ibis.ifelse(use, joined.m - joined.a_m, joined.tenure_months).cast("int64")
    return joined.mutate(tenure_months=tenure).drop("a_customer_id", "a_m")


def latest_answers(keys: ir.Table, answers: ir.Table, recency: int) -> ir.Table:
    """For each (``k_customer_id``, ``k_m``) key, its latest counting answer.

    ``answers`` comes from :func:`response_months`. A range join (same
    customer, ``eff`` within the ``recency`` months up to ``k_m``) plus a
    ``row_number`` window keeps the latest answer (ties: the larger
    response_id); keys without one are absent.
    """
    hits = keys.join(
        answers,
        [keys.k_customer_id == answers.r_customer_id, answers.eff <= keys.k_m,
         answers.eff > keys.k_m - recency],
    )  # fmt: skip
    rank = ibis.row_number().over(
        group_by=[hits.k_customer_id, hits.k_m],
        order_by=[ibis.desc(hits.r_at), ibis.desc(hits.r_id)],
    )
    return hits.mutate(rn=rank).filter(lambda t: t.rn == 0)


def no_responses(rows: ir.Table) -> ir.Table:
    """Add empty response columns (every row ``not_surveyed``)."""
    return rows.mutate(
        score=ibis.null("int64"),
        category=ibis.literal(NOT_SURVEYED, "string"),
        months_since_response=ibis.null("int64"),
    )


def size_band(rows: ir.Table, bands: int) -> ir.Table:
    """Add size_band: bands (ntile) of customers by their average monthly revenue
    over their first :data:`SIZE_MONTHS` months in the panel.

    One band per customer, fixed over time, so that it does not move with the
    outcome (a shrinking customer keeps its band). Ties are broken by
    customer_id so that the bands are reproducible.
    """
    first = rows.group_by("customer_id").aggregate(f_m=rows.m.min())
    early = rows.join(first, "customer_id")
    early = early.filter(early.m < early.f_m + SIZE_MONTHS)
    avg = early.group_by("customer_id").aggregate(avg=early.revenue.mean())
    tile = ibis.ntile(bands).over(order_by=[avg.avg, avg.customer_id])
    labels = size_labels(bands)
    label = ibis.cases(*[(tile == i, lab) for i, lab in enumerate(labels)], else_=labels[-1])
    sized = avg.select(s_customer_id=avg.customer_id, size_band=label)
    joined = rows.left_join(sized, rows.customer_id == sized.s_customer_id)
    return joined.drop("s_customer_id")


def customer_columns(rows: ir.Table, customers: ir.Table | None) -> tuple[ir.Table, list[str]]:
    """Left-join every customers-table column; return the table and the added names.

    A customers column whose name the panel already uses is added as
    ``{name}_customers``.
    """
    if customers is None:
        return rows, []
    taken = set(rows.columns)
    renames = {
        (f"{c}_customers" if c in taken else c): c for c in customers.columns if c != "customer_id"
    }
    side = customers.select(c_customer_id=customers.customer_id, **{
        new: customers[old] for new, old in renames.items()
    })  # fmt: skip
    joined = rows.left_join(side, rows.customer_id == side.c_customer_id).drop("c_customer_id")
    return joined, list(renames)
