"""Live frame sources: a webcam, or a video file played as if it were one.

A source runs in its own thread (its ``run(mailbox, stop)``) and hands frames to the
processing loop through a one-frame mailbox (:class:`LatestFrame`): a frame that arrives
before the previous one was taken replaces it and is *dropped*, as a webcam driver keeps only
the newest picture; ``decoded = processed + dropped`` always holds. A camera
(:class:`CameraSource`, ``cv2.VideoCapture``) delivers what it sends; a file
(:class:`FileSource`, decoded by :class:`gaitlab.io.video.VideoReader`: rotation applied, real
timestamps) is released at the pace of its timestamps, as a camera would deliver it, on a
:class:`Clock` (the monotonic clock, or one a test moves). Both downscale frames to at most
``max_side`` pixels.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from gaitlab.core.errors import GaitlabError
from gaitlab.io.video import VideoInfo, VideoReader

__all__ = [
    "CAMERA_MAX_FAILED_READS",
    "CameraSource",
    "Clock",
    "FileSource",
    "LatestFrame",
    "MonotonicClock",
    "SourceFrame",
]

#: A camera that fails this many reads in a row has stopped (unplugged, taken by another
#: program).
CAMERA_MAX_FAILED_READS = 30


class Clock(Protocol):
    """The time a file is played against (seconds, any origin)."""

    def now(self) -> float:
        """The time now."""
        ...

    def sleep_until(self, due: float, stop: threading.Event) -> bool:
        """Wait until ``due`` (return at once if it has passed); True if ``stop`` was set
        while waiting."""
        ...


class MonotonicClock:
    """The real clock (``time.monotonic``), waiting on the stop event."""

    def now(self) -> float:
        return time.monotonic()

    def sleep_until(self, due: float, stop: threading.Event) -> bool:
        wait = due - time.monotonic()
        return wait > 0 and stop.wait(wait)


@dataclass(frozen=True, eq=False)
class SourceFrame:
    """One frame from a source: its number there, its time (s from the first frame), RGB."""

    index: int
    t_s: float
    image: np.ndarray


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


class FileSource:
    """A video file delivered as a camera would: each frame at its own timestamp.

    Decoded by :class:`~gaitlab.io.video.VideoReader` (rotation, real timestamps, downscaled to
    ``max_side``). The file is probed on construction, so a bad file fails here, before
    anything else starts. Frames at or after ``max_seconds`` are not delivered. ``clock`` is
    the time the frames are released on (:class:`MonotonicClock` by default).
    """

    kind = "file"

    def __init__(
        self,
        path: Path,
        *,
        max_side: int,
        max_seconds: float | None,
        clock: Clock | None = None,
    ) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or MonotonicClock()
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
                    start = self.clock.now() - frame.t_s
                if self.clock.sleep_until(start + frame.t_s, stop):
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
