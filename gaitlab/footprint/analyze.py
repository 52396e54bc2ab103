"""Wet foot test: arch index, Chippaux-Smirak and Staheli indices from a footprint photo.

The user wets a foot, stands on a sheet of paper or cardboard, steps off and photographs the
print from above. :func:`analyze_footprint` finds the print, excludes the toes, draws the
foot axis, divides the toe-less print into thirds along it and measures:

* **arch index** (Cavanagh & Rodgers 1987): area of the middle third / area of the whole
  toe-less print;
* **Chippaux-Smirak index**: narrowest midfoot width / widest forefoot width;
* **Staheli index**: narrowest midfoot width / widest heel width;

and maps the arch index to the programme's three prints (high arch, neutral, collapsed)
with the cut-offs of ``models/thresholds.toml``. :func:`render_overlay` draws what was
measured; :func:`run_footprint` writes ``summary.json`` and ``overlay.png``.

Definitions (the synthetic truth of :mod:`gaitlab.testing.footprints` uses the same ones)
-------------------------------------------------------------------------------------
Foot axis
    From the heel centre to the centre of the second toe's print (MEASURES.md). The heel
    centre is the centroid of the rear ``HEEL_CENTRE_FRACTION`` (20 %) of the toe-less print,
    measured along the axis; axis and heel centre are iterated to a fixed point. When the
    toes did not print as separate blobs the axis is the principal axis of the toe-less print
    through the heel centre (a warning says so).
Toes
    Small blobs in front of the ball of the foot; they are excluded from every measure. The
    largest is the big toe, the second toe is its neighbour.
Length and thirds
    Foot length ``L`` is the extent of the toe-less print along the axis; the thirds are cut
    by lines perpendicular to the axis at ``L/3`` and ``2L/3`` from the back of the heel.
Widths
    Measured perpendicular to the axis, outer edge to outer edge, every pixel along the axis,
    then averaged over ``WIDTH_SMOOTHING_FRACTION`` (3 %) of ``L`` (about 7 mm) so that the
    ragged edge of a wet print and pixel noise do not decide a minimum or maximum. Heel width
    is the largest in the rear third, forefoot width the largest in the front third, midfoot
    width the smallest in the middle third (0 when the midfoot did not touch the ground).
Image
    Pixels, ``x`` right, ``y`` down; arrays are BGR (OpenCV) ``uint8``. All geometry in a
    :class:`FootprintResult` is in the pixels of the photo that was analysed.

Perspective: when the sheet's four edges are visible, the photo is rectified with the
homography that makes the sheet a rectangle (its aspect estimated from the perspective, see
:func:`_sheet_aspect`); otherwise the tilt is not corrected and a warning says so. Left or
right foot comes from the big toe (medial) and from the midfoot contact (lateral); when they
are missing or disagree the side is reported as unknown and must be asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from scipy.ndimage import binary_fill_holes, distance_transform_edt, uniform_filter1d

from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.render.overlay import hershey_text

__all__ = [
    "ARCH_TYPES",
    "FootprintError",
    "FootprintResult",
    "MeasuredWidth",
    "analyze_footprint",
    "classify_arch",
    "render_overlay",
    "run_footprint",
]

ARCH_TYPES = ("high", "neutral", "collapsed")
#: Rear fraction of the toe-less print whose centroid is the heel centre.
HEEL_CENTRE_FRACTION = 0.2
#: Window (fraction of the foot length) over which the width profile is averaged.
WIDTH_SMOOTHING_FRACTION = 0.03
#: A print shorter than this in the photo cannot give indices to ±0.01 (1 px ≈ 1 mm).
MIN_FOOT_LENGTH_PX = 300
#: Edge spread (10–90 % rise) above this fraction of the foot length: too blurred.
MAX_EDGE_SPREAD_FRACTION = 0.025
#: Darkening (relative to the paper) across a blob's outline below which it is paper
#: texture, a stain or a shadow's edge rather than a wet print.
MIN_EDGE_STEP = 0.12
#: An indices' distance to its cut-off below this is called borderline.
BORDERLINE = 0.01
OVERLAY_NAME = "overlay.png"
SUMMARY_NAME = "summary.json"

_RETAKE = (
    "retake the photo from straight above with the whole print and a margin of paper "
    "around it in the frame"
)


class FootprintError(GaitlabError):
    """The photo cannot give a footprint measurement; the message says what to retake."""


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
Point = tuple[float, float]
Segment = tuple[Point, Point]


@dataclass(frozen=True)
class MeasuredWidth:
    """One width across the foot axis: its value and where it was measured.

    ``width_px`` is in the measurement frame (the rectified sheet when the photo was
    rectified, else the photo); ``segment`` runs edge to edge in photo pixels.
    """

    name: str
    label: str
    width_px: float
    segment: Segment


@dataclass(frozen=True)
class FootprintResult:
    """What :func:`analyze_footprint` found. Geometry in photo pixels (x right, y down)."""

    arch_index: float
    chippaux_smirak_index: float
    staheli_index: float
    arch_type: str
    side: str | None
    side_source: str
    side_detected: str | None
    axis: Segment
    thirds: tuple[Segment, Segment, Segment, Segment]
    widths: Mapping[str, MeasuredWidth]
    outline: np.ndarray = field(repr=False)
    toes: tuple[np.ndarray, ...] = field(repr=False)
    foot_length_px: float
    areas_px: Mapping[str, float]
    cutoffs: Mapping[str, dict[str, Any]]
    index_types: Mapping[str, str | None]
    rectified: bool
    image_size: tuple[int, int]
    warnings: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        """The JSON-able part (no outlines)."""
        return {
            "arch_index": round(self.arch_index, 4),
            "chippaux_smirak_index": round(self.chippaux_smirak_index, 4),
            "staheli_index": round(self.staheli_index, 4),
            "arch_type": self.arch_type,
            "side": self.side,
            "side_source": self.side_source,
            "side_detected": self.side_detected,
            "index_types": dict(self.index_types),
            "cutoffs": {k: dict(v) for k, v in self.cutoffs.items()},
            "widths_px": {k: round(w.width_px, 2) for k, w in self.widths.items()},
            "width_segments_px": {
                k: [[round(c, 1) for c in p] for p in w.segment] for k, w in self.widths.items()
            },
            "foot_length_px": round(self.foot_length_px, 2),
            "areas_px": {k: round(v, 1) for k, v in self.areas_px.items()},
            "axis_px": [[round(c, 1) for c in p] for p in self.axis],
            "rectified": self.rectified,
            "toes_excluded": len(self.toes),
            "warnings": list(self.warnings),
            "note": "A footprint is a screening clue for the arch, not a diagnosis.",
        }


# ------------------------------------------------------------------------------------------
# definitions shared with the synthetic truth
# ------------------------------------------------------------------------------------------
def smooth_profile(values: np.ndarray, window: int) -> np.ndarray:
    """Moving average over ``window`` samples (edges repeat the end values)."""
    if window <= 1:
        return np.asarray(values, float)
    out = uniform_filter1d(np.asarray(values, float), int(window), mode="nearest")
    out[np.abs(out) < 1e-9] = 0.0  # a run of zeros stays exactly zero (no rounding residue)
    return out


def classify_arch(arch_index: float, thresholds: Mapping[str, Threshold] | None = None) -> str:
    """Arch type from the arch index: ``"high"`` at or below the low cut-off, ``"collapsed"``
    at or above the high one, ``"neutral"`` between (Cavanagh & Rodgers 1987)."""
    th = (thresholds or load_thresholds())["arch_index"]
    if th.low is None or th.high is None:
        raise GaitlabError("thresholds file: [arch_index] needs low and high")
    if arch_index <= th.low:
        return "high"
    if arch_index >= th.high:
        return "collapsed"
    return "neutral"


# ------------------------------------------------------------------------------------------
# loading and the sheet
# ------------------------------------------------------------------------------------------
def _load_image(image: np.ndarray | str | Path) -> np.ndarray:
    """BGR uint8 from an array or an image file (EXIF orientation applied by OpenCV)."""
    if isinstance(image, str | Path):
        path = Path(image)
        if not path.is_file():
            raise FootprintError(f"cannot open {path}: no such file")
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if img is None:
            raise FootprintError(f"cannot read {path}: not an image OpenCV can decode")
        return img
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise FootprintError(f"image: expected a uint8 array, got {arr.dtype}")
    if arr.ndim == 2:
        arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR)
    elif arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise FootprintError(f"image: expected shape (H, W, 3), got {arr.shape}")
    elif arr.shape[2] == 4:
        arr = cv2.cvtColor(arr, cv2.COLOR_BGRA2BGR)
    if min(arr.shape[:2]) < 64:
        raise FootprintError(f"image is only {arr.shape[1]}×{arr.shape[0]} px: {_RETAKE}")
    return np.ascontiguousarray(arr)


def _order_quad(q: np.ndarray) -> np.ndarray:
    """Corners clockwise (in y-down pixels) starting nearest the image's top-left."""
    c = q.mean(axis=0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])
    q = q[np.argsort(ang)]
    start = int(np.argmin(q.sum(axis=1)))
    return np.roll(q, -start, axis=0)


