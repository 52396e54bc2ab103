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
:mod:`gaitlab.footprint.image`); otherwise the tilt is not corrected and a warning says so.
Left or right foot comes from the big toe (medial) and from the midfoot contact (lateral);
when they are missing or disagree the side is reported as unknown and must be asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from gaitlab import __version__
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.footprint.axis import Axis, find_axis
from gaitlab.footprint.blobs import choose_print, find_blobs
from gaitlab.footprint.image import Frame, load_image, make_frame
from gaitlab.footprint.indices import grade_indices
from gaitlab.footprint.measure import Measure, measure_print
from gaitlab.footprint.overlay import render_overlay
from gaitlab.footprint.result import FootprintError, FootprintResult, MeasuredWidth, Segment
from gaitlab.footprint.segment import edge_stats, segment_print
from gaitlab.footprint.side import detect_side, resolve_side
from gaitlab.io.export import staged_output, write_json

#: A print shorter than this in the photo cannot give indices to ±0.01 (1 px ≈ 1 mm).
MIN_FOOT_LENGTH_PX = 300
#: Edge spread (10–90 % rise) above this fraction of the foot length: too blurred.
MAX_EDGE_SPREAD_FRACTION = 0.025
OVERLAY_NAME = "overlay.png"
SUMMARY_NAME = "summary.json"


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
    img = load_image(image)
    warnings: list[str] = []
    frame = make_frame(img, warnings)
    seg = segment_print(frame)
    frame_area = float(frame.valid.sum())
    blobs = find_blobs(seg.mask, frame.valid, min_area=max(25.0, 2e-4 * frame_area))
    main, small = choose_print(blobs, frame_area, seg)
    ax = find_axis(main, small, seg, warnings)
    spread, _ = edge_stats(main, seg)
    m = measure_print(main, seg, ax, spread)
    L = m.t_max - m.t_min
    _check_size_and_sharpness(frame, ax, m, spread, warnings)

    w_fore, w_mid, w_heel = (m.widths[k][0] for k in ("forefoot", "midfoot", "heel"))
    total = sum(m.areas.values())
    arch_index = m.areas["middle_third"] / total
    csi = w_mid / w_fore if w_fore > 0 else float("nan")
    staheli = w_mid / w_heel if w_heel > 0 else float("nan")
    arch_type, cutoffs, index_types = grade_indices(
        arch_index, csi, staheli, thresholds, age_years, warnings
    )
    detected, side_warn = detect_side(ax, m)
    warnings += side_warn
    final_side, side_source = resolve_side(side, detected, warnings)
    axis, thirds, widths, outline, toe_outlines = _photo_geometry(frame, main, ax, m)
    return FootprintResult(
        arch_index=float(arch_index),
        chippaux_smirak_index=float(csi),
        staheli_index=float(staheli),
        arch_type=arch_type,
        side=final_side,
        side_source=side_source,
        side_detected=detected,
        axis=axis,
        thirds=thirds,  # type: ignore[arg-type]
        widths=widths,
        outline=outline,
        toes=tuple(toe_outlines),
        foot_length_px=float(L),
        areas_px=m.areas,
        cutoffs=cutoffs,
        index_types=index_types,
        rectified=frame.rectified,
        image_size=(img.shape[1], img.shape[0]),
        warnings=tuple(warnings),
    )


def _check_size_and_sharpness(
    frame: Frame, ax: Axis, m: Measure, spread: float, warnings: list[str]
) -> None:
    """FootprintError for a print too small or too blurred, judged in the photo's own
    pixels; a warning when it is small enough to make the indices less precise."""
    L = m.t_max - m.t_min
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


_WIDTH_LABELS = {
    "forefoot": "widest forefoot (ball)",
    "midfoot": "narrowest midfoot",
    "heel": "widest heel",
}


def _photo_geometry(
    frame: Frame, main: np.ndarray, ax: Axis, m: Measure
) -> tuple[Segment, tuple[Segment, ...], dict[str, MeasuredWidth], np.ndarray, list[np.ndarray]]:
    """Axis, thirds, widths, print outline and toe outlines, back in photo pixels."""
    L = m.t_max - m.t_min

    def seg_photo(a: np.ndarray, b: np.ndarray) -> Segment:
        p = frame.to_photo(np.array([a, b]))
        return ((float(p[0, 0]), float(p[0, 1])), (float(p[1, 0]), float(p[1, 1])))

    s_all = (np.column_stack(np.nonzero(main)[::-1]).astype(float) - ax.heel) @ ax.v
    s_lo_all, s_hi_all = s_all.min() - 0.08 * L, s_all.max() + 0.08 * L
    thirds = tuple(
        seg_photo(ax.heel + tt * ax.u + s_lo_all * ax.v, ax.heel + tt * ax.u + s_hi_all * ax.v)
        for tt in (m.t_min, m.t_min + L / 3, m.t_min + 2 * L / 3, m.t_max)
    )
    widths = {
        k: MeasuredWidth(
            name=k,
            label=_WIDTH_LABELS[k],
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
    stacked = np.concatenate(outline) if len(outline) == 1 else _stack_outlines(outline)
    return seg_photo(ax.heel, toe_end), thirds, widths, stacked, toe_outlines


def _stack_outlines(parts: list[np.ndarray]) -> np.ndarray:
    """Several outline pieces (a print split at the arch) as one array, NaN-separated."""
    sep = np.full((1, 2), np.nan)
    out: list[np.ndarray] = []
    for p in parts:
        out += [p, sep]
    return np.concatenate(out[:-1])


def run_footprint(
    path: str | Path,
    out_dir: str | Path,
    *,
    side: str | None = None,
    age_years: float | None = None,
) -> dict[str, Any]:
    """Analyse a footprint photo and write ``summary.json`` and ``overlay.png`` to
    ``out_dir`` (atomically: both or neither). Returns the summary."""
    path = Path(path)
    img = load_image(path)
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
