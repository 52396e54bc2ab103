"""The incremental rep counter (:class:`CalfRaiseCounter`), fed one frame at a time.

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
:data:`~gaitlab.tasks.calf_raise.results.FEET_OUT_OF_VIEW`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.signals.plausibility import plausible, withheld_reason
from gaitlab.tasks.calf_raise.config import CalfRaiseConfig
from gaitlab.tasks.calf_raise.feet import Foot
from gaitlab.tasks.calf_raise.flags import rep_flags
from gaitlab.tasks.calf_raise.inputs import CalfRaiseFrame
from gaitlab.tasks.calf_raise.measure import measure_rep
from gaitlab.tasks.calf_raise.results import FEET_OUT_OF_VIEW, CalfRaiseRep, RepEvent
from gaitlab.tasks.calf_raise.series import smooth
from gaitlab.tasks.calf_raise.stream import FrameBuffer, RepInProgress
from gaitlab.tasks.calf_raise.window import rep_window

#: A camera move is recognised up to this long after it began
#: (:class:`gaitlab.signals.camera_motion.CameraMotionTracker`: its smoothing and dead band):
#: the frames since then, and those of the first ``CAMERA_MOVE_AFTER_S`` of the move, are
#: left out of the phase fit (once the move is recognised it is followed frame by frame).
CAMERA_MOVE_LOOKBACK_S = 0.5
CAMERA_MOVE_AFTER_S = 0.1


class _Contact(NamedTuple):
    """One frame's floor contact: the heel rise ``d`` of the highest planted heel, each
    foot's heel and toe baselines, which feet are planted (toes down) and usable (seen,
    with baselines)."""

    d: float
    base_h: np.ndarray
    base_t: np.ndarray
    planted: np.ndarray
    usable: np.ndarray


class CalfRaiseCounter:
    """Incremental calf-raise counter and rep measurer (offline and live alike).

    Feed frames in time order with :meth:`update`; call :meth:`finish` at the end of the
    stream. Results accumulate in ``reps_`` (measured reps), ``events_`` and ``warnings_``;
    ``phase_`` is the current phase for display (``rest``, ``rise``, ``hold``, ``lower``)
    and ``heel_rise_pct_`` the current heel rise above the standing baseline.

    Parameters
    ----------
    config
        Detection parameters (:class:`~gaitlab.tasks.calf_raise.config.CalfRaiseConfig`).
    thresholds
        The thresholds file; when given, each rep carries its flags
        (:func:`~gaitlab.tasks.calf_raise.flags.rep_flags`).
    sex
        For sex-specific thresholds.
    foot_cm
        Foot length in cm (:func:`~gaitlab.tasks.calf_raise.inputs.foot_length_cm`), to
        report heights in cm.
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
        self._feet = [Foot(self.config) for _ in SIDES]
        self._buf = FrameBuffer()
        self._state = "rest"
        self._rep: RepInProgress | None = None
        self._pending: RepInProgress | None = None
        self._window_floor_t = -math.inf
        self._missing_since: float | None = None
        self._out_of_view = False
        self._last_t = -math.inf
        self._camera_moving = False
        self._move_seen_t = -math.inf
        self.rejected_: list[tuple[float, str]] = []
        self.roll_signal_: dict[int, tuple[float, float]] = {}  # frame -> (left, right)

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
        contact = self._contact(t, heel, toe, frame.camera_moving)
        self.heel_rise_pct_ = contact.d
        self._buf.append(frame, contact.d)
        if frame.camera_moving and not self._camera_moving:
            self._buf.mark_camera_move(t - CAMERA_MOVE_LOOKBACK_S)
            self._move_seen_t = t
        elif t - self._move_seen_t <= CAMERA_MOVE_AFTER_S:
            self._buf.mark_camera_move(t)
        self._camera_moving = frame.camera_moving
        i = self._buf.end - 1
        seen = bool((np.isfinite(heel) & np.isfinite(toe)).any())
        if not self._feet_in_view(seen, i, t, frame.frame, events):
            self._finish_event_batch(events)
            return events
        if self._state == "rest":
            if contact.d > cfg.start_level_pct:
                self._start_rep(i, t, frame.frame, contact, events)
        elif self._state == "up":
            self._step_up(i, t, frame.frame, contact, events)
        if self._state == "settle":
            self._step_settle(i, t, frame.frame, contact, events)
        self._trim(t)
        self._finish_event_batch(events)
        return events

    def finish(self) -> list[RepEvent]:
        """End of the stream: report a rep that was settling; a rep still in progress is
        not counted (with a warning)."""
        events: list[RepEvent] = []
        if self._state == "settle" and self._pending is not None:
            events += self._emit(self._buf.end - 1)
        elif self._state == "up":
            t = self._buf.last("t")
            events += self._reject(t, self._buf.last("frame"), "the recording ended mid-rep")
            msg = "the last raise was still in progress when the recording ended: not counted"
            if msg not in self.warnings_:
                self.warnings_.append(msg)
        self._finish_event_batch(events)
        return events

    # -- one frame's steps ----------------------------------------------------------------
    def _contact(
        self, t: float, heel: np.ndarray, toe: np.ndarray, camera_moving: bool = False
    ) -> _Contact:
        """Update each foot's contact with this frame; the heel rise of the planted feet.
        A frame in which the camera moved teaches no baseline (its heights are the least
        sure)."""
        at_rest = self._state in ("rest", "settle") and not camera_moving
        planted = np.array(
            [f.observe(t, heel[k], toe[k], at_rest=at_rest) for k, f in enumerate(self._feet)]
        )
        base_h = np.array([f.base.heel for f in self._feet])
        base_t = np.array([f.base.toe for f in self._feet])
        if self._state == "up":  # baselines are frozen during a rep
            assert self._rep is not None
            base_h, base_t = self._rep.base_h, self._rep.base_t
        rise = heel - base_h
        usable = np.isfinite(rise) & np.isfinite(toe - base_t)
        planted &= usable
        d = float(np.max(rise[planted])) if planted.any() else math.nan
        return _Contact(d, base_h, base_t, planted, usable)

    def _feet_in_view(
        self, seen: bool, i: int, t: float, frame: int, events: list[RepEvent]
    ) -> bool:
        """Track the feet leaving and coming back into the picture; False while they are out
        of it (a rep in progress is then aborted, one settling reported)."""
        cfg = self.config
        if not seen:
            if self._missing_since is None:
                self._missing_since = t
            gone = t - self._missing_since
            if gone > cfg.max_missing_s and not self._out_of_view:
                self._out_of_view = True
                events.append(RepEvent("feet_out_of_view", t, frame, reason=FEET_OUT_OF_VIEW))
                if FEET_OUT_OF_VIEW not in self.warnings_:
                    self.warnings_.append(FEET_OUT_OF_VIEW)
                if self._state == "up":
                    events += self._reject(t, frame, "the feet left the picture mid-rep")
                elif self._pending is not None:
                    events += self._emit(i)
            return False
        if self._out_of_view:
            events.append(RepEvent("feet_in_view", t, frame))
        self._missing_since = None
        self._out_of_view = False
        return True

    def _step_up(
        self, i: int, t: float, frame: int, contact: _Contact, events: list[RepEvent]
    ) -> None:
        """A frame during a rep: feet stepping off, the peak, the live phase, its end."""
        cfg = self.config
        r = self._rep
        assert r is not None
        d = contact.d
        # a foot whose toes leave the floor during the rep is not doing the raise
        off = contact.usable & ~contact.planted
        r.off_run = np.where(off, r.off_run + 1, 0)
        r.toe_off |= r.off_run * r.dt >= cfg.toe_off_s
        if np.isfinite(d) and d > r.peak:
            r.peak, r.i_peak = d, i
        self._display_phase(d, t, frame, events)
        prev_d, t_prev = self._buf.last("d", 2), self._buf.last("t", 2)
        if np.isfinite(d) and d < cfg.end_level_pct and not prev_d < cfg.end_level_pct:
            # crossing down through the end level (interpolated)
            f = (prev_d - cfg.end_level_pct) / (prev_d - d) if np.isfinite(prev_d) else 1.0
            r.below = (t_prev + float(np.clip(f, 0, 1)) * (t - t_prev), i)
        if r.below is not None and t - r.below[0] >= cfg.min_down_s:
            # down for good: the jitter-free mean of the last min_down_s is under the level
            recent = self._buf.arr("d", r.below[1], i + 1)
            t_rec = self._buf.arr("t", r.below[1], i + 1)
            recent = recent[t_rec >= t - cfg.min_down_s]
            if np.isfinite(recent).any() and np.nanmean(recent) < cfg.end_level_pct:
                r.t_down, r.i_down = r.below
                self._end_rep(i, t, frame, events)
        if self._state == "up" and t - r.t_up > cfg.max_rep_s:
            events += self._reject(t, frame, "held up too long: the floor moved")
            for foot in self._feet:
                foot.base.reset()

    def _step_settle(
        self, i: int, t: float, frame: int, contact: _Contact, events: list[RepEvent]
    ) -> None:
        """A frame after a rep: report it once settled, or when the next one starts."""
        cfg = self.config
        p = self._pending
        assert p is not None
        d = contact.d
        if np.isfinite(d) and d > cfg.start_level_pct:
            seg = self._buf.arr("d", p.i_down, i + 1)
            cut = p.i_down + (int(np.nanargmin(seg)) if np.isfinite(seg).any() else 0)
            events += self._emit(cut)
            self._start_rep(i, t, frame, contact, events)
        elif t - p.t_down >= cfg.settle_s:
            events += self._emit(i)

    def _trim(self, t: float) -> None:
        cfg = self.config
        keep_from = t - (cfg.max_rep_s + cfg.pre_s + cfg.rest_lookback_s + cfg.settle_s + 5.0)
        if self._state != "rest" or self._pending is not None:
            return
        self._buf.trim(keep_from)

    # -- internals ------------------------------------------------------------------------
    def _finish_event_batch(self, events: list[RepEvent]) -> None:
        self.events_.extend(events)

    def _start_rep(
        self, i: int, t: float, frame: int, contact: _Contact, events: list[RepEvent]
    ) -> None:
        cfg = self.config
        prev_d = self._buf.last("d", 2) if len(self._buf) >= 2 else math.nan
        t_prev = self._buf.last("t", 2) if len(self._buf) >= 2 else t
        d = self._buf.last("d")
        if np.isfinite(prev_d) and prev_d != d:
            f = float(np.clip((cfg.start_level_pct - prev_d) / (d - prev_d), 0, 1))
            t_up = t_prev + f * (t - t_prev)
        else:
            t_up = t
        dt = t - t_prev if t > t_prev else 1 / 30
        self._rep = RepInProgress(
            i_up=i,
            t_up=t_up,
            base_h=np.array(contact.base_h, float),
            base_t=np.array(contact.base_t, float),
            off_run=np.zeros(2),
            toe_off=~contact.planted,
            dt=dt,
            peak=d,
            i_peak=i,
        )
        self._state = "up"
        self.phase_ = "rise"
        events.append(RepEvent("rep_start", t_up, frame))

    def _display_phase(self, d: float, t: float, frame: int, events: list[RepEvent]) -> None:
        """Approximate live phase (the reported phase times come from the fit)."""
        r = self._rep
        assert r is not None
        if not np.isfinite(d):
            return
        if r.shown == "rise" and d >= 0.9 * r.peak and t - self._buf.at("t", r.i_peak) > 0.1:
            r.shown = "hold"
            events.append(RepEvent("rep_top", t, frame))
        elif r.shown == "hold" and d < 0.85 * r.peak:
            r.shown = "lower"
            events.append(RepEvent("rep_lower", t, frame))
        self.phase_ = r.shown

    def _end_rep(self, i: int, t: float, frame: int, events: list[RepEvent]) -> None:
        cfg = self.config
        r = self._rep
        assert r is not None
        if r.toe_off.all():
            events += self._reject(t, frame, "the toes left the floor: a step, not a raise")
            return
        if r.t_down - r.t_up < cfg.min_up_s:
            events += self._reject(t, frame, "too short for a raise")
            return
        # the peak after smoothing out the jitter must clear the start level
        d_up = self._buf.arr("d", r.i_up, r.i_down + 1)
        n_avg = max(1, int(round(0.2 / r.dt)))
        if not np.isfinite(d_up).any() or np.nanmax(smooth(d_up, n_avg)) < cfg.start_level_pct:
            events += self._reject(t, frame, "too low for a raise")
            return
        self._pending = replace(r)
        self._state = "settle"
        self.phase_ = "lower"

    def _reject(self, t: float, frame: int, reason: str) -> list[RepEvent]:
        self.rejected_.append((t, reason))
        self._state = "rest"
        self.phase_ = "rest"
        self._rep = None
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
            t = self._buf.at("t", i_end)
            reason = "could not be measured" if rep is None else "too low for a raise"
            self.rejected_.append((t, reason))
            frame = self._buf.at("frame", i_end)
            return [RepEvent("rep_rejected", t, frame, reason=reason)]
        self.reps_.append(rep)
        return [RepEvent("rep_end", rep.end_s, rep.frame, rep=rep)]

    def _measure(self, p: RepInProgress, i_end: int) -> CalfRaiseRep | None:
        """Measure the rep ``p``, settled at sample ``i_end``; keep its per-frame roll and
        the end of its window, and flag it."""
        # frames taken as a camera move began are left out of the fit, unless too little is
        # left without them: then it fits them all
        for skip in (True, False):
            win = rep_window(
                self._buf,
                p,
                i_end,
                self.config,
                floor_t=self._window_floor_t,
                flat_offsets=[f.flat_offset for f in self._feet],
                prev=self.reps_[-1] if self.reps_ else None,
                skip_camera_moves=skip,
            )
            if win is None:
                return None
            measured = measure_rep(
                self._buf,
                win,
                index=len(self.reps_),
                foot_cm=self.foot_cm,
                detected_s=float(self._buf.at("t", i_end)),
            )
            if measured is not None or not win.skipped:
                break
        if measured is None:
            return None
        self._window_floor_t = measured.window_end_t
        frames = self._buf.values("frame", win.j0, win.i1)
        for k, per_frame in enumerate(measured.roll_per_frame):
            if per_frame is not None:
                self._keep_roll(k, frames, per_frame)
        rep = self._withhold_implausible(measured.rep)
        if self.thresholds:
            flags = rep_flags(
                rep,
                self.thresholds,
                sex=self.sex,
                frame_at=lambda tt: self._buf.frame_at(tt, win.i0, win.i1),
            )
            rep = replace(rep, flags=tuple(flags))
        return rep

    def _withhold_implausible(self, rep: CalfRaiseRep) -> CalfRaiseRep:
        """The rep with a heel height no foot reaches withheld (NaN, with a warning): it
        still counts, its height is a failed measurement (a foreshortened foot)."""
        name = "heel_rise_pct_foot"
        heights = [rep.height_pct_foot, rep.height_left_pct_foot, rep.height_right_pct_foot]
        th = self.thresholds or None
        if all(h is None or plausible(name, h, th) for h in heights):
            return rep
        msg = withheld_reason(name, th).replace("heel rise:", "heel height of a rep:")
        if msg not in self.warnings_:
            self.warnings_.append(msg)
        return replace(
            rep,
            height_pct_foot=math.nan,
            height_cm=None,
            height_left_pct_foot=None,
            height_right_pct_foot=None,
        )

    def _keep_roll(self, k: int, frames: list[int], per_frame: np.ndarray) -> None:
        """Foot ``k``'s per-frame roll into :attr:`roll_signal_` (frames.csv)."""
        for j, fr in enumerate(frames):
            if np.isfinite(per_frame[j]):
                cur = self.roll_signal_.get(fr, (math.nan, math.nan))
                new = list(cur)
                new[k] = float(per_frame[j])
                self.roll_signal_[fr] = (new[0], new[1])
