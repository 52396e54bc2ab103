"""The single-leg heel-rise test to fatigue, scored from a clip's reps
(:func:`heel_rise_test`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Flag
from gaitlab.rules import registry
from gaitlab.rules.registry import make_flag
from gaitlab.tasks.calf_raise.results import CalfRaiseRep

#: Standard gravity, for the work of a heel-rise test (m/s²).
G = 9.80665


def _counted(
    run: list[CalfRaiseRep], frac: float, factor: float, n_first: int
) -> tuple[list[CalfRaiseRep], str]:
    """The reps of one side's test until height or rhythm failed, and why it ended."""
    first = run[: max(1, n_first)]
    ref_h = float(np.nanmean([r.height_pct_foot for r in first]))
    cycles = np.diff([r.start_s for r in run])
    ref_cycle = float(np.median(cycles[: max(1, n_first - 1)])) if cycles.size else math.nan
    counted: list[CalfRaiseRep] = []
    reason = "stopped"
    for j, rep in enumerate(run):
        if rep.height_pct_foot < frac * ref_h:
            reason = "height could no longer be maintained"
            break
        if j > 0 and math.isfinite(ref_cycle) and cycles[j - 1] > factor * ref_cycle:
            reason = "the rhythm broke"
            break
        counted.append(rep)
    return counted, reason


def _side_metrics(
    side: str,
    counted: list[CalfRaiseRep],
    reason: str,
    peak_norm: Threshold | None,
    sex: str | None,
    body_mass_kg: float | None,
) -> dict[str, Any]:
    """One side's repetitions, how the test ended, peak height and work."""
    metrics: dict[str, Any] = {}
    metrics[f"heel_rise_test_reps_{side}"] = len(counted)
    metrics[f"heel_rise_test_end_{side}"] = reason
    metrics[f"heel_rise_test_peak_{side}_pct_foot"] = (
        round(float(np.nanmax([r.height_pct_foot for r in counted])), 2)
        if any(np.isfinite(r.height_pct_foot) for r in counted)
        else None
    )
    cms = [r.height_cm for r in counted if r.height_cm is not None]
    metrics[f"heel_rise_test_peak_{side}_cm"] = round(max(cms), 2) if cms else None
    metrics[f"heel_rise_test_peak_{side}_pct_norm"] = (
        round(100 * max(cms) / peak_norm.for_sex(sex), 1) if cms and peak_norm else None
    )
    if body_mass_kg is not None and cms and len(cms) == len(counted):
        metrics[f"heel_rise_test_work_{side}_j"] = round(body_mass_kg * G * sum(cms) / 100, 1)
    else:
        metrics[f"heel_rise_test_work_{side}_j"] = None
    return metrics


def _symmetry(
    reps: list[CalfRaiseRep],
    metrics: dict[str, Any],
    thresholds: Mapping[str, Threshold],
    sex: str | None,
) -> tuple[float | None, Flag | None]:
    """The limb symmetry index (weaker / stronger repetitions, %) and its flag."""
    a = metrics["heel_rise_test_reps_left"]
    b = metrics["heel_rise_test_reps_right"]
    lsi = 100.0 * min(a, b) / max(a, b) if max(a, b) > 0 else None
    sym = registry.threshold("heel_rise_test_symmetry", thresholds)
    if sym is None or lsi is None or not sym.crossed(lsi, sex):
        return lsi, None
    weaker = "left" if a < b else "right"
    return lsi, make_flag(
        "heel_rise_test_symmetry",
        sym,
        lsi,
        side=weaker,
        span_s=(reps[0].start_s, reps[-1].end_s),
        frame=reps[-1].frame,
        sex=sex,
    )


def heel_rise_test(
    reps: list[CalfRaiseRep],
    thresholds: Mapping[str, Threshold],
    *,
    sex: str | None = None,
    body_mass_kg: float | None = None,
    n_first: int = 3,
) -> tuple[dict[str, Any], list[Flag], list[str]]:
    """Score single-leg heel-rise tests to fatigue from the reps of a clip.

    A side's single-leg reps are its test. The test ends at the first rep whose height
    falls below ``heel_rise_test_height_fraction`` of the mean of the first ``n_first``
    reps, or whose cycle (start to next start) exceeds ``heel_rise_test_rhythm_factor`` ×
    the median of the first cycles (the metronome pace can no longer be followed); that rep
    and later ones do not count (a criterion missing from ``thresholds`` is not applied).
    Work = body mass × g × the sum of the counted reps' heel heights (J), the heel-rise work
    test's measure; it needs heights in cm and the body mass. Repetitions are compared with
    ``heel_rise_test_reps`` (sex-specific medians), the peak height with
    ``heel_rise_test_peak_height``, and with both sides tested the limb symmetry index
    (weaker / stronger repetitions, %) with ``heel_rise_test_symmetry``.
    Returns (metrics, flags, warnings).
    """
    metrics: dict[str, Any] = {}
    flags: list[Flag] = []
    notes: list[str] = []
    frac_thr = thresholds.get("heel_rise_test_height_fraction")
    rhythm_thr = thresholds.get("heel_rise_test_rhythm_factor")
    norm = registry.threshold("heel_rise_test_reps", thresholds)
    peak_norm = thresholds.get("heel_rise_test_peak_height")
    frac = frac_thr.for_sex(sex) if frac_thr else 0.0
    factor = rhythm_thr.for_sex(sex) if rhythm_thr else math.inf
    runs: dict[str, list[CalfRaiseRep]] = {}
    for rep in reps:
        if rep.legs in SIDES and rep.legs not in runs:
            runs[rep.legs] = [r for r in reps if r.legs == rep.legs]
    if not runs:
        notes.append("heel-rise test: no single-leg raises found (stand on one leg)")
    for side, run in runs.items():
        counted, reason = _counted(run, frac, factor, n_first)
        metrics.update(_side_metrics(side, counted, reason, peak_norm, sex, body_mass_kg))
        if norm is not None and counted:
            limit = norm.for_sex(sex)
            metrics[f"heel_rise_test_reps_{side}_pct_norm"] = round(100 * len(counted) / limit, 1)
            if norm.crossed(len(counted), sex):
                flags.append(
                    make_flag(
                        "heel_rise_test_reps",
                        norm,
                        float(len(counted)),
                        side=side,
                        span_s=(counted[0].start_s, counted[-1].end_s),
                        frame=counted[-1].frame,
                        sex=sex,
                    )
                )
    if {"left", "right"} <= set(runs):
        lsi, flag = _symmetry(reps, metrics, thresholds, sex)
        metrics["heel_rise_test_symmetry_pct"] = None if lsi is None else round(lsi, 1)
        if flag is not None:
            flags.append(flag)
    else:
        metrics["heel_rise_test_symmetry_pct"] = None
    return metrics, flags, notes
