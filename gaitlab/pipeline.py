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
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from gaitlab import __version__
from gaitlab.core.errors import GaitlabError, NoSubjectError, OutputError, VideoError, os_reason
from gaitlab.core.thresholds import load_thresholds
from gaitlab.core.types import Event, Flag, PoseSequence, Signals
from gaitlab.io.export import (
    FRAMES_NAME,
    STEPS_NAME,
    SUMMARY_NAME,
    VIDEO_NAME,
    frames_table,
    staged_output,
    steps_table,
    write_json,
)
from gaitlab.io.sampling import sample_pictures
from gaitlab.io.video import Frame, VideoInfo, VideoReader, VideoWriter, probe
from gaitlab.pose import (
    FollowSubject,
    MediaPipePose,
    PersonPose,
    Track,
    resolve_bundle,
    select_subject,
    track_people,
    unfollowed_fraction,
)
from gaitlab.pose.orientation import N_SAMPLES, pose_samples, upright_turn
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

#: With the subject followed between looks at everybody, the video is posed again finding
#: everybody in every frame when the person chosen in the end was not followed in more than
#: this fraction of the frames (they were seen only at the looks, every half second): 2 %
#: is a few frames of a walk, about what a missed detection costs anyway.
MAX_UNFOLLOWED_FRACTION = 0.02

#: Minimum fraction of frames with the subject detected before a warning is raised.
MIN_DETECTED_FRACTION = 0.5

#: A clip shorter than this is refused before anything is measured: one step at an ordinary
#: cadence (100–120 steps/min) takes 0.5–0.6 s, and no step, rep or hold fits in less.
MIN_CLIP_S = 0.5
#: ... or with fewer frames than this: the signal filters need about ten samples to run
#: (zero-phase filtering pads each end with up to 9 samples, signals.clean).
MIN_CLIP_FRAMES = 10

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
    turn_deg: int | None = None  # clockwise turn to make the picture upright; None: find it

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
        if self.turn_deg not in (None, 0, 90, 180, 270):
            raise GaitlabError(f"turn must be 0, 90, 180 or 270 degrees, got {self.turn_deg!r}")


@dataclass(frozen=True)
class PeopleTrack:
    """Pass 1 result: every person seen in every decoded frame."""

    info: VideoInfo
    persons: list[list[PersonPose]]
    t_s: np.ndarray
    frame_index: np.ndarray
    warnings: list[str]
    bundle_origin: str
    #: Times (s) where the file joins recordings end to end (the clock started again there):
    #: the picture changes at once, so the subject is followed across by size, not place.
    joins_s: tuple[float, ...] = ()


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
    steps: list[dict[str, Any]] = field(default_factory=list)  # the walk's step table
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
            "steps": self.steps,
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


# --------------------------------------------------------------------------------------
# pre-analysis: what the video is, before and after every frame is posed


def prepare_video(
    path: str | Path, options: AnalyzeOptions, cancel: threading.Event | None = None
) -> tuple[VideoInfo, list[str]]:
    """Probe the video, refuse one too short to measure, and find which way up it is.

    Returns the video as it will be analysed (turned upright, :meth:`VideoInfo.turned`)
    and the warnings for ``quality.warnings``. The turn is ``options.turn_deg`` when given,
    else found from the people in a few sample frames (:mod:`gaitlab.pose.orientation`).

    Raises
    ------
    VideoError
        A bad file (see :func:`~gaitlab.io.video.probe`) or one too short to analyse.
    """
    info = probe(path)
    if _too_short(info.frames, info.duration_s):
        # a container's count can be short (no frame count, damaged times): count for real
        refuse_too_short(Path(path).name, *_decoded_length(path))
    if options.turn_deg is not None:
        return info.turned(options.turn_deg), []
    with (
        VideoReader(path, max_side=options.max_side) as reader,
        MediaPipePose(resolve_bundle(), num_poses=1) as estimator,
    ):
        pictures = sample_pictures(reader, N_SAMPLES)
        _stop_if_cancelled(cancel)
        orientation = upright_turn(pose_samples(pictures, estimator))
    message = orientation.message()
    return info.turned(orientation.turn_deg), [message] if message else []


