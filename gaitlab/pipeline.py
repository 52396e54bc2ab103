"""The offline pipeline: a video file in, an :class:`Analysis` out, written to a folder.

source → frames → pose (every person) → tracks → subject → clean → view → measures → metrics
and flags → outputs. Pose estimation is the only expensive step; decoding runs in a
background thread so it overlaps inference on the second core.
"""

from __future__ import annotations

import os
import queue
import threading
import warnings as warnings_module
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gaitlab import __version__
from gaitlab.core.errors import GaitlabError, NoSubjectError
from gaitlab.core.thresholds import load_thresholds
from gaitlab.core.types import Event, Flag, PoseSequence, Signals
from gaitlab.io.export import (
    FRAMES_NAME,
    SUMMARY_NAME,
    VIDEO_NAME,
    frames_table,
    staged_output,
    write_json,
)
from gaitlab.io.video import Frame, VideoInfo, VideoReader, VideoWriter, probe
from gaitlab.pose import (
    MediaPipePose,
    PersonPose,
    Track,
    resolve_bundle,
    select_subject,
    track_people,
)
from gaitlab.pose.tracking import NOBODY_MESSAGE, SubjectSelection
from gaitlab.render.overlay import annotate_frame
from gaitlab.rules.sustained import evaluate_rules
from gaitlab.signals.chain import measure_pose
from gaitlab.signals.plausibility import gate_signals
from gaitlab.tasks import TaskContext, TaskResult
from gaitlab.tasks.balance import analyze_balance
from gaitlab.tasks.calf_raise import analyze_calf_raise
from gaitlab.tasks.summary import infer_task, summary_metrics
from gaitlab.tasks.walk import analyze_walk

TASKS = ("walk", "calf-raise", "balance", "auto")

#: Task analyzers by task name (events, reps, phases, task metrics and flags).
ANALYZERS: dict[str, Callable[[TaskContext], TaskResult]] = {
    "walk": analyze_walk,
    "balance": analyze_balance,
    "calf-raise": lambda ctx: analyze_calf_raise(ctx, mode="test" if ctx.heel_rise_test else "set"),
}

#: Frames are downscaled so their longer side is at most this many pixels before inference.
#: BlazePose's detector works at 224×224 and the landmark model at 256×256, so inference
#: gains nothing from 4K input; 960 keeps enough detail for the person-crop step of people
#: who fill only a third of the frame, and coordinates are mapped back to original pixels.
INFERENCE_MAX_SIDE = 960

#: Pose estimation runs in at most this many threads (segments of the video), and only when
#: each gets at least MIN_FRAMES_PER_WORKER frames (below that, the second landmarker's
#: start-up costs more than it saves).
MAX_WORKERS = 2
MIN_FRAMES_PER_WORKER = 60

#: Minimum fraction of frames with the subject detected before a warning is raised.
MIN_DETECTED_FRACTION = 0.5

ProgressFn = Callable[[str, int, int], None]


class AnalysisCancelled(Exception):
    """The run was stopped through its ``cancel`` event (Ctrl-C); nothing was written."""


def _stop_if_cancelled(cancel: threading.Event | None) -> None:
    """Raise :class:`AnalysisCancelled` once ``cancel`` is set (checked between frames)."""
    if cancel is not None and cancel.is_set():
        raise AnalysisCancelled


@dataclass(frozen=True)
class AnalyzeOptions:
    """What the user asked for (CLI flags / app widgets)."""

    task: str = "auto"
    subject: str = "auto"  # "auto", "largest" or a track id
    height_cm: float | None = None
    sex: str | None = None
    age_years: float | None = None
    body_mass_kg: float | None = None
    heel_rise_test: bool = False
    write_video: bool = True
    max_side: int = INFERENCE_MAX_SIDE
    num_poses: int = 4

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise GaitlabError(f"unknown task {self.task!r}: choose one of {', '.join(TASKS)}")
        if self.height_cm is not None and not 50 <= self.height_cm <= 250:
            raise GaitlabError(f"height {self.height_cm} cm is not plausible (expected 50–250 cm)")
        if self.age_years is not None and not 3 <= self.age_years <= 120:
            raise GaitlabError(f"age {self.age_years} is not plausible (expected 3–120 years)")
        if self.body_mass_kg is not None and not 10 <= self.body_mass_kg <= 400:
            raise GaitlabError(f"body mass {self.body_mass_kg} kg is not plausible (10–400 kg)")
        if self.sex not in (None, "female", "male"):
            raise GaitlabError(f"sex must be 'female' or 'male', got {self.sex!r}")


@dataclass(frozen=True)
class PeopleTrack:
    """Pass 1 result: every person seen in every decoded frame."""

    info: VideoInfo
    persons: list[list[PersonPose]]
    t_s: np.ndarray
    frame_index: np.ndarray
    warnings: list[str]
    bundle_origin: str


