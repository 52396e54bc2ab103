"""Front and back views: knee valgus (FPPA) per stance and contralateral pelvic drop per
single support."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import trim_mean

from gaitlab.core.landmarks import SIDES, other_side
from gaitlab.core.types import Flag
from gaitlab.tasks.base import TaskContext
from gaitlab.tasks.walk.flags import peak_flags
from gaitlab.tasks.walk.passes import WalkPass
from gaitlab.tasks.walk.phases import (
    CPD_SMOOTH_DEGREE,
    FPPA_SMOOTH_DEGREE,
    Phase,
    ensemble_peak,
    phase_of,
)
from gaitlab.tasks.walk.stances import Stance

#: The pelvic-drop baseline (the pelvis's level in double support) is the mean of the
#: double-support frames with this fraction trimmed off each end: nearly as efficient as the
#: mean on jitter (the median's variance is 1.57 times the mean's, and the baseline's error
#: enters both sides' drop), while a few frames at a mis-timed event cannot pull it.
BASELINE_TRIM = 0.2


def _knee_valgus(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[Stance],
    metrics: dict[str, Any],
    flags: list[Flag],
    notes: list[str],
) -> None:
    """Knee valgus: peak FPPA per stance, ensemble-averaged per leg."""
    t = ctx.pose.t_s
    fppa: dict[str, list[Phase]] = {s: [] for s in SIDES}
    for st in stances:
        sig = ctx.signals.values.get(f"fppa_{st.side}_deg")
        if sig is None:
            continue
        ph = phase_of(t, sig, st.hs, st.to)
        if ph is not None:
            fppa[st.side].append(ph)
    for side in SIDES:
        metrics[f"fppa_peak_{side}_deg"] = ensemble_peak(fppa[side], FPPA_SMOOTH_DEGREE)
    if passes and not any(fppa.values()):
        notes.append(
            "knee valgus (FPPA) while walking needs a front or back view of straight "
            "walking; no part of the walk was filmed that way"
        )
    flags += peak_flags(
        ctx,
        metrics,
        fppa,
        rule="fppa_peak",
        wording="stances",
    )


def _pass_drops(
    t: np.ndarray,
    obl: np.ndarray,
    p: WalkPass,
    pass_stances: list[Stance],
    signals: dict[str, np.ndarray],
    drops: dict[str, list[Phase]],
) -> None:
    """The single supports of one pass: obliquity above its double-support level, signed by
    the swing side, into ``signals["pelvic_drop_deg"]`` and, per stance side, ``drops``."""
    rows = np.arange(p.start, p.stop)
    tt = t[rows]
    down = {side: np.zeros(len(rows), bool) for side in SIDES}  # foot on the floor
    for s in pass_stances:
        down[s.side] |= (tt >= s.hs) & (tt <= s.to)
    double = down["left"] & down["right"] & np.isfinite(obl[rows])
    if double.sum() < 3:
        return
    base = float(trim_mean(obl[rows][double], BASELINE_TRIM))
    for s in pass_stances:
        other = other_side(s.side)
        # single support: the other foot's toe off to its next heel strike
        opp = [o for o in pass_stances if o.side == other]
        off = [o.to for o in opp if s.hs < o.to < s.to]
        on = [o.hs for o in opp if s.hs < o.hs <= s.to + 1e-9]
        if len(off) != 1 or len(on) != 1 or not off[0] < on[0]:
            continue
        sign = 1.0 if other == "left" else -1.0  # + obliquity = left hip lower
        w = (t >= off[0]) & (t <= on[0])
        cpd = np.where(w, sign * (obl - base), np.nan)
        signals["pelvic_drop_deg"][w] = cpd[w]
        ph = phase_of(t, cpd, off[0], on[0])
        if ph is not None:
            drops[s.side].append(ph)


def _pelvic_drop(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[Stance],
    signals: dict[str, np.ndarray],
    metrics: dict[str, Any],
    flags: list[Flag],
    notes: list[str],
) -> None:
    """Contralateral pelvic drop per single support, ensemble-averaged per stance leg."""
    obl = ctx.signals.values.get("pelvic_obliquity_deg")
    drops: dict[str, list[Phase]] = {s: [] for s in SIDES}
    if obl is not None and np.isfinite(obl).any():
        for k, p in enumerate(passes):
            pass_stances = [s for s in stances if s.pass_index == k]
            _pass_drops(ctx.pose.t_s, obl, p, pass_stances, signals, drops)
    for side in SIDES:
        metrics[f"pelvic_drop_peak_{side}_deg"] = ensemble_peak(drops[side], CPD_SMOOTH_DEGREE)
    if passes and not any(drops.values()):
        notes.append(
            "pelvic drop while walking needs a front or back view of straight walking with "
            "both feet seen landing; not available in this clip"
        )
    flags += peak_flags(
        ctx,
        metrics,
        drops,
        rule="pelvic_drop_walk",
    )


def frontal_measures(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[Stance],
    signals: dict[str, np.ndarray],
    metrics: dict[str, Any],
    flags: list[Flag],
    notes: list[str],
) -> None:
    """Knee valgus and pelvic drop (front and back views): adds their metrics, the pelvic
    drop signal, flags and notes."""
    _knee_valgus(ctx, passes, stances, metrics, flags, notes)
    _pelvic_drop(ctx, passes, stances, signals, metrics, flags, notes)
