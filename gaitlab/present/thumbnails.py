"""Thumbnails: one person cut out of a frame, to pick who to analyse."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def crop_person(
    image: np.ndarray, bbox_px: Sequence[float], frame_size: tuple[int, int], pad: float = 0.15
) -> np.ndarray:
    """Cut one person out of a (possibly downscaled) frame: ``bbox_px`` is ``(x0, y0, x1,
    y1)`` in the original frame's pixels, grown by ``pad`` of its height on every side."""
    h, w = image.shape[:2]
    sx, sy = w / frame_size[0], h / frame_size[1]
    x0, y0, x1, y1 = (float(v) for v in bbox_px)
    m = pad * (y1 - y0)
    left = int(np.clip((x0 - m) * sx, 0, w - 1))
    right = int(np.clip((x1 + m) * sx, left + 1, w))
    top = int(np.clip((y0 - m) * sy, 0, h - 1))
    bottom = int(np.clip((y1 + m) * sy, top + 1, h))
    return np.ascontiguousarray(image[top:bottom, left:right])
