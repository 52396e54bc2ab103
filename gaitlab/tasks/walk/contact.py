"""Each foot's own contact with the floor: heel strikes and toe offs of a walking pass from
the feet's speed over the ground, for any gait in which one foot is always down.

The floor is the planted foot: in walking at every instant at least one foot is on the
ground, and it is the one moving backwards fastest relative to the pelvis (a swinging foot
moves forwards; a heel rising at the end of stance pivots on its toes, which stay put). So
the ground's velocity along the walking direction, in the pelvis's frame and whatever the
camera does, is ``g(t) = min`` over the feet's heel and toe velocities, and a landmark's
speed over the ground is ``u = v − g``. Walking speed is the median of ``−g``; it needs no
assumption of steady walking, so a step-to limp (the pelvis stops while the trailing foot is
brought beside the other), an antalgic gait or a walk with a cane keep their timing.

A foot swings where both its heel and toe move over the ground faster than
:data:`SWING_FRAC` × walking speed; in walking only one foot swings at a time, so the swings
are found on the faster foot, which a left/right label swap of the pose model in mid swing
cannot split in two (the side is the foot that moved most, sides are then assigned by
alternation). Each swing is bounded by a toe off before it (the toe's
ground speed last rising through the onset level) and a heel strike after it (the heel's
ground speed falling through the arrest level), the levels of
:func:`~gaitlab.tasks.walk.events.detect_gait_events`. A swing needs no height: a shuffling
foot barely leaves the floor yet slides forwards at more than walking speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import CubicSpline

from gaitlab.core.landmarks import SIDES
from gaitlab.tasks.walk.series import level_crossings, runs

#: Fine time grid for the velocities: this many points per frame interval.
UPSAMPLE = 8
#: A foot swings where heel and toe both move over the ground faster than this × walking
#: speed (a swing peaks at 2–3 × walking speed; jitter on a planted foot stays far below).
SWING_FRAC = 0.6
#: A swing lasts at least this long (a real swing takes 0.25 s or more even when running).
MIN_SWING_S = 0.1
#: Swings of one foot closer than this are one swing (a dip of its speed in mid swing).
MERGE_GAP_S = 0.06
#: A swing of one label ending where one of the other begins, within this gap and with the
#: feet this close (leg lengths), is one swing relabelled half way (see _joined_swings).
SWAP_GAP_S = 0.05
SWAP_JUMP_LEGS = 0.5
#: The toe off is searched this far before the swing starts, the heel strike this far after
#: it ends.
SEARCH_S = 0.25
#: A swing this close to the end of the data has an event that is cut off (and the cleaning's
#: low-pass has edge transients there), as for Zeni's extrema.
EDGE_S = 0.1


@dataclass
class FootEvents:
    """Contact events of a pass with the pose model's side labels, their confidences in
    [0, 1], and the walking speed (units/s, NaN if unknown)."""

    hs: list[tuple[float, str, float]] = field(default_factory=list)  # (t, side, confidence)
    to: list[tuple[float, str, float]] = field(default_factory=list)
    speed: float = float("nan")


@dataclass
class GroundSpeeds:
    """The feet's landmarks' speeds over the ground on a fine grid, the walking speed
    (units/s) and the frame-to-frame jitter of the ground's velocity."""

    grid: np.ndarray
    u: dict[str, np.ndarray]
    speed: float
    noise: float

    def confidence(self, key: str, te: float) -> float:
        """Confidence of an event of landmark ``key`` at ``te`` (:func:`_confidence`)."""
        return _confidence(self.grid, self.u[key], te, self.speed, self.noise)


