"""Single-leg balance ("barefoot balancing"): find each hold, time it, measure sway and drop.

A hold starts when one foot is clearly lifted off the floor and ends when it touches down
or the standing foot hops or shifts (MEASURES.md, "Single-leg balance"). The detector is the
causal, frame-by-frame :class:`BalanceTimer`, so the live webcam loop and the offline
analyzer run exactly the same rule: offline feeds it the cleaned pose frame by frame
(:func:`balance_values`), live feeds it each visibility-gated frame as it arrives.

Foot lift
    For each foot, each of its ankle, heel and toe (``foot_index``) landmarks has its own
    floor level: its image y while that foot stands, tracked with a slow average and frozen
    while the foot is up. A landmark's *rise* is its floor level minus its y, in fractions
    of the leg length (hip→knee→ankle, pixels), so the same margins work at any distance
    and resolution. The foot's rise is the smallest rise of its visible landmarks (the part
    nearest the floor: a heel raise with the toes down is not a lift). Whichever landmarks
    are visible are used, so a foot hidden behind the standing leg in a side view still
    counts when any of its points is seen; when none is, the timer says it cannot tell.
Hysteresis
    A foot is *lifted* above :data:`LIFT_HIGH_FRAC` and *down* again only below
    :data:`LIFT_LOW_FRAC`; a lift must last :data:`MIN_LIFT_S` to be a hold, and a touch or
    a stance-foot shift must last :data:`MIN_TOUCH_S` to end one, so jitter never splits or
    invents a hold. A lift during which the subject's on-screen size changes is a walk
    towards or away from the camera, not a hold (:data:`MAX_SIZE_CHANGE_FRAC`).
Timing
    The thresholds are crossed a few centimetres after lift-off and before touch-down, when a
    foot lifted from rest has been moving for 0.05–0.1 s. The reported times come from a
    least-squares fit of "rest, then rise ∝ t²" to the recent rise (:func:`fit_rest_onset`),
    mirrored for the landing, so they sit at the lift-off / touch-down itself. The timer
    smooths its inputs with a short moving average and runs on the window's centroid time,
    which removes the average's delay exactly. Times come from the frame timestamps.

Sway (offline)
    Of the pelvis centre (hip midpoint) during the hold, along the image horizontal: the
    medio-lateral direction in front/back views, antero-posterior in side views (one camera
    sees one horizontal direction; depth is invisible). The track is low-passed at
    :data:`SWAY_CUTOFF_HZ`. RMS = root-mean-square distance from its mean over the hold,
    with the landmark-noise floor removed (see :func:`sway_rms_px`); path = summed absolute
    frame-to-frame displacement, its noise likewise removed (:func:`sway_path_px`). Both in
    % of leg length and, with the user's height, in cm. Short holds (≈ 2 s) leave too few
    independent samples to separate sway from noise: expect ±15–25 % there.
Pelvic drop (offline, front/back views)
    Pelvic obliquity during the hold minus its standing baseline before the lift, signed so
    that positive = the lifted side's hip drops (a Trendelenburg-type sign).
"""

from __future__ import annotations

import math
import re
import warnings
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from gaitlab.core import anthropometry as anthro
from gaitlab.core.geometry import angle_between, distance
from gaitlab.core.landmarks import SIDES, Landmark, other_side, side_landmark
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Event, Flag, PoseSequence
from gaitlab.rules.sustained import flag_sustained
from gaitlab.signals.clean import lowpass
from gaitlab.signals.view import FRONTAL_VIEWS, SAGITTAL_VIEWS
from gaitlab.tasks.base import TaskContext, TaskResult

__all__ = [
    "BALANCE_VALUE_KEYS",
    "BalanceTimer",
    "Hold",
    "analyze_balance",
    "balance_values",
    "detect_holds",
    "fit_rest_onset",
    "norm_for_age",
    "sway_path_px",
    "sway_rms_px",
]

# -- detection parameters (geometry of a lifted foot, not clinical thresholds) --------------
#: A foot is clearly lifted when its lowest visible point rises more than this fraction of
#: the leg length above its floor level: 5 % ≈ 4 cm for an adult, several times the landmark
#: jitter of a cleaned track (≈ 0.7 % of leg length at 1280×720, 4 m) and well below the
#: 10–30 cm a foot is held up in single-leg stance.
LIFT_HIGH_FRAC = 0.05
#: The lifted foot counts as down again below this rise (2 % ≈ 1.7 cm): the hysteresis band
#: between this and :data:`LIFT_HIGH_FRAC` absorbs jitter.
LIFT_LOW_FRAC = 0.02
#: Window (s) of the rise fitted for the lift-off / touch-down time, ending where the rise
#: reaches the high level (:data:`LIFT_HIGH_FRAC`: a rise that large pins the fit's
#: curvature, so a landmark wobble just before the lift cannot drag the time earlier): long
#: enough to hold some standing samples and the whole early rise of a normal lift
#: (≈ 0.1–0.2 s), short enough to exclude the weight shift before it.
FIT_WINDOW_S = 0.3
#: Time resolution of that fit (s).
FIT_STEP_S = 0.002
#: Shortest lift that counts as a hold: a step (swing ≈ 0.4 s) or a stumble is not one.
MIN_LIFT_S = 0.5
#: A touch-down or a stance-foot shift must last this long to end a hold (one or two jittery
#: frames are not a touch). The end time is the start of the touch, not its confirmation.
MIN_TOUCH_S = 0.15
#: The standing foot moving more than this fraction of leg length (≈ 1/3 foot length) from
#: where it stood at the start of the hold, or rising like a lifted foot, is a hop or shift.
STANCE_SHIFT_FRAC = 0.10
#: A hold keeps the subject at one distance from the camera: an apparent size (the longer
#: leg in pixels) that changes by more than this fraction since the lift is a walk (a foot
#: planted a step further away sits higher in the image, like a lifted one; a step at 4 m
#: changes the size by ~15 %): the lift is cancelled, even after it became a hold (the live
#: loop then gets a ``hold_cancel`` event).
MAX_SIZE_CHANGE_FRAC = 0.08
#: Time constant of the floor-level average while a foot stands: slow enough to ignore
#: jitter and the first centimetres of a lift, fast enough to follow a camera nudge.
BASELINE_TAU_S = 1.0
#: At first sight, a foot whose landmarks are all this much (fraction of leg length) above
#: the same landmarks of the other foot is taken to be already lifted: depth differences
#: between the feet in a side view move the floor level by ≤ 6 % of leg length at 3–4 m.
INIT_LIFTED_FRAC = 0.10
#: Causal moving average of the timer's inputs (s). It evens out raw live landmarks (≈ 2–3 px
#: of jitter) to the level of an offline-cleaned track; its delay, half the window, is
#: removed exactly (the timer runs on the window's centroid time), so offline and live
#: give the same times. Feed it visibility-gated landmarks, not a One Euro output: that
#: filter's lag depends on speed (up to ~0.2 s at a touch-down) and cannot be removed.
SMOOTH_S = 0.1
#: Seconds of per-frame history kept for refining lift-off / touch-down times.
HISTORY_S = 2.0
#: Seconds of per-frame leg lengths behind the running-median scale in live use.
SCALE_WINDOW_S = 10.0

