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
    step_pairs: list[float] = field(default_factory=list)  # two consecutive steps (s)
    strides: list[float] = field(default_factory=list)
    stance_pct: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    ds_pct: list[float] = field(default_factory=list)
    flight_pct: list[float] = field(default_factory=list)


def typical_steps(pairs: list[tuple[str, float]]) -> dict[str, float]:
    """Per side, the typical step ending with that foot's heel strike: the median of that
    side's steps (a limp makes the two sides' steps differ), or of all steps when a side has
    fewer than three (two cannot tell which is odd)."""
    every = float(np.median([d for _, d in pairs])) if pairs else float("nan")
    out = {}
    for side in SIDES:
        own = [d for s, d in pairs if s == side]
        out[side] = float(np.median(own)) if len(own) >= 3 else every
    return out


def _pass_steps(ev: dict[str, SideEvents]) -> tuple[list[tuple[str, float]], list[float]]:
    """The steps of one pass (heel strike to the other foot's heel strike), each with the
    side of the heel strike that ends it, steps far from that side's typical step left out;
    and the sums of consecutive kept steps (one of each foot: a stride)."""
    hs = sorted((h, s) for s in SIDES for h in ev[s].hs)
    pairs = [
        (s1, t1 - t0) if s0 != s1 and t1 - t0 <= MAX_STEP_S else None
        for (t0, s0), (t1, s1) in zip(hs[:-1], hs[1:], strict=True)
    ]
    valid = [p for p in pairs if p is not None]
    if not valid:
        return [], []
    # A step much longer or shorter than its side's typical step spans a missed or a
    # spurious heel strike: timing from it would be wrong.
    typical = typical_steps(valid)
    lo, hi = STEP_RANGE
    kept = [p if p and lo * typical[p[0]] <= p[1] <= hi * typical[p[0]] else None for p in pairs]
    strides = [a[1] + b[1] for a, b in zip(kept[:-1], kept[1:], strict=True) if a and b]
    return [p for p in kept if p], strides


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
        steps_of_pass, pairs = _pass_steps(ev)
        cycles.steps += steps_of_pass
        cycles.step_pairs += pairs
        for side in SIDES:
            _side_strides(ev, side, cycles)
    steps, strides, stance_pct = cycles.steps, cycles.strides, cycles.stance_pct
    ds_pct, flight_pct = cycles.ds_pct, cycles.flight_pct
    out: dict[str, Any] = {"steps": n_hs if n_hs else None}
    st = [d for _, d in steps]
    out["step_time_mean_s"] = round(float(np.mean(st)), 3) if st else None
    out["cadence_spm"] = None
    pairs = cycles.step_pairs
    if pairs:
        # On pairs of consecutive steps (one of each foot): a limp's long and short steps
        # average out, and one mis-timed heel strike (motion blur, a partly hidden foot),
        # which shortens one step and lengthens the next, leaves their sum; pairs more than
        # CADENCE_TRIM off the median do not count.
        med = float(np.median(pairs))
        typical = [d for d in pairs if abs(d / med - 1.0) <= CADENCE_TRIM]
        out["cadence_spm"] = round(120.0 / float(np.mean(typical)), 1)
    elif st:
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
