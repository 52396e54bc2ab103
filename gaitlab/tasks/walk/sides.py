"""Which foot each event belongs to: heel strikes by alternation, toe offs by where they
fall in the step, and events that would put both feet in the air."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gaitlab.core.landmarks import SIDES, other_side

#: Walking has no flight phase: a heel strike or toe off while the other foot has been off
#: the ground for longer than this is an event error (a leg swap the repair missed, or a
#: glitch) and is dropped. The tolerance covers event timing errors at short double support.
FLIGHT_TOLERANCE_S = 0.05


@dataclass
class SideEvents:
    """One foot's heel strike (``hs``) and toe off (``to``) times in a pass (s)."""

    hs: list[float] = field(default_factory=list)
    to: list[float] = field(default_factory=list)
    #: Confidence in [0, 1] of each event, by its time (absent: not known).
    confidence: dict[float, float] = field(default_factory=dict)


def drop_flight_events(events: dict[str, SideEvents]) -> int:
    """Remove, in place, every event at which the other foot had been in the air (its last
    event a toe off) for more than :data:`FLIGHT_TOLERANCE_S`; returns how many."""
    timeline = sorted(
        (te, side, kind)
        for side in SIDES
        for kind, times in (("hs", events[side].hs), ("to", events[side].to))
        for te in times
    )
    bad = set()
    for te, side, kind in timeline:
        other = [x for x in timeline if x[1] != side and x[0] < te]
        if other and other[-1][2] == "to" and te - other[-1][0] > FLIGHT_TOLERANCE_S:
            bad.add((te, side, kind))
    for te, side, kind in bad:
        getattr(events[side], kind).remove(te)
    return len(bad)


def assign_sides(
    hs_t: list[float], hs_label: list[str], to_t: list[float], to_label: list[str]
) -> tuple[dict[str, SideEvents], int, int]:
    """Sides of the events. Heel strikes alternate left/right within a run of regular steps
    (no gap over 1.6 median steps): of the two alternations the one that agrees with more of
    the pose model's labels wins, so a leg swap that survived the repair cannot give one foot
    two heel strikes in a row.

    A toe off belongs to the foot that has been on the ground the longer. In the first half
    of a step (heel strike to the next heel strike) both feet are down and the trailing foot
    lifts: it is the foot that lands next (walking, and running with no flight: HS left, TO
    right, HS right, TO left …). In the second half only the foot that struck last is down:
    it lifts and both feet are in the air until the next strike (running: HS left, TO left,
    flight, HS right …).

    Returns the events per side and how many toe offs were followed by a flight phase and
    how many came during double support.
    """
    out = {side: SideEvents() for side in SIDES}
    if not hs_t:
        for te, lab in zip(to_t, to_label, strict=True):
            out[lab].to.append(te)
        return out, 0, 0
    hs_t = list(hs_t)
    gaps = np.diff(hs_t)
    median = float(np.median(gaps)) if gaps.size else np.inf
    runs: list[list[int]] = [[0]]
    for k in range(1, len(hs_t)):
        if hs_t[k] - hs_t[k - 1] > 1.6 * median:
            runs.append([])
        runs[-1].append(k)
    side_of = [""] * len(hs_t)
    for run in runs:
        votes = sum(
            (hs_label[k] == "left") == (j % 2 == 0) for j, k in enumerate(run)
        )  # agreement with "first is left"
        first_left = votes * 2 >= len(run)
        for j, k in enumerate(run):
            side_of[k] = "left" if (j % 2 == 0) == first_left else "right"
    for k, te in enumerate(hs_t):
        out[side_of[k]].hs.append(te)
    run_of = {k: r for r, run in enumerate(runs) for k in run}
    n_flight = n_double = 0
    for te, lab in zip(to_t, to_label, strict=True):
        after = [k for k, h in enumerate(hs_t) if h > te]
        before = [k for k, h in enumerate(hs_t) if h < te]
        if before and after and run_of[after[0]] == run_of[before[-1]]:
            k0 = before[-1]
            frac = (te - hs_t[k0]) / (hs_t[after[0]] - hs_t[k0])
        elif before and np.isfinite(median) and te - hs_t[before[-1]] <= median:
            k0 = before[-1]
            frac = (te - hs_t[k0]) / median
        elif after and np.isfinite(median) and hs_t[after[0]] - te <= median:
            k0 = None
            frac = 1.0 - (hs_t[after[0]] - te) / median
        else:
            out[lab].to.append(te)
            continue
        last = side_of[k0] if k0 is not None else other_side(side_of[after[0]])
        if frac > 0.5:
            out[last].to.append(te)
            n_flight += 1
        else:
            out[other_side(last)].to.append(te)
            n_double += 1
    return out, n_flight, n_double
