"""Rearfoot eversion while walking (back views, a trend): the walk analyzer's mid-stance
mean of the rearfoot angle, on the synthetic walker with a known 2D heel tilt."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_walk import NOISE_PX, analyze

from gaitlab.core.landmarks import side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.testing.synthetic import Camera, walk


def tilt_heels(pose: PoseSequence, everted_deg: dict[str, float]) -> PoseSequence:
    """Turn each heel landmark about its ankle in the image by the given angle, outwards
    (+ = eversion seen from behind: the heel swings laterally, the ankle sits medially of
    the knee–heel line). Back view: the subject's left is the image left."""
    xy = pose.xy.copy()
    for side, deg in everted_deg.items():
        ankle, heel = side_landmark(side, "ankle"), side_landmark(side, "heel")
        lateral = -1.0 if side == "left" else 1.0
        # image rotation (x right, y down) by a turns +y (down) towards -x for a > 0
        a = -np.radians(deg) * lateral
        d = xy[:, heel] - xy[:, ankle]
        rot = np.stack(
            [d[:, 0] * np.cos(a) - d[:, 1] * np.sin(a), d[:, 0] * np.sin(a) + d[:, 1] * np.cos(a)],
            axis=1,
        )
        xy[:, heel] = xy[:, ankle] + rot
    return replace(pose, xy=xy)


def _rearfoot(pose: PoseSequence) -> tuple[float | None, float | None, list[str]]:
    out, _ = analyze(pose)
    m = out.metrics
    return m["rearfoot_eversion_mean_left_deg"], m["rearfoot_eversion_mean_right_deg"], out.warnings


@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_rearfoot_eversion_follows_the_heel_tilt_in_a_back_view(fps: float) -> None:
    res = walk(camera=Camera(yaw_deg=180.0), fps=fps, noise_px=NOISE_PX, duration_s=8.0, seed=4)
    base_l, base_r, notes = _rearfoot(res.pose)
    assert base_l is not None and base_r is not None
    # the walker's heels sit plumb under its ankles while its shanks slope inwards from
    # hips wider than its step: a few degrees of "eversion" on both legs
    assert 0.0 < base_l < 8.0 and 0.0 < base_r < 8.0 and abs(base_l - base_r) < 3.0
    assert any("trend" in n for n in notes)
    tilted_l, tilted_r, _ = _rearfoot(tilt_heels(res.pose, {"left": 6.0, "right": -3.0}))
    assert tilted_l - base_l == pytest.approx(6.0, abs=1.0)
    assert tilted_r - base_r == pytest.approx(-3.0, abs=1.0)


@pytest.mark.parametrize("yaw", [0.0, 90.0])
def test_rearfoot_eversion_needs_a_back_view(yaw: float) -> None:
    """From the front the heel is hidden behind the foot; from the side there is no frontal
    plane: not reported, with the reason."""
    res = walk(camera=Camera(yaw_deg=yaw), fps=30.0, noise_px=NOISE_PX, duration_s=6.0, seed=5)
    left, right, notes = _rearfoot(res.pose)
    assert left is None and right is None
    assert any("rearfoot eversion needs a back view" in n for n in notes)