# -- measurement parameters ---------------------------------------------------------------
#: Low-pass cutoff for the pelvis track before sway is measured. Pelvis (centre-of-mass)
#: sway in quiet single-leg stance lies mostly below 1 Hz; 2 Hz keeps it while removing about
#: two thirds of the remaining landmark-noise variance of a 6 Hz-cleaned track.
SWAY_CUTOFF_HZ = 2.0
#: The sway noise floor is estimated over at least this many seconds around a hold.
NOISE_WINDOW_S = 6.0
#: Lift-off and touch-down transients excluded from the pelvic-drop mean: this many seconds
#: at each end of the hold, at most :data:`DROP_TRIM_FRAC` of the hold.
DROP_TRIM_S = 0.5
DROP_TRIM_FRAC = 0.2
#: Standing baseline for pelvic obliquity: this window before the lift-off (s, s).
BASELINE_WINDOW_S = (5.0, 0.4)
#: Standing time (s) wanted for the baseline: with less before the lift, standing after the
#: touch-down (same window) is added. Pelvic obliquity jitters by ~3° per frame on a 50 px
#: hip line at 2–3 px of noise; the baseline must not add much to the hold's own noise.
MIN_BASELINE_S = 3.0
#: Below this much standing (s) there is no baseline and no pelvic drop.
MIN_BASELINE_ANY_S = 0.3
#: A pelvic drop above the threshold must last this long to be "sustained".
SUSTAINED_DROP_S = 1.0
#: Eye and shoulder height / stature (Winter's anthropometric segment proportions): the eyes
#: are the highest BlazePose landmarks, so eyes-to-sole pixels / 0.936 is the stature in
#: pixels; seen from behind the face is hidden and the shoulders (0.818) stand in.
EYE_HEIGHT_FRAC = anthro.EYE_HEIGHT_OF_HEIGHT
SHOULDER_HEIGHT_FRAC = anthro.SHOULDER_HEIGHT_OF_HEIGHT
#: Fewer than this fraction of hold frames with a measure → the measure is not reported.
MIN_COVERAGE = 0.5

_PARTS = ("ankle", "heel", "foot_index")
_FACE = (
    Landmark.LEFT_EYE,
    Landmark.RIGHT_EYE,
    Landmark.LEFT_EYE_INNER,
    Landmark.RIGHT_EYE_INNER,
    Landmark.LEFT_EYE_OUTER,
    Landmark.RIGHT_EYE_OUTER,
    Landmark.LEFT_EAR,
    Landmark.RIGHT_EAR,
)
_NORM_KEY = re.compile(r"^balance_norm_eo_(\d+)_(\d+)$")

#: The keys :meth:`BalanceTimer.update` reads (see :func:`balance_values`).
BALANCE_VALUE_KEYS = tuple(
    f"{side}_{part}_{axis}_px" for side in SIDES for part in _PARTS for axis in ("x", "y")
) + ("leg_length_px",)


# ------------------------------------------------------------------------------------------
# per-frame values
# ------------------------------------------------------------------------------------------
def balance_values(xy: np.ndarray) -> dict[str, Any]:
    """The values :class:`BalanceTimer` needs, from one frame or a whole sequence.

    Parameters
    ----------
    xy
        ``(33, 2)`` landmarks of one frame or ``(T, 33, 2)`` of a sequence, in pixels of the
        upright frame (y down), NaN where missing (after visibility gating).

    Returns
    -------
    ``{side}_{part}_{x|y}_px`` for the ankle, heel and foot_index of each foot, and
    ``leg_length_px`` (the longer of the two legs' hip→knee + knee→ankle in this frame: a
    lifted leg is foreshortened in a front view). Floats for one frame, ``(T,)`` arrays for
    a sequence.
    """
    a = np.asarray(xy, dtype=float)
    if a.shape[-2:] != (len(Landmark), 2) or a.ndim not in (2, 3):
        raise ValueError(f"xy: expected shape (33, 2) or (T, 33, 2), got {a.shape}")
    out: dict[str, Any] = {}
    legs = []
    for side in SIDES:
        for part in _PARTS:
            p = a[..., side_landmark(side, part), :]
            out[f"{side}_{part}_x_px"] = p[..., 0]
            out[f"{side}_{part}_y_px"] = p[..., 1]
        hip, knee, ankle = (a[..., side_landmark(side, q), :] for q in ("hip", "knee", "ankle"))
        legs.append(distance(hip, knee) + distance(knee, ankle))
    out["leg_length_px"] = np.fmax(legs[0], legs[1])
    if a.ndim == 2:
        return {k: float(v) for k, v in out.items()}
    return out


# ------------------------------------------------------------------------------------------
# the causal detector
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hold:
    """One single-leg hold.

    ``end_reason``: ``touchdown`` (the lifted foot came down), ``stance_shift`` (the standing
    foot slid), ``hop`` (the standing foot left the floor), ``end_of_data`` (the recording
    stopped during the hold: the time is a lower bound). ``lifted_hidden_s``: how long the
    lifted foot was not visible (a touch-down then cannot be seen).
    """

    index: int
    stance_leg: str
    start_s: float
    end_s: float
    end_reason: str
    lifted_hidden_s: float = 0.0

    @property
    def lifted_leg(self) -> str:
        return other_side(self.stance_leg)

    @property
    def hold_s(self) -> float:
        return self.end_s - self.start_s