def _too_short(frames: int, duration_s: float) -> bool:
    return frames < MIN_CLIP_FRAMES or duration_s < MIN_CLIP_S


def _decoded_length(path: str | Path) -> tuple[int, float]:
    """Frames decoded and their duration, counted until the clip is long enough."""
    frames, step, last_s = 0, 0.0, 0.0
    with VideoReader(path, max_side=64) as reader:  # tiny pictures: only the count matters
        for frame in reader:
            frames, step, last_s = frames + 1, frame.t_s - last_s, frame.t_s
            if not _too_short(frames, last_s + step):
                break
    return frames, last_s + (step or 1.0 / max(reader.info.fps, 1.0))


def refuse_too_short(name: str, frames: int, duration_s: float) -> None:
    """Raise :class:`VideoError` for a clip with too few frames or seconds to measure."""
    if _too_short(frames, duration_s):
        raise VideoError(
            f"{name} is too short to analyse ({frames} frame(s), {duration_s:.2f} s): "
            f"record at least {MIN_CLIP_S:g} s and {MIN_CLIP_FRAMES} frames of the movement"
        )


def _analysed_length(people: PeopleTrack) -> tuple[int, float, float]:
    """Frames posed, their duration and the median step between them."""
    t_s = np.asarray(people.t_s, dtype=float)
    step = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 1.0 / max(people.info.fps, 1.0)
    return len(t_s), float(t_s[-1] - t_s[0]) + step if len(t_s) else 0.0, step


def as_analysed(people: PeopleTrack) -> PeopleTrack:
    """``people`` with its ``video`` frame count and duration those of the frames actually
    decoded and posed (a container's own count can be wrong: joined recordings, damaged
    timestamps, a truncated file)."""
    frames, duration, step = _analysed_length(people)
    info = people.info
    if frames == info.frames and abs(duration - info.duration_s) <= step:
        return people
    return replace(people, info=replace(info, frames=frames, duration_s=round(duration, 6)))


def refuse_too_few_posed(people: PeopleTrack) -> None:
    """Refuse a file whose container promised more frames than decoded (checked after pose
    estimation; a live session that was stopped early is analysed as it is)."""
    frames, duration, _ = _analysed_length(people)
    refuse_too_short(Path(people.info.path).name or "the video", frames, duration)


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
    follow: bool = False,
) -> PeopleTrack:
    """Pass 1: decode every frame and find the people in it.

    By default everybody is posed in every frame. ``follow=True`` (with the ``auto`` subject
    rule) follows the likely subject in every frame and looks for everybody every half second
    (:class:`~gaitlab.pose.follow.FollowSubject`), which saves posing bystanders in every
    frame (on the multi-person sample about a fifth of the pose time; nothing with one person
    in view). It is not the default: its landmarks differ from a frame-by-frame run by about
    1.5 px (median, 0.5 % of body height), which on walk_side_turn_older_adult moved the
    cadence from 113.7 to 118.1 steps/min and the first heel strike by 2.4 frames. Should
    the person chosen in the end have gone unfollowed in more than
    :data:`MAX_UNFOLLOWED_FRACTION` of the frames (somebody else was followed while they
    were in view), the video is posed again frame by frame.

    MediaPipe keeps one core busy, so the video is cut into ``workers`` contiguous segments
    (default: one per core, at most 2), each decoded and posed by its own reader and its own
    landmarker in a thread (both release the GIL). A segment's landmarker starts without
    tracking history, which costs a detection at its first frame and nothing else: identity
    tracking runs afterwards over the joined result. Setting ``cancel`` stops every segment
    before its next frame (:class:`AnalysisCancelled`).
    """
    info, notes = prepare_video(path, options, cancel)  # pre-analysis: length, which way up
    follow = follow and options.subject == "auto" and options.num_poses > 1
    people = _estimate(path, info, notes, options, progress, workers, cancel, follow=follow)
    if follow and unfollowed_fraction(people.persons, people.t_s) > MAX_UNFOLLOWED_FRACTION:
        people = _estimate(path, info, notes, options, progress, workers, cancel, follow=False)
    return people


