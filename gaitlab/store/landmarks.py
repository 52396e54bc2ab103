"""``landmarks.npz``: every landmark of an analysis, kept with its session for face blurring
and full-body exports.

The caller hands the store plain data (:class:`Landmarks`); the file holds ``t_s (T,)``,
``frame (T,)``, ``xy (T, 33, 2)`` pixels (NaN where not detected), ``visibility (T, 33)``,
``frame_size (2,)`` width, height, and the bystanders as ``others_row (K,)`` +
``others_xy (K, 33, 2)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gaitlab.core.types import PoseSequence


@dataclass(frozen=True)
class Landmarks:
    """The subject's raw detections, every landmark, and the bystanders per frame (as the
    annotated video shows them), in pixels of a ``frame_size`` (width, height) video."""

    pose: PoseSequence
    frame_size: tuple[int, int]
    others: Sequence[Sequence[np.ndarray]] = field(default_factory=list)

    def write(self, path: Path) -> None:
        """Write them as ``landmarks.npz`` (module docstring)."""
        rows: list[int] = []
        others: list[np.ndarray] = []
        for row, people in enumerate(self.others or []):
            for xy in people:
                rows.append(row)
                others.append(np.asarray(xy, dtype=np.float32))
        np.savez_compressed(
            path,
            t_s=np.asarray(self.pose.t_s, dtype=np.float64),
            frame=np.asarray(self.pose.frame_index, dtype=np.int64),
            xy=np.asarray(self.pose.xy, dtype=np.float32),
            visibility=np.asarray(self.pose.visibility, dtype=np.float32),
            frame_size=np.asarray(self.frame_size, dtype=np.int64),
            others_row=np.asarray(rows, dtype=np.int64),
            others_xy=np.stack(others) if others else np.zeros((0, 33, 2), np.float32),
        )
