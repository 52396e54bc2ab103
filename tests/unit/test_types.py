import numpy as np
import pytest

from gaitlab.core.errors import ShapeError
from gaitlab.core.landmarks import MIRROR, N_LANDMARKS, Landmark, side_landmark
from gaitlab.core.types import Event, Flag, PoseSequence


def _seq(n=5, fps=30.0):
    xy = np.arange(n * N_LANDMARKS * 2, dtype=float).reshape(n, N_LANDMARKS, 2)
    return PoseSequence(
        xy=xy, visibility=np.ones((n, N_LANDMARKS)), t_s=np.arange(n) / fps, frame_size=(640, 480)
    )


def test_slicing_keeps_every_field():
    seq = _seq(10)
    part = seq[2:5]
    assert len(part) == 3
    np.testing.assert_array_equal(part.frame_index, [2, 3, 4])
    np.testing.assert_array_equal(part.xy, seq.xy[2:5])
    assert part.frame_size == (640, 480)
    assert seq[3].frame_index.tolist() == [3]


def test_fps_is_float_from_timestamps():
    assert _seq(20, fps=29.97).fps == pytest.approx(29.97)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"xy": np.zeros((4, 17, 2))}, r"xy: expected shape \('T', 33, 2\), got \(4, 17, 2\)"),
        ({"visibility": np.zeros((3, 33))}, r"visibility: expected shape \(4, 33\)"),
        ({"t_s": np.array([0, 0.1, 0.1, 0.2])}, "strictly increasing"),
        ({"t_s": np.array([0, 0.1, np.nan, 0.3])}, "strictly increasing|finite"),
        ({"frame_size": (0, 480)}, "frame_size"),
        ({"world": np.zeros((4, 33, 2))}, r"world: expected shape \(4, 33, 3\)"),
    ],
)
def test_construction_rejects_bad_arrays(kwargs, match):
    base = {
        "xy": np.zeros((4, 33, 2)),
        "visibility": np.ones((4, 33)),
        "t_s": np.arange(4) / 30,
        "frame_size": (640, 480),
    }
    base.update(kwargs)
    with pytest.raises(ShapeError, match=match):
        PoseSequence(**base)


def test_missing_frames_are_nan_rows_not_dropped():
    seq = PoseSequence.empty(np.arange(6) / 30, (640, 480))
    assert len(seq) == 6
    assert not seq.detected().any()


def test_mirror_swaps_every_sided_landmark_and_is_an_involution():
    assert MIRROR[Landmark.LEFT_KNEE] == Landmark.RIGHT_KNEE
    assert MIRROR[Landmark.MOUTH_LEFT] == Landmark.MOUTH_RIGHT
    assert MIRROR[Landmark.NOSE] == Landmark.NOSE
    np.testing.assert_array_equal(MIRROR[MIRROR], np.arange(N_LANDMARKS))
    assert side_landmark("right", "foot_index") == Landmark.RIGHT_FOOT_INDEX
    with pytest.raises(ValueError, match="side must be"):
        side_landmark("middle", "knee")


def test_event_and_flag_serialise():
    assert Event("heel_strike", 1.23456, 37, "left").to_dict() == {
        "type": "heel_strike",
        "side": "left",
        "t_s": 1.2346,
        "frame": 37,
    }
    f = Flag("fppa_peak", "warning", "left", 1.0, 1.5, 40, 14.237, 10.0, "deg", "m", "src", "s")
    d = f.to_dict()
    assert d["value"] == 14.24 and d["threshold"] == 10.0 and d["signal"] == "s"