def _find_sheet(img: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """The sheet: its four corners (photo px, or None when its edges are not all visible)
    and its region (uint8 mask, photo size; the whole photo when no sheet stands out)."""
    h, w = img.shape[:2]
    f = 800.0 / max(h, w)
    small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
    gray = cv2.GaussianBlur(gray, (0, 0), 2.0)
    # Even out broad light falloff so that a dim corner of the sheet stays "bright".
    broad = cv2.GaussianBlur(gray, (0, 0), 0.25 * max(gray.shape))
    norm = gray / (broad + 1e-3)
    norm8 = cv2.normalize(norm, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    _, bright = cv2.threshold(norm8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    full = np.full((h, w), 255, np.uint8)
    if not contours:
        return None, full
    cnt = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(cnt)
    if area < 0.08 * small.shape[0] * small.shape[1]:
        return None, full
    # The sheet is convex: its hull also covers a print that cuts into its bright outline
    # where the print meets the edge of the photo.
    hull = cv2.convexHull(cnt)
    region = np.zeros(small.shape[:2], np.uint8)
    cv2.drawContours(region, [hull], -1, 255, cv2.FILLED)
    region_full = cv2.resize(region, (w, h), interpolation=cv2.INTER_NEAREST)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(quad) != 4 or not cv2.isContourConvex(quad.reshape(-1, 1, 2)):
        return None, region_full
    # A "side" lying on the photo's border means the sheet runs out of the frame.
    sw, sh = small.shape[1] - 1, small.shape[0] - 1
    q = quad.astype(float)
    for a, b in zip(q, np.roll(q, -1, axis=0), strict=True):
        for k, lim in ((0, 0), (0, sw), (1, 0), (1, sh)):
            if abs(a[k] - lim) < 4 and abs(b[k] - lim) < 4:
                return None, region_full
    corners = _refine_quad(img, _order_quad(q / f))
    return corners, region_full


def _refine_quad(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Sub-pixel sheet corners: fit a line to the strongest edge along each rough side."""
    gray = cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.2)
    reach = max(4.0, 0.012 * math.hypot(*img.shape[:2]))
    ks = np.arange(-reach, reach + 0.5, 0.5)
    lines = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        d = (b - a) / np.linalg.norm(b - a)
        n = np.array([-d[1], d[0]])
        fr = np.linspace(0.08, 0.92, 60)
        base = a[None, :] + fr[:, None] * (b - a)[None, :]
        pts = base[:, None, :] + ks[None, :, None] * n[None, None, :]
        prof = cv2.remap(
            gray,
            pts[..., 0].astype(np.float32),
            pts[..., 1].astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        grad = np.abs(np.gradient(prof, axis=1))
        j = np.argmax(grad, axis=1)
        jj = np.clip(j, 1, ks.size - 2)
        g0, g1, g2 = (grad[np.arange(fr.size), jj + o] for o in (-1, 0, 1))
        off = 0.5 * (g0 - g2) / np.where(np.abs(g0 - 2 * g1 + g2) > 1e-9, g0 - 2 * g1 + g2, 1e-9)
        edge = base + ((ks[jj] + 0.5 * np.clip(off, -1, 1))[:, None]) * n[None, :]
        good = grad[np.arange(fr.size), jj] > 0.3 * np.median(grad[np.arange(fr.size), jj])
        edge = edge[good]
        if len(edge) < 6:
            return quad
        line = cv2.fitLine(edge.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append(line)
    out = []
    for k in range(4):
        (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = lines[k - 1], lines[k]
        A = np.array([[vx1, -vx2], [vy1, -vy2]])
        if abs(np.linalg.det(A)) < 1e-6:
            return quad
        s, _ = np.linalg.solve(A, np.array([x2 - x1, y2 - y1]))
        out.append([x1 + s * vx1, y1 + s * vy1])
    refined = np.array(out)
    if np.max(np.linalg.norm(refined - quad, axis=1)) > 2 * reach:
        return quad
    return refined


def _sheet_aspect(quad: np.ndarray, size: tuple[int, int]) -> float:
    """Width / height of the real sheet from its four imaged corners.

    Zhang & He (2007, "Whiteboard scanning and image enhancement") recover the focal length
    and the rectangle's aspect from the perspective, with the principal point at the image
    centre. When the view is nearly straight-on that is ill-conditioned and the mean ratio of
    opposite sides is used instead (then the perspective is weak and so is its effect).
    """
    tl, tr, br, bl = quad
    side_ratio = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / (
        np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)
    )
    m1, m2, m3, m4 = (np.array([p[0], p[1], 1.0]) for p in (tl, tr, bl, br))
    k2 = np.dot(np.cross(m1, m4), m3) / np.dot(np.cross(m2, m4), m3)
    k3 = np.dot(np.cross(m1, m4), m2) / np.dot(np.cross(m3, m4), m2)
    n2, n3 = k2 * m2 - m1, k3 * m3 - m1
    u0, v0 = 0.5 * size[0], 0.5 * size[1]
    den = n2[2] * n3[2]
    if abs(den) < 1e-12:
        return float(side_ratio)
    f2 = (
        -(
            (n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0**2)
            + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0**2)
        )
        / den
    )
    longest = max(size)
    if not (0.3 * longest) ** 2 < f2 < (6.0 * longest) ** 2:
        return float(side_ratio)
    Ainv = np.array(
        [
            [1 / math.sqrt(f2), 0, -u0 / math.sqrt(f2)],
            [0, 1 / math.sqrt(f2), -v0 / math.sqrt(f2)],
            [0, 0, 1],
        ]
    )
    a2, a3 = Ainv @ n2, Ainv @ n3
    ratio = math.sqrt(float(a2 @ a2) / float(a3 @ a3))
    if not 0.5 * side_ratio < ratio < 2.0 * side_ratio:
        return float(side_ratio)
    return ratio


@dataclass(frozen=True)
class _Frame:
    """The measurement frame: the rectified sheet, or the (scaled) photo."""

    bgr: np.ndarray
    valid: np.ndarray  # bool: pixels where a print may be
    to_frame: np.ndarray  # 3×3, photo px → frame px
    rectified: bool

    def to_photo(self, pts: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts, float).reshape(-1, 2)
        Hinv = np.linalg.inv(self.to_frame)
        q = np.column_stack([pts, np.ones(len(pts))]) @ Hinv.T
        return q[:, :2] / q[:, 2:3]


def _make_frame(img: np.ndarray, warnings: list[str]) -> _Frame:
    h, w = img.shape[:2]
    quad, region = _find_sheet(img)
    if quad is not None:
        aspect = _sheet_aspect(quad, (w, h))
        tl, tr, br, bl = quad
        long_px = max(
            np.linalg.norm(tr - tl),
            np.linalg.norm(br - bl),
            np.linalg.norm(bl - tl),
            np.linalg.norm(br - tr),
        )
        long_px = float(np.clip(long_px, 800, 2400))
        if aspect >= 1:
            fw, fh = long_px, long_px / aspect
        else:
            fw, fh = long_px * aspect, long_px
        fw, fh = int(round(fw)), int(round(fh))
        dst = np.array([[0, 0], [fw, 0], [fw, fh], [0, fh]], np.float32) - 0.5
        H = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
        bgr = cv2.warpPerspective(
            img, H, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        valid = np.zeros((fh, fw), bool)
        m = max(3, int(0.008 * min(fw, fh)))
        valid[m:-m, m:-m] = True
        return _Frame(bgr, valid, H, True)
    warnings.append(
        "the sheet's four edges are not all visible, so camera tilt is not corrected: "
        "photograph from straight above with the whole sheet in view"
    )
    f = min(1.0, 2000.0 / max(h, w))
    S = np.diag([f, f, 1.0])
    bgr = (
        img
        if f == 1.0
        else cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    )
    valid = cv2.resize(region, (bgr.shape[1], bgr.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    valid = cv2.erode(valid.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    valid[:1, :] = valid[-1:, :] = False
    valid[:, :1] = valid[:, -1:] = False
    return _Frame(bgr, valid, S, False)


# ------------------------------------------------------------------------------------------
# segmentation
# ------------------------------------------------------------------------------------------
def _odd(n: float) -> int:
    n = max(3, int(round(n)))
    return n if n % 2 else n + 1


def _flatten(gray: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Divide out uneven light and shadows: ``gray / background``.

    The background is a morphological closing (on a reduced copy) with a square larger than
    any square that fits inside the print, so the closing erases the print but follows light
    gradients and broad shadows; a first Otsu segmentation sizes the square.
    """
    h, w = gray.shape
    f = 240.0 / min(h, w)
    sw, sh = max(8, round(w * f)), max(8, round(h * f))
    small = cv2.resize(gray, (sw, sh), interpolation=cv2.INTER_AREA)
    vsmall = cv2.resize(valid.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST) > 0
    if not vsmall.any():
        vsmall[:] = True
    # Fill the invalid border from the nearest valid pixel so it does not bias the closing.
    _, (iy, ix) = distance_transform_edt(~vsmall, return_indices=True)
    small = small[iy, ix]
    s8 = cv2.normalize(small, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    _, dark = cv2.threshold(s8, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    dark &= vsmall.astype(np.uint8) * 255
    n, lab, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    side = min(sw, sh)
    k = 0.35 * side
    if n > 1:
        big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        blob = cv2.morphologyEx(
            (lab == big).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)
        )
        blob = binary_fill_holes(blob).astype(np.uint8)
        d = 2.0 * float(cv2.distanceTransform(blob, cv2.DIST_L2, 5).max())
        k = 1.3 * d + 4
    k = float(np.clip(k, 0.25 * side, 0.7 * side))
    K = _odd(k)
    # Replicate the border first: a shadow in a corner of the sheet then continues outward
    # instead of looking like a small dark patch that the closing would erase.
    padded = cv2.copyMakeBorder(small, K, K, K, K, cv2.BORDER_REPLICATE)
    bg = cv2.morphologyEx(
        padded, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (K, K))
    )
    bg = cv2.GaussianBlur(bg, (0, 0), K / 6.0)[K:-K, K:-K]
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_CUBIC)
    return gray / np.maximum(bg, 1e-3)


@dataclass(frozen=True)
class _Segmentation:
    ratio: np.ndarray  # float32, paper ≈ 1, print darker
    mask: np.ndarray  # bool
    threshold: float
    paper_level: float
    print_level: float


def _segment(frame: _Frame) -> _Segmentation:
    gray = cv2.cvtColor(frame.bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    ratio = _flatten(gray, frame.valid)
    ratio = cv2.medianBlur(ratio.astype(np.float32), 5)
    vals = ratio[frame.valid]
    lo, hi = np.percentile(vals, [0.1, 99.9])
    r8 = np.clip((ratio - lo) / max(hi - lo, 1e-6) * 255, 0, 255).astype(np.uint8)
    t8, _ = cv2.threshold(
        r8[frame.valid].reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    t_otsu = lo + (t8 + 0.5) / 255.0 * (hi - lo)
    rough = (ratio < t_otsu) & frame.valid
    rough = cv2.morphologyEx(rough.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    n, lab, stats, _ = cv2.connectedComponentsWithStats(rough, connectivity=8)
    paper_mask = frame.valid & ~cv2.dilate(rough, np.ones((9, 9), np.uint8)).astype(bool)
    paper_level = float(np.median(ratio[paper_mask])) if paper_mask.any() else 1.0
    if n <= 1:
        return _Segmentation(ratio, np.zeros_like(frame.valid), t_otsu, paper_level, paper_level)
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    core = cv2.erode((lab == big).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    if core.sum() < 50:
        return _Segmentation(ratio, np.zeros_like(frame.valid), t_otsu, paper_level, paper_level)
    print_level = float(np.median(ratio[core]))
    # Half-way between paper and print: where a blurred edge crosses, for any blur.
    thr = 0.5 * (paper_level + print_level)
    mask = (ratio < thr) & frame.valid
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    return _Segmentation(ratio, mask, thr, paper_level, print_level)


# ------------------------------------------------------------------------------------------
# choosing the print
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Blob:
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

    def edge_stats(self, seg: _Segmentation) -> tuple[float, float]:
        return _edge_stats(self.sub, seg, self.origin)


def _elongation(pts: np.ndarray) -> float:
    if len(pts) < 5:
        return 1.0
    ev = np.linalg.eigvalsh(np.cov(pts.T))
    return float(math.sqrt(max(ev[1], 1e-9) / max(ev[0], 1e-9)))


def _blobs(mask: np.ndarray, valid: np.ndarray, min_area: float) -> list[_Blob]:
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
            _Blob(
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


def _choose_print(
    blobs: list[_Blob], frame_area: float, seg: _Segmentation
) -> tuple[np.ndarray, list[_Blob]]:
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
            f"whole sole, stand on the sheet, step off and {_RETAKE}"
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
            "step onto the middle of the sheet and " + _RETAKE
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
        f"clearly wet print and {_RETAKE}"
    )


# ------------------------------------------------------------------------------------------
# axis, thirds, widths
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Axis:
    heel: np.ndarray
    u: np.ndarray  # unit, heel → toes
    toe_point: np.ndarray | None  # second-toe centre (None: principal-axis fallback)
    toes: list[_Blob]
    big_toe: _Blob | None

    @property
    def v(self) -> np.ndarray:
        """Perpendicular: lateral for a right foot, medial for a left one."""
        return np.array([-self.u[1], self.u[0]])


def _heel_centre(P: np.ndarray, u: np.ndarray) -> np.ndarray:
    t = P @ u
    rear = t <= t.min() + HEEL_CENTRE_FRACTION * (t.max() - t.min())
    return P[rear].mean(axis=0)


def _find_axis(
    main: np.ndarray, small: list[_Blob], seg: _Segmentation, warnings: list[str]
) -> _Axis:
    iy, ix = np.nonzero(main)
    P = np.column_stack([ix, iy]).astype(float)
    c = P.mean(axis=0)
    evals, evecs = np.linalg.eigh(np.cov(P.T))
    e = evecs[:, 1]
    t = (P - c) @ e
    s = (P - c) @ np.array([-e[1], e[0]])
    half = 0.5 * (t.max() - t.min())
    length = t.max() - t.min()
    width = s.max() - s.min()
    main_area = float(main.sum())

    def toes_at(sign: float) -> list[_Blob]:
        out = []
        for b in small:
            if not 0.001 * main_area <= b.area <= 0.12 * main_area:
                continue
            q = b.centroid - c
            tq, sq = sign * float(q @ e), float(q @ np.array([-e[1], e[0]]))
            if 0.7 * half < tq < half + 0.3 * length and abs(sq) < 0.8 * width:
                if b.edge_stats(seg)[1] >= MIN_EDGE_STEP:
                    out.append(b)
        return out

    front, back = toes_at(1.0), toes_at(-1.0)
    if sum(b.area for b in front) == sum(b.area for b in back) == 0:
        # No toes: the ball of the foot is wider than the heel.
        ends = np.quantile(t, [0.2, 0.8])
        w_lo = np.ptp(s[t <= ends[0]]) if np.any(t <= ends[0]) else 0.0
        w_hi = np.ptp(s[t >= ends[1]]) if np.any(t >= ends[1]) else 0.0
        sign = 1.0 if w_hi >= w_lo else -1.0
        toes: list[_Blob] = []
    else:
        sign = 1.0 if sum(b.area for b in front) >= sum(b.area for b in back) else -1.0
        toes = front if sign > 0 else back
    u = sign * e
    heel = _heel_centre(P, u)
    if any(b.touches_border for b in toes):
        warnings.append(
            "some toe prints run off the sheet or the photo: the foot axis and the side may "
            "be off; leave room in front of the toes next time"
        )
    big = max(toes, key=lambda b: b.area) if toes else None
    second = None
    if len(toes) >= 2:
        v = np.array([-u[1], u[0]])
        order = sorted(toes, key=lambda b: float((b.centroid - heel) @ v))
        i = next(k for k, b in enumerate(order) if b is big)
        neighbours = [order[k] for k in (i - 1, i + 1) if 0 <= k < len(order)]
        second = min(neighbours, key=lambda b: float(np.linalg.norm(b.centroid - big.centroid)))
    if second is None:
        warnings.append(
            "the toes did not print as separate marks, so the foot axis is the print's "
            "long axis rather than heel-to-second-toe; if the toes are in the print, joined to "
            "the ball of the foot, they could not be left out and the arch index includes "
            "them, which reads it too high (a collapsed arch where there is none): retake "
            "with the toes spread"
            if not toes
            else "fewer than two toe prints found: the foot axis is the print's long axis"
        )
        return _Axis(heel, u, None, toes, big)
    toe_pt = second.centroid
    for _ in range(6):
        u_new = (toe_pt - heel) / np.linalg.norm(toe_pt - heel)
        heel_new = _heel_centre(P, u_new)
        done = np.linalg.norm(heel_new - heel) < 0.01
        u, heel = u_new, heel_new
        if done:
            break
    u = (toe_pt - heel) / np.linalg.norm(toe_pt - heel)
    return _Axis(heel, u, toe_pt, toes, big)


@dataclass(frozen=True)
class _Measure:
    t_min: float
    t_max: float
    areas: dict[str, float]
    widths: dict[str, tuple[float, float, float, float]]  # name → (width, t, s_lo, s_hi)
    ts: np.ndarray
    profile: np.ndarray
    s_lo: np.ndarray
    s_hi: np.ndarray


def _measure(main: np.ndarray, seg: _Segmentation, ax: _Axis, spread: float) -> _Measure:
    iy, ix = np.nonzero(main)
    P = np.column_stack([ix, iy]).astype(float) - ax.heel
    t, s = P @ ax.u, P @ ax.v
    t_min, t_max = t.min() - 0.5, t.max() + 0.5
    L = t_max - t_min
    t1, t2 = t_min + L / 3, t_min + 2 * L / 3
    areas = {
        "heel_third": float(np.count_nonzero(t < t1)),
        "middle_third": float(np.count_nonzero((t >= t1) & (t < t2))),
        "front_third": float(np.count_nonzero(t >= t2)),
    }
    # Resample the flattened photo on a grid aligned with the axis, 1 px steps.
    ts = np.arange(t_min, t_max, 1.0) + 0.5
    pad = 6.0 + max(12.0, 1.6 * spread)
    ss = np.arange(s.min() - pad, s.max() + pad + 0.5, 1.0)
    TT, SS = np.meshgrid(ts, ss)
    mx = (ax.heel[0] + TT * ax.u[0] + SS * ax.v[0]).astype(np.float32)
    my = (ax.heel[1] + TT * ax.u[1] + SS * ax.v[1]).astype(np.float32)
    r = cv2.remap(seg.ratio, mx, my, cv2.INTER_LINEAR, borderValue=float(seg.paper_level))
    region = cv2.dilate(main.astype(np.uint8), np.ones((7, 7), np.uint8))
    reg = cv2.remap(region, mx, my, cv2.INTER_NEAREST, borderValue=0) > 0
    cols = np.arange(ts.size)
    rows = np.arange(ss.size)[:, None]
    window = max(1, int(round(WIDTH_SMOOTHING_FRACTION * L)))

    def edges(thr: np.ndarray | float):
        inside = (r < thr) & reg
        has = inside.any(axis=0)
        first = np.argmax(inside, axis=0)
        last = inside.shape[0] - 1 - np.argmax(inside[::-1], axis=0)
        return has, first, last

    # The wetness of a print varies (the midfoot is often lighter than heel and ball), so
    # each cross-section's edges are found half-way between its own print and paper levels.
    # Levels are sampled beyond the blurred edge (``spread`` is its 10–90 % width).
    has, first, last = edges(seg.threshold)
    a, b = int(math.ceil(max(5.0, 0.8 * spread))), int(math.ceil(max(12.0, 1.6 * spread)))
    core = (rows >= first + a) & (rows <= last - a) & has & (r < seg.threshold)
    near = ((rows >= first - b) & (rows <= first - a)) | ((rows >= last + a) & (rows <= last + b))
    near &= has & ~reg
    p_col = _column_level(r, core, seg.print_level, window)
    q_col = _column_level(r, near, seg.paper_level, window)
    thr = 0.5 * (p_col + q_col)
    has, first, last = edges(thr)

    def cross(idx: np.ndarray, step: int) -> np.ndarray:
        """Sub-pixel crossing between ``idx`` (inside) and ``idx - step`` (outside)."""
        out_i = np.clip(idx - step, 0, ss.size - 1)
        r_in, r_out = r[idx, cols], r[out_i, cols]
        frac = np.clip((r_out - thr) / np.maximum(r_out - r_in, 1e-6), 0.0, 1.0)
        return ss[out_i] + step * frac

    s_lo = np.where(has, cross(first, 1), 0.0)
    s_hi = np.where(has, cross(last, -1), 0.0)
    raw = np.where(has, s_hi - s_lo, 0.0)
    prof = smooth_profile(raw, window)
    rear3, mid3, front3 = ts < t1, (ts >= t1) & (ts < t2), ts >= t2

    def pick(sel: np.ndarray, fn) -> tuple[float, float, float, float]:
        idx = np.flatnonzero(sel)
        best = prof[idx][fn(prof[idx])]
        ties = idx[np.abs(prof[idx] - best) <= 1e-6]
        j = ties[len(ties) // 2]  # the middle of a run of equal values (a zero-width gap)
        half_w = 0.5 * prof[j]
        mid = 0.5 * (s_lo[j] + s_hi[j]) if has[j] else 0.0
        return float(prof[j]), float(ts[j]), float(mid - half_w), float(mid + half_w)

    widths = {
        "forefoot": pick(front3, np.argmax),
        "midfoot": pick(mid3, np.argmin),
        "heel": pick(rear3, np.argmax),
    }
    return _Measure(t_min, t_max, areas, widths, ts, prof, s_lo, s_hi)


def _column_level(r: np.ndarray, sel: np.ndarray, fallback: float, window: int) -> np.ndarray:
    """Median of ``r`` over ``sel`` in each column, averaged along the axis; ``fallback``
    where a column has too few samples."""
    count = sel.sum(axis=0)
    vals = np.where(sel & (count >= 3), r, np.nan)
    med = np.full(r.shape[1], np.nan)
    some = count >= 3
    if some.any():
        med[some] = np.nanmedian(vals[:, some], axis=0)
    ok = np.isfinite(med)
    if not ok.any():
        return np.full(r.shape[1], fallback)
    w = smooth_profile(ok.astype(float), window)
    m = smooth_profile(np.where(ok, med, 0.0), window)
    return np.where(w > 0.2, m / np.maximum(w, 1e-9), fallback)


def _edge_stats(
    mask: np.ndarray, seg: _Segmentation, origin: tuple[int, int] = (0, 0)
) -> tuple[float, float]:
    """Across a blob's outline: the median 10–90 % rise distance (px, a blur measure) and
    the median step from inside to outside (print darkness where it meets the paper; a
    patch of paper texture or a shadow has a small step).

    Profiles reach 3 % of the blob's size each way; a rise that fills much of that window
    (a blurred photo) is measured again over a longer one.
    """
    reach = max(8.0, 0.03 * math.sqrt(mask.sum()))
    spread, step = _edge_profiles(mask, seg, reach, origin)
    for _ in range(3):
        if spread <= 0.4 * reach:
            break
        # The window may cut the rise short: widen it, and keep the new value only if it
        # grew clearly (a longer window also picks up texture and neighbouring marks).
        reach *= 2.0
        longer = _edge_profiles(mask, seg, reach, origin)[0]
        if longer < 1.3 * spread:
            break
        spread = longer
    return spread, step


def _edge_profiles(
    mask: np.ndarray, seg: _Segmentation, reach: float, origin: tuple[int, int]
) -> tuple[float, float]:
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cnt = max(contours, key=len).reshape(-1, 2).astype(float)
    n = len(cnt)
    if n < 40:
        return 0.0, 0.0
    idx = np.linspace(0, n, 120, endpoint=False).astype(int)
    k = max(3, n // 100)
    tang = cnt[(idx + k) % n] - cnt[(idx - k) % n]
    tang /= np.maximum(np.linalg.norm(tang, axis=1, keepdims=True), 1e-9)
    nrm = np.column_stack([tang[:, 1], -tang[:, 0]])
    # Point every normal outwards (test a few pixels along it against the mask).
    probe = np.round(cnt[idx] + 3.0 * nrm).astype(int)
    probe[:, 0] = np.clip(probe[:, 0], 0, mask.shape[1] - 1)
    probe[:, 1] = np.clip(probe[:, 1], 0, mask.shape[0] - 1)
    nrm[mask[probe[:, 1], probe[:, 0]]] *= -1
    ks = np.arange(-reach, reach + 0.25, 0.5)
    pts = (cnt[idx] + origin)[:, None, :] + ks[None, :, None] * nrm[:, None, :]
    prof = cv2.remap(
        seg.ratio,
        pts[..., 0].astype(np.float32),
        pts[..., 1].astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    q = max(2, ks.size // 4)
    inner, outer = prof[:, :q].mean(axis=1), prof[:, -q:].mean(axis=1)
    step = outer - inner
    spreads = []
    for row, a, b in zip(prof, inner, outer, strict=True):
        if b - a < 0.5 * max(np.median(step), 1e-6):
            continue
        z = np.maximum.accumulate(np.clip((row - a) / (b - a), 0, 1))
        spreads.append(np.interp(0.9, z, ks) - np.interp(0.1, z, ks))
    return (float(np.median(spreads)) if spreads else 0.0), float(np.median(step))


# ------------------------------------------------------------------------------------------
# side, cut-offs
# ------------------------------------------------------------------------------------------
def _detect_side(ax: _Axis, m: _Measure) -> tuple[str | None, list[str]]:
    """Left or right from the big toe (medial) and the midfoot contact (lateral).

    With ``v`` the axis turned 90° (x right, y down), a right foot's lateral side is ``+v``:
    the big toe lies at ``v < 0`` and the midfoot band at ``v > 0``; a left foot mirrors.
    The arch cue is used only when there is an arch (midfoot clearly narrower than the
    heel): a collapsed midfoot bulges medially and would point the wrong way.
    """
    heel_w, mid_w = m.widths["heel"][0], m.widths["midfoot"][0]
    toe_vote = arch_vote = None
    if ax.big_toe is not None and len(ax.toes) >= 3 and not any(b.touches_border for b in ax.toes):
        areas = sorted((b.area for b in ax.toes), reverse=True)
        s_big = float((ax.big_toe.centroid - ax.heel) @ ax.v)
        if areas[0] >= 1.3 * areas[1] and abs(s_big) > 0.1 * heel_w:
            toe_vote = "right" if s_big < 0 else "left"
    L = m.t_max - m.t_min
    sel = (m.ts > m.t_min + 5 * L / 12) & (m.ts < m.t_min + 7 * L / 12) & (m.profile > 0)
    if np.count_nonzero(sel) > 3 and mid_w < 0.85 * heel_w:
        offset = float(np.mean(0.5 * (m.s_lo[sel] + m.s_hi[sel])))
        if abs(offset) > 0.08 * heel_w:
            arch_vote = "right" if offset > 0 else "left"
    if toe_vote and arch_vote and toe_vote != arch_vote:
        return None, ["the big toe and the arch point to different feet"]
    return toe_vote or arch_vote, []


def _cutoffs(
    thresholds: Mapping[str, Threshold], age_years: float | None, warnings: list[str]
) -> dict[str, dict[str, Any]]:
    ai = thresholds["arch_index"]
    out: dict[str, dict[str, Any]] = {
        "arch_index": {
            "high_arch_at_or_below": ai.low,
            "collapsed_at_or_above": ai.high,
            "source": ai.source,
            "provisional": ai.provisional,
        }
    }
    csi_key, si_key = "chippaux_smirak_index", "staheli_index"
    if age_years is not None and age_years < 17:
        warnings.append("the arch-index cut-offs are for adults; read them with care for a child")
        if age_years < 3:
            csi_key = si_key = ""
            warnings.append("no validated footprint cut-offs under 3 years: indices not graded")
        elif age_years < 6:
            csi_key, si_key = "chippaux_smirak_index_child_3_7", "staheli_index_child_3_6"
        elif age_years < 9:
            csi_key, si_key = "chippaux_smirak_index_child_6_9", "staheli_index_child_6_9"
        else:
            csi_key, si_key = "chippaux_smirak_index_child_9_16", ""
    for name, key in (("chippaux_smirak_index", csi_key), ("staheli_index", si_key)):
        th = thresholds.get(key) if key else None
        if th is None or th.value is None:
            out[name] = {"collapsed_above": None, "source": None, "provisional": None}
            continue
        out[name] = {
            "collapsed_above": th.value,
            "threshold": key,
            "source": th.source,
            "provisional": th.provisional,
        }
    return out


def _near_cutoffs(
    values: Mapping[str, float], cutoffs: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    out = []
    for name, value in values.items():
        for key in ("high_arch_at_or_below", "collapsed_at_or_above", "collapsed_above"):
            c = cutoffs.get(name, {}).get(key)
            if c is not None and abs(value - c) < BORDERLINE:
                out.append(
                    f"{name.replace('_', ' ')} {value:.3f} is within {BORDERLINE} of its cut-off "
                    f"{c}: borderline, repeat the print"
                )
    return out


# ------------------------------------------------------------------------------------------
# the analysis
# ------------------------------------------------------------------------------------------
def analyze_footprint(
    image: np.ndarray | str | Path,
    *,
    side: str | None = None,
    age_years: float | None = None,
    thresholds: Mapping[str, Threshold] | None = None,
) -> FootprintResult:
    """Measure a wet footprint photographed from above.

    Parameters
    ----------
    image
        BGR ``uint8`` array (OpenCV order; grey is accepted) or a path to an image file.
    side
        ``"left"`` / ``"right"`` when the user knows; ``None`` to detect it. A given side that
        disagrees with the detected one is kept and a warning raised.
    age_years
        Selects the paediatric Chippaux-Smirak / Staheli cut-offs (Banwell et al. 2018)
        under 17; adults' otherwise (and when unknown).
    thresholds
        Cut-offs (default: ``load_thresholds()``).

    Raises
    ------
    FootprintError
        With a one-line message saying what to retake: no footprint, several prints, a print
        cut off by the edge of the photo or sheet, a print too small or too blurred.
    """
    if side not in (None, "left", "right"):
        raise FootprintError(f"side: expected 'left', 'right' or None, got {side!r}")
    thresholds = thresholds if thresholds is not None else load_thresholds()
    img = _load_image(image)
    warnings: list[str] = []
    frame = _make_frame(img, warnings)
    seg = _segment(frame)
    frame_area = float(frame.valid.sum())
    blobs = _blobs(seg.mask, frame.valid, min_area=max(25.0, 2e-4 * frame_area))
    main, small = _choose_print(blobs, frame_area, seg)
    ax = _find_axis(main, small, seg, warnings)
    spread, _ = _edge_stats(main, seg)
    m = _measure(main, seg, ax, spread)
    L = m.t_max - m.t_min

    # Size and sharpness, judged in the photo's own pixels.
    rear = ax.heel + m.t_min * ax.u
    front = ax.heel + m.t_max * ax.u
    ends_photo = frame.to_photo(np.array([rear, front]))
    length_photo = float(np.linalg.norm(ends_photo[1] - ends_photo[0]))
    if length_photo < MIN_FOOT_LENGTH_PX:
        raise FootprintError(
            f"the footprint is too small in the photo ({length_photo:.0f} px long, needs "
            f"{MIN_FOOT_LENGTH_PX}): move closer so the sheet fills the frame and retake"
        )
    if spread > MAX_EDGE_SPREAD_FRACTION * L:
        raise FootprintError(
            f"the photo is too blurred (edges {spread / L:.0%} of the foot length wide): hold "
            "the phone still, tap to focus on the print and retake"
        )
    if length_photo < 2 * MIN_FOOT_LENGTH_PX:
        warnings.append(
            f"the print is only {length_photo:.0f} px long in the photo: indices are less "
            "precise; move closer next time"
        )

    w_fore, w_mid, w_heel = (m.widths[k][0] for k in ("forefoot", "midfoot", "heel"))
    total = sum(m.areas.values())
    arch_index = m.areas["middle_third"] / total
    csi = w_mid / w_fore if w_fore > 0 else float("nan")
    staheli = w_mid / w_heel if w_heel > 0 else float("nan")
    arch_type = classify_arch(arch_index, thresholds)
    cutoffs = _cutoffs(thresholds, age_years, warnings)
    index_types: dict[str, str | None] = {"arch_index": arch_type}
    for name, value in (("chippaux_smirak_index", csi), ("staheli_index", staheli)):
        c = cutoffs[name]["collapsed_above"]
        index_types[name] = None if c is None else ("collapsed" if value > c else "not collapsed")
    flat_votes = [v == "collapsed" for k, v in index_types.items() if k != "arch_index" and v]
    if flat_votes and (arch_type == "collapsed") != any(flat_votes):
        warnings.append(
            "the indices disagree about a collapsed arch (see index_types); footprint indices "
            "are screening clues only"
        )
    warnings += _near_cutoffs(
        {"arch_index": arch_index, "chippaux_smirak_index": csi, "staheli_index": staheli}, cutoffs
    )

    detected, side_warn = _detect_side(ax, m)
    warnings += side_warn
    if side is not None:
        side_source = "given"
        if detected is not None and detected != side:
            warnings.append(f"you said {side} foot but the print looks like a {detected} foot")
        final_side = side
    elif detected is not None:
        side_source, final_side = "detected", detected
    else:
        side_source, final_side = "unknown", None
        warnings.append("could not tell left from right: say which foot it is (side=...)")

    # Geometry back into the photo.
    def seg_photo(a: np.ndarray, b: np.ndarray) -> Segment:
        p = frame.to_photo(np.array([a, b]))
        return ((float(p[0, 0]), float(p[0, 1])), (float(p[1, 0]), float(p[1, 1])))

    s_all = (np.column_stack(np.nonzero(main)[::-1]).astype(float) - ax.heel) @ ax.v
    s_lo_all, s_hi_all = s_all.min() - 0.08 * L, s_all.max() + 0.08 * L
    thirds = tuple(
        seg_photo(ax.heel + tt * ax.u + s_lo_all * ax.v, ax.heel + tt * ax.u + s_hi_all * ax.v)
        for tt in (m.t_min, m.t_min + L / 3, m.t_min + 2 * L / 3, m.t_max)
    )
    labels = {
        "forefoot": "widest forefoot (ball)",
        "midfoot": "narrowest midfoot",
        "heel": "widest heel",
    }
    widths = {
        k: MeasuredWidth(
            name=k,
            label=labels[k],
            width_px=w,
            segment=seg_photo(ax.heel + tt * ax.u + lo * ax.v, ax.heel + tt * ax.u + hi * ax.v),
        )
        for k, (w, tt, lo, hi) in m.widths.items()
    }
    toe_end = ax.toe_point if ax.toe_point is not None else ax.heel + m.t_max * ax.u
    contours, _ = cv2.findContours(
        main.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    outline = [frame.to_photo(c.reshape(-1, 2).astype(float)) for c in contours]
    toe_outlines = []
    for b in ax.toes:
        cs, _ = cv2.findContours(
            b.mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
        )
        toe_outlines.append(frame.to_photo(max(cs, key=len).reshape(-1, 2).astype(float)))
    return FootprintResult(
        arch_index=float(arch_index),
        chippaux_smirak_index=float(csi),
        staheli_index=float(staheli),
        arch_type=arch_type,
        side=final_side,
        side_source=side_source,
        side_detected=detected,
        axis=seg_photo(ax.heel, toe_end),
        thirds=thirds,  # type: ignore[arg-type]
        widths=widths,
        outline=np.concatenate(outline) if len(outline) == 1 else _stack_outlines(outline),
        toes=tuple(toe_outlines),
        foot_length_px=float(L),
        areas_px=m.areas,
        cutoffs=cutoffs,
        index_types=index_types,
        rectified=frame.rectified,
        image_size=(img.shape[1], img.shape[0]),
        warnings=tuple(warnings),
    )


def _stack_outlines(parts: list[np.ndarray]) -> np.ndarray:
    """Several outline pieces (a print split at the arch) as one array, NaN-separated."""
    sep = np.full((1, 2), np.nan)
    out: list[np.ndarray] = []
    for p in parts:
        out += [p, sep]
    return np.concatenate(out[:-1])


# ------------------------------------------------------------------------------------------
# drawing and writing
# ------------------------------------------------------------------------------------------
_COL = {
    "outline": (60, 200, 60),
    "toes": (150, 150, 150),
    "axis": (230, 140, 20),
    "thirds": (0, 200, 255),
    "forefoot": (200, 60, 220),
    "midfoot": (40, 40, 230),
    "heel": (200, 60, 220),
    "text": (255, 255, 255),
    "panel": (40, 40, 40),
}


def _ipt(p: Point) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def render_overlay(image: np.ndarray, result: FootprintResult) -> np.ndarray:
    """Draw the print outline, excluded toes, foot axis, thirds and the three widths, with
    the index values, on a copy of ``image`` (BGR, the photo that was analysed)."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[1] != result.image_size[0] or img.shape[0] != result.image_size[1]:
        raise ValueError(
            f"image: expected the analysed photo's size {result.image_size}, "
            f"got {(img.shape[1], img.shape[0])}"
        )
    out = img.copy()
    h, w = out.shape[:2]
    th = max(2, round(max(h, w) / 600))
    fs = max(0.5, max(h, w) / 1800)

    pieces = np.split(result.outline, np.flatnonzero(np.isnan(result.outline[:, 0])))
    for p in pieces:
        p = p[~np.isnan(p[:, 0])]
        if len(p) > 2:
            cv2.polylines(
                out, [np.round(p).astype(np.int32)], True, _COL["outline"], th, cv2.LINE_AA
            )
    for t in result.toes:
        cv2.polylines(out, [np.round(t).astype(np.int32)], True, _COL["toes"], th, cv2.LINE_AA)
        c, d = t.mean(axis=0), 4 * th
        for sx in (-1, 1):  # a cross: excluded from the measures
            cv2.line(
                out, _ipt(c - (d, sx * d)), _ipt(c + (d, sx * d)), _COL["toes"], th, cv2.LINE_AA
            )
    for a, b in result.thirds:
        cv2.line(out, _ipt(a), _ipt(b), _COL["thirds"], th, cv2.LINE_AA)
    a, b = result.axis
    cv2.line(out, _ipt(a), _ipt(b), _COL["axis"], th, cv2.LINE_AA)
    cv2.circle(out, _ipt(a), 3 * th, _COL["axis"], -1, cv2.LINE_AA)
    cv2.circle(out, _ipt(b), 3 * th, _COL["axis"], -1, cv2.LINE_AA)
    for key, tag in (("forefoot", "A"), ("midfoot", "B"), ("heel", "C")):
        mw = result.widths[key]
        p, q = mw.segment
        cv2.line(out, _ipt(p), _ipt(q), _COL[key], th + 1, cv2.LINE_AA)
        for e in (p, q):
            cv2.circle(out, _ipt(e), 2 * th, _COL[key], -1, cv2.LINE_AA)
        end = p if key == "midfoot" else q  # B on the other side: it is often close to C
        _label(out, tag, (end[0] + 4 * th, end[1]), fs * 1.1, _COL[key], th)

    lines = [
        f"arch index {result.arch_index:.3f}  ->  {result.arch_type} arch",
        f"Chippaux-Smirak B/A {result.chippaux_smirak_index:.3f}",
        f"Staheli B/C {result.staheli_index:.3f}",
        f"foot: {result.side or 'unknown (say which)'}"
        + (" (detected)" if result.side_source == "detected" else ""),
    ]
    c = result.cutoffs["arch_index"]
    lines.append(
        f"high <= {c['high_arch_at_or_below']}  collapsed >= {c['collapsed_at_or_above']}"
        + (" (provisional)" if c.get("provisional") else "")
    )
    lines.append("A/B/C widths, lines: thirds; screening only")
    _panel(out, lines, fs, th, result)
    return out


def _label(img: np.ndarray, text: str, org: Point, fs: float, color, th: int) -> None:
    o = _ipt(org)
    text = hershey_text(text)
    cv2.putText(img, text, o, cv2.FONT_HERSHEY_SIMPLEX, fs, (0, 0, 0), th + 2, cv2.LINE_AA)
    cv2.putText(img, text, o, cv2.FONT_HERSHEY_SIMPLEX, fs, color, th, cv2.LINE_AA)


def _panel(img: np.ndarray, lines: list[str], fs: float, th: int, result: FootprintResult) -> None:
    h, w = img.shape[:2]
    lines = [hershey_text(s) for s in lines]
    sizes = [cv2.getTextSize(s, cv2.FONT_HERSHEY_SIMPLEX, fs, 1)[0] for s in lines]
    lh = int(max(s[1] for s in sizes) * 1.8)
    pw = max(s[0] for s in sizes) + 2 * lh // 2
    ph = lh * len(lines) + lh // 2
    pts = np.concatenate([result.outline[~np.isnan(result.outline[:, 0])], *result.toes])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    best, best_overlap = (8, 8), float("inf")
    for cx, cy in ((8, 8), (w - pw - 8, 8), (8, h - ph - 8), (w - pw - 8, h - ph - 8)):
        ox = max(0.0, min(cx + pw, x1) - max(cx, x0))
        oy = max(0.0, min(cy + ph, y1) - max(cy, y0))
        if ox * oy < best_overlap:
            best, best_overlap = (cx, cy), ox * oy
    cx, cy = max(0, best[0]), max(0, best[1])
    roi = img[cy : cy + ph, cx : cx + pw]
    roi[:] = (0.35 * roi + 0.65 * np.array(_COL["panel"])).astype(np.uint8)
    for i, s in enumerate(lines):
        cv2.putText(
            img,
            s,
            (cx + lh // 2, cy + lh * (i + 1)),
            cv2.FONT_HERSHEY_SIMPLEX,
            fs,
            _COL["text"],
            max(1, th // 2),
            cv2.LINE_AA,
        )


def run_footprint(
    path: str | Path,
    out_dir: str | Path,
    *,
    side: str | None = None,
    age_years: float | None = None,
) -> dict[str, Any]:
    """Analyse a footprint photo and write ``summary.json`` and ``overlay.png`` to
    ``out_dir`` (atomically: both or neither). Returns the summary."""
    from gaitlab import __version__
    from gaitlab.io.export import staged_output, write_json

    path = Path(path)
    img = _load_image(path)
    result = analyze_footprint(img, side=side, age_years=age_years)
    summary = {
        "kind": "footprint",
        "image": str(path),
        "gaitlab_version": __version__,
        **result.summary(),
    }
    overlay = render_overlay(img, result)
    with staged_output(Path(out_dir)) as stage:
        if not cv2.imwrite(str(stage / OVERLAY_NAME), overlay):
            raise FootprintError(f"cannot write {Path(out_dir) / OVERLAY_NAME}")
        write_json(stage / SUMMARY_NAME, summary)
    return summary