class BalanceTimer:
    """Causal single-leg hold detector: feed it frame by frame.

    The counter protocol of the live loop: ``update(t_s, values) -> list[dict]`` returns the
    events completed by this frame, ``state() -> dict`` the current phase and hold time.
    Offline, :func:`analyze_balance` feeds it every frame of the cleaned pose; live, feed it
    each frame's visibility-gated landmarks (:func:`balance_values`), *not* One Euro-filtered
    ones: that filter's lag grows with speed and would delay touch-downs by up to 0.2 s,
    while the timer's own moving average (:data:`SMOOTH_S`) has a fixed delay it removes.
    A decision comes :data:`MIN_LIFT_S` after a lift-off / :data:`MIN_TOUCH_S` after a
    touch-down; the event's ``t_s`` is the lift-off / touch-down itself.

    Parameters
    ----------
    leg_length_px
        Scale for every margin. ``None`` (live): running median of the per-frame
        ``leg_length_px`` value over the last :data:`SCALE_WINDOW_S` seconds.
    lift_high_frac, lift_low_frac, min_lift_s, min_touch_s
        See the module constants of the same names (upper case) for what they mean and why.
    stance_shift_frac, baseline_tau_s, smooth_s
        Likewise.

    Events are dicts: ``{"type": "hold_start", "t_s", "side"}`` with ``side`` the stance
    leg, emitted once the lift has lasted ``min_lift_s`` (``t_s`` is the refined lift-off,
    earlier than the current frame); ``{"type": "hold_end", "t_s", "side", "hold_s",
    "reason"}`` (reasons: see :class:`Hold`); ``{"type": "hold_cancel", "t_s", "side",
    "reason": "moved"}`` when a started hold turns out to be a walk (the subject's distance
    to the camera changed): drop it. Completed holds accumulate in :attr:`holds_`.
    """

    def __init__(
        self,
        *,
        leg_length_px: float | None = None,
        lift_high_frac: float = LIFT_HIGH_FRAC,
        lift_low_frac: float = LIFT_LOW_FRAC,
        min_lift_s: float = MIN_LIFT_S,
        min_touch_s: float = MIN_TOUCH_S,
        stance_shift_frac: float = STANCE_SHIFT_FRAC,
        baseline_tau_s: float = BASELINE_TAU_S,
        smooth_s: float = SMOOTH_S,
    ) -> None:
        if not 0 < lift_low_frac < lift_high_frac:
            raise ValueError("need 0 < lift_low_frac < lift_high_frac")
        if leg_length_px is not None and not (np.isfinite(leg_length_px) and leg_length_px > 0):
            raise ValueError(f"leg_length_px: expected a positive number, got {leg_length_px}")
        self.leg_length_px = leg_length_px
        self.lift_high_frac = float(lift_high_frac)
        self.lift_low_frac = float(lift_low_frac)
        self.min_lift_s = float(min_lift_s)
        self.min_touch_s = float(min_touch_s)
        self.stance_shift_frac = float(stance_shift_frac)
        self.baseline_tau_s = float(baseline_tau_s)
        self.smooth_s = float(smooth_s)
        self.reset()

    # -- state ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything (a new subject or a new recording)."""
        self.holds_: list[Hold] = []
        self.unknown_s = 0.0  # time one foot was hidden while the other stood
        self._t: float | None = None  # centroid time of the smoothing window
        self._t_in: float | None = None  # time of the last frame fed
        self._buf: deque[tuple[float, np.ndarray]] = deque()
        self._scales: deque[tuple[float, float]] = deque()
        self._floor: dict[tuple[str, str], float] = {}
        self._history: deque[tuple[float, float, float]] = deque()  # t, rise left, rise right
        self._lifted: dict[str, bool | None] = {"left": None, "right": None}
        self._phase = "standing"
        self._free: str | None = None
        self._onset: float | None = None
        self._ref: dict[str, tuple[float, float]] = {}
        self._touch_t: float | None = None
        self._shift_t: float | None = None
        self._shift_reason = ""
        self._hidden_s = 0.0
        self._rise: dict[str, float] = {"left": math.nan, "right": math.nan}
        self._floor_n: dict[tuple[str, str], int] = {}
        self._armed = {s: True for s in SIDES}  # a lift of this foot may start a hold
        self._size = math.nan  # apparent size now (smoothed per-frame leg length, px)
        self._size0 = math.nan  # ... at the start of the current lift
        self._standing_since = -math.inf  # end of the last hold: no lift-off before it

    @property
    def time_s(self) -> float:
        """The time the current state refers to: the centroid of the smoothing window,
        about ``smooth_s / 2`` before the last frame fed (NaN before the first frame)."""
        return math.nan if self._t is None else self._t

    @property
    def phase(self) -> str:
        """``standing``, ``lifting`` (a lift not yet long enough), ``hold`` or ``unknown``."""
        return self._phase

    def lifted(self, side: str) -> bool | None:
        """The hysteresis state of one foot: lifted, down, or None (cannot tell)."""
        return self._lifted[side]

    def rise_frac(self, side: str) -> float:
        """The foot's current rise above its floor level, as a fraction of leg length."""
        return self._rise[side]

    def state(self) -> dict[str, Any]:
        """``phase``, ``hold_s`` (current hold, else the last one, else 0), ``stance_leg``
        (current or last hold), ``holds`` (completed), ``best_hold_s``."""
        stance = None
        hold_s = 0.0
        if self._phase == "hold" and self._onset is not None and self._t_in is not None:
            stance = other_side(self._free) if self._free else None
            hold_s = self._t_in - self._onset
        elif self.holds_:
            stance = self.holds_[-1].stance_leg
            hold_s = self.holds_[-1].hold_s
        return {
            "phase": self._phase,
            "hold_s": round(hold_s, 3),
            "stance_leg": stance,
            "holds": len(self.holds_),
            "best_hold_s": round(max((h.hold_s for h in self.holds_), default=0.0), 3),
        }

    # -- per frame ------------------------------------------------------------------------
    def _smooth(self, t: float, values: dict[str, float]) -> tuple[float, dict[str, float]]:
        """Causal moving average over the last ``smooth_s`` seconds, returned with the
        window's centroid time: a moving average delays every shape by exactly that much,
        so working at the centroid time keeps lift-off and touch-down times unbiased."""
        row = np.array([float(values.get(k, math.nan)) for k in BALANCE_VALUE_KEYS])
        self._buf.append((t, row))
        # frames less than smooth_s old (with a margin against rounding: 3 frames at 30 fps)
        while self._buf and t - self._buf[0][0] > self.smooth_s - 1e-6:
            self._buf.popleft()
        if len(self._buf) == 1:
            return t, dict(zip(BALANCE_VALUE_KEYS, row.tolist(), strict=True))
        rows = np.stack([r for _, r in self._buf])
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(rows, axis=0)
        tc = float(np.mean([tk for tk, _ in self._buf]))
        if self._t is not None and tc <= self._t:  # irregular timestamps: keep time moving
            tc = math.nextafter(self._t, math.inf)
        return tc, dict(zip(BALANCE_VALUE_KEYS, mean.tolist(), strict=True))

    def _scale(self, t: float, values: dict[str, float]) -> float:
        if self.leg_length_px is not None:
            return float(self.leg_length_px)
        v = float(values.get("leg_length_px", math.nan))
        if math.isfinite(v) and v > 0:
            self._scales.append((t, v))
        while self._scales and self._scales[0][0] < t - SCALE_WINDOW_S:
            self._scales.popleft()
        if not self._scales:
            return math.nan
        return float(np.median([s for _, s in self._scales]))

    def _foot(self, values: dict[str, float], side: str) -> dict[str, tuple[float, float]]:
        pts = {}
        for part in _PARTS:
            x = float(values.get(f"{side}_{part}_x_px", math.nan))
            y = float(values.get(f"{side}_{part}_y_px", math.nan))
            if math.isfinite(x) and math.isfinite(y):
                pts[part] = (x, y)
        return pts

    def _rise_of(self, side: str, pts: dict[str, tuple[float, float]], scale: float) -> float:
        rises = [
            (self._floor[side, part] - y) / scale
            for part, (_, y) in pts.items()
            if (side, part) in self._floor
        ]
        return min(rises) if rises else math.nan

    def _update_floor(
        self, side: str, pts: dict[str, tuple[float, float]], dt: float, scale: float
    ) -> None:
        below = [
            y - self._floor[side, p] > self.lift_low_frac * scale
            for p, (_, y) in pts.items()
            if (side, p) in self._floor
        ]
        snap = bool(below) and all(below)  # the whole foot is below its floor: re-learn it
        for part, (_, y) in pts.items():
            key = (side, part)
            if key not in self._floor or snap:
                self._floor[key] = y
                self._floor_n[key] = 1
            else:
                # running mean while warming up, then an exponential average
                n = self._floor_n.get(key, 1) + 1
                self._floor_n[key] = n
                a = max(dt / (self.baseline_tau_s + dt) if dt > 0 else 0.0, 1.0 / n)
                self._floor[key] += a * (y - self._floor[key])

    def _init_foot(self, side: str, pts: dict[str, tuple[float, float]], scale: float) -> None:
        """First sight of a foot: its floor is where it is, unless the other foot's floor is
        known and this foot is well above it (the same landmarks compared): then it is
        already lifted and gets the other foot's floor."""
        other = other_side(side)
        gaps = [self._floor[other, p] - y for p, (_, y) in pts.items() if (other, p) in self._floor]
        lift = min(gaps) if gaps else 0.0  # image y grows downwards: > 0 when higher
        shift = lift if lift > INIT_LIFTED_FRAC * scale else 0.0
        for part, (_, y) in pts.items():
            self._floor[side, part] = y + shift
            self._floor_n[side, part] = 1

    def _size_changed(self) -> bool:
        s0, s = self._size0, self._size
        return math.isfinite(s0) and math.isfinite(s) and abs(s / s0 - 1.0) > MAX_SIZE_CHANGE_FRAC

    def _hysteresis(self, side: str, rise: float) -> None:
        if not math.isfinite(rise):
            self._lifted[side] = None
        elif rise > self.lift_high_frac:
            self._lifted[side] = True
        elif rise < self.lift_low_frac or self._lifted[side] is None:
            self._lifted[side] = False

    def _series(self, side: str) -> tuple[np.ndarray, np.ndarray]:
        i_side = 1 if side == "left" else 2
        h = np.array([(r[0], r[i_side]) for r in self._history], dtype=float).reshape(-1, 2)
        return h[:, 0], h[:, 1]

    def _refine_onset(self, side: str, before_t: float) -> float:
        """Lift-off time: where a foot rising from rest left the floor.

        Fitted on the rise over the :data:`FIT_WINDOW_S` before it first reached
        ``lift_high_frac`` (see :func:`fit_rest_onset`), never before the last hold ended.
        """
        t, r = self._series(side)
        keep = (t <= before_t) & (t >= self._standing_since) & np.isfinite(r)
        t, r = t[keep], r[keep]
        if not len(t):
            return before_t
        above = np.flatnonzero(r > self.lift_high_frac)
        # the first sample above the fit's top level in the final, uninterrupted climb
        below = np.flatnonzero(r <= self.lift_high_frac)
        k_end = int(above[0]) if not below.size else int(below[-1]) + 1
        k_end = min(k_end, len(t) - 1)
        t_low = float(t[k_end])
        sel = (t >= t_low - FIT_WINDOW_S) & (t <= t_low)
        onset = fit_rest_onset(t[sel], r[sel], rising=True)
        if onset is None:
            return float(t[max(k_end - 1, 0)])
        return max(onset, self._standing_since)

    def _refine_touchdown(self, side: str, from_t: float) -> float:
        """Touch-down time, the mirror image of :meth:`_refine_onset`: fitted on the
        :data:`FIT_WINDOW_S` from the last sample above ``lift_high_frac`` before the touch
        at ``from_t`` (as far as the history reaches)."""
        t, r = self._series(side)
        keep = np.isfinite(r)
        t, r = t[keep], r[keep]
        k0 = int(np.searchsorted(t, from_t))
        above = np.flatnonzero(r[:k0] > self.lift_high_frac)
        t0 = float(t[above[-1]]) if above.size else from_t  # last sample above the top level
        sel = (t >= t0) & (t <= t0 + FIT_WINDOW_S)
        td = fit_rest_onset(t[sel], r[sel], rising=False)
        return from_t if td is None else td

    def update(self, t_s: float, values: dict[str, float]) -> list[dict[str, Any]]:
        """Advance by one frame; returns the events this frame completes (often none).

        ``values``: the :data:`BALANCE_VALUE_KEYS` of this frame (:func:`balance_values`),
        NaN or absent where a landmark is missing. ``t_s`` must increase strictly.
        """
        t_in = float(t_s)
        if self._t_in is not None and not t_in > self._t_in:
            raise ValueError(f"t_s must be strictly increasing, got {t_in} after {self._t_in}")
        self._t_in = t_in
        t, values = self._smooth(t_in, values)
        dt = 0.0 if self._t is None else t - self._t
        self._t = t
        scale = self._scale(t, values)
        self._size = float(values.get("leg_length_px", math.nan))
        events: list[dict[str, Any]] = []
        if not math.isfinite(scale) or scale <= 0:
            self._rise = {"left": math.nan, "right": math.nan}
            self._history.append((t, math.nan, math.nan))
            self._trim_history(t)
            if self._phase != "hold":
                self._phase = "unknown"
            return events

        feet = {side: self._foot(values, side) for side in SIDES}
        if not self._floor and all(feet[s] for s in SIDES):
            # both feet seen together: the lower one first, so the higher one is compared
            order = sorted(SIDES, key=lambda s: -max(y for _, y in feet[s].values()))
            for side in order:
                self._init_foot(side, feet[side], scale)
        for side in SIDES:
            if feet[side] and not any((side, p) in self._floor for p in _PARTS):
                self._init_foot(side, feet[side], scale)
        rise = {side: self._rise_of(side, feet[side], scale) for side in SIDES}
        self._rise = rise
        self._history.append((t, rise["left"], rise["right"]))
        self._trim_history(t)
        for side in SIDES:
            self._hysteresis(side, rise[side])

        if self._phase == "hold":
            events += self._in_hold(t, dt, feet, rise, scale)
        elif self._phase == "lifting":
            events += self._in_lifting(t, feet, rise)
        if self._phase in ("standing", "unknown"):
            self._in_standing(t, dt, feet, rise, scale)
        return events

    def _trim_history(self, t: float) -> None:
        while self._history and self._history[0][0] < t - HISTORY_S:
            self._history.popleft()

    def _in_standing(self, t, dt, feet, rise, scale) -> None:
        for side in SIDES:
            if feet[side] and self._lifted[side] is not True:
                self._update_floor(side, feet[side], dt, scale)
        for side in SIDES:
            if self._lifted[side] is False:
                self._armed[side] = True
        up = [s for s in SIDES if self._lifted[s] is True]
        if len(up) == 1 and self._lifted[other_side(up[0])] is not True and self._armed[up[0]]:
            self._phase = "lifting"
            self._free = up[0]
            self._size0 = self._size
            self._onset = self._refine_onset(up[0], t)
            return
        hidden = [s for s in SIDES if self._lifted[s] is None]
        if len(hidden) == 1 and self._lifted[other_side(hidden[0])] is False:
            self._phase = "unknown"
            self.unknown_s += dt
        else:
            self._phase = "standing"

    def _in_lifting(self, t, feet, rise) -> list[dict[str, Any]]:
        free = self._free
        assert free is not None and self._onset is not None
        if (
            self._lifted[free] is False
            or self._lifted[other_side(free)] is True
            or self._size_changed()
        ):
            self._phase, self._free, self._onset = "standing", None, None
            return []
        if t - self._onset < self.min_lift_s:
            return []
        self._phase = "hold"
        stance = other_side(free)
        self._ref = dict(feet[stance])
        self._touch_t = self._shift_t = None
        self._hidden_s = 0.0
        return [{"type": "hold_start", "t_s": self._onset, "side": stance}]

    def _in_hold(self, t, dt, feet, rise, scale) -> list[dict[str, Any]]:
        free = self._free
        assert free is not None and self._onset is not None
        stance = other_side(free)
        r = rise[free]
        if not math.isfinite(r):
            self._hidden_s += dt
        elif r < self.lift_low_frac:
            if self._touch_t is None:
                self._touch_t = t
        else:
            self._touch_t = None
        # the standing foot: slid, or left the floor
        moved = [
            math.hypot(x - self._ref[p][0], y - self._ref[p][1]) / scale
            for p, (x, y) in feet[stance].items()
            if p in self._ref
        ]
        for p, xy in feet[stance].items():
            self._ref.setdefault(p, xy)  # a point seen for the first time joins the reference
        hop = math.isfinite(rise[stance]) and rise[stance] > self.lift_high_frac
        shifted = bool(moved) and float(np.median(moved)) > self.stance_shift_frac
        walked = self._size_changed()
        if hop or shifted or walked:
            if self._shift_t is None:
                self._shift_t = t
                self._shift_reason = "hop" if hop else "moved" if walked else "stance_shift"
        else:
            self._shift_t = None
        ends = []
        if self._touch_t is not None and t - self._touch_t >= self.min_touch_s:
            ends.append((self._refine_touchdown(free, self._touch_t), "touchdown"))
        if self._shift_t is not None and t - self._shift_t >= self.min_touch_s:
            ends.append((self._shift_t, self._shift_reason))
        if not ends:
            return []
        end_t, reason = min(ends)
        return [self._close(max(end_t, self._onset), reason)]

    def _close(self, end_t: float, reason: str) -> dict[str, Any]:
        assert self._free is not None and self._onset is not None
        stance = other_side(self._free)
        onset = self._onset
        self._phase, self._free, self._onset = "standing", None, None
        self._touch_t = self._shift_t = None
        self._standing_since = end_t
        if reason in ("stance_shift", "hop", "moved"):  # re-learn the floor where it is now
            for part in _PARTS:
                self._floor.pop((stance, part), None)
            # still on one leg: a new hold needs the foot down and lifted again
            self._armed[other_side(stance)] = False
        if reason == "moved":  # walking, not balancing: no hold
            return {"type": "hold_cancel", "t_s": onset, "side": stance, "reason": reason}
        hold = Hold(
            index=len(self.holds_),
            stance_leg=stance,
            start_s=onset,
            end_s=end_t,
            end_reason=reason,
            lifted_hidden_s=self._hidden_s,
        )
        self.holds_.append(hold)
        return {
            "type": "hold_end",
            "t_s": end_t,
            "side": stance,
            "hold_s": hold.hold_s,
            "reason": reason,
        }

    def finish(self) -> list[dict[str, Any]]:
        """Close a hold still running when the recording ends (reason ``end_of_data``)."""
        if self._phase == "hold" and self._t_in is not None:
            return [self._close(self._t_in, "end_of_data")]
        if self._phase == "lifting":
            self._phase, self._free, self._onset = "standing", None, None
        return []


