"""Geometry helpers: analytic cases in pixel coordinates (x right, y down)."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.core.geometry import (
    angle_between,
    fppa_deg,
    leg_length_px,
    line_tilt_deg,
    offset_toward,
    rotate_deg,
    segment_angle_deg,
    signed_bend_deg,
    signed_distance_to_line,
    tilt_from_vertical_deg,
)
from gaitlab.core.landmarks import N_LANDMARKS, Landmark
from gaitlab.core.types import PoseSequence

NAN2 = [np.nan, np.nan]


@pytest.mark.parametrize(
    ("v1", "v2", "unsigned", "signed"),
    [
        ([1, 0], [1, 0], 0.0, 0.0),
        ([1, 0], [0, -1], 90.0, 90.0),  # up on screen is counter-clockwise from right
        ([1, 0], [0, 1], 90.0, -90.0),  # down on screen is clockwise
        ([1, 0], [-1, 0], 180.0, 180.0),
        ([3, -3], [0, -5], 45.0, 45.0),
        ([3, 3], [0, -5], 135.0, 135.0),
    ],
)
def test_angle_between(v1, v2, unsigned, signed):
    assert angle_between(np.array(v1), np.array(v2)) == pytest.approx(unsigned)
    assert angle_between(np.array(v1), np.array(v2), signed=True) == pytest.approx(signed)


@pytest.mark.parametrize(
    ("q", "expected"),
    [([10, 0], 0.0), ([0, -10], 90.0), ([0, 10], -90.0), ([-10, 0], 180.0), ([10, -10], 45.0)],
)
def test_segment_angle_y_down(q, expected):
    assert segment_angle_deg(np.zeros(2), np.array(q, float)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("p", "q", "expected"),
    [
        ([0, 0], [10, 0], 0.0),
        ([0, 0], [10, -10], 45.0),  # rises to the right on screen
        ([10, -10], [0, 0], 45.0),  # order-independent
        ([0, 0], [10, 10], -45.0),
        ([0, 0], [0, 10], 90.0),
        ([0, 0], [0, -10], 90.0),
    ],
)
def test_line_tilt(p, q, expected):
    assert line_tilt_deg(np.array(p, float), np.array(q, float)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("top", "toward", "expected"),
    [([0, -10], 1, 0.0), ([10, -10], 1, 45.0), ([10, -10], -1, -45.0), ([-10, -10], -1, 45.0)],
)
def test_tilt_from_vertical(top, toward, expected):
    got = tilt_from_vertical_deg(np.zeros(2), np.array(top, float), toward_x=toward)
    assert got == pytest.approx(expected)


def test_signed_distance_and_offset():
    a, b = np.array([0.0, 0.0]), np.array([10.0, 0.0])
    above, below = np.array([5.0, -3.0]), np.array([5.0, 4.0])
    assert signed_distance_to_line(above, a, b) == pytest.approx(3.0)  # left of a→b on screen
    assert signed_distance_to_line(below, a, b) == pytest.approx(-4.0)
    down = np.array([0.0, 1.0])
    assert offset_toward(below, a, b, down) == pytest.approx(4.0)
    assert offset_toward(above, a, b, down) == pytest.approx(-3.0)
    assert np.isnan(offset_toward(below, a, b, np.array([1.0, 0.0])))  # side undefined


def _leg(knee_dx: float, thigh: float = 200.0, shank: float = 200.0):
    hip = np.array([0.0, 0.0])
    knee = np.array([knee_dx, thigh])
    ankle = np.array([0.0, thigh + shank])
    return hip, knee, ankle


@pytest.mark.parametrize("medial_x", [1.0, -1.0])  # medial to image right or image left
@pytest.mark.parametrize("dx", [0.0, 10.0, 35.0, 70.0])
def test_fppa_sign_follows_medial(medial_x, dx):
    hip, knee, ankle = _leg(dx * medial_x)
    expected = 2 * np.degrees(np.arctan2(dx, 200.0))
    medial = np.array([medial_x * 50.0, 0.0])
    assert fppa_deg(hip, knee, ankle, medial) == pytest.approx(expected, abs=1e-9)
    # knee displaced laterally instead: varus, negative
    hip, knee, ankle = _leg(-dx * medial_x)
    assert fppa_deg(hip, knee, ankle, medial) == pytest.approx(-expected, abs=1e-9)


def test_fppa_vectorised_and_nan():
    hip = np.zeros((3, 2))
    knee = np.array([[10.0, 200.0], [np.nan, 200.0], [-10.0, 200.0]])
    ankle = np.tile([0.0, 400.0], (3, 1))
    out = fppa_deg(hip, knee, ankle, np.tile([1.0, 0.0], (3, 1)))
    assert out.shape == (3,)
    assert out[0] > 0 and np.isnan(out[1]) and out[2] == pytest.approx(-out[0])


def test_signed_bend_collinear_is_zero():
    a, b, c = np.array([0.0, 0]), np.array([0.0, 5]), np.array([0.0, 10])
    assert signed_bend_deg(a, b, c, np.array([1.0, 0])) == 0.0


@pytest.mark.parametrize("angle", [0.0, 30.0, -45.0, 90.0, 180.0])
def test_rotate_counter_clockwise_on_screen(angle):
    p = np.array([10.0, 0.0])
    r = rotate_deg(p, angle)
    expected = angle if angle > -180 else angle + 360
    assert segment_angle_deg(np.zeros(2), r) == pytest.approx(expected)
    assert np.hypot(*r) == pytest.approx(10.0)
    back = rotate_deg(r, -angle, center=(0, 0))
    np.testing.assert_allclose(back, p, atol=1e-9)


def test_rotate_about_center():
    np.testing.assert_allclose(rotate_deg(np.array([6.0, 5.0]), 90, center=(5, 5)), [5.0, 4.0])


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((4, 3))], ids=["1d-3", "2d-3"])
def test_shape_checked(bad):
    with pytest.raises(ValueError, match="expected points of shape"):
        angle_between(bad, bad)


def test_nan_propagates_everywhere():
    p = np.array(NAN2)
    q = np.array([1.0, 1.0])
    for value in (
        angle_between(p, q),
        segment_angle_deg(p, q),
        line_tilt_deg(p, q),
        tilt_from_vertical_deg(p, q),
        signed_distance_to_line(p, q, np.zeros(2)),
    ):
        assert np.isnan(value)


def test_leg_length_px():
    xy = np.full((4, N_LANDMARKS, 2), np.nan)
    for lm, pt in (
        (Landmark.LEFT_HIP, (0, 0)),
        (Landmark.LEFT_KNEE, (30, 40)),  # 50 px
        (Landmark.LEFT_ANKLE, (30, 140)),  # 100 px
    ):
        xy[:, lm] = pt
    seq = PoseSequence(
        xy=xy, visibility=np.ones((4, N_LANDMARKS)), t_s=np.arange(4) / 30, frame_size=(640, 480)
    )
    assert leg_length_px(seq) == pytest.approx(150.0)


def test_drawn_angle_at_the_middle_point_and_of_a_line_against_vertical_or_horizontal():
    from gaitlab.core.geometry import drawn_angle_deg

    # knee at (100, 100), hip straight above, ankle down and 100 px to the right: 135°
    assert drawn_angle_deg(np.array([[100, 0], [100, 100], [200, 200]])) == pytest.approx(135.0)
    line = np.array([[0.0, 0.0], [100.0, 173.2050808]])  # 60° below the horizontal
    assert drawn_angle_deg(line, "horizontal") == pytest.approx(60.0)
    assert drawn_angle_deg(line, "vertical") == pytest.approx(30.0)
    assert drawn_angle_deg(line[::-1], "vertical") == pytest.approx(30.0)  # order does not matter
    assert np.isnan(drawn_angle_deg(np.array([[5, 5], [5, 5], [9, 9]])))
    with pytest.raises(ValueError, match="three points"):
        drawn_angle_deg(line, "diagonal")
