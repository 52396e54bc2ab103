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

Feet on the sheet
    One foot, or a left and a right side by side (a podiatry form). The marks are grouped
    into feet with a foot model (:mod:`gaitlab.footprint.feet`): a foot may print in one
    piece or as heel and ball apart (a high arch: no midfoot contact, midfoot width 0, so
    Chippaux-Smirak and Staheli 0 and the arch index from the heel and ball alone), with
    fragments of a thin midfoot strip between them, toes apart or joined into one mark.
    Two feet are told apart by where they stand (the right foot on the right when both
    point the same way), else by each print's own cues. :func:`analyze_sheet` returns every
    foot and the left–right difference; :func:`analyze_footprint` one foot.
Media
    Wet prints on paper or cardboard, ink-mat prints (a cross-hatched grid, evened out to
    its ink density before segmenting, see :mod:`gaitlab.footprint.segment`), printed forms
    (lines thinner than about 1.5 mm are cut off the marks, labels and logos that fit no
    foot are left out with a warning). Photo files are decoded with bounded memory
    (:func:`gaitlab.footprint.image.read_photo`).

Perspective: when the sheet's four edges are visible, the photo is rectified with the
homography that makes the sheet a rectangle (its aspect estimated from the perspective, see
:mod:`gaitlab.footprint.image`); otherwise the tilt is not corrected and a warning says so.
Left or right foot comes from the big toe (medial) and from the midfoot contact (lateral);
when they are missing or disagree the side is reported as unknown and must be asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from gaitlab import __version__
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.footprint.axis import Axis, find_axis
from gaitlab.footprint.blobs import clear_marks, find_blobs
from gaitlab.footprint.feet import FootGroup, group_feet
from gaitlab.footprint.image import Frame, load_image, make_frame
from gaitlab.footprint.indices import grade_indices
from gaitlab.footprint.measure import Measure, measure_print
from gaitlab.footprint.overlay import render_overlay
from gaitlab.footprint.result import (
    RETAKE,
    FootprintError,
    FootprintResult,
    MeasuredWidth,
    Segment,
    SheetResult,
)
from gaitlab.footprint.segment import Segmentation, edge_stats, segment_print
from gaitlab.footprint.side import detect_side, pair_sides, resolve_side
from gaitlab.io.export import staged_output, write_json

#: A print shorter than this in the photo cannot give indices to ±0.01 (1 px ≈ 1 mm).
MIN_FOOT_LENGTH_PX = 300
#: Edge spread (10–90 % rise) above this fraction of the foot length: too blurred.
MAX_EDGE_SPREAD_FRACTION = 0.025
#: Printed lines thinner than this fraction of the frame's long side are cut off the marks
#: (about 1.3 mm on an A4 sheet, 1.9 mm on A3: a form's lines are 0.3–1 mm).
LINE_FRACTION = 0.0045
#: 10–90 % rise of a step blurred by a Gaussian, in sigmas.
_RISE_PER_SIGMA = 2.563
OVERLAY_NAME = "overlay.png"
SUMMARY_NAME = "summary.json"


@dataclass(frozen=True)
class _Foot:
    group: FootGroup
    ax: Axis
    m: Measure
    detected: str | None
    warnings: list[str]