def fit_rest_onset(t_s: np.ndarray, rise: np.ndarray, *, rising: bool) -> float | None:
    """Least-squares time at which a movement from rest began (or, mirrored, ended).

    Model: ``rise = f + a · (t - t0)²`` after ``t0`` and ``f`` before (``rising``), or
    ``f + a · (t0 - t)²`` before ``t0`` and ``f`` after (a landing): a foot accelerating
    away from rest / decelerating onto the floor, on a local floor level ``f`` (slow drift of
    the landmarks then does not move ``t0``). ``t0`` is searched on a :data:`FIT_STEP_S` grid
    over the samples' span with ``f`` and ``a ≥ 0`` solved by linear least squares for each.
    Using every sample, not one level crossing, keeps a jittery frame from moving the time.
    A minimum-jerk movement (∝ t³ near rest) is placed about 10–20 ms late (early for a
    landing). None with fewer than 4 samples.
    """
    t = np.asarray(t_s, dtype=float)
    y = np.asarray(rise, dtype=float)
    if t.size < 4:
        return None
    grid = np.arange(t[0], t[-1] + 1e-9, FIT_STEP_S)
    u = (t[None, :] - grid[:, None]) if rising else (grid[:, None] - t[None, :])
    x = np.clip(u, 0.0, None) ** 2  # (G, n)
    n = t.size
    sx, sxx = x.sum(axis=1), (x * x).sum(axis=1)
    sy, sxy = y.sum(), (x * y[None, :]).sum(axis=1)
    det = n * sxx - sx * sx
    with np.errstate(invalid="ignore", divide="ignore"):
        a = (n * sxy - sx * sy) / det
        f = (sy - a * sx) / n
    ok = (det > 1e-18) & (a >= 0)
    if not ok.any():
        return None
    sse = np.sum((y[None, :] - f[:, None] - a[:, None] * x) ** 2, axis=1)
    sse = np.where(ok, sse, np.inf)
    return float(grid[int(np.argmin(sse))])


