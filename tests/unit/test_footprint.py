"""Wet foot test: indices on synthetic prints of known geometry, bad photos, overlay, output.

Acceptance (issue "Wet foot test"): indices within 0.01 of the truth on clean prints, within
0.02 on photo-like ones (tilt up to 15°, rotation, blur, uneven light, texture, shadow,
JPEG); the arch type right whenever the true arch index is not within 0.01 of a cut-off;
left / right detected; every bad photo gives its retake message.
"""

from __future__ import annotations

import json
from functools import cache

import cv2
import numpy as np
import pytest

from gaitlab.core.thresholds import load_thresholds
from gaitlab.footprint import (
    FootprintError,
    analyze_footprint,
    classify_arch,
    render_overlay,
    run_footprint,
)
from gaitlab.testing.footprints import (
    FootprintShape,
    SyntheticPrint,
    make_print,
    render_photo,
    render_scene,
)

TH = load_thresholds()
CUTS = (TH["arch_index"].low, TH["arch_index"].high)
INDICES = ("arch_index", "chippaux_smirak_index", "staheli_index")
SMALL = (900, 1200)  # image size for the cases that only need a message


@cache
def foot(
    midfoot_mm: float, side: str = "right", length_mm: float = 220.0, toes: bool = True
) -> SyntheticPrint:
    return make_print(
        FootprintShape(
            foot_length_mm=length_mm,
            heel_width_mm=0.28 * length_mm,
            forefoot_width_mm=0.43 * length_mm,
            midfoot_width_mm=midfoot_mm,
            side=side,
            toes=toes,
            seed=int(midfoot_mm),
        )
    )


def assert_matches(result, truth, tol: float) -> None:
    errors = {k: getattr(result, k) - getattr(truth, k) for k in INDICES}
    assert max(abs(e) for e in errors.values()) <= tol, errors
    if min(abs(truth.arch_index - c) for c in CUTS) >= 0.01:
        assert result.arch_type == truth.arch_type(TH)
    assert result.side == truth.side
    assert result.side_source == "detected"


# ------------------------------------------------------------------------------------------
# the generator
# ------------------------------------------------------------------------------------------
def test_truth_follows_the_shape() -> None:
    right, left = foot(30.0), foot(30.0, "left")
    # A left foot is the mirror image: same indices.
    for k in INDICES:
        assert getattr(right.truth, k) == pytest.approx(getattr(left.truth, k), abs=1e-4)
    # The narrowest midfoot width is the one set (roughness and smoothing aside).
    assert right.truth.midfoot_width_mm == pytest.approx(30.0, abs=1.0)
    assert right.truth.foot_length_mm == pytest.approx(220.0, abs=1.5)
    # No midfoot contact: both width indices are exactly 0.
    assert foot(0.0).truth.chippaux_smirak_index == 0.0
    assert foot(0.0).truth.staheli_index == 0.0
    # A wider midfoot band means a flatter print on every index.
    ai = [foot(w).truth.arch_index for w in (0.0, 12.0, 30.0, 55.0, 75.0)]
    assert ai == sorted(ai)
    assert foot(12.0).truth.arch_type(TH) == "high"
    assert foot(75.0).truth.arch_type(TH) == "collapsed"


def test_render_photo_is_a_photo() -> None:
    img, truth = render_photo(foot(30.0), image_size=SMALL, tilt_deg=10, scale=0.7)
    assert img.shape == (1200, 900, 3) and img.dtype == np.uint8
    assert truth.sheet_in_frame
    for p in (truth.heel_centre_px, truth.toe_point_px):
        assert 0 <= p[0] < 900 and 0 <= p[1] < 1200
    # Toes point up the sheet: the toe end is above the heel when nothing is turned.
    assert truth.toe_point_px[1] < truth.heel_centre_px[1]
    with pytest.raises(ValueError, match="side"):
        FootprintShape(side="middle")


