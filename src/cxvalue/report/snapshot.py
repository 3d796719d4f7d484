"""Read, validate and write ``snapshot.json`` (schema version 1).

A snapshot records what a run saw and estimated, so that a later run on fresh
data can be compared with it (:func:`cxvalue.drift.check_drift`). The layout
is described in ``docs/snapshot.md``. Files are deterministic: keys sorted,
floats rounded to 10 significant digits, two-space indent, one trailing
newline — the same snapshot always gives the same bytes.

Parts a run could not compute (no customers table, a model that did not
converge) are present with ``null`` values and a ``"status"`` string saying
why; validation accepts ``null`` wherever the schema marks a value as
computed rather than observed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxvalue.errors import CxValueError
from cxvalue.ingest.scale import CUTS, Scale

__all__ = [
    "SCHEMA_VERSION",
    "SnapshotError",
    "read_snapshot",
    "write_snapshot",
    "validate_snapshot",
    "dumps_snapshot",
    "round_floats",
]

#: The snapshot schema this version of cxvalue writes and reads.
SCHEMA_VERSION = 1
#: Significant digits kept for every float written.
DIGITS = 10
MAX_PROBLEMS_SHOWN = 8

_NUMBER = "number"
_INT = "whole number"
_STR = "string"
_BOOL = "true/false"
_LIST = "list"
_DICT = "object"
_INPUT_TABLES = ("responses", "revenue")
_CATEGORIES = ("promoter", "passive", "detractor")


class SnapshotError(CxValueError, ValueError):
    """A snapshot file is unreadable, malformed or from a newer schema.

    Attributes
    ----------
    source : str or None
        The file the snapshot came from, when it came from one.
    problems : list of str
        Every problem found, one sentence each (validation is lazy: all of
        them are collected before raising).
    """

    def __init__(
        self, message: str, *, source: str | None = None, problems: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.source = source
        self.problems = list(problems or [])


# -- public API ---------------------------------------------------------------------------


def read_snapshot(path: str | Path) -> dict[str, Any]:
    """Read and validate a snapshot file.

    Parameters
    ----------
    path : str or Path
        A ``snapshot.json`` written by :func:`write_snapshot`.

    Returns
    -------
    dict
        The snapshot, as parsed JSON.

    Raises
    ------
    SnapshotError
        The file is missing or not JSON, its schema version is newer than this
        cxvalue reads, or a required key is missing or of the wrong type.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SnapshotError(
            f"Cannot read the snapshot {path}: {exc.strerror or exc}.", source=str(path)
        ) from None
    try:
        snapshot = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{path} is not a JSON snapshot: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            source=str(path),
        ) from None
    validate_snapshot(snapshot, source=str(path))
    return snapshot


def write_snapshot(snapshot: Mapping[str, Any], path: str | Path) -> Path:
    """Validate a snapshot and write it deterministically.

    Parameters
    ----------
    snapshot : mapping
        A snapshot in schema version 1 (see ``docs/snapshot.md``).
    path : str or Path
        Where to write; parent folders are created.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    SnapshotError
        The snapshot does not validate; nothing is written.
    """
    validate_snapshot(snapshot)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_snapshot(snapshot), encoding="utf-8", newline="\n")
    return path


