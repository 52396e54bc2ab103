"""The dark marks on the sheet and the choice of the print among them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy.ndimage import binary_fill_holes

from gaitlab.footprint.result import RETAKE, FootprintError
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


def find_blobs(mask: np.ndarray, valid: np.ndarray, min_area: float) -> list[Blob]:
    n, lab, stats, cents = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    edge = ~cv2.erode(valid.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    out = []
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] < min_area:
            continue
        x, y, w, h = stats[i, :4]
        sub = binary_fill_holes(lab[y : y + h, x : x + w] == i)
        iy, ix = np.nonzero(sub)
        out.append(
            Blob(
                sub=sub,
                origin=(int(x), int(y)),
                shape=mask.shape,
                area=float(sub.sum()),
                centroid=np.array(cents[i], float),
                elongation=_elongation(np.column_stack([ix, iy]).astype(float)),
                touches_border=bool((sub & edge[y : y + h, x : x + w]).any()),
            )
        )
    out.sort(key=lambda b: -b.area)
    return out


def choose_print(
    blobs: list[Blob], frame_area: float, seg: Segmentation
) -> tuple[np.ndarray, list[Blob]]:
    """The toe-less print (bool mask) and the remaining small blobs; or FootprintError."""
    # Marks whose outline is not a clear step down from the paper are texture or shadow.
    # The largest clear mark sets the scale; smaller ones are checked when used as toes.
    ref = next(
        (
            b
            for b in blobs
            if b.area >= 0.004 * frame_area and b.edge_stats(seg)[1] >= MIN_EDGE_STEP
        ),
        None,
    )
    if ref is None:
        raise FootprintError(
            "no footprint found: the sheet looks blank or the print is too faint. Wet the "
            f"whole sole, stand on the sheet, step off and {RETAKE}"
        )
    big = [
        b
        for b in blobs
        if b is ref or (0.25 * ref.area <= b.area and b.edge_stats(seg)[1] >= MIN_EDGE_STEP)
    ]
    rest = [b for b in blobs if b.area < 0.25 * ref.area]
    if any(b.touches_border for b in big):
        raise FootprintError(
            "the footprint is cut off by the edge of the photo or of the sheet: "
            "step onto the middle of the sheet and " + RETAKE
        )
    feet = [b for b in big if b.elongation >= 1.75]
    if len(feet) >= 2:
        raise FootprintError(
            f"found {len(feet)} footprints: photograph one print at a time "
            "(use a fresh sheet or cover the other print)"
        )
    if len(feet) == 1 and len(big) == 1:
        return big[0].mask, rest
    if len(big) == 2 and not feet:
        # A high arch can leave heel and ball as two separate blobs: accept the pair when
        # together they make a foot-like shape and lie close, one behind the other.
        a, b = big
        both = a.mask | b.mask
        iy, ix = np.nonzero(both)
        pts = np.column_stack([ix, iy]).astype(float)
        el = _elongation(pts)
        length = 4.0 * math.sqrt(max(np.linalg.eigvalsh(np.cov(pts.T))[1], 1e-9))
        gap = float(np.linalg.norm(a.centroid - b.centroid))
        if el >= 1.75 and gap < 0.75 * length:
            return both, rest
    if len(big) >= 2:
        raise FootprintError(
            f"found {len(big)} separate dark marks that could be footprints: photograph one "
            "print at a time on a clean, dry sheet"
        )
    raise FootprintError(
        "no footprint found (the dark mark on the sheet is not foot-shaped): make a "
        f"clearly wet print and {RETAKE}"
    )
