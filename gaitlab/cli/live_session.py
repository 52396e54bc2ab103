"""One ``gaitlab live`` session: a webcam, or a video file played as if it were one, through
the live loop.

Frames come from a source running in its own thread (:mod:`gaitlab.io.sources`: a camera, or a
file released at the pace of its timestamps, as a camera would deliver it), downscaled to at
most :data:`LIVE_MAX_SIDE` pixels (a webcam's 640×480), through a one-frame mailbox
(:class:`~gaitlab.io.sources.LatestFrame`): a frame that arrives before the previous one was
taken replaces it and is *dropped*, as a webcam driver keeps only the newest picture;
``decoded = processed + dropped`` always holds and is reported.

The loop runs :class:`gaitlab.live.LiveProcessor` on each frame it takes, prints what the
person needs (:mod:`gaitlab.cli.live_printer`: a status line, or with ``--json`` one JSON
object per event on stdout) and, with ``--out``, encodes the annotated frames into
``annotated.mp4`` in a background thread (:class:`~gaitlab.io.background_writer.BackgroundWriter`).
When it stops (end of the file or of the camera, ``--max-seconds`` of source time, Ctrl-C, or
the ``--show`` window closed) the counters are finished and, with ``--out``, the frames that
were processed are analysed by the file pipeline's own pure part
(:func:`gaitlab.pipeline.analyze_people` on the persons the pose model found live), so
``summary.json`` and ``frames.csv`` follow the very same contract as ``gaitlab analyze``,
plus a ``live`` block (source, frames decoded / processed / dropped, processing time per
frame, what the live counter counted). Pixel coordinates are those of the processed
(downscaled) frames; ``video.width`` / ``height`` say so. All three files are staged and
moved into place together (:func:`gaitlab.io.export.staged_output`).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import cv2
import numpy as np

from gaitlab.cli.interrupt import cancel_on_signals
from gaitlab.cli.live_printer import LivePrinter
from gaitlab.core.errors import GaitlabError
from gaitlab.io.background_writer import BackgroundWriter
from gaitlab.io.export import (
    FRAMES_NAME,
    SUMMARY_NAME,
    VIDEO_NAME,
    frames_table,
    staged_output,
    write_json,
)
from gaitlab.io.sources import CameraSource, Clock, FileSource, LatestFrame, MonotonicClock
from gaitlab.live import LIVE_TASKS, LiveProcessor, default_estimator
from gaitlab.pipeline import AnalyzeOptions, PeopleTrack, analyze_people
from gaitlab.pose import PersonPose, PoseEstimator

__all__ = ["LIVE_MAX_SIDE", "LiveOptions", "LiveRun", "run_live"]


#: Longer side (pixels) frames are downscaled to: what a webcam delivers (640×480), and what
#: the latency target of the live loop is set for.
LIVE_MAX_SIDE = 640

WINDOW_NAME = "gaitlab live"


@dataclass(frozen=True)
class LiveOptions:
    """What ``gaitlab live`` was asked to do (one of ``camera`` / ``source``)."""

    task: str
    camera: int | None = None
    source: Path | None = None
    json_lines: bool = False
    out_dir: Path | None = None
    show: bool = False
    height_cm: float | None = None
    sex: str | None = None
    max_seconds: float | None = None
    max_side: int = LIVE_MAX_SIDE

    def __post_init__(self) -> None:
        if self.task not in LIVE_TASKS:
            raise GaitlabError(f"live mode supports {', '.join(LIVE_TASKS)}, not {self.task!r}")
        if (self.camera is None) == (self.source is None):
            raise GaitlabError("give either --camera N or --source FILE")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise GaitlabError(f"--max-seconds must be positive, got {self.max_seconds:g}")
        if self.height_cm is not None and not 50 <= self.height_cm <= 250:
            raise GaitlabError(f"height {self.height_cm} cm is not plausible (expected 50–250 cm)")


# -- pose recording -------------------------------------------------------------------------------
class _Recorder:
    """Wraps the session's pose estimator and keeps every person it returns per frame, so
    the processed frames can be analysed by the file pipeline when the session ends."""

    def __init__(self, inner: PoseEstimator) -> None:
        self.inner = inner
        self.persons: list[list[PersonPose]] = []
        self.t_s: list[float] = []

    def process(
        self, image_rgb: np.ndarray, t_s: float, *, out_size: tuple[int, int]
    ) -> list[PersonPose]:
        persons = self.inner.process(image_rgb, t_s, out_size=out_size)
        self.persons.append(list(persons))
        self.t_s.append(float(t_s))
        return persons

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the run --------------------------------------------------------------------------------------
@dataclass
class LiveRun:
    """What one ``gaitlab live`` session did.

    ``decoded`` frames came from the source; ``processed`` went through the live loop;
    ``dropped`` were replaced by a newer frame before the loop could take them (or were
    waiting when it stopped): ``decoded == processed + dropped``. ``stopped``:
    ``end_of_source``, ``max_seconds``, ``interrupted`` or ``window_closed``.
    """

    source: str
    task: str
    decoded: int = 0
    processed: int = 0
    dropped: int = 0
    stopped: str = ""
    wall_s: float = 0.0
    last_t_s: float = 0.0
    frame_size: tuple[int, int] | None = None  # (width, height) of the processed frames
    processing_ms: list[float] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    counter: dict[str, Any] = field(default_factory=dict)
    analysis: Any = None  # the offline-contract Analysis written with --out (for the history)
    written: dict[str, Path] = field(default_factory=dict)

    def processing_stats(self) -> dict[str, float | None]:
        """p50 / p95 / max processing time per frame (ms) and the rate it allows."""
        ms = np.asarray(self.processing_ms)
        if not ms.size:
            return {"p50_ms": None, "p95_ms": None, "max_ms": None, "frames_per_s": None}
        p50, p95, mx = np.percentile(ms, [50, 95, 100])
        return {
            "p50_ms": round(float(p50), 1),
            "p95_ms": round(float(p95), 1),
            "max_ms": round(float(mx), 1),
            "frames_per_s": round(1000.0 / float(ms.mean()), 1),
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``live`` block of summary.json and the ``session_end`` JSON line."""
        return {
            "source": self.source,
            "task": self.task,
            "stopped": self.stopped,
            "realtime": True,
            "decoded_frames": self.decoded,
            "processed_frames": self.processed,
            "dropped_frames": self.dropped,
            "duration_s": round(self.last_t_s, 3),
            "wall_s": round(self.wall_s, 3),
            "processing": self.processing_stats(),
            "counter": self.counter,
        }


