"""Survey scales and their category cut-points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cxvalue._categories import DETRACTOR, PASSIVE, PROMOTER
from cxvalue._validation import check_param

#: The categories a scale cuts, from its bottom to its top.
CUTS = (DETRACTOR, PASSIVE, PROMOTER)
#: What a survey measures, which names its categories and its net score in figures and
#: decks: likelihood to recommend (NPS), satisfaction (CSAT) or effort (CES).
Measure = Literal["nps", "csat", "ces"]
MEASURES: tuple[Measure, ...] = ("nps", "csat", "ces")


def scale_text(low: int, high: int, cuts: Mapping[str, Sequence[int]]) -> str:
    """``1–5 (detractor 1–2, passive 3–3, promoter 4–5)``; the range alone when ``cuts``
    (category → inclusive range) names none."""
    parts = [f"{c} {cuts[c][0]}–{cuts[c][1]}" for c in CUTS if c in cuts]
    return f"{low}–{high}" + (f" ({', '.join(parts)})" if parts else "")


@dataclass(frozen=True)
class Scale:
    """A survey scale and its category cut-points (inclusive ranges).

    The three ranges must cover ``low``–``high`` once each. High scores are
    promoters: for a satisfaction (CSAT) or effort (CES) scale the top of the
    scale plays the promoter's part, the middle the passive's, the bottom
    the detractor's.

    Parameters
    ----------
    low, high : int
        The lowest and highest possible answer.
    detractor, passive, promoter : tuple of (int, int)
        Inclusive ranges of each category.
    measure : {"nps", "csat", "ces"}
        What the scale measures: the figures and the board pack name the
        categories and the net score in its words ("net CSAT", "satisfied
        customers"). Cut-points alone decide the categories, and whether two
        scales are equal.

    Examples
    --------
    >>> Scale.nps().category(9)
    'promoter'
    >>> csat = Scale(1, 5, detractor=(1, 2), passive=(3, 3), promoter=(4, 5))
    >>> csat.category(3)
    'passive'
    """

    low: int = 0
    high: int = 10
    detractor: tuple[int, int] = (0, 6)
    passive: tuple[int, int] = (7, 8)
    promoter: tuple[int, int] = (9, 10)
    measure: Measure = field(default="nps", compare=False)

    def __post_init__(self) -> None:
        check_param(self.measure in MEASURES, "measure", "Scale", f"one of {MEASURES}",
                    self.measure)  # fmt: skip
        check_param(
            isinstance(self.low, (int, np.integer))
            and isinstance(self.high, (int, np.integer))
            and self.low < self.high,
            "low", "Scale", f"an integer below high={self.high!r}", self.low,
        )  # fmt: skip
        covered = sorted(
            v for lo, hi in (self.detractor, self.passive, self.promoter) for v in range(lo, hi + 1)
        )
        check_param(
            covered == list(range(self.low, self.high + 1)), "detractor/passive/promoter", "Scale",
            f"cut-points that cover {self.low}–{self.high} once each", covered,
        )  # fmt: skip
        check_param(
            self.detractor[1] < self.passive[0] and self.passive[1] < self.promoter[0],
            "detractor/passive/promoter", "Scale", "ranges in the order detractor < passive < "
            "promoter", (self.detractor, self.passive, self.promoter),
        )  # fmt: skip

    @classmethod
    def nps(cls) -> Scale:
        """The 0–10 likelihood-to-recommend scale (0–6, 7–8, 9–10)."""
        return cls()

    @classmethod
    def csat(cls) -> Scale:
        """A 1–5 satisfaction scale: 1–2 low, 3 neutral, 4–5 high."""
        return cls(1, 5, detractor=(1, 2), passive=(3, 3), promoter=(4, 5), measure="csat")

    @classmethod
    def ces(cls) -> Scale:
        """A 1–7 effort scale worded so that 7 is easiest: 1–3 low, 4–5 middle, 6–7 high."""
        return cls(1, 7, detractor=(1, 3), passive=(4, 5), promoter=(6, 7), measure="ces")

    def __str__(self) -> str:
        return scale_text(self.low, self.high, {c: getattr(self, c) for c in CUTS})

    def category(self, score: int) -> str:
        """The category of one score."""
        return str(self.categories(np.array([score]))[0])

    def categories(self, scores: np.ndarray) -> np.ndarray:
        """Categories of an array of in-range scores."""
        scores = np.asarray(scores)
        out = np.full(len(scores), DETRACTOR, dtype=object)
        out[(scores >= self.passive[0]) & (scores <= self.passive[1])] = PASSIVE
        out[(scores >= self.promoter[0]) & (scores <= self.promoter[1])] = PROMOTER
        return out


#: The scales known by name (a config's ``scale = "csat"``, ``cxvalue nps --scale csat``).
NAMED_SCALES = {"nps": Scale.nps, "csat": Scale.csat, "ces": Scale.ces}
