"""Timeline marks of a result: steps, toe offs, reps or holds and flags, each with its row."""

from __future__ import annotations

import pandas as pd

from gaitlab.present.marks import timeline_marks

FRAMES = pd.DataFrame({"frame": [10, 11, 12, 13, 14, 15], "t_s": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]})


def test_steps_reps_and_flags_in_time_order_with_their_rows():
    summary = {
        "task": "calf-raise",
        "events": [
            {"type": "toe_off", "side": "right", "t_s": 0.8, "frame": 13},
            {"type": "heel_strike", "side": "left", "t_s": 0.6, "frame": 11},
        ],
        "reps": [{"start_s": 0.5, "end_s": 0.9}, {"start_s": None}],
    }
    flags = [{"start_s": 0.7, "end_s": 0.8, "frame": 12, "side": "left", "when": "0.70–0.80 s",
              "message": "knee falls inward"}]  # fmt: skip
    marks = timeline_marks(summary, FRAMES, flags)
    assert [(m["kind"], m["frame"], m["t_s"]) for m in marks] == [
        ("rep", 0, 0.0),
        ("step", 1, 0.1),
        ("flag", 2, 0.2),
        ("toe_off", 3, 0.3),
    ]  # times in the annotated video, which starts at the first analysed frame
    rep, step, flag, toe_off = marks
    assert rep["end_s"] == 0.4 and rep["label"] == "rep 1: 0.50–0.90 s"
    assert step["side"] == "left" and step["label"] == "left heel strike at 0.60 s"
    assert flag["label"] == "0.70–0.80 s: knee falls inward" and flag["end_s"] == 0.3
    assert toe_off["end_s"] is None


def test_a_hold_names_its_leg_and_an_event_off_the_table_goes_to_the_nearest_row():
    summary = {
        "task": "balance",
        "events": [{"type": "hold_start", "side": "left", "t_s": 0.93, "frame": 99}],
        "reps": [{"start_s": 0.6, "end_s": 1.0, "stance_leg": "left"}],
    }
    marks = timeline_marks(summary, FRAMES, [])
    hold, event = marks
    assert hold["kind"] == "hold" and hold["label"] == "hold 1 on the left leg: 0.60–1.00 s"
    assert event["kind"] == "event" and event["frame"] == 4  # 0.93 s is nearest 0.9 s
    assert event["label"] == "left hold start at 0.93 s"


def test_no_frames_no_marks():
    empty = pd.DataFrame({"frame": [], "t_s": []})
    summary = {"task": "walk", "events": [{"type": "heel_strike", "t_s": 1.0, "frame": 3}]}
    assert timeline_marks(summary, empty, []) == []