# ------------------------------------------------------------------------------------------
# measures over a hold
# ------------------------------------------------------------------------------------------
def sway_rms_px(
    mid_x: np.ndarray, diff_x: np.ndarray, noise_diff_x: np.ndarray | None = None
) -> tuple[float, float]:
    """RMS sway of the pelvis centre with the landmark-noise floor removed.

    Landmark jitter adds its variance to the sway's: measured RMS² = true RMS² + σ²_noise,
    which at 2–3 px of noise is a 10–40 % overestimate of a 1 cm sway. The noise variance of
    the hip midpoint ``(L + R) / 2`` equals the variance of ``(L - R) / 2`` when the two
    hips jitter independently, and the true ``L - R`` (hip width on screen) hardly changes
    during a hold while the midpoint carries all the sway. So σ²_noise = var(L - R) / 4.

    Parameters
    ----------
    mid_x, diff_x
        ``(n,)`` hip-midpoint and left-minus-right hip image x over the hold, both filtered
        the same way. NaN frames are skipped.
    noise_diff_x
        Optional left-minus-right hip x over a longer window around the hold (same filter)
        to estimate the noise from: jitter is stationary, and a 2 s hold alone gives the
        estimate only a few degrees of freedom. Default: ``diff_x``.

    Returns
    -------
    ``(rms_px, noise_rms_px)``: the corrected RMS (0 if the noise explains it all) and the
    noise floor that was removed. NaN when fewer than 3 frames.

    A pelvis that turns about the vertical during the hold changes ``L - R`` too (strongly in
    a side view), which over-estimates the noise and so under-estimates the sway.
    """
    ok = np.isfinite(mid_x) & np.isfinite(diff_x)
    nd = diff_x[ok] if noise_diff_x is None else noise_diff_x[np.isfinite(noise_diff_x)]
    if ok.sum() < 3 or nd.size < 3:
        return math.nan, math.nan
    var_mid = float(np.var(mid_x[ok]))
    var_noise = float(np.var(nd)) / 4.0
    return math.sqrt(max(var_mid - var_noise, 0.0)), math.sqrt(var_noise)


