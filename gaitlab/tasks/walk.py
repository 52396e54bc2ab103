"""Walking: gait events, timing, per-stance knee valgus and pelvic drop, foot strike.

Passes
------
Only straight walking is analysed. The clip is cut into *passes*: runs of frames with one
view label (a change of label means the subject turned or the camera moved; the
:data:`TURN_TRIM_S` next to it are dropped as turning), with the subject's hips in view
(the cleaning bridges gaps up to 0.25 s, so a gap means the subject left the frame), in
which the feet keep stepping (their fore-aft separation swings through at least
:data:`STEPPING_MIN_LEGS` leg lengths within :data:`STEPPING_WINDOW_S`: standing still and
shuffling on the spot are not walking), and which last at least :data:`MIN_PASS_S`. What
was left out is said in the warnings.

Events (Zeni et al. 2008, refined)
----------------------------------
Zeni's rule takes the foot positions relative to the pelvis along the walking direction:
heel strike at the heel's most forward position, toe off at the toe's most backward one.
It is applied to the envelopes of the two feet (the leading heel, the trailing toe), which
peak at every step whichever foot it is, so a left/right swap the repair missed cannot
hide or invent a step; sides are then assigned by alternation, agreeing with the pose
model's labels where they are consistent. The walking direction is that in which the
planted feet move backwards relative to the pelvis (for a fixed or a panning camera alike,
and for footage that runs in reverse). In a side view the forward axis is the image x axis;
in front and back views it is depth, taken from the BlazePose world landmarks (Zeni's
original, 3D formulation), because in a single front or back image the foot's last few
centimetres before contact (seen from behind) and first after toe off (seen from the front)
run almost along the camera's line of sight (a heel landing at ~0.25 m/s down and ~1 m/s
forward, seen from 1 m up and 4 m away) and leave the image nearly still: image height puts
those events 40–240 ms off on the synthetic walker. Without world landmarks a front/back
pass is not timed (with a warning). The precision there is set by the depth jitter of the
world landmarks.

Zeni's extrema are not the contacts themselves: the heel is most forward while still
decelerating just before it lands (≈10–20 ms early), and the toe is most backward only when
it has caught up with the pelvis after lifting off at rest (≈30 ms late, more at slow
cadences). So each is refined on the foot's speed over the ground, ``u = d/dt(foot −
pelvis) + V``, where ``V`` is the walking speed, measured as the backward speed of the
planted feet relative to the pelvis (this works for a fixed or a panning camera): heel
strike where the heel's ground speed falls through :data:`HS_ARREST_FRAC` × V after Zeni's
maximum (the heel's arrest), toe off where the toe's ground speed last rises through
:data:`TO_ONSET_FRAC` × V before Zeni's minimum (the toe starting to move). Velocities come
from a cubic spline through the (band-limited) cleaned track, times are interpolated
between frames and come from the timestamps. Events that would put both feet in the air
(walking has no flight phase) are dropped as errors, and steps far from the pass's typical
step (a missed or spurious event) do not enter the timing.

Running (on a treadmill too) is timed by the same rules: the refinement works on the
foot's speed relative to the pelvis plus the walking speed, which is the speed over the
ground and over a treadmill's belt alike. What changes is which foot a toe off belongs to:
in walking the trailing foot lifts after the other has landed (double support), in running
the foot that landed last lifts before the other lands (flight). :func:`_assign_sides`
decides per toe off from where it falls in the step, and a pass whose toe offs are mostly
followed by a flight is running: there flight is reported instead of double support and
events are not dropped for putting both feet in the air.

Measures
--------
* Temporal (any view): steps (heel strikes), cadence from the mean of the steps within
  :data:`CADENCE_TRIM` of the median step (robust to one mis-timed heel strike), mean step
  and stride times, stance / swing / double support
  (% of the stride), step-time asymmetry ``|mean left step − mean right step| / mean of
  the two × 100`` (a left step ends with a left heel strike).
* Knee valgus (front/back views): FPPA over each stance phase, time-normalised and
  averaged over the stances of that leg (the gait-lab ensemble average); the metric is the
  peak of that mean curve after smoothing it to the bandwidth of walking
  (:data:`FPPA_SMOOTH_DEGREE`): the peak of each noisy stance is biased upwards by jitter,
  and so, less, is the peak of the unsmoothed mean.
* Contralateral pelvic drop (front/back views): pelvic obliquity (camera roll already
  removed by :func:`gaitlab.signals.measures.compute_signals`) minus its level over the pass's
  double-support frames (both feet down: the pelvis's own level; a trimmed mean,
  :data:`BASELINE_TRIM`), signed so that positive = the swing side's hip below the stance
  side's; peak per single-support phase, keyed by the stance side
  (``pelvic_drop_peak_left_deg``: standing on the left, the right hip drops);
  ensemble-averaged over the single supports on that leg and smoothed like FPPA
  (:data:`CPD_SMOOTH_DEGREE`).
* Foot strike (side views): foot angle = heel→toe against the floor at initial contact,
  + toe up, read over the last :data:`CONTACT_WINDOW_S` before contact. The floor line
  under each footfall is that foot's own heel→toe line in mid stance (foot flat), which
  also cancels camera roll and the landmarks' heights above the sole. Classes from the
  thresholds ``foot_strike_heel`` / ``foot_strike_forefoot``.
* Overstriding (side views): heel ahead of the pelvis at contact, in leg lengths (hip →
  knee → ankle).
* Trunk lean (side views): mean of ``trunk_lean_deg`` over the passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.ndimage import maximum_filter1d, minimum_filter1d
from scipy.signal import find_peaks
from scipy.stats import trim_mean

from gaitlab.core.geometry import leg_length_px
from gaitlab.core.landmarks import SIDES, Landmark, other_side, side_landmark
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Event, Flag, PoseSequence
from gaitlab.signals.clean import lowpass_signal
from gaitlab.signals.view import FRONTAL_VIEWS, SAGITTAL_VIEWS, facing_sign_x
from gaitlab.tasks.base import TaskContext, TaskResult

__all__ = [
    "HS_ARREST_FRAC",
    "MIN_PASS_S",
    "TO_ONSET_FRAC",
    "WalkPass",
    "analyze_walk",
    "detect_gait_events",
    "find_passes",
]

#: A pass shorter than this (about one stride at a slow 80 steps/min is 1.5 s) is not used.
MIN_PASS_S = 1.2
#: Time dropped at each end of a pass that borders another view: the turn into or out of it.
TURN_TRIM_S = 0.3
#: Walking = the feet's fore-aft separation swings through at least this many leg lengths
#: within a centred window of this length (a step is ~0.8 leg lengths long, so the
#: separation swings through ~1.5; shuffling or standing swings through noise only). The
#: window holds a full stride down to ~80 steps/min.
STEPPING_MIN_LEGS = 0.3
STEPPING_WINDOW_S = 1.6
#: Zeni extrema of the two feet's envelopes (one per step): at least this far apart (200
#: steps/min is 0.3 s per step) and this prominent (leg lengths; a step moves the leading
#: heel through ~0.5).
MIN_EVENT_SPACING_S = 0.25
MIN_PROMINENCE_LEGS = 0.1
#: Heel strike: the heel's ground speed falls through this fraction of walking speed. At
#: contact it drops from about walking speed to zero within a frame, so half way is the
#: instant of the drop, and the zero-phase low-pass of the cleaning keeps that half-way
#: point where it was.
HS_ARREST_FRAC = 0.5
#: Toe off: the toe's ground speed rises through this fraction of walking speed. The toe
#: leaves the floor at rest and reaches walking speed ~30 ms later (more when walking
#: slowly); the zero-phase low-pass spreads that onset ~20 ms both ways, so a low level
#: crossing lands early and a high one late. 0.3 is where the two balance on the synthetic
#: walker (mean error within ±15 ms from 80 to 140 steps/min at 30 and 60 fps).
TO_ONSET_FRAC = 0.3
#: Front and back views time the events on the world landmarks' depth, whose jitter is
#: large: on real clips ~3 cm per frame at 30 fps and ~1.5 cm at 60 fps, the same for the
#: heel, ankle and toe of one leg (correlation 0.95–1.0 between them; 0.8 with the knee),
#: so averaging the foot's landmarks does not help. The depth tracks are low-passed again
#: at this cut-off before the events (a step's forward swing is ~1 Hz), and the refinement
#: levels move to where the smoother onsets balance on the synthetic walker (mean errors
#: within ±8 ms): with realistic correlated jitter, 93–100 % of the events within one frame
#: and step-time MAE 15–17 ms at 30 fps (29 ms and 86–92 % without this).
DEPTH_LOWPASS_HZ = 4.0
HS_ARREST_FRAC_DEPTH = 0.6
TO_ONSET_FRAC_DEPTH = 0.4
#: A toe's ground speed that dips under the onset level but stays above this fraction of it
#: is already moving (jitter), not planted: see _take_off.
TO_DIP_FRAC = 0.5
#: Zeni extrema closer than this to the start or end of the data are not events.
EDGE_GUARD_S = 0.1
#: Walking has no flight phase: a heel strike or toe off while the other foot has been off
#: the ground for longer than this is an event error (a leg swap the repair missed, or a
#: glitch) and is dropped. The tolerance covers event timing errors at short double support.
FLIGHT_TOLERANCE_S = 0.05
#: Refinement search windows after Zeni's heel maximum / before its toe minimum.
REFINE_WINDOW_S = 0.15
#: Steps longer than this (or strides longer than twice it) are pauses, not steps.
MAX_STEP_S = 2.0
#: Steps outside this range × the pass's median step span a missed or spurious event.
STEP_RANGE = (0.6, 1.5)
#: Cadence is 60 / the mean of the steps within this fraction of the median step.
CADENCE_TRIM = 0.25
#: Where a foot is surely planted, in step times (heel strike to the next heel strike):
#: the leading heel from just after its strike until about when the other heel passes it,
#: the trailing toe before its toe off back to about the other foot's strike. For the
#: walking speed.
HEEL_PLANTED = (0.15, 0.45)
TOE_PLANTED = (0.15, 0.45)
#: Where the foot is flat, in fractions of its stance from heel strike: its heel→toe line
#: there is the floor under that footfall.
FLAT_FOOT = (0.3, 0.5)
#: The foot angle at contact is read over this time up to the contact (see _contact_angle).
CONTACT_WINDOW_S = 0.04
STRIKE_CLASSES = ("heel", "midfoot", "forefoot")
#: Above this share of a stride per frame (%), running stance/flight percentages get a
#: precision warning (30 fps at 170 steps/min: 4.7 %).
STANCE_FRAME_PCT_WARN = 3.0
#: Rearfoot eversion is read over this part of each stance (fractions from heel strike):
#: mid-stance, where it peaks, clear of the heel strike and heel rise.
REARFOOT_WINDOW = (0.2, 0.6)
#: A per-stance or per-single-support peak needs the signal on this fraction of its frames.
MIN_COVERAGE = 0.6


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


@dataclass
class _SideEvents:
    hs: list[float] = field(default_factory=list)
    to: list[float] = field(default_factory=list)


# -- small helpers -------------------------------------------------------------------------
def _pt(pose: PoseSequence, side: str, part: str) -> np.ndarray:
    return pose.point(side_landmark(side, part))


def _pelvis_xy(pose: PoseSequence) -> np.ndarray:
    return 0.5 * (pose.point(Landmark.LEFT_HIP) + pose.point(Landmark.RIGHT_HIP))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], np.asarray(mask, bool), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _row_at(t: np.ndarray, t_event: float) -> int:
    return int(np.argmin(np.abs(t - t_event)))


def _interp(t: np.ndarray, v: np.ndarray, t_at: float) -> float:
    ok = np.isfinite(v)
    if ok.sum() < 2 or not t[ok][0] <= t_at <= t[ok][-1]:
        return float("nan")
    return float(np.interp(t_at, t[ok], v[ok]))


def _crossing(t: np.ndarray, u: np.ndarray, level: float, rising: bool) -> np.ndarray:
    """Times where ``u`` crosses ``level`` (upwards if ``rising``), interpolated."""
    s = (u - level) if rising else (level - u)
    with np.errstate(invalid="ignore"):
        idx = np.flatnonzero((s[:-1] < 0) & (s[1:] >= 0))
    a, b = s[idx], s[idx + 1]
    return t[idx] + (t[idx + 1] - t[idx]) * (-a) / (b - a)


def _fine_velocity(
    t: np.ndarray, v: np.ndarray, upsample: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Velocity of ``v`` on a grid ``upsample`` times finer than the frames, from a cubic
    spline through each finite run. The cleaned tracks are band-limited (6 Hz low-pass) and
    so well sampled at 25+ fps; a central difference would attenuate their 6 Hz content by
    a quarter at 30 fps and smear a toe's take-off over two frames."""
    grid_t, grid_v = [], []
    for a, b in _runs(np.isfinite(v)):
        if b - a < 4:
            continue
        spline = CubicSpline(t[a:b], v[a:b])
        tt = np.linspace(t[a], t[b - 1], (b - a - 1) * upsample + 1)
        grid_t.append(tt)
        grid_v.append(spline(tt, 1))
        grid_t.append([np.nan])  # keep runs apart
        grid_v.append([np.nan])
    if not grid_t:
        return np.array([]), np.array([])
    return np.concatenate(grid_t), np.concatenate(grid_v)


