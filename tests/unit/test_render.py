import cv2
import numpy as np
import pytest

from gaitlab.core.landmarks import N_LANDMARKS, Landmark
from gaitlab.core.types import Flag
from gaitlab.render.overlay import (
    FLAG_COLOUR,
    FLAG_TEXT_COLOUR,
    PANEL_SIGNALS,
    PLAYER_WIDTH_PX,
    Style,
    annotate_frame,
    draw_panel,
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
    assert texts["FPPA L:  14.2 deg"] == FLAG_TEXT_COLOUR
    assert texts["foot angle left (deg):  30.0"] == FLAG_TEXT_COLOUR


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


def _text_box(image: np.ndarray) -> tuple[int, int]:
    """Height and width (px) of what is drawn bright on a black frame."""
    rows, cols = np.nonzero(image.max(axis=2) > 128)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


#: A portrait phone clip, the annotated video of a 1920×1080 clip (its longer side brought to
#: 960 px, as the pipeline writes it) and a 1920×1080 frame itself.
SIZES = [(360, 640), (960, 540), (1920, 1080)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_overlay_text_reads_at_the_players_width(width, height):
    """A capital drawn on the video is at least 7.5 px tall, and its strokes at least 0.8 px
    wide, once the video is shown PLAYER_WIDTH_PX wide (the old fixed-by-height text was
    4 px tall there from a 1920×1080 clip)."""
    image = np.zeros((height, width, 3), np.uint8)
    style = Style.for_frame(width, height)
    draw_panel(image, [("H", (255, 255, 255))], style=style)
    cap_px, _ = _text_box(image)
    shown = PLAYER_WIDTH_PX / width
    assert cap_px * shown >= 7.5
    assert style.text_thickness * shown >= 0.8 or style.text_thickness == 1 and shown >= 1
    assert cap_px <= 0.08 * height  # and no larger than needed


@pytest.mark.parametrize(("clip", "size"), [("run_treadmill_side_portrait", (360, 640)),
                                           ("walk_side_outdoor_60fps", (1920, 1080))])  # fmt: skip
def test_the_panel_on_a_real_frame_is_readable_and_leaves_the_picture(clip, size):
    """On a real frame brought to each size, with what a side view shows (knee bend, heel
    height, trunk lean): the panel's text is as tall at the player's width on both, and the
    panel keeps to the top-left, clear of most of the picture."""
    from gaitlab.io.video import read_frames

    frame = read_frames(f"tests/data/{clip}.mp4", [30])[30]
    width, height = size
    image = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    side_view = ("knee_flexion", "heel_height", "trunk_lean")
    values = {n: -12.3 for n, _, _ in PANEL_SIGNALS if n.startswith(side_view)}
    out = annotate_frame(image, subject_xy=None, values=values, t_s=1.0, view="anterior")
    changed = np.abs(out.astype(int) - image.astype(int)).max(axis=2) > 0
    rows, cols = np.nonzero(changed[: height // 2])  # the panel (not the centre note)
    style = Style.for_frame(width, height)
    assert rows.max() + 1 == 10 + style.line_height * (1 + len(values)) + 10
    assert rows.max() + 1 <= 0.4 * height and cols.max() + 1 <= 0.62 * width
    blank = np.zeros_like(image)
    draw_panel(blank, [("H", (255, 255, 255))], style=style)
    assert _text_box(blank)[0] * PLAYER_WIDTH_PX / width >= 7.5