def analyze_sheet(
    image: np.ndarray | str | Path,
    *,
    side: str | None = None,
    age_years: float | None = None,
    thresholds: Mapping[str, Threshold] | None = None,
) -> SheetResult:
    """Measure every wet footprint on a sheet photographed from above (one foot, or a left
    and a right side by side).

    Parameters
    ----------
    image
        BGR ``uint8`` array (OpenCV order; grey is accepted) or a path to an image file.
    side
        ``"left"`` / ``"right"`` when the sheet holds one print and the user knows which
        foot made it; ``None`` to detect it. With two prints the sides come from the
        prints and a given side is not used (a warning says so).
    age_years, thresholds
        As :func:`analyze_footprint`.

    Raises
    ------
    FootprintError
        With a one-line message saying what to retake.
    """
    if side not in (None, "left", "right"):
        raise FootprintError(f"side: expected 'left', 'right' or None, got {side!r}")
    thresholds = thresholds if thresholds is not None else load_thresholds()
    img = load_image(image)
    warnings: list[str] = []
    frame = make_frame(img, warnings)
    seg = segment_print(frame)
    frame_area = float(frame.valid.sum())
    line_px = int(round(LINE_FRACTION * max(frame.bgr.shape[:2]))) | 1
    blobs = find_blobs(seg.mask, frame.valid, max(25.0, 2e-4 * frame_area), line_px)
    groups = group_feet(clear_marks(blobs, seg), frame_area, warnings)
    readable = [g for g in groups if not g.touches_border]
    if not readable:
        raise FootprintError(
            "the footprint is cut off by the edge of the photo or of the sheet: "
            "step onto the middle of the sheet and " + RETAKE
        )
    if len(readable) < len(groups):
        warnings.append(
            "one print runs off the sheet or the photo and is not measured: leave a margin "
            "of paper around both feet next time"
        )
    feet = [_measure_group(frame, seg, g) for g in readable]
    feet.sort(key=lambda f: float(frame.to_photo(f.group.centre[None, :])[0, 0]))
    if len(feet) == 2:
        if side is not None:
            warnings.append(f"two prints on the sheet: side={side} is not used")
        sides, sources, side_warn = pair_sides(
            [f.group.centre for f in feet],
            [f.group.u for f in feet],
            [f.m.t_max - f.m.t_min for f in feet],
            [f.detected for f in feet],
        )
        warnings += side_warn
    else:
        side_warn: list[str] = []
        final, source = resolve_side(side, feet[0].detected, side_warn)
        feet[0].warnings.extend(side_warn)
        sides, sources = [final], [source]
    results = tuple(
        _result(img, frame, f, s, src, thresholds, age_years, warnings)
        for f, s, src in zip(feet, sides, sources, strict=True)
    )
    return SheetResult(results, tuple(warnings), frame.rectified, (img.shape[1], img.shape[0]))


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
        disagrees with the detected one is kept and a warning raised. When the sheet holds
        both feet, the one on that side is returned.
    age_years
        Selects the paediatric Chippaux-Smirak / Staheli cut-offs (Banwell et al. 2018)
        under 17; adults' otherwise (and when unknown).
    thresholds
        Cut-offs (default: ``load_thresholds()``).

    Raises
    ------
    FootprintError
        With a one-line message saying what to retake: no footprint, a print cut off by the
        edge of the photo or sheet, a print too small or too blurred; or two feet on the
        sheet and no side asked for (:func:`analyze_sheet` measures both).
    """
    sheet = analyze_sheet(image, side=side, age_years=age_years, thresholds=thresholds)
    if len(sheet.feet) == 1:
        return sheet.feet[0]
    chosen = sheet.foot(side) if side is not None else None
    if chosen is None:
        raise FootprintError(
            "found 2 footprints: say which foot to measure (side='left' or 'right'), or "
            "measure both with analyze_sheet"
        )
    return chosen


def _measure_group(frame: Frame, seg: Segmentation, g: FootGroup) -> _Foot:
    warnings: list[str] = []
    ax = find_axis(g.main, g.toes, seg, warnings)
    if seg.texture_sigma > 0:
        # An ink grid whose holes were resolved is proof enough of focus; its outline's
        # rise is the smoothing's plus the ink density's own variation, not blur.
        spread = _RISE_PER_SIGMA * seg.texture_sigma
    else:
        spread, _ = edge_stats(g.main, seg)
    m = measure_print(g.main, seg, ax, spread)
    _check_size_and_sharpness(frame, ax, m, 0.0 if seg.texture_sigma > 0 else spread, warnings)
    detected, side_warn = detect_side(ax, m)
    return _Foot(g, ax, m, detected, warnings + side_warn)


def _parts(f: _Foot) -> dict[str, str]:
    w_mid = f.m.widths["midfoot"][0]
    w_heel = f.m.widths["heel"][0]
    if w_mid <= 0:
        midfoot = "no contact"
    elif w_mid < 0.25 * w_heel:
        midfoot = "thin strip"
    else:
        midfoot = "band"
    big = [b for b in f.ax.toes]
    toes = "none found" if not big else ("joined" if len(big) == 1 else "separate")
    return {
        "sole": "one piece" if f.group.sole_pieces == 1 else "heel and ball apart",
        "midfoot": midfoot,
        "toes": toes,
    }


def _result(
    img: np.ndarray,
    frame: Frame,
    f: _Foot,
    side: str | None,
    side_source: str,
    thresholds: Mapping[str, Threshold],
    age_years: float | None,
    sheet_warnings: list[str],
) -> FootprintResult:
    """One foot's result in photo pixels, graded."""
    warnings = list(sheet_warnings) + f.warnings
    m = f.m
    w_fore, w_mid, w_heel = (m.widths[k][0] for k in ("forefoot", "midfoot", "heel"))
    arch_index = m.areas["middle_third"] / sum(m.areas.values())
    csi = w_mid / w_fore if w_fore > 0 else float("nan")
    staheli = w_mid / w_heel if w_heel > 0 else float("nan")
    arch_type, cutoffs, index_types = grade_indices(
        arch_index, csi, staheli, thresholds, age_years, warnings
    )
    parts = _parts(f)
    if parts["midfoot"] == "no contact":
        warnings.append(
            "the midfoot did not touch the sheet (heel and ball printed apart): a high arch; "
            "the midfoot width is 0, so Chippaux-Smirak and Staheli are 0"
        )
    axis, thirds, widths, outline, toe_outlines = _photo_geometry(frame, f.group.main, f.ax, m)
    return FootprintResult(
        arch_index=float(arch_index),
        chippaux_smirak_index=float(csi),
        staheli_index=float(staheli),
        arch_type=arch_type,
        side=side,
        side_source=side_source,
        side_detected=f.detected,
        axis=axis,
        thirds=thirds,  # type: ignore[arg-type]
        widths=widths,
        outline=outline,
        toes=tuple(toe_outlines),
        foot_length_px=float(m.t_max - m.t_min),
        areas_px=m.areas,
        cutoffs=cutoffs,
        index_types=index_types,
        rectified=frame.rectified,
        image_size=(img.shape[1], img.shape[0]),
        warnings=tuple(warnings),
        print_parts=parts,
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
    """Analyse a footprint photo (one foot or both) and write ``summary.json`` and
    ``overlay.png`` to ``out_dir`` (atomically: both or neither). Returns the summary."""
    path = Path(path)
    img = load_image(path)
    sheet = analyze_sheet(img, side=side, age_years=age_years)
    summary = {
        "kind": "footprint",
        "task": "footprint",
        "image": str(path),
        "gaitlab_version": __version__,
        **sheet.summary(),
    }
    overlay = render_overlay(img, sheet)
    with staged_output(Path(out_dir)) as stage:
        if not cv2.imwrite(str(stage / OVERLAY_NAME), overlay):
            raise FootprintError(f"cannot write {Path(out_dir) / OVERLAY_NAME}")
        write_json(stage / SUMMARY_NAME, summary)
    return summary
