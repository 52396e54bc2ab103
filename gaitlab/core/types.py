"""Core data types: the pose time series and what is derived from it.

Everything downstream of pose estimation passes these objects around; they hold numpy arrays
and are never mutated in place (``dataclasses.replace`` / ``with_*`` return new objects).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from gaitlab.core.errors import ShapeError
from gaitlab.core.landmarks import N_LANDMARKS, Landmark


def _check_shape(name: str, arr: np.ndarray, expected: tuple[int | None, ...]) -> None:
    ok = arr.ndim == len(expected) and all(
        e is None or e == s for e, s in zip(expected, arr.shape, strict=False)
    )
    if not ok:
        shown = tuple("T" if e is None else e for e in expected)
        raise ShapeError(f"{name}: expected shape {shown}, got {arr.shape}")


@dataclass(frozen=True, eq=False)
class PoseSequence:
    """One person's landmarks over time.

    Parameters
    ----------
    xy
        ``(T, 33, 2)`` image coordinates in pixels of the upright (rotation-applied) frame at
        its original resolution; x right, y down. NaN where the landmark is missing. Frames
        are never dropped: a frame without a detection is a row of NaN.
    visibility
        ``(T, 33)`` BlazePose visibility in [0, 1]; 0 where missing.
    t_s
        ``(T,)`` presentation time of each frame in seconds from the first decoded frame;
        strictly increasing (phones record at variable frame rate).
    frame_size
        ``(width, height)`` in pixels of the upright frame.
    world
        Optional ``(T, 33, 3)`` metric coordinates (BlazePose world landmarks, metres, origin
        at the hip centre).
    frame_index
        ``(T,)`` index of each row's frame in the source video; defaults to ``arange(T)``.
    source
        Where the sequence came from (a path, "synthetic", "webcam").
    """

    xy: np.ndarray
    visibility: np.ndarray
    t_s: np.ndarray
    frame_size: tuple[int, int]
    world: np.ndarray | None = None
    frame_index: np.ndarray | None = None
    source: str = ""

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=float)
        vis = np.asarray(self.visibility, dtype=float)
        t = np.asarray(self.t_s, dtype=float)
        _check_shape("xy", xy, (None, N_LANDMARKS, 2))
        n = xy.shape[0]
        _check_shape("visibility", vis, (n, N_LANDMARKS))
        _check_shape("t_s", t, (n,))
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ShapeError("t_s: timestamps must be strictly increasing")
        if not np.all(np.isfinite(t)):
            raise ShapeError("t_s: timestamps must be finite")
        w, h = (int(v) for v in self.frame_size)
        if w <= 0 or h <= 0:
            raise ShapeError(
                f"frame_size: expected positive (width, height), got {self.frame_size}"
            )
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "visibility", np.nan_to_num(vis, nan=0.0))
        object.__setattr__(self, "t_s", t)
        object.__setattr__(self, "frame_size", (w, h))
        if self.world is not None:
            world = np.asarray(self.world, dtype=float)
            _check_shape("world", world, (n, N_LANDMARKS, 3))
            object.__setattr__(self, "world", world)
        fi = np.arange(n) if self.frame_index is None else np.asarray(self.frame_index, int)
        _check_shape("frame_index", fi, (n,))
        object.__setattr__(self, "frame_index", fi)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def empty(cls, t_s: np.ndarray, frame_size: tuple[int, int], **kw: Any) -> PoseSequence:
        """A sequence with every landmark missing at the given times."""
        n = len(t_s)
        return cls(
            xy=np.full((n, N_LANDMARKS, 2), np.nan),
            visibility=np.zeros((n, N_LANDMARKS)),
            t_s=t_s,
            frame_size=frame_size,
            **kw,
        )

    # -- access -------------------------------------------------------------------------
    def __len__(self) -> int:
        return self.xy.shape[0]

    def __getitem__(self, key: slice | np.ndarray) -> PoseSequence:
        """Slice in time (a slice or a boolean/int index array), keeping every field."""
        if isinstance(key, int | np.integer):
            key = slice(int(key), int(key) + 1)
        return replace(
            self,
            xy=self.xy[key],
            visibility=self.visibility[key],
            t_s=self.t_s[key],
            world=None if self.world is None else self.world[key],
            frame_index=self.frame_index[key],
        )

    def point(self, lm: Landmark) -> np.ndarray:
        """``(T, 2)`` pixel track of one landmark."""
        return self.xy[:, int(lm)]

    @property
    def n_frames(self) -> int:
        return len(self)

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if len(self) > 1 else 0.0

    @property
    def fps(self) -> float:
        """Median frame rate from the timestamps (robust to dropped frames)."""
        if len(self) < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.t_s)))

    def detected(self) -> np.ndarray:
        """``(T,)`` bool: the frame has at least one landmark."""
        return np.isfinite(self.xy[..., 0]).any(axis=1)

    def with_xy(self, xy: np.ndarray, visibility: np.ndarray | None = None) -> PoseSequence:
        return replace(
            self, xy=xy, visibility=self.visibility if visibility is None else visibility
        )


@dataclass(frozen=True)
class Event:
    """A moment in time: ``heel_strike``, ``toe_off``, ``rep_top``, ``view_change`` …"""

    type: str
    t_s: float
    frame: int
    side: str | None = None
    #: How sure the detector is of the event, 0–1 (gait events); None where not judged.
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "side": self.side,
            "t_s": round(self.t_s, 4),
            "frame": self.frame,
        }
        if self.confidence is not None:
            out["confidence"] = round(float(self.confidence), 3)
        return out


@dataclass(frozen=True)
class Flag:
    """A place where form crossed a threshold from the thresholds file."""

    rule: str
    severity: str
    side: str | None
    start_s: float
    end_s: float
    frame: int
    value: float
    threshold: float
    unit: str
    message: str
    source: str = ""
    signal: str | None = None  # the per-frame signal that crossed the threshold, if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "side": self.side,
            "start_s": round(self.start_s, 4),
            "end_s": round(self.end_s, 4),
            "frame": self.frame,
            "value": round(float(self.value), 2),
            "threshold": self.threshold,
            "unit": self.unit,
            "message": self.message,
            "source": self.source,
            "signal": self.signal,
        }


@dataclass(frozen=True)
class Signals:
    """Per-frame measure signals aligned with a :class:`PoseSequence` (NaN where unavailable).

    ``values`` maps machine names with units (``fppa_left_deg``) to ``(T,)`` arrays.
    ``unavailable`` maps a signal name to the reason it could not be measured.
    """

    t_s: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def __contains__(self, name: str) -> bool:
        return name in self.values