def sway_path_px(mid_x: np.ndarray, diff_x: np.ndarray) -> tuple[float, float]:
    """Path length of the pelvis centre (sum of absolute frame-to-frame moves), with the
    noise's own path removed.

    Jitter makes the measured path much longer than the true one (+30–80 % for a 1 cm sway at
    2–3 px of noise, 30 fps) and the excess grows with the frame rate. Treating the
    frame-to-frame moves of sway and noise as independent zero-mean Gaussians, expected path
    lengths add in quadrature: P² = P_sway² + P_noise². The noise's path is that of the
    half left-minus-right hip difference (see :func:`sway_rms_px`), so
    P_sway = √(P² − P_noise²). Returns ``(path_px, noise_path_px)``; NaN with < 2 frames.
    """
    ok = np.isfinite(mid_x) & np.isfinite(diff_x)
    if ok.sum() < 2:
        return math.nan, math.nan
    p = float(np.sum(np.abs(np.diff(mid_x[ok]))))
    pn = float(np.sum(np.abs(np.diff(diff_x[ok])))) / 2.0
    return math.sqrt(max(p * p - pn * pn, 0.0)), pn


def _nearest_index(t_s: np.ndarray, t: float) -> int:
    i = int(np.searchsorted(t_s, t))
    if i <= 0:
        return 0
    if i >= len(t_s):
        return len(t_s) - 1
    return i if t_s[i] - t < t - t_s[i - 1] else i - 1


def _hold_mask(t_s: np.ndarray, hold: Hold) -> np.ndarray:
    return (t_s >= hold.start_s) & (t_s <= hold.end_s)


def _duration(t_s: np.ndarray, mask: np.ndarray) -> float:
    """Seconds covered by the frames in ``mask`` (each frame counts its interval)."""
    if len(t_s) < 2:
        return 0.0
    dt = np.diff(t_s, append=t_s[-1] + np.median(np.diff(t_s)))
    return float(np.sum(dt[mask]))


def _majority_view(labels: np.ndarray) -> str:
    vals, counts = np.unique(labels.astype(str), return_counts=True)
    return str(vals[np.argmax(counts)]) if vals.size else "unknown"


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def _stance_leg_px(pose: PoseSequence, side: str, mask: np.ndarray) -> float:
    """Median hip→knee→ankle length of the standing leg over the hold: square to the camera
    and straight, unlike the lifted leg (foreshortened in a front view)."""
    hip, knee, ankle = (pose.point(side_landmark(side, q))[mask] for q in ("hip", "knee", "ankle"))
    length = distance(hip, knee) + distance(knee, ankle)
    length = length[np.isfinite(length)]
    return float(np.median(length)) if length.size else math.nan


