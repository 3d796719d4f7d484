"""The statistics behind the drift check: PSI and its no-change distribution, NPS and share
tests, Holm's correction. Pure functions of counts; no snapshot knowledge.

Why PSI needs a sample-size-aware threshold
-------------------------------------------
The population stability index of two samples drawn from the *same*
distribution is not zero: with k bins and n₁, n₂ draws it is about
(k − 1)(1/n₁ + 1/n₂) on average (it is a symmetrised chi-square). With the 11
score values of a 0–10 survey and 200 responses per wave that is 0.1 — so
the textbook bands (0.1 "moderate", 0.25 "significant") fire on about half of
the waves in which nothing changed. :func:`psi_null_quantiles` therefore
simulates PSI under no change at the actual sample sizes (a multinomial
bootstrap of the baseline's shares; its cost does not depend on n) and the
drift check uses max(fixed band, high quantile of that distribution).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

__all__ = ["shares", "psi", "psi_null_quantiles", "multinomial", "nps_change", "share_test", "holm"]


def shares(counts: np.ndarray, epsilon: float) -> np.ndarray:
    """Bin shares with ``epsilon`` added to each and renormalised (along the last axis).

    Parameters
    ----------
    counts : ndarray
        Counts per bin; the last axis is the bins.
    epsilon : float
        Added to every share so that an empty bin contributes a finite amount
        (1e-4 by default: an empty bin against a 1 % bin adds about 0.05).

    Returns
    -------
    ndarray
        Shares summing to 1 along the last axis.
    """
    counts = np.asarray(counts, dtype=float)
    k = counts.shape[-1]
    total = counts.sum(axis=-1, keepdims=True)
    raw = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)
    return (raw + epsilon) / (1.0 + k * epsilon)


def psi(expected: np.ndarray, actual: np.ndarray, epsilon: float) -> np.ndarray | float:
    """Population stability index Σ (a − e) · ln(a / e) over bins (last axis).

    Parameters
    ----------
    expected, actual : ndarray
        Counts per bin (baseline, current); broadcast against each other.
    epsilon : float
        See :func:`shares`.

    Returns
    -------
    float or ndarray
        One PSI per row.
    """
    e, a = shares(expected, epsilon), shares(actual, epsilon)
    out = ((a - e) * np.log(a / e)).sum(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def psi_null_quantiles(
    baseline_counts: Sequence[int],
    n_current: int,
    quantiles: Sequence[float],
    *,
    epsilon: float,
    reps: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Quantiles of PSI between two samples that come from the same distribution.

    Draws ``reps`` baseline-size and current-size samples from the baseline's
    shares (multinomial) and computes PSI between each pair.

    Parameters
    ----------
    baseline_counts : sequence of int
        Counts per bin of the baseline; their shares are the "no change" truth.
    n_current : int
        Size of the current sample.
    quantiles : sequence of float
        Which quantiles to return, e.g. ``(0.99, 0.999)``.
    epsilon : float
        See :func:`shares`.
    reps : int
        Number of simulated pairs.
    rng : numpy.random.Generator
        The source of randomness.

    Returns
    -------
    ndarray
        One PSI value per requested quantile.
    """
    counts = np.asarray(baseline_counts, dtype=float)
    p = counts / counts.sum()
    old = multinomial(rng, int(counts.sum()), p, reps)
    new = multinomial(rng, int(n_current), p, reps)
    return np.quantile(psi(old, new, epsilon), list(quantiles))


def multinomial(rng: np.random.Generator, n: int, p: np.ndarray, reps: int) -> np.ndarray:
    """``reps`` multinomial draws of size ``n``, as a chain of vectorised binomials.

    Bin j gets Binomial(n − drawn so far, p_j / remaining share): one call per
    bin over all replicates, so the cost depends on neither n nor a Python
    loop over replicates (``Generator.multinomial`` loops over rows).
    """
    out = np.zeros((reps, p.size), dtype=np.int64)
    left = np.full(reps, n, dtype=np.int64)
    rest = 1.0
    for j, pj in enumerate(p[:-1]):
        share = min(1.0, pj / rest) if rest > 0 else 0.0
        out[:, j] = rng.binomial(left, share)
        left -= out[:, j]
        rest -= pj
    out[:, -1] = left
    return out


def nps_change(old: Sequence[int], new: Sequence[int]) -> tuple[float, float]:
    """Change of NPS in points and its z statistic from two waves' category counts.

    Parameters
    ----------
    old, new : sequence of int
        (promoters, passives, detractors) of each wave.

    Returns
    -------
    delta : float
        NPS(new) − NPS(old), in points (−200 … 200).
    z : float
        delta / sqrt(var_old + var_new), each variance the multinomial
        (p_P + p_D − (p_P − p_D)²) / n. ``inf`` when both variances are 0 and
        the NPS moved, 0 when neither.
    """
    nps_values, variances = [], []
    for promoters, passives, detractors in (old, new):
        n = promoters + passives + detractors
        p_p, p_d = promoters / n, detractors / n
        nps_values.append(p_p - p_d)
        variances.append((p_p + p_d - (p_p - p_d) ** 2) / n)
    diff = nps_values[1] - nps_values[0]
    se = float(np.sqrt(sum(variances)))
    if se == 0:
        z = 0.0 if diff == 0 else float(np.sign(diff)) * float("inf")
    else:
        z = diff / se
    return 100.0 * diff, z


def share_test(old: Sequence[int], new: Sequence[int]) -> tuple[float, np.ndarray]:
    """Chi-square test of two waves' category counts and the change of each share.

    Parameters
    ----------
    old, new : sequence of int
        Counts per category (same order) of each wave.

    Returns
    -------
    p_value : float
        From :func:`scipy.stats.chi2_contingency` on the 2 × k table without
        continuity correction; categories empty in both waves are left out
        (1.0 when fewer than two remain).
    moves : ndarray
        share_new − share_old per category, in percentage points.
    """
    table = np.array([old, new], dtype=float)
    moves = 100.0 * (table[1] / table[1].sum() - table[0] / table[0].sum())
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 1.0, moves
    result = stats.chi2_contingency(table, correction=False)
    return float(result.pvalue), moves


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control, any dependence).

    Parameters
    ----------
    p_values : sequence of float

    Returns
    -------
    ndarray
        Adjusted p-values in the input order.
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted
