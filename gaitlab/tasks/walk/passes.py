"""Straight walking passes: the parts of a clip that are analysed (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from gaitlab.core.geometry import leg_length_px
from gaitlab.core.types import PoseSequence
from gaitlab.signals.view import FRONTAL_VIEWS, SAGITTAL_VIEWS, facing_sign_x
from gaitlab.tasks.walk.forward import pelvis_xy, raw_forward, walking_direction, world_leg_m
from gaitlab.tasks.walk.series import runs

#: A pass shorter than this (about one stride at a slow 80 steps/min is 1.5 s) is not used.
MIN_PASS_S = 1.2
#: Time dropped at each end of a pass that borders another view: the turn into or out of it.
#: The view label follows a turn within about 0.2 s (the older adult of tests/data starts her
#: turn at the left edge at frame ~141, 30 fps, and her label changes at 148); at 0.3 s the
#: last heel strike before the turn (frame 136, read off the frames) was cut off with it.
TURN_TRIM_S = 0.2
#: Walking = the feet's fore-aft separation swings through at least this many leg lengths
#: within a centred window of this length (a step is ~0.8 leg lengths long, so the
#: separation swings through ~1.5; shuffling or standing swings through noise only). The
#: window holds a full stride down to ~80 steps/min.
STEPPING_MIN_LEGS = 0.3
STEPPING_WINDOW_S = 1.6
#: Rows this close to a join of recordings are left out: the picture jumps there and the
#: cleaning's low-pass spreads the jump over a few frames either side.
JOIN_MARGIN_S = 0.1


@dataclass(frozen=True)
class WalkPass:
    """A straight walking pass: rows ``start:stop`` of the pose, one view.

    ``axis`` is where the forward coordinate comes from: ``"image_x"`` (side and oblique
    views) or ``"world"`` (front/back views: depth from the world landmarks).
    ``direction`` is the walking direction along it (+1/−1); ``backwards`` is True when
    the subject faces against the direction of travel (walking backwards, or reversed
    footage).
    """

    start: int
    stop: int
    view: str
    axis: str
    direction: float
    backwards: bool = False

    @property
    def rows(self) -> slice:
        return slice(self.start, self.stop)


def _stepping(t: np.ndarray, sep: np.ndarray, min_swing: float, window_s: float) -> np.ndarray:
    n = len(sep)
    if n < 2:
        return np.zeros(n, dtype=bool)
    dt = float(np.median(np.diff(t)))
    size = max(3, int(round(window_s / dt)) | 1)
    hi = maximum_filter1d(np.where(np.isfinite(sep), sep, -np.inf), size, mode="nearest")
    lo = minimum_filter1d(np.where(np.isfinite(sep), sep, np.inf), size, mode="nearest")
    with np.errstate(invalid="ignore"):
        return (hi - lo) >= min_swing


def _axis_for(view: str, has_world: bool) -> str | None:
    if view in FRONTAL_VIEWS:
        return "world" if has_world else None
    return "image_x"


@dataclass
class _LeftOut:
    """Seconds of the clip left out of the passes, by reason."""

    turning_s: float = 0.0
    standing_s: float = 0.0
    short_s: float = 0.0
    no_depth_s: float = 0.0


def _view_spans(views: np.ndarray, a: int, b: int) -> list[tuple[int, int]]:
    """Rows ``a:b`` split where the view label changes."""
    cuts = [a] + [i for i in range(a + 1, b) if views[i] != views[i - 1]] + [b]
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def _way(pose: PoseSequence, lo: int, hi: int) -> float:
    """The walking direction along the image x axis in rows ``lo:hi`` if both its halves
    agree on it (no turn inside), else 0 (:func:`~.forward.walking_direction`: the planted
    feet move backwards relative to the pelvis, for a fixed or a panning camera)."""
    mid = (lo + hi) // 2
    ways = []
    for a, b in ((lo, mid), (mid, hi)):
        if b - a < 3:
            return 0.0
        sub = pose[a:b]
        ways.append(walking_direction(sub.t_s, raw_forward(sub, "image_x")))
    return ways[0] if ways[0] == ways[1] else 0.0


def _straight_spans(
    pose: PoseSequence, views: np.ndarray, a: int, b: int
) -> list[tuple[int, int, str]]:
    """Rows ``a:b`` split where the view label changes, except between side and oblique
    views while the walk goes on the same way (both halves of each part walking in the same
    direction): a limp or a slight angle to the camera can move the label between them while
    the walk goes straight on. Each span with its view (the label of most of its frames)."""
    spans: list[list] = []
    for lo, hi in _view_spans(views, a, b):
        view = str(views[lo])
        if spans:
            p_lo, p_hi, p_views = spans[-1]
            pair = {view, str(views[p_lo])}
            if pair <= {*SAGITTAL_VIEWS, "oblique"} and pair != set(SAGITTAL_VIEWS):
                way = _way(pose, p_lo, p_hi)
                if way != 0 and _way(pose, lo, hi) == way:
                    spans[-1] = [p_lo, hi, p_views + [(hi - lo, view)]]
                    continue
        spans.append([lo, hi, [(hi - lo, view)]])
    out = []
    for lo, hi, parts in spans:
        share: dict[str, int] = {}
        for n, v in parts:
            share[v] = share.get(v, 0) + n
        out.append((lo, hi, max(share, key=share.__getitem__)))
    return out


def _trim_turns(
    t: np.ndarray,
    views: np.ndarray,
    hips_ok: np.ndarray,
    run: tuple[int, int],
    span: tuple[int, int],
    turn_trim_s: float,
) -> tuple[int, int]:
    """The span ``lo:hi`` (one view, inside the usable ``run``) without the turning time at
    each end that borders another view."""
    (a, b), (lo, hi) = run, span
    n = len(views)
    view = str(views[lo])
    if views[hi - 1] != view:  # a straight span whose label moved between side and oblique
        view = "__straight__"
    lo2, hi2 = lo, hi
    if lo > a or (lo > 0 and views[lo - 1] not in ("unknown", view, views[lo]) and hips_ok[lo - 1]):
        lo2 = int(np.searchsorted(t, t[lo] + turn_trim_s))
    if hi < b or (hi < n and views[hi] not in ("unknown", view, views[hi - 1]) and hips_ok[hi]):
        hi2 = int(np.searchsorted(t, t[hi - 1] - turn_trim_s, side="right"))
    return lo2, hi2


def _walking_pieces(
    pose: PoseSequence,
    lo: int,
    hi: int,
    view: str,
    axis: str,
    unit_leg: float,
    *,
    min_pass_s: float,
    stepping_min_legs: float,
    stepping_window_s: float,
    left_out: _LeftOut,
    dt: float,
) -> list[WalkPass]:
    """The passes in rows ``lo:hi`` of one view: the stretches where the feet keep stepping
    for at least ``min_pass_s``, each with its walking direction."""
    sub = pose[lo:hi]
    raw = raw_forward(sub, axis)
    sep = raw["left_heel"] - raw["right_heel"]
    walking = _stepping(sub.t_s, sep, stepping_min_legs * unit_leg, stepping_window_s)
    left_out.standing_s += float((~walking).sum()) * dt
    passes: list[WalkPass] = []
    for c, d in runs(walking):
        if sub.t_s[d - 1] - sub.t_s[c] < min_pass_s:
            left_out.short_s += (d - c) * dt
            continue
        piece = {k: v[c:d] for k, v in raw.items()}
        direction = walking_direction(sub.t_s[c:d], piece)
        if direction == 0:
            continue
        backwards = False
        if axis == "image_x":
            facing = facing_sign_x(sub[c:d])
            known = facing[np.isfinite(facing)]
            if known.size and np.mean(known == -direction) > 0.5:
                backwards = True
        passes.append(WalkPass(lo + c, lo + d, view, axis, direction, backwards))
    return passes


def _left_out_notes(
    left_out: _LeftOut, missing_s: float, min_pass_s: float, t: np.ndarray, passes: list[WalkPass]
) -> list[str]:
    """Warnings saying what was left out of the passes and why."""
    notes: list[str] = []
    if left_out.turning_s >= 0.5:
        notes.append(
            f"{left_out.turning_s:.1f} s around changes of view (turning) were left out of the "
            "gait analysis"
        )
    if left_out.standing_s >= 0.5:
        notes.append(
            f"{left_out.standing_s:.1f} s without stepping (standing still or stepping on the "
            "spot) were left out of the gait analysis"
        )
    if left_out.short_s >= 0.5:
        notes.append(
            f"{left_out.short_s:.1f} s of walking in pieces shorter than {min_pass_s:g} s were "
            "left out of the gait analysis"
        )
    if left_out.no_depth_s >= 0.5:
        notes.append(
            f"{left_out.no_depth_s:.1f} s of walking towards or away from the camera could not "
            "be timed: that needs the pose model's depth (world) landmarks, which this pose "
            "has not"
        )
    if missing_s >= 0.5:
        notes.append(
            f"the subject was out of view for {missing_s:.1f} s (walking out of the frame); "
            "those parts were left out"
        )
    for p in passes:
        if p.backwards:
            notes.append(
                f"from {t[p.start]:.1f} s to {t[p.stop - 1]:.1f} s the subject faces away from "
                "the direction of travel (walking backwards, or the footage runs in reverse): "
                "steps and timing are reported, the foot strike there is not"
            )
    return notes


def find_passes(
    pose: PoseSequence,
    view_per_frame: np.ndarray,
    *,
    min_pass_s: float = MIN_PASS_S,
    turn_trim_s: float = TURN_TRIM_S,
    stepping_min_legs: float = STEPPING_MIN_LEGS,
    stepping_window_s: float = STEPPING_WINDOW_S,
    joins_s: tuple[float, ...] = (),
) -> tuple[list[WalkPass], list[str]]:
    """Straight walking passes of a cleaned pose (see the package docstring) and warnings
    saying what was left out and why. No pass runs across a time of ``joins_s`` (where the
    video joins recordings end to end): :data:`JOIN_MARGIN_S` either side is left out."""
    t = pose.t_s
    views = np.asarray(view_per_frame).astype(str)
    if len(pose) < 2:
        return [], ["the clip is too short to analyse walking"]
    leg_px = leg_length_px(pose)
    leg_m = world_leg_m(pose)
    hips_ok = np.isfinite(pelvis_xy(pose)).all(axis=1)
    usable = hips_ok & (views != "unknown")
    for join_s in joins_s:
        usable &= np.abs(t - join_s) > JOIN_MARGIN_S
    left_out = _LeftOut()
    dt = float(np.median(np.diff(t)))
    passes: list[WalkPass] = []
    for run in runs(usable):
        for lo, hi, view in _straight_spans(pose, views, *run):
            lo2, hi2 = _trim_turns(t, views, hips_ok, run, (lo, hi), turn_trim_s)
            left_out.turning_s += max(0, (lo2 - lo) + (hi - hi2)) * dt
            if hi2 - lo2 < 2:
                continue
            axis = _axis_for(view, pose.world is not None and np.isfinite(leg_m))
            if axis is None:
                left_out.no_depth_s += (hi2 - lo2) * dt
                continue
            passes += _walking_pieces(
                pose,
                lo2,
                hi2,
                view,
                axis,
                leg_m if axis == "world" else leg_px,
                min_pass_s=min_pass_s,
                stepping_min_legs=stepping_min_legs,
                stepping_window_s=stepping_window_s,
                left_out=left_out,
                dt=dt,
            )
    missing_s = float((~hips_ok).sum()) * dt
    return passes, _left_out_notes(left_out, missing_s, min_pass_s, t, passes)
