"""Plausible or withheld: per-frame values no body can produce are failed measurements
(:func:`gate_signals`, :func:`plausible`).

The bounds are bands of the thresholds file (``plausible_*`` entries, each with its
reasoning). A value outside its band is withheld: NaN in that frame, and the reason kept in
``Signals.unavailable`` when no frame is left, or in :data:`WITHHELD_KEY` counts
otherwise. Both the file pipeline and the live loop measure through
:func:`gaitlab.signals.measures.compute_signals`, which applies this gate, so an overlay,
a live summary, a chart or a saved summary never holds such a value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from gaitlab.core.thresholds import Threshold, load_thresholds

#: Signal name prefix → thresholds-file band and what has most likely gone wrong.
BOUNDS: dict[str, tuple[str, str]] = {
    "heel_rise_": (
        "plausible_heel_height",
        "the foot was foreshortened (pointing at the camera) or its landmarks were lost",
    ),
    "pelvic_obliquity_": ("plausible_pelvic_obliquity", "the hip landmarks were lost or swapped"),
    "fppa_": (
        "plausible_fppa",
        "the knee was seen bent from the side or its landmarks were lost",
    ),
    "knee_flexion_": ("plausible_knee_flexion", "the leg's landmarks were lost or swapped"),
    "trunk_lean_": (
        "plausible_trunk_lean",
        "the person was not upright or the shoulders and hips were lost",
    ),
}

#: Bounds that hold only in some tasks: the heel's height above its standing baseline is a
#: heel raise in a calf-raise set (a foot lifted off the floor to walk or balance goes
#: higher, and is measured so).
TASK_BOUNDS: dict[str, dict[str, tuple[str, str]]] = {
    "calf-raise": {
        "heel_height_": (
            "plausible_heel_height",
            "the foot was foreshortened (pointing at the camera) or its landmarks were lost",
        ),
    },
}

_DEFAULT: dict[str, Threshold] | None = None


def _thresholds(thresholds: Mapping[str, Threshold] | None) -> Mapping[str, Threshold]:
    global _DEFAULT
    if thresholds is not None:
        return thresholds
    if _DEFAULT is None:
        _DEFAULT = load_thresholds()
    return _DEFAULT


def bound_for(
    name: str, thresholds: Mapping[str, Threshold] | None = None, task: str | None = None
) -> tuple[float, float, str] | None:
    """``(low, high, reason)`` of the signal ``name`` (in ``task``), or None when it has no
    bound."""
    th = _thresholds(thresholds)
    bounds = {**BOUNDS, **TASK_BOUNDS.get(task or "", {})}
    for prefix, (key, reason) in bounds.items():
        if name.startswith(prefix) and key in th:
            b = th[key]
            lo = -math.inf if b.low is None else float(b.low)
            hi = math.inf if b.high is None else float(b.high)
            return lo, hi, reason
    return None


def plausible(name: str, value: float, thresholds: Mapping[str, Threshold] | None = None) -> bool:
    """Whether one value of the signal ``name`` is within its bounds (True without bounds;
    False for NaN)."""
    if not math.isfinite(value):
        return False
    b = bound_for(name, thresholds)
    return b is None or b[0] <= value <= b[1]


def withheld_reason(
    name: str, thresholds: Mapping[str, Threshold] | None = None, task: str | None = None
) -> str:
    """Why a value of ``name`` outside its bounds was withheld."""
    b = bound_for(name, thresholds, task)
    if b is None:
        return ""
    label = name.replace("_pct_foot", "").replace("_deg", "").replace("_", " ")
    unit = "% of foot length" if name.endswith("_pct_foot") else "°"
    return (
        f"{label}: values outside {b[0]:g} to {b[1]:g} {unit} are no body's and were withheld "
        f"({b[2]})"
    )


def gate_signals(
    values: dict[str, np.ndarray],
    unavailable: dict[str, str],
    thresholds: Mapping[str, Threshold] | None = None,
    task: str | None = None,
) -> dict[str, int]:
    """Withhold (NaN) every value outside its bounds (with ``task``: that task's bounds as
    well), in place; return the number of frames withheld per signal. A signal left with no
    value gets its reason in ``unavailable``."""
    counts: dict[str, int] = {}
    for name, arr in values.items():
        b = bound_for(name, thresholds, task)
        if b is None:
            continue
        a = np.asarray(arr, float)
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(a) & ((a < b[0]) | (a > b[1]))
        if bad.any():
            values[name] = np.where(bad, np.nan, a)
            counts[name] = int(bad.sum())
            if not np.isfinite(values[name]).any():
                unavailable.setdefault(name, withheld_reason(name, thresholds, task))
    return counts