def _gradient(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    out = np.full(len(v), np.nan)
    for a, b in _runs(np.isfinite(v)):
        if b - a >= 2:
            out[a:b] = np.gradient(v[a:b], t[a:b])
    return out


def _mean(values: list[float], ndigits: int = 2) -> float | None:
    v = [x for x in values if x is not None and np.isfinite(x)]
    return round(float(np.mean(v)), ndigits) if v else None


# -- forward coordinates -------------------------------------------------------------------
def _world_leg_m(pose: PoseSequence) -> float:
    if pose.world is None:
        return float("nan")
    w = pose.world
    vals = []
    for side in SIDES:
        hip, knee, ankle = (w[:, side_landmark(side, p)] for p in ("hip", "knee", "ankle"))
        vals.append(np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1))
    v = np.concatenate(vals)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def _raw_forward(pose: PoseSequence, axis: str) -> dict[str, np.ndarray]:
    """Heel and toe positions relative to the pelvis along ``axis`` (sign not yet set):
    ``{"left_heel": (T,), ...}``; pixels for the image axes, metres for world."""
    out: dict[str, np.ndarray] = {}
    if axis == "world":
        w = pose.world
        assert w is not None
        pelvis = 0.5 * (w[:, Landmark.LEFT_HIP] + w[:, Landmark.RIGHT_HIP])
        for side in SIDES:
            for part in ("heel", "foot_index"):
                rel = w[:, side_landmark(side, part)] - pelvis
                out[f"{side}_{part}"] = rel[:, 2]  # depth: z grows away from the camera
        return out
    pelvis = _pelvis_xy(pose)
    k = 0 if axis == "image_x" else 1
    for side in SIDES:
        for part in ("heel", "foot_index"):
            out[f"{side}_{part}"] = _pt(pose, side, part)[:, k] - pelvis[:, k]
    return out


