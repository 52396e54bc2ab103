"""Frame times from decoder timestamps: strictly increasing, from 0, repaired where damaged.

Phones and editing apps write timestamps that are not always usable as they are:

- missing (no pts) or out of order by a frame or two (a muxer that lost B-frame order);
- closer together than any camera records (frames 10 µs apart, a duplicated frame with
  the same time as the one before);
- restarting or stepping back in the middle of the file: two recordings joined byte for
  byte (MPEG-TS files concatenate that way), each with its own clock from 0.

:class:`Timeline` turns such a stream into strictly increasing times: isolated bad frames
are placed between their good neighbours, runs of frames that are too close together are
spaced at the nominal frame rate, and a restarted clock is shifted so that the later
recording follows the earlier one one frame later, keeping its own spacing. It counts what
it did, so the reader can say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import av
import numpy as np

#: Frames held back while waiting for the next good timestamp to interpolate between.
MAX_PENDING = 16

#: Two frames less than this apart are not two real exposures: the fastest phone slow-motion
#: modes record 240 fps (4.2 ms apart) and the fastest consumer modes 960 fps (1.04 ms), so a
#: sub-millisecond step is a damaged or duplicated timestamp.
MIN_FRAME_INTERVAL_S = 0.001

#: Packets whose timestamps :func:`clock_damaged` looks at.
CLOCK_PACKETS = 12

#: A run of this many frames with increasing times of their own, all before the last good
#: time, is a clock that restarted (a second recording), not a few frames out of order.
RESTART_RUN = 3


@dataclass
class TimelineReport:
    """What :class:`Timeline` had to repair.

    Attributes
    ----------
    repaired : frames whose time was not their own (missing, out of order or too close to
        the previous frame): interpolated between good neighbours or spaced at the nominal rate.
    too_close : of those, the frames that came less than ``MIN_FRAME_INTERVAL_S`` after
        the previous one (duplicated or sub-millisecond timestamps).
    restarts : ``(frame, t_s)`` of each frame where the clock started again (joined
        recordings): the frame's position among all frames and its new time.
    """

    repaired: int = 0
    too_close: int = 0
    restarts: list[tuple[int, float]] = field(default_factory=list)

    def warnings(self, fps: float) -> list[str]:
        """Plain-language notes on what was repaired; ``fps`` is the nominal rate used."""
        out = []
        rate = f"the {fps:.4g} fps frame rate" if fps > 0 else "an assumed 30 fps"
        for frame, t_s in self.restarts:
            out.append(
                f"the timestamps start again at frame {frame} ({t_s:.2f} s): the file joins "
                f"recordings end to end; the later one was re-timed to follow on at {rate}"
            )
        if self.too_close:
            out.append(
                f"{self.too_close} frame(s) came less than {MIN_FRAME_INTERVAL_S * 1000:g} ms "
                f"after the previous one (duplicated frames or damaged timestamps); they were "
                f"re-timed from the frames around them and {rate}"
            )
        other = self.repaired - self.too_close
        if other:
            out.append(
                f"{other} frame(s) had missing or out-of-order timestamps; "
                "their times were interpolated"
            )
        return out


class Timeline:
    """Turn decoder timestamps (seconds or None) into strictly increasing times from 0.

    A frame whose pts is missing, not after the previous one or less than ``min_dt`` after
    it is held back (at most ``max_pending`` of them) and placed evenly between its good
    neighbours; when no good timestamp comes in time, held frames are spaced at the nominal
    frame duration. When ``RESTART_RUN`` held frames carry increasing times of their own,
    the clock restarted: from there on every time is shifted so that the run starts one
    nominal frame after the last good time. ``push``/``finish`` return ``(t_s, item)`` pairs
    in decode order.
    """

    def __init__(
        self,
        nominal_dt: float,
        max_pending: int = MAX_PENDING,
        min_dt: float = MIN_FRAME_INTERVAL_S,
    ) -> None:
        self.dt = nominal_dt if nominal_dt > 0 and math.isfinite(nominal_dt) else 1 / 30
        self.max_pending = max_pending
        # never more than half a nominal frame, so a real high-speed clip is never "too close"
        self.min_dt = min(min_dt, self.dt / 2)
        self.report = TimelineReport()
        self._shift = 0.0
        self._last: float | None = None
        self._t0: float | None = None
        self._count = 0  # frames placed so far
        self._prev: float | None = None  # the previous frame's own (shifted) time
        self._pending: list[tuple[float | None, Any, bool]] = []

    @property
    def repaired(self) -> int:
        """Frames whose time was not their own (see :class:`TimelineReport`)."""
        return self.report.repaired

    def push(self, t: float | None, item: Any) -> list[tuple[float, Any]]:
        """Add the next decoded frame's time (seconds, or None); returns the frames placed."""
        t = t + self._shift if t is not None and math.isfinite(t) else None
        close = t is not None and self._prev is not None and abs(t - self._prev) < self.min_dt
        if t is not None:
            self._prev = t
        if t is not None and (self._last is None or t >= self._last + self.min_dt):
            out = self._place_pending(t)
            out.append((t, item))
            self._last = t
            return self._relative(out)
        self._pending.append((t, item, close))
        if self._restarted():
            return self._relative(self._restart())
        if len(self._pending) > self.max_pending:
            return self._relative(self._extrapolate())
        return []

    def finish(self) -> list[tuple[float, Any]]:
        """The frames still held back, spaced at the nominal rate."""
        return self._relative(self._extrapolate())

    def _held(self) -> list[Any]:
        """Count the held frames as repaired; their items."""
        self.report.repaired += len(self._pending)
        self.report.too_close += sum(close for _, _, close in self._pending)
        return [item for _, item, _ in self._pending]

    def _restarted(self) -> bool:
        if self._last is None or len(self._pending) < RESTART_RUN:
            return False
        times = [t for t, _, _ in self._pending if t is not None]
        if len(times) < len(self._pending):
            return False
        steps = [b - a for a, b in zip(times, times[1:], strict=False)]
        return all(s >= self.min_dt for s in steps) and times[0] < self._last

    def _restart(self) -> list[tuple[float, Any]]:
        assert self._last is not None
        times = [t for t, _, _ in self._pending if t is not None]  # all set: _restarted()
        shift = self._last + self.dt - times[0]
        self._shift += shift
        out = [(t + shift, item) for t, (_, item, _) in zip(times, self._pending, strict=True)]
        self._pending = []
        self._last = out[-1][0]
        self._prev = self._last
        t0 = self._t0 if self._t0 is not None else 0.0
        self.report.restarts.append((self._count, out[0][0] - t0))
        return out

    def _place_pending(self, t_next: float) -> list[tuple[float, Any]]:
        n = len(self._pending)
        if n == 0:
            return []
        if self._last is None:
            times = [t_next - (n - k) * self.dt for k in range(n)]
        else:
            step = (t_next - self._last) / (n + 1)
            times = [self._last + step * (k + 1) for k in range(n)]
        out = list(zip(times, self._held(), strict=True))
        self._pending = []
        return out

    def _extrapolate(self) -> list[tuple[float, Any]]:
        base = self._last if self._last is not None else -self.dt
        out = [(base + self.dt * (k + 1), item) for k, item in enumerate(self._held())]
        if out:
            self._last = out[-1][0]
        self._pending = []
        return out

    def _relative(self, out: list[tuple[float, Any]]) -> list[tuple[float, Any]]:
        if out and self._t0 is None:
            self._t0 = out[0][0]
        t0 = self._t0 or 0.0
        self._count += len(out)
        return [(t - t0, item) for t, item in out]


