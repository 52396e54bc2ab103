"""Encoding a video in a background thread, so the encoder's time does not add to a live
loop's time per frame."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np

from gaitlab.io.video import VideoWriter

__all__ = ["WRITE_QUEUE_FRAMES", "BackgroundWriter"]

#: Frames waiting to be encoded into annotated.mp4; beyond this the loop waits for the
#: encoder (and drops more frames from the source) rather than hold unbounded memory.
WRITE_QUEUE_FRAMES = 90


class BackgroundWriter:
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