def _direction(t: np.ndarray, raw: dict[str, np.ndarray]) -> float:
    """Walking direction along the axis: the planted feet move backwards relative to the
    pelvis for most of the time (each foot is down ~60 % of the stride), so the median
    relative velocity of the toes points backwards, whether the camera is fixed or pans."""
    vel = np.concatenate([_gradient(t, raw[f"{s}_foot_index"]) for s in SIDES])
    vel = vel[np.isfinite(vel)]
    if not vel.size:
        return 0.0
    return float(-np.sign(np.median(vel)))


# -- passes --------------------------------------------------------------------------------
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


def find_passes(
    pose: PoseSequence,
    view_per_frame: np.ndarray,
    *,
    min_pass_s: float = MIN_PASS_S,
    turn_trim_s: float = TURN_TRIM_S,
    stepping_min_legs: float = STEPPING_MIN_LEGS,
    stepping_window_s: float = STEPPING_WINDOW_S,
) -> tuple[list[WalkPass], list[str]]:
    """Straight walking passes of a cleaned pose (see the module docstring) and warnings
    saying what was left out and why."""
    n = len(pose)
    t = pose.t_s
    views = np.asarray(view_per_frame).astype(str)
    notes: list[str] = []
    if n < 2:
        return [], ["the clip is too short to analyse walking"]
    leg_px = leg_length_px(pose)
    leg_m = _world_leg_m(pose)
    hips_ok = np.isfinite(_pelvis_xy(pose)).all(axis=1)
    usable = hips_ok & (views != "unknown")
    turning_s = standing_s = short_s = no_depth_s = 0.0
    dt = float(np.median(np.diff(t)))
    passes: list[WalkPass] = []
    for a, b in _runs(usable):
        # split at view changes
        cuts = [a] + [i for i in range(a + 1, b) if views[i] != views[i - 1]] + [b]
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            view = str(views[lo])
            lo2, hi2 = lo, hi
            if lo > a or (lo > 0 and views[lo - 1] not in ("unknown", view) and hips_ok[lo - 1]):
                lo2 = int(np.searchsorted(t, t[lo] + turn_trim_s))
            if hi < b or (hi < n and views[hi] not in ("unknown", view) and hips_ok[hi]):
                hi2 = int(np.searchsorted(t, t[hi - 1] - turn_trim_s, side="right"))
            turning_s += max(0, (lo2 - lo) + (hi - hi2)) * dt
            if hi2 - lo2 < 2:
                continue
            axis = _axis_for(view, pose.world is not None and np.isfinite(leg_m))
            if axis is None:
                no_depth_s += (hi2 - lo2) * dt
                continue
            sub = pose[lo2:hi2]
            raw = _raw_forward(sub, axis)
            unit_leg = leg_m if axis == "world" else leg_px
            sep = raw["left_heel"] - raw["right_heel"]
            walking = _stepping(sub.t_s, sep, stepping_min_legs * unit_leg, stepping_window_s)
            standing_s += float((~walking).sum()) * dt
            for c, d in _runs(walking):
                if sub.t_s[d - 1] - sub.t_s[c] < min_pass_s:
                    short_s += (d - c) * dt
                    continue
                piece = {k: v[c:d] for k, v in raw.items()}
                direction = _direction(sub.t_s[c:d], piece)
                if direction == 0:
                    continue
                backwards = False
                if axis == "image_x":
                    facing = facing_sign_x(sub[c:d])
                    known = facing[np.isfinite(facing)]
                    if known.size and np.mean(known == -direction) > 0.5:
                        backwards = True
                passes.append(WalkPass(lo2 + c, lo2 + d, view, axis, direction, backwards))
    if turning_s >= 0.5:
        notes.append(
            f"{turning_s:.1f} s around changes of view (turning) were left out of the gait analysis"
        )
    if standing_s >= 0.5:
        notes.append(
            f"{standing_s:.1f} s without stepping (standing still or stepping on the spot) "
            "were left out of the gait analysis"
        )
    if short_s >= 0.5:
        notes.append(
            f"{short_s:.1f} s of walking in pieces shorter than {min_pass_s:g} s were left out "
            "of the gait analysis"
        )
    if no_depth_s >= 0.5:
        notes.append(
            f"{no_depth_s:.1f} s of walking towards or away from the camera could not be timed: "
            "that needs the pose model's depth (world) landmarks, which this pose has not"
        )
    missing_s = float((~hips_ok).sum()) * dt
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
    return passes, notes


