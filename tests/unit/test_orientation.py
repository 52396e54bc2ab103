"""Which way up a video is, from the filmed bodies: gaitlab.pose.orientation.

Synthetic walkers (known landmarks) turned by exact quarter turns; the same decision on
real footage posed at every rotation is in tests/integration/test_video_variants.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.core.landmarks import Landmark
from gaitlab.pose.base import PersonPose
from gaitlab.pose.orientation import Orientation, body_up_deg, pose_samples, upright_turn
from gaitlab.testing.synthetic.camera import Camera
from gaitlab.testing.synthetic.walker import walk

WIDTH, HEIGHT = 1280, 720


@pytest.fixture(scope="module")
def walkers() -> list[PersonPose]:
    """Six frames of a side-view synthetic walk, one upright person each."""
    res = walk(camera=Camera(yaw_deg=90.0), fps=30.0, duration_s=1.0)
    rows = np.linspace(0, len(res.pose) - 1, 6).round().astype(int)
    return [PersonPose(xy=res.pose.xy[r], visibility=np.ones(33)) for r in rows]


def _turned(person: PersonPose, clockwise_deg: int) -> PersonPose:
    """The same person in the picture turned ``clockwise_deg`` clockwise (as a phone held
    that way records it): pixel (x, y) of a W×H picture goes to (H - y, x) per quarter."""
    xy, w, h = person.xy.copy(), WIDTH, HEIGHT
    for _ in range(clockwise_deg // 90 % 4):
        xy = np.stack([h - xy[:, 1], xy[:, 0]], axis=1)
        w, h = h, w
    return PersonPose(xy=xy, visibility=person.visibility)


@pytest.mark.parametrize(("recorded", "axis"), [(0, 0), (90, 90), (180, 180), (270, -90)])
def test_body_axis_points_where_the_head_is(walkers, recorded, axis):
    angles = [body_up_deg(_turned(p, recorded)) for p in walkers]
    # a walking body leans a few degrees at most
    assert all(abs((a - axis + 180) % 360 - 180) < 15 for a in angles), angles


@pytest.mark.parametrize("recorded", [0, 90, 180, 270])
def test_turn_undoes_the_recorded_rotation(walkers, recorded):
    decision = upright_turn([[_turned(p, recorded)] for p in walkers])
    assert decision.turn_deg == (-recorded) % 360
    assert (decision.axes, decision.agreeing) == (6, 6)
    assert (decision.message() is None) == (recorded == 0)


def test_upside_down_message_names_what_was_done(walkers):
    msg = upright_turn([[_turned(p, 180)] for p in walkers]).message()
    assert msg == (
        "the video was filmed upside down with no rotation metadata (the people's heads "
        "point to the bottom of the picture in 6 of 6 sample frames): it was turned upright "
        "before analysis"
    )


def test_a_minority_of_odd_bodies_is_outvoted(walkers):
    # two samples bent over or mis-posed sideways, four upright: stays as it is
    samples = [[_turned(p, 90 if k < 2 else 0)] for k, p in enumerate(walkers)]
    assert upright_turn(samples) == Orientation(turn_deg=0, axes=6, agreeing=4)


def test_no_clear_majority_keeps_the_picture_as_it_is(walkers):
    samples = [[_turned(p, (0, 90, 180)[k % 3])] for k, p in enumerate(walkers)]
    assert upright_turn(samples).turn_deg == 0


def test_too_few_bodies_seen_decide_nothing(walkers):
    samples = [[_turned(walkers[0], 180)], [_turned(walkers[1], 180)], [], []]
    assert upright_turn(samples) == Orientation(turn_deg=0, axes=2, agreeing=0)


def test_hidden_trunk_gives_no_axis_and_hidden_ankles_use_the_hips(walkers):
    p = _turned(walkers[0], 180)
    vis = np.ones(33)
    vis[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]] = 0.1
    assert body_up_deg(PersonPose(xy=p.xy, visibility=vis)) is None
    vis = np.ones(33)
    vis[[Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]] = 0.1
    assert abs(abs(body_up_deg(PersonPose(xy=p.xy, visibility=vis))) - 180) < 20


def test_sitting_with_legs_out_is_not_a_turned_video(walkers):
    """Trunk upright, legs along the floor: the whole-body axis leans ~60° but the trunk
    does not agree, so nothing is turned."""
    sitting = []
    for p in walkers:
        xy = p.xy.copy()
        hip = p.hip_center
        leg = float(np.linalg.norm(p.xy[Landmark.LEFT_ANKLE] - p.xy[Landmark.LEFT_HIP]))
        for lm in (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE):
            xy[lm] = hip + np.array([leg, 0.0])
        sitting.append([PersonPose(xy=xy, visibility=p.visibility)])
    assert abs(body_up_deg(sitting[0][0]) + 60) < 20  # the whole body leans ~60°...
    assert abs(body_up_deg(sitting[0][0], trunk=True)) < 15  # ...the trunk does not
    assert upright_turn(sitting) == Orientation(turn_deg=0, axes=6, agreeing=0)


def test_largest_person_in_a_frame_votes(walkers):
    # a small upside-down reflection beside a large upright subject
    big = walkers[0]
    small_xy = (_turned(walkers[0], 180).xy - 360) * 0.3 + 100
    small = PersonPose(xy=small_xy, visibility=np.ones(33))
    decision = upright_turn([[small, big] for _ in range(4)])
    assert decision == Orientation(turn_deg=0, axes=4, agreeing=4)


class _Recorder:
    """An estimator that records what it was given and returns one fixed person."""

    def __init__(self, person: PersonPose) -> None:
        self.person, self.calls = person, []

    def process(self, image, t_s, *, out_size):
        self.calls.append((image.shape, t_s, out_size))
        return [self.person]


def test_samples_are_posed_one_by_one_with_increasing_times(walkers):
    est = _Recorder(walkers[0])
    images = [np.zeros((HEIGHT, WIDTH, 3), np.uint8) for _ in range(3)]
    out = pose_samples(images, est)
    assert out == [[walkers[0]]] * 3
    assert est.calls == [((HEIGHT, WIDTH, 3), float(k), (WIDTH, HEIGHT)) for k in range(3)]