def frame_rate(stream: av.VideoStream, damaged_clock: bool) -> Fraction | None:
    """The first frame rate a camera could have recorded at: the container's average, its
    guess, its base rate, then the rate the coded stream states. When the timestamps are
    sub-millisecond apart the container's rates come from them, so only the stated rate
    counts (an H.264/HEVC header keeps the encoder's rate whatever the muxer wrote)."""
    stated = stream.codec_context.framerate if stream.codec_context is not None else None
    candidates = (stream.average_rate, stream.guessed_rate, stream.base_rate)
    for rate in (stated,) if damaged_clock else (*candidates, stated):
        if rate and 1 / float(rate) >= MIN_FRAME_INTERVAL_S:
            return rate
    return None


def clock_damaged(
    container: av.container.InputContainer, stream: av.VideoStream, pts: list[int]
) -> bool:
    """Whether the first packets' timestamps step by under ``MIN_FRAME_INTERVAL_S``
    (``pts``: those read so far; a few more are read)."""
    try:
        for packet in container.demux(stream):
            if packet.pts is not None:
                pts.append(packet.pts)
            if len(pts) >= CLOCK_PACKETS:
                break
    except av.FFmpegError:
        pass
    steps = np.diff(np.unique(pts)) * float(stream.time_base or 0)
    return len(steps) >= 3 and float(np.median(steps)) < MIN_FRAME_INTERVAL_S