# -- events --------------------------------------------------------------------------------
def _extrema(t: np.ndarray, v: np.ndarray, prominence: float, maxima: bool) -> list[int]:
    out: list[int] = []
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    distance = max(1, int(round(MIN_EVENT_SPACING_S / dt)))
    for a, b in _runs(np.isfinite(v)):
        if b - a < 3:
            continue
        seg = v[a:b] if maxima else -v[a:b]
        peaks, _ = find_peaks(seg, prominence=prominence, distance=distance)
        # An extremum needs data on both sides: at the ends of a run the signal is cut off
        # (and the low-pass filter has edge transients).
        tr = t[a:b]
        keep = (tr[peaks] - tr[0] >= EDGE_GUARD_S) & (tr[-1] - tr[peaks] >= EDGE_GUARD_S)
        out += [a + int(p) for p in peaks[keep]]
    return out


def _alternate(
    hs: list[int], to: list[int], hs_t: list[float], to_t: list[float], heel, toe
) -> tuple[list[int], list[int]]:
    """Keep heel strikes and toe offs alternating in time (HS, TO, HS …): of two of a kind
    closer than ``STEP_RANGE[0]`` × the median step, the more extreme Zeni extremum
    stays (the other is spurious); two further apart are both kept (the event between them
    was missed: a foot hidden for a moment). Returns the positions kept in ``hs`` / ``to``.
    Run on the refined times: in running the toe's Zeni minimum falls on the other foot's
    strike, and only its refinement puts it before that strike."""
    gaps = np.diff(sorted(hs_t))
    step = float(np.median(gaps)) if gaps.size else np.inf
    seq = sorted(
        [(hs_t[k], "hs", k) for k in range(len(hs))] + [(to_t[k], "to", k) for k in range(len(to))]
    )
    out: list[tuple[float, str, int]] = []
    for te, kind, k in seq:
        if out and out[-1][1] == kind and te - out[-1][0] < STEP_RANGE[0] * step:
            j = out[-1][2]
            better = heel[hs[k]] > heel[hs[j]] if kind == "hs" else toe[to[k]] < toe[to[j]]
            if better:
                out[-1] = (te, kind, k)
            continue
        out.append((te, kind, k))
    return [k for _, kind, k in out if kind == "hs"], [k for _, kind, k in out if kind == "to"]


def _drop_flight_events(events: dict[str, _SideEvents]) -> int:
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


def _assign_sides(
    hs_t: list[float], hs_label: list[str], to_t: list[float], to_label: list[str]
) -> tuple[dict[str, _SideEvents], int, int]:
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
    out = {side: _SideEvents() for side in SIDES}
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


def detect_gait_events(
    t: np.ndarray,
    forward: dict[str, np.ndarray],
    leg: float,
    *,
    refine: bool = True,
    hs_arrest_frac: float = HS_ARREST_FRAC,
    to_onset_frac: float = TO_ONSET_FRAC,
) -> tuple[dict[str, _SideEvents], float]:
    """Heel strikes and toe offs of one pass.

    Zeni's rule is applied to the envelopes of the two feet: the leading heel (the more
    forward of the two) peaks at every heel strike, whichever foot lands, and the trailing
    toe dips at every toe off. This is immune to left/right label swaps; sides are assigned
    afterwards (:func:`_assign_sides`).

    Parameters
    ----------
    t
        ``(T,)`` timestamps of the pass.
    forward
        ``{"left_heel", "left_foot_index", "right_heel", "right_foot_index"}`` → ``(T,)``
        positions relative to the pelvis along the walking direction (+ = ahead), any unit.
    leg
        The leg length in the same unit (prominence and spacing checks).
    refine
        Refine Zeni's extrema on the ground speed (module docstring); False keeps them.

    Returns
    -------
    Per side, the event times (s); the walking speed in units/s (NaN if unknown); the gait,
    ``"running"`` when most toe offs are followed by a flight phase (both feet in the air
    before the next heel strike), else ``"walking"``. Walking has no flight phase, so there
    an event that would put both feet in the air is dropped as an error.
    """
    lh, rh = forward["left_heel"], forward["right_heel"]
    lt, rt = forward["left_foot_index"], forward["right_foot_index"]
    with np.errstate(invalid="ignore"):
        heel = np.fmax(lh, rh)
        heel_who = np.where(np.isnan(rh) | (lh >= rh), "left", "right")
        toe = np.fmin(lt, rt)
        toe_who = np.where(np.isnan(rt) | (lt <= rt), "left", "right")
    prom = MIN_PROMINENCE_LEGS * leg
    hs = _extrema(t, heel, prom, maxima=True)
    to = _extrema(t, toe, prom, maxima=False)

    # Walking speed: a planted foot moves backwards relative to the pelvis at walking speed;
    # the leading heel is planted from just after its strike until the other heel passes
    # it, the trailing toe from the other foot's strike until it lifts.
    speed = float("nan")
    steps = np.diff(t[hs]) if len(hs) > 1 else np.array([])
    steps = steps[steps <= MAX_STEP_S]
    if steps.size:
        step = float(np.median(steps))
        vh, vt = _gradient(t, heel), _gradient(t, toe)
        w = np.zeros(len(t), dtype=bool)
        for i in hs:
            w |= (t >= t[i] + HEEL_PLANTED[0] * step) & (t <= t[i] + HEEL_PLANTED[1] * step)
        samples = [-vh[w]]
        w = np.zeros(len(t), dtype=bool)
        for i in to:
            w |= (t >= t[i] - TOE_PLANTED[1] * step) & (t <= t[i] - TOE_PLANTED[0] * step)
        samples.append(-vt[w])
        s = np.concatenate(samples)
        s = s[np.isfinite(s)]
        if s.size >= 3 and np.median(s) > 0:
            speed = float(np.median(s))

    hs_t = [float(t[i]) for i in hs]
    to_t = [float(t[i]) for i in to]
    if refine and np.isfinite(speed):
        th, vh = _fine_velocity(t, heel)
        tt, vt = _fine_velocity(t, toe)
        down = _crossing(th, vh + speed, hs_arrest_frac * speed, rising=False)
        up = _crossing(tt, vt + speed, to_onset_frac * speed, rising=True)
        for k, i in enumerate(hs):
            c = down[(down > t[i]) & (down <= t[i] + REFINE_WINDOW_S)]
            if c.size:
                hs_t[k] = float(c[0])
        for k, i in enumerate(to):
            c = up[(up < t[i]) & (up >= t[i] - REFINE_WINDOW_S)]
            if c.size:
                to_t[k] = _take_off(c, tt, vt + speed, TO_DIP_FRAC * to_onset_frac * speed)
    keep_hs, keep_to = _alternate(hs, to, hs_t, to_t, heel, toe)
    out, n_flight, n_double = _assign_sides(
        [hs_t[k] for k in keep_hs],
        [str(heel_who[hs[k]]) for k in keep_hs],
        [to_t[k] for k in keep_to],
        [str(toe_who[to[k]]) for k in keep_to],
    )
    gait = "running" if n_flight > n_double else "walking"
    if gait == "walking":
        _drop_flight_events(out)
    return out, speed, gait