def dumps_snapshot(obj: Any) -> str:
    """Canonical JSON text: sorted keys, floats to 10 significant digits, trailing newline.

    Non-finite floats become ``null`` (JSON has no NaN).
    """
    return (
        json.dumps(round_floats(obj), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
        + "\n"
    )


def round_floats(obj: Any, digits: int = DIGITS) -> Any:
    """Return a copy of ``obj`` with every float rounded to ``digits`` significant digits.

    Tuples become lists, non-finite floats become None and numpy scalars
    become Python numbers, so the result is ready for :func:`json.dumps`.
    """
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping):
        return {str(k): round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [round_floats(v, digits) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        return round_floats(obj.item(), digits)
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        if not math.isfinite(obj):
            return None
        return float(f"{obj:.{digits}g}")
    raise TypeError(f"Cannot write a {type(obj).__name__} to a snapshot: {obj!r}.")


def validate_snapshot(snapshot: Any, *, source: str | None = None) -> None:
    """Check a snapshot against schema version 1; raise listing every problem found.

    Parameters
    ----------
    snapshot : Any
        The parsed snapshot.
    source : str, optional
        Where it came from, for the message.

    Raises
    ------
    SnapshotError
        Listing every missing key and wrong type, or naming both schema
        versions when the snapshot is newer than this cxvalue reads.
    """
    where = source or "the snapshot"
    if not isinstance(snapshot, Mapping):
        raise SnapshotError(
            f"{where} must be a JSON object; got {type(snapshot).__name__}.", source=source
        )
    _check_version(snapshot, where, source)
    problems: list[str] = []
    _check_top(snapshot, problems)
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        extra = len(problems) - MAX_PROBLEMS_SHOWN
        more = f" (and {extra} more)" if extra > 0 else ""
        raise SnapshotError(
            f"{where} is not a valid schema-{SCHEMA_VERSION} snapshot: {shown}{more}. "
            "Re-create it with `cxvalue report`.",
            source=source,
            problems=problems,
        )


# -- validation helpers -------------------------------------------------------------------


def _check_version(snapshot: Mapping[str, Any], where: str, source: str | None) -> None:
    version = snapshot.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SnapshotError(
            f"{where} has no valid schema_version (got {version!r}); it does not look like "
            "a cxvalue snapshot.",
            source=source,
            problems=["schema_version: missing or not a whole number ≥ 1"],
        )
    if version > SCHEMA_VERSION:
        from cxvalue import __version__

        written_by = snapshot.get("cxvalue_version", "a newer cxvalue")
        raise SnapshotError(
            f"{where} uses snapshot schema version {version} (written by cxvalue "
            f"{written_by}); this cxvalue ({__version__}) reads schema version "
            f"{SCHEMA_VERSION}. Upgrade cxvalue, or re-create the snapshot with this version.",
            source=source,
            problems=[f"schema_version: {version} is newer than {SCHEMA_VERSION}"],
        )


def _kind_ok(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return kind == _BOOL
    if kind == _NUMBER:
        return isinstance(value, (int, float)) and math.isfinite(value)
    kinds = {_INT: int, _STR: str, _LIST: list, _DICT: Mapping, _BOOL: bool}
    return isinstance(value, kinds[kind])


def _need(
    obj: Mapping[str, Any],
    key: str,
    kind: str,
    path: str,
    problems: list[str],
    nullable: bool = False,
) -> Any:
    """Return ``obj[key]`` if present and of ``kind``; else note a problem and return None."""
    if key not in obj:
        problems.append(f"{path}{key}: missing")
        return None
    value = obj[key]
    if value is None and nullable:
        return None
    if not _kind_ok(value, kind):
        problems.append(f"{path}{key}: expected a {kind}, got {value!r:.40}")
        return None
    if kind == _INT and value < 0:
        problems.append(f"{path}{key}: expected a count ≥ 0, got {value}")
    return value


def _each(values: Any, kind: str, path: str, problems: list[str]) -> None:
    for i, v in enumerate(values or []):
        if not _kind_ok(v, kind):
            problems.append(f"{path}[{i}]: expected a {kind}, got {v!r:.40}")


def _check_top(snap: Mapping[str, Any], problems: list[str]) -> None:
    _need(snap, "cxvalue_version", _STR, "", problems)
    _need(snap, "seed", _INT, "", problems)
    inputs = _need(snap, "inputs", _DICT, "", problems)
    if inputs is not None:
        _check_inputs(inputs, problems)
    data = _need(snap, "data", _DICT, "", problems)
    if data is not None:
        _check_data(data, problems)
    nps = _need(snap, "nps", _DICT, "", problems)
    if nps is not None:
        _check_nps(nps, problems)
    for model, effects in (("retention", "hazard_ratio"), ("revenue", "effect")):
        section = _need(snap, model, _DICT, "", problems)
        if section is not None:
            _check_model(section, model, effects, problems)
    value = _need(snap, "value", _DICT, "", problems)
    if value is not None:
        _check_value(value, problems)
    forecast = _need(snap, "forecast", _LIST, "", problems, nullable=True)
    _check_rows(forecast, "forecast", ("estimate", "lo", "hi"), problems)


def _check_inputs(inputs: Mapping[str, Any], problems: list[str]) -> None:
    for name in _INPUT_TABLES:
        if name not in inputs:
            problems.append(f"inputs.{name}: missing")
    for name, entry in inputs.items():
        path = f"inputs.{name}."
        if not isinstance(entry, Mapping):
            problems.append(f"inputs.{name}: expected an object, got {entry!r:.40}")
            continue
        _need(entry, "fingerprint", _STR, path, problems)
        counts = [
            _need(entry, k, _INT, path, problems)
            for k in ("rows_read", "rows_kept", "rows_rejected")
        ]
        if None not in counts and counts[0] != counts[1] + counts[2]:
            problems.append(
                f"inputs.{name}: rows_read ({counts[0]}) is not rows_kept + "
                f"rows_rejected ({counts[1]} + {counts[2]})"
            )


def scale_entry(scale: Scale) -> dict[str, Any]:
    """The snapshot's ``data.scale``: the answers' range and each category's scores."""
    cuts = {c: list(getattr(scale, c)) for c in CUTS}
    return {"low": scale.low, "high": scale.high} | cuts


def scale_of(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot's ``data.scale`` with its cut-points: snapshots written before they were
    kept had only the NPS scale (0-10), whose cut-points are filled in."""
    scale = dict(snapshot["data"]["scale"])
    if "promoter" not in scale and (scale.get("low"), scale.get("high")) == (0, 10):
        scale = scale_entry(Scale.nps())
    return scale


def _check_data(data: Mapping[str, Any], problems: list[str]) -> None:
    p = "data."
    scale = _need(data, "scale", _DICT, p, problems)
    counts = _need(data, "score_counts", _LIST, p, problems)
    _each(counts, _INT, p + "score_counts", problems)
    if scale is not None:
        low = _need(scale, "low", _INT, p + "scale.", problems)
        high = _need(scale, "high", _INT, p + "scale.", problems)
        if None not in (low, high, counts) and len(counts) != high - low + 1:
            problems.append(
                f"data.score_counts: expected {high - low + 1} counts for scores "
                f"{low}–{high}, got {len(counts)}"
            )
    cats = _need(data, "category_counts", _DICT, p, problems)
    for cat in _CATEGORIES if cats is not None else ():
        _need(cats, cat, _INT, p + "category_counts.", problems)
    edges = _need(data, "revenue_quantile_edges", _LIST, p, problems)
    _each(edges, _NUMBER, p + "revenue_quantile_edges", problems)
    bins = _need(data, "revenue_bin_counts", _LIST, p, problems)
    _each(bins, _INT, p + "revenue_bin_counts", problems)
    if edges is not None and bins is not None and len(bins) != len(edges) + 1:
        problems.append(
            f"data.revenue_bin_counts: expected {len(edges) + 1} counts for "
            f"{len(edges)} edges, got {len(bins)}"
        )
    _need(data, "revenue_total", _NUMBER, p, problems)
    segments = _need(data, "segments", _DICT, p, problems)
    for column, levels in (segments or {}).items():
        if not isinstance(levels, list):
            problems.append(f"data.segments.{column}: expected a list of levels")
        else:
            _each(levels, _STR, f"data.segments.{column}", problems)
    for key in ("period_first", "period_last"):
        _need(data, key, _STR, p, problems, nullable=True)
    for key in ("customers", "customer_months"):
        _need(data, key, _INT, p, problems)
    if "actuals" in data:
        actuals = _need(data, "actuals", _LIST, p, problems)
        _check_rows(actuals, "data.actuals", ("revenue",), problems)


def _check_nps(nps: Mapping[str, Any], problems: list[str]) -> None:
    for key in ("estimate", "lo", "hi", "se"):
        _need(nps, key, _NUMBER, "nps.", problems, nullable=True)
    for key in ("n", "n_promoters", "n_passives", "n_detractors"):
        _need(nps, key, _INT, "nps.", problems)


def _check_model(
    section: Mapping[str, Any], model: str, effects_key: str, problems: list[str]
) -> None:
    p = f"{model}."
    computed = "status" not in section  # with a status, computed parts may be null
    _need(section, "spec", _DICT, p, problems)
    if model == "retention":
        _need(section, "converged", _BOOL, p, problems, nullable=not computed)
    terms = _need(section, "terms", _LIST, p, problems, nullable=not computed)
    _each(terms, _STR, p + "terms", problems)
    params = _need(section, "params", _LIST, p, problems, nullable=not computed)
    _each(params, _NUMBER, p + "params", problems)
    cov = _need(section, "cov", _LIST, p, problems, nullable=not computed)
    if (
        cov is not None
        and params is not None
        and (
            len(cov) != len(params)
            or any(not isinstance(r, list) or len(r) != len(params) for r in cov)
        )
    ):
        problems.append(f"{p}cov: expected a {len(params)}×{len(params)} matrix")
    effects = _need(section, effects_key, _DICT, p, problems, nullable=not computed)
    for name, eff in (effects or {}).items():
        ep = f"{p}{effects_key}.{name}."
        if not isinstance(eff, Mapping):
            problems.append(f"{ep[:-1]}: expected an object")
            continue
        for key in ("estimate", "lo", "hi", "log", "se"):
            _need(eff, key, _NUMBER, ep, problems, nullable=True)


def _check_value(value: Mapping[str, Any], problems: list[str]) -> None:
    computed = "status" not in value
    _need(value, "assumptions", _DICT, "value.", problems)
    clv = _need(value, "clv", _DICT, "value.", problems, nullable=not computed)
    gap = _need(value, "gap", _DICT, "value.", problems, nullable=not computed)
    for section, name in ((clv, "clv"), (gap, "gap")):
        for key, interval in (section or {}).items():
            _check_interval(interval, f"value.{name}.{key}", problems)
    point = _need(value, "per_point", _DICT, "value.", problems, nullable=not computed)
    if point is not None:
        _check_interval(point, "value.per_point", problems)
    # snapshots written before cxvalue recorded these have none
    if "customers" in value:
        _need(value, "customers", _INT, "value.", problems, nullable=not computed)
    if "currency" in value:
        _need(value, "currency", _STR, "value.", problems)


def _check_interval(interval: Any, path: str, problems: list[str]) -> None:
    if not isinstance(interval, Mapping):
        problems.append(f"{path}: expected an object with estimate, lo, hi")
        return
    for key in ("estimate", "lo", "hi"):
        _need(interval, key, _NUMBER, path + ".", problems, nullable=True)


def _check_rows(rows: Any, path: str, numbers: tuple[str, ...], problems: list[str]) -> None:
    for i, row in enumerate(rows or []):
        rp = f"{path}[{i}]."
        if not isinstance(row, Mapping):
            problems.append(f"{path}[{i}]: expected an object")
            continue
        _need(row, "period", _STR, rp, problems)
        for key in numbers:
            _need(row, key, _NUMBER, rp, problems, nullable=True)