# ------------------------------------------------------------------------------------------
# accuracy
# ------------------------------------------------------------------------------------------
CLEAN = [
    (0.0, "right", 220.0, True),
    (12.0, "left", 200.0, True),
    (28.0, "right", 240.0, True),
    (40.0, "left", 220.0, True),
    (58.0, "right", 260.0, True),
    (75.0, "left", 230.0, True),
    (30.0, "right", 220.0, False),
]


@pytest.mark.parametrize(("midfoot_mm", "side", "length_mm", "toes"), CLEAN)
def test_clean_prints_within_001(midfoot_mm, side, length_mm, toes) -> None:
    img, truth = render_photo(foot(midfoot_mm, side, length_mm, toes))
    result = analyze_footprint(img)
    assert_matches(result, truth, 0.01)
    assert result.rectified
    assert len(result.toes) == (5 if toes else 0)


PHOTO = {
    "paper tilt 15 shadow jpeg": (
        (28.0, "right"),
        dict(
            rotation_deg=25,
            tilt_deg=15,
            tilt_direction_deg=30,
            light_gradient=0.4,
            paper_texture=0.05,
            blur_px=1.5,
            noise=0.015,
            shadow=0.3,
            jpeg_quality=85,
        ),
    ),
    "cardboard tilt 12": (
        (60.0, "left"),
        dict(
            surface="cardboard",
            rotation_deg=-100,
            tilt_deg=12,
            tilt_direction_deg=200,
            light_gradient=0.3,
            paper_texture=0.06,
            blur_px=2.0,
            noise=0.01,
            shadow=0.3,
            scale=0.62,
        ),
    ),
    "split high arch landscape": (
        (0.0, "left"),
        dict(
            rotation_deg=170,
            tilt_deg=15,
            tilt_direction_deg=120,
            light_gradient=0.3,
            paper_texture=0.04,
            blur_px=1.0,
            noise=0.01,
            image_size=(1600, 1200),
        ),
    ),
    "not centred, blur 2.5": (
        (15.0, "right"),
        dict(
            rotation_deg=-45,
            tilt_deg=8,
            print_offset_mm=(15, -12),
            offset=(0.05, 0.04),
            print_angle_deg=10,
            blur_px=2.5,
            light_gradient=0.25,
            paper_texture=0.05,
            noise=0.02,
            scale=0.62,
        ),
    ),
    "cardboard noisy jpeg 75": (
        (40.0, "right"),
        dict(
            surface="cardboard",
            rotation_deg=60,
            tilt_deg=14,
            tilt_direction_deg=300,
            light_gradient=0.2,
            paper_texture=0.05,
            blur_px=1.2,
            noise=0.025,
            jpeg_quality=75,
            scale=0.62,
        ),
    ),
    "deep shadow": (
        (48.0, "left", 270.0),
        dict(
            rotation_deg=90,
            tilt_deg=5,
            light_gradient=0.45,
            shadow=0.35,
            paper_texture=0.04,
            blur_px=1.0,
            noise=0.01,
            image_size=(1600, 1200),
        ),
    ),
    "no toes": (
        (22.0, "right", 220.0, False),
        dict(
            rotation_deg=-20,
            tilt_deg=10,
            tilt_direction_deg=70,
            light_gradient=0.3,
            paper_texture=0.05,
            blur_px=1.5,
            noise=0.015,
        ),
    ),
    "collapsed, coarse texture": (
        (70.0, "right"),
        dict(
            rotation_deg=-170,
            tilt_deg=15,
            tilt_direction_deg=250,
            paper_texture=0.07,
            light_gradient=0.35,
            blur_px=1.0,
            noise=0.015,
            shadow=0.2,
        ),
    ),
}


@pytest.mark.parametrize("case", list(PHOTO))
def test_photo_like_prints_within_002(case: str) -> None:
    shape, photo = PHOTO[case]
    photo = {"scale": 0.7, "seed": len(case), **photo}
    img, truth = render_photo(foot(*shape), **photo)
    assert truth.sheet_in_frame  # the case is meant to be rectifiable
    result = analyze_footprint(img)
    assert_matches(result, truth, 0.02)
    assert result.rectified
    # The axis found runs from the heel centre to the second toe (or the print's front).
    heel = np.array(result.axis[0])
    assert np.linalg.norm(heel - truth.heel_centre_px) < 0.02 * result.foot_length_px


