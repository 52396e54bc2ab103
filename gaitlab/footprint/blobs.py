"""The dark marks on the sheet and the choice of the print among them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy.ndimage import binary_fill_holes

from gaitlab.footprint.segment import MIN_EDGE_STEP, Segmentation, edge_stats


@dataclass(frozen=True)
class Blob:
    """A dark connected mark (holes filled), stored as a crop at ``origin`` (x, y)."""

    sub: np.ndarray = field(repr=False)
    origin: tuple[int, int]
    shape: tuple[int, int]  # the frame's (h, w)
    area: float
    centroid: np.ndarray
    elongation: float
    touches_border: bool

    @property
    def mask(self) -> np.ndarray:
        """Full-frame bool mask."""
        m = np.zeros(self.shape, bool)
        x, y = self.origin
        m[y : y + self.sub.shape[0], x : x + self.sub.shape[1]] = self.sub
        return m

    def edge_stats(self, seg: Segmentation) -> tuple[float, float]:
        return edge_stats(self.sub, seg, self.origin)


def _elongation(pts: np.ndarray) -> float:
    if len(pts) < 5:
        return 1.0
    ev = np.linalg.eigvalsh(np.cov(pts.T))
    return float(math.sqrt(max(ev[1], 1e-9) / max(ev[0], 1e-9)))


def find_blobs(
    mask: np.ndarray, valid: np.ndarray, min_area: float, line_px: int = 0
) -> list[Blob]:
    """The dark marks, largest first. ``line_px`` (odd, px): printed lines thinner than this
    (a form's frame, a centre line, the strokes of a label) are cut off the marks they touch
    and dropped, so that a line running into a print neither joins two prints nor makes a
    print touch the edge."""
    if line_px >= 3:
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (line_px, line_px))
        opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, disk)
    else:
        disk, opened = None, mask.astype(np.uint8)
    n, lab, stats, cents = cv2.connectedComponentsWithStats(opened, connectivity=8)
    edge = ~cv2.erode(valid.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    out = []
    pad = line_px
    H, W = mask.shape
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] < min_area:
            continue
        x, y, w, h = stats[i, :4]
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(W, x + w + pad), min(H, y + h + pad)
        part = (lab[y0:y1, x0:x1] == i).astype(np.uint8)
        if disk is not None:
            # Give back the outline's fine detail that the opening rounded off.
            part = cv2.dilate(part, disk) & mask[y0:y1, x0:x1].astype(np.uint8)
        sub = binary_fill_holes(part.astype(bool))
        iy, ix = np.nonzero(sub)
        out.append(
            Blob(
                sub=sub,
                origin=(int(x0), int(y0)),
                shape=mask.shape,
                area=float(sub.sum()),
                centroid=np.array([ix.mean() + x0, iy.mean() + y0], float),
                elongation=_elongation(np.column_stack([ix, iy]).astype(float)),
                touches_border=bool((sub & edge[y0:y1, x0:x1]).any()),
            )
        )
    out.sort(key=lambda b: -b.area)
    return out


def clear_marks(blobs: list[Blob], seg: Segmentation) -> list[Blob]:
    """The marks whose outline is a clear step down from the paper (a print); texture,
    stains and the edges of shadows step less (:data:`MIN_EDGE_STEP`)."""
    return [b for b in blobs if b.edge_stats(seg)[1] >= MIN_EDGE_STEP]
