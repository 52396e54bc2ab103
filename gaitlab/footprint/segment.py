"""Segmentation of the print: light flattened, print and paper levels, the dark mask; and
the sharpness and contrast of a mark's outline."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import binary_fill_holes, distance_transform_edt

from gaitlab.footprint.image import Frame

#: Darkening (relative to the paper) across a blob's outline below which it is paper
#: texture, a stain or a shadow's edge rather than a wet print.
MIN_EDGE_STEP = 0.12


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


#: Inside a print, fine detail (std of the ratio minus its 2 px blur) above this fraction
#: of the print's contrast marks a texture (an ink mat's cross-hatched grid), not a solid
#: wet mark.
TEXTURE_DETAIL = 0.06
#: A textured print's local ink density is averaged over this many grid sigmas (about
#: 10 mm), and taken as at least this fraction of the print's median density.
TEXTURE_LOCAL_SIGMAS = 5.0
TEXTURE_MIN_LOCAL = 0.4


@dataclass(frozen=True)
class Segmentation:
    ratio: np.ndarray  # float32, paper ≈ 1, print darker
    mask: np.ndarray  # bool
    threshold: float
    paper_level: float
    print_level: float
    #: Gaussian sigma (px) that evened out a textured print (0: a solid print, not smoothed).
    texture_sigma: float = 0.0


def _otsu_mask(ratio: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, float]:
    vals = ratio[valid]
    lo, hi = np.percentile(vals, [0.1, 99.9])
    r8 = np.clip((ratio - lo) / max(hi - lo, 1e-6) * 255, 0, 255).astype(np.uint8)
    t8, _ = cv2.threshold(r8[valid].reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    t = lo + (t8 + 0.5) / 255.0 * (hi - lo)
    return (ratio < t) & valid, float(t)


def texture_sigma(ratio: np.ndarray, valid: np.ndarray) -> float:
    """The smoothing (Gaussian sigma, px) that makes a textured print solid, or 0.

    An ink mat prints a grid of lines, not a solid mark. Inside the print (the dark mask
    closed over a few mm, then eroded as much) a grid's fine detail (the ratio minus its
    2 px blur) varies far more than the paper's grain and noise and by a fair part of the
    print's contrast; a solid print's does not. The grid's period, from the detail's
    autocorrelation, sets the smoothing: 0.6 periods leaves a ripple of e^-7 of the grid's
    contrast, and each pixel then holds the local ink density.
    """
    rough, _ = _otsu_mask(ratio, valid)
    k = _odd(0.03 * min(ratio.shape))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    closed = cv2.morphologyEx(rough.astype(np.uint8), cv2.MORPH_CLOSE, disk)
    interior = cv2.erode(closed, disk).astype(bool) & valid
    paper = valid & ~cv2.dilate(closed, disk).astype(bool)
    if interior.sum() < 1e-3 * valid.sum() or paper.sum() < 1e-3 * valid.sum():
        return 0.0
    detail = ratio - cv2.GaussianBlur(ratio, (0, 0), 2.0)
    contrast = float(np.median(ratio[paper]) - np.median(ratio[interior]))
    d_in, d_paper = float(detail[interior].std()), float(detail[paper].std())
    if d_in < max(TEXTURE_DETAIL * contrast, 2.5 * d_paper):
        return 0.0
    period = _grid_period(detail, interior)
    return max(2.0, 0.6 * period)


def _grid_period(detail: np.ndarray, interior: np.ndarray) -> float:
    """The repeat distance (px) of a texture: the first peak of the radial autocorrelation
    of ``detail`` in a square patch at the print's widest point."""
    dt = cv2.distanceTransform(interior.astype(np.uint8), cv2.DIST_L2, 5)
    cy, cx = np.unravel_index(int(np.argmax(dt)), dt.shape)
    half = int(min(192, max(16, dt[cy, cx] / math.sqrt(2))))
    patch = detail[cy - half : cy + half, cx - half : cx + half].astype(np.float64)
    patch = patch - patch.mean()
    n = patch.shape[0]
    spec = np.fft.rfft2(patch, s=(2 * n, 2 * patch.shape[1]))
    ac = np.fft.fftshift(np.fft.irfft2(np.abs(spec) ** 2))
    ac /= max(ac.max(), 1e-12)
    oy, ox = ac.shape[0] // 2, ac.shape[1] // 2
    r_max = max(4, n // 2)
    yy, xx = np.mgrid[-r_max : r_max + 1, -r_max : r_max + 1]
    rad = np.rint(np.hypot(yy, xx)).astype(int)
    win = ac[oy - r_max : oy + r_max + 1, ox - r_max : ox + r_max + 1]
    prof = np.array([win[rad == r].max() for r in range(r_max)])
    below = np.flatnonzero(prof < 0.3)
    if not below.size:
        return 4.0
    start = int(below[0])
    peak = start + int(np.argmax(prof[start:]))
    return float(max(peak, 3))


def _local_half(
    ratio: np.ndarray,
    mask: np.ndarray,
    valid: np.ndarray,
    paper_level: float,
    print_level: float,
    sigma: float,
) -> np.ndarray:
    """A textured print cut half-way to its *local* ink density.

    An ink mat's grid thins out where the foot pressed lightly (the midfoot's outer edge),
    so a single level for the whole print bites notches into those parts; half of the
    density of the print around each pixel (averaged over ``TEXTURE_LOCAL_SIGMAS`` grid
    sigmas, not below ``TEXTURE_MIN_LOCAL`` of the print's median) follows them while
    leaving the gaps between toes and ball open.
    """
    contrast = paper_level - print_level
    density = np.clip(paper_level - ratio, 0.0, None).astype(np.float32)
    # The local density counts every pixel inked to the lowest level a print is cut at, so
    # that a lightly inked strip sets its own level rather than borrowing its neighbours'.
    m = ((density > 0.5 * TEXTURE_MIN_LOCAL * contrast) & valid).astype(np.float32)
    s_local = TEXTURE_LOCAL_SIGMAS * sigma
    weight = blur_large_sigma(m, s_local)
    local = blur_large_sigma(density * m, s_local) / np.maximum(weight, 1e-6)
    local = np.where(weight > 0.05, local, contrast)
    local = np.clip(local, TEXTURE_MIN_LOCAL * contrast, contrast)
    return (density > 0.5 * local) & valid


def blur_large_sigma(a: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with a large sigma on a reduced copy (same to ~1 %)."""
    f = max(1.0, sigma / 3.0)
    if f <= 1.5:
        return cv2.GaussianBlur(a, (0, 0), sigma)
    h, w = a.shape[:2]
    small = cv2.resize(
        a, (max(2, round(w / f)), max(2, round(h / f))), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (0, 0), sigma / f)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def segment_print(frame: Frame) -> Segmentation:
    gray = cv2.cvtColor(frame.bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    ratio = _flatten(gray, frame.valid)
    ratio = cv2.medianBlur(ratio.astype(np.float32), 5)
    sigma = texture_sigma(ratio, frame.valid)
    if sigma > 0:
        ratio = cv2.GaussianBlur(ratio, (0, 0), sigma)
    rough, t_otsu = _otsu_mask(ratio, frame.valid)
    rough = cv2.morphologyEx(rough.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    n, lab, stats, _ = cv2.connectedComponentsWithStats(rough, connectivity=8)
    paper_mask = frame.valid & ~cv2.dilate(rough, np.ones((9, 9), np.uint8)).astype(bool)
    paper_level = float(np.median(ratio[paper_mask])) if paper_mask.any() else 1.0
    if n <= 1:
        return Segmentation(
            ratio, np.zeros_like(frame.valid), t_otsu, paper_level, paper_level, sigma
        )
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    core = cv2.erode((lab == big).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    if core.sum() < 50:
        return Segmentation(
            ratio, np.zeros_like(frame.valid), t_otsu, paper_level, paper_level, sigma
        )
    print_level = float(np.median(ratio[core]))
    # Half-way between paper and print: where a blurred edge crosses, for any blur.
    thr = 0.5 * (paper_level + print_level)
    mask = (ratio < thr) & frame.valid
    if sigma > 0:
        mask = _local_half(ratio, mask, frame.valid, paper_level, print_level, sigma)
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    return Segmentation(ratio, mask, thr, paper_level, print_level, sigma)


def edge_stats(
    mask: np.ndarray, seg: Segmentation, origin: tuple[int, int] = (0, 0)
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
    mask: np.ndarray, seg: Segmentation, reach: float, origin: tuple[int, int]
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