def _take_off(crossings: np.ndarray, tt: np.ndarray, u: np.ndarray, floor: float) -> float:
    """The toe's take-off among the rising crossings of the onset level before Zeni's
    minimum: the last one, moved back over crossings where the speed only dipped (to no less
    than ``floor``) before rising again: jitter on a toe that is already moving."""
    k = len(crossings) - 1
    while k > 0:
        between = (tt > crossings[k - 1]) & (tt < crossings[k])
        if not between.any() or np.nanmin(u[between]) < floor:
            break
        k -= 1
    return float(crossings[k])


# -- gait cycle bookkeeping ----------------------------------------------------------------
@dataclass(frozen=True)
class _Stance:
    side: str
    hs: float
    to: float
    next_hs: float | None  # the same foot's next heel strike (end of the stride), if seen
    pass_index: int


def _stances(events: dict[str, _SideEvents], pass_index: int) -> list[_Stance]:
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
            out.append(_Stance(side, h, later[0], nxt, pass_index))
    return out


def _stance_signal(t: np.ndarray, ev: _SideEvents) -> np.ndarray:
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


def _temporal(events_per_pass: list[dict[str, _SideEvents]], gaits: list[str]) -> dict[str, Any]:
    steps: list[tuple[str, float]] = []  # (side of the heel strike ending the step, time)
    strides: list[float] = []
    stance_pct: dict[str, list[float]] = {s: [] for s in SIDES}
    ds_pct: list[float] = []
    flight_pct: list[float] = []
    n_hs = 0
    for ev in events_per_pass:
        hs = sorted((h, s) for s in SIDES for h in ev[s].hs)
        n_hs += len(hs)
        pairs = [
            (s1, t1 - t0)
            for (t0, s0), (t1, s1) in zip(hs[:-1], hs[1:], strict=True)
            if s0 != s1 and t1 - t0 <= MAX_STEP_S
        ]
        if pairs:
            # A step much longer or shorter than the pass's typical step spans a missed or
            # a spurious heel strike: timing from it would be wrong.
            typical = float(np.median([d for _, d in pairs]))
            lo, hi = STEP_RANGE
            steps += [(side, d) for side, d in pairs if lo * typical <= d <= hi * typical]
        for side in SIDES:
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
                strides.append(stride)
                to = [o for o in own_to if h0 < o < h1]
                if len(to) != 1:
                    continue
                stance_pct[side].append(100.0 * (to[0] - h0) / stride)
                if to[0] > opp_between[0]:  # lifts after the other foot lands: walking
                    opp_to_first = [o for o in opp_to if h0 < o < to[0]]
                    if len(opp_to_first) != 1:
                        continue
                    initial = opp_to_first[0] - h0
                    terminal = to[0] - opp_between[0]
                    if initial > 0 and terminal > 0:
                        ds_pct.append(100.0 * (initial + terminal) / stride)
                else:  # lifts before: a flight until the other foot lands (running)
                    opp_to_next = [o for o in opp_to if opp_between[0] < o < h1]
                    if len(opp_to_next) != 1:
                        continue
                    flight = (opp_between[0] - to[0]) + (h1 - opp_to_next[0])
                    if flight > 0:
                        flight_pct.append(100.0 * flight / stride)
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


# -- flags ---------------------------------------------------------------------------------
def _flag(
    pose: PoseSequence,
    threshold: Threshold,
    *,
    rule: str,
    side: str | None,
    value: float,
    limit: float,
    row: int,
    span_s: tuple[float, float],
    message: str,
    signal: str | None,
    severity: str = "warning",
) -> Flag:
    return Flag(
        rule=rule,
        severity=severity,
        side=side,
        start_s=float(span_s[0]),
        end_s=float(span_s[1]),
        frame=int(pose.frame_index[row]),
        value=float(value),
        threshold=float(limit),
        unit=threshold.unit,
        message=message,
        source=threshold.source + (" (provisional)" if threshold.provisional else ""),
        signal=signal,
    )


