"""``gaitlab live``: a webcam, or a video file played as if it were one, through the live loop.

Frames come from a *source* running in its own thread: a camera (``cv2.VideoCapture``) or a
file decoded by :class:`gaitlab.io.video.VideoReader` (rotation applied, real timestamps) and
released at the pace of its timestamps, as a camera would deliver it. Both are downscaled to
at most :data:`LIVE_MAX_SIDE` pixels (a webcam's 640×480). The source hands frames to the
processing loop through a one-frame mailbox (:class:`LatestFrame`): a frame that arrives
before the previous one was taken replaces it and is *dropped*, as a webcam driver keeps only
the newest picture; ``decoded = processed + dropped`` always holds and is reported.

The loop runs :class:`gaitlab.live.LiveProcessor` on each frame it takes, prints what the
person needs (a status line, or with ``--json`` one JSON object per event on stdout) and, with
``--out``, encodes the annotated frames into ``annotated.mp4`` in a background thread. When
it stops (end of the file or of the camera, ``--max-seconds`` of source time, Ctrl-C, or the
``--show`` window closed) the counters are finished and, with ``--out``, the frames that were
processed are analysed by the file pipeline's own pure part
(:func:`gaitlab.pipeline.analyze_people` on the persons the pose model found live), so
``summary.json`` and ``frames.csv`` follow the very same contract as ``gaitlab analyze``,
plus a ``live`` block (source, frames decoded / processed / dropped, processing time per
frame, what the live counter counted). Pixel coordinates are those of the processed
(downscaled) frames; ``video.width`` / ``height`` say so. All three files are staged and
moved into place together (:func:`gaitlab.io.export.staged_output`).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import cv2
import numpy as np

from gaitlab.core.errors import GaitlabError
from gaitlab.io.export import FRAMES_NAME, SUMMARY_NAME, VIDEO_NAME, _jsonable, staged_output
from gaitlab.io.video import VideoInfo, VideoReader, VideoWriter
from gaitlab.live import LIVE_TASKS, LiveProcessor, LiveState
from gaitlab.pose import PersonPose, PoseEstimator

if TYPE_CHECKING:
    from gaitlab.pipeline import AnalyzeOptions

__all__ = [
    "LIVE_MAX_SIDE",
    "CameraSource",
    "FileSource",
    "LatestFrame",
    "LiveOptions",
    "LiveRun",
    "SourceFrame",
    "run_live",
]

#: Longer side (pixels) frames are downscaled to: what a webcam delivers (640×480), and what
#: the latency target of the live loop is set for.
LIVE_MAX_SIDE = 640

#: A camera that fails this many reads in a row has stopped (unplugged, taken by another
#: program).
CAMERA_MAX_FAILED_READS = 30

#: Frames waiting to be encoded into annotated.mp4; beyond this the loop waits for the
#: encoder (and drops more frames from the source) rather than hold unbounded memory.
WRITE_QUEUE_FRAMES = 90

#: Seconds between status lines when stdout is not a terminal (on one, the line is rewritten
#: in place ten times a second).
STATUS_EVERY_S = 1.0
STATUS_EVERY_TTY_S = 0.1

#: Events not printed in the plain-text mode (the status line shows the phase already).
QUIET_EVENTS = frozenset({"rep_start", "rep_top", "rep_lower", "feet_in_view"})

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


@dataclass(frozen=True, eq=False)
class SourceFrame:
    """One frame from a source: its number there, its time (s from the first frame), RGB."""

    index: int
    t_s: float
    image: np.ndarray


# -- the mailbox between source and loop -------------------------------------------------------
class LatestFrame:
    """A one-frame mailbox: the source puts, the loop takes the newest frame.

    A frame put while the previous one is still waiting replaces it, and the replaced frame
    counts in :attr:`dropped`, as a webcam driver that keeps only its newest picture.
    :attr:`delivered` counts every frame put.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: SourceFrame | None = None
        self._closed = False
        self.delivered = 0
        self.dropped = 0

    def put(self, frame: SourceFrame) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = frame
            self.delivered += 1
            self._cond.notify()

    def close(self) -> None:
        """The source has no more frames (the one waiting can still be taken)."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    @property
    def finished(self) -> bool:
        """Closed and empty: nothing more will come."""
        with self._cond:
            return self._closed and self._item is None

    def take(self, timeout_s: float) -> SourceFrame | None:
        """The newest frame, waiting up to ``timeout_s``; None if none came."""
        with self._cond:
            if self._item is None and not self._closed:
                self._cond.wait(timeout_s)
            item, self._item = self._item, None
            return item

    def discard(self) -> None:
        """Stop: a frame still waiting is dropped (never processed)."""
        with self._cond:
            if self._item is not None:
                self.dropped += 1
                self._item = None


# -- sources ------------------------------------------------------------------------------------
class FileSource:
    """A video file delivered as a camera would: each frame at its own timestamp.

    Decoded by :class:`~gaitlab.io.video.VideoReader` (rotation, real timestamps, downscaled to
    ``max_side``). The file is probed on construction, so a bad file fails here, before
    anything else starts. Frames at or after ``max_seconds`` are not delivered.
    """

    kind = "file"

    def __init__(self, path: Path, *, max_side: int, max_seconds: float | None) -> None:
        self.path = Path(path)
        self._reader = VideoReader(self.path, max_side=max_side)
        self.info: VideoInfo = self._reader.info
        self.fps = self.info.fps if self.info.fps > 0 else 30.0
        self.max_seconds = max_seconds
        self.error: BaseException | None = None
        self.stop_reason = ""  # "end_of_source" or "max_seconds" once the thread returns

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def warnings(self) -> list[str]:
        return list(self._reader.warnings)

    def run(self, mailbox: LatestFrame, stop: threading.Event) -> None:
        """Thread body: deliver frames in real time until the end, ``stop`` or max_seconds."""
        try:
            start: float | None = None
            for frame in self._reader:
                if stop.is_set():
                    return
                if self.max_seconds is not None and frame.t_s >= self.max_seconds:
                    self.stop_reason = "max_seconds"
                    return
                if start is None:
                    start = time.monotonic() - frame.t_s
                wait = start + frame.t_s - time.monotonic()
                if wait > 0 and stop.wait(wait):
                    return
                mailbox.put(SourceFrame(frame.index, frame.t_s, frame.image))
            self.stop_reason = "end_of_source"
        except BaseException as exc:  # reported by the loop's thread
            self.error = exc
        finally:
            mailbox.close()

    def close(self) -> None:
        self._reader.close()


class CameraSource:
    """A webcam (``cv2.VideoCapture(index)``), asked for 640×480.

    Opened and read once on construction, so a camera that is missing, busy or sends no
    picture fails here with one plain line. A frame's time is when its read returned
    (``time.monotonic``): a live stream has no other clock that every driver keeps.
    """

    kind = "camera"

    def __init__(self, index: int, *, max_side: int, max_seconds: float | None) -> None:
        self.index = int(index)
        self.max_side = max_side
        self.max_seconds = max_seconds
        self.error: BaseException | None = None
        self.stop_reason = ""
        self._cap = cv2.VideoCapture(self.index)
        if not self._cap.isOpened():
            self._cap.release()
            raise GaitlabError(
                f"camera {self.index} could not be opened: is it connected, and not in use "
                "by another program?"
            )
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, 640)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 480)
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            self._cap.release()
            raise GaitlabError(f"camera {self.index} was opened but sent no picture")
        self._first = (time.monotonic(), self._rgb(bgr))
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if np.isfinite(fps) and 1.0 <= fps <= 240.0 else 30.0
        h, w = self._first[1].shape[:2]
        self.info = VideoInfo(
            path=self.label,
            codec="camera",
            width=w,
            height=h,
            coded_width=int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or w),
            coded_height=int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or h),
            rotation_deg=0,
            fps=self.fps,
            frames=0,
            duration_s=0.0,
            pix_fmt="rgb24",
        )

    @property
    def label(self) -> str:
        return f"camera:{self.index}"

    @property
    def warnings(self) -> list[str]:
        return []

    def _rgb(self, bgr: np.ndarray) -> np.ndarray:
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        scale = self.max_side / max(h, w)
        if scale < 1.0:
            rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), cv2.INTER_AREA)
        return rgb

    def run(self, mailbox: LatestFrame, stop: threading.Event) -> None:
        """Thread body: deliver every picture the camera sends until ``stop``."""
        try:
            t0, image = self._first
            mailbox.put(SourceFrame(0, 0.0, image))
            index, failed = 0, 0
            while not stop.is_set():
                ok, bgr = self._cap.read()
                t = time.monotonic() - t0
                if not ok or bgr is None:
                    failed += 1
                    if failed >= CAMERA_MAX_FAILED_READS:
                        self.error = GaitlabError(f"camera {self.index} stopped sending pictures")
                        self.stop_reason = "end_of_source"
                        return
                    continue
                failed = 0
                if self.max_seconds is not None and t >= self.max_seconds:
                    self.stop_reason = "max_seconds"
                    return
                index += 1
                mailbox.put(SourceFrame(index, t, self._rgb(bgr)))
        except BaseException as exc:
            self.error = exc
        finally:
            mailbox.close()

    def close(self) -> None:
        self._cap.release()


# -- pose recording and video writing -------------------------------------------------------------
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


class _BackgroundWriter:
    """:class:`~gaitlab.io.video.VideoWriter` in its own thread: x264 costs 5–15 ms a frame at
    640×480, which would otherwise add to every frame's processing time."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self._queue: queue.Queue[tuple[np.ndarray, float] | None] = queue.Queue(
            maxsize=WRITE_QUEUE_FRAMES
        )
        self._thread: threading.Thread | None = None
        self._abort = False
        self.error: BaseException | None = None
        self.frames = 0

    def write(self, image: np.ndarray, t_s: float) -> None:
        if self.error is not None:
            raise self.error
        if self._thread is None:
            h, w = image.shape[:2]
            writer = VideoWriter(self.path, w, h, self.fps)
            self._thread = threading.Thread(target=self._work, args=(writer,), daemon=True)
            self._thread.start()
        self._queue.put((image, t_s))
        self.frames += 1

    def _work(self, writer: VideoWriter) -> None:
        try:
            while (item := self._queue.get()) is not None:
                writer.write(item[0], t_s=item[1])
            if self._abort:
                writer.abort()
            else:
                writer.close()
        except BaseException as exc:
            self.error = exc
            writer.abort()
            while self._queue.get() is not None:  # unblock the loop until close()
                pass

    def close(self) -> None:
        """Finish the file (blocks until every queued frame is encoded)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Stop after the queued frames and delete the partial file (a failed session)."""
        self._abort = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None


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