def test_tilt_uncorrected_when_the_sheet_fills_the_frame() -> None:
    img, truth = render_photo(foot(30.0), scale=1.25, paper_texture=0.03, seed=3)
    assert not truth.sheet_in_frame
    result = analyze_footprint(img)
    assert not result.rectified
    assert any("tilt is not corrected" in w for w in result.warnings)
    assert_matches(result, truth, 0.02)  # no tilt here, so still accurate


# ------------------------------------------------------------------------------------------
# bad photos
# ------------------------------------------------------------------------------------------
_DIRTY = dict(
    light_gradient=0.3,
    paper_texture=0.05,
    noise=0.015,
    shadow=0.3,
    blur_px=1.0,
    seed=5,
    image_size=SMALL,
)


def _blank(surface: str) -> np.ndarray:
    return render_scene([], surface=surface, **_DIRTY)[0]


BAD = {
    "blank paper": (lambda: _blank("paper"), "no footprint found"),
    "blank cardboard": (lambda: _blank("cardboard"), "no footprint found"),
    "cut by the photo's edge": (
        lambda: render_photo(foot(30.0), scale=1.5, offset=(0.0, 0.3), **_DIRTY)[0],
        "cut off by the edge",
    ),
    "cut by the sheet's edge": (
        lambda: render_photo(foot(30.0), print_offset_mm=(0, 60), **_DIRTY)[0],
        "cut off by the edge",
    ),
    "too blurred": (
        lambda: render_photo(foot(30.0), **{**_DIRTY, "blur_px": 16})[0],
        "too blurred",
    ),
    "too small": (lambda: render_photo(foot(30.0), scale=0.35, **_DIRTY)[0], "too small"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_photo_says_what_to_retake(case: str) -> None:
    make, message = BAD[case]
    with pytest.raises(FootprintError, match=message) as info:
        analyze_footprint(make())
    text = str(info.value)
    assert "\n" not in text and ("retake" in text or "photograph" in text)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("/nonexistent/print.jpg", "no such file"),
        (np.zeros((400, 300, 3), np.float32), "uint8"),
        (np.zeros((400, 300, 5), np.uint8), "expected shape"),
        (np.zeros((20, 20, 3), np.uint8), "only 20×20"),
    ],
)
def test_bad_input(image, message: str) -> None:
    with pytest.raises(FootprintError, match=message):
        analyze_footprint(image)


def test_not_an_image_file(tmp_path) -> None:
    bad = tmp_path / "print.jpg"
    bad.write_text("not a jpeg")
    with pytest.raises(FootprintError, match="cannot read"):
        analyze_footprint(bad)


# ------------------------------------------------------------------------------------------
# side, cut-offs
# ------------------------------------------------------------------------------------------
def test_given_side_is_kept_and_a_disagreement_warned() -> None:
    img, _ = render_photo(foot(30.0, "left"), image_size=SMALL, scale=0.8)
    result = analyze_footprint(img, side="right")
    assert (result.side, result.side_source, result.side_detected) == ("right", "given", "left")
    assert any("looks like a left foot" in w for w in result.warnings)
    with pytest.raises(FootprintError, match="side"):
        analyze_footprint(img, side="both")


def test_cutoffs_come_from_the_thresholds_file() -> None:
    img, truth = render_photo(foot(28.0), image_size=SMALL, scale=0.8)
    result = analyze_footprint(img)
    c = result.cutoffs
    assert c["arch_index"]["high_arch_at_or_below"] == TH["arch_index"].low
    assert c["arch_index"]["collapsed_at_or_above"] == TH["arch_index"].high
    assert c["chippaux_smirak_index"]["collapsed_above"] == TH["chippaux_smirak_index"].value
    assert c["staheli_index"]["collapsed_above"] == TH["staheli_index"].value
    assert all(c[k]["source"] for k in INDICES)
    # Move the cut-offs and the same print changes class: nothing is hard-coded.
    th = dict(TH)
    th["arch_index"] = type(TH["arch_index"])(
        **{**TH["arch_index"].__dict__, "low": 0.30, "high": 0.40}
    )
    assert analyze_footprint(img, thresholds=th).arch_type == "high"
    assert classify_arch(truth.arch_index, th) == "high"