# -- the analyzer --------------------------------------------------------------------------
def analyze_walk(ctx: TaskContext) -> TaskResult:
    """Gait events, temporal parameters, per-stance knee valgus and pelvic drop, foot strike,
    overstriding and trunk lean of a walk (see the module docstring).

    Metrics: ``steps``, ``cadence_spm``, ``step_time_mean_s``, ``stride_time_mean_s``,
    ``step_time_left_s`` / ``_right_s``, ``step_time_asymmetry_pct``,
    ``stance_pct_left`` / ``_right``, ``swing_pct_left`` / ``_right``,
    ``double_support_pct`` (walking), ``flight_pct`` (running: both feet off the ground, %
    of the stride), ``gait`` (``walking``, ``running`` or ``walking and running``, per pass
    from the toe offs: see :func:`_assign_sides`), ``walking_speed_legs_per_s`` (side views),
    ``fppa_peak_left_deg`` / ``_right_deg``, ``pelvic_drop_peak_left_deg`` / ``_right_deg``
    (keyed by the stance side), ``foot_strike_left`` / ``_right`` (``heel``, ``midfoot`` or
    ``forefoot``: the class of the median contact angle), ``foot_strike_angle_left_deg`` /
    ``_right_deg`` (median), ``foot_strike_<class>_pct_<side>`` (share of the contacts in
    each class), ``overstride_left_legs`` / ``_right_legs`` (mean), ``trunk_lean_mean_deg``,
    ``rearfoot_eversion_mean_left_deg`` / ``_right_deg`` (back views, a trend: see
    :func:`_rearfoot_trend`), ``walking_passes``, ``walking_time_s``. None where no pass
    supports a measure, with the reason in ``warnings``.

    Events: ``heel_strike`` / ``toe_off`` with side, time and source frame. Signals:
    ``stance_left`` / ``stance_right`` (1 in stance, 0 in swing, NaN outside the analysed
    passes), ``pelvic_drop_deg`` (single support, + = swing-side hip lower),
    ``foot_angle_left_deg`` / ``_right_deg`` and ``heel_ahead_left_legs`` /
    ``_right_legs`` (side-view passes).
    """
    pose, th = ctx.pose, ctx.thresholds
    n = len(pose)
    t = pose.t_s
    views = np.asarray(ctx.view_per_frame).astype(str)
    nan = np.full(n, np.nan)
    result_warnings: list[str] = []
    passes, notes = find_passes(pose, views)
    result_warnings += notes
    leg_px = leg_length_px(pose)
    leg_m = _world_leg_m(pose)

    signals: dict[str, np.ndarray] = {
        "stance_left": nan.copy(),
        "stance_right": nan.copy(),
        "pelvic_drop_deg": nan.copy(),
        "foot_angle_left_deg": nan.copy(),
        "foot_angle_right_deg": nan.copy(),
        "heel_ahead_left_legs": nan.copy(),
        "heel_ahead_right_legs": nan.copy(),
    }
    events: list[Event] = []
    events_per_pass: list[dict[str, _SideEvents]] = []
    stances: list[_Stance] = []
    speeds_legs: list[float] = []
    gaits: list[str] = []
    for k, p in enumerate(passes):
        sub = pose[p.rows]
        raw = _raw_forward(sub, p.axis)
        forward = {key: v * p.direction for key, v in raw.items()}
        unit_leg = leg_m if p.axis == "world" else leg_px
        fractions = {}
        if p.axis == "world":
            forward = {
                key: lowpass_signal(sub.t_s, v, DEPTH_LOWPASS_HZ) for key, v in forward.items()
            }
            fractions = {
                "hs_arrest_frac": HS_ARREST_FRAC_DEPTH,
                "to_onset_frac": TO_ONSET_FRAC_DEPTH,
            }
        # Reversed footage turns the onset/arrest shapes inside out: keep Zeni's extrema.
        ev, speed, gait = detect_gait_events(
            sub.t_s, forward, unit_leg, refine=not p.backwards, **fractions
        )
        events_per_pass.append(ev)
        gaits.append(gait)
        if np.isfinite(speed) and p.axis == "image_x":
            speeds_legs.append(speed / leg_px)
        for side in SIDES:
            for kind, times in (("heel_strike", ev[side].hs), ("toe_off", ev[side].to)):
                for te in times:
                    row = p.start + _row_at(sub.t_s, te)
                    events.append(Event(kind, float(te), int(pose.frame_index[row]), side))
        pass_stances = _stances(ev, k)
        stances += pass_stances
        for side in SIDES:
            signals[f"stance_{side}"][p.rows] = _stance_signal(t[p.rows], ev[side])
    events.sort(key=lambda e: (e.t_s, e.type))

    metrics: dict[str, Any] = {
        "walking_passes": len(passes),
        "walking_time_s": round(float(sum(t[p.stop - 1] - t[p.start] for p in passes)), 2),
    }
    metrics.update(_temporal(events_per_pass, gaits))
    metrics["walking_speed_legs_per_s"] = (
        round(float(np.median(speeds_legs)), 2) if speeds_legs else None
    )
    stride = metrics.get("stride_time_mean_s")
    if metrics.get("gait") in ("running", "walking and running") and stride:
        frame_pct = 100.0 * float(np.median(np.diff(t))) / stride
        if frame_pct > STANCE_FRAME_PCT_WARN:
            result_warnings.append(
                f"running: one frame is {frame_pct:.0f} % of a stride at this frame rate, so "
                f"stance and flight percentages are uncertain by about ±{frame_pct:.0f} %; "
                "film at 60 fps or more for contact times"
            )
    if not passes:
        result_warnings.append(
            "no straight walking was found: walk at least a few steps in a straight line, "
            "with the whole body in view"
        )
    elif metrics["steps"] is None:
        result_warnings.append("no steps could be detected in the walking passes")

    flags: list[Flag] = []
    _frontal_measures(ctx, passes, stances, signals, metrics, flags, result_warnings)
    _sagittal_measures(ctx, passes, stances, signals, metrics, flags, result_warnings, leg_px)
    _rearfoot_trend(ctx, passes, stances, metrics, result_warnings)

    asym = metrics.get("step_time_asymmetry_pct")
    thr = th.get("step_time_asymmetry")
    if asym is not None and thr is not None and thr.crossed(asym, ctx.sex):
        limit = thr.for_sex(ctx.sex)
        hs = [e for e in events if e.type == "heel_strike"]
        row = _row_at(t, hs[0].t_s) if hs else 0
        flags.append(
            _flag(
                pose,
                thr,
                rule="step_time_asymmetry",
                side=None,
                value=asym,
                limit=limit,
                row=row,
                span_s=(hs[0].t_s, hs[-1].t_s) if hs else (t[0], t[-1]),
                message=(
                    f"uneven steps: left steps take {metrics['step_time_left_s']:.2f} s, right "
                    f"steps {metrics['step_time_right_s']:.2f} s ({asym:.0f} % apart, "
                    f"threshold {limit:g} %)"
                ),
                signal=None,
            )
        )
    return TaskResult(
        metrics=metrics,
        events=events,
        flags=sorted(flags, key=lambda f: f.start_s),
        warnings=list(dict.fromkeys(result_warnings)),
        signals=signals,
    )


#: Phases are resampled to this many points (0–100 %) for the ensemble average.
PHASE_POINTS = 51
#: Smoothing of the ensemble curves before their peak is taken. Even averaged over the
#: stances, the curve still carries the landmark jitter (2.5 px per landmark at 4 m is
#: ≈ 2.3° of FPPA and ≈ 2.5° of hip-line tilt per frame after the 6 Hz low-pass), and the
#: maximum of a noisy curve is biased upwards and spread by that noise. Time-normalised gait
#: kinematics carry little above the ~5th harmonic of the stride frequency (Winter's 6 Hz is
#: that at a brisk 140 steps/min; at 80 steps/min it is ≈ 3.3 Hz, so the 6 Hz low-pass
#: leaves in jitter that walking does not have). A least-squares polynomial follows about
#: one cycle per two degrees, so a phase lasting a fraction f of the stride is smoothed to
#: that bandwidth by a polynomial of degree ≈ 10 f: 6 over stance (60 % of the stride), 4
#: over single support (40 %). On the synthetic walker (front/back, 80–140 steps/min, 30/60
#: fps, 0.4–0.5 % jitter, 800 clips) this cuts the FPPA peak error from 0.78° to 0.62° RMS,
#: its worst case from 2.9° to 2.2° and the peaks beyond 2° from 9 to 1; noise-free the
#: smoothing moves the peak by < 0.1°.
FPPA_SMOOTH_DEGREE = 6
CPD_SMOOTH_DEGREE = 4
#: The pelvic-drop baseline (the pelvis's level in double support) is the mean of the
#: double-support frames with this fraction trimmed off each end: nearly as efficient as the
#: mean on jitter (the median's variance is 1.57 times the mean's, and the baseline's error
#: enters both sides' drop), while a few frames at a mis-timed event cannot pull it.
BASELINE_TRIM = 0.2


@dataclass(frozen=True)
class _Phase:
    """One stance or single-support phase of a per-frame signal: its own peak (value and
    row) and the signal resampled over the phase (:data:`PHASE_POINTS`)."""

    peak: float
    row: int
    curve: np.ndarray
    start_s: float
    end_s: float


