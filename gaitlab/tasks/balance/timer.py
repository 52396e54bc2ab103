"""The causal single-leg hold detector, fed frame by frame offline and live alike."""

from __future__ import annotations

import math
import warnings
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES, other_side
from gaitlab.tasks.balance.landing import FootPath
from gaitlab.tasks.balance.onset import fit_lift_onset, fit_rest_onset
from gaitlab.tasks.balance.values import BALANCE_VALUE_KEYS, PARTS, SIZE_KEYS

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
#: The lift-off fit starts :data:`ONSET_LEAD_S` before the rise last sat at this level (fraction
#: of leg length, ≈ 1.7 cm): a foot peeled off heel first (the pose2sim trial) creeps up by a
#: few percent before its toes leave the floor, and a fit over that creep puts the lift-off
#: up to 0.25 s early.
ONSET_QUIET_FRAC = 0.02
#: See :data:`ONSET_QUIET_FRAC`: enough standing samples left to pin the floor level of the fit.
ONSET_LEAD_S = 0.1
#: A rise that takes longer than this (and at least four frames: a smoothed lift at 10 fps
#: spans three) from the low level (:data:`ONSET_QUIET_FRAC`) to the high one is a creep (a
#: lift from rest crosses that band within 0.05 s).
CREEP_MIN_S = 0.05
#: After a creep (:data:`CREEP_MIN_S`) the lift-off fit runs this far past the first sample
#: above the high level (up to the first at twice that level), so that it sees the
#: acceleration of the lift itself and not only the creep before it; the lift-off is fitted
#: again on the longer history when the lift becomes a hold.
ONSET_TAIL_S = 0.1
#: Shortest lift that counts as a hold: a step (swing ≈ 0.4 s) or a stumble is not one.
MIN_LIFT_S = 0.5
#: A touch-down or a stance-foot shift must last this long to end a hold (one or two jittery
#: frames are not a touch). The end time is the start of the touch, not its confirmation.
MIN_TOUCH_S = 0.15
#: The standing foot moving more than this fraction of leg length (≈ 1/3 foot length) from
#: where it stood at the start of the hold, or rising like a lifted foot, is a hop or shift.
STANCE_SHIFT_FRAC = 0.10
#: A hold keeps the subject at one distance from the camera: an apparent size (the median
#: change of the body segments' image lengths, :data:`~.values.SIZE_SEGMENTS`) that changes
#: by more than this fraction since the lift is a walk (a foot planted a step further away
#: sits higher in the image, like a lifted one; a step of 0.7 m at 4 m changes the size by
#: ~17 %): the lift is cancelled, even after it became a hold (the live loop then gets a
#: ``hold_cancel`` event). A swing of the free leg with the trunk leaning changes it by up
#: to 12 % at 3.5 m (the pose2sim trial's front camera).
MAX_SIZE_CHANGE_FRAC = 0.14
#: See :meth:`BalanceTimer._size_changed`: the hip width is ~45 % of a thigh in a front view,
#: a few percent in a side view.
MIN_SEGMENT_FRAC = 0.3
#: Time constant of the floor-level average while a foot stands: slow enough to ignore
#: jitter and the first centimetres of a lift, fast enough to follow a camera nudge.
BASELINE_TAU_S = 1.0
#: At first sight, a foot whose landmarks are all this much (fraction of leg length) above
#: the same landmarks of the other foot is taken to be already lifted. Depth differences
#: between two planted feet move them apart in the image by ≤ 6 % of leg length in a side
#: view at 3–4 m, but by 19–20 % for a camera 2 m high and 3.5 m away when one foot is
#: 40–50 cm further from it (the pose2sim trial's crossed start, front-right and back-left
#: views), and by up to 45 % in its back-right view: such a foot is found to stand when it
#: stays still while the other one lifts (:meth:`BalanceTimer._follow_paths`). A foot held
#: behind the bent knee, on the calf or on the thigh is higher than this; one held lower
#: when the recording starts is taken as standing there, and that hold is not found.
INIT_LIFTED_FRAC = 0.25
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