def _estimate(
    path: str | Path,
    info: VideoInfo,
    notes: list[str],
    options: AnalyzeOptions,
    progress: ProgressFn | None,
    workers: int | None,
    cancel: threading.Event | None,
    *,
    follow: bool,
) -> PeopleTrack:
    bundle = resolve_bundle()
    n_workers = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
    segments = _segments(info.frames, n_workers)
    results: list[list[tuple[int, float, list[PersonPose]]]] = [[] for _ in segments]
    reader_warnings: list[list[str]] = [[] for _ in segments]
    joins_s: set[float] = set()
    done = [0]
    lock = threading.Lock()
    out_size = (info.width, info.height)

    def work(k: int) -> None:
        start, stop = segments[k]
        with (
            VideoReader(path, max_side=options.max_side, turn_deg=info.turn_deg) as reader,
            (
                FollowSubject(bundle, num_poses=options.num_poses)
                if follow
                else MediaPipePose(bundle, num_poses=options.num_poses)
            ) as estimator,
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
            with lock:
                joins_s.update(reader.joins_s)

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
        warnings=notes + [w for ws in reader_warnings for w in ws],
        bundle_origin=bundle.origin,
        joins_s=tuple(sorted(joins_s)),
    )


def analyze_people(people: PeopleTrack, options: AnalyzeOptions, source: str = "") -> Analysis:
    """The pure part: tracks → subject → clean → view → measures → metrics and flags.

    Warnings raised by the steps (``warnings.warn`` for degraded data, e.g. a camera roll that
    could not be estimated) are collected into ``quality.warnings``, not printed.
    """
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        analysis = _analyze_people(people, options, source)
        if options.task == "auto" and _unconfirmed_calf_raise(analysis):
            analysis = _analyze_people(people, replace(options, task="balance"), source)
    extra = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    for message in dict.fromkeys(extra):
        if message not in analysis.quality["warnings"]:
            analysis.quality["warnings"].append(message)
    return analysis


def _unconfirmed_calf_raise(analysis: Analysis) -> bool:
    """A guessed calf-raise set in which the counter itself finds fewer than two reps.

    The guess looks at heel heights alone, and a foot held off the floor (a single-leg
    stance) or the stance heel's jitter reads as heel rises; the counter demands the toes
    down and the heel back to its baseline, so a clip it cannot count twice is a balance
    clip (a set of one rep is not told from a single lift of the foot).
    """
    return analysis.task == "calf-raise" and (analysis.metrics.get("reps") or 0) < 2


def _analyze_people(people: PeopleTrack, options: AnalyzeOptions, source: str) -> Analysis:
    people = as_analysed(people)
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
    steps: list[dict[str, Any]] = []
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
            joins_s=tuple(getattr(people, "joins_s", ())),
        )
        result = analyzer(context)
        metrics.update(result.metrics)
        events = sorted(events + result.events, key=lambda e: e.t_s)
        reps = result.reps
        steps = result.steps
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
        steps=steps,
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
        joins_s=getattr(people, "joins_s", ()),
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
        with VideoReader(video_path, max_side=max_side, turn_deg=analysis.info.turn_deg) as reader:
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
    """Write summary.json, frames.csv, steps.csv (a walk with steps) and (optionally)
    annotated.mp4 atomically into out_dir;
    once ``cancel`` is set nothing reaches out_dir (:class:`AnalysisCancelled`)."""
    out_dir = Path(out_dir)
    try:
        with staged_output(out_dir) as stage:
            frames_table(
                analysis.pose, analysis.signals, analysis.view_per_frame, analysis.row_track
            ).to_csv(stage / FRAMES_NAME, index=False)
            if write_video:
                render_video(
                    analysis, video_path, stage / VIDEO_NAME, progress=progress, cancel=cancel
                )
            if analysis.steps:
                steps_table(analysis.steps).to_csv(stage / STEPS_NAME, index=False)
            write_json(stage / SUMMARY_NAME, analysis.summary())
            _stop_if_cancelled(cancel)
    except OSError as err:  # a full disk, a folder made read-only meanwhile: the stage is gone
        raise OutputError(
            f"cannot write the results to {out_dir}: {os_reason(err)}; nothing was written there"
        ) from None
    written = {"summary": out_dir / SUMMARY_NAME, "frames": out_dir / FRAMES_NAME}
    if analysis.steps:
        written["steps"] = out_dir / STEPS_NAME
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
    refuse_too_few_posed(people)
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