def _phase(t: np.ndarray, values: np.ndarray, t0: float, t1: float) -> _Phase | None:
    w = np.flatnonzero((t >= t0) & (t <= t1))
    if w.size < 3:
        return None
    v = values[w]
    ok = np.isfinite(v)
    if ok.mean() < MIN_COVERAGE:
        return None
    i = int(w[np.nanargmax(v)])
    grid = np.linspace(t0, t1, PHASE_POINTS)
    curve = np.interp(grid, t[w][ok], v[ok])
    return _Phase(float(values[i]), i, curve, float(t0), float(t1))


def _ensemble_peak(phases: list[_Phase], smooth_degree: int) -> float | None:
    """Peak of the mean time-normalised curve, smoothed by a least-squares polynomial of
    ``smooth_degree`` (see :data:`FPPA_SMOOTH_DEGREE`). The peak of each noisy phase is
    biased upwards by the landmark jitter (the maximum of noise is positive); averaging the
    phases first (the usual gait-lab ensemble average) cuts that by √n, the smoothing takes
    out the jitter faster than walking moves."""
    if not phases:
        return None
    mean = np.mean([p.curve for p in phases], axis=0)
    u = np.linspace(0.0, 1.0, len(mean))
    fit = np.polynomial.Legendre.fit(u, mean, smooth_degree, domain=[0.0, 1.0])
    return round(float(np.max(fit(np.linspace(0.0, 1.0, 4 * len(mean) - 3)))), 2)


def _peak_flags(
    ctx: TaskContext,
    metrics: dict[str, Any],
    phases: dict[str, list[_Phase]],
    *,
    rule: str,
    metric: str,
    signal: str,
    message: Callable[[str, float, _Phase, float], str],
) -> list[Flag]:
    """Flags for a per-side ensemble peak (``metric`` with ``{side}``) over the threshold
    ``rule``, one per side, pointing at the phase with the largest single peak.
    ``message(side, value, worst_phase, limit)`` words it; ``signal`` (may hold ``{side}``)
    names the plotted signal."""
    thr = ctx.thresholds.get(rule)
    if thr is None:
        return []
    limit = thr.for_sex(ctx.sex)
    out = []
    for side in SIDES:
        value = metrics[metric.format(side=side)]
        if value is None or not thr.crossed(value, ctx.sex):
            continue
        worst = max(phases[side], key=lambda ph: ph.peak)
        out.append(
            _flag(
                ctx.pose,
                thr,
                rule=rule,
                side=side,
                value=value,
                limit=limit,
                row=worst.row,
                span_s=(worst.start_s, worst.end_s),
                message=message(side, value, worst, limit),
                signal=signal.format(side=side),
            )
        )
    return out


def _frontal_measures(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[_Stance],
    signals: dict[str, np.ndarray],
    metrics: dict[str, Any],
    flags: list[Flag],
    notes: list[str],
) -> None:
    t = ctx.pose.t_s
    # Knee valgus: peak FPPA per stance.
    fppa: dict[str, list[_Phase]] = {s: [] for s in SIDES}
    for st in stances:
        sig = ctx.signals.values.get(f"fppa_{st.side}_deg")
        if sig is None:
            continue
        ph = _phase(t, sig, st.hs, st.to)
        if ph is not None:
            fppa[st.side].append(ph)
    for side in SIDES:
        metrics[f"fppa_peak_{side}_deg"] = _ensemble_peak(fppa[side], FPPA_SMOOTH_DEGREE)
    if passes and not any(fppa.values()):
        notes.append(
            "knee valgus (FPPA) while walking needs a front or back view of straight "
            "walking; no part of the walk was filmed that way"
        )
    flags += _peak_flags(
        ctx,
        metrics,
        fppa,
        rule="fppa_peak",
        metric="fppa_peak_{side}_deg",
        signal="fppa_{side}_deg",
        message=lambda side, value, worst, limit: (
            f"{side} knee caving in while standing on it: peak FPPA {value:.1f}° "
            f"over {len(fppa[side])} steps (largest {worst.peak:.1f}°), threshold "
            f"{limit:g}°"
        ),
    )

    # Contralateral pelvic drop per single support.
    obl = ctx.signals.values.get("pelvic_obliquity_deg")
    drops: dict[str, list[_Phase]] = {s: [] for s in SIDES}
    if obl is not None and np.isfinite(obl).any():
        for k, p in enumerate(passes):
            ps = [s for s in stances if s.pass_index == k]
            rows = np.arange(p.start, p.stop)
            tt = t[rows]
            down = {side: np.zeros(len(rows), bool) for side in SIDES}  # foot on the floor
            for s in ps:
                down[s.side] |= (tt >= s.hs) & (tt <= s.to)
            double = down["left"] & down["right"] & np.isfinite(obl[rows])
            if double.sum() < 3:
                continue
            base = float(trim_mean(obl[rows][double], BASELINE_TRIM))
            for s in ps:
                other = other_side(s.side)
                # single support: the other foot's toe off to its next heel strike
                opp = [o for o in ps if o.side == other]
                off = [o.to for o in opp if s.hs < o.to < s.to]
                on = [o.hs for o in opp if s.hs < o.hs <= s.to + 1e-9]
                if len(off) != 1 or len(on) != 1 or not off[0] < on[0]:
                    continue
                sign = 1.0 if other == "left" else -1.0  # + obliquity = left hip lower
                w = (t >= off[0]) & (t <= on[0])
                cpd = np.where(w, sign * (obl - base), np.nan)
                signals["pelvic_drop_deg"][w] = cpd[w]
                ph = _phase(t, cpd, off[0], on[0])
                if ph is not None:
                    drops[s.side].append(ph)
    for side in SIDES:
        metrics[f"pelvic_drop_peak_{side}_deg"] = _ensemble_peak(drops[side], CPD_SMOOTH_DEGREE)
    if passes and not any(drops.values()):
        notes.append(
            "pelvic drop while walking needs a front or back view of straight walking with "
            "both feet seen landing; not available in this clip"
        )
    flags += _peak_flags(
        ctx,
        metrics,
        drops,
        rule="pelvic_drop_walk",
        metric="pelvic_drop_peak_{side}_deg",
        signal="pelvic_drop_deg",
        message=lambda side, value, worst, limit: (
            f"standing on the {side} leg, the {other_side(side)} hip drops {value:.1f}° "
            f"(largest {worst.peak:.1f}°), threshold {limit:g}°"
        ),
    )


