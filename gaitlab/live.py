"""Frame-by-frame processing for the webcam: pose, subject, causal filter, measures, cues.

One :class:`LiveProcessor` serves one live session (one person in front of one webcam). It
owns its pose estimator (created on the first frame, never shared) and its :class:`Tracker`,
filters the subject's landmarks with a causal :class:`~gaitlab.signals.clean.OneEuroFilter`,
and measures each frame with the same code as the file pipeline: the view and every
per-frame measure are computed on a rolling window of the filtered pose that ends at the
current frame (:func:`gaitlab.signals.view.classify_frames`,
:func:`gaitlab.signals.measures.compute_signals`), and the threshold rules of
:func:`gaitlab.rules.sustained.evaluate_rules` run on the same window, so a rule has
one implementation for files and webcam alike.

Counting (reps, holds) is a pluggable :class:`Counter` per task (:func:`counter_for`): calf
raises are counted by the file pipeline's own rep counter
(:class:`gaitlab.tasks.calf_raise.CalfRaiseCounter`, through
:class:`CalfRaiseLiveCounter`), single-leg holds by the balance analyzer's own hold detector
(:class:`gaitlab.tasks.balance.BalanceTimer`, through :class:`BalanceLiveCounter`); a task
without a live counter gets :class:`NoCounter`, which reports nothing, and the UI then says
that counting is not available rather than showing a made-up number.

Nothing here touches Streamlit: the webrtc callback calls :meth:`LiveProcessor.process` and
the page reads :meth:`LiveProcessor.snapshot` / :meth:`LiveProcessor.summary`.
"""

from __future__ import annotations

import threading
import warnings
from collections import Counter as Tally
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from gaitlab.core.errors import GaitlabError
from gaitlab.core.landmarks import SIDES, Landmark, side_landmark
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.core.types import Flag, PoseSequence
from gaitlab.pose import PersonPose, PoseEstimator, Tracker
from gaitlab.render.overlay import Style, annotate_frame, hershey_text
from gaitlab.rules.sustained import evaluate_rules
from gaitlab.signals.clean import OneEuroFilter
from gaitlab.signals.measures import compute_signals, foot_length_px
from gaitlab.signals.view import (
    FRONTAL_VIEWS,
    SAGITTAL_VIEWS,
    classify_frames,
    estimate_azimuth_deg,
    off_axis_deg,
)

__all__ = [
    "LIVE_TASKS",
    "BalanceLiveCounter",
    "CalfRaiseLiveCounter",
    "Counter",
    "LiveProcessor",
    "LiveState",
    "NoCounter",
    "counter_for",
    "draw_status_bar",
]

#: Tasks that can be done live, on the spot in front of a webcam.
LIVE_TASKS = ("calf-raise", "balance")

#: Seconds of filtered pose the per-frame measures are computed on. The view classifier
#: smooths over 0.5 s and the heel-height baseline is the window's standing heel level
#: (:data:`gaitlab.signals.measures.HEEL_BASELINE_PERCENTILE`), so the window must hold a few
#: flat-footed seconds between raises; 10 s does, and costs about 5 ms per frame.
WINDOW_S = 10.0

#: BlazePose visibility below which a landmark counts as not seen (MediaPipe's own default,
#: as in :func:`gaitlab.signals.clean.gate_visibility`).
MIN_VISIBILITY = 0.5

#: Frames larger than this (longer side, pixels) are downscaled for inference only;
#: coordinates stay in the frame's own pixels (see ``pipeline.INFERENCE_MAX_SIDE``).
INFERENCE_MAX_SIDE = 960

#: A frame interval longer than this (a stalled webcam) does not count as time in view.
MAX_FRAME_GAP_S = 0.5

#: Feet landmarks that must be visible for foot measures (ankle, heel, toe, both sides).
FEET = tuple(side_landmark(s, p) for s in SIDES for p in ("ankle", "heel", "foot_index"))

#: Status bar colours (RGB): all is well / the person must do something first.
OK_COLOUR = (30, 140, 60)
ACTION_COLOUR = (200, 120, 0)

MESSAGES = {
    "nobody": "Nobody in view: stand 2-3 m from the camera, whole body in the picture",
    "feet": "Step back so your feet are in view",
    "calf-raise-view": "Face the camera (or turn your back to it) so ankle roll can be seen",
    "balance-view": "Face the camera (or turn your back to it) so hip drop can be seen",
    "calf-raise": "Slowly raise your heels, pause at the top, lower even more slowly",
    "balance": "Lift one foot and hold; keep your hips level",
}