def _display_available() -> bool:
    """Whether a window can be opened: a Wayland display, or an X display whose local socket
    exists (a remote ``host:N`` display is trusted as given)."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("WAYLAND_DISPLAY"):
        return True
    display = os.environ.get("DISPLAY", "")
    if not display:
        return False
    host, _, rest = display.rpartition(":")
    if host not in ("", "unix"):
        return True
    number = rest.split(".")[0]
    return number.isdigit() and Path(f"/tmp/.X11-unix/X{number}").exists()


def _check_display() -> None:
    """``--show`` without a screen would make Qt abort the whole process: refuse first."""
    if not _display_available():
        raise GaitlabError(
            "--show needs a screen and none was found (no usable DISPLAY): "
            "run without --show to follow the session as text"
        )


def _open_source(options: LiveOptions, clock: Clock) -> FileSource | CameraSource:
    if options.source is not None:
        return FileSource(
            options.source, max_side=options.max_side, max_seconds=options.max_seconds, clock=clock
        )
    assert options.camera is not None
    return CameraSource(options.camera, max_side=options.max_side, max_seconds=options.max_seconds)


def run_live(
    options: LiveOptions,
    *,
    out: TextIO | None = None,
    estimator_factory: Callable[[], PoseEstimator] | None = None,
    clock: Clock | None = None,
) -> LiveRun:
    """Run one live session (module docstring); returns what it did.

    ``out`` receives the status lines / JSON lines (default stdout).
    ``estimator_factory`` replaces the MediaPipe model (tests); it is called once, before
    the source starts, so loading a model does not count as falling behind. ``clock``
    (default the monotonic clock) paces a file and times the session (``wall_s``); a camera
    keeps its own time.
    """
    clock = clock or MonotonicClock()
    out = out or sys.stdout
    if options.show:
        _check_display()
    # Refused before anything opens: a bad height must not cost a camera session.
    analyze_options = AnalyzeOptions(
        task=options.task,
        height_cm=options.height_cm,
        sex=options.sex,
        write_video=False,
        num_poses=2,
    )
    source = _open_source(options, clock)
    try:
        recorder = _Recorder((estimator_factory or default_estimator)())
        proc = LiveProcessor(
            options.task,
            estimator_factory=lambda: recorder,
            height_cm=options.height_cm,
            sex=options.sex,
        )
        run = LiveRun(source=source.label, task=options.task)
        printer = LivePrinter(out, options.json_lines)
        staging = staged_output(options.out_dir) if options.out_dir else nullcontext(None)
        with staging as stage:
            writer = BackgroundWriter(stage / VIDEO_NAME, source.fps) if stage else None
            try:
                frame_index = _loop(source, proc, run, printer, writer, options.show, clock)
                for e in proc.finish():
                    run.events.append(e)
                    printer.event(e, run.last_t_s)
                run.counter = proc.summary()["counter"]
                printer.end()
                if options.json_lines:
                    printer.json({"type": "session_end", **run.to_dict()})
                else:
                    printer.text(_session_line(run))
                if writer is not None:
                    writer.close()
            except BaseException:
                if writer is not None:
                    writer.abort()
                raise
            finally:
                proc.close()
            if stage is not None:
                _write_results(stage, source, recorder, frame_index, analyze_options, run, proc)
    finally:
        source.close()
    if options.out_dir is not None:
        run.written = {
            name: Path(options.out_dir) / name for name in (SUMMARY_NAME, FRAMES_NAME, VIDEO_NAME)
        }
    return run


def _loop(
    source: FileSource | CameraSource,
    proc: LiveProcessor,
    run: LiveRun,
    printer: LivePrinter,
    writer: BackgroundWriter | None,
    show: bool,
    clock: Clock,
) -> list[int]:
    """Take frames until the source ends or a stop; returns the processed frames' numbers."""
    mailbox = LatestFrame()
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(mailbox, stop), daemon=True)
    frame_index: list[int] = []
    wall0 = clock.now()
    with cancel_on_signals(stop):  # Ctrl-C: a clean stop that still writes the outputs
        thread.start()
        try:
            while not stop.is_set():
                frame = mailbox.take(0.1)
                if frame is None:
                    if mailbox.finished:
                        break
                    continue
                t0 = time.perf_counter()
                image, state = proc.process(frame.image, frame.t_s, frame=frame.index)
                run.processing_ms.append(1000.0 * (time.perf_counter() - t0))
                frame_index.append(frame.index)
                run.last_t_s = state.t_s
                run.frame_size = (frame.image.shape[1], frame.image.shape[0])
                for e in state.events:
                    run.events.append(e)
                    printer.event(e, state.t_s)
                printer.status(state)
                if writer is not None:
                    writer.write(image, state.t_s)
                if show and _show(image):
                    run.stopped = "window_closed"
                    break
        finally:
            interrupted = stop.is_set() and not run.stopped
            stop.set()
            thread.join(timeout=5.0)
            mailbox.discard()
            if show:
                cv2.destroyAllWindows()
    if source.error is not None:
        if isinstance(source.error, GaitlabError) and frame_index:
            printer.warning(str(source.error))  # keep what was recorded
        else:
            raise source.error
    run.wall_s = clock.now() - wall0
    run.decoded, run.dropped, run.processed = mailbox.delivered, mailbox.dropped, len(frame_index)
    if not run.stopped:
        run.stopped = "interrupted" if interrupted else source.stop_reason or "end_of_source"
    return frame_index