def _sagittal_measures(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[_Stance],
    signals: dict[str, np.ndarray],
    metrics: dict[str, Any],
    flags: list[Flag],
    notes: list[str],
    leg_px: float,
) -> None:
    pose, th, t = ctx.pose, ctx.thresholds, ctx.pose.t_s
    side_passes = [
        (k, p) for k, p in enumerate(passes) if p.view in SAGITTAL_VIEWS and not p.backwards
    ]
    heel_thr, fore_thr = th.get("foot_strike_heel"), th.get("foot_strike_forefoot")
    contacts: dict[str, list[tuple[float, float, int]]] = {s: [] for s in SIDES}
    lean: list[np.ndarray] = []
    for k, p in side_passes:
        rows = np.arange(p.start, p.stop)
        pelvis = _pelvis_xy(pose)[rows]
        tt = t[rows]
        angle, ahead = {}, {}
        for side in SIDES:
            heel, toe = _pt(pose, side, "heel")[rows], _pt(pose, side, "foot_index")[rows]
            d = toe - heel
            # + toe up; image y grows downwards; direction makes "forward" positive
            angle[side] = np.degrees(np.arctan2(-d[:, 1], d[:, 0] * p.direction))
            ahead[side] = (heel[:, 0] - pelvis[:, 0]) * p.direction / leg_px
        flat: dict[str, list[float]] = {s: [] for s in SIDES}
        for st in stances:
            if st.pass_index != k:
                continue
            # The landing foot is the one ahead at contact, whatever its label says (the
            # event's side comes from the step alternation; see _assign_sides).
            at = {s: _interp(tt, ahead[s], st.hs) for s in SIDES}
            foot = max(SIDES, key=lambda s: at[s] if np.isfinite(at[s]) else -np.inf)
            dur = st.to - st.hs
            w = (tt >= st.hs + FLAT_FOOT[0] * dur) & (tt <= st.hs + FLAT_FOOT[1] * dur)
            a = angle[foot][w]
            a = a[np.isfinite(a)]
            if not a.size:
                continue
            floor = float(np.median(a))
            flat[foot].append(floor)
            at_contact = _contact_angle(tt, angle[foot], st.hs) - floor
            if np.isfinite(at_contact):
                row = p.start + _row_at(tt, st.hs)
                contacts[st.side].append((at_contact, at[foot], row))
        for side in SIDES:
            floor_all = float(np.median(flat[side])) if flat[side] else float("nan")
            signals[f"foot_angle_{side}_deg"][rows] = angle[side] - floor_all
            signals[f"heel_ahead_{side}_legs"][rows] = ahead[side]
        tl = ctx.signals.values.get("trunk_lean_deg")
        if tl is not None:
            lean.append(tl[rows])

    for side in SIDES:
        c = contacts[side]
        angles = [a for a, _, _ in c]
        if not c or heel_thr is None or fore_thr is None:
            metrics[f"foot_strike_{side}"] = None
            metrics[f"foot_strike_angle_{side}_deg"] = None
            for name in STRIKE_CLASSES:
                metrics[f"foot_strike_{name}_pct_{side}"] = None
            metrics[f"overstride_{side}_legs"] = None
            continue
        median = float(np.median(angles))
        metrics[f"foot_strike_{side}"] = _strike_class(median, heel_thr, fore_thr, ctx.sex)
        metrics[f"foot_strike_angle_{side}_deg"] = round(median, 1)
        classes = [_strike_class(a, heel_thr, fore_thr, ctx.sex) for a in angles]
        for name in STRIKE_CLASSES:
            share = 100.0 * classes.count(name) / len(classes)
            metrics[f"foot_strike_{name}_pct_{side}"] = round(share, 1)
        metrics[f"overstride_{side}_legs"] = _mean([o for _, o, _ in c])
    if passes and not side_passes:
        notes.append(
            "foot strike, overstriding and trunk lean need a side view of straight walking; "
            "no part of the walk was filmed that way"
        )
    metrics["trunk_lean_mean_deg"] = None
    if lean:
        v = np.concatenate(lean)
        v = v[np.isfinite(v)]
        if v.size:
            metrics["trunk_lean_mean_deg"] = round(float(np.mean(v)), 1)

    if heel_thr is not None:
        limit = heel_thr.for_sex(ctx.sex)
        for side in SIDES:
            c = contacts[side]
            if metrics.get(f"foot_strike_{side}") != "heel":
                continue
            a, _, row = max(c, key=lambda x: x[0])
            med = metrics[f"foot_strike_angle_{side}_deg"]
            flags.append(
                _flag(
                    pose,
                    heel_thr,
                    rule="heel_strike",
                    side=side,
                    value=med,
                    limit=limit,
                    row=row,
                    span_s=(t[row], t[row]),
                    message=(
                        f"{side} foot lands heel first (foot {med:.0f}° toe-up at contact, "
                        f"heel strike above {limit:g}°): land gently, rolling from your "
                        "midfoot to the ball of your foot, rather than crashing down on your heel"
                    ),
                    signal=f"foot_angle_{side}_deg",
                    severity="info",
                )
            )
    over = th.get("overstride_walk")
    if over is not None:
        limit = over.for_sex(ctx.sex)
        for side in SIDES:
            mean = metrics.get(f"overstride_{side}_legs")
            if mean is None or not over.crossed(mean, ctx.sex):
                continue
            _, o, row = max(contacts[side], key=lambda x: x[1])
            flags.append(
                _flag(
                    pose,
                    over,
                    rule="overstride",
                    side=side,
                    value=mean,
                    limit=limit,
                    row=row,
                    span_s=(t[row], t[row]),
                    message=(
                        f"{side} heel lands {mean:.2f} leg lengths ahead of the hips on "
                        f"average (largest {o:.2f}, threshold {limit:g}): take shorter, quicker "
                        "steps that land closer under the body"
                    ),
                    signal=f"heel_ahead_{side}_legs",
                )
            )


def _rearfoot_trend(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[_Stance],
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
        metrics[f"rearfoot_eversion_mean_{side}_deg"] = _mean(values[side], 1)
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


def _contact_angle(t: np.ndarray, angle: np.ndarray, t_ic: float) -> float:
    """Foot angle at initial contact: the median over the :data:`CONTACT_WINDOW_S` up to
    the contact. The foot holds its landing angle through terminal swing and rotates to
    flat within ~0.1 s after contact; the zero-phase low-pass blends that rotation into the
    contact instant itself (≈4° lower on a 20° heel strike), not into the approach."""
    grid = np.linspace(t_ic - CONTACT_WINDOW_S, t_ic, 5)
    values = np.array([_interp(t, angle, x) for x in grid])
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else float("nan")


def _strike_class(angle: float, heel: Threshold, fore: Threshold, sex: str | None) -> str:
    if heel.crossed(angle, sex):
        return "heel"
    if fore.crossed(angle, sex):
        return "forefoot"
    return "midfoot"