#: Plain-language cue per threshold rule (programme wording where it has one).
RULE_CUES = {
    "fppa_peak": "Keep your {side} knee over your toes, not caving in",
    "ankle_roll": "Keep your {side} ankle straight: press through the base of the big toe",
    "ankle_shift": "Keep your {side} ankle from wobbling sideways",
    "pelvic_drop_stance": "Keep your hips level",
    "calf_raise_hold": "Pause at the top for a moment",
    "calf_raise_rise": "Raise your heels more slowly",
}


# -- counters -------------------------------------------------------------------------------
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
    still running, a rep still settling), called by :meth:`LiveProcessor.finish`.
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


#: What to tell the person in each calf-raise phase (the programme's own words).
PHASE_CUES = {
    "rest": "Slowly raise your heels",
    "rise": "Slowly raise your heels",
    "hold": "Pause at the top for a moment",
    "lower": "Lower back down even more slowly",
}

#: Seconds of pose before the calf-raise counter's foot length (its unit of height) is fixed.
FOOT_LENGTH_AFTER_S = 1.0


class CalfRaiseLiveCounter:
    """:class:`gaitlab.tasks.calf_raise.CalfRaiseCounter` (the file pipeline's own rep
    counter) behind the live :class:`Counter` protocol.

    That counter reads the feet's landmarks, not the per-frame measures, so this adapter also
    has ``observe(window, view_per_frame, azimuth_deg=...)``, which :class:`LiveProcessor`
    calls before ``update`` with the rolling window of filtered pose: its last frame becomes
    the counter's input (:class:`~gaitlab.tasks.calf_raise.CalfRaiseInputs`). The foot
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
        from gaitlab.tasks.calf_raise import CalfRaiseCounter

        self._make = lambda: CalfRaiseCounter(thresholds=thresholds, sex=sex)
        self._height_cm = height_cm
        self.reset()

    def reset(self) -> None:
        self._counter = self._make()
        self._frame: Any = None
        self._foot_px = float("nan")

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
        from gaitlab.tasks.calf_raise import CalfRaiseInputs

        if not np.isfinite(self._foot_px) and window.duration_s >= FOOT_LENGTH_AFTER_S:
            self._foot_px = foot_length_px(window)
            if np.isfinite(self._foot_px) and self._height_cm is not None:
                from gaitlab.tasks.calf_raise import foot_length_cm

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cm = foot_length_cm(window, self._height_cm, self._foot_px)
                self._counter.foot_cm = cm if np.isfinite(cm) else None
        if not np.isfinite(self._foot_px):
            self._frame = None
            return
        last = window[len(window) - 1 :]
        with warnings.catch_warnings(), np.errstate(invalid="ignore"):
            warnings.simplefilter("ignore")
            az = estimate_azimuth_deg(window) if azimuth_deg is None else azimuth_deg
            inputs = CalfRaiseInputs.from_pose(
                last,
                foot_px=self._foot_px,
                frontal=np.isin(np.asarray(view_per_frame[-1:]).astype(str), FRONTAL_VIEWS),
                azimuth_deg=az[-1:],
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
            "heel_rise_pct_foot": round(float(rise), 1) if np.isfinite(rise) else None,
            "cue": PHASE_CUES.get(c.phase_, ""),
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


#: What to tell the person in each balance phase.
BALANCE_CUES = {
    "standing": "Lift one foot and hold; keep your hips level",
    "lifting": "Keep the foot up and hold",
    "hold": "Hold: keep your hips level",
    "unknown": "Keep both feet in view",
}

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
    started "hold" that was a walk towards or away from the camera: it is not a hold, and
    :class:`LiveProcessor` drops its ``hold_start`` from the session's events), plus
    ``feet_out_of_view`` / ``feet_in_view`` when neither foot has been seen for
    :data:`FEET_MISSING_S`. ``holds`` in :meth:`state` counts completed holds only.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        from gaitlab.tasks.balance import BalanceTimer

        self._timer = BalanceTimer()
        self._values: dict[str, float] = {}
        self._missing_since: float | None = None
        self._out_of_view = False

    def observe_raw(self, xy: np.ndarray) -> None:
        from gaitlab.tasks.balance import balance_values

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
    try:
        if task == "calf-raise":
            return CalfRaiseLiveCounter(thresholds=thresholds, sex=sex, height_cm=height_cm)
        if task == "balance":
            return BalanceLiveCounter()
    except ImportError:  # the task's analyzer is not installed
        return NoCounter()
    return NoCounter()


# -- state ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LiveState:
    """What one processed frame tells the person and the page.

    Attributes
    ----------
    t_s
        Time of the frame from the start of the session, seconds.
    subject_found
        Whether a person was found in this frame.
    feet_visible
        Whether both feet (ankle, heel, toe) are visible enough to measure.
    view
        The camera view at this frame (:data:`gaitlab.signals.view.VIEW_LABELS`).
    values
        This frame's measures (``fppa_left_deg`` …), finite values only.
    counters
        ``frames``, ``frames_with_subject``, ``time_in_view_s``, plus the task counter's
        :meth:`Counter.state`.
    cue
        The one message shown to the person now.
    needs_action
        True when the cue asks the person to fix the set-up (nobody / feet / view).
    flags
        Threshold rules crossed at this frame.
    events
        What this frame completed: the counter's events (``rep_end``, ``hold_start`` …, see
        :class:`Counter`) and a ``flag`` event (the :class:`~gaitlab.core.types.Flag` fields) for
        each rule that starts being crossed at this frame (not again while it stays
        crossed).
    """

    t_s: float
    subject_found: bool
    feet_visible: bool
    view: str
    values: dict[str, float]
    counters: dict[str, Any]
    cue: str
    needs_action: bool
    flags: tuple[Flag, ...] = ()
    events: tuple[dict[str, Any], ...] = ()


@dataclass
class _Session:
    """Everything that accumulates over one session (reset by :meth:`LiveProcessor.reset`)."""

    t0: float | None = None
    last_t: float | None = None
    frames: int = 0
    frames_with_subject: int = 0
    time_in_view_s: float = 0.0
    timestamps_adjusted: int = 0
    subject_track: int | None = None
    subject_changes: int = 0
    views: Tally = field(default_factory=Tally)
    values: dict[str, list[float]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    flags: dict[tuple[str, str | None, float], Flag] = field(default_factory=dict)
    active_rules: set[tuple[str, str | None]] = field(default_factory=set)
    xy: deque = field(default_factory=deque)
    vis: deque = field(default_factory=deque)
    t: deque = field(default_factory=deque)
    frame: deque = field(default_factory=deque)


def _default_estimator() -> PoseEstimator:
    from gaitlab.pose import MediaPipePose

    # Two people: the subject and one other (a partner in the room) is enough live, and
    # each extra pose costs a landmark-model run per frame.
    return MediaPipePose(num_poses=2)


class LiveProcessor:
    """Process webcam frames one at a time for a live ``calf-raise`` or ``balance`` session.

    Parameters
    ----------
    task
        One of :data:`LIVE_TASKS`.
    estimator_factory
        Builds the pose estimator on the first frame (default: MediaPipe BlazePose, two
        people). One estimator per processor, never shared: video-mode landmarkers keep
        state between frames.
    height_cm
        The person's height, kept for the session summary; the calf-raise counter reports
        heel heights in cm with it.
    sex
        ``"female"``, ``"male"`` or None: picks sex-specific thresholds.
    counter
        The task's :class:`Counter`; default :func:`counter_for` ``(task)``.
    thresholds
        The thresholds file's entries; default :func:`gaitlab.core.thresholds.load_thresholds`.

    Subject rule: the person being followed keeps being followed while their track lives
    (:class:`~gaitlab.pose.Tracker`); when it ends, the largest person in view (body height
    in pixels) becomes the subject, the causal filter restarts and the change is counted in
    ``summary()["subject_changes"]``.
    """

    def __init__(
        self,
        task: str,
        *,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        height_cm: float | None = None,
        sex: str | None = None,
        counter: Counter | None = None,
        thresholds: dict[str, Threshold] | None = None,
    ) -> None:
        if task not in LIVE_TASKS:
            raise GaitlabError(f"live mode supports {', '.join(LIVE_TASKS)}, not {task!r}")
        self.task = task
        self.height_cm = height_cm
        self.sex = sex
        self._estimator_factory = estimator_factory or _default_estimator
        self._counter_given = counter
        self._thresholds = thresholds if thresholds is not None else load_thresholds()
        self._lock = threading.Lock()
        self._estimator: PoseEstimator | None = None
        self._last_state: LiveState | None = None
        self._start_session()

    # -- lifecycle --------------------------------------------------------------------------
    def _start_session(self) -> None:
        self._tracker = Tracker()
        self._filter = OneEuroFilter()
        self._counter: Counter = self._counter_given or counter_for(
            self.task, thresholds=self._thresholds, sex=self.sex, height_cm=self.height_cm
        )
        if self._counter_given is not None and hasattr(self._counter_given, "reset"):
            self._counter_given.reset()
        self._s = _Session()
        self._last_state = None

    def reset(self) -> None:
        """Start a new session: forget counts, tracks and filter state; keep the model."""
        with self._lock:
            if self._estimator is not None:
                self._estimator.close()  # video mode needs a fresh timeline
                self._estimator = None
            self._start_session()

    def close(self) -> None:
        """Release the pose estimator (idempotent)."""
        with self._lock:
            if self._estimator is not None:
                self._estimator.close()
                self._estimator = None

    # -- per frame ----------------------------------------------------------------------------
    def process(
        self, rgb: np.ndarray, t_s: float, *, frame: int | None = None
    ) -> tuple[np.ndarray, LiveState]:
        """Process one webcam frame.

        Parameters
        ----------
        rgb
            ``(H, W, 3)`` uint8 RGB frame.
        t_s
            The frame's presentation time in seconds (the stream's own clock). A time that
            does not increase is moved 1 ms after the previous frame and counted.
        frame
            The frame's number in its source (events and flags refer to it); default: the
            count of frames processed before it. A source that drops frames passes its own
            numbers, so a flag's frame can be found in the recording.

        Returns
        -------
        The annotated frame (skeleton, measures, flags) with a status bar appended below
        it (the cue and the counters) and the :class:`LiveState` of this frame.
        """
        image = np.ascontiguousarray(rgb)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"rgb: expected (H, W, 3) uint8, got {image.shape} {image.dtype}")
        with self._lock:
            return self._process(image, float(t_s), frame)

    def _process(
        self, image: np.ndarray, t_in: float, frame: int | None
    ) -> tuple[np.ndarray, LiveState]:
        s = self._s
        frame_no = s.frames if frame is None else int(frame)
        if s.t0 is None:
            s.t0 = t_in
        t = t_in - s.t0
        if s.last_t is not None and not t > s.last_t:
            t = s.last_t + 1e-3
            s.timestamps_adjusted += 1
        dt = None if s.last_t is None else t - s.last_t
        s.last_t = t
        s.frames += 1

        h, w = image.shape[:2]
        persons = self._estimate(image, t, (w, h))
        ids = self._tracker.update(persons, t)
        subject = self._choose_subject(persons, ids)

        if subject is None:
            raw = xy = np.full((len(Landmark), 2), np.nan)
            vis = np.zeros(len(Landmark))
            self._filter.reset()
        else:
            vis = np.asarray(subject.visibility, dtype=float)
            raw = np.array(subject.xy, dtype=float)
            raw[vis < MIN_VISIBILITY] = np.nan
            xy = self._filter(raw, t)
            s.frames_with_subject += 1
            if dt is not None and dt <= MAX_FRAME_GAP_S:
                s.time_in_view_s += dt
        self._push(xy, vis, t, frame_no)

        window = PoseSequence(
            xy=np.stack(s.xy),
            visibility=np.stack(s.vis),
            t_s=np.asarray(s.t),
            frame_size=(w, h),
            frame_index=np.asarray(s.frame),
            source="webcam",
        )
        view, values, flags = self._measure(window)
        s.views[view] += 1
        for name, v in values.items():
            s.values.setdefault(name, []).append(v)
        for f in flags:
            s.flags[(f.rule, f.side, round(f.start_s, 3))] = f
        observe = getattr(self._counter, "observe", None)
        if observe is not None:
            observe(window, self._labels, azimuth_deg=self._azimuth)
        observe_raw = getattr(self._counter, "observe_raw", None)
        if observe_raw is not None:
            observe_raw(raw)
        new_events = self._counter.update(t, values)
        self._record_events(new_events)
        new_events = new_events + self._flag_onsets(flags)

        feet = subject is not None and bool(np.all(vis[list(FEET)] >= MIN_VISIBILITY))
        cue, needs_action = self._cue(subject is not None, feet, view, flags)
        counters = {
            "frames": s.frames,
            "frames_with_subject": s.frames_with_subject,
            "time_in_view_s": round(s.time_in_view_s, 2),
            **self._counter.state(),
        }
        state = LiveState(
            t_s=t,
            subject_found=subject is not None,
            feet_visible=feet,
            view=view,
            values=values,
            counters=counters,
            cue=cue,
            needs_action=needs_action,
            flags=tuple(flags),
            events=tuple(new_events),
        )
        others = [p.xy for p in persons if p is not subject]
        out = annotate_frame(
            image,
            subject_xy=xy if subject is not None else None,
            values=values,
            t_s=t,
            view=view,
            active_flags=flags,
            others_xy=others,
        )
        out = draw_status_bar(out, cue, _counter_text(counters), needs_action=needs_action)
        self._last_state = state
        return out, state

    def _estimate(self, image: np.ndarray, t: float, size: tuple[int, int]) -> list[PersonPose]:
        if self._estimator is None:
            self._estimator = self._estimator_factory()
        w, h = size
        scale = INFERENCE_MAX_SIDE / max(w, h)
        small = image
        if scale < 1.0:
            small = cv2.resize(image, (round(w * scale), round(h * scale)), cv2.INTER_AREA)
        return self._estimator.process(small, t, out_size=size)

    def _choose_subject(self, persons: list[PersonPose], ids: list[int]) -> PersonPose | None:
        s = self._s
        if not persons:
            return None
        if s.subject_track in ids:
            return persons[ids.index(s.subject_track)]
        k = int(np.argmax([p.body_size_px for p in persons]))
        if s.subject_track is not None:
            s.subject_changes += 1
        s.subject_track = ids[k]
        self._filter.reset()
        return persons[k]

    def _push(self, xy: np.ndarray, vis: np.ndarray, t: float, frame: int) -> None:
        s = self._s
        s.xy.append(xy)
        s.vis.append(vis)
        s.t.append(t)
        s.frame.append(frame)
        while s.t and t - s.t[0] > WINDOW_S:
            s.xy.popleft()
            s.vis.popleft()
            s.t.popleft()
            s.frame.popleft()

    def _record_events(self, events: list[dict[str, Any]]) -> None:
        """Add the counter's events to the session; a ``hold_cancel`` withdraws the
        ``hold_start`` it cancels (a walk, not a hold: see :class:`BalanceLiveCounter`)."""
        for e in events:
            if e.get("type") == "hold_cancel":
                for k in range(len(self._s.events) - 1, -1, -1):
                    old = self._s.events[k]
                    if (
                        old.get("type") == "hold_start"
                        and old.get("side") == e.get("side")
                        and old.get("t_s") == e.get("t_s")
                    ):
                        del self._s.events[k]
                        break
                continue
            self._s.events.append(e)

    def _flag_onsets(self, flags: list[Flag]) -> list[dict[str, Any]]:
        """A ``flag`` event for each rule (and side) crossed now but not at the last frame."""
        s = self._s
        active = {(f.rule, f.side) for f in flags}
        onsets = [
            {"type": "flag", "t_s": f.start_s, **f.to_dict()}
            for f in flags
            if (f.rule, f.side) not in s.active_rules
        ]
        s.active_rules = active
        return onsets

    def _measure(self, window: PoseSequence) -> tuple[str, dict[str, float], list[Flag]]:
        """View, measures and crossed rules at the window's last frame."""
        if not np.isfinite(window.xy[-1]).any():
            self._labels = np.full(len(window), "unknown")
            self._azimuth = np.full(len(window), np.nan)
            return "unknown", {}, []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degraded-data warnings are per clip, not per frame
            # estimated once a frame: the view labels and the calf-raise counter share it
            self._azimuth = estimate_azimuth_deg(window)
            labels = classify_frames(window, azimuth_deg=self._azimuth)
            self._labels = labels
            # gated by the off-axis angle as offline (gaitlab.signals.chain.measure_pose)
            signals = compute_signals(
                window,
                view_per_frame=labels,
                off_axis_deg=off_axis_deg(self._azimuth),
                roll_deg=0.0,
            )
            flags = evaluate_rules(
                self.task, window, signals, labels, self._thresholds, sex=self.sex
            )
        t = window.t_s[-1]
        values = {
            name: float(arr[-1]) for name, arr in signals.values.items() if np.isfinite(arr[-1])
        }
        active = [f for f in flags if f.end_s >= t - 1e-9]
        return str(labels[-1]), values, active

    def _cue(self, found: bool, feet: bool, view: str, flags: list[Flag]) -> tuple[str, bool]:
        if not found:
            return MESSAGES["nobody"], True
        if not feet:
            return MESSAGES["feet"], True
        if view in SAGITTAL_VIEWS:
            return MESSAGES[f"{self.task}-view"], True
        for f in flags:
            if f.rule in RULE_CUES:
                return RULE_CUES[f.rule].format(side=f.side or "").replace("  ", " "), False
        cue = self._counter.state().get("cue")
        return (str(cue) if cue else MESSAGES[self.task]), False

    def finish(self) -> list[dict[str, Any]]:
        """End the session's counting: the counter's ``finish()`` (a hold still running
        ends, reason ``end_of_data``; a rep still settling is reported). Returns those
        events, which are also added to :meth:`summary`. Call once, when the stream stops."""
        with self._lock:
            finish = getattr(self._counter, "finish", None)
            events = list(finish()) if finish is not None else []
            self._record_events(events)
            return events

    # -- read-outs ----------------------------------------------------------------------------
    def snapshot(self) -> LiveState | None:
        """The state of the last processed frame (None before the first frame)."""
        with self._lock:
            return self._last_state

    def summary(self) -> dict[str, Any]:
        """The session so far: counts, time in view, views, each measure's range, the
        threshold rules crossed (one entry per sustained run) and the counter's events."""
        with self._lock:
            s = self._s
            known = {v: n for v, n in s.views.items() if v != "unknown"}
            measures = {
                name: {
                    "min": round(float(np.min(v)), 2),
                    "max": round(float(np.max(v)), 2),
                    "mean": round(float(np.mean(v)), 2),
                    "frames": len(v),
                }
                for name, v in sorted(s.values.items())
            }
            return {
                "task": self.task,
                "duration_s": round(s.last_t or 0.0, 2),
                "frames": s.frames,
                "frames_with_subject": s.frames_with_subject,
                "detected_fraction": round(s.frames_with_subject / s.frames, 4)
                if s.frames
                else 0.0,
                "time_in_view_s": round(s.time_in_view_s, 2),
                "view": max(known, key=known.__getitem__) if known else "unknown",
                "frontal_fraction": round(
                    sum(n for v, n in s.views.items() if v in FRONTAL_VIEWS) / s.frames, 4
                )
                if s.frames
                else 0.0,
                "subject_changes": s.subject_changes,
                "timestamps_adjusted": s.timestamps_adjusted,
                "height_cm": self.height_cm,
                "measures": measures,
                "flags": [f.to_dict() for f in s.flags.values()],
                "events": list(s.events),
                "counter": self._counter.state(),
            }


