"""The whole flow, from the extracts named in a config to every number of a report.

``run_flow`` reads the inputs, builds the panel, fits both models, values
them and forecasts; ``cxvalue report`` turns the result into a board pack and
``cxvalue drift`` into a snapshot to compare. Warnings the library raises on
the way are kept (``Flow.notes``) for the methods slide instead of being lost
on a terminal.
"""

from __future__ import annotations

import ctypes
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxvalue._churn_dates import check_acquisition_dates, check_churn_dates
from cxvalue._id_match import check_ids_meet
from cxvalue._survey_months import check_answer_months
from cxvalue.errors import (
    ConfigError,
    CxValueWarning,
    DataWarning,
    EmptyInputError,
    InputError,
    SmallSampleWarning,
)
from cxvalue.forecast import forecast
from cxvalue.growth import GrowthResult, revenue_retention
from cxvalue.ingest import IngestResult, read_customers, read_responses, read_revenue
from cxvalue.ingest._columns import name_key
from cxvalue.ingest._files import is_pattern
from cxvalue.ingest._typed import arrow_text, shared_codes
from cxvalue.ingest.parsing import DOLLARS, mixed_currencies
from cxvalue.margins import COLUMNS, margin_table
from cxvalue.models import fit_retention, fit_revenue
from cxvalue.models.retention import cells_query
from cxvalue.models.revenue import sample_query
from cxvalue.nps import nps
from cxvalue.panel import Panel, build_panel
from cxvalue.report.config import DEFAULT_CONTROLS, Config
from cxvalue.scenarios import bridge, scenario, sensitivity
from cxvalue.transitions import TRANSITIONS, observed_transitions
from cxvalue.value import ValueResult, movers, value

__all__ = ["Flow", "run_flow"]

#: The scenario every report shows: NPS up by this many points.
SCENARIO_POINTS = 5
#: Months of responses that make up "today's" NPS (each customer's latest answer).
NPS_MONTHS = 12
FORECAST_MONTHS = 24
#: Months of revenue retention: the last GROWTH_MONTHS against the GROWTH_MONTHS before.
GROWTH_MONTHS = 12
#: The note of a report whose churn dates cover every customer.
CHURN_DATES_NOTE = (
    "Churn comes from the customers table's churned_at dates for every customer, so the churn "
    "definition (empty months) is not a sensitivity here."
)
SHORT_HISTORY_NOTE = (
    "Revenue retention (NRR, GRR) compares the last {growth} months of revenue with the "
    "{growth} before; the revenue covers {months} months ({first} to {last}), so it is left out."
)
NO_SEGMENT_NOTE = (
    "The models are not adjusted for segment: no customers table with a segment column was given."
)
NO_TENURE_NOTE = (
    "The models are not adjusted for tenure: without acquisition dates (the customers table's "
    "acquired_at), tenure would count from the first revenue month and call every customer "
    "billed at the data's start new."
)

Progress = Callable[[str], None]


@dataclass
class Flow:
    """Everything a report or a drift check needs from one run."""

    config: Config
    responses: IngestResult
    revenue: IngestResult
    customers: IngestResult | None
    latest: pd.DataFrame
    nps_now: pd.DataFrame
    panel: Panel
    retention: Any
    revenue_model: Any
    value: ValueResult
    forecast: pd.DataFrame
    margin: float | pd.DataFrame
    nps_trend: pd.DataFrame | None = None
    nps_segments: pd.DataFrame | None = None
    scenario: pd.DataFrame | None = None
    bridge: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    growth: GrowthResult | None = None
    notes: list[str] = field(default_factory=list)
    #: The warning behind each note the library raised (its key and values say it in the
    #: report's language: :mod:`cxvalue.report.notes`).
    warned: dict[str, CxValueWarning] = field(default_factory=dict)

    @property
    def controls(self) -> tuple[str, ...]:
        """What both models are adjusted for."""
        return tuple(self.retention.controls)


