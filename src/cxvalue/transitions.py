"""Who moves when NPS rises: named transition assumptions and the mix observed in the data.

A one-point rise in NPS needs 1% of customers to move detractor → passive or
passive → promoter, or 0.5% to move detractor → promoter. Which of these
happens decides what a point is worth, so every money figure names it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue.errors import InputError, ParameterError, SmallSampleWarning

__all__ = ["POINTS_PER_PERCENT", "TRANSITIONS", "TransitionMix", "observed_transitions"]

#: Named transition assumptions: which customers move when NPS rises.
TRANSITIONS: dict[str, dict[tuple[str, str], float]] = {
    "detractor_to_passive": {(DETRACTOR, PASSIVE): 1.0},
    "passive_to_promoter": {(PASSIVE, PROMOTER): 1.0},
    "detractor_to_promoter": {(DETRACTOR, PROMOTER): 1.0},
}
#: NPS points gained per 1% of customers making each move.
POINTS_PER_PERCENT = {(DETRACTOR, PASSIVE): 1.0, (PASSIVE, PROMOTER): 1.0,
                      (DETRACTOR, PROMOTER): 2.0}  # fmt: skip
#: Fewer upward moves than this between repeated surveys: a warning.
MIN_MOVES = 30


class TransitionMix(dict):
    """A mix of moves ``{(from, to): weight}`` with a name for the source lines."""

    def __init__(self, moves: Mapping[tuple[str, str], float], name: str) -> None:
        super().__init__(moves)
        self.name = name


def observed_transitions(responses: Any) -> TransitionMix:
    """The mix of upward moves seen between a customer's consecutive survey answers.

    Parameters
    ----------
    responses : IngestResult or pandas.DataFrame
        The canonical responses table (``customer_id``, ``responded_at``,
        ``score``). With a ``category`` column the categories are taken as given
        (any scale, as :func:`cxvalue.read_responses` reads it); without one they
        come from the 0-10 ``score``.

    Returns
    -------
    TransitionMix
        ``{(from, to): share}`` over the upward moves (detractor → passive,
        passive → promoter, detractor → promoter), usable as ``transition=``
        in :func:`cxvalue.value`; ``.name`` says how many moves it rests on.

    Raises
    ------
    InputError
        No customer answered twice with a better category the second time.

    Warns
    -----
    SmallSampleWarning
        Fewer than 30 upward moves: the mix is noisy.
    """
    table = getattr(responses, "table", responses)
    missing = [c for c in ("customer_id", "responded_at", "score") if c not in table.columns]
    if missing:
        raise InputError(
            f"observed_transitions(): the responses table has no column {missing[0]!r}."
        )
    given = "category" in table.columns
    rows = table[["customer_id", "responded_at", "score", *(["category"] if given else [])]]
    rows = rows.dropna().sort_values(["customer_id", "responded_at"], kind="stable")
    category = (
        rows["category"].to_numpy(object) if given
        else np.select([rows["score"] >= 9, rows["score"] >= 7], [PROMOTER, PASSIVE], DETRACTOR)
    )  # fmt: skip
    pairs = pd.DataFrame({"customer_id": rows["customer_id"].to_numpy(), "to": category})
    pairs["from"] = pairs.groupby("customer_id")["to"].shift()
    counts = pairs.dropna(subset=["from"]).value_counts(["from", "to"])
    moves = {move: float(counts.get(move, 0)) for move in POINTS_PER_PERCENT}
    total = sum(moves.values())
    if total == 0:
        raise InputError(
            "observed_transitions(): no customer answered twice with a better category the "
            "second time, so there is no observed mix; name a transition instead "
            f"({', '.join(TRANSITIONS)})."
        )
    if total < MIN_MOVES:
        warnings.warn(
            SmallSampleWarning(
                f"observed_transitions(): only {total:.0f} upward moves between repeated "
                "surveys; the observed mix is noisy.",
                key="few_moves",
                moves=int(total),
            ),
            stacklevel=2,
        )
    shares = {move: n / total for move, n in moves.items() if n > 0}
    words = ", ".join(f"{w:.0%} {s} to {d}" for (s, d), w in shares.items())
    return TransitionMix(shares, f"the mix observed between repeated surveys "
                                 f"({total:,.0f} upward moves: {words})")  # fmt: skip


def transition_moves(
    transition: str | Mapping[tuple[str, str], float],
) -> dict[tuple[str, str], float]:
    """The moves of a transition assumption, validated."""
    if isinstance(transition, str):
        if transition not in TRANSITIONS:
            raise ParameterError(
                f"The 'transition' parameter must be one of {', '.join(map(repr, TRANSITIONS))} "
                f"or a mapping of (from, to) moves to weights. Got {transition!r} instead."
            )
        return dict(TRANSITIONS[transition])
    moves = {tuple(k): float(v) for k, v in dict(transition).items()}
    bad = [k for k in moves if k not in POINTS_PER_PERCENT]
    if bad or not moves or any(v < 0 for v in moves.values()) or sum(moves.values()) <= 0:
        raise ParameterError(
            "A transition mix maps moves among "
            f"{', '.join('→'.join(k) for k in POINTS_PER_PERCENT)} to non-negative weights. "
            f"Got {dict(transition)!r} instead."
        )
    return moves


def transition_name(transition: str | Mapping[tuple[str, str], float]) -> str:
    """The name printed with every money figure."""
    if isinstance(transition, str):
        return transition
    if isinstance(transition, TransitionMix):
        return transition.name
    moves = transition_moves(transition)
    total = sum(moves.values())
    return "a mix: " + ", ".join(f"{w / total:.0%} {s} to {d}" for (s, d), w in moves.items())


def describe_transition(name: str) -> str:
    """Words for a transition assumption."""
    if name in TRANSITIONS:
        ((src, dst),) = TRANSITIONS[name]
        pts = POINTS_PER_PERCENT[(src, dst)]
        return f"{1 / pts:g}% of customers moving from {src} to {dst}"
    return f"customers moving as {name}"
