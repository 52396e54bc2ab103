import numpy as np

from gaitlab.core.landmarks import N_LANDMARKS, Landmark
from gaitlab.core.types import Flag
from gaitlab.render.overlay import (
    FLAG_COLOUR,
    Style,
    annotate_frame,
    hershey_text,
    panel_lines,
    wrap_text,
)


def _flag(signal="fppa_left_deg"):
    return Flag(
        "fppa_peak",
        "warning",
        "left",
        1.0,
        1.2,
        30,
        14.2,
        10.0,
        "deg",
        "left knee caving in 14.2° (threshold 10°)",
        "src",
        signal,
    )


def test_flagged_signal_is_highlighted_even_without_a_panel_label():
    lines = panel_lines(
        {"fppa_left_deg": 14.2, "foot_angle_left_deg": 30.0},
        {"fppa_left_deg", "foot_angle_left_deg"},
        "header",
    )
    texts = dict(lines)
    assert texts["Knee valgus (FPPA) L:  14.2 deg"] == FLAG_COLOUR
    assert texts["foot angle left (deg):  30.0"] == FLAG_COLOUR


def test_active_flag_draws_a_red_border_and_subject_skeleton():
    img = np.zeros((360, 640, 3), np.uint8)
    xy = np.full((N_LANDMARKS, 2), np.nan)
    xy[Landmark.LEFT_HIP] = (300, 150)
    xy[Landmark.LEFT_KNEE] = (310, 230)
    out = annotate_frame(
        img,
        subject_xy=xy,
        values={"fppa_left_deg": 14.2},
        t_s=1.1,
        view="anterior",
        active_flags=[_flag()],
    )
    assert tuple(out[0, 320]) == FLAG_COLOUR and tuple(out[359, 5]) == FLAG_COLOUR
    assert out[190, 300:320].any()  # the thigh is drawn
    assert not img.any()  # the input is untouched


def test_text_is_ascii_and_wraps_to_width():
    assert hershey_text("14.2° – ok") == "14.2 deg - ok"
    style = Style.for_frame(640, 360)
    lines = wrap_text("word " * 60, 300, style)
    assert len(lines) > 3
