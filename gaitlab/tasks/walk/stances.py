"""Gait cycle bookkeeping: stance phases (heel strike to toe off) and the stance signal."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.tasks.walk.events import MAX_STEP_S
from gaitlab.tasks.walk.sides import SideEvents


@dataclass(frozen=True)
class Stance:
    """One stance phase of a foot: heel strike to toe off (s), in pass ``pass_index``."""

    side: str
    hs: float
    to: float
    next_hs: float | None  # the same foot's next heel strike (end of the stride), if seen
    pass_index: int


def stances_of(events: dict[str, SideEvents], pass_index: int) -> list[Stance]:
    """The stance phases of one pass: each heel strike with the same foot's next toe off,
    unless that toe off is missing or the stance would be longer than :data:`MAX_STEP_S`."""
    out = []
    for side in SIDES:
        hs, to = sorted(events[side].hs), sorted(events[side].to)
        for k, h in enumerate(hs):
            later = [o for o in to if o > h]
            if not later:
                continue
            nxt = hs[k + 1] if k + 1 < len(hs) else None
            if nxt is not None and later[0] > nxt:
                continue  # toe off missing in this stride
            if later[0] - h > MAX_STEP_S:
                continue
            out.append(Stance(side, h, later[0], nxt, pass_index))
    return out


def stance_signal(t: np.ndarray, ev: SideEvents) -> np.ndarray:
    """``(T,)`` 1 while the foot is on the ground, 0 while it swings, NaN before its first
    and after its last event (unknown)."""
    marks = sorted([(h, 1.0) for h in ev.hs] + [(o, 0.0) for o in ev.to])
    out = np.full(len(t), np.nan)
    if not marks:
        return out
    times = np.array([m[0] for m in marks])
    states = np.array([m[1] for m in marks])
    idx = np.searchsorted(times, t, side="right") - 1  # last event at or before each frame
    inside = (idx >= 0) & (t <= times[-1])
    out[inside] = states[idx[inside]]
    return out