@dataclass(frozen=True)
class Hold:
    """One single-leg hold.

    ``end_reason``: ``touchdown`` (the lifted foot came down), ``stance_shift`` (the standing
    foot slid), ``hop`` (the standing foot left the floor), ``end_of_data`` (the recording
    stopped during the hold: the time is a lower bound). ``lifted_hidden_s``: how long the
    lifted foot was not visible (a touch-down then cannot be seen).
    ``began_before_recording``: the foot was already up in the first frame (the start is the
    first frame); with :attr:`ended_after_recording` the hold time is a lower bound.
    """

    index: int
    stance_leg: str
    start_s: float
    end_s: float
    end_reason: str
    lifted_hidden_s: float = 0.0
    began_before_recording: bool = False

    @property
    def lifted_leg(self) -> str:
        return other_side(self.stance_leg)

    @property
    def ended_after_recording(self) -> bool:
        """The recording stopped during the hold (``end_reason == "end_of_data"``)."""
        return self.end_reason == "end_of_data"

    @property
    def censored(self) -> bool:
        """Either end of the hold is the end of the recording: ``hold_s`` is "at least"."""
        return self.began_before_recording or self.ended_after_recording

    @property
    def hold_s(self) -> float:
        return self.end_s - self.start_s


class BalanceTimer:
    """Causal single-leg hold detector: feed it frame by frame.

    The counter protocol of the live loop: ``update(t_s, values) -> list[dict]`` returns the
    events completed by this frame, ``state() -> dict`` the current phase and hold time.
    Offline, :func:`~.analyze.analyze_balance` feeds it every frame of the cleaned pose;
    live, feed it each frame's visibility-gated landmarks (:func:`~.values.balance_values`),
    *not* One Euro-filtered ones: that filter's lag grows with speed and would delay
    touch-downs by up to 0.2 s, while the timer's own moving average (:data:`SMOOTH_S`) has a
    fixed delay it removes.
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
        self._size = np.full(len(SIZE_KEYS), np.nan)  # segment lengths now (px, smoothed)
        self._size0 = self._size  # ... at the start of the current lift
        self._standing_since = -math.inf  # end of the last hold: no lift-off before it
        self._floor_x: dict[tuple[str, str], float] = {}
        self._paths = {s: FootPath(HISTORY_S) for s in SIDES}
        self._seen_down = {s: False for s in SIDES}  # the foot was seen on the floor
        self._t_first: float | None = None
        self._began_before = False  # the current lift was under way at first sight
        self._first_seen: dict[str, float] = {}  # when each foot was first seen

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
        for part in PARTS:
            x = float(values.get(f"{side}_{part}_x_px", math.nan))
            y = float(values.get(f"{side}_{part}_y_px", math.nan))
            if math.isfinite(x) and math.isfinite(y):
                pts[part] = (x, y)
        return pts

    def _rise_of(self, side: str, pts: dict[str, tuple[float, float]], scale: float) -> float:
        """Vertical rise of the foot's lowest point above its floor (fraction of leg)."""
        rises = [
            (self._floor[side, part] - y) / scale
            for part, (_, y) in pts.items()
            if (side, part) in self._floor
        ]
        return min(rises) if rises else math.nan

    def _drift_x(self, side: str, pts: dict[str, tuple[float, float]]) -> float:
        """Median sideways displacement (px) of a foot's landmarks from their floor spots."""
        d = [x - self._floor_x[side, p] for p, (x, _) in pts.items() if (side, p) in self._floor_x]
        return float(np.median(d)) if d else math.nan

    def _lift_of(
        self, side: str, feet: dict[str, dict[str, tuple[float, float]]], scale: float
    ) -> float:
        """How far the foot has left its spot: per landmark the larger of its rise and its
        sideways move (while the other foot stands still where it stood), the smallest over
        the landmarks (a heel raise is not a lift)."""
        pts = feet[side]
        other = self._drift_x(other_side(side), feet[other_side(side)])
        # a sideways move counts only against a still camera: the other foot stands where it
        # stood (a camera that pans or follows a walker moves it too)
        planted = self._lifted[other_side(side)] is False
        still = math.isfinite(other) and abs(other) <= self.lift_high_frac * scale
        ref = other if planted and still else math.nan
        lifts = []
        for part, (x, y) in pts.items():
            if (side, part) not in self._floor:
                continue
            rise = (self._floor[side, part] - y) / scale
            fx = self._floor_x.get((side, part), x)
            side_move = abs(x - fx - ref) / scale if math.isfinite(ref) else 0.0
            lifts.append(max(rise, side_move))
        return min(lifts) if lifts else math.nan

    def _update_floor(
        self, side: str, pts: dict[str, tuple[float, float]], dt: float, scale: float
    ) -> None:
        below = [
            y - self._floor[side, p] > self.lift_low_frac * scale
            for p, (_, y) in pts.items()
            if (side, p) in self._floor
        ]
        # the whole foot is below its floor without moving sideways: re-learn it
        drift = self._drift_x(side, pts)
        still_x = not math.isfinite(drift) or abs(drift) <= self.lift_low_frac * scale
        snap = bool(below) and all(below) and still_x
        for part, (x, y) in pts.items():
            key = (side, part)
            if key not in self._floor or snap:
                self._floor[key] = y
                self._floor_x[key] = x
                self._floor_n[key] = 1
            else:
                # running mean while warming up, then an exponential average
                n = self._floor_n.get(key, 1) + 1
                self._floor_n[key] = n
                a = max(dt / (self.baseline_tau_s + dt) if dt > 0 else 0.0, 1.0 / n)
                self._floor[key] += a * (y - self._floor[key])
                fx = self._floor_x.get(key, x)
                self._floor_x[key] = fx + a * (x - fx)

    def _init_foot(self, side: str, pts: dict[str, tuple[float, float]], scale: float) -> None:
        """First sight of a foot: its floor is where it is, unless the other foot's floor is
        known and this foot is well above it (the same landmarks compared): then it is
        already lifted and gets the other foot's floor."""
        other = other_side(side)
        gaps = [self._floor[other, p] - y for p, (_, y) in pts.items() if (other, p) in self._floor]
        lift = min(gaps) if gaps else 0.0  # image y grows downwards: > 0 when higher
        shift = lift if lift > INIT_LIFTED_FRAC * scale else 0.0
        for part, (x, y) in pts.items():
            self._floor[side, part] = y + shift
            self._floor_x[side, part] = x
            self._floor_n[side, part] = 1

    def _size_changed(self) -> bool:
        """The median change of the body segments' image lengths since the lift exceeds
        :data:`MAX_SIZE_CHANGE_FRAC` (at least three segments seen both times). Segments
        seen end-on at the lift (shorter than :data:`MIN_SEGMENT_FRAC` of the longest: the
        hip and shoulder widths in a side view) are left out: their ratio is noise."""
        s0 = self._size0
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = self._size / s0
            long = s0 >= MIN_SEGMENT_FRAC * np.nanmax(s0) if np.isfinite(s0).any() else s0 > 0
        ratio = ratio[np.isfinite(ratio) & long]
        return ratio.size >= 3 and abs(float(np.median(ratio)) - 1.0) > MAX_SIZE_CHANGE_FRAC

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
        quiet = np.flatnonzero(r[:k_end] <= ONSET_QUIET_FRAC)
        t_quiet = float(t[quiet[-1]]) if quiet.size else -math.inf
        dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
        if t_low - t_quiet > max(CREEP_MIN_S, 3.5 * dt):  # and at least four frames
            # a foot peeled off heel first creeps up before it leaves the floor: the window
            # starts shortly before the last sample still at the low level and also sees the
            # lift's own acceleration after the high level (up to twice it, not a plateau)
            top = np.flatnonzero((t > t_low) & (r >= 2 * self.lift_high_frac))
            t_end = min(t_low + ONSET_TAIL_S, float(t[top[0]]) if top.size else math.inf)
            t_start = max(t_low - FIT_WINDOW_S, t_quiet - max(ONSET_LEAD_S, 2.5 * dt))
            sel = (t >= t_start) & (t <= t_end)
            onset = fit_lift_onset(t[sel], r[sel])
        else:
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

        ``values``: the :data:`BALANCE_VALUE_KEYS` of this frame (:func:`~.values.balance_values`),
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
        self._size = np.array([float(values.get(k, math.nan)) for k in SIZE_KEYS])
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
            if feet[side] and not any((side, p) in self._floor for p in PARTS):
                self._init_foot(side, feet[side], scale)
        if self._t_first is None:
            self._t_first = t
        for side in SIDES:
            if feet[side]:
                self._first_seen.setdefault(side, t)
        vrise = {side: self._rise_of(side, feet[side], scale) for side in SIDES}
        rise = {side: self._lift_of(side, feet, scale) for side in SIDES}
        self._rise = rise
        self._history.append((t, rise["left"], rise["right"]))
        self._trim_history(t)
        was = dict(self._lifted)
        for side in SIDES:
            self._hysteresis(side, rise[side])
            if self._lifted[side] is False:
                self._seen_down[side] = True
        landed = self._follow_paths(t, feet, was, vrise, scale)

        if self._phase == "hold":
            events += self._in_hold(t, dt, feet, rise, vrise, scale, landed)
        elif self._phase == "lifting":
            events += self._in_lifting(t, feet, rise)
        if self._phase in ("standing", "unknown"):
            self._in_standing(t, dt, feet, rise, scale)
        return events

    def _follow_paths(self, t, feet, was, vrise, scale) -> dict[str, float]:
        """Track each foot's path; a lifted foot that came to rest elsewhere
        (:meth:`~.landing.FootPath.landed`) is down again on a floor re-learnt where it
        stands. Returns the landing (touch-down) time of each such foot."""
        landed: dict[str, float] = {}
        pts_of = {
            s: np.array([feet[s].get(p, (math.nan, math.nan)) for p in PARTS], dtype=float)
            for s in SIDES
        }
        for side in SIDES:
            self._paths[side].add(t, pts_of[side])
        for side in SIDES:
            # taken as lifted at first sight, yet still while the other foot left its spot:
            # it stands there (two planted feet at different depths from a high camera)
            if (
                self._lifted[side] is True
                and not self._seen_down[side]
                and self._lifted[other_side(side)] is True
                and self._paths[side].still_since(t, self.min_touch_s, scale)
            ):
                self._relearn(side, feet[side])
        for side in SIDES:
            path, pts = self._paths[side], pts_of[side]
            if self._lifted[side] is not True:
                continue
            in_hold = self._phase == "hold" and side == self._free
            if was[side] is not True and not in_hold:  # a hold's path runs from its lift
                path.start_lift()
            path.follow(pts)
            other = [y for _, y in feet[other_side(side)].values()]
            other_low = max(other) if other else math.nan
            back_down = math.isfinite(vrise[side]) and vrise[side] < self.lift_low_frac
            if back_down:  # at (or below) its floor height, only elsewhere: a step
                if not path.still_since(t, self.min_touch_s, scale):
                    continue
            elif not path.landed(t, pts, other_low, self.min_touch_s, scale):
                continue
            tt, r = path.distance_to(pts, scale)
            above = np.flatnonzero(np.isfinite(r) & (r > self.lift_high_frac))
            t0 = float(tt[above[-1]]) if above.size else t - self.min_touch_s
            sel = (tt >= t0) & (tt <= t0 + FIT_WINDOW_S) & np.isfinite(r)
            td = fit_rest_onset(tt[sel], r[sel], rising=False)
            landed[side] = min(t0 if td is None else td, t)
            self._relearn(side, feet[side])
        return landed

    def _relearn(self, side: str, pts: dict[str, tuple[float, float]]) -> None:
        """The foot stands where it is now: its floor is re-learnt there."""
        self._lifted[side] = False
        self._seen_down[side] = True
        for part, (x, y) in pts.items():
            self._floor[side, part], self._floor_x[side, part] = y, x
            self._floor_n[side, part] = 1

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
            # up since the first frame: the hold began before the recording
            self._began_before = (
                not self._seen_down[up[0]] and self._first_seen.get(up[0]) == self._t_first
            )
            if self._began_before and self._t_first is not None:
                self._onset = self._t_first
            else:
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
            or (self._lifted[free] is None and self._lifted[other_side(free)] is None)  # gone
            or self._size_changed()
        ):
            self._phase, self._free, self._onset = "standing", None, None
            return []
        if t - self._onset < self.min_lift_s:
            return []
        self._phase = "hold"
        if not self._began_before:  # now with the whole climb in the history
            self._onset = self._refine_onset(free, t)
        stance = other_side(free)
        self._ref = dict(feet[stance])
        self._touch_t = self._shift_t = None
        self._hidden_s = 0.0
        return [{"type": "hold_start", "t_s": self._onset, "side": stance}]

    def _in_hold(self, t, dt, feet, rise, vrise, scale, landed) -> list[dict[str, Any]]:
        free = self._free
        assert free is not None and self._onset is not None
        stance = other_side(free)
        if free in landed:  # came to rest somewhere else: the touch-down is behind us
            return [self._close(max(landed[free], self._onset), "touchdown")]
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
        hop = math.isfinite(vrise[stance]) and vrise[stance] > self.lift_high_frac
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
            for part in PARTS:
                self._floor.pop((stance, part), None)
            # still on one leg: a new hold needs the foot down and lifted again
            self._armed[other_side(stance)] = False
        if reason == "moved" or end_t - onset < self.min_lift_s:
            # walking, not balancing, or a step whose landing was seen late: no hold
            return {"type": "hold_cancel", "t_s": onset, "side": stance, "reason": reason}
        hold = Hold(
            index=len(self.holds_),
            stance_leg=stance,
            start_s=onset,
            end_s=end_t,
            end_reason=reason,
            lifted_hidden_s=self._hidden_s,
            began_before_recording=self._began_before,
        )
        self.holds_.append(hold)
        return {
            "type": "hold_end",
            "t_s": end_t,
            "side": stance,
            "hold_s": hold.hold_s,
            "reason": reason,
            "began_before_recording": hold.began_before_recording,
        }

    def finish(self) -> list[dict[str, Any]]:
        """Close a hold still running when the recording ends (reason ``end_of_data``)."""
        if self._phase == "hold" and self._t_in is not None:
            return [self._close(self._t_in, "end_of_data")]
        if self._phase == "lifting":
            self._phase, self._free, self._onset = "standing", None, None
        return []