def run_flow(
    config: Config, *, extras: bool = True, growth: bool = True, progress: Progress | None = None
) -> Flow:
    """Run the flow a config describes.

    Parameters
    ----------
    config : Config
        From :func:`cxvalue.report.load_config`.
    extras : bool
        Also compute what only the board pack shows: NPS trend and by segment,
        the +5-point scenario and bridge, the sensitivities (two more panels
        with other churn definitions) and revenue retention. ``False`` gives
        what a snapshot needs, faster.
    growth : bool
        With ``extras``, also compute revenue retention (``Flow.growth``);
        ``False`` leaves it to the caller (:func:`add_growth`), as the report
        does to compute it beside its figures.
    progress : callable, optional
        Called with a line of text at each step (default: print to stderr).

    Returns
    -------
    Flow
    """
    say = progress or _stderr
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CxValueWarning)
            flow = _run(config, extras, growth,
                        lambda m: say(f"[{time.perf_counter() - started:5.1f}s] {m}"))  # fmt: skip
    except Exception:
        # what was said before the run stopped often says why (scores read on the wrong scale)
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        raise
    for w in caught:
        if issubclass(w.category, CxValueWarning):
            flow.notes.append(str(w.message))
            flow.warned[str(w.message)] = w.message
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    flow.notes = list(dict.fromkeys(flow.notes))
    return flow


def _run(config: Config, extras: bool, growth: bool, say: Progress) -> Flow:
    say("reading the extracts")
    responses, revenue, customers = read_inputs(config)
    latest = latest_answers(responses.table, customers)
    if latest.empty:
        raise EmptyInputError(
            f"{responses.source}: no usable survey answers in the latest "
            f"{NPS_MONTHS} months of the file."
        )
    m = config.model
    say("building the customer × month panel")
    panel = model_panel(config, responses, revenue, customers, m.churn_after_months)
    if extras and not has_churn_dates(customers):
        # without churn dates the sensitivities refit on two other churn rules (add_extras):
        # the customer-months no rule changes are stored now, and all three fits read them
        # (36M customer-months: 17-21 s to store, then 12-16 s a fit against 29-32 s each
        # from the extracts). With dates for some customers only, the first refit stores
        # them: the exact check (churn_dates_cover) numbers every revenue id, which held
        # beside the base fit raised the report's peak by 0.4 GB.
        panel = panel.with_churn_after(m.churn_after_months)
    say("fitting retention and revenue models")
    controls = model_controls(panel, config, customers)
    retention, revenue_model = fit_models(panel, config, controls)
    say(f"valuing ({config.value.draws:,} parameter draws)")
    margin = resolve_margin(config, revenue, customers, retention.controls)
    transition = (observed_transitions(responses) if config.value.transition == "observed"
                  else config.value.transition)  # fmt: skip
    result = value(retention, revenue_model, margin=margin,
                   discount_rate=config.value.discount_rate,
                   horizon_months=config.value.horizon_months, transition=transition,
                   n_draws=config.value.draws, seed=config.seed)  # fmt: skip
    say(f"forecasting {FORECAST_MONTHS} months")
    fc = forecast(retention, revenue_model, months=FORECAST_MONTHS, margin=margin,
                  moves=scenario_moves(result, SCENARIO_POINTS), noise=True,
                  seed=config.seed)  # fmt: skip
    flow = Flow(config=config, responses=responses, revenue=revenue, customers=customers,
                latest=latest, nps_now=nps(latest, weight=survey_weight(latest)), panel=panel,
                retention=retention, revenue_model=revenue_model, value=result, forecast=fc,
                margin=margin)  # fmt: skip
    if extras:
        add_extras(flow, say)
    if extras and growth:
        say("revenue retention")
        add_growth(flow)
    return flow


def _files_named(path: Path | tuple[Path, ...]) -> tuple[Path, ...]:
    """The files a config's path names one by one (none for a pattern: the reader says
    when nothing matches it)."""
    if isinstance(path, tuple):
        return path
    return () if is_pattern(path) else (path,)