@dataclass(frozen=True)
class Analysis:
    """Everything the outputs are made from (pure data; no file handles)."""

    task: str
    info: VideoInfo
    raw: PoseSequence
    pose: PoseSequence
    signals: Signals
    view: str
    view_per_frame: np.ndarray
    view_fractions: dict[str, float]
    view_segments: list[dict[str, Any]]
    quality: dict[str, Any]
    metrics: dict[str, Any]
    events: list[Event]
    flags: list[Flag]
    reps: list[dict[str, Any]] = field(default_factory=list)
    row_track: np.ndarray | None = None  # (T,) subject's track id per frame, -1 = absent
    others: list[list[np.ndarray]] = field(default_factory=list)  # bystanders per frame

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` contract (DESIGN.md)."""
        return {
            "task": self.task,
            "gaitlab_version": __version__,
            "video": self.info.to_dict(),
            "view": self.view,
            "view_fractions": self.view_fractions,
            "view_segments": self.view_segments,
            "quality": self.quality,
            "metrics": self.metrics,
            "unavailable": dict(self.signals.unavailable),
            "events": [e.to_dict() for e in self.events],
            "reps": self.reps,
            "flags": [f.to_dict() for f in self.flags],
        }


def _prefetch(it: Iterator[Frame], depth: int = 8) -> Iterator[Frame]:
    """Run a frame iterator in a background thread (decode overlaps inference)."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def worker() -> None:
        try:
            for item in it:
                if stop.is_set():
                    return
                q.put(item)
        except BaseException as exc:  # re-raised in the consumer thread
            q.put(exc)
            return
        q.put(done)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a worker waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


def _segments(n_frames: int, workers: int) -> list[tuple[int, int | None]]:
    """Split ``[0, n_frames)`` into contiguous ``(start, stop)`` pieces; the last runs to the
    end of the file (``None``) so a frame count that was only estimated loses nothing."""
    if workers <= 1 or n_frames < MIN_FRAMES_PER_WORKER * workers:
        return [(0, None)]
    bounds = [round(i * n_frames / workers) for i in range(workers)]
    return [(b, e) for b, e in zip(bounds, bounds[1:], strict=False)] + [(bounds[-1], None)]


def estimate_people(
    path: str | Path,
    options: AnalyzeOptions,
    progress: ProgressFn | None = None,
    *,
    workers: int | None = None,
    cancel: threading.Event | None = None,
) -> PeopleTrack:
    """Pass 1: decode every frame and run pose estimation on all people in it.

    MediaPipe keeps one core busy, so the video is cut into ``workers`` contiguous segments
    (default: one per core, at most 2), each decoded and posed by its own reader and its own
    landmarker in a thread (both release the GIL). A segment's landmarker starts without
    tracking history, which costs a detection at its first frame and nothing else: identity
    tracking runs afterwards over the joined result. Setting ``cancel`` stops every segment
    before its next frame (:class:`AnalysisCancelled`).
    """
    info = probe(path)
    bundle = resolve_bundle()
    n_workers = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
    segments = _segments(info.frames, n_workers)
    results: list[list[tuple[int, float, list[PersonPose]]]] = [[] for _ in segments]
    reader_warnings: list[list[str]] = [[] for _ in segments]
    done = [0]
    lock = threading.Lock()
    out_size = (info.width, info.height)

    def work(k: int) -> None:
        start, stop = segments[k]
        with (
            VideoReader(path, max_side=options.max_side) as reader,
            MediaPipePose(bundle, num_poses=options.num_poses) as estimator,
        ):
            for frame in reader.frames(start, stop):
                _stop_if_cancelled(cancel)
                persons = estimator.process(frame.image, frame.t_s, out_size=out_size)
                results[k].append((frame.index, frame.t_s, persons))
                if progress is not None:
                    with lock:
                        done[0] += 1
                        progress("pose", done[0], info.frames)
            reader_warnings[k] = list(reader.warnings)

    if len(segments) == 1:
        work(0)
    else:
        with ThreadPoolExecutor(max_workers=len(segments)) as pool:
            for future in [pool.submit(work, k) for k in range(len(segments))]:
                future.result()  # re-raises a worker's error here
    rows = [row for part in results for row in part]
    if not rows:
        raise GaitlabError(f"{Path(path).name}: no frames could be decoded")
    return PeopleTrack(
        info=info,
        persons=[r[2] for r in rows],
        t_s=np.asarray([r[1] for r in rows]),
        frame_index=np.asarray([r[0] for r in rows]),
        warnings=[w for ws in reader_warnings for w in ws],
        bundle_origin=bundle.origin,
    )


def analyze_people(people: PeopleTrack, options: AnalyzeOptions, source: str = "") -> Analysis:
    """The pure part: tracks → subject → clean → view → measures → metrics and flags.

    Warnings raised by the steps (``warnings.warn`` for degraded data, e.g. a camera roll that
    could not be estimated) are collected into ``quality.warnings``, not printed.
    """
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        analysis = _analyze_people(people, options, source)
    extra = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    for message in dict.fromkeys(extra):
        if message not in analysis.quality["warnings"]:
            analysis.quality["warnings"].append(message)
    return analysis


def _analyze_people(people: PeopleTrack, options: AnalyzeOptions, source: str) -> Analysis:
    info = people.info
    tracks = track_people(people.persons, people.t_s, frame_index=people.frame_index)
    selection = _select(tracks, people, options, source)
    raw = selection.pose
    warnings = list(people.warnings) + list(selection.warnings)
    detected_fraction = _detected_fraction(raw, warnings)
    measured = measure_pose(raw)
    pose, view_per_frame, signals = measured.pose, measured.view_per_frame, measured.signals
    view_summary = measured.view
    if measured.swaps.n_frames:
        warnings.append(measured.swaps.message())
    warnings += list(view_summary.warnings)
    task = options.task if options.task != "auto" else infer_task(pose, signals)
    thresholds = load_thresholds()
    gate_signals(signals.values, signals.unavailable, thresholds, task)  # the task's bounds
    flags = evaluate_rules(task, pose, signals, view_per_frame, thresholds, sex=options.sex)
    metrics = summary_metrics(task, pose, signals, view_per_frame, height_cm=options.height_cm)
    for reason in dict.fromkeys(signals.unavailable.values()):  # left/right share a reason
        warnings.append(reason)
    events = _view_change_events(pose, view_summary.segments)
    reps: list[dict[str, Any]] = []
    analyzer = ANALYZERS.get(task)
    if analyzer is not None:
        context = TaskContext(
            pose=pose,
            signals=signals,
            view_per_frame=view_per_frame,
            thresholds=thresholds,
            sex=options.sex,
            height_cm=options.height_cm,
            age_years=options.age_years,
            body_mass_kg=options.body_mass_kg,
            heel_rise_test=options.heel_rise_test,
        )
        result = analyzer(context)
        metrics.update(result.metrics)
        events = sorted(events + result.events, key=lambda e: e.t_s)
        reps = result.reps
        flags = sorted(flags + result.flags, key=lambda f: f.start_s)
        warnings += [w for w in result.warnings if w not in warnings]
        signals = _with_task_signals(signals, result.signals)
    quality = {
        "detected_fraction": round(detected_fraction, 4),
        "persons_seen": selection.persons_seen,
        "subject_track": selection.track_id,
        "subject_rule": options.subject,
        "identity_switches": [asdict(sw) for sw in selection.switches],
        "leg_swaps": measured.swaps.to_dict(),
        "pose_model": people.bundle_origin,
        "warnings": warnings,
    }
    return Analysis(
        task=task,
        info=info,
        raw=raw,
        pose=pose,
        signals=signals,
        view=view_summary.view,
        view_per_frame=view_per_frame,
        view_fractions={k: round(v, 4) for k, v in view_summary.fractions.items()},
        view_segments=[
            {"start_s": round(a, 4), "end_s": round(b, 4), "view": v}
            for a, b, v in view_summary.segments
        ],
        quality=quality,
        metrics=metrics,
        events=events,
        reps=reps,
        flags=flags,
        row_track=selection.row_track,
        others=_others_per_frame(tracks, selection.track_ids, len(pose)),
    )


def _select(
    tracks: list[Track], people: PeopleTrack, options: AnalyzeOptions, source: str
) -> SubjectSelection:
    """The subject by the user's rule (``auto``, ``largest`` or a track id)."""
    rule: str | int = int(options.subject) if options.subject.isdigit() else options.subject
    return select_subject(
        tracks,
        people.t_s,
        (people.info.width, people.info.height),
        rule,
        frame_index=people.frame_index,
        source=source,
    )


def _detected_fraction(raw: PoseSequence, warnings: list[str]) -> float:
    """Share of frames with the subject; nobody at all is an error, too few a warning."""
    detected_fraction = float(raw.detected().mean()) if len(raw) else 0.0
    if detected_fraction == 0.0:
        raise NoSubjectError(NOBODY_MESSAGE)
    if detected_fraction < MIN_DETECTED_FRACTION:
        warnings.append(
            f"the subject was found in only {detected_fraction:.0%} of frames: "
            "keep the whole body in view for the whole recording"
        )
    return detected_fraction


def _with_task_signals(signals: Signals, extra: dict[str, np.ndarray]) -> Signals:
    """The per-frame signals plus those a task analyzer adds (e.g. ``stance_left``)."""
    if not extra:
        return signals
    return Signals(
        t_s=signals.t_s, values={**signals.values, **extra}, unavailable=signals.unavailable
    )


def _frame_at(pose: PoseSequence, t_s: float) -> int:
    return int(pose.frame_index[int(np.argmin(np.abs(pose.t_s - t_s)))])


def _view_change_events(
    pose: PoseSequence, segments: list[tuple[float, float, str]]
) -> list[Event]:
    """A ``view_change`` event where the view changes from one known view to another (a walk
    that turns from the back view to the side); gaps with nobody in view are not changes."""
    events = []
    previous = None
    for start, _end, view in segments:
        if view == "unknown":
            continue
        if previous is not None and view != previous:
            events.append(
                Event(type=f"view_change_to_{view}", t_s=start, frame=_frame_at(pose, start))
            )
        previous = view
    return events


def _others_per_frame(
    tracks: list[Track], subject_ids: tuple[int, ...], n: int
) -> list[list[np.ndarray]]:
    """Bystanders' landmarks per row, drawn faintly so the reviewer sees who was not chosen."""
    others: list[list[np.ndarray]] = [[] for _ in range(n)]
    for track in tracks:
        if track.track_id in subject_ids:
            continue
        for row, person in zip(track.rows, track.persons, strict=True):
            others[int(row)].append(person.xy)
    return others


def render_video(
    analysis: Analysis,
    video_path: str | Path,
    out_path: Path,
    *,
    max_side: int = INFERENCE_MAX_SIDE,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Pass 2: decode again, draw the overlay and encode H.264 for the browser."""
    pose = analysis.pose
    row_of = {int(f): i for i, f in enumerate(pose.frame_index)}
    names = list(analysis.signals.values)
    table = np.stack([analysis.signals.values[n] for n in names], axis=1) if names else None
    writer: VideoWriter | None = None
    try:
        with VideoReader(video_path, max_side=max_side) as reader:
            for frame in _prefetch(iter(reader)):
                _stop_if_cancelled(cancel)
                row = row_of.get(frame.index)
                if row is None:
                    continue
                if writer is None:
                    h, w = frame.image.shape[:2]
                    writer = VideoWriter(out_path, w, h, analysis.info.fps)
                values = (
                    dict(zip(names, table[row].tolist(), strict=True)) if table is not None else {}
                )
                t = float(pose.t_s[row])
                active = [f for f in analysis.flags if f.start_s - 1e-6 <= t <= f.end_s + 1e-6]
                image = annotate_frame(
                    frame.image,
                    subject_xy=pose.xy[row],
                    values=values,
                    t_s=t,
                    view=str(analysis.view_per_frame[row]),
                    active_flags=active,
                    others_xy=analysis.others[row] if analysis.others else (),
                    scale=frame.scale,
                )
                writer.write(image, t_s=t)
                if progress is not None:
                    progress("video", row + 1, len(pose))
    finally:
        if writer is not None:
            writer.close()


def write_outputs(
    analysis: Analysis,
    video_path: str | Path,
    out_dir: str | Path,
    *,
    write_video: bool = True,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Path]:
    """Write summary.json, frames.csv and (optionally) annotated.mp4 atomically into out_dir;
    once ``cancel`` is set nothing reaches out_dir (:class:`AnalysisCancelled`)."""
    out_dir = Path(out_dir)
    with staged_output(out_dir) as stage:
        frames_table(
            analysis.pose, analysis.signals, analysis.view_per_frame, analysis.row_track
        ).to_csv(stage / FRAMES_NAME, index=False)
        if write_video:
            render_video(analysis, video_path, stage / VIDEO_NAME, progress=progress, cancel=cancel)
        write_json(stage / SUMMARY_NAME, analysis.summary())
        _stop_if_cancelled(cancel)
    written = {"summary": out_dir / SUMMARY_NAME, "frames": out_dir / FRAMES_NAME}
    if write_video:
        written["video"] = out_dir / VIDEO_NAME
    return written


def analyze_video(
    path: str | Path,
    out_dir: str | Path | None = None,
    options: AnalyzeOptions | None = None,
    progress: ProgressFn | None = None,
    *,
    cancel: threading.Event | None = None,
) -> Analysis:
    """Analyse one video file; with ``out_dir``, also write the output contract files.

    ``cancel`` (set from another thread or a signal handler) stops the run between frames
    with :class:`AnalysisCancelled`, leaving nothing in ``out_dir``.
    """
    options = options or AnalyzeOptions()
    people = estimate_people(path, options, progress, cancel=cancel)
    _stop_if_cancelled(cancel)
    analysis = analyze_people(people, options, source=str(path))
    _stop_if_cancelled(cancel)
    if out_dir is not None:
        write_outputs(
            analysis,
            path,
            out_dir,
            write_video=options.write_video,
            progress=progress,
            cancel=cancel,
        )
    return analysis
