"""Temporal parameters: steps, cadence, step and stride times, stance, swing, double
support and flight."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES, other_side
from gaitlab.tasks.walk.events import MAX_STEP_S, STEP_RANGE
from gaitlab.tasks.walk.sides import SideEvents

#: Cadence is 60 / the mean of the steps within this fraction of the median step.
CADENCE_TRIM = 0.25


@dataclass
class _Cycles:
    """Step and stride durations and phase percentages, gathered over the passes."""

    steps: list[tuple[str, float]] = field(default_factory=list)  # (side ending it, s)
    strides: list[float] = field(default_factory=list)
    stance_pct: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    ds_pct: list[float] = field(default_factory=list)
    flight_pct: list[float] = field(default_factory=list)


def _pass_steps(ev: dict[str, SideEvents]) -> list[tuple[str, float]]:
    """The steps of one pass (heel strike to the other foot's heel strike), each with the
    side of the heel strike that ends it; steps far from the pass's typical step left out."""
    hs = sorted((h, s) for s in SIDES for h in ev[s].hs)
    pairs = [
        (s1, t1 - t0)
        for (t0, s0), (t1, s1) in zip(hs[:-1], hs[1:], strict=True)
        if s0 != s1 and t1 - t0 <= MAX_STEP_S
    ]
    if not pairs:
        return []
    # A step much longer or shorter than the pass's typical step spans a missed or
    # a spurious heel strike: timing from it would be wrong.
    typical = float(np.median([d for _, d in pairs]))
    lo, hi = STEP_RANGE
    return [(side, d) for side, d in pairs if lo * typical <= d <= hi * typical]


def _side_strides(ev: dict[str, SideEvents], side: str, cycles: _Cycles) -> None:
    """The clean strides of one foot in one pass (one opposite heel strike inside), with
    their stance and double support (walking) or flight (running) percentages."""
    other = other_side(side)
    own_hs, own_to = sorted(ev[side].hs), sorted(ev[side].to)
    opp_hs, opp_to = sorted(ev[other].hs), sorted(ev[other].to)
    for h0, h1 in zip(own_hs[:-1], own_hs[1:], strict=True):
        stride = h1 - h0
        if stride > 2 * MAX_STEP_S:
            continue
        opp_between = [h for h in opp_hs if h0 < h < h1]
        if len(opp_between) != 1:
            continue  # an opposite heel strike missed or doubled: not a clean stride
        cycles.strides.append(stride)
        to = [o for o in own_to if h0 < o < h1]
        if len(to) != 1:
            continue
        cycles.stance_pct[side].append(100.0 * (to[0] - h0) / stride)
        if to[0] > opp_between[0]:  # lifts after the other foot lands: walking
            opp_to_first = [o for o in opp_to if h0 < o < to[0]]
            if len(opp_to_first) != 1:
                continue
            initial = opp_to_first[0] - h0
            terminal = to[0] - opp_between[0]
            if initial > 0 and terminal > 0:
                cycles.ds_pct.append(100.0 * (initial + terminal) / stride)
        else:  # lifts before: a flight until the other foot lands (running)
            opp_to_next = [o for o in opp_to if opp_between[0] < o < h1]
            if len(opp_to_next) != 1:
                continue
            flight = (opp_between[0] - to[0]) + (h1 - opp_to_next[0])
            if flight > 0:
                cycles.flight_pct.append(100.0 * flight / stride)


def temporal_metrics(
    events_per_pass: list[dict[str, SideEvents]], gaits: list[str]
) -> dict[str, Any]:
    """Steps, cadence, step and stride times, stance / swing / double support / flight
    percentages, gait and step-time asymmetry of the passes' events (the package
    docstring)."""
    cycles = _Cycles()
    n_hs = 0
    for ev in events_per_pass:
        n_hs += sum(len(ev[s].hs) for s in SIDES)
        cycles.steps += _pass_steps(ev)
        for side in SIDES:
            _side_strides(ev, side, cycles)
    steps, strides, stance_pct = cycles.steps, cycles.strides, cycles.stance_pct
    ds_pct, flight_pct = cycles.ds_pct, cycles.flight_pct
    out: dict[str, Any] = {"steps": n_hs if n_hs else None}
    st = [d for _, d in steps]
    out["step_time_mean_s"] = round(float(np.mean(st)), 3) if st else None
    out["cadence_spm"] = None
    if st:
        # One mis-timed heel strike (motion blur, a partly hidden foot) shortens one step
        # and lengthens the next: steps more than CADENCE_TRIM off the median do not count.
        med = float(np.median(st))
        typical = [d for d in st if abs(d / med - 1.0) <= CADENCE_TRIM]
        out["cadence_spm"] = round(60.0 / float(np.mean(typical)), 1)
    out["stride_time_mean_s"] = round(float(np.mean(strides)), 3) if strides else None
    per_side = {s: [d for side, d in steps if side == s] for s in SIDES}
    for side in SIDES:
        v = per_side[side]
        out[f"step_time_{side}_s"] = round(float(np.mean(v)), 3) if v else None
        sp = stance_pct[side]
        out[f"stance_pct_{side}"] = round(float(np.mean(sp)), 1) if sp else None
        out[f"swing_pct_{side}"] = round(100.0 - float(np.mean(sp)), 1) if sp else None
    kinds = set(gaits)
    out["gait"] = None if not kinds else kinds.pop() if len(kinds) == 1 else "walking and running"
    out["double_support_pct"] = round(float(np.mean(ds_pct)), 1) if ds_pct else None
    out["flight_pct"] = round(float(np.mean(flight_pct)), 1) if flight_pct else None
    left, right = out["step_time_left_s"], out["step_time_right_s"]
    if left and right:
        out["step_time_asymmetry_pct"] = round(100.0 * abs(left - right) / ((left + right) / 2), 1)
    else:
        out["step_time_asymmetry_pct"] = None
    return out
