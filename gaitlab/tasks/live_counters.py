"""Live counting per task: reps of calf raises, single-leg holds of balance.

A live session (:class:`gaitlab.live.LiveProcessor`) feeds its :class:`Counter` one frame at
a time. Each counter wraps the file pipeline's own detector, so a rep or a hold is
recognised by one implementation for files and webcam alike: calf raises by
:class:`gaitlab.tasks.calf_raise.CalfRaiseCounter` (through :class:`CalfRaiseLiveCounter`),
single-leg holds by :class:`gaitlab.tasks.balance.BalanceTimer` (through
:class:`BalanceLiveCounter`). A task without a live counter gets :class:`NoCounter`, which
reports nothing, and the UI then says that counting is not available rather than showing a
made-up number.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any, Protocol, runtime_checkable

import numpy as np

from gaitlab.core.landmarks import SIDES, side_landmark
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import PoseSequence
from gaitlab.signals.camera_motion import CameraMotionTracker, camera_moved_warning
from gaitlab.signals.measures import foot_length_px
from gaitlab.signals.plausibility import plausible
from gaitlab.signals.view import FRONTAL_VIEWS, estimate_azimuth_deg
from gaitlab.tasks.balance import BalanceTimer, balance_values
from gaitlab.tasks.calf_raise import CalfRaiseCounter, CalfRaiseInputs, foot_length_cm
from gaitlab.tasks.live_cues import BALANCE_CUES, MESSAGES, PHASE_CUES

__all__ = [
    "FEET",
    "BalanceLiveCounter",
    "CalfRaiseLiveCounter",
    "Counter",
    "NoCounter",
    "counter_for",
]

#: Feet landmarks that must be visible for foot measures (ankle, heel, toe, both sides).
FEET = tuple(side_landmark(s, p) for s in SIDES for p in ("ankle", "heel", "foot_index"))


@runtime_checkable
class Counter(Protocol):
    """Per-task incremental counting (reps, holds) for the live path.

    ``update`` is called once per processed frame with the frame time and that frame's
    measure values (``{signal name: value}``, finite values only; the subject's landmark
    positions are not included) and returns the events that completed at this frame
    (dicts like ``{"type": "rep_end", "t_s": 12.3, ...}``). ``state`` returns what the UI
    shows: e.g. ``{"reps": 3, "phase": "hold", "cue": "Pause at the top for a moment"}``.
    A counter may also provide ``reset()``; ``observe(window, view_per_frame, *,
    azimuth_deg)``: called just before ``update`` with the rolling window of filtered pose
    (:class:`~gaitlab.core.types.PoseSequence`, ending at this frame), its view labels and the
    camera azimuth they came from (:func:`gaitlab.signals.view.estimate_azimuth_deg`, estimated once
    per frame), for counters that read landmarks rather than measures
    (:class:`CalfRaiseLiveCounter`);
    ``observe_raw(xy)``: called just before ``update`` with this frame's unfiltered,
    visibility-gated ``(33, 2)`` landmarks (NaN where not seen, all NaN with nobody in view),
    for counters that do their own smoothing (:class:`BalanceLiveCounter`); and
    ``finish() -> list[dict]``: the events that the end of the session completes (a hold
    still running, a rep still settling), called by :meth:`gaitlab.live.LiveProcessor.finish`.
    """

    def update(self, t_s: float, values: dict[str, float]) -> list[dict[str, Any]]: ...

    def state(self) -> dict[str, Any]: ...


class NoCounter:
    """The default when a task has no live counter: no events, no counts.

    ``state()`` is empty, so the UI cannot mistake it for zero reps.
    """

    def update(self, t_s: float, values: dict[str, float]) -> list[dict[str, Any]]:
        return []

    def state(self) -> dict[str, Any]:
        return {}


#: Seconds of pose before the calf-raise counter's foot length (its unit of height) is fixed.
FOOT_LENGTH_AFTER_S = 1.0


class CalfRaiseLiveCounter:
    """:class:`gaitlab.tasks.calf_raise.CalfRaiseCounter` (the file pipeline's own rep
    counter) behind the live :class:`Counter` protocol.

    That counter reads the feet's landmarks, not the per-frame measures, so this adapter also
    has ``observe(window, view_per_frame, azimuth_deg=...)``, which the live processor calls
    before ``update`` with the rolling window of filtered pose: its last frame becomes the
    counter's input (:class:`~gaitlab.tasks.calf_raise.CalfRaiseInputs`). The foot
    length, the counter's unit of height, is fixed once a second of pose has a finite
    estimate; with ``height_cm``, the foot length in cm is fixed then too (from the same
    second), so reps also report their heel height in cm.
    """

    def __init__(
        self,
        *,
        thresholds: dict[str, Threshold] | None = None,
        sex: str | None = None,
        height_cm: float | None = None,
    ) -> None:
        self._make = lambda: CalfRaiseCounter(thresholds=thresholds, sex=sex)
        self._thresholds = thresholds
        self._height_cm = height_cm
        self.reset()

    def reset(self) -> None:
        self._counter = self._make()
        self._frame: Any = None
        self._foot_px = float("nan")
        self._camera = CameraMotionTracker()
        self._camera_warned = 0

    def observe(
        self,
        window: PoseSequence,
        view_per_frame: np.ndarray,
        *,
        azimuth_deg: np.ndarray | None = None,
    ) -> None:
        """Take the window's last frame as the counter's next input; ``azimuth_deg``: the
        window's :func:`~gaitlab.signals.view.estimate_azimuth_deg` when the caller has it (it is
        estimated here otherwise)."""
        if not np.isfinite(self._foot_px) and window.duration_s >= FOOT_LENGTH_AFTER_S:
            self._foot_px = foot_length_px(window)
            if np.isfinite(self._foot_px) and self._height_cm is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cm = foot_length_cm(window, self._height_cm, self._foot_px)
                self._counter.foot_cm = cm if np.isfinite(cm) else None
        if not np.isfinite(self._foot_px):
            self._frame = None
            return
        last = window[len(window) - 1 :]
        # the frame in the first framing: a zoom, pan or shaking hand moves the whole
        # picture, not the heels (as offline: gaitlab.signals.camera_motion)
        cam = self._camera.update(float(last.t_s[0]), last.xy[0])
        last = replace(last, xy=cam.undo(last.xy))
        moves = self._camera.camera_moves()
        if len(moves) > self._camera_warned:
            self._camera_warned = len(moves)
            msg = camera_moved_warning(moves)
            self._counter.warnings_[:] = [
                w for w in self._counter.warnings_ if not w.startswith("the camera moved")
            ] + [msg]
        with warnings.catch_warnings(), np.errstate(invalid="ignore"):
            warnings.simplefilter("ignore")
            az = estimate_azimuth_deg(window) if azimuth_deg is None else azimuth_deg
            inputs = CalfRaiseInputs.from_pose(
                last,
                foot_px=self._foot_px,
                frontal=np.isin(np.asarray(view_per_frame[-1:]).astype(str), FRONTAL_VIEWS),
                azimuth_deg=az[-1:],
                camera_moving=np.array([cam.moving]),
            )
        self._frame = next(inputs.frames())

    def update(self, t_s: float, values: dict[str, float]) -> list[dict[str, Any]]:
        if self._frame is None:
            return []
        return _rep_event_dicts(self._counter.update(self._frame))

    def finish(self) -> list[dict[str, Any]]:
        """End of the session: a rep that was settling is reported, one in progress is not."""
        return _rep_event_dicts(self._counter.finish())

    def state(self) -> dict[str, Any]:
        c = self._counter
        rise = c.heel_rise_pct_
        return {
            "reps": len(c.reps_),
            "phase": c.phase_,
            # a height no heel reaches is a failed measurement: withheld, never shown
            "heel_rise_pct_foot": round(float(rise), 1)
            if plausible("heel_rise_pct_foot", float(rise), self._thresholds)
            else None,
            "cue": PHASE_CUES.get(c.phase_, ""),
            **({"warnings": list(c.warnings_)} if c.warnings_ else {}),
        }


def _rep_event_dicts(events: list[Any]) -> list[dict[str, Any]]:
    """:class:`~gaitlab.tasks.calf_raise.RepEvent` s as the live counter's event dicts."""
    return [
        {
            "type": e.type,
            "t_s": e.t_s,
            "frame": e.frame,
            **({"rep": e.rep.to_dict()} if e.rep is not None else {}),
            **({"reason": e.reason} if e.reason else {}),
        }
        for e in events
    ]


