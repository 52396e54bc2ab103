"""Holds over a whole pose: the timer run frame by frame, and what it could not see."""

from __future__ import annotations

import math

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.core.types import PoseSequence
from gaitlab.tasks.balance.timer import MIN_LIFT_S, MIN_TOUCH_S, BalanceTimer, Hold
from gaitlab.tasks.balance.values import balance_values

#: ``balance_phase`` signal values of the timer's phases.
PHASE_CODES = {"standing": 0.0, "lifting": 1.0, "hold": 2.0, "unknown": -1.0}


def detect_holds(
    pose: PoseSequence, *, leg_length_px: float | None = None
) -> tuple[BalanceTimer, dict[str, np.ndarray]]:
    """Run a :class:`BalanceTimer` over a (cleaned) pose, frame by frame.

    ``leg_length_px`` defaults to the clip's median of :func:`balance_values`' per-frame
    value. Returns the finished timer (``holds_``, ``unknown_s``) and per-frame signals on
    the pose's time axis: ``foot_lifted_left`` / ``foot_lifted_right`` (1 lifted, 0 down,
    NaN cannot tell) and ``balance_phase`` (0 standing, 1 lifting, 2 hold, -1 unknown).
    """
    values = balance_values(pose.xy)
    if leg_length_px is None:
        legs = values["leg_length_px"]
        legs = legs[np.isfinite(legs)]
        leg_length_px = float(np.median(legs)) if legs.size else None
    timer = BalanceTimer(leg_length_px=leg_length_px)
    n = len(pose)
    t_state = np.full(n, np.nan)  # the time each state refers to (the smoothing centroid)
    states = np.full((n, 3), np.nan)
    for i in range(n):
        timer.update(pose.t_s[i], {k: v[i] for k, v in values.items()})
        t_state[i] = timer.time_s
        for j, side in enumerate(SIDES):
            lifted = timer.lifted(side)
            states[i, j] = math.nan if lifted is None else float(lifted)
        states[i, 2] = PHASE_CODES[timer.phase]
    timer.finish()
    # the state of frame i is the first one computed at or after its time
    idx = np.minimum(np.searchsorted(t_state, pose.t_s), max(n - 1, 0))
    aligned = states[idx] if n else states
    return timer, {
        "foot_lifted_left": aligned[:, 0],
        "foot_lifted_right": aligned[:, 1],
        "balance_phase": aligned[:, 2],
    }


def nearest_index(t_s: np.ndarray, t: float) -> int:
    """Row of the timestamp nearest ``t`` (``t_s`` increasing)."""
    i = int(np.searchsorted(t_s, t))
    if i <= 0:
        return 0
    if i >= len(t_s):
        return len(t_s) - 1
    return i if t_s[i] - t < t - t_s[i - 1] else i - 1


def hold_mask(t_s: np.ndarray, hold: Hold) -> np.ndarray:
    """Frames from the hold's lift-off to its touch-down, both included."""
    return (t_s >= hold.start_s) & (t_s <= hold.end_s)


def hold_warnings(timer: BalanceTimer) -> list[str]:
    """What the timer could not see: a hidden foot, a hold cut by the end of the recording,
    a lifted foot hidden during a hold."""
    out = []
    if timer.unknown_s >= MIN_LIFT_S:
        out.append(
            f"one foot was hidden for {timer.unknown_s:.1f} s while the other stood (in a side "
            "view the far foot can be behind the standing leg): whether it was lifted then "
            "could not be told"
        )
    for h in timer.holds_:
        if h.censored:
            cut = (
                "had begun before the recording started and was still going when it ended"
                if h.began_before_recording and h.ended_after_recording
                else "had begun before the recording started"
                if h.began_before_recording
                else "was still going when the recording ended"
            )
            out.append(f"the hold on the {h.stance_leg} leg {cut}: at least {h.hold_s:.1f} s")
        if h.lifted_hidden_s >= MIN_TOUCH_S:
            out.append(
                f"the lifted {h.lifted_leg} foot was hidden for {h.lifted_hidden_s:.1f} s of "
                f"the hold starting at {h.start_s:.1f} s: a touch-down then could be missed"
            )
    return out