def _default_estimator() -> PoseEstimator:
    from gaitlab.pose import MediaPipePose

    return MediaPipePose(num_poses=2)  # as LiveProcessor's own default


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


@contextmanager
def _stop_on_sigint(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C sets ``stop`` (a clean stop that still writes the outputs); a second Ctrl-C
    interrupts at once. Only the main thread can own signals; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Printer:
    """Events and status lines: JSON lines, or plain text with a status line per second
    (rewritten in place on a terminal)."""

    def __init__(self, out: TextIO, json_lines: bool) -> None:
        self.out = out
        self.json_lines = json_lines
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self._last_status = -np.inf
        self._status_shown = False

    def _line(self, text: str) -> None:
        if self._status_shown:
            self.out.write("\r\033[K")
            self._status_shown = False
        self.out.write(text + "\n")
        self.out.flush()

    def json(self, obj: dict[str, Any]) -> None:
        self._line(json.dumps(_jsonable(obj), allow_nan=False))

    def event(self, e: dict[str, Any], at_s: float) -> None:
        if self.json_lines:
            self.json({**e, "reported_at_s": round(at_s, 3)})
            return
        if e.get("type") in QUIET_EVENTS:
            return
        self._line(f"{at_s:7.2f} s  {_describe(e)}")

    def status(self, state: LiveState) -> None:
        every = STATUS_EVERY_TTY_S if self.tty else STATUS_EVERY_S
        if self.json_lines or state.t_s - self._last_status < every:
            return
        self._last_status = state.t_s
        c = state.counters
        parts = [f"{state.t_s:7.2f} s"]
        if "reps" in c:
            parts.append(f"reps {c['reps']}")
        if "holds" in c:
            parts.append(f"holds {c['holds']}")
        if c.get("phase") == "hold" and "hold_s" in c:
            parts.append(f"holding {c['hold_s']:.1f} s")
        if c.get("phase"):
            parts.append(str(c["phase"]))
        parts.append(state.view)
        parts.append(state.cue)
        text = " | ".join(parts)
        if self.tty:
            self.out.write("\r\033[K" + text)
            self._status_shown = True
            self.out.flush()
        else:
            self._line(text)

    def text(self, line: str) -> None:
        if not self.json_lines:
            self._line(line)

    def warning(self, message: str) -> None:
        if self.json_lines:
            self.json({"type": "warning", "message": message})
        else:
            self._line(f"warning: {message}")

    def end(self) -> None:
        if self._status_shown:
            self.out.write("\n")
            self._status_shown = False
            self.out.flush()


def _num(value: Any, unit: str, digits: int = 1) -> str:
    """``1.2 s``, or ``?`` for a value the rep could not measure (None)."""
    return "?" if value is None else f"{value:.{digits}f}{unit}"


def _describe(e: dict[str, Any]) -> str:
    """One event in plain words."""
    kind = e.get("type")
    if kind == "rep_end" and "rep" in e:
        r = e["rep"]
        height = (
            f"heel {_num(r.get('height_cm'), ' cm')}"
            if r.get("height_cm") is not None
            else f"heel {_num(r.get('height_pct_foot'), ' % of foot length', 0)}"
        )
        roll = r.get("ankle_roll_peak_deg")
        text = (
            f"rep {r['index'] + 1} done: rise {_num(r.get('rise_s'), ' s')}, "
            f"hold {_num(r.get('hold_s'), ' s')}, lower {_num(r.get('lower_s'), ' s')}, {height}"
            + (f", ankle roll {_num(roll, ' deg', 0)}" if roll is not None else "")
        )
        if r.get("flags"):
            text += f" (flags: {', '.join(r['flags'])})"
        return text
    if kind == "rep_rejected":
        return f"not counted: {e.get('reason', '')}"
    if kind == "hold_start":
        return (
            f"hold started on the {e.get('side')} leg (lift-off at {_num(e.get('t_s'), ' s', 2)})"
        )
    if kind == "hold_end":
        return (
            f"hold on the {e.get('side')} leg ended after {_num(e.get('hold_s'), ' s')} "
            f"({e.get('reason')})"
        )
    if kind == "hold_cancel":
        return "that was not a hold (you moved towards or away from the camera): not counted"
    if kind == "flag":
        return f"flag: {e.get('message', e.get('rule'))}"
    if kind == "feet_out_of_view":
        return str(e.get("reason") or "step back so your feet are in view")
    return json.dumps(_jsonable(e), allow_nan=False)


def _open_source(options: LiveOptions) -> FileSource | CameraSource:
    if options.source is not None:
        return FileSource(
            options.source, max_side=options.max_side, max_seconds=options.max_seconds
        )
    assert options.camera is not None
    return CameraSource(options.camera, max_side=options.max_side, max_seconds=options.max_seconds)


def run_live(
    options: LiveOptions,
    *,
    out: TextIO | None = None,
    estimator_factory: Callable[[], PoseEstimator] | None = None,
) -> LiveRun:
    """Run one live session (module docstring); returns what it did.

    ``out`` receives the status lines / JSON lines (default stdout).
    ``estimator_factory`` replaces the MediaPipe model (tests); it is called once, before
    the source starts, so loading a model does not count as falling behind.
    """
    from gaitlab.pipeline import AnalyzeOptions

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
    source = _open_source(options)
    try:
        recorder = _Recorder((estimator_factory or _default_estimator)())
        proc = LiveProcessor(
            options.task,
            estimator_factory=lambda: recorder,
            height_cm=options.height_cm,
            sex=options.sex,
        )
        run = LiveRun(source=source.label, task=options.task)
        printer = _Printer(out, options.json_lines)
        staging = staged_output(options.out_dir) if options.out_dir else nullcontext(None)
        with staging as stage:
            writer = _BackgroundWriter(stage / VIDEO_NAME, source.fps) if stage else None
            try:
                frame_index = _loop(source, proc, run, printer, writer, options.show)
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
    printer: _Printer,
    writer: _BackgroundWriter | None,
    show: bool,
) -> list[int]:
    """Take frames until the source ends or a stop; returns the processed frames' numbers."""
    mailbox = LatestFrame()
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(mailbox, stop), daemon=True)
    frame_index: list[int] = []
    wall0 = time.monotonic()
    with _stop_on_sigint(stop):
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
    run.wall_s = time.monotonic() - wall0
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
    from gaitlab.io.export import frames_table, write_json
    from gaitlab.pipeline import PeopleTrack, analyze_people

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