def read_inputs(config: Config) -> tuple[IngestResult, IngestResult, IngestResult | None]:
    """Read the three extracts as the config says.

    The revenue, usually much the largest, is read first and alone: reading it takes
    twice its table's memory for a moment (36M customer-months: 2.4 GB for a 1.1 GB
    table), which read beside the answers put the report's peak there. The answers
    and the customers are then read side by side, on two cores. Missing files are all
    named before anything is read. Extracts that key customers unlike the revenue are an
    error (none found) or a warning (:func:`cxvalue._id_match.check_ids_meet`), and so
    are churn and acquisition dates the revenue contradicts (:mod:`cxvalue._churn_dates`).
    """
    spec = config.inputs
    r, v, c = spec["responses"], spec["revenue"], spec.get("customers")
    missing = [str(p) for i in (r, v, c) if i is not None for p in _files_named(i.path)
               if not p.is_file()]  # fmt: skip
    if missing:
        raise InputError(" ".join(f"{path}: no such file." for path in missing),
                         source=missing[0])  # fmt: skip
    revenue = read_revenue(v.path, columns=v.columns, dayfirst=v.dayfirst, form=v.form,
                           sheet=v.sheet, billing_months=v.billing_months,
                           through=v.through)  # fmt: skip
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxvalue-read") as beside:
        reading = None
        if c is not None:
            reading = beside.submit(read_customers, c.path, columns=c.columns,
                                    dayfirst=c.dayfirst, sheet=c.sheet)  # fmt: skip
        responses = read_responses(r.path, columns=r.columns, dayfirst=r.dayfirst,
                                   vendor=r.vendor, sheet=r.sheet, scale=r.scale)  # fmt: skip
        customers = None if reading is None else reading.result()
    for result in (responses, revenue):
        if result.table.empty:
            raise EmptyInputError(f"{result.source}: no usable rows. Its ledger:\n{result.ledger}")
    check_currency(config.currency, revenue.currencies, revenue.source)
    names = {"responses": responses.source, "revenue": revenue.source}
    if customers is not None:
        names["customers"] = customers.source
    listed = None if customers is None else customers.table["customer_id"]
    check_ids_meet(responses.table["customer_id"], revenue.table["customer_id"], listed, names)
    if customers is not None:
        check_churn_dates(revenue.table, customers.table, names)
        check_acquisition_dates(revenue.table, customers.table, names)
    check_answer_months(responses.table["responded_at"], revenue.table["period"], names,
                        config.model.recency_months)  # fmt: skip
    return responses, revenue, customers


def check_currency(currency: str, written: Sequence[str], source: str) -> None:
    """The config's currency must be the one the revenue's amounts are written in, if any.

    Raises
    ------
    ConfigError
        The amounts carry another currency (``$1,234.56`` under ``currency = "EUR"``), or
        several: they would be added as they are.
    """
    codes, dollar = {c for c in written if c != "$"}, "$" in written
    if mixed_currencies(written):
        raise InputError(
            f"{source} writes its amounts in {', '.join(written)}: cxvalue adds them as they "
            "are, so convert them to one currency first.",
            source=source,
        )
    allowed = codes or (set(DOLLARS) if dollar else set())
    if allowed and currency.upper() not in allowed:
        shown = next(iter(codes), "USD")
        raise ConfigError(
            f"{source} writes its amounts in {', '.join(written)}, but the config's currency is "
            f'{currency}: the board pack would label them so. Set currency = "{shown}"'
            + ("" if codes else " (or the dollar they are)")
            + ".",
            key="currency",
        )


#: What the report's NPS reads of the answers.
ANSWER_COLUMNS = ("customer_id", "responded_at", "score", "category", "weight")


def survey_weight(answers: pd.DataFrame) -> str | None:
    """``"weight"`` when the answers carry survey weights (the extract had a weight
    column: not every weight is 1), else None: the NPS the report shows is then weighted."""
    has = "weight" in answers.columns and not answers["weight"].eq(1.0).all()
    return "weight" if has else None


def latest_answers(responses: pd.DataFrame, customers: IngestResult | None) -> pd.DataFrame:
    """Each customer's latest answer in the last NPS_MONTHS months, with customer columns."""
    # the category as read (on the config's scale; nps() would take a 0-10 one from the
    # score) and the survey weight
    wanted = [c for c in ANSWER_COLUMNS if c in responses]
    rows = responses[wanted].dropna(subset=["score"])
    if rows.empty:
        return rows
    since = rows["responded_at"].max() - pd.DateOffset(months=NPS_MONTHS)
    rows = rows[rows["responded_at"] > since].sort_values(["responded_at", "customer_id"])
    rows = rows.drop_duplicates("customer_id", keep="last").reset_index(drop=True)
    if customers is not None:
        extra = [c for c in customers.table.columns if c not in rows.columns]
        rows = rows.merge(customers.table[extra + ["customer_id"]], on="customer_id",
                          how="left")  # fmt: skip
    return rows


def model_panel(
    config: Config,
    responses: IngestResult,
    revenue: IngestResult,
    customers: IngestResult | None,
    churn_after: int,
) -> Panel:
    """The panel the models are fitted on, on a new embedded DuckDB (not run:
    :func:`fit_models` runs it)."""
    m = config.model
    return build_panel(responses, revenue, customers, window_months=m.window_months,
                       churn_after_months=churn_after, recency_months=m.recency_months)  # fmt: skip