def _show(image: np.ndarray) -> bool:
    """Show a frame; True when the person closed the window or pressed q / Esc."""
    try:
        cv2.imshow(WINDOW_NAME, cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        key = cv2.waitKey(1) & 0xFF
        closed = cv2.getWindowProperty(WINDOW_NAME, cv2.WND_PROP_VISIBLE) < 1
    except cv2.error as err:
        raise GaitlabError(f"--show: cannot open a window here ({err.err})") from err
    return key in (ord("q"), 27) or closed


def _session_line(run: LiveRun) -> str:
    stats = run.processing_stats()
    why = {
        "end_of_source": "end of the source",
        "max_seconds": "--max-seconds reached",
        "interrupted": "interrupted",
        "window_closed": "window closed",
    }.get(run.stopped, run.stopped)
    text = (
        f"stopped ({why}) after {run.last_t_s:.1f} s: {run.processed} of {run.decoded} frames "
        f"processed, {run.dropped} dropped"
    )
    if stats["p95_ms"] is not None:
        text += f"; processing p50 {stats['p50_ms']:.0f} ms, p95 {stats['p95_ms']:.0f} ms"
    counted = ", ".join(f"{k} {run.counter[k]}" for k in ("reps", "holds") if k in run.counter)
    return text + (f"; {counted}" if counted else "")


def _write_results(
    stage: Path,
    source: FileSource | CameraSource,
    recorder: _Recorder,
    frame_index: list[int],
    options: AnalyzeOptions,
    run: LiveRun,
    proc: LiveProcessor,
) -> None:
    """summary.json and frames.csv of the processed frames, by the file pipeline's code."""
    if not recorder.persons:
        raise GaitlabError("no frame was processed: nothing to write")
    # the estimator may have seen a frame more than the loop counted (a stop mid-frame)
    n = min(len(recorder.persons), len(frame_index))
    session = proc.summary()
    assert run.frame_size is not None
    width, height = run.frame_size
    info = replace(
        source.info,
        path=source.label,
        width=width,
        height=height,
        frames=n,
        duration_s=round(float(recorder.t_s[n - 1]), 6),
    )
    warnings = list(source.warnings)
    if run.dropped:
        warnings.append(
            f"live: {run.dropped} of {run.decoded} frames were dropped (processing was "
            "slower than the source), so the analysed frames are further apart in time"
        )
    if session["timestamps_adjusted"]:
        warnings.append(
            f"live: {session['timestamps_adjusted']} frame(s) had a time that did not increase "
            "and were moved 1 ms after the previous one"
        )
    people = PeopleTrack(
        info=info,
        persons=recorder.persons[:n],
        t_s=np.asarray(recorder.t_s[:n]),
        frame_index=np.asarray(frame_index[:n]),
        warnings=warnings,
        bundle_origin=str(getattr(getattr(recorder.inner, "bundle", None), "origin", "unknown")),
    )
    analysis = analyze_people(people, options, source=source.label)
    run.analysis = analysis
    frames_table(
        analysis.pose, analysis.signals, analysis.view_per_frame, analysis.row_track
    ).to_csv(stage / FRAMES_NAME, index=False)
    summary = analysis.summary()
    summary["live"] = {**run.to_dict(), "events": run.events}
    write_json(stage / SUMMARY_NAME, summary)