def _velocity_on(t: np.ndarray, v: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``dv/dt`` on ``grid`` from a cubic spline through each finite run (NaN elsewhere)."""
    out = np.full(len(grid), np.nan)
    for a, b in runs(np.isfinite(v)):
        if b - a < 4:
            continue
        sel = (grid >= t[a]) & (grid <= t[b - 1])
        out[sel] = CubicSpline(t[a:b], v[a:b])(grid[sel], 1)
    return out


def _fine_grid(t: np.ndarray) -> np.ndarray:
    steps = [np.linspace(t[i], t[i + 1], UPSAMPLE, endpoint=False) for i in range(len(t) - 1)]
    return np.concatenate([*steps, t[-1:]]) if steps else t.copy()


def _swings(grid: np.ndarray, u_foot: np.ndarray, speed: float) -> list[tuple[int, int]]:
    """Runs of the fine grid where the foot swings (module docstring), merged over short
    dips and kept if long enough."""
    with np.errstate(invalid="ignore"):
        moving = u_foot > SWING_FRAC * speed
    merged: list[tuple[int, int]] = []
    for a, b in runs(moving):
        if merged and grid[a] - grid[merged[-1][1] - 1] < MERGE_GAP_S:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return [(a, b) for a, b in merged if grid[b - 1] - grid[a] >= MIN_SWING_S]


def _jitter(v: np.ndarray) -> float:
    """Frame-to-frame jitter of a velocity track: the robust spread of its second
    difference (a smooth track's is near 0), scaled to one sample's noise."""
    d2 = np.diff(v[np.isfinite(v)], 2)
    if d2.size < 3:
        return float("nan")
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / np.sqrt(6.0))


def _confidence(grid: np.ndarray, u: np.ndarray, te: float, speed: float, noise: float) -> float:
    """How clearly the landmark's ground speed changes at ``te``: the rise (or fall) over
    the 0.1 s around it against the jitter of a planted foot, from 0 (lost in jitter) to 1."""
    before = u[(grid >= te - 0.1) & (grid < te)]
    after = u[(grid > te) & (grid <= te + 0.1)]
    if not before.size or not after.size or not np.isfinite(noise):
        return 0.0
    jump = abs(float(np.nanmean(after)) - float(np.nanmean(before)))
    snr = jump / max(noise, 1e-3 * speed)
    return round(float(1.0 - np.exp(-snr / 4.0)), 3)


def ground_speeds(t: np.ndarray, forward: dict[str, np.ndarray]) -> GroundSpeeds | None:
    """Speeds over the ground of the feet's landmarks (module docstring); None when no foot
    is seen planted long enough to tell the ground."""
    if len(t) < 4:
        return None
    grid = _fine_grid(t)
    vel = {k: _velocity_on(t, v, grid) for k, v in forward.items()}
    foot = {s: np.fmin(vel[f"{s}_heel"], vel[f"{s}_foot_index"]) for s in SIDES}
    ground = np.fmin(foot["left"], foot["right"])
    if np.isfinite(ground).sum() < 8 or not np.nanmedian(-ground) > 0:
        return None
    u = {k: v - ground for k, v in vel.items()}
    return GroundSpeeds(grid, u, float(np.nanmedian(-ground)), _jitter(ground[::UPSAMPLE]))


def _joined_swings(
    t: np.ndarray, forward: dict[str, np.ndarray], gs: GroundSpeeds, leg: float
) -> list[tuple[int, int, str, str]]:
    """The swings of both feet as ``(start, stop, side at its start, side at its end)`` on
    the fine grid, in time order. A swing of one label that ends where a swing of the other
    begins (within :data:`SWAP_GAP_S`, the feet within :data:`SWAP_JUMP_LEGS` of each other)
    is one swing whose labels the pose model swapped half way: a real change of swinging foot
    passes through double support, with the landing foot a step ahead of the lifting one.
    """
    items = []
    for side in SIDES:
        u_foot = np.fmin(gs.u[f"{side}_heel"], gs.u[f"{side}_foot_index"])
        items += [(a, b, side) for a, b in _swings(gs.grid, u_foot, gs.speed)]
    items.sort()
    pos = {}
    for key in ("left_foot_index", "right_foot_index", "left_heel", "right_heel"):
        v = forward[key]
        ok = np.isfinite(v)
        pos[key] = (
            np.interp(gs.grid, t[ok], v[ok]) if ok.sum() >= 2 else np.full(len(gs.grid), np.nan)
        )
    out: list[tuple[int, int, str, str]] = []
    for a, b, side in items:
        if out:
            a0, b0, s0, s1 = out[-1]
            gap = gs.grid[a] - gs.grid[b0 - 1]
            jump = abs(pos[f"{s1}_heel"][b0 - 1] - pos[f"{side}_heel"][a])
            if side != s1 and gap <= SWAP_GAP_S and jump < SWAP_JUMP_LEGS * leg:
                out[-1] = (a0, max(b0, b), s0, side)
                continue
        out.append((a, b, side, side))
    return out


def contact_events(
    t: np.ndarray,
    forward: dict[str, np.ndarray],
    leg: float,
    *,
    hs_arrest_frac: float,
    to_onset_frac: float,
) -> FootEvents:
    """Heel strikes and toe offs of one walking pass from each foot's own contact (module
    docstring).

    Parameters
    ----------
    t
        ``(T,)`` timestamps of the pass.
    forward
        ``{"left_heel", "left_foot_index", "right_heel", "right_foot_index"}`` → ``(T,)``
        positions relative to the pelvis along the walking direction (+ = ahead).
    leg
        The leg length in the same unit.
    hs_arrest_frac, to_onset_frac
        The heel's arrest and the toe's onset levels, × walking speed.
    """
    out = FootEvents()
    gs = ground_speeds(t, forward)
    if gs is None:
        return out
    grid, u, speed, noise = gs.grid, gs.u, gs.speed, gs.noise
    out.speed = speed
    edge = max(1, int(round(EDGE_S / float(np.median(np.diff(t))) * UPSAMPLE)))
    for start, end, side_to, side_hs in _joined_swings(t, forward, gs, leg):
        toe, heel = u[f"{side_to}_foot_index"], u[f"{side_hs}_heel"]
        seen_to = np.concatenate([[False], np.isfinite(toe)])
        seen_hs = np.concatenate([np.isfinite(heel), [False]])
        # A swing that starts or ends where the data does (or within EDGE_S of it) has its
        # event cut off.
        if seen_to[max(start + 1 - edge, 0) : start + 1].all():
            up = level_crossings(grid, toe, to_onset_frac * speed, rising=True)
            c = up[(up <= grid[start] + 1e-9) & (up >= grid[start] - SEARCH_S)]
            te = float(c[-1]) if c.size else float(grid[start])
            out.to.append((te, side_to, _confidence(grid, toe, te, speed, noise)))
        if seen_hs[end : end + edge].all() and end + edge <= len(grid):
            down = level_crossings(grid, heel, hs_arrest_frac * speed, rising=False)
            c = down[(down >= grid[end - 1] - 1e-9) & (down <= grid[end - 1] + SEARCH_S)]
            te = float(c[0]) if c.size else float(grid[end - 1])
            out.hs.append((te, side_hs, _confidence(grid, heel, te, speed, noise)))
    out.hs.sort()
    out.to.sort()
    return out