def _stature_px(pose: PoseSequence, stance: str, mask: np.ndarray) -> float:
    """Stature in pixels during the hold, from the eyes (or, if the face is hidden, the
    shoulders) down to the standing foot's sole, over their fraction of stature."""
    xy = pose.xy[mask]
    sole_lms = [side_landmark(stance, "heel"), side_landmark(stance, "foot_index")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sole = np.nanmax(xy[:, sole_lms, 1], axis=1)
        for lms, frac in (
            (list(_FACE), EYE_HEIGHT_FRAC),
            ([Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER], SHOULDER_HEIGHT_FRAC),
        ):
            ext = sole - np.nanmean(xy[:, lms, 1], axis=1)
            ext = ext[np.isfinite(ext)]
            if ext.size >= MIN_COVERAGE * max(int(mask.sum()), 1):
                return float(np.median(ext)) / frac
    return math.nan


def _arms_out_s(
    pose: PoseSequence, view: np.ndarray, mask: np.ndarray, limit_deg: float
) -> float | None:
    """Seconds of the hold with either arm abducted beyond ``limit_deg`` (shoulder→wrist
    against shoulder→hip), from front/back views only; None when fewer than half of the
    hold's frames are frontal with the arms seen."""
    ang = np.full(len(pose), np.nan)
    for side in SIDES:
        sh = pose.point(side_landmark(side, "shoulder"))
        a = angle_between(
            pose.point(side_landmark(side, "hip")) - sh,
            pose.point(side_landmark(side, "wrist")) - sh,
        )
        ang = np.fmax(ang, a)
    seen = np.isin(view, FRONTAL_VIEWS) & mask & np.isfinite(ang)
    if seen.sum() < MIN_COVERAGE * max(int(mask.sum()), 1):
        return None
    dt = np.diff(pose.t_s, append=pose.t_s[-1])
    with np.errstate(invalid="ignore"):
        return float(np.sum(dt[seen & (ang > limit_deg)]))


def norm_for_age(
    age_years: float, thresholds: dict[str, Threshold]
) -> tuple[float, str, str] | None:
    """Eyes-open single-leg stance norm for an age: ``(seconds, "60-69", source)``.

    From the ``balance_norm_eo_<from>_<to>`` entries of the thresholds file (Springer et al.
    2007, best of three); None outside the tabulated ages (under 18).
    """
    for name, th in thresholds.items():
        m = _NORM_KEY.match(name)
        if m and th.value is not None and int(m[1]) <= age_years < int(m[2]) + 1:
            return float(th.value), f"{m[1]}-{m[2]}", th.source
    return None


# ------------------------------------------------------------------------------------------
# the analyzer
# ------------------------------------------------------------------------------------------
_PHASE_CODES = {"standing": 0.0, "lifting": 1.0, "hold": 2.0, "unknown": -1.0}


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
        states[i, 2] = _PHASE_CODES[timer.phase]
    timer.finish()
    # the state of frame i is the first one computed at or after its time
    idx = np.minimum(np.searchsorted(t_state, pose.t_s), max(n - 1, 0))
    aligned = states[idx] if n else states
    return timer, {
        "foot_lifted_left": aligned[:, 0],
        "foot_lifted_right": aligned[:, 1],
        "balance_phase": aligned[:, 2],
    }


@dataclass
class _HoldContext:
    """What the per-hold measures share."""

    ctx: TaskContext
    view: np.ndarray
    standing: np.ndarray
    mid_x: np.ndarray  # hip midpoint x, low-passed at SWAY_CUTOFF_HZ
    diff_x: np.ndarray  # left-minus-right hip x, same filter
    obliquity: np.ndarray
    warnings: list[str]
    flags: list[Flag]
    sway_sig: np.ndarray
    drop_sig: np.ndarray


def _measure_hold(hc: _HoldContext, h: Hold) -> dict[str, Any]:
    """Everything measured over one hold, as a JSON-ready dict (also its ``reps`` entry)."""
    pose, th = hc.ctx.pose, hc.ctx.thresholds
    t = pose.t_s
    m = _hold_mask(t, h)
    hv = _majority_view(hc.view[m])
    d: dict[str, Any] = {
        "index": h.index,
        "start_s": round(h.start_s, 3),
        "end_s": round(h.end_s, 3),
        "hold_s": round(h.hold_s, 3),
        "stance_leg": h.stance_leg,
        "end_reason": h.end_reason,
        "view": hv,
        "sway_direction": "medio-lateral"
        if hv in FRONTAL_VIEWS
        else "antero-posterior"
        if hv in SAGITTAL_VIEWS
        else "mixed",
    }
    _measure_sway(hc, h, m, d)
    _measure_drop(hc, h, m, d)
    arms = th.get("balance_arms_out")
    d["arms_out_time_s"] = (
        _r(_arms_out_s(pose, hc.view, m, arms.for_sex())) if arms is not None else None
    )
    return d


def _measure_sway(hc: _HoldContext, h: Hold, m: np.ndarray, d: dict[str, Any]) -> None:
    pose, th, t = hc.ctx.pose, hc.ctx.thresholds, hc.ctx.pose.t_s
    leg_px = _stance_leg_px(pose, h.stance_leg, m)
    pad = max(0.0, (NOISE_WINDOW_S - h.hold_s) / 2.0)
    around = (t >= h.start_s - pad) & (t <= h.end_s + pad)
    rms_px, noise_px = sway_rms_px(hc.mid_x[m], hc.diff_x[m], hc.diff_x[around])
    path_px, _ = sway_path_px(hc.mid_x[m], hc.diff_x[m])
    d["leg_length_px"] = _r(leg_px, 1)
    d["sway_rms_pct_leg"] = _r(100.0 * rms_px / leg_px)
    d["sway_path_pct_leg"] = _r(100.0 * path_px / leg_px)
    d["sway_noise_pct_leg"] = _r(100.0 * noise_px / leg_px)
    mx = hc.mid_x[m]
    if np.isfinite(mx).any():
        hc.sway_sig[m] = 100.0 * (mx - np.nanmean(mx)) / leg_px
    if hc.ctx.height_cm is not None:
        cm_per_px = hc.ctx.height_cm / _stature_px(pose, h.stance_leg, m)
        d["sway_rms_cm"] = _r(rms_px * cm_per_px)
        d["sway_path_cm"] = _r(path_px * cm_per_px, 1)
        if not math.isfinite(cm_per_px):
            hc.warnings.append("sway in cm is not reported: the body height was not seen")
    limit = th.get("balance_sway_rms")
    value = d["sway_rms_pct_leg"]
    if limit is None or value is None or not limit.crossed(value):
        return
    dev = np.abs(np.where(m, hc.sway_sig, np.nan))
    worst = int(np.nanargmax(dev)) if np.isfinite(dev).any() else _nearest_index(t, h.start_s)
    hc.flags.append(
        Flag(
            rule="balance_sway_rms",
            severity="warning",
            side=h.stance_leg,
            start_s=h.start_s,
            end_s=h.end_s,
            frame=int(pose.frame_index[worst]),
            value=value,
            threshold=limit.for_sex(),
            unit=limit.unit,
            message=(
                f"large {d['sway_direction']} sway standing on the {h.stance_leg} leg: RMS "
                f"{value:.1f} % of leg length (threshold {limit.for_sex():g} %)"
            ),
            source=limit.source,
            signal="balance_sway_pct_leg",
        )
    )


def _measure_drop(hc: _HoldContext, h: Hold, m: np.ndarray, d: dict[str, Any]) -> None:
    """Pelvic drop: obliquity minus its standing baseline, + when the lifted side drops."""
    pose, t, obl = hc.ctx.pose, hc.ctx.pose.t_s, hc.obliquity
    d["pelvic_drop_mean_deg"] = None
    if not m.any() or np.isfinite(obl[m]).mean() < MIN_COVERAGE:
        d["pelvic_drop_note"] = "it needs a front or back view"
        return
    far, near = BASELINE_WINDOW_S
    ok = hc.standing & np.isfinite(obl)
    base_ok = ok & (t >= h.start_s - far) & (t <= h.start_s - near)
    if _duration(t, base_ok) < MIN_BASELINE_S:  # short standing before: add the time after
        base_ok |= ok & (t >= h.end_s + near) & (t <= h.end_s + far)
    if _duration(t, base_ok) < MIN_BASELINE_ANY_S:
        d["pelvic_drop_note"] = "there was no standing on both feet to compare with"
        return
    sign = 1.0 if h.lifted_leg == "left" else -1.0  # obliquity is + when the LEFT hip is lower
    drop = sign * (obl - float(np.median(obl[base_ok])))
    hc.drop_sig[m] = drop[m]
    trim = min(DROP_TRIM_S, DROP_TRIM_FRAC * h.hold_s)
    steady = m & (t >= h.start_s + trim) & (t <= h.end_s - trim) & np.isfinite(drop)
    if steady.any():
        d["pelvic_drop_mean_deg"] = _r(float(np.mean(drop[steady])))
    if d["view"] == "oblique":
        hc.warnings.append(
            f"pelvic drop of the hold at {h.start_s:.1f} s is from an oblique view: film "
            "square from the front or back for a reliable value"
        )
    hc.flags.extend(
        flag_sustained(
            pose,
            np.where(steady, drop, np.nan),
            hc.ctx.thresholds["pelvic_drop_stance"],
            rule="pelvic_drop_stance",
            signal="stance_pelvic_drop_deg",
            side=h.stance_leg,
            label=f"pelvis dropping on the lifted {h.lifted_leg} side "
            f"(standing on the {h.stance_leg} leg)",
            min_duration_s=SUSTAINED_DROP_S,
        )
    )


def _smooth_obliquity(lh: np.ndarray, rh: np.ndarray, ctx: TaskContext, n: int) -> np.ndarray:
    """Pelvic obliquity (+ when the LEFT hip is lower, as ``pelvic_obliquity_deg``) of the
    low-passed hips, blanked wherever the pipeline's own signal is (view gating).

    On a ~50 px hip line 2–3 px of landmark jitter moves the per-frame angle by ~3°, enough
    to split one sustained drop into several flags; the pelvis itself tilts slowly. Camera
    roll is not removed: it cancels in the drop, a difference from a standing baseline.
    """
    d = lh - rh
    with np.errstate(invalid="ignore"):
        obl = np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))
    gate = ctx.signals.values.get("pelvic_obliquity_deg")
    if gate is None:
        return np.where(np.isin(ctx.view_per_frame, FRONTAL_VIEWS), obl, np.nan)
    return np.where(np.isfinite(gate), obl, np.nan) if len(gate) == n else np.full(n, np.nan)


def _hold_warnings(timer: BalanceTimer) -> list[str]:
    out = []
    if timer.unknown_s >= MIN_LIFT_S:
        out.append(
            f"one foot was hidden for {timer.unknown_s:.1f} s while the other stood (in a side "
            "view the far foot can be behind the standing leg): whether it was lifted then "
            "could not be told"
        )
    for h in timer.holds_:
        if h.end_reason == "end_of_data":
            out.append(
                f"the recording ended during the hold on the {h.stance_leg} leg: its "
                f"{h.hold_s:.1f} s is a lower bound"
            )
        if h.lifted_hidden_s >= MIN_TOUCH_S:
            out.append(
                f"the lifted {h.lifted_leg} foot was hidden for {h.lifted_hidden_s:.1f} s of "
                f"the hold starting at {h.start_s:.1f} s: a touch-down then could be missed"
            )
    return out


