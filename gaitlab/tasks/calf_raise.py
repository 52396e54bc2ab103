"""Calf raises (heel raises): reps, rise / hold / lower times, heel height and ankle roll.

One implementation serves the offline file and the live webcam: :class:`CalfRaiseCounter`
is an incremental state machine fed one :class:`CalfRaiseFrame` at a time and reporting each
rep when it is complete. Offline, :func:`analyze_calf_raise` feeds it every frame of the
cleaned (zero-phase filtered) pose; live, :class:`gaitlab.live.CalfRaiseLiveCounter` feeds
it each frame of a causally filtered (One Euro) pose as it arrives, through
:meth:`CalfRaiseInputs.from_pose` on the newest frame.

Counting
--------
Hysteresis on the heel's rise above its standing baseline, in % of foot length
(MEASURES.md "Calf raises"): a rep starts when the heel of a foot whose toes are on the
floor rises above ``start_level_pct`` and ends when it falls back below ``end_level_pct``,
at least ``min_up_s`` later, so jitter never counts twice. The toes decide what is a raise:
the foot pivots on the metatarsal heads and the toes stay down, while a step (getting into
position, stepping away, walking) lifts them. A foot whose toes stay up is *lifted* and
takes no part (the free foot of a single-leg raise); a "rep" during which every rising
foot's toes left the floor is a step and is never counted. Each foot's standing baseline
(heel and toe) is a low percentile of its last seconds between reps, so it follows a person
who moves in depth. Feet out of view abort a rep in progress (never a guess) and raise
:data:`FEET_OUT_OF_VIEW`.

Phase times
-----------
Each rep's heel-height trace (mean of the working feet) is fitted with a minimum-jerk
profile — rise from the baseline, plateau, lower back — the smooth point-to-point movement
of human limbs (Flash & Hogan 1985, J Neurosci 5:1688). ``rise_s`` runs from leaving the
floor to reaching the top, ``hold_s`` is the time at the top, ``lower_s`` from leaving the
top to being back on the floor. Level crossings would measure a fraction of a slow rise
(and jitter moves them); the fit uses every frame, sub-frame. The rest of the body rises
with the ankles when the knees stay straight, so the mean heights of the trunk, each
working leg, the arms, the hands and the face (when seen) are further channels of the same
fit, each with its own amplitude and weighted by how well it follows the profile (a hand on
a wall loses its say). Each channel's shape is its image height against the foot's pitch:
the vertical rise plus the forward move that goes with it, which a camera in front or
behind sees as height (from the standing heel-to-toe offset at the feet, plus perspective
higher up: :func:`_forward_rise`), lowered by the foot's roll in a rep that rolls. The
window stops short of a step before or after the rep. Without landmark noise the phase
times are then exact to 0.01 s in every view and tempo (tests/test_calf_raise.py). With
noise the precision is close to the Cramér–Rao bound of the landmarks (≈ 1.1 times it):
with 2.5 px of jitter on a 70–90 px foot the bound is ≈ 0.04–0.05 s (SD) for a 1 s phase
at 30 fps, growing with the square root of the phase's duration and falling with that of
the frame rate.

Heel height
-----------
The fitted plateau, in % of foot length, less the share of the heel's forward move
(0.72 L (1 − cos θ)) that a camera above the feet sees as height (:func:`_true_heel_height`);
in cm with the standing height (:func:`foot_length_cm`).

Ankle roll (frontal views only)
-------------------------------
A 2D rearfoot angle (shank vs. ankle→heel line) sees only part of a roll at the top of a
raise: the heel line is short and then points mostly backwards, at or away from the camera,
so its image "vertical" is mostly foot length seen end-on and the same sideways movement
makes a smaller angle. A camera 1 m high behind the subject sees ~55 % of the roll this way;
in front, the heel line collapses altogether. Sideways positions are not foreshortened in a
front or back view, so the roll comes from them, with a model of the rising foot (Winter's
anthropometry: ankle 0.039 H above the sole, foot 0.152 H long — ankle height 0.257 foot
lengths; ankle 0.25 and metatarsal heads 0.72 foot lengths in front of the heel; thigh and
shank 0.245 / 0.246 H):

* the rearfoot rolls by ψ about a fore-aft axis on the floor under the metatarsal heads
  (the toes stay put), so a point at height ``z`` moves sideways by ``z sin ψ``: the ankle
  (``z = 0.257 cos θ + 0.47 sin θ`` foot lengths, θ the foot's pitch from the heel height),
  the heel (``z`` = its height) and, the hip staying put, the knee (half the ankle's move);
* the frontal-plane rearfoot angle (shank vs. heel line) changes by ψ, the heel line
  turning with the rearfoot, plus the shank's extra sideways tilt;
* the roll grows with the rise (inversion is coupled to plantarflexion), ψ(t) = ψ_top ×
  profile(t), so every frame of the rep estimates ψ_top by least squares, together with
  each landmark's standing position (from the rep's and earlier standing frames);
* the rising foot also moves forward: the perspective of that move, and in an oblique view
  the part of it seen sideways, are undone first (:func:`_roll_fit`).

Positive = outward (inversion, weight onto the little-toe side), relative to standing just
before the rep. ``ankle_shift`` is the MEASURES.md shift (ankle relative to the heel/toe
midpoint, % foot length, change from standing) at the top, by regression on the profile.
"Wobble" is the spread (SD) of the ankle's sideways position during the hold beyond the
landmark jitter seen at rest. With 2–3 px of jitter the roll is within 2° of the truth for
≈ 97 % of synthetic reps (tests/test_calf_raise.py).
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from gaitlab.core import anthropometry as anthro
from gaitlab.core.landmarks import SIDES, Landmark, side_landmark
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Event, Flag, PoseSequence
from gaitlab.signals.measures import estimate_camera_roll_deg, foot_length_px, remove_roll
from gaitlab.signals.view import estimate_azimuth_deg, off_axis_deg
from gaitlab.tasks.base import TaskContext, TaskResult

__all__ = [
    "ANKLE_HEIGHT_FOOT",
    "FEET_OUT_OF_VIEW",
    "INPUT_SIGNALS",
    "CalfRaiseConfig",
    "CalfRaiseCounter",
    "CalfRaiseFrame",
    "CalfRaiseInputs",
    "CalfRaiseRep",
    "RepEvent",
    "analyze_calf_raise",
    "foot_length_cm",
    "heel_rise_test",
    "profile",
    "rep_flags",
]

#: Foot model in foot lengths (Winter, *Biomechanics and Motor Control of Human Movement*:
#: ankle height 0.039 H, foot length 0.152 H; ankle 25 % and metatarsal heads 72 % of the
#: foot length in front of the heel).
ANKLE_HEIGHT_FOOT = anthro.ANKLE_HEIGHT_OF_FOOT
ANKLE_TO_MTP_FOOT = 0.47
HEEL_TO_MTP_FOOT = anthro.MTP_FROM_HEEL_OF_FOOT
#: Shoulder height / standing height (Winter): the shoulders are seen from the front and the
#: back alike (the face is not seen from behind), so they give the standing height in pixels.
SHOULDER_HEIGHT_FRAC = anthro.SHOULDER_HEIGHT_OF_HEIGHT
#: The camera roll (:func:`gaitlab.signals.measures.estimate_camera_roll_deg`) is undone only within
#: this many degrees of a frontal or side view: in between, the feet stand at different
#: distances and the line between them looks tilted by perspective alone.
CAMERA_ROLL_MAX_OFF_AXIS_DEG = 10.0
#: A lifted foot counts as down again after its toes are back on their old floor level for
#: this long; one that moved stands still (SD of heel and toe heights below STILL_SD_PCT,
#: i.e. about twice the landmark jitter) with its standing heel-to-toe height difference
#: (within FLAT_TOL_PCT; a foot held up behind hangs toes-down, 30 % or more off).
RELAND_S = 0.3
STILL_SD_PCT = 4.0
FLAT_TOL_PCT = 10.0
#: Standard gravity, for the work of a heel-rise test (m/s²).
G = 9.80665

_NAN2 = (math.nan, math.nan)
_SIDE_INDEX = {"left": 0, "right": 1}


# ------------------------------------------------------------------------------------------
# configuration and per-frame input
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalfRaiseConfig:
    """Detection parameters (geometry of counting, not clinical thresholds: those live in
    the thresholds file). Heights are in % of foot length above the standing baseline.

    Attributes
    ----------
    start_level_pct, end_level_pct
        Hysteresis levels: a rep starts above 10 % (≈ 2.5 cm on an adult foot) and ends
        below 5 %. Landmark jitter after cleaning is ≈ 2 % (SD) of foot length, so the
        start level is 5 SD above the floor, and a real raise (≥ 15 %) is far above both.
    toe_level_pct
        Toes higher than this above their baseline mean the foot is off the floor (a step
        lifts them 20 % or more); 4 SD of toe jitter above the baseline.
    min_up_s
        Shortest time above the end level for a rep (a heel-off while turning is shorter).
        Its peak, averaged over 0.2 s, must also clear the start level (not just a jitter
        spike of a heel hovering under it).
    min_down_s
        The rep ends once the heel, having crossed under the end level, has averaged under
        it over this long: a pause on the way down between the two levels, with jitter
        dipping under the end level, is still the same rep.
    settle_s
        A rep is measured and reported once the heel has been back below the end level for
        this long (or the next rep starts, or the stream ends): the fit then sees the end of
        the lowering. It is the live feedback delay.
    baseline_s
        Window of the running standing baseline (20th percentile of the frames between
        reps: with no pause at the bottom only the lowest frames are on the floor).
    toe_off_s
        Toes above ``toe_level_pct`` for this long lift the foot (out of a rep in progress).
    relock_s
        A lifted foot put down on a new spot counts as standing once it has stood still and
        flat this long (its baseline is then taken afresh).
    max_missing_s
        Feet out of view for longer than this abort a rep in progress (not counted) and
        raise the "step back so your feet are in view" warning.
    max_rep_s
        A "rep" longer than this is the floor moving in the image (the person stepped
        closer or further): it is discarded and the baseline is reset.
    pre_s
        How far before the start-level crossing the phase fit looks for the start of the
        rise (a very slow rise crosses 10 % a second or more after it began).
    rest_lookback_s
        Standing frames up to this long before a rep's window also pin the standing
        sideways positions for its ankle roll.
    """

    start_level_pct: float = 10.0
    end_level_pct: float = 5.0
    toe_level_pct: float = 10.0
    min_up_s: float = 0.25
    min_down_s: float = 0.2
    settle_s: float = 1.0
    baseline_s: float = 3.0
    toe_off_s: float = 0.15
    relock_s: float = 1.0
    max_missing_s: float = 0.5
    max_rep_s: float = 30.0
    pre_s: float = 3.0
    rest_lookback_s: float = 4.0

    def __post_init__(self) -> None:
        if not 0 < self.end_level_pct < self.start_level_pct:
            raise ValueError(
                "CalfRaiseConfig: need 0 < end_level_pct < start_level_pct, got "
                f"{self.end_level_pct} and {self.start_level_pct}"
            )
        for name in (
            "toe_level_pct",
            "min_up_s",
            "min_down_s",
            "settle_s",
            "baseline_s",
            "max_missing_s",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"CalfRaiseConfig: {name} must be > 0")


BODY_GROUP_NAMES = ("trunk", "leg_left", "leg_right", "arms", "hands", "face")
#: Landmark groups that rise with the ankles when the knees stay straight (the whole body
#: goes up on tiptoe): extra, independent measurements of each rep's timing, one channel per
#: group so that arms holding a support, a nodding head or the free leg of a single-leg
#: raise only lose their own weight (the free leg's channel is left out altogether).
BODY_GROUPS: tuple[tuple[Landmark, ...], ...] = (
    tuple(side_landmark(s, p) for s in SIDES for p in ("hip", "shoulder")),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_KNEE),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_KNEE),
    tuple(side_landmark(s, p) for s in SIDES for p in ("elbow", "wrist")),
    tuple(side_landmark(s, p) for s in SIDES for p in ("pinky", "index", "thumb")),
    tuple(Landmark(i) for i in range(11)),  # face: hidden from behind
)


@dataclass(frozen=True)
class CalfRaiseFrame:
    """One frame of input to :class:`CalfRaiseCounter`; every pair is ``(left, right)``.

    Heights are image heights (up +) in % of foot length with any fixed offset (the counter
    finds the standing baseline itself). Lateral positions are along the subject's
    left–right axis, + towards that foot's outside, % of foot length, any fixed offset; NaN
    where the view is not frontal, measured from the image centre (the principal point) so
    that the perspective of a foot moving towards or away from the camera can be undone.
    NaN = not detected. ``body_pct``: mean height of each :data:`BODY_GROUPS` group (same
    units). ``camera_distance_foot``: the camera's distance in foot lengths;
    ``azimuth_deg``: the camera's bearing around the subject
    (:func:`gaitlab.signals.view.estimate_azimuth_deg`); both serve the ankle roll and the shapes
    of the phase fit (:func:`_forward_rise`).
    """

    t_s: float
    frame: int
    heel_pct: tuple[float, float]
    toe_pct: tuple[float, float]
    ankle_lat_pct: tuple[float, float] = _NAN2
    heel_lat_pct: tuple[float, float] = _NAN2
    toe_lat_pct: tuple[float, float] = _NAN2
    knee_lat_pct: tuple[float, float] = _NAN2
    body_pct: tuple[float, ...] = (math.nan,) * len(BODY_GROUP_NAMES)
    camera_distance_foot: float = math.nan
    azimuth_deg: float = math.nan


_FIELDS = ("heel_pct", "toe_pct", "ankle_lat_pct", "heel_lat_pct", "toe_lat_pct", "knee_lat_pct")
#: Per-frame signal names of the counter's inputs (frames.csv columns).
INPUT_SIGNALS = {
    "heel_pct": "heel_level_{}_pct_foot",
    "toe_pct": "toe_level_{}_pct_foot",
    "ankle_lat_pct": "ankle_lateral_{}_pct_foot",
    "heel_lat_pct": "heel_lateral_{}_pct_foot",
    "toe_lat_pct": "toe_lateral_{}_pct_foot",
    "knee_lat_pct": "knee_lateral_{}_pct_foot",
    "body_pct": "body_level_{}_pct_foot",
    "camera_distance_foot": "camera_distance_foot",
    "azimuth_deg": "camera_azimuth_deg",
}


@dataclass(frozen=True, eq=False)
class CalfRaiseInputs:
    """Counter input for a whole sequence: ``t_s``, ``frame`` ``(T,)`` and each
    :class:`CalfRaiseFrame` field as ``(T, 2)`` (columns left, right)."""

    t_s: np.ndarray
    frame: np.ndarray
    heel_pct: np.ndarray
    toe_pct: np.ndarray
    ankle_lat_pct: np.ndarray
    heel_lat_pct: np.ndarray
    toe_lat_pct: np.ndarray
    knee_lat_pct: np.ndarray
    body_pct: np.ndarray
    camera_distance_foot: np.ndarray
    azimuth_deg: np.ndarray

    def __len__(self) -> int:
        return len(self.t_s)

    def frames(self) -> Iterator[CalfRaiseFrame]:
        rows = [getattr(self, f).tolist() for f in _FIELDS]
        body = self.body_pct.tolist()
        dist = self.camera_distance_foot.tolist()
        az = self.azimuth_deg.tolist()
        for i, (t, fr) in enumerate(zip(self.t_s.tolist(), self.frame.tolist(), strict=True)):
            yield CalfRaiseFrame(
                t,
                int(fr),
                *(tuple(r[i]) for r in rows),
                body_pct=tuple(body[i]),
                camera_distance_foot=dist[i],
                azimuth_deg=az[i],
            )

    def signals(self) -> dict[str, np.ndarray]:
        """Every input as a named per-frame signal (:data:`INPUT_SIGNALS`; frames.csv)."""
        out: dict[str, np.ndarray] = {}
        for f in _FIELDS:
            for k, side in enumerate(SIDES):
                out[INPUT_SIGNALS[f].format(side)] = getattr(self, f)[:, k].copy()
        for g, group in enumerate(BODY_GROUP_NAMES):
            out[INPUT_SIGNALS["body_pct"].format(group)] = self.body_pct[:, g].copy()
        out[INPUT_SIGNALS["camera_distance_foot"]] = self.camera_distance_foot.copy()
        out[INPUT_SIGNALS["azimuth_deg"]] = self.azimuth_deg.copy()
        return out

    @classmethod
    def from_pose(
        cls,
        pose: PoseSequence,
        *,
        foot_px: float | None = None,
        roll_deg: float = 0.0,
        frontal: np.ndarray | None = None,
        azimuth_deg: np.ndarray | None = None,
        hfov_deg: float = 65.0,
    ) -> CalfRaiseInputs:
        """Inputs from pixel landmarks (offline: a whole cleaned clip; live: one frame).

        Parameters
        ----------
        pose
            Cleaned pose (offline) or a causally filtered one (live; a 1-frame sequence).
        foot_px
            Foot length in pixels; default :func:`gaitlab.signals.measures.foot_length_px` of
            ``pose`` (live: estimate it once from the first seconds and pass it).
        roll_deg
            Camera roll to undo first (:func:`gaitlab.signals.measures.estimate_camera_roll_deg`).
        frontal
            ``(T,)`` or ``(T, 2)`` bool: frames (per side) whose view supports sideways
            measures (anterior / posterior, oblique within 30°); lateral inputs are NaN
            elsewhere. Default: all frames.
        azimuth_deg
            ``(T,)`` camera bearing around the subject; default
            :func:`gaitlab.signals.view.estimate_azimuth_deg` of ``pose``.
        hfov_deg
            The camera's horizontal field of view, for its distance in foot lengths (only
            used to undo perspective in the ankle roll). Phone and webcam lenses are 60–75°;
            a 10° error changes a 1° correction by ~0.2°.
        """
        n = len(pose)
        fpx = foot_length_px(pose) if foot_px is None else float(foot_px)
        level = remove_roll(pose, roll_deg) if roll_deg else pose
        xy = level.xy
        if not (np.isfinite(fpx) and fpx > 0):
            fpx = math.nan
        out: dict[str, np.ndarray] = {f: np.full((n, 2), np.nan) for f in _FIELDS}
        # The subject's left is on the image right in anterior views and on the left in
        # posterior ones: the hip order gives each leg's outward direction frame by frame.
        with np.errstate(invalid="ignore"):
            hip_dx = xy[:, Landmark.LEFT_HIP, 0] - xy[:, Landmark.RIGHT_HIP, 0]
            sign_left = np.sign(hip_dx)
        sign_left = np.where(sign_left == 0, np.nan, sign_left)
        fr = np.ones((n, 2), bool) if frontal is None else np.asarray(frontal, bool)
        if fr.ndim == 1:
            fr = np.repeat(fr[:, None], 2, axis=1)
        if fr.shape != (n, 2):
            raise ValueError(f"frontal: expected shape ({n},) or ({n}, 2), got {fr.shape}")
        with np.errstate(invalid="ignore", divide="ignore"):
            for k, side in enumerate(SIDES):
                lat = sign_left if side == "left" else -sign_left
                knee = xy[:, side_landmark(side, "knee")]
                ankle = xy[:, side_landmark(side, "ankle")]
                heel = xy[:, side_landmark(side, "heel")]
                toe = xy[:, side_landmark(side, "foot_index")]
                out["heel_pct"][:, k] = -100.0 * heel[:, 1] / fpx
                out["toe_pct"][:, k] = -100.0 * toe[:, 1] / fpx
                ok = fr[:, k]
                for name, p in (
                    ("ankle_lat_pct", ankle),
                    ("heel_lat_pct", heel),
                    ("toe_lat_pct", toe),
                    ("knee_lat_pct", knee),
                ):
                    x_c = p[:, 0] - 0.5 * pose.frame_size[0]
                    out[name][:, k] = np.where(ok, 100.0 * lat * x_c / fpx, np.nan)
            body = np.stack(
                [-100.0 * xy[:, list(g), 1].mean(axis=1) / fpx for g in BODY_GROUPS], axis=1
            )
        f_px = 0.5 * pose.frame_size[0] / math.tan(math.radians(0.5 * hfov_deg))
        az = estimate_azimuth_deg(pose) if azimuth_deg is None else np.asarray(azimuth_deg, float)
        if az.shape != (n,):
            raise ValueError(f"azimuth_deg: expected shape ({n},), got {az.shape}")
        return cls(
            t_s=pose.t_s.copy(),
            frame=np.asarray(pose.frame_index).copy(),
            body_pct=body,
            camera_distance_foot=np.full(n, f_px / fpx),
            azimuth_deg=az,
            **out,
        )


def foot_length_cm(pose: PoseSequence, height_cm: float, foot_px: float | None = None) -> float:
    """Foot length in cm, scaling the foot in pixels by the standing height in pixels.

    Standing height in pixels = (floor − shoulders) / 0.818 (Winter's shoulder height),
    floor = the heels' median image height over the clip's frames with both heels and both
    shoulders seen. Valid when subject and feet are at the same distance from the camera
    (they are, standing). NaN when the shoulders or heels were never seen.
    """
    fpx = foot_length_px(pose) if foot_px is None else float(foot_px)
    y = pose.xy[..., 1]
    heels = y[:, [Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sh = np.nanmean(y[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]], axis=1)
        floor = np.nanmax(heels, axis=1)  # the lower heel: on the floor
        span = floor - sh
        ok = np.isfinite(span) & (span > 0)
        if not ok.any():
            return math.nan
        # the heels are on the floor in most frames: the 75th percentile of the span skips
        # raised heels (a shorter span)
        stature_px = float(np.percentile(span[ok], 75)) / SHOULDER_HEIGHT_FRAC
    return float(fpx / stature_px * height_cm)


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalfRaiseRep:
    """One measured rep. Times in seconds (clip time), heights in % of foot length.

    ``ankle_roll_*_deg`` is the change of the frontal-plane rearfoot angle from the standing
    baseline before the rep to the top (+ outward); ``ankle_roll_peak_deg`` the larger of the
    two sides (the one to look at). None where the view cannot show it or the foot did not
    work. ``legs``: "both", "left" or "right" (which heels rose with their toes down).
    """

    index: int
    start_s: float
    top_s: float
    hold_end_s: float
    end_s: float
    rise_s: float
    hold_s: float
    lower_s: float
    height_pct_foot: float
    height_cm: float | None
    legs: str
    frame: int
    ankle_roll_left_deg: float | None = None
    ankle_roll_right_deg: float | None = None
    ankle_shift_left_pct_foot: float | None = None
    ankle_shift_right_pct_foot: float | None = None
    wobble_left_pct_foot: float | None = None
    wobble_right_pct_foot: float | None = None
    height_left_pct_foot: float | None = None
    height_right_pct_foot: float | None = None
    detected_s: float = math.nan
    flags: tuple[Flag, ...] = ()

    @property
    def ankle_roll_peak_deg(self) -> float | None:
        vals = [v for v in (self.ankle_roll_left_deg, self.ankle_roll_right_deg) if v is not None]
        return max(vals) if vals else None

    def roll(self, side: str) -> float | None:
        return getattr(self, f"ankle_roll_{side}_deg")

    def to_dict(self) -> dict[str, Any]:
        """The output contract's rep object (DESIGN.md)."""

        def r(v: float | None, nd: int = 3) -> float | None:
            return None if v is None or not math.isfinite(v) else round(float(v), nd)

        return {
            "index": self.index,
            "start_s": r(self.start_s),
            "top_s": r(self.top_s),
            "hold_end_s": r(self.hold_end_s),
            "end_s": r(self.end_s),
            "rise_s": r(self.rise_s),
            "hold_s": r(self.hold_s),
            "lower_s": r(self.lower_s),
            "height_pct_foot": r(self.height_pct_foot, 2),
            "height_cm": r(self.height_cm, 2),
            "height_left_pct_foot": r(self.height_left_pct_foot, 2),
            "height_right_pct_foot": r(self.height_right_pct_foot, 2),
            "legs": self.legs,
            "frame": self.frame,
            "ankle_roll_peak_deg": r(self.ankle_roll_peak_deg, 2),
            "ankle_roll_left_deg": r(self.ankle_roll_left_deg, 2),
            "ankle_roll_right_deg": r(self.ankle_roll_right_deg, 2),
            "ankle_shift_left_pct_foot": r(self.ankle_shift_left_pct_foot, 2),
            "ankle_shift_right_pct_foot": r(self.ankle_shift_right_pct_foot, 2),
            "wobble_left_pct_foot": r(self.wobble_left_pct_foot, 2),
            "wobble_right_pct_foot": r(self.wobble_right_pct_foot, 2),
            "flags": [f.rule for f in self.flags],
        }


@dataclass(frozen=True)
class RepEvent:
    """What :meth:`CalfRaiseCounter.update` reports.

    ``type``: ``rep_start`` (heel crossed the start level: a rep is under way),
    ``rep_top`` (the heel reached its plateau), ``rep_lower`` (it left the plateau) — these
    three at detection time, for live feedback — then ``rep_end`` with the finished,
    measured ``rep`` (its phase times are the fitted ones), or ``rep_rejected`` (it was a
    step or incomplete; ``reason``), ``feet_out_of_view`` / ``feet_in_view``.
    """

    type: str
    t_s: float
    frame: int
    rep: CalfRaiseRep | None = None
    reason: str = ""


FEET_OUT_OF_VIEW = "step back so your feet are in view: the feet left the picture"


# ------------------------------------------------------------------------------------------
# minimum-jerk phase fit
# ------------------------------------------------------------------------------------------
def _min_jerk(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10.0 - 15.0 * u + 6.0 * u * u)


_MJ_U = np.linspace(0.0, 1.0, 2001)
_MJ_P = _min_jerk(_MJ_U)


def _mj_tau(p: float) -> float:
    """Fraction of a minimum-jerk movement's duration at which it has covered ``p``."""
    return float(np.interp(p, _MJ_P, _MJ_U))


def profile(t: np.ndarray, t0: float, rise_s: float, hold_s: float, lower_s: float) -> np.ndarray:
    """0 → 1 minimum-jerk rise from ``t0``, plateau for ``hold_s``, minimum-jerk lower."""
    up = _min_jerk((t - t0) / rise_s)
    down = 1.0 - _min_jerk((t - (t0 + rise_s + hold_s)) / lower_s)
    return np.minimum(up, down)


def _crossing(t: np.ndarray, y: np.ndarray, i: int, level: float, step: int) -> float:
    """Walk from index ``i`` (``step`` ±1) to the first sample on the other side of
    ``level`` and return the interpolated crossing time (NaN if none)."""
    above = y[i] >= level
    j = i
    while 0 <= j + step < len(y):
        k = j + step
        if np.isfinite(y[k]) and (y[k] >= level) != above:
            y0, y1 = y[j], y[k]
            f = 0.0 if y1 == y0 else (level - y0) / (y1 - y0)
            return float(t[j] + f * (t[k] - t[j]))
        j = k
    return math.nan


@dataclass(frozen=True)
class _Fit:
    base: float
    amp: float
    t0: float
    rise_s: float
    hold_s: float
    lower_s: float
    rms: float
    weights: tuple[float, ...] = ()

    def s(self, t: np.ndarray) -> np.ndarray:
        return profile(t, self.t0, self.rise_s, self.hold_s, self.lower_s)


def _smooth(y: np.ndarray, n: int) -> np.ndarray:
    if n <= 1:
        return y
    ok = np.isfinite(y)
    k = np.ones(n)
    num = np.convolve(np.where(ok, y, 0.0), k, mode="same")
    den = np.convolve(ok.astype(float), k, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _profile_grad(
    t: np.ndarray, t0: float, rise_s: float, hold_s: float, lower_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`profile` and its ``(T, 4)`` derivatives by ``(t0, rise_s, hold_s, lower_s)``."""
    u = (t - t0) / rise_s
    v = (t - (t0 + rise_s + hold_s)) / lower_s
    up = _min_jerk(u)
    down = 1.0 - _min_jerk(v)
    uc, vc = np.clip(u, 0.0, 1.0), np.clip(v, 0.0, 1.0)
    du = 30.0 * uc * uc * (1.0 - uc) ** 2 / rise_s  # d up / dt
    dv = 30.0 * vc * vc * (1.0 - vc) ** 2 / lower_s  # -d down / dt
    on_up = up <= down
    grad = np.zeros((len(t), 4))
    grad[:, 0] = np.where(on_up, -du, dv)
    grad[:, 1] = np.where(on_up, -du * u, dv)
    grad[:, 2] = np.where(on_up, 0.0, dv)
    grad[:, 3] = np.where(on_up, 0.0, dv * v)
    return np.where(on_up, up, down), grad


@dataclass(frozen=True)
class _Shapes:
    """Image heights of the fit's channels against the foot's pitch θ, each
    ``(a sin θ + b (1 − cos θ)) cos ψ`` scaled to 1 at the top (``th_top``, ``psi_top``):
    the vertical rise of a point plus its forward move as the camera sees it, lowered by
    the foot's roll ψ (:func:`_channel_shapes`). θ and ψ both grow with the profile ``s``.
    ``a``, ``b``: one value per channel."""

    a: np.ndarray
    b: np.ndarray
    th_top: float
    psi_top: float = 0.0

    def __call__(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(T, K)`` shapes at profile values ``s`` ``(T,)`` and their derivatives by ``s``."""
        th = self.th_top * s[:, None]
        sin, cos = np.sin(th), np.cos(th)
        top = (self.a * math.sin(self.th_top) + self.b * (1.0 - math.cos(self.th_top))) * (
            math.cos(self.psi_top)
        )
        lift = (self.a * sin + self.b * (1.0 - cos)) / top
        d_lift = self.th_top * (self.a * cos + self.b * sin) / top
        if self.psi_top == 0.0:
            return lift, d_lift
        ps = self.psi_top * s[:, None]
        c_ps = np.cos(ps)
        return lift * c_ps, d_lift * c_ps - lift * self.psi_top * np.sin(ps)


def _channel_shapes(
    th_top: float, heel_fwd: float, body_fwd: list[float], psi_top: float = 0.0
) -> _Shapes:
    """Shapes of the heel channel and the body channels over one rep, for
    :func:`_fit_phases`.

    Raised about the metatarsal heads by θ the heel rises 0.72 L sin θ and moves forward
    0.72 L (1 − cos θ); the ankle, and the body above it, rises
    0.47 L sin θ − 0.26 L (1 − cos θ) and moves forward 0.26 L sin θ + 0.47 L (1 − cos θ).
    A camera in front or behind sees a forward move as a change of image height: ``heel_fwd``
    and ``body_fwd`` are each channel's image rise per foot length forward (foot lengths;
    :func:`_forward_rise`). Left out, that part bends the channels away from the profile
    and shifts the fitted phase boundaries by up to 0.07 s. A roll ψ about the floor line
    under the metatarsal heads lowers the heel and ankle by cos ψ (``psi_top``, radians).
    """
    m, a, z = HEEL_TO_MTP_FOOT, ANKLE_TO_MTP_FOOT, ANKLE_HEIGHT_FOOT
    r = np.asarray(body_fwd, float)
    return _Shapes(
        a=np.concatenate([[m], a + z * r]),
        b=np.concatenate([[m * heel_fwd], -z + a * r]),
        th_top=th_top,
        psi_top=psi_top,
    )


def _forward_rise(
    flat_offset_pct: float,
    levels_pct: list[float],
    *,
    distance_foot: float = math.nan,
    azimuth_deg: float = math.nan,
) -> tuple[float, list[float]]:
    """Image rise per foot length of forward move (foot lengths), at the feet and at each
    body channel's standing level (``levels_pct``: % foot length above the heels).

    At the feet it is the standing heel-to-toe image height difference, the foot itself
    being a forward step of one foot length: ``-flat_offset_pct / 100`` (about +0.25 from
    behind at 1 m, as far the other way from the front, 0 from the side). Higher up the
    perspective of a move towards or away from the camera adds ``-σ level / Z`` (Z the
    camera's ``distance_foot``; σ = −cos azimuth: +1 moving away from a camera behind,
    −1 towards one in front, 0 across a side view): a point above the feet moving away
    shrinks towards the image centre. Unknown distance or azimuth: the feet's value
    throughout.
    """
    at_feet = -flat_offset_pct / 100.0 if math.isfinite(flat_offset_pct) else 0.0
    if not (math.isfinite(distance_foot) and distance_foot > 1.0 and math.isfinite(azimuth_deg)):
        return at_feet, [at_feet] * len(levels_pct)
    sigma = -math.cos(math.radians(azimuth_deg))
    body = [
        at_feet - sigma * lv / (100.0 * distance_foot) if math.isfinite(lv) else at_feet
        for lv in levels_pct
    ]
    return at_feet, body


def _fit_phases(
    t: np.ndarray,
    h: np.ndarray,
    extra: list[np.ndarray] | None = None,
    *,
    heel_fwd: float = 0.0,
    extra_fwd: list[float] | None = None,
    roll_rad: float = 0.0,
    start: _Fit | None = None,
) -> _Fit | None:
    """Least-squares fit of ``base + amp × shape(profile(t; t0, rise, hold, lower))`` to one
    rep's heel height ``h`` (relative to the running baseline, so ``base`` ≈ 0).

    ``extra`` channels (the mean heights of the landmarks that rise with the body) share the
    timing but have their own base and amplitude; each channel is weighted by the inverse of
    its residual RMS from a first, heel-only fit, so a channel that does not follow the
    profile (knees bending, a hand on a wall) loses its say. ``heel_fwd``, ``extra_fwd``: the
    channels' image rise per foot length forward; ``roll_rad``: the feet's roll at the top
    (:func:`_channel_shapes`). ``start``: an earlier fit of the same channels, whose timing
    and weights are the starting point (no heel-only fit).

    Variable projection (Golub & Pereyra 1973, with Kaufman's Jacobian): the bases and
    amplitudes are linear and solved in closed form at every step, leaving the four timing
    parameters to the nonlinear solver with an analytic Jacobian; every channel at once, in
    arrays. A few milliseconds a rep.
    """
    ok = np.isfinite(h)
    if ok.sum() < 8:
        return None
    t_ok, h_ok = t[ok], h[ok]
    dt = float(np.median(np.diff(t_ok)))
    hs = _smooth(h_ok, max(1, int(round(0.1 / dt))))
    i_peak = int(np.nanargmax(hs))
    top = float(hs[i_peak])
    plateau = np.flatnonzero(hs >= 0.9 * top)
    amp0 = float(np.median(h_ok[plateau]))
    first, last = int(plateau[0]), int(plateau[-1])
    up = [_crossing(t_ok, hs, first, p * amp0, -1) for p in (0.2, 0.5, 0.8)]
    down = [_crossing(t_ok, hs, last, p * amp0, +1) for p in (0.8, 0.5, 0.2)]
    span = _mj_tau(0.8) - _mj_tau(0.2)
    rise0 = (up[2] - up[0]) / span if np.isfinite(up[0]) and np.isfinite(up[2]) else 1.0
    lower0 = (down[2] - down[0]) / span if np.isfinite(down[0]) and np.isfinite(down[2]) else 1.0
    rise0, lower0 = float(np.clip(rise0, 0.15, 10.0)), float(np.clip(lower0, 0.15, 10.0))
    mid_up = up[1] if np.isfinite(up[1]) else t_ok[first]
    mid_down = down[1] if np.isfinite(down[1]) else t_ok[last]
    t00 = mid_up - 0.5 * rise0
    hold0 = max(mid_down - 0.5 * lower0 - (t00 + rise0), 0.0)
    th_top = math.asin(float(np.clip(amp0 / 100.0 / HEEL_TO_MTP_FOOT, 1e-3, 0.95)))
    extra = extra or []
    fwd = list(extra_fwd) if extra_fwd is not None else [0.0] * len(extra)
    if len(fwd) != len(extra):
        raise ValueError(f"extra_fwd: expected {len(extra)} values, got {len(fwd)}")
    keep = [k for k, y in enumerate(extra) if np.isfinite(y).sum() >= 8]
    y_all = np.column_stack([h, *(extra[k] for k in keep)])
    shapes = _channel_shapes(th_top, heel_fwd, [fwd[k] for k in keep], roll_rad)
    mask = np.isfinite(y_all)
    y_all = np.where(mask, y_all, 0.0)
    m_all = mask.astype(float)

    def project(cols: np.ndarray, w: np.ndarray, p: np.ndarray, jac: bool):
        """Weighted residuals (and Jacobian) of the channels ``cols`` with each channel's
        base and amplitude solved for; also those (base, amp)."""
        s, ds = _profile_grad(t, *p)
        g, dg = shapes(s)
        g, dg, y, m = g[:, cols], dg[:, cols], y_all[:, cols], m_all[:, cols]
        n = m.sum(axis=0)
        g_mean = (g * m).sum(axis=0) / n
        gc = (g - g_mean) * m
        norm2 = (gc * gc).sum(axis=0)
        if np.any(norm2 <= 1e-12):
            raise ValueError("no rise in the window")
        amp = (gc * y).sum(axis=0) / norm2
        base = y.sum(axis=0) / n - amp * g_mean
        res = (w * m * (base + amp * g - y)).ravel()
        if not jac:
            return res, None, (base, amp)
        d = (m * amp * dg)[:, :, None] * ds[:, None, :]
        # Kaufman: the model's derivative less its part in span{1, g}, per channel
        d -= m[:, :, None] * (d.sum(axis=0) / n[:, None])[None]
        d -= gc[:, :, None] * (np.einsum("tk,tkp->kp", gc, d) / norm2[:, None])[None]
        return res, (w[None, :, None] * d).reshape(-1, 4), (base, amp)

    lo = np.array([t_ok[0] - 10.0, 0.05, 0.0, 0.05])
    hi = np.array([mid_up, 15.0, 120.0, 15.0])

    def solve(cols: np.ndarray, w: np.ndarray, x0: np.ndarray) -> np.ndarray:
        # the solver asks for the Jacobian where it has just had the residuals: one pass
        last: dict[str, Any] = {}

        def fun(p: np.ndarray) -> np.ndarray:
            r, last["jac"], _ = project(cols, w, p, True)
            last["p"] = p.copy()
            return r

        def jac(p: np.ndarray) -> np.ndarray:
            if "p" in last and np.array_equal(p, last["p"]):
                return last["jac"]
            return project(cols, w, p, True)[1]

        res = least_squares(
            fun,
            np.clip(x0, lo + 1e-9, hi - 1e-9),
            jac=jac,
            bounds=(lo, hi),
            loss="soft_l1",
            f_scale=3.0,
        )
        return res.x

    everything = np.arange(y_all.shape[1])
    try:
        if start is not None and len(start.weights) == len(everything):
            x0 = np.array([start.t0, start.rise_s, start.hold_s, start.lower_s])
            w = np.asarray(start.weights)
        else:
            x0 = solve(everything[:1], np.ones(1), np.array([t00, rise0, hold0, lower0]))
            r, _, _ = project(everything, np.ones(len(everything)), x0, False)
            r = r.reshape(-1, len(everything))
            sig = np.sqrt((r * r).sum(axis=0) / m_all.sum(axis=0))
            w = sig[0] / np.maximum(sig, 1e-6)
        x = solve(everything, w, x0) if len(everything) > 1 or start is not None else x0
        resid, _, (base, amp) = project(everything, w, x, False)
    except ValueError:
        return None
    t0, rise, hold, lower = (float(v) for v in x)
    rms = float(np.sqrt((resid * resid).sum() / m_all.sum()))
    return _Fit(float(base[0]), float(amp[0]), t0, rise, hold, lower, rms, tuple(w.tolist()))


def _true_heel_height(image_pct: float, flat_offset_pct: float) -> float:
    """Heel height from its image rise, undoing the share of its forward move.

    Raised about the metatarsal heads the heel also moves forward, by 0.72 L (1 - cos θ).
    Seen from a camera above the feet, a forward move shows as a rise (from behind) or a
    drop (from the front) in proportion to how much higher the toes appear than the heel
    when the foot is flat: ``flat_offset_pct`` (heel minus toe image height standing, %
    foot; about -25 % from behind at 1 m, 0 from the side).
    """
    th = math.asin(min(max(image_pct, 0.0) / 100.0 / HEEL_TO_MTP_FOOT, 0.95))
    fwd = HEEL_TO_MTP_FOOT * (1.0 - math.cos(th))
    return image_pct + flat_offset_pct * fwd


def _step_free(toe: np.ndarray, up: slice, level_pct: float, margin: int) -> tuple[int, int]:
    """Bounds ``[a, b)`` of a rep's window without the steps around it.

    ``toe``: ``(T, k)`` toe heights of the working feet above their baseline; ``up``: the
    frames above the rep's end level. The last toe lift (above ``level_pct``) before ``up``
    and the first after it are steps: the window starts ``margin`` frames after the toes of
    the one before were back down (under a quarter of the level) and ends ``margin`` frames
    before those of the one after left the floor, never cutting into ``up``.
    """
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        rise = np.nanmax(toe, axis=1) if toe.shape[1] else np.full(len(toe), np.nan)
    lifted = np.flatnonzero(rise > level_pct)
    down = rise < 0.25 * level_pct
    a, b = 0, len(toe)
    after = lifted[lifted >= up.stop]
    if after.size:
        k = int(after[0])
        calm = np.flatnonzero(down[up.stop : k])
        last_down = up.stop + int(calm[-1]) if calm.size else up.stop
        b = max(last_down + 1 - margin, up.stop)
    before = lifted[lifted < up.start]
    if before.size:
        k = int(before[-1])
        calm = np.flatnonzero(down[k : up.start])
        first_down = k + int(calm[0]) if calm.size else up.start
        a = min(first_down + margin, up.start)
    return a, b


def _linfit(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """Least squares ``y = c + k x``; returns (c, k)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 5 or np.ptp(x[ok]) < 0.2:
        return None
    a = np.stack([np.ones(ok.sum()), x[ok]], axis=1)
    (c, k), *_ = np.linalg.lstsq(a, y[ok], rcond=None)
    return float(c), float(k)


#: Thigh / (thigh + shank) and shank / foot length (Winter: 0.245 H, 0.246 H, 0.152 H): with
#: the hip still, an ankle moved sideways by δ carries the knee by about κ δ.
KNEE_FRACTION = anthro.KNEE_FRACTION_OF_LEG
#: Toes further than this (% foot length) from their median sideways position have slid or
#: stepped: those frames do not inform the roll (the toes are its fixed point).
TOE_SLIDE_PCT = 5.0
SHANK_FOOT = anthro.SHANK_TO_FOOT


def _roll_fit(
    s: np.ndarray,
    h_model_pct: np.ndarray,
    ankle: np.ndarray,
    heel: np.ndarray,
    knee: np.ndarray,
    *,
    side: str,
    distance_foot: float = math.nan,
    azimuth_deg: float = math.nan,
) -> tuple[float, np.ndarray, float] | None:
    """Roll at the top (degrees, + outward), a per-frame roll estimate and the rearfoot's
    roll ψ at the top (radians) from the sideways positions of ankle, heel and knee over one
    rep (module docstring).

    The rising foot and the body above it also move forward (ankle and knee by
    0.47 L (1 - cos θ) + 0.26 L sin θ, heel by 0.72 L (1 - cos θ)). Two consequences are
    undone first, when the camera's ``distance_foot`` (foot lengths) and ``azimuth_deg``
    (:func:`gaitlab.signals.view.estimate_azimuth_deg`) are known: perspective (a point moving away
    by ΔZ shrinks towards the image centre by ΔZ / Z; positions are measured from the image
    centre for this) and, off the frontal axis, the share sin φ of the forward move that
    appears sideways; sideways moves themselves appear shortened by |cos φ|.
    """
    sin_th = np.clip(h_model_pct / 100.0 / HEEL_TO_MTP_FOOT, 0.0, 0.95)
    cos_th = np.sqrt(1.0 - sin_th**2)
    z_a = ANKLE_HEIGHT_FOOT * cos_th + ANKLE_TO_MTP_FOOT * sin_th
    z_h = np.maximum(h_model_pct, 0.0) / 100.0
    fwd_a = ANKLE_TO_MTP_FOOT * (1.0 - cos_th) + ANKLE_HEIGHT_FOOT * sin_th
    fwd_h = HEEL_TO_MTP_FOOT * (1.0 - cos_th)
    if math.isfinite(azimuth_deg):
        phi = math.radians(azimuth_deg)
        cos_phi = math.cos(phi)
        # forward (+X) seen along this foot's outward image axis
        q = -math.copysign(1.0, cos_phi) * math.sin(phi) * (1.0 if side == "left" else -1.0)
        scale = max(abs(cos_phi), 0.5)
        if math.isfinite(distance_foot) and distance_foot > 1.0:
            dz_per_fwd = -cos_phi / distance_foot  # ΔZ / Z per foot length forward
            ankle = ankle * (1.0 + dz_per_fwd * fwd_a)
            knee = knee * (1.0 + dz_per_fwd * fwd_a)
            heel = heel * (1.0 + dz_per_fwd * fwd_h)
        ankle = (ankle - 100.0 * q * fwd_a) / scale
        knee = (knee - 100.0 * q * fwd_a) / scale
        heel = (heel - 100.0 * q * fwd_h) / scale
    levers = [z_a, z_h, KNEE_FRACTION * z_a]
    obs = [ankle, heel, knee]
    ok = np.isfinite(s)
    for o in obs:
        ok &= np.isfinite(o)
    if ok.sum() < 10 or s[ok].max() < 0.8 or (s[ok] < 0.1).sum() < 3:
        return None
    n = int(ok.sum())
    m = len(obs)
    psi = 0.0
    coef = np.zeros(m + 1)
    for _ in range(3):
        # regressor: sideways displacement per radian of ψ_top (linearised about ψ)
        g = np.sin(psi * s[ok]) / psi if abs(psi) > 1e-6 else s[ok]
        a = np.zeros((m * n, m + 1))
        for j in range(m):
            a[j * n : (j + 1) * n, j] = 1.0
            a[j * n : (j + 1) * n, m] = 100.0 * levers[j][ok] * g
        y = np.concatenate([o[ok] for o in obs])
        coef, *_ = np.linalg.lstsq(a, y, rcond=None)
        psi = float(coef[m])
    # the frontal rearfoot angle turns by ψ plus the shank's extra sideways tilt, the ankle
    # having moved (1 - κ) z ψ further out than the knee over a shank's length
    z_top = float(np.max(z_a[ok]))
    roll_top = math.degrees(psi) * (1.0 + (1.0 - KNEE_FRACTION) * z_top / SHANK_FOOT)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_frame = np.degrees(np.arcsin(np.clip((ankle - coef[0]) / (100.0 * z_a), -1, 1)))
        per_frame *= 1.0 + (1.0 - KNEE_FRACTION) * z_a / SHANK_FOOT
    per_frame = np.where(s >= 0.3, per_frame, np.nan)
    return float(roll_top), per_frame, psi


# ------------------------------------------------------------------------------------------
# flags
# ------------------------------------------------------------------------------------------
def _flag(
    thr: Threshold,
    rule: str,
    value: float,
    *,
    side: str | None,
    span: tuple[float, float],
    frame: int,
    message: str,
    signal: str,
    sex: str | None,
) -> Flag:
    return Flag(
        rule=rule,
        severity="warning",
        side=side,
        start_s=float(span[0]),
        end_s=float(span[1]),
        frame=int(frame),
        value=float(value),
        threshold=thr.for_sex(sex),
        unit=thr.unit,
        message=message,
        source=thr.source,
        signal=signal,
    )


def rep_flags(
    rep: CalfRaiseRep,
    thresholds: Mapping[str, Threshold],
    *,
    sex: str | None = None,
    frame_at: Any = None,
) -> list[Flag]:
    """The programme's cues checked on one rep, each against its thresholds-file entry.

    ``calf_raise_rise`` "rise too quick", ``calf_raise_hold`` "no pause at the top",
    ``calf_raise_lower_ratio`` "lowered faster than you raised", ``ankle_roll`` "left ankle
    rolled outward 7°", ``ankle_shift``. Entries missing from ``thresholds`` are skipped.
    ``frame_at(t_s) -> frame`` maps a time to a frame (default: the rep's frame).
    """
    out: list[Flag] = []
    at = frame_at or (lambda _t: rep.frame)
    timing_signal = "heel_rise_pct_foot"
    rise_span = (rep.start_s, rep.top_s)
    hold_span = (rep.top_s, rep.hold_end_s)
    lower_span = (rep.hold_end_s, rep.end_s)

    def get(name: str) -> Threshold | None:
        return thresholds.get(name)

    if (thr := get("calf_raise_rise")) is not None and thr.crossed(rep.rise_s, sex):
        out.append(
            _flag(
                thr,
                "calf_raise_rise",
                rep.rise_s,
                side=None,
                span=rise_span,
                frame=at(0.5 * sum(rise_span)),
                message=(
                    f"rise too quick: heels up in {rep.rise_s:.1f} s "
                    f"(slowly raise your heels, at least {thr.for_sex(sex):g} s)"
                ),
                signal=timing_signal,
                sex=sex,
            )
        )
    if (thr := get("calf_raise_hold")) is not None and thr.crossed(rep.hold_s, sex):
        out.append(
            _flag(
                thr,
                "calf_raise_hold",
                rep.hold_s,
                side=None,
                span=hold_span,
                frame=at(0.5 * sum(hold_span)),
                message=(
                    f"no pause at the top: {rep.hold_s:.1f} s "
                    f"(pause at the top for a moment, at least {thr.for_sex(sex):g} s)"
                ),
                signal=timing_signal,
                sex=sex,
            )
        )
    thr = get("calf_raise_lower_ratio")
    if thr is not None and rep.rise_s > 0:
        ratio = rep.lower_s / rep.rise_s
        if thr.crossed(ratio, sex):
            out.append(
                _flag(
                    thr,
                    "calf_raise_lower_ratio",
                    ratio,
                    side=None,
                    span=lower_span,
                    frame=at(0.5 * sum(lower_span)),
                    message=(
                        f"lowered faster than you raised: down in {rep.lower_s:.1f} s, up in "
                        f"{rep.rise_s:.1f} s (lower back down even more slowly)"
                    ),
                    signal=timing_signal,
                    sex=sex,
                )
            )
    for side in SIDES:
        roll = rep.roll(side)
        thr = get("ankle_roll")
        if thr is not None and roll is not None and thr.crossed(roll, sex):
            out.append(
                _flag(
                    thr,
                    "ankle_roll",
                    roll,
                    side=side,
                    span=hold_span,
                    frame=rep.frame,
                    message=(
                        f"{side} ankle rolled outward {roll:.0f}° (keep your ankles straight, "
                        f"press through the base of the big toe; threshold {thr.for_sex(sex):g}°)"
                    ),
                    signal=f"ankle_roll_{side}_deg",
                    sex=sex,
                )
            )
        shift = getattr(rep, f"ankle_shift_{side}_pct_foot")
        thr = get("ankle_shift")
        if thr is not None and shift is not None and thr.crossed(shift, sex):
            out.append(
                _flag(
                    thr,
                    "ankle_shift",
                    shift,
                    side=side,
                    span=hold_span,
                    frame=rep.frame,
                    message=(
                        f"{side} ankle shifted outward {shift:.0f} % of foot length (keep your "
                        f"ankles straight; threshold {thr.for_sex(sex):g} %)"
                    ),
                    signal=f"ankle_shift_{side}_pct_foot",
                    sex=sex,
                )
            )
    return out


# ------------------------------------------------------------------------------------------
# the counter
# ------------------------------------------------------------------------------------------
class _FootBaseline:
    """A foot's standing heel and toe heights from its last ``window_s`` seconds between reps.

    Toe baseline: a low percentile of the toe heights (between reps the heel may not come
    to rest at all, the toes always do). Heel baseline: a low percentile of the heel heights
    in those same frames where the toes were at their baseline. Both of 0.2 s means, so that
    jitter does not pull the baseline under the floor. Both come from one set of
    frames, so when a foot is lifted and held up (single-leg raises) its two baselines move
    together and the foot never looks like a heel raised off planted toes.
    """

    def __init__(self, window_s: float, q: float = 20.0, toe_tol: float = 3.0) -> None:
        self.window_s = window_s
        self.q = q
        self.toe_tol = toe_tol
        self.samples: deque[tuple[float, float, float]] = deque()
        self.heel = math.nan
        self.toe = math.nan

    def push(self, t: float, heel: float, toe: float) -> None:
        if math.isfinite(heel) and math.isfinite(toe):
            self.samples.append((t, heel, toe))
        while self.samples and self.samples[0][0] < t - self.window_s:
            self.samples.popleft()
        if self.samples:
            arr = np.asarray(self.samples)
            # a low percentile of raw jitter lies below the floor: take it of 0.2 s means
            dt = (arr[-1, 0] - arr[0, 0]) / max(len(arr) - 1, 1)
            k = int(min(max(round(0.2 / dt), 1), len(arr))) if dt > 0 else 1
            if k > 1:
                kern = np.ones(k) / k
                arr = np.column_stack(
                    [arr[k - 1 :, 0]] + [np.convolve(arr[:, j], kern, mode="valid") for j in (1, 2)]
                )
            self.toe = float(np.percentile(arr[:, 2], self.q, method="nearest"))
            on_floor = np.abs(arr[:, 2] - self.toe) <= self.toe_tol
            self.heel = float(np.percentile(arr[on_floor, 1], self.q))

    def reset(self) -> None:
        self.samples.clear()
        self.heel = self.toe = math.nan


class _Foot:
    """One foot's floor contact: its standing baseline and whether it is held off the floor.

    A foot is *lifted* once its toes stay above their baseline for ``toe_off_s`` (a step, or
    the free foot of a single-leg raise); its baseline is then frozen. It is down again when
    its toes come back to that baseline, or — after moving to a new spot (walking in,
    stepping away) — when it has stood still for ``relock_s`` with the heel-to-toe height
    difference it had standing flat (a foot held up behind hangs toes-down).
    """

    def __init__(self, cfg: CalfRaiseConfig) -> None:
        self.cfg = cfg
        self.base = _FootBaseline(cfg.baseline_s)
        self.lifted = False
        self._off_since: float | None = None
        self._back_since: float | None = None
        self._recent: deque[tuple[float, float, float]] = deque()
        self._flat: deque[float] = deque(maxlen=300)

    @property
    def flat_offset(self) -> float:
        return float(np.median(self._flat)) if self._flat else math.nan

    def observe(self, t: float, heel: float, toe: float, *, at_rest: bool) -> bool:
        """Update with one frame; return True when the foot is on the floor and usable."""
        cfg = self.cfg
        if not (math.isfinite(heel) and math.isfinite(toe)):
            return False
        self._recent.append((t, heel, toe))
        while self._recent and self._recent[0][0] < t - cfg.relock_s:
            self._recent.popleft()
        if not math.isfinite(self.base.toe):
            self.base.push(t, heel, toe)
        toe_rise = toe - self.base.toe
        if not self.lifted:
            if toe_rise > cfg.toe_level_pct:
                self._off_since = t if self._off_since is None else self._off_since
                if t - self._off_since >= cfg.toe_off_s:
                    self.lifted = True
                    self._back_since = None
            else:
                self._off_since = None
            if not self.lifted and at_rest:
                self.base.push(t, heel, toe)
                if abs(heel - self.base.heel) < cfg.end_level_pct:
                    self._flat.append(heel - toe)
            return not self.lifted and toe_rise < cfg.toe_level_pct
        # lifted: back on its old spot, or standing flat and still on a new one
        if toe_rise < 0.5 * cfg.toe_level_pct:
            self._back_since = t if self._back_since is None else self._back_since
            if t - self._back_since >= RELAND_S:
                self.lifted = False
                self._off_since = None
        else:
            self._back_since = None
        if self.lifted and self._recent and t - self._recent[0][0] >= 0.9 * cfg.relock_s:
            arr = np.asarray(self._recent)
            still = arr[:, 1].std() < STILL_SD_PCT and arr[:, 2].std() < STILL_SD_PCT
            offset = float(np.median(arr[:, 1] - arr[:, 2]))
            flat = self.flat_offset
            if still and math.isfinite(flat) and abs(offset - flat) < FLAT_TOL_PCT:
                self.base.reset()
                for tt, hh, oo in self._recent:
                    self.base.push(tt, hh, oo)
                self.lifted = False
                self._off_since = None
        return False


class CalfRaiseCounter:
    """Incremental calf-raise counter and rep measurer (offline and live alike).

    Feed frames in time order with :meth:`update`; call :meth:`finish` at the end of the
    stream. Results accumulate in ``reps_`` (measured reps), ``events_`` and ``warnings_``;
    ``phase_`` is the current phase for display (``rest``, ``rise``, ``hold``, ``lower``)
    and ``heel_rise_pct_`` the current heel rise above the standing baseline.

    Parameters
    ----------
    config
        Detection parameters (:class:`CalfRaiseConfig`).
    thresholds
        The thresholds file; when given, each rep carries its flags (:func:`rep_flags`).
    sex
        For sex-specific thresholds.
    foot_cm
        Foot length in cm (:func:`foot_length_cm`), to report heights in cm.
    """

    def __init__(
        self,
        config: CalfRaiseConfig | None = None,
        *,
        thresholds: Mapping[str, Threshold] | None = None,
        sex: str | None = None,
        foot_cm: float | None = None,
    ) -> None:
        self.config = config or CalfRaiseConfig()
        self.thresholds = dict(thresholds) if thresholds else {}
        self.sex = sex
        self.foot_cm = foot_cm if foot_cm is not None and math.isfinite(foot_cm) else None
        self.reps_: list[CalfRaiseRep] = []
        self.events_: list[RepEvent] = []
        self.warnings_: list[str] = []
        self.phase_ = "rest"
        self.heel_rise_pct_ = math.nan
        self._feet = [_Foot(self.config) for _ in SIDES]
        self._buf: dict[str, list[Any]] = {
            k: [] for k in ("t", "frame", "d", "body", "dist", "az", *_FIELDS)
        }
        self._offset = 0  # buffer index of the first kept sample (global sample count)
        self._state = "rest"
        self._rep: dict[str, Any] = {}
        self._pending: dict[str, Any] | None = None
        self._window_floor_t = -math.inf
        self._missing_since: float | None = None
        self._out_of_view = False
        self._last_t = -math.inf
        self.rejected_: list[tuple[float, str]] = []
        self.roll_signal_: dict[int, tuple[float, float]] = {}  # frame -> (left, right)

    # -- buffer ---------------------------------------------------------------------------
    def _n(self) -> int:
        return self._offset + len(self._buf["t"])

    def _arr(self, key: str, i0: int, i1: int) -> np.ndarray:
        return np.asarray(self._buf[key][i0 - self._offset : i1 - self._offset], dtype=float)

    def _trim(self, t: float) -> None:
        cfg = self.config
        keep_from = t - (cfg.max_rep_s + cfg.pre_s + cfg.rest_lookback_s + cfg.settle_s + 5.0)
        if self._state != "rest" or self._pending is not None:
            return
        ts = self._buf["t"]
        k = 0
        while k < len(ts) and ts[k] < keep_from:
            k += 1
        if k > 500:
            for v in self._buf.values():
                del v[:k]
            self._offset += k

    # -- main entry -----------------------------------------------------------------------
    def update(self, frame: CalfRaiseFrame) -> list[RepEvent]:
        """Take one frame; return the events it completes (usually none)."""
        cfg = self.config
        t = float(frame.t_s)
        if not t > self._last_t:
            raise ValueError(f"t_s must be strictly increasing, got {t} after {self._last_t}")
        self._last_t = t
        events: list[RepEvent] = []
        heel = np.asarray(frame.heel_pct, float)
        toe = np.asarray(frame.toe_pct, float)
        at_rest = self._state in ("rest", "settle")
        planted = np.array(
            [f.observe(t, heel[k], toe[k], at_rest=at_rest) for k, f in enumerate(self._feet)]
        )
        base_h = np.array([f.base.heel for f in self._feet])
        base_t = np.array([f.base.toe for f in self._feet])
        if self._state == "up":  # baselines are frozen during a rep
            base_h, base_t = self._rep["base_h"], self._rep["base_t"]
        rise = heel - base_h
        usable = np.isfinite(rise) & np.isfinite(toe - base_t)
        planted &= usable
        d = float(np.max(rise[planted])) if planted.any() else math.nan
        self.heel_rise_pct_ = d
        b = self._buf
        b["t"].append(t)
        b["frame"].append(int(frame.frame))
        b["d"].append(d)
        for f in _FIELDS:
            b[f].append(tuple(getattr(frame, f)))
        b["body"].append(tuple(frame.body_pct))
        b["dist"].append(float(frame.camera_distance_foot))
        b["az"].append(float(frame.azimuth_deg))
        i = self._n() - 1

        # feet out of view
        seen = bool((np.isfinite(heel) & np.isfinite(toe)).any())
        if not seen:
            if self._missing_since is None:
                self._missing_since = t
            gone = t - self._missing_since
            if gone > cfg.max_missing_s and not self._out_of_view:
                self._out_of_view = True
                events.append(RepEvent("feet_out_of_view", t, frame.frame, reason=FEET_OUT_OF_VIEW))
                if FEET_OUT_OF_VIEW not in self.warnings_:
                    self.warnings_.append(FEET_OUT_OF_VIEW)
                if self._state == "up":
                    events += self._reject(t, frame.frame, "the feet left the picture mid-rep")
                elif self._pending is not None:
                    events += self._emit(i)
            self._finish_event_batch(events)
            return events
        if self._out_of_view:
            events.append(RepEvent("feet_in_view", t, frame.frame))
        self._missing_since = None
        self._out_of_view = False

        if self._state == "rest":
            if d > cfg.start_level_pct:
                self._start_rep(i, t, frame.frame, base_h, base_t, planted, events)
        elif self._state == "up":
            r = self._rep
            # a foot whose toes leave the floor during the rep is not doing the raise
            off = usable & ~planted
            r["off_run"] = np.where(off, r["off_run"] + 1, 0)
            r["toe_off"] |= r["off_run"] * r["dt"] >= cfg.toe_off_s
            if np.isfinite(d) and d > r["peak"]:
                r["peak"], r["i_peak"] = d, i
            self._display_phase(d, t, frame.frame, events)
            prev_d, t_prev = self._buf["d"][-2], self._buf["t"][-2]
            if np.isfinite(d) and d < cfg.end_level_pct and not prev_d < cfg.end_level_pct:
                # crossing down through the end level (interpolated)
                f = (prev_d - cfg.end_level_pct) / (prev_d - d) if np.isfinite(prev_d) else 1.0
                r["below"] = (t_prev + float(np.clip(f, 0, 1)) * (t - t_prev), i)
            if r["below"] is not None and t - r["below"][0] >= cfg.min_down_s:
                # down for good: the jitter-free mean of the last min_down_s is under the level
                recent = self._arr("d", r["below"][1], i + 1)
                t_rec = self._arr("t", r["below"][1], i + 1)
                recent = recent[t_rec >= t - cfg.min_down_s]
                if np.isfinite(recent).any() and np.nanmean(recent) < cfg.end_level_pct:
                    r["t_down"], r["i_down"] = r["below"]
                    self._end_rep(i, t, frame.frame, events)
            if self._state == "up" and t - r["t_up"] > cfg.max_rep_s:
                events += self._reject(t, frame.frame, "held up too long: the floor moved")
                for foot in self._feet:
                    foot.base.reset()
        if self._state == "settle":
            p = self._pending
            assert p is not None
            if np.isfinite(d) and d > cfg.start_level_pct:
                seg = self._arr("d", p["i_down"], i + 1)
                cut = p["i_down"] + (int(np.nanargmin(seg)) if np.isfinite(seg).any() else 0)
                events += self._emit(cut)
                self._start_rep(i, t, frame.frame, base_h, base_t, planted, events)
            elif t - p["t_down"] >= cfg.settle_s:
                events += self._emit(i)
        self._trim(t)
        self._finish_event_batch(events)
        return events

    def finish(self) -> list[RepEvent]:
        """End of the stream: report a rep that was settling; a rep still in progress is
        not counted (with a warning)."""
        events: list[RepEvent] = []
        if self._state == "settle" and self._pending is not None:
            events += self._emit(self._n() - 1)
        elif self._state == "up":
            t = self._buf["t"][-1]
            events += self._reject(t, self._buf["frame"][-1], "the recording ended mid-rep")
            msg = "the last raise was still in progress when the recording ended: not counted"
            if msg not in self.warnings_:
                self.warnings_.append(msg)
        self._finish_event_batch(events)
        return events

    # -- internals ------------------------------------------------------------------------
    def _finish_event_batch(self, events: list[RepEvent]) -> None:
        self.events_.extend(events)

    def _start_rep(
        self,
        i: int,
        t: float,
        frame: int,
        base_h: np.ndarray,
        base_t: np.ndarray,
        planted: np.ndarray,
        events: list[RepEvent],
    ) -> None:
        cfg = self.config
        prev_d = self._buf["d"][-2] if len(self._buf["d"]) >= 2 else math.nan
        t_prev = self._buf["t"][-2] if len(self._buf["t"]) >= 2 else t
        d = self._buf["d"][-1]
        if np.isfinite(prev_d) and prev_d != d:
            f = float(np.clip((cfg.start_level_pct - prev_d) / (d - prev_d), 0, 1))
            t_up = t_prev + f * (t - t_prev)
        else:
            t_up = t
        dt = t - t_prev if t > t_prev else 1 / 30
        self._rep = {
            "i_up": i,
            "t_up": t_up,
            "base_h": np.array(base_h, float),
            "base_t": np.array(base_t, float),
            "off_run": np.zeros(2),
            "toe_off": ~planted,
            "dt": dt,
            "peak": d,
            "i_peak": i,
            "below": None,
            "shown": "rise",
        }
        self._state = "up"
        self.phase_ = "rise"
        events.append(RepEvent("rep_start", t_up, frame))

    def _display_phase(self, d: float, t: float, frame: int, events: list[RepEvent]) -> None:
        """Approximate live phase (the reported phase times come from the fit)."""
        r = self._rep
        if not np.isfinite(d):
            return
        if (
            r["shown"] == "rise"
            and d >= 0.9 * r["peak"]
            and t - self._buf["t"][r["i_peak"] - self._offset] > 0.1
        ):
            r["shown"] = "hold"
            events.append(RepEvent("rep_top", t, frame))
        elif r["shown"] == "hold" and d < 0.85 * r["peak"]:
            r["shown"] = "lower"
            events.append(RepEvent("rep_lower", t, frame))
        self.phase_ = r["shown"]

    def _end_rep(self, i: int, t: float, frame: int, events: list[RepEvent]) -> None:
        cfg = self.config
        r = self._rep
        if r["toe_off"].all():
            events += self._reject(t, frame, "the toes left the floor: a step, not a raise")
            return
        if r["t_down"] - r["t_up"] < cfg.min_up_s:
            events += self._reject(t, frame, "too short for a raise")
            return
        # the peak after smoothing out the jitter must clear the start level
        d_up = self._arr("d", r["i_up"], r["i_down"] + 1)
        n_avg = max(1, int(round(0.2 / r["dt"])))
        if not np.isfinite(d_up).any() or np.nanmax(_smooth(d_up, n_avg)) < cfg.start_level_pct:
            events += self._reject(t, frame, "too low for a raise")
            return
        self._pending = dict(r)
        self._state = "settle"
        self.phase_ = "lower"

    def _reject(self, t: float, frame: int, reason: str) -> list[RepEvent]:
        self.rejected_.append((t, reason))
        self._state = "rest"
        self.phase_ = "rest"
        self._rep = {}
        return [RepEvent("rep_rejected", t, frame, reason=reason)]

    def _emit(self, i_end: int) -> list[RepEvent]:
        p = self._pending
        self._pending = None
        self._state = "rest"
        self.phase_ = "rest"
        if p is None:
            return []
        rep = self._measure(p, i_end)
        # the fitted plateau, free of jitter, must clear the start level too
        if rep is None or rep.height_pct_foot < self.config.start_level_pct:
            t = self._buf["t"][i_end - self._offset]
            reason = "could not be measured" if rep is None else "too low for a raise"
            self.rejected_.append((t, reason))
            frame = self._buf["frame"][i_end - self._offset]
            return [RepEvent("rep_rejected", t, frame, reason=reason)]
        self.reps_.append(rep)
        return [RepEvent("rep_end", rep.end_s, rep.frame, rep=rep)]

    def _frame_at(self, t_s: float, i0: int, i1: int) -> int:
        ts = self._arr("t", i0, i1)
        fr = self._buf["frame"][i0 - self._offset : i1 - self._offset]
        return int(fr[int(np.argmin(np.abs(ts - t_s)))])

    def _measure(self, p: dict[str, Any], i_end: int) -> CalfRaiseRep | None:
        cfg = self.config
        t_all = self._arr("t", self._offset, i_end + 1)
        w_start_t = max(p["t_up"] - cfg.pre_s, self._window_floor_t)
        i0 = self._offset + int(np.searchsorted(t_all, w_start_t))
        i1 = i_end + 1
        t = self._arr("t", i0, i1)
        heel = self._arr("heel_pct", i0, i1) - p["base_h"]
        toe = self._arr("toe_pct", i0, i1) - p["base_t"]
        up = slice(p["i_up"] - i0, p["i_down"] - i0 + 1)
        # working feet: toes down throughout, heel up at least half as far as the other's
        peaks = np.full(2, np.nan)
        toe_up = np.full(2, np.nan)
        for k in range(2):
            if np.isfinite(heel[up, k]).any() and np.isfinite(toe[up, k]).any():
                peaks[k] = np.nanmax(heel[up, k])
                toe_up[k] = np.nanmedian(toe[up, k])
        with np.errstate(invalid="ignore"):
            candidate = (
                ~p["toe_off"]
                & np.isfinite(peaks)
                & (peaks >= cfg.start_level_pct)
                & (toe_up < cfg.toe_level_pct)
            )
            if not candidate.any():
                return None
            working = candidate & (peaks >= 0.5 * np.max(peaks[candidate]))
        legs = "both" if working.all() else SIDES[int(np.flatnonzero(working)[0])]
        # A step just before or after the rep (getting into position, stepping away) lifts a
        # working foot's toes, and the heel and the body move with it: the window stops
        # short of it.
        a, b = _step_free(toe[:, working], up, cfg.toe_level_pct, int(round(0.1 / p["dt"])))
        i0, i1 = i0 + a, i0 + b
        t, heel, toe = t[a:b], heel[a:b], toe[a:b]
        up = slice(up.start - a, up.stop - a)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            h = np.nanmean(heel[:, working], axis=1)
        # Sideways measures use the rep's window plus earlier standing frames (heel at rest,
        # outside any rep): more frames pin the standing baseline of each landmark.
        j0 = self._offset + int(np.searchsorted(t_all, w_start_t - cfg.rest_lookback_s))
        j0 = min(j0, i0)
        dist_arr = self._arr("dist", j0, i1)
        dist = float(np.nanmedian(dist_arr)) if np.isfinite(dist_arr).any() else math.nan
        az_arr = np.radians(self._arr("az", j0, i1))
        az = (
            math.degrees(math.atan2(np.nanmedian(np.sin(az_arr)), np.nanmedian(np.cos(az_arr))))
            if np.isfinite(az_arr).any()
            else math.nan
        )
        flats = [self._feet[k].flat_offset for k in range(2) if working[k]]
        flat = float(np.nanmean(flats)) if np.isfinite(flats).any() else 0.0
        body = self._arr("body", i0, i1)
        free_legs = {f"leg_{side}" for k, side in enumerate(SIDES) if not working[k]}
        extra = [
            body[:, g]
            for g, name in enumerate(BODY_GROUP_NAMES)
            if name not in free_legs and np.isfinite(body[:, g]).sum() > 8
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            feet_level = float(np.nanmean(p["base_h"][working]))
            levels = [float(np.nanmedian(e)) - feet_level for e in extra]
        heel_fwd, body_fwd = _forward_rise(flat, levels, distance_foot=dist, azimuth_deg=az)
        extra = [e - np.nanmedian(e) for e in extra]
        tl = self._arr("t", j0, i1)
        before = tl < t[0]
        d_l = self._arr("d", j0, i1)
        with np.errstate(invalid="ignore"):
            standing = before & (np.abs(d_l) < cfg.end_level_pct)
        if self.reps_:
            prev = self.reps_[-1]
            standing &= (tl < prev.start_s - 0.2) | (tl > prev.end_s + 0.2)
        alat = self._arr("ankle_lat_pct", j0, i1)
        hlat = self._arr("heel_lat_pct", j0, i1)
        tlat = self._arr("toe_lat_pct", j0, i1)
        knee_lat = self._arr("knee_lat_pct", j0, i1)
        # A rolling foot's heel and ankle rise less, by cos ψ: a rep found to roll is
        # fitted again with that in its shapes (ψ grows with the rise, like θ).
        psi = 0.0
        fit: _Fit | None = None
        for _ in range(2):
            fit = _fit_phases(
                t, h, extra, heel_fwd=heel_fwd, extra_fwd=body_fwd, roll_rad=psi, start=fit
            )
            if fit is None:
                return None
            s = fit.s(t)
            top_s = fit.t0 + fit.rise_s
            hold_end = top_s + fit.hold_s
            end_s = hold_end + fit.lower_s
            per_side_h: list[float | None] = [None, None]
            for k in range(2):
                if working[k]:
                    lf = _linfit(s, heel[:, k])
                    per_side_h[k] = _true_heel_height(lf[1], flat) if lf is not None else None
            height = _true_heel_height(float(fit.amp), flat)
            sl = fit.s(tl)
            sl = np.where((before & ~standing) | (tl > end_s + 0.5), np.nan, sl)
            rolls: list[tuple[float, np.ndarray, float, np.ndarray] | None] = [None, None]
            for k in range(2):
                if not working[k]:
                    continue
                top = sl >= 0.5
                if not top.any() or np.isfinite(alat[top, k]).mean() < 0.6:
                    continue
                amp_k = per_side_h[k] if per_side_h[k] is not None else height
                # the toes are the fixed point of the roll: frames where they slid are out
                with np.errstate(invalid="ignore"):
                    slid = np.abs(tlat[:, k] - np.nanmedian(tlat[:, k])) > TOE_SLIDE_PCT
                sk = np.where(slid, np.nan, sl)
                rf = _roll_fit(
                    sk,
                    amp_k * sl,
                    alat[:, k],
                    hlat[:, k],
                    knee_lat[:, k],
                    side=SIDES[k],
                    distance_foot=dist,
                    azimuth_deg=az,
                )
                if rf is not None:
                    rolls[k] = (rf[0], rf[1], rf[2], sk)
            psis = [r[2] for k, r in enumerate(rolls) if working[k] and r is not None]
            new_psi = math.sqrt(sum(v * v for v in psis) / int(working.sum())) if psis else 0.0
            if abs(new_psi - psi) < math.radians(2.0):
                break
            psi = new_psi
        self._window_floor_t = min(end_s, float(t[-1]))
        frame = self._frame_at(0.5 * (top_s + hold_end), i0, i1)
        roll: list[float | None] = [None, None]
        shift: list[float | None] = [None, None]
        wobble: list[float | None] = [None, None]
        frames = self._buf["frame"][j0 - self._offset : i1 - self._offset]
        for k in range(2):
            rk = rolls[k]
            if rk is None:
                continue
            roll[k], per_frame, _, sk = rk
            for j, fr in enumerate(frames):
                if np.isfinite(per_frame[j]):
                    cur = self.roll_signal_.get(fr, (math.nan, math.nan))
                    new = list(cur)
                    new[k] = float(per_frame[j])
                    self.roll_signal_[fr] = (new[0], new[1])
            sh = _linfit(sk, alat[:, k] - 0.5 * (hlat[:, k] + tlat[:, k]))
            shift[k] = sh[1] if sh is not None else None
            # wobble: spread of the ankle's sideways position during the hold, beyond the
            # jitter of the same landmark at rest
            hold = (tl >= top_s) & (tl <= hold_end)
            rest = sk <= 0.02
            if fit.hold_s >= 0.3 and hold.sum() >= 5 and rest.sum() >= 5:
                lin = _linfit(sk, alat[:, k])
                if lin is not None:
                    res_ = alat[:, k] - (lin[0] + lin[1] * sk)
                    v_hold = np.nanvar(res_[hold])
                    v_rest = np.nanvar(res_[rest])
                    if np.isfinite(v_hold) and np.isfinite(v_rest):
                        wobble[k] = float(math.sqrt(max(v_hold - v_rest, 0.0)))
        height_cm = height / 100.0 * self.foot_cm if self.foot_cm is not None else None
        rep = CalfRaiseRep(
            index=len(self.reps_),
            start_s=float(fit.t0),
            top_s=float(top_s),
            hold_end_s=float(hold_end),
            end_s=float(end_s),
            rise_s=float(fit.rise_s),
            hold_s=float(fit.hold_s),
            lower_s=float(fit.lower_s),
            height_pct_foot=height,
            height_cm=height_cm,
            legs=legs,
            frame=frame,
            ankle_roll_left_deg=roll[0],
            ankle_roll_right_deg=roll[1],
            ankle_shift_left_pct_foot=shift[0],
            ankle_shift_right_pct_foot=shift[1],
            wobble_left_pct_foot=wobble[0],
            wobble_right_pct_foot=wobble[1],
            height_left_pct_foot=per_side_h[0],
            height_right_pct_foot=per_side_h[1],
            detected_s=float(self._buf["t"][i_end - self._offset]),
        )
        if self.thresholds:
            flags = rep_flags(
                rep,
                self.thresholds,
                sex=self.sex,
                frame_at=lambda tt: self._frame_at(tt, i0, i1),
            )
            rep = replace(rep, flags=tuple(flags))
        return rep


# ------------------------------------------------------------------------------------------
# heel-rise test (single leg, to fatigue)
# ------------------------------------------------------------------------------------------
def heel_rise_test(
    reps: list[CalfRaiseRep],
    thresholds: Mapping[str, Threshold],
    *,
    sex: str | None = None,
    body_mass_kg: float | None = None,
    n_first: int = 3,
) -> tuple[dict[str, Any], list[Flag], list[str]]:
    """Score single-leg heel-rise tests to fatigue from the reps of a clip.

    A side's single-leg reps are its test. The test ends at the first rep whose height
    falls below ``heel_rise_test_height_fraction`` of the mean of the first ``n_first``
    reps, or whose cycle (start to next start) exceeds ``heel_rise_test_rhythm_factor`` ×
    the median of the first cycles (the metronome pace can no longer be followed); that rep
    and later ones do not count (a criterion missing from ``thresholds`` is not applied).
    Work = body mass × g × the sum of the counted reps' heel heights (J), the heel-rise work
    test's measure; it needs heights in cm and the body mass. Repetitions are compared with
    ``heel_rise_test_reps`` (sex-specific medians), the peak height with
    ``heel_rise_test_peak_height``, and with both sides tested the limb symmetry index
    (weaker / stronger repetitions, %) with ``heel_rise_test_symmetry``.
    Returns (metrics, flags, warnings).
    """
    metrics: dict[str, Any] = {}
    flags: list[Flag] = []
    notes: list[str] = []
    frac_thr = thresholds.get("heel_rise_test_height_fraction")
    rhythm_thr = thresholds.get("heel_rise_test_rhythm_factor")
    norm = thresholds.get("heel_rise_test_reps")
    peak_norm = thresholds.get("heel_rise_test_peak_height")
    frac = frac_thr.for_sex(sex) if frac_thr else 0.0
    factor = rhythm_thr.for_sex(sex) if rhythm_thr else math.inf
    runs: dict[str, list[CalfRaiseRep]] = {}
    for rep in reps:
        if rep.legs in SIDES and rep.legs not in runs:
            runs[rep.legs] = [r for r in reps if r.legs == rep.legs]
    if not runs:
        notes.append("heel-rise test: no single-leg raises found (stand on one leg)")
    for side, run in runs.items():
        first = run[: max(1, n_first)]
        ref_h = float(np.mean([r.height_pct_foot for r in first]))
        cycles = np.diff([r.start_s for r in run])
        ref_cycle = float(np.median(cycles[: max(1, n_first - 1)])) if cycles.size else math.nan
        counted: list[CalfRaiseRep] = []
        reason = "stopped"
        for j, rep in enumerate(run):
            if rep.height_pct_foot < frac * ref_h:
                reason = "height could no longer be maintained"
                break
            if j > 0 and math.isfinite(ref_cycle) and cycles[j - 1] > factor * ref_cycle:
                reason = "the rhythm broke"
                break
            counted.append(rep)
        metrics[f"heel_rise_test_reps_{side}"] = len(counted)
        metrics[f"heel_rise_test_end_{side}"] = reason
        metrics[f"heel_rise_test_peak_{side}_pct_foot"] = (
            round(max(r.height_pct_foot for r in counted), 2) if counted else None
        )
        cms = [r.height_cm for r in counted if r.height_cm is not None]
        metrics[f"heel_rise_test_peak_{side}_cm"] = round(max(cms), 2) if cms else None
        metrics[f"heel_rise_test_peak_{side}_pct_norm"] = (
            round(100 * max(cms) / peak_norm.for_sex(sex), 1) if cms and peak_norm else None
        )
        if body_mass_kg is not None and cms and len(cms) == len(counted):
            metrics[f"heel_rise_test_work_{side}_j"] = round(body_mass_kg * G * sum(cms) / 100, 1)
        else:
            metrics[f"heel_rise_test_work_{side}_j"] = None
        if norm is not None and counted:
            limit = norm.for_sex(sex)
            metrics[f"heel_rise_test_reps_{side}_pct_norm"] = round(100 * len(counted) / limit, 1)
            if norm.crossed(len(counted), sex):
                flags.append(
                    Flag(
                        rule="heel_rise_test_reps",
                        severity="info",
                        side=side,
                        start_s=counted[0].start_s,
                        end_s=counted[-1].end_s,
                        frame=counted[-1].frame,
                        value=float(len(counted)),
                        threshold=limit,
                        unit=norm.unit,
                        message=(
                            f"{side} leg: {len(counted)} heel raises, fewer than the norm of "
                            f"{limit:g}"
                        ),
                        source=norm.source,
                        signal="heel_rise_pct_foot",
                    )
                )
    if {"left", "right"} <= set(runs):
        a = metrics["heel_rise_test_reps_left"]
        b = metrics["heel_rise_test_reps_right"]
        lsi = 100.0 * min(a, b) / max(a, b) if max(a, b) > 0 else None
        metrics["heel_rise_test_symmetry_pct"] = None if lsi is None else round(lsi, 1)
        sym = thresholds.get("heel_rise_test_symmetry")
        if sym is not None and lsi is not None and sym.crossed(lsi, sex):
            weaker = "left" if a < b else "right"
            flags.append(
                Flag(
                    rule="heel_rise_test_symmetry",
                    severity="info",
                    side=weaker,
                    start_s=reps[0].start_s,
                    end_s=reps[-1].end_s,
                    frame=reps[-1].frame,
                    value=lsi,
                    threshold=sym.for_sex(sex),
                    unit=sym.unit,
                    message=f"{weaker} leg did {lsi:.0f} % of the other leg's heel raises",
                    source=sym.source,
                    signal="heel_rise_pct_foot",
                )
            )
    else:
        metrics["heel_rise_test_symmetry_pct"] = None
    return metrics, flags, notes


# ------------------------------------------------------------------------------------------
# the analyzer
# ------------------------------------------------------------------------------------------
def _frontal_mask(ctx: TaskContext) -> np.ndarray:
    n = len(ctx.pose)
    out = np.zeros((n, 2), bool)
    for k, side in enumerate(SIDES):
        name = f"ankle_shift_{side}_pct_foot"
        if name in ctx.signals:
            out[:, k] = np.isfinite(ctx.signals[name])
        else:
            out[:, k] = np.isin(
                np.asarray(ctx.view_per_frame).astype(str), ("anterior", "posterior")
            )
    return out


def _mean(values: list[float | None]) -> float | None:
    v = [x for x in values if x is not None and math.isfinite(x)]
    return round(float(np.mean(v)), 3) if v else None


def _camera_roll(pose: PoseSequence, azimuth: np.ndarray) -> float:
    """The camera roll to undo, or 0 (see :data:`CAMERA_ROLL_MAX_OFF_AXIS_DEG`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        roll = estimate_camera_roll_deg(pose)
        off = float(np.nanmedian(off_axis_deg(azimuth))) if np.isfinite(azimuth).any() else 0.0
    lo, hi = CAMERA_ROLL_MAX_OFF_AXIS_DEG, 90.0 - CAMERA_ROLL_MAX_OFF_AXIS_DEG
    if not math.isfinite(roll) or lo < off < hi:
        return 0.0
    return roll


def analyze_calf_raise(
    ctx: TaskContext, mode: str = "set", config: CalfRaiseConfig | None = None
) -> TaskResult:
    """Count and measure calf raises (module docstring).

    ``mode``: ``"set"`` (an exercise set) or ``"test"`` (single-leg heel-rise test to
    fatigue, scored by :func:`heel_rise_test`). Runs :class:`CalfRaiseCounter` frame by frame
    over the cleaned pose, exactly as the live path does.
    """
    if mode not in ("set", "test"):
        raise ValueError(f"mode must be 'set' or 'test', got {mode!r}")
    pose = ctx.pose
    n = len(pose)
    foot_px = foot_length_px(pose) if n else math.nan
    if not (math.isfinite(foot_px) and foot_px > 0):
        return TaskResult(
            metrics={"reps": None, "legs": None},
            warnings=[f"{FEET_OUT_OF_VIEW.split(':')[0]}: the feet were not seen"],
        )
    azimuth = estimate_azimuth_deg(pose)
    inputs = CalfRaiseInputs.from_pose(
        pose,
        foot_px=foot_px,
        roll_deg=_camera_roll(pose, azimuth),
        frontal=_frontal_mask(ctx),
        azimuth_deg=azimuth,
    )
    foot_cm = None
    if ctx.height_cm is not None:
        fc = foot_length_cm(pose, ctx.height_cm, foot_px)
        foot_cm = fc if math.isfinite(fc) else None
    counter = CalfRaiseCounter(config, thresholds=ctx.thresholds, sex=ctx.sex, foot_cm=foot_cm)
    heel_rise = np.full(n, np.nan)
    for i, fr in enumerate(inputs.frames()):
        counter.update(fr)
        heel_rise[i] = counter.heel_rise_pct_
    counter.finish()
    reps = counter.reps_
    warn = list(counter.warnings_)

    feet_seen = float(
        (np.isfinite(inputs.heel_pct) & np.isfinite(inputs.toe_pct)).any(axis=1).mean()
    )
    if feet_seen < 0.8 and FEET_OUT_OF_VIEW not in warn:
        warn.append(
            f"{FEET_OUT_OF_VIEW.split(':')[0]}: they were seen in only {feet_seen:.0%} of frames"
        )

    # per-frame signals for frames.csv
    sig = inputs.signals()
    sig["heel_rise_pct_foot"] = heel_rise
    row_of = {int(f): i for i, f in enumerate(pose.frame_index)}
    for k, side in enumerate(SIDES):
        a = np.full(n, np.nan)
        for fr, vals in counter.roll_signal_.items():
            if fr in row_of:
                a[row_of[fr]] = vals[k]
        sig[f"ankle_roll_{side}_deg"] = a

    roll_reason = None
    if not np.isfinite(inputs.ankle_lat_pct).any():
        roll_reason = ctx.signals.unavailable.get(
            "rearfoot_left_deg",
            "ankle roll needs a front or back view; no part of this clip is filmed from the "
            "front or back",
        ).replace(" (rearfoot angle)", "")
        warn.append(roll_reason)

    events: list[Event] = []
    for rep in reps:
        side = None if rep.legs == "both" else rep.legs
        for typ, tt in (("rep_start", rep.start_s), ("rep_top", rep.top_s), ("rep_end", rep.end_s)):
            fr = int(pose.frame_index[int(np.argmin(np.abs(pose.t_s - tt)))])
            events.append(Event(typ, float(tt), fr, side))
    flags: list[Flag] = [f for rep in reps for f in rep.flags]

    cms = [r.height_cm for r in reps if r.height_cm is not None]
    legs = {r.legs for r in reps}
    metrics: dict[str, Any] = {
        # feet (almost) never in view: the count is unknown, not zero
        "reps": len(reps) if reps or feet_seen >= 0.2 else None,
        "legs": (legs.pop() if len(legs) == 1 else "mixed") if reps else None,
        "rise_mean_s": _mean([r.rise_s for r in reps]),
        "hold_mean_s": _mean([r.hold_s for r in reps]),
        "lower_mean_s": _mean([r.lower_s for r in reps]),
        "heel_rise_peak_pct_foot": round(max(r.height_pct_foot for r in reps), 2) if reps else None,
        "heel_rise_mean_pct_foot": _mean([r.height_pct_foot for r in reps]),
        "heel_rise_peak_cm": round(max(cms), 2) if cms else None,
    }
    for side in SIDES:
        vals = [v for r in reps if (v := r.roll(side)) is not None]
        metrics[f"ankle_roll_peak_{side}_deg"] = round(max(vals), 2) if vals else None
        metrics[f"ankle_wobble_mean_{side}_pct_foot"] = _mean(
            [getattr(r, f"wobble_{side}_pct_foot") for r in reps]
        )
    if reps and roll_reason is None and not any(r.ankle_roll_peak_deg is not None for r in reps):
        warn.append("ankle roll: the working feet were not seen from the front or back")
    if ctx.height_cm is None and reps:
        warn.append("heel height in cm needs the subject's height")
    if mode == "test":
        m, f, notes = heel_rise_test(
            reps, ctx.thresholds, sex=ctx.sex, body_mass_kg=ctx.body_mass_kg
        )
        metrics.update(m)
        flags += f
        warn += notes
        if ctx.body_mass_kg is None:
            warn.append("heel-rise test work (J) needs the subject's body mass")
    return TaskResult(
        metrics=metrics,
        events=sorted(events, key=lambda e: e.t_s),
        reps=[r.to_dict() for r in reps],
        flags=sorted(flags, key=lambda f: f.start_s),
        warnings=list(dict.fromkeys(warn)),
        signals=sig,
    )
