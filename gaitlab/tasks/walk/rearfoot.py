"""Back views: rearfoot eversion in mid-stance, a trend without a threshold."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.tasks.base import TaskContext
from gaitlab.tasks.walk.passes import WalkPass
from gaitlab.tasks.walk.phases import MIN_COVERAGE
from gaitlab.tasks.walk.series import mean_or_none
from gaitlab.tasks.walk.stances import Stance

#: Rearfoot eversion is read over this part of each stance (fractions from heel strike):
#: mid-stance, where it peaks, clear of the heel strike and heel rise.
REARFOOT_WINDOW = (0.2, 0.6)


def rearfoot_trend(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[Stance],
    metrics: dict[str, Any],
    notes: list[str],
) -> None:
    """Rearfoot eversion in mid-stance, back views only (MEASURES.md: a weak proxy from pose
    landmarks, reported as a trend): per stance the mean of ``-rearfoot_{side}_deg`` (+ =
    eversion, the ankle sinking medially over the heel) over :data:`REARFOOT_WINDOW` of the
    stance, averaged over that leg's stances. No threshold: compare with earlier walks."""
    t = ctx.pose.t_s
    values: dict[str, list[float]] = {s: [] for s in SIDES}
    for st in stances:
        if passes[st.pass_index].view != "posterior":
            continue
        sig = ctx.signals.values.get(f"rearfoot_{st.side}_deg")
        if sig is None:
            continue
        lo, hi = REARFOOT_WINDOW
        w = (t >= st.hs + lo * (st.to - st.hs)) & (t <= st.hs + hi * (st.to - st.hs))
        v = -sig[w]
        if w.sum() >= 2 and np.isfinite(v).mean() >= MIN_COVERAGE:
            values[st.side].append(float(np.nanmean(v)))
    for side in SIDES:
        metrics[f"rearfoot_eversion_mean_{side}_deg"] = mean_or_none(values[side], 1)
    if any(values.values()):
        notes.append(
            "rearfoot eversion is measured from the heel and ankle landmarks, a weak proxy for "
            "over-pronation (clinics use markers on the shoe at 240 fps): follow it as a "
            "trend across your own walks, not against a norm"
        )
    elif passes:
        notes.append(
            "rearfoot eversion needs a back view of straight walking (the heel is seen from "
            "behind); not available in this clip"
        )