_BEST_HOLD_KEYS = (
    "sway_rms_pct_leg",
    "sway_path_pct_leg",
    "sway_noise_pct_leg",
    "sway_direction",
    "pelvic_drop_mean_deg",
    "arms_out_time_s",
)


def analyze_balance(ctx: TaskContext) -> TaskResult:
    """Single-leg balance: holds, hold time, stance leg, sway, pelvic drop, norms, flags.

    Metrics (of the longest hold unless named per leg): ``holds``, ``hold_time_s``,
    ``stance_leg``, ``hold_time_left_s`` / ``hold_time_right_s`` (best hold standing on that
    leg), ``hold_end_reason``, ``sway_rms_pct_leg``, ``sway_path_pct_leg``,
    ``sway_noise_pct_leg`` (the noise floor that was removed), ``sway_direction``,
    ``sway_rms_cm`` / ``sway_path_cm`` (with ``ctx.height_cm``), ``pelvic_drop_mean_deg``
    (front/back views), ``arms_out_time_s``, ``target_met`` / ``target_low_s`` /
    ``target_high_s`` (programme target), ``norm_s`` / ``norm_age_band`` /
    ``hold_pct_of_norm`` (with ``ctx.age_years``). Each hold is a ``hold_start`` /
    ``hold_end`` event pair (side = stance leg) and an entry of ``reps`` with its own
    measures. Extra per-frame signals: ``foot_lifted_left``, ``foot_lifted_right``,
    ``balance_phase``, ``balance_hold_elapsed_s``, ``balance_sway_pct_leg``,
    ``stance_pelvic_drop_deg``.
    """
    pose, th = ctx.pose, ctx.thresholds
    n, t = len(pose), pose.t_s
    timer, signals = detect_holds(pose)
    holds = timer.holds_
    smooth = lowpass(pose, cutoff_hz=SWAY_CUTOFF_HZ) if n >= 2 else pose
    lh, rh = smooth.point(Landmark.LEFT_HIP), smooth.point(Landmark.RIGHT_HIP)
    hc = _HoldContext(
        ctx=ctx,
        view=np.asarray(ctx.view_per_frame).astype(str),
        standing=signals["balance_phase"] == _PHASE_CODES["standing"],
        mid_x=(lh[:, 0] + rh[:, 0]) / 2.0,
        diff_x=lh[:, 0] - rh[:, 0],
        obliquity=_smooth_obliquity(lh, rh, ctx, n),
        warnings=_hold_warnings(timer),
        flags=[],
        sway_sig=np.full(n, np.nan),
        drop_sig=np.full(n, np.nan),
    )
    events: list[Event] = []
    elapsed = np.full(n, np.nan)
    per_hold = []
    for h in holds:
        for kind, at in (("hold_start", h.start_s), ("hold_end", h.end_s)):
            frame = int(pose.frame_index[_nearest_index(t, at)])
            events.append(Event(kind, at, frame, h.stance_leg))
        m = _hold_mask(t, h)
        elapsed[m] = t[m] - h.start_s
        per_hold.append(_measure_hold(hc, h))

    metrics: dict[str, Any] = {"holds": len(holds)}
    for side in SIDES:
        best = [h.hold_s for h in holds if h.stance_leg == side]
        metrics[f"hold_time_{side}_s"] = _r(max(best), 3) if best else None
    if holds:
        k = int(np.argmax([h.hold_s for h in holds]))
        best_hold, d = holds[k], per_hold[k]
        metrics["hold_time_s"] = _r(best_hold.hold_s, 3)
        metrics["stance_leg"] = best_hold.stance_leg
        metrics["hold_end_reason"] = best_hold.end_reason
        metrics.update({key: d.get(key) for key in _BEST_HOLD_KEYS})
        if d["pelvic_drop_mean_deg"] is None:
            hc.warnings.append(f"pelvic drop is not reported: {d['pelvic_drop_note']}")
        _flag_short_hold(hc, best_hold)
    else:
        hc.warnings.append(
            "no single-leg hold was found: lift one foot clearly off the floor for at least "
            f"{MIN_LIFT_S:g} s with both feet in view"
        )
        best_hold, d = None, {}
        metrics.update({"hold_time_s": None, "stance_leg": None, "hold_end_reason": None})
        metrics.update(dict.fromkeys(_BEST_HOLD_KEYS))
    if ctx.height_cm is not None:
        metrics["sway_rms_cm"] = d.get("sway_rms_cm")
        metrics["sway_path_cm"] = d.get("sway_path_cm")
    metrics.update(_targets(ctx, th, best_hold, hc.warnings))

    signals["balance_hold_elapsed_s"] = elapsed
    signals["balance_sway_pct_leg"] = hc.sway_sig
    signals["stance_pelvic_drop_deg"] = hc.drop_sig
    return TaskResult(
        metrics=metrics,
        events=sorted(events, key=lambda e: e.t_s),
        reps=per_hold,
        flags=sorted(hc.flags, key=lambda f: f.start_s),
        warnings=list(dict.fromkeys(hc.warnings)),
        signals=signals,
    )


def _flag_short_hold(hc: _HoldContext, best: Hold) -> None:
    """Vellas et al. 1997: a best hold under 5 s predicts injurious falls."""
    limit = hc.ctx.thresholds.get("balance_hold_min")
    if limit is None or not limit.crossed(best.hold_s):
        return
    pose = hc.ctx.pose
    hc.flags.append(
        Flag(
            rule="balance_hold_min",
            severity="warning",
            side=best.stance_leg,
            start_s=best.start_s,
            end_s=best.end_s,
            frame=int(pose.frame_index[_nearest_index(pose.t_s, best.end_s)]),
            value=best.hold_s,
            threshold=limit.for_sex(),
            unit=limit.unit,
            message=(
                f"longest single-leg hold {best.hold_s:.1f} s, under {limit.for_sex():g} s "
                "(in older adults a hold this short predicts injurious falls)"
            ),
            source=limit.source,
            signal="balance_hold_elapsed_s",
        )
    )


def _targets(
    ctx: TaskContext, th: dict[str, Threshold], best: Hold | None, warnings_: list[str]
) -> dict[str, Any]:
    """Programme target and age norm for the longest hold."""
    out: dict[str, Any] = {}
    target = th.get("balance_target")
    if target is not None and target.low is not None:
        out["target_met"] = None if best is None else bool(best.hold_s >= target.low)
        out["target_low_s"], out["target_high_s"] = target.low, target.high
    if ctx.age_years is None:
        return out
    norm = norm_for_age(ctx.age_years, th)
    if norm is None:
        warnings_.append(f"no single-leg stance norm for age {ctx.age_years:g} (norms: 18-99)")
        out.update({"norm_s": None, "norm_age_band": None, "hold_pct_of_norm": None})
        return out
    out["norm_s"], out["norm_age_band"] = norm[0], norm[1]
    out["hold_pct_of_norm"] = None if best is None else round(100.0 * best.hold_s / norm[0], 1)
    return out