#: Both feet unseen for longer than this (s) is reported once as ``feet_out_of_view`` (the
#: calf-raise counter's own ``max_missing_s``).
FEET_MISSING_S = 0.5


class BalanceLiveCounter:
    """:class:`gaitlab.tasks.balance.BalanceTimer` (the file pipeline's own hold
    detector) behind the live :class:`Counter` protocol.

    The timer is fed each frame's unfiltered, visibility-gated landmarks
    (:func:`~gaitlab.tasks.balance.balance_values` of ``observe_raw``), not the One Euro
    output: that filter's lag grows with speed and would delay touch-downs by up to 0.2 s,
    while the timer's own short moving average has a fixed delay that it removes. Its scale
    (leg length) is a running median, as nothing is known of the clip in advance.

    Events: the timer's ``hold_start`` (``t_s`` = the lift-off, reported once the lift has
    lasted long enough), ``hold_end`` (with ``hold_s`` and ``reason``) and ``hold_cancel`` (a
    started "hold" that was a walk towards or away from the camera: it is not a hold, and the
    live processor drops its ``hold_start`` from the session's events), plus
    ``feet_out_of_view`` / ``feet_in_view`` when neither foot has been seen for
    :data:`FEET_MISSING_S`. ``holds`` in :meth:`state` counts completed holds only.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._timer = BalanceTimer()
        self._values: dict[str, float] = {}
        self._missing_since: float | None = None
        self._out_of_view = False

    def observe_raw(self, xy: np.ndarray) -> None:
        self._values = balance_values(xy)

    def update(self, t_s: float, values: dict[str, float]) -> list[dict[str, Any]]:
        events = self._timer.update(t_s, self._values)
        feet = [self._values.get(f"{lm.name.lower()}_y_px", np.nan) for lm in FEET]
        if np.isfinite(feet).any():
            if self._out_of_view:
                events.append({"type": "feet_in_view", "t_s": t_s})
            self._missing_since, self._out_of_view = None, False
        else:
            if self._missing_since is None:
                self._missing_since = t_s
            if not self._out_of_view and t_s - self._missing_since > FEET_MISSING_S:
                self._out_of_view = True
                events.append({"type": "feet_out_of_view", "t_s": t_s, "reason": MESSAGES["feet"]})
        return events

    def finish(self) -> list[dict[str, Any]]:
        """End of the session: a hold still running ends here (reason ``end_of_data``)."""
        return self._timer.finish()

    def state(self) -> dict[str, Any]:
        s = self._timer.state()
        return {
            "holds": s["holds"],
            "phase": s["phase"],
            "hold_s": s["hold_s"],
            "stance_leg": s["stance_leg"],
            "best_hold_s": s["best_hold_s"],
            "cue": BALANCE_CUES.get(s["phase"], ""),
        }


def counter_for(
    task: str,
    *,
    thresholds: dict[str, Threshold] | None = None,
    sex: str | None = None,
    height_cm: float | None = None,
) -> Counter:
    """The live counter for ``task``: calf raises are counted by
    :class:`CalfRaiseLiveCounter` (the pipeline's own counter), single-leg holds by
    :class:`BalanceLiveCounter` (the pipeline's own hold detector); tasks without a live
    counter get :class:`NoCounter`, which counts nothing."""
    if task == "calf-raise":
        return CalfRaiseLiveCounter(thresholds=thresholds, sex=sex, height_cm=height_cm)
    if task == "balance":
        return BalanceLiveCounter()
    return NoCounter()