def _counter_text(counters: dict[str, Any]) -> str:
    parts = []
    if "reps" in counters:
        parts.append(f"reps {counters['reps']}")
    if "holds" in counters:
        parts.append(f"holds {counters['holds']}")
    if "hold_s" in counters:
        parts.append(f"hold {counters['hold_s']:.1f} s")
    if counters.get("phase"):
        parts.append(str(counters["phase"]))
    parts.append(f"in view {counters['time_in_view_s']:.1f} s")
    return "  |  ".join(parts)


def draw_status_bar(
    image: np.ndarray, cue: str, counters: str, *, needs_action: bool
) -> np.ndarray:
    """Append a solid two-line bar below the frame: the cue, then the counters.

    Below, not over, the picture: the feet are at the bottom of a well-framed shot. Green
    when the person can carry on, amber when the set-up needs fixing first. Text that does
    not fit the width is cut with "..". Returns a new image, taller by an even number of
    rows (video encoders want even sizes).
    """
    h, w = image.shape[:2]
    style = Style.for_frame(w, h)
    bar_h = 2 * style.line_height + 8
    bar_h += bar_h % 2
    bar = np.empty((bar_h, w, 3), dtype=np.uint8)
    bar[:] = ACTION_COLOUR if needs_action else OK_COLOUR
    font = cv2.FONT_HERSHEY_SIMPLEX
    for i, text in enumerate((hershey_text(cue), hershey_text(counters))):
        fitted = text
        while fitted and cv2.getTextSize(fitted + "..", font, style.font_scale, 1)[0][0] > w - 20:
            fitted = fitted[:-1]
        if fitted != text:
            fitted = fitted.rstrip() + ".."
        y = 4 + style.line_height * (i + 1) - style.line_height // 4
        cv2.putText(bar, fitted, (10, y), font, style.font_scale, (255, 255, 255), 1, cv2.LINE_AA)
    return np.concatenate([image, bar], axis=0)