def model_controls(panel: Panel, config: Config, customers: IngestResult | None) -> list[str]:
    """The config's controls; when it sets none, those of the default the data supports.

    ``segment`` needs a customers table with that column and ``tenure_band``
    acquisition dates (``acquired_at``): without them, tenure counts from the first
    revenue month and every customer billed at the data's start would look new. A
    default left out is said in a note. Controls the config sets must all exist (one
    written in another case or spacing than its column, "size" for "Size", is that column).
    """
    if config.model.controls is None:
        table = None if customers is None else customers.table
        dated = table is not None and "acquired_at" in table and table["acquired_at"].notna().any()
        if "segment" not in panel.columns:
            warnings.warn(NO_SEGMENT_NOTE, DataWarning, stacklevel=2)
        if not dated:
            warnings.warn(NO_TENURE_NOTE, DataWarning, stacklevel=2)
        usable = [c for c in DEFAULT_CONTROLS if c in panel.columns]
        return [c for c in usable if dated or c != "tenure_band"]
    controls = [_as_spelt(c, panel.columns) for c in config.model.controls]
    missing = [c for c in controls if c not in panel.columns]
    if missing:
        raise ConfigError(
            f"model.controls names {', '.join(map(repr, missing))}, which is not a column of "
            "the customers table or a derived band (size_band, tenure_band). Columns that "
            f"can be controls here: {', '.join(panel.controls_available)}.",
            key="model.controls",
        )
    return controls


def _as_spelt(name: str, columns: Sequence[str]) -> str:
    """``name`` as the panel's columns spell it, when one column alone differs from it only
    in case, spaces or punctuation (``size`` for the file's ``Size``); else as it is."""
    if name in columns:
        return name
    alike = [c for c in columns if name_key(c) == name_key(name)]
    return alike[0] if len(alike) == 1 else name


def fit_models(panel: Panel, config: Config, controls: Sequence[str]) -> tuple:
    """Both models, adjusted for ``controls`` (see :func:`model_controls`)."""
    controls = list(controls)
    recency = config.model.recency_months
    # one run of the panel for both models' grouped queries: on DuckDB cheaper than
    # storing the panel (materialize) and running each on the stored rows
    panel = panel.prefetch([cells_query(panel, controls),
                            sample_query(panel, controls, recency_months=recency)])  # fmt: skip
    retention = fit_retention(panel, controls=controls, link=config.model.link)
    revenue_model = fit_revenue(panel, controls=controls, recency_months=recency)
    return retention, revenue_model


def resolve_margin(
    config: Config,
    revenue: IngestResult,
    customers: IngestResult | None,
    controls: Sequence[str],
) -> float | pd.DataFrame:
    """The config's margin: a number, or a table from the revenue's cost/margin column
    (by segment when the models are adjusted for it)."""
    margin = config.value.margin
    if not isinstance(margin, str):
        return float(margin)
    if margin not in COLUMNS:
        raise ConfigError(
            f"value.margin names a column: it must be {' or '.join(map(repr, COLUMNS))} (map "
            f"your file's column to it in [inputs.revenue] columns). Got {margin!r}.",
            key="value.margin",
        )
    by = "segment" if "segment" in controls and customers is not None else ()
    return margin_table(revenue, margin, customers=customers, by=by)


def scenario_moves(result: ValueResult, points: float) -> dict[tuple[str, str], float] | None:
    """The shares of each category's customers that move for an NPS rise of ``points``;
    None when today's base holds none of the categories the transition moves from."""
    sim = result._sim
    out = {}
    for (src, dst), n in movers(sim, result.assumptions.moves, points).items():
        holders = sim.counts[sim.index(src)].sum()
        if holders:
            out[(src, dst)] = float(min(1.0, n.sum() / holders))
    return out or None


