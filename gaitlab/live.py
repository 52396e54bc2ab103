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

Counting (reps, holds) is a pluggable :class:`~gaitlab.tasks.live_counters.Counter` per task
(:func:`~gaitlab.tasks.live_counters.counter_for`: the file pipeline's own rep counter and hold
detector behind one protocol); the words said to the person are
:mod:`gaitlab.tasks.live_cues`; the picture is drawn by :mod:`gaitlab.render` (skeleton and
measures by :func:`~gaitlab.render.overlay.annotate_frame`, the cue and counters by
:func:`~gaitlab.render.status.draw_status_bar`).

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
from typing import Any

import cv2
import numpy as np

from gaitlab.core.errors import GaitlabError
from gaitlab.core.landmarks import Landmark
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.core.types import Flag, PoseSequence
from gaitlab.pose import MediaPipePose, PersonPose, PoseEstimator, Tracker
from gaitlab.render.overlay import annotate_frame
from gaitlab.render.status import counter_text, draw_status_bar
from gaitlab.rules.sustained import evaluate_rules
from gaitlab.signals.clean import OneEuroFilter
from gaitlab.signals.measures import compute_signals
from gaitlab.signals.plausibility import gate_signals
from gaitlab.signals.view import (
    FRONTAL_VIEWS,
    classify_frames,
    estimate_azimuth_deg,
    off_axis_deg,
)
from gaitlab.tasks.live_counters import FEET, Counter, counter_for
from gaitlab.tasks.live_cues import choose_cue

__all__ = [
    "LIVE_TASKS",
    "LiveProcessor",
    "LiveState",
    "default_estimator",
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
        :meth:`~gaitlab.tasks.live_counters.Counter.state`.
    cue
        The one message shown to the person now.
    needs_action
        True when the cue asks the person to fix the set-up (nobody / feet / view).
    flags
        Threshold rules crossed at this frame.
    events
        What this frame completed: the counter's events (``rep_end``, ``hold_start`` …, see
        :class:`~gaitlab.tasks.live_counters.Counter`) and a ``flag`` event (the
        :class:`~gaitlab.core.types.Flag` fields) for each rule that starts being crossed at
        this frame (not again while it stays crossed).
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


def default_estimator() -> PoseEstimator:
    """The live pose estimator: MediaPipe BlazePose, following up to two people."""
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
        The task's :class:`~gaitlab.tasks.live_counters.Counter`; default
        :func:`~gaitlab.tasks.live_counters.counter_for` ``(task)``.
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
        self._estimator_factory = estimator_factory or default_estimator
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
        t, dt = self._advance_clock(t_in)
        s.frames += 1

        h, w = image.shape[:2]
        persons = self._estimate(image, t, (w, h))
        ids = self._tracker.update(persons, t)
        subject = self._choose_subject(persons, ids)
        raw, xy, vis = self._subject_landmarks(subject, t, dt)
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
        new_events = self._count(window, raw, t, values)
        new_events = new_events + self._flag_onsets(flags)

        feet = subject is not None and bool(np.all(vis[list(FEET)] >= MIN_VISIBILITY))
        counted = self._counter.state()
        cue, needs_action = choose_cue(
            self.task,
            found=subject is not None,
            feet=feet,
            view=view,
            flags=flags,
            counter_cue=counted.get("cue"),
        )
        counters = {
            "frames": s.frames,
            "frames_with_subject": s.frames_with_subject,
            "time_in_view_s": round(s.time_in_view_s, 2),
            **counted,
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
        out = draw_status_bar(out, cue, counter_text(counters), needs_action=needs_action)
        self._last_state = state
        return out, state

    def _advance_clock(self, t_in: float) -> tuple[float, float | None]:
        """The frame's time from the session's first frame (a time that does not increase is
        moved 1 ms after the previous one and counted) and the interval since the previous
        frame (None at the first)."""
        s = self._s
        if s.t0 is None:
            s.t0 = t_in
        t = t_in - s.t0
        if s.last_t is not None and not t > s.last_t:
            t = s.last_t + 1e-3
            s.timestamps_adjusted += 1
        dt = None if s.last_t is None else t - s.last_t
        s.last_t = t
        return t, dt

    def _subject_landmarks(
        self, subject: PersonPose | None, t: float, dt: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The subject's raw (visibility-gated) and filtered landmarks and their visibility;
        all NaN (and the filter restarted) with nobody in view. Counts the time in view."""
        s = self._s
        if subject is None:
            raw = xy = np.full((len(Landmark), 2), np.nan)
            vis = np.zeros(len(Landmark))
            self._filter.reset()
            return raw, xy, vis
        vis = np.asarray(subject.visibility, dtype=float)
        raw = np.array(subject.xy, dtype=float)
        raw[vis < MIN_VISIBILITY] = np.nan
        xy = self._filter(raw, t)
        s.frames_with_subject += 1
        if dt is not None and dt <= MAX_FRAME_GAP_S:
            s.time_in_view_s += dt
        return raw, xy, vis

    def _count(
        self, window: PoseSequence, raw: np.ndarray, t: float, values: dict[str, float]
    ) -> list[dict[str, Any]]:
        """Feed the task's counter this frame (``observe`` / ``observe_raw`` as in
        :class:`~gaitlab.tasks.live_counters.Counter`); its new events, which are also added
        to the session."""
        observe = getattr(self._counter, "observe", None)
        if observe is not None:
            observe(window, self._labels, azimuth_deg=self._azimuth)
        observe_raw = getattr(self._counter, "observe_raw", None)
        if observe_raw is not None:
            observe_raw(raw)
        new_events = self._counter.update(t, values)
        self._record_events(new_events)
        return new_events

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
        ``hold_start`` it cancels (a walk, not a hold: see
        :class:`~gaitlab.tasks.live_counters.BalanceLiveCounter`)."""
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
            # the task's plausibility bounds, as offline (gaitlab.pipeline)
            gate_signals(signals.values, signals.unavailable, self._thresholds, self.task)
            flags = evaluate_rules(
                self.task, window, signals, labels, self._thresholds, sex=self.sex
            )
        t = window.t_s[-1]
        values = {
            name: float(arr[-1]) for name, arr in signals.values.items() if np.isfinite(arr[-1])
        }
        active = [f for f in flags if f.end_s >= t - 1e-9]
        return str(labels[-1]), values, active

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
