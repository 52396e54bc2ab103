"""What the counter remembers of the stream: its recent frames (:class:`FrameBuffer`) and
the rep under way (:class:`RepInProgress`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gaitlab.tasks.calf_raise.inputs import FIELDS, CalfRaiseFrame


class FrameBuffer:
    """The counter's inputs and heel rise, frame by frame, addressed by global sample index
    (the stream's sample count); the oldest frames are dropped by :meth:`trim`.

    Keys: ``t``, ``frame``, ``d`` (the heel rise), ``body``, ``dist``, ``az``, ``cam``
    (1.0 where a camera move began: :meth:`mark_camera_move`) and the per-side fields of
    :class:`~gaitlab.tasks.calf_raise.inputs.CalfRaiseFrame`.
    """

    def __init__(self) -> None:
        self._buf: dict[str, list[Any]] = {
            k: [] for k in ("t", "frame", "d", "body", "dist", "az", "cam", *FIELDS)
        }
        self.offset = 0  # global index of the first kept sample

    def __len__(self) -> int:
        """Number of kept samples."""
        return len(self._buf["t"])

    @property
    def end(self) -> int:
        """Global index one past the newest sample."""
        return self.offset + len(self._buf["t"])

    def append(self, frame: CalfRaiseFrame, d: float) -> None:
        b = self._buf
        b["t"].append(float(frame.t_s))
        b["frame"].append(int(frame.frame))
        b["d"].append(d)
        for f in FIELDS:
            b[f].append(tuple(getattr(frame, f)))
        b["body"].append(tuple(frame.body_pct))
        b["dist"].append(float(frame.camera_distance_foot))
        b["az"].append(float(frame.azimuth_deg))
        b["cam"].append(0.0)

    def mark_camera_move(self, since_t: float) -> None:
        """Mark the kept samples from ``since_t`` on as taken as a camera move began (it
        is recognised a little after it began)."""
        ts, cam = self._buf["t"], self._buf["cam"]
        k = len(ts) - 1
        while k >= 0 and ts[k] >= since_t:
            cam[k] = 1.0
            k -= 1

    def values(self, key: str, i0: int, i1: int) -> list[Any]:
        """Samples ``[i0, i1)`` of ``key`` as stored."""
        return self._buf[key][i0 - self.offset : i1 - self.offset]

    def arr(self, key: str, i0: int, i1: int) -> np.ndarray:
        """Samples ``[i0, i1)`` of ``key`` as a float array."""
        return np.asarray(self.values(key, i0, i1), dtype=float)

    def at(self, key: str, i: int) -> Any:
        """Sample ``i`` of ``key``."""
        return self._buf[key][i - self.offset]

    def last(self, key: str, back: int = 1) -> Any:
        """The ``back``-th newest sample of ``key``."""
        return self._buf[key][-back]

    def frame_at(self, t_s: float, i0: int, i1: int) -> int:
        """The frame of samples ``[i0, i1)`` nearest in time to ``t_s``."""
        ts = self.arr("t", i0, i1)
        fr = self.values("frame", i0, i1)
        return int(fr[int(np.argmin(np.abs(ts - t_s)))])

    def trim(self, keep_from_t: float) -> None:
        """Drop the samples before ``keep_from_t``, once there are more than 500 of them."""
        ts = self._buf["t"]
        k = 0
        while k < len(ts) and ts[k] < keep_from_t:
            k += 1
        if k > 500:
            for v in self._buf.values():
                del v[:k]
            self.offset += k


@dataclass
class RepInProgress:
    """A rep from its start-level crossing until it is measured.

    ``i_up``/``t_up``: the start-level crossing (sample index, interpolated time);
    ``base_h``, ``base_t``: each foot's heel and toe baselines, frozen for the rep;
    ``off_run``: frames each foot's toes have been off the floor in a row, ``toe_off``: the
    feet whose toes left the floor for good; ``dt``: the frame interval; ``peak``/``i_peak``:
    the highest heel rise so far; ``below``: the last end-level crossing downwards (time,
    index); ``shown``: the live phase; ``t_down``/``i_down``: the end of the rep.
    """

    i_up: int
    t_up: float
    base_h: np.ndarray
    base_t: np.ndarray
    off_run: np.ndarray
    toe_off: np.ndarray
    dt: float
    peak: float
    i_peak: int
    below: tuple[float, int] | None = None
    shown: str = "rise"
    t_down: float = math.nan
    i_down: int = -1