def add_extras(flow: Flow, say: Progress) -> None:
    """What only the board pack shows, revenue retention aside (:func:`add_growth`)."""
    config, m = flow.config, flow.config.model
    say("NPS by quarter and segment")
    table = flow.responses.table  # only what nps() reads: no copy of the other columns
    wanted = [c for c in ANSWER_COLUMNS if c in table]
    answers = table[wanted].dropna(subset=["score"])
    weight = survey_weight(answers)
    # one segment (or none known) leaves nothing to compare: no slide of one dot
    by = [c for c in ("segment",) if c in flow.latest.columns and flow.latest[c].nunique() > 1]
    with warnings.catch_warnings():
        # a group with too few answers is marked where it is shown (figures, tables);
        # nps()'s advice on by= and period= is not for a board's methods slide
        warnings.simplefilter("ignore", SmallSampleWarning)
        flow.nps_trend = nps(answers.drop_duplicates(["customer_id", "responded_at"]),
                             period="Q", weight=weight)  # fmt: skip
        flow.nps_segments = nps(flow.latest, by=by[0], weight=weight) if by else None
    flow.scenario = scenario(flow.value, points=SCENARIO_POINTS)
    flow.bridge = bridge(flow.value, points=SCENARIO_POINTS)
    low, high = max(1, m.churn_after_months - 1), m.churn_after_months + 3
    refits = {}
    dated = churn_dates_cover(flow)
    if dated:
        flow.notes.append(CHURN_DATES_NOTE)
    for months in (low, high) if not dated else ():
        say(f"sensitivity: churn after {months} empty months")
        # each refit's query on the base panel's engine, from memory handed back: a new
        # DuckDB per refit, and what the last query freed, each kept 0.2-0.4 GB beneath
        # the next (36M customer-months, no churn dates: the refits peaked at 4.2-4.3 GB,
        # then 3.9-4.0 GB). Each cuts the base panel's stored customer-months (see _run).
        hand_back_freed_memory()
        refits[f"{months} months"] = fit_models(flow.panel.with_churn_after(months), config,
                                                flow.controls)  # fmt: skip
    v = config.value
    flow.sensitivity = sensitivity(flow.retention, flow.revenue_model, margin=flow.margin,
                                   discount_rate=v.discount_rate,
                                   horizon_months=v.horizon_months,
                                   transition=_transition(flow), churn_refits=refits or None,
                                   seed=config.seed)  # fmt: skip
    short = short_history(flow)
    if short:
        flow.notes.append(SHORT_HISTORY_NOTE.format(**short))


def add_growth(flow: Flow) -> None:
    """Set ``flow.growth``: revenue retention of the revenue (and customers) tables; left
    None when the revenue is too short for it (:func:`short_history`)."""
    if short_history(flow):
        return
    customers = None if flow.customers is None else flow.customers.table
    flow.growth = revenue_retention(flow.revenue.table, customers, months=GROWTH_MONTHS)


def short_history(flow: Flow) -> dict[str, Any] | None:
    """The revenue's span when it is too short for revenue retention (fewer than
    2 × GROWTH_MONTHS months), as :data:`SHORT_HISTORY_NOTE` takes it; else None."""
    periods = flow.revenue.table["period"]
    first, last = periods.min(), periods.max()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months >= 2 * GROWTH_MONTHS:
        return None
    return {"growth": GROWTH_MONTHS, "months": months, "first": f"{first:%Y-%m}",
            "last": f"{last:%Y-%m}"}  # fmt: skip


def has_churn_dates(customers: IngestResult | None) -> bool:
    """True when there is a customers table with a churn-date column."""
    return customers is not None and "churned_at" in customers.table.columns


def churn_dates_cover(flow: Flow) -> bool:
    """True when explicit churn dates decide churn for every customer with revenue."""
    if not has_churn_dates(flow.customers):
        return False
    listed, ids = flow.customers.table["customer_id"], flow.revenue.table["customer_id"]
    arrow, listed_arrow = arrow_text(ids), arrow_text(listed)
    if arrow is None or listed_arrow is None:  # not text, or text Arrow cannot hold
        return bool(ids.isin(set(listed)).all())
    # each distinct revenue id looked up once, from the numbering the snapshot and
    # revenue retention use as well
    distinct, codes = shared_codes(arrow)
    if len(codes) and codes.min() < 0:  # a missing id is not listed
        return False
    return bool(pc.all(pc.is_in(distinct, value_set=_one_chunk(listed_arrow))).as_py())


def hand_back_freed_memory() -> None:
    """Hand memory freed so far back to the system (glibc and Arrow keep it for reuse).

    Called before a step whose memory would otherwise come on top of it: a churn
    refit's query (DuckDB allocates its own), or the threads of the report's last phase
    (glibc gives threads heaps of their own, which do not reuse what the main thread's
    heap keeps: 0.5 GB after the flow at 36M customer-months). Elsewhere than on glibc,
    only Arrow's part is handed back.
    """
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _one_chunk(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _transition(flow: Flow) -> Any:
    a = flow.value.assumptions
    return a.transition if a.transition in TRANSITIONS else a.moves


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