def test_children_get_paediatric_cutoffs() -> None:
    img, _ = render_photo(foot(40.0, length_mm=180.0), image_size=SMALL, scale=0.8)
    result = analyze_footprint(img, age_years=7)
    assert result.cutoffs["chippaux_smirak_index"]["collapsed_above"] == pytest.approx(0.59)
    assert result.cutoffs["staheli_index"]["collapsed_above"] == pytest.approx(1.28)
    assert any("for adults" in w for w in result.warnings)


# ------------------------------------------------------------------------------------------
# overlay and output
# ------------------------------------------------------------------------------------------
def test_overlay_draws_what_was_measured() -> None:
    img, _ = render_photo(foot(30.0), image_size=SMALL, scale=0.8)
    result = analyze_footprint(img)
    out = render_overlay(img, result)
    assert out.shape == img.shape and out.dtype == np.uint8
    changed = np.any(out != img, axis=2)
    assert 0.02 < changed.mean() < 0.5
    # The narrowest-midfoot segment is drawn in its colour (BGR red) at its midpoint.
    (x0, y0), (x1, y1) = result.widths["midfoot"].segment
    mid = out[
        round((y0 + y1) / 2) - 2 : round((y0 + y1) / 2) + 3,
        round((x0 + x1) / 2) - 2 : round((x0 + x1) / 2) + 3,
    ]
    assert (mid[..., 2].astype(int) - mid[..., 1] > 100).any()
    with pytest.raises(ValueError, match="size"):
        render_overlay(img[:100], result)


def test_run_footprint_writes_summary_and_overlay(tmp_path) -> None:
    img, truth = render_photo(foot(30.0, "left"), image_size=SMALL, scale=0.8)
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), img)
    out = tmp_path / "out"
    summary = run_footprint(photo, out)
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    for key in (*INDICES, "arch_type", "side", "cutoffs", "warnings", "gaitlab_version", "image"):
        assert key in on_disk
    assert on_disk["side"] == "left"
    assert on_disk["arch_index"] == pytest.approx(truth.arch_index, abs=0.01)
    overlay = cv2.imread(str(out / "overlay.png"))
    assert overlay is not None and overlay.shape == img.shape
    assert not list(out.glob(".gaitlab-partial-*"))
    # A bad photo writes nothing and leaves the earlier result alone.
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), _blank("paper"))
    with pytest.raises(FootprintError):
        run_footprint(blank, out)
    assert json.loads((out / "summary.json").read_text()) == on_disk
    assert not list(out.glob(".gaitlab-partial-*"))


def test_toes_printed_onto_the_ball_are_warned_about() -> None:
    """Toes that print joined to the ball of the foot cannot be cut off (nor told from a
    print without toes): the arch index then includes them and reads high, and the warning
    says so."""
    from dataclasses import replace

    fp = foot(30.0)
    k = int(round(12 * fp.px_per_mm)) | 1  # 12 mm: the toe pads grow into the ball and each other
    joined = cv2.dilate(fp.toes.astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool)
    merged = replace(fp, main=fp.main | joined, toes=np.zeros_like(fp.toes))
    img, _ = render_photo(merged)
    result = analyze_footprint(img)
    assert len(result.toes) == 0
    assert result.arch_index > fp.truth.arch_index + 0.03  # what the warning is about
    assert any("arch index includes them" in w for w in result.warnings)
    # the width indices do not depend on cutting the toes off
    assert result.chippaux_smirak_index == pytest.approx(fp.truth.chippaux_smirak_index, abs=0.03)
    assert result.staheli_index == pytest.approx(fp.truth.staheli_index, abs=0.03)
    # the same print with its toes apart: measured right, no such warning
    clean = analyze_footprint(render_photo(fp)[0])
    assert not any("arch index includes them" in w for w in clean.warnings)
