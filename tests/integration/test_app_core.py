"""The app's plain code: the results store, background jobs, display rows and charts.

``walk_result`` (a real analysis of the side-view walk clip through the store) and
``flagged_result`` (a copy of it whose summary carries flags and reps, the way the task
analyzers will write them) are shared with the page tests (``test_app_pages.py``).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gaitlab.app.charts import signal_chart
from gaitlab.app.jobs import AnalysisJobs
from gaitlab.app.results import (
    ResultStore,
    Status,
    run_analysis,
    valid_id,
)
from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import load_thresholds
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.present.charts import CHART_GROUPS, chart_data
from gaitlab.present.flags import explain, flag_rows, rep_rows
from gaitlab.present.guide import view_requirements
from gaitlab.present.metrics import (
    KEY_MEASURES,
    key_measures,
    measure_sections,
    measure_table,
    metric_rows,
    paired_rows,
)
from gaitlab.present.references import reference_text, references_text
from gaitlab.present.thumbnails import crop_person
from gaitlab.present.values import format_value, keep_together
from gaitlab.rules.metrics import CATALOGUE, reference_for
from gaitlab.rules.names import STATISTICS, UNITS, parse_metric, unit_label
from gaitlab.signals.measures import FRONTAL_SIGNALS, SAGITTAL_SIGNALS

TH = load_thresholds()

#: Flags and reps in the shape the analyzers write them (DESIGN.md), for the UI only.
FLAGS = [
    {
        "rule": "fppa_peak",
        "severity": "warning",
        "side": "left",
        "start_s": 0.5,
        "end_s": 0.8,
        "frame": 40,
        "value": 14.2,
        "threshold": TH["fppa_peak"].value,
        "unit": "deg",
        "message": "left knee caving in (FPPA) 14.2°",
        "source": TH["fppa_peak"].source,
        "signal": "fppa_left_deg",
    },
    {
        "rule": "calf_raise_hold",
        "severity": "warning",
        "side": None,
        "start_s": 1.5,
        "end_s": 1.5,
        "frame": 90,
        "value": 0.1,
        "threshold": TH["calf_raise_hold"].value,
        "unit": "s",
        "message": "no pause at the top (0.1 s)",
        "source": TH["calf_raise_hold"].source,
        "signal": None,
    },
]
REPS = [
    {
        "index": 1,
        "start_s": 0.2,
        "top_s": 0.6,
        "end_s": 1.4,
        "rise_s": 0.4,
        "hold_s": 0.1,
        "lower_s": 0.8,
        "height_pct_foot": 20.1,
        "ankle_roll_peak_deg": 3.2,
        "flags": ["calf_raise_hold"],
    }
]


@pytest.fixture(scope="session")
def results_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gaitlab_home") / "uploads"


@pytest.fixture(scope="session")
def walk_result(results_root, walk_side_clip) -> str:
    """A real result: the walk clip uploaded into the store and analysed."""
    store = ResultStore(results_root)
    rid = store.create(walk_side_clip.name, walk_side_clip.read_bytes(), AnalyzeOptions("walk"))
    status = run_analysis(store, rid)
    assert status.state == "done", status.message
    return rid


@pytest.fixture(scope="session")
def flagged_result(results_root, walk_result) -> str:
    """The walk result with flags and reps put into its summary (task calf-raise)."""
    store = ResultStore(results_root)
    rid = store.create_rerun(walk_result, AnalyzeOptions("calf-raise"))
    for name in ("summary.json", "frames.csv", "annotated.mp4", "persons.json"):
        shutil.copy2(store.output(walk_result, name), store.path(rid) / name)
    summary = store.summary(walk_result)
    summary.update(task="calf-raise", flags=FLAGS, reps=REPS)
    summary["metrics"]["reps"] = 1
    store.summary_path(rid).write_text(json.dumps(summary))
    store.write_status(rid, Status("done", "done"))
    return rid


# -- store -------------------------------------------------------------------------------------
def test_a_result_folder_holds_the_upload_the_request_and_the_outputs(results_root, walk_result):
    store = ResultStore(results_root)
    folder = store.path(walk_result)
    assert valid_id(walk_result)
    assert {p.name for p in folder.iterdir()} >= {
        "input.mp4",
        "request.json",
        "status.json",
        "persons.json",
    }
    # the outputs are the history session's (committed when the analysis succeeded)
    session = store.home / "sessions" / str(store.history(walk_result)["session_id"])
    for path in (store.summary_path(walk_result), store.frames_path(walk_result),
                 store.video_path(walk_result)):  # fmt: skip
        assert path.parent == session and path.is_file()
    assert not (folder / "people.pkl").exists()  # one person: nothing to choose from
    assert store.status(walk_result) == Status(
        "done", "done", updated=store.status(walk_result).updated
    )
    assert store.request(walk_result)["filename"] == "walk_side_outdoor_60fps.mp4"
    assert store.summary(walk_result)["task"] == "walk"
    assert [p["track_id"] for p in store.persons(walk_result)] == [1]
    assert walk_result in [r.result_id for r in store.list()]


@pytest.mark.parametrize("bad", ["../etc", "", "20260101-000000-zzzzzz", None, "a/b"])
def test_ids_are_checked_before_they_touch_the_disk(tmp_path, bad):
    store = ResultStore(tmp_path)
    assert not store.exists(bad)
    with pytest.raises(GaitlabError, match="is not a result id"):
        store.path(bad)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"^holiday\.mp4 is empty \(0 bytes\), not a video$"),
        (b"this is not a video at all" * 100, r"^holiday\.mp4 is not a video file"),
    ],
)
def test_bad_upload_ends_in_a_one_line_error_status(tmp_path, content, match):
    store = ResultStore(tmp_path)
    rid = store.create("holiday.mp4", content, AnalyzeOptions("walk"))
    status = run_analysis(store, rid)
    assert status.state == "error"
    assert "\n" not in status.message and "Traceback" not in status.message
    assert re.search(match, status.message)
    assert not store.summary_path(rid).exists()
    assert not (store.path(rid) / "error.log").exists()  # a GaitlabError, not a bug


def test_unknown_suffix_is_stored_under_a_neutral_name(tmp_path):
    store = ResultStore(tmp_path)
    rid = store.create("clip.exe", b"x", AnalyzeOptions())
    assert store.input_path(rid).name == "input.video"


def test_status_progress_runs_through_the_stages():
    assert Status("queued").fraction == 0.0
    assert Status("running", "pose", 50, 100).fraction == pytest.approx(0.375)
    assert Status("running", "video", 100, 100).fraction == pytest.approx(1.0)
    assert Status("done", "done").fraction == 1.0
    assert "(50/100 frames)" in Status("running", "pose", 50, 100).label
    assert not Status("running").finished and Status("error").finished


def test_jobs_run_in_the_background_and_a_stale_running_status_is_interrupted(tmp_path):
    store = ResultStore(tmp_path)
    jobs = AnalysisJobs(store)
    rid = store.create("x.mp4", b"not a video", AnalyzeOptions())
    jobs.submit(rid)
    assert jobs.wait(rid, timeout=60).state == "error"
    jobs.close()  # the app stops; its upload was running
    stale = store.create("y.mp4", b"", AnalyzeOptions())
    store.write_status(stale, Status("running", "pose", 3, 10, updated=time.time()))
    assert jobs.status(stale).state == "interrupted"  # nothing runs it in this process


def test_rerun_links_the_video_and_reuses_the_poses(results_root, walk_result, tmp_path):
    store = ResultStore(results_root)
    (store.path(walk_result) / "people.pkl").unlink(missing_ok=True)
    rid = store.create_rerun(walk_result, AnalyzeOptions("walk", subject="1"))
    assert store.input_path(rid).read_bytes() == store.input_path(walk_result).read_bytes()
    assert store.request(rid)["parent"] == walk_result
    assert store.options(rid).subject == "1"
    shutil.rmtree(store.path(rid))


# -- display rows ------------------------------------------------------------------------------
#: Every metric name the analyzers and the summary write, as they write them: the side may
#: come before or after the unit, and counts and categories have no unit.
@pytest.mark.parametrize(
    ("name", "stem", "stat", "side", "unit", "label"),
    [
        ("fppa_peak_left_deg", "fppa", "peak", "left", "deg", "Knee valgus (FPPA), peak"),
        ("knee_flexion_peak_right_deg", "knee_flexion", "peak", "right", "deg", None),
        ("trunk_lean_mean_deg", "trunk_lean", "mean", None, "deg", "Forward trunk lean, mean"),
        ("cadence_spm", "cadence", None, None, "spm", "Cadence"),
        ("steps", "steps", None, None, None, "Steps"),
        ("walking_passes", "walking_passes", None, None, None, "Walking passes"),
        ("walking_time_s", "walking_time", None, None, "s", "Walking time"),
        ("step_time_mean_s", "step_time", "mean", None, "s", "Step time, mean"),
        ("step_time_left_s", "step_time", None, "left", "s", "Step time"),
        ("stride_time_mean_s", "stride_time", "mean", None, "s", "Stride time, mean"),
        ("step_time_asymmetry_pct", "step_time_asymmetry", None, None, "pct", None),
        ("stance_pct_left", "stance", None, "left", "pct", "Stance (% of stride)"),
        ("swing_pct_right", "swing", None, "right", "pct", "Swing (% of stride)"),
        ("double_support_pct", "double_support", None, None, "pct", None),
        ("walking_speed_legs_per_s", "walking_speed", None, None, "legs_per_s", "Walking speed"),
        ("foot_strike_left", "foot_strike", None, "left", None, "Foot strike"),
        ("foot_strike_angle_right_deg", "foot_strike_angle", None, "right", "deg", None),
        (
            "foot_strike_heel_pct_left",
            "foot_strike_heel",
            None,
            "left",
            "pct",
            "Heel strikes (% of contacts)",
        ),
        ("foot_strike_forefoot_pct_right", "foot_strike_forefoot", None, "right", "pct", None),
        (
            "overstride_left_legs",
            "overstride",
            None,
            "left",
            "legs",
            "Overstride (heel ahead of hips)",
        ),
        ("pelvic_drop_peak_right_deg", "pelvic_drop", "peak", "right", "deg", None),
        ("heel_height_peak_right_pct_foot", "heel_height", "peak", "right", "pct_foot", None),
        ("reps", "reps", None, None, None, "Reps"),
        ("legs", "legs", None, None, None, "Legs used"),
        ("rise_mean_s", "rise", "mean", None, "s", "Rise time, mean"),
        ("hold_mean_s", "hold", "mean", None, "s", "Hold at the top, mean"),
        ("heel_rise_peak_cm", "heel_rise", "peak", None, "cm", "Heel rise, peak"),
        ("ankle_roll_peak_left_deg", "ankle_roll", "peak", "left", "deg", None),
        ("ankle_wobble_mean_right_pct_foot", "ankle_wobble", "mean", "right", "pct_foot", None),
        ("heel_rise_test_reps_left", "heel_rise_test_reps", None, "left", None, None),
        (
            "heel_rise_test_reps_left_pct_norm",
            "heel_rise_test_reps",
            None,
            "left",
            "pct_norm",
            "Heel-rise test: raises (% of norm)",
        ),
        ("heel_rise_test_work_right_j", "heel_rise_test_work", None, "right", "j", None),
        ("heel_rise_test_peak_left_cm", "heel_rise_test", "peak", "left", "cm", None),
        ("heel_rise_test_symmetry_pct", "heel_rise_test_symmetry", None, None, "pct", None),
        ("calf_raise_lower_ratio", "calf_raise_lower", None, None, "ratio", None),
        ("holds", "holds", None, None, None, "Holds"),
        ("hold_time_s", "hold_time", None, None, "s", "Longest hold"),
        ("hold_time_left_s", "hold_time", None, "left", "s", "Longest hold on each leg"),
        ("stance_leg", "stance_leg", None, None, None, "Standing leg (longest hold)"),
        ("sway_rms_pct_leg", "sway_rms", None, None, "pct_leg", "Sway (RMS)"),
        ("sway_path_cm", "sway_path", None, None, "cm", "Sway path"),
        ("target_met", "target_met", None, None, None, "Target hold reached"),
        ("hold_pct_of_norm", "hold", None, None, "pct_of_norm", "Longest hold (% of age norm)"),
        ("duration_analysed_s", "duration_analysed", None, None, "s", "Time analysed"),
        ("some_new_thing_ms", "some_new_thing", None, None, "ms", "Some new thing"),
    ],
)
def test_metric_names_split_into_stem_statistic_side_unit(name, stem, stat, side, unit, label):
    m = parse_metric(name)
    assert (m.stem, m.statistic, m.side, m.unit) == (stem, stat, side, unit)
    assert m.pattern == (name.replace(f"_{side}", "_*", 1) if side else name)
    assert "_" not in m.label  # words, not a machine name
    assert "," not in m.label or m.label.rsplit(", ", 1)[1] in STATISTICS  # ", peak" only
    if label:
        assert m.label == label


@pytest.mark.parametrize(
    ("unit", "text"),
    [
        ("pct", "%"),
        ("legs", "leg lengths"),
        ("legs_per_s", "leg lengths/s"),
        ("pct_leg", "% leg length"),
        ("pct_foot", "% foot length"),
        ("pct_norm", "% of norm"),
        ("s", "s"),
        ("cm", "cm"),
        ("j", "J"),
        ("deg", "°"),
        ("spm", "steps/min"),
        ("steps/min", "steps/min"),  # the thresholds file's spelling
        ("ratio", ""),
        ("reps", "reps"),  # a thresholds-file unit that is no suffix: as it is
        (None, ""),
    ],
)
def test_units_read_as_words_and_symbols(unit, text):
    assert unit_label(unit) == text


def test_every_unit_suffix_is_checked_after_the_longer_ones_ending_in_it():
    keys = [k for k, _ in UNITS]
    for i, key in enumerate(keys):
        assert not any(k.endswith("_" + key) or k == key for k in keys[i + 1 :]), key


def test_references_come_from_the_thresholds_file():
    fppa = reference_for(parse_metric("fppa_peak_left_deg"), TH, "walk")
    assert fppa == [TH["fppa_peak"]]
    t = TH["fppa_peak"]
    assert reference_text(t) == (
        f"flag above {t.value:g}° (women {t.value_female:g}°, men {t.value_male:g}°)"
    )
    assert reference_text(t, "female") == f"flag above {t.value_female:g}°"
    cadence = reference_for(parse_metric("cadence_spm"), TH, "walk")
    assert [c.name for c in cadence] == ["cadence_normal_female", "cadence_normal_male"]
    band = TH["cadence_normal_male"]
    assert reference_text(band) == f"normal {band.low:g}–{band.high:g} steps/min (men)"
    drop = reference_for(parse_metric("pelvic_drop_peak_left_deg"), TH, "balance")
    assert drop == [TH["pelvic_drop_stance"]] and reference_text(drop[0]).endswith("provisional")
    hold = reference_for(parse_metric("hold_time_s"), TH, "balance")
    assert hold == [TH["balance_hold_min"]]
    assert reference_for(parse_metric("fppa_peak_left_pct"), TH, "walk") == []  # unit differs
    assert reference_for(parse_metric("knee_flexion_peak_left_deg"), TH, "walk") == []


def test_metric_rows_show_units_references_and_verdicts(results_root, walk_result):
    summary = ResultStore(results_root).summary(walk_result)
    summary["metrics"]["fppa_peak_left_deg"] = TH["fppa_peak"].value + 4.0
    rows = {r["name"]: r for r in metric_rows(summary, TH)}
    assert rows["fppa_peak_left_deg"]["value"].endswith("°")
    assert rows["fppa_peak_left_deg"]["verdict"] == "flagged"
    assert rows["fppa_peak_right_deg"]["value"] == "not measured"  # side view: null
    assert not rows["fppa_peak_right_deg"]["measured"]
    assert rows["knee_flexion_peak_left_deg"]["reference"] == ""
    assert rows["stance_pct_left"]["value"].endswith(" %")
    assert rows["walking_speed_legs_per_s"]["value"].endswith(" leg lengths/s")
    assert rows["overstride_left_legs"]["reference"].startswith("flag above 0.5 leg lengths")
    assert rows["duration_analysed_s"]["recording"] and rows["duration_analysed_s"][
        "value"
    ].endswith(" s")
    table = measure_table([r for r in rows.values() if not r["recording"]])
    assert table[0]["Measure"].endswith("· left")
    assert table[0]["Value"].endswith("° (flagged)")  # the verdict with the value
    assert set(table[0]) == {"Measure", "Value", "Reference"}
    plain = measure_table([rows["knee_flexion_peak_left_deg"]])
    value = rows["knee_flexion_peak_left_deg"]["value"]
    assert plain == [{"Measure": "Knee bend (flexion), peak · left", "Value": value}]


def _row(name: str, value: str, verdict: str = "", reference: str = "") -> dict:
    m = parse_metric(name)
    return {
        "name": name,
        "pattern": m.pattern,
        "measure": m.label,
        "side": m.side or "",
        "value": value,
        "measured": value != "not measured",
        "reference": reference,
        "verdict": verdict,
        "source": "",
        "recording": False,
    }


@pytest.mark.parametrize(
    ("rows", "value", "verdict", "checked"),
    [
        (
            [_row("stance_pct_left", "62.4 %"), _row("stance_pct_right", "60.0 %")],
            "left 62.4 % · right 60.0 %",
            "",
            "left 62.4 % · right 60.0 %",
        ),
        (
            [_row("fppa_peak_left_deg", "not measured"), _row("fppa_peak_right_deg", "4.0°")],
            "left not measured · right 4.0°",
            "",
            "left not measured · right 4.0°",
        ),
        (
            [
                _row("fppa_peak_left_deg", "not measured", reference="r"),
                _row("fppa_peak_right_deg", "not measured", reference="r"),
            ],
            "not measured",
            "",
            "not measured",
        ),
        (
            [_row("foot_strike_left", "heel"), _row("foot_strike_right", "heel")],
            "heel (both sides)",
            "",
            "heel (both sides)",
        ),
        (
            [
                _row("overstride_left_legs", "0.47 leg lengths", "within"),
                _row("overstride_right_legs", "0.61 leg lengths", "flagged"),
            ],
            "left 0.47 leg lengths · right 0.61 leg lengths",
            "left within · right flagged",
            "left 0.47 leg lengths (within) · right 0.61 leg lengths (flagged)",
        ),
        (
            [
                _row("ankle_roll_peak_left_deg", "2.0°", "within"),
                _row("ankle_roll_peak_right_deg", "3.0°", "within"),
            ],
            "left 2.0° · right 3.0°",
            "within",
            "left 2.0° · right 3.0° (both within)",
        ),
        (
            [
                _row("ankle_roll_peak_left_deg", "6.0°", "flagged"),
                _row("ankle_roll_peak_right_deg", "6.0°", "flagged"),
            ],
            "6.0° (both sides)",
            "flagged",
            "6.0° (both sides, flagged)",
        ),
        (
            [
                _row("fppa_peak_left_deg", "not measured"),
                _row("fppa_peak_right_deg", "14.0°", "flagged"),
            ],
            "left not measured · right 14.0°",
            "flagged",
            "left not measured · right 14.0° (flagged)",
        ),
        (
            [_row("heel_rise_test_reps_left", "18", "flagged")],
            "left 18",
            "flagged",
            "left 18 (flagged)",
        ),
        (
            [_row("cadence_spm", "107.6 steps/min", "in range")],
            "107.6 steps/min",
            "in range",
            "107.6 steps/min (in range)",
        ),
    ],
)
def test_left_and_right_share_one_row(rows, value, verdict, checked):
    (row,) = paired_rows(rows)
    assert (row["value"], row["verdict"], row["checked"]) == (value, verdict, checked)
    assert measure_table([row])[0]["Value"] == keep_together(checked)
    assert row["measure"] == rows[0]["measure"] and row["side"] == ""
    assert row["names"] == tuple(r["name"] for r in rows)
    assert row["reference"] == ("r" if rows[0]["reference"] else "")


def test_a_side_less_name_and_its_per_side_names_stay_apart():
    rows = paired_rows(
        [
            _row("hold_time_s", "12.0 s"),
            _row("hold_time_left_s", "12.0 s"),
            _row("hold_time_right_s", "8.0 s"),
        ]
    )
    assert [(r["key"], r["measure"], r["value"]) for r in rows] == [
        ("hold_time_s", "Longest hold", "12.0 s"),
        ("hold_time_*_s", "Longest hold on each leg", "left 12.0 s · right 8.0 s"),
    ]


def _names(task: str) -> dict[str, object]:
    """Every metric name the task writes (both sides), with a value."""
    side_names = {
        "walk": [
            "fppa_peak_*_deg",
            "knee_flexion_peak_*_deg",
            "step_time_*_s",
            "stance_pct_*",
            "swing_pct_*",
            "pelvic_drop_peak_*_deg",
            "foot_strike_*",
            "foot_strike_angle_*_deg",
            "foot_strike_heel_pct_*",
            "overstride_*_legs",
        ],
        "calf-raise": [
            "fppa_peak_*_deg",
            "ankle_roll_peak_*_deg",
            "ankle_wobble_mean_*_pct_foot",
            "heel_rise_test_reps_*",
            "heel_rise_test_work_*_j",
        ],
        "balance": ["fppa_peak_*_deg", "hold_time_*_s"],
    }[task]
    plain = {
        "walk": [
            "walking_passes", "walking_time_s", "steps", "step_time_mean_s", "cadence_spm",
            "stride_time_mean_s", "double_support_pct", "step_time_asymmetry_pct",
            "walking_speed_legs_per_s", "trunk_lean_mean_deg", "gait", "flight_pct",
        ],
        "calf-raise": [
            "reps", "legs", "rise_mean_s", "hold_mean_s", "lower_mean_s",
            "heel_rise_peak_pct_foot", "heel_rise_mean_pct_foot", "heel_rise_peak_cm",
            "heel_rise_test_symmetry_pct",
        ],
        "balance": [
            "holds", "hold_time_s", "stance_leg", "hold_end_reason", "sway_rms_pct_leg",
            "sway_path_pct_leg", "sway_rms_cm", "pelvic_drop_mean_deg", "arms_out_time_s",
            "target_met", "target_low_s", "target_high_s",
        ],
    }[task]  # fmt: skip
    names = plain + [p.replace("*", s) for p in side_names for s in ("left", "right")]
    return {"duration_analysed_s": 2.0, "frames_detected": 100, **dict.fromkeys(names, 1.0)}


@pytest.mark.parametrize(
    ("task", "key"),
    [
        (
            "walk",
            [
                "Steps",
                "Gait",
                "Cadence",
                "Step time, mean",
                "Stride time, mean",
                "Step-time asymmetry",
                "Stance (% of stride)",
                "Double support (% of stride)",
                "Knee valgus (FPPA), peak",
                "Pelvic drop, peak",
                "Foot strike",
            ],
        ),
        (
            "calf-raise",
            [
                "Reps",
                "Legs used",
                "Rise time, mean",
                "Hold at the top, mean",
                "Lowering time, mean",
                "Heel rise, peak",
                "Ankle roll (outwards), peak",
                "Heel-rise test: raises",
                "Heel-rise test: leg symmetry",
            ],
        ),
        (
            "balance",
            [
                "Holds",
                "Longest hold",
                "Standing leg (longest hold)",
                "Sway (RMS)",
                "Pelvic drop, mean",
                "Target hold reached",
            ],
        ),
    ],
)
def test_each_task_has_a_short_headline_and_the_rest_under_all_measures(task, key):
    summary = {"task": task, "metrics": _names(task)}
    sections = measure_sections(summary, TH)
    assert [r["measure"] for r in sections.key] == key
    shown = [n for r in sections.key + sections.more for n in r["names"]]
    recording = [r["name"] for r in sections.recording]
    assert sorted(shown + recording) == sorted(summary["metrics"])  # each metric once
    assert recording == ["duration_analysed_s", "frames_detected"]
    assert len(sections.key) <= 12
    assert not any(r["key"] in {k["key"] for k in sections.key} for r in sections.more)


@pytest.mark.parametrize(
    ("metrics", "shown"),
    [
        ({"heel_rise_peak_cm": 6.0, "heel_rise_peak_pct_foot": 30.0}, "heel_rise_peak_cm"),
        ({"heel_rise_peak_cm": None, "heel_rise_peak_pct_foot": 30.0}, "heel_rise_peak_pct_foot"),
        ({"heel_rise_peak_pct_foot": 30.0}, "heel_rise_peak_pct_foot"),
        ({"heel_rise_peak_cm": None, "heel_rise_peak_pct_foot": None}, "heel_rise_peak_cm"),
    ],
)
def test_of_alternatives_the_first_measured_one_is_key(metrics, shown):
    sections = measure_sections({"task": "calf-raise", "metrics": metrics}, TH)
    assert [r["key"] for r in sections.key] == [shown]
    assert [r["key"] for r in sections.more] == [k for k in metrics if k != shown]


def test_a_task_without_a_headline_shows_every_measure_as_key():
    rows = paired_rows([_row("fppa_peak_left_deg", "1.0°"), _row("steps", "3")])
    assert "footprint" not in KEY_MEASURES
    assert key_measures(rows, "footprint") == rows


def test_key_measures_name_only_metrics_the_analyzers_write():
    written = {parse_metric(n).pattern for t in KEY_MEASURES for n in _names(t)}
    for spec in KEY_MEASURES.values():
        for entry in spec:
            for name in (entry,) if isinstance(entry, str) else entry:
                assert name in written, name


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (12.345, "deg", "12.3°"),
        (1.234, "s", "1.23 s"),
        (7, None, "7"),
        (None, "deg", "not measured"),
        (float("nan"), "cm", "not measured"),
        (42.0, "pct_foot", "42.0 % foot length"),
        ("heel", None, "heel"),
        (62.44, "pct", "62.4 %"),
        (0.474, "legs", "0.47 leg lengths"),
        (1.893, "legs_per_s", "1.89 leg lengths/s"),
        (2.345, "pct_leg", "2.3 % leg length"),
        (117.6, "j", "118 J"),
        (0.853, "ratio", "0.85"),
        (True, None, "yes"),
        (False, None, "no"),
    ],
)
def test_values_are_formatted_with_units(value, unit, text):
    assert format_value(value, unit) == text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("flag above 10 % · provisional", "flag above 10\xa0% · provisional"),
        (
            "left 0.47 leg lengths · right 0.40 leg lengths",
            "left\xa00.47 leg lengths · right\xa00.40 leg lengths",
        ),
        (
            "normal: women 96–138, men 81–135 steps/min",
            "normal: women 96–\u2060138, men 81–\u2060135 steps/min",
        ),
        ("2.24 s", "2.24\xa0s"),
        ("64.7°", "64.7°"),
        ("flag above 10° (women 12°, men 9°)", "flag above 10° (women 12°, men 9°)"),
        ("9.5 % (within)", "9.5\xa0% (within)"),
        ("left 118 J · right 0.5 ms", "left\xa0118\xa0J · right\xa00.5\xa0ms"),
        ("12 steps", "12 steps"),
        ("not measured", "not\xa0measured"),
        ("left not measured · right 4.0°", "left\xa0not\xa0measured · right\xa04.0°"),
        ("heel (both sides)", "heel (both sides)"),
    ],
)
def test_a_narrow_cell_breaks_lines_between_values_not_inside_them(text, kept):
    assert keep_together(text) == kept
    assert kept.replace("\xa0", " ").replace("\u2060", "") == text


def test_one_band_per_sex_reads_as_one_reference():
    bands = [TH["cadence_normal_female"], TH["cadence_normal_male"]]
    f, m = bands
    assert references_text(bands) == (
        f"normal: women {f.low:g}–{f.high:g}, men {m.low:g}–{m.high:g} steps/min"
    )
    assert references_text([f], "female") == reference_text(f, "female")
    assert references_text([]) == ""


def test_flag_rows_point_at_the_annotated_frame_and_explain(results_root, flagged_result):
    store = ResultStore(results_root)
    frames = pd.read_csv(store.frames_path(flagged_result))
    rows = flag_rows(store.summary(flagged_result), frames, TH)
    assert [r["row"] for r in rows] == [40, 90]  # every decoded frame has a row here
    assert rows[0]["t_s"] == pytest.approx(frames["t_s"][40])
    assert rows[0]["value_text"] == "14.2°" and rows[0]["when"] == "0.50–0.80 s"
    assert "screening proxy" in rows[0]["explanation"]
    assert rows[1]["when"] == "1.50 s" and "pause at the top" in rows[1]["explanation"]
    assert explain({"rule": "balance_hold_min"}, TH).startswith("The single-leg stand")
    assert explain({"rule": "new_rule", "message": "m"}, TH) == "m"
    assert explain({"rule": "ankle_shift"}, TH).startswith("The ankle wobbled")


def test_rep_rows_flatten_a_reps_flags():
    rows = rep_rows({"reps": REPS})
    assert rows[0]["flags"] == "calf_raise_hold" and rows[0]["hold_s"] == 0.1


def test_view_requirements_follow_the_measures_gating():
    rows = {r["measure"]: r["camera view"] for r in view_requirements()}
    assert rows[parse_metric(FRONTAL_SIGNALS[0]).label] == "front or back"
    assert rows[parse_metric(SAGITTAL_SIGNALS[0]).label] == "side"
    assert rows["Heel height"].startswith("any")


# -- charts ------------------------------------------------------------------------------------
def test_chart_data_picks_present_signals_threshold_and_flags(results_root, flagged_result):
    store = ResultStore(results_root)
    frames = pd.read_csv(store.frames_path(flagged_result))
    summary = store.summary(flagged_result)
    flags = flag_rows(summary, frames, TH)
    groups = {g.key: g for g in CHART_GROUPS}
    assert chart_data(groups["fppa"], frames, flags, TH, "calf-raise") is None  # side view
    flex = chart_data(groups["knee_flexion"], frames, flags, TH, "calf-raise")
    assert set(flex.series["series"]) == {"Left", "Right"} and flex.threshold is None
    heel = chart_data(groups["heel"], frames, flags, TH, "calf-raise")
    assert [f["rule"] for f in heel.flags] == ["calf_raise_hold"]
    # a frontal clip: FPPA with its threshold line from the thresholds file
    frontal = frames.assign(fppa_left_deg=np.linspace(0, 20, len(frames)), fppa_right_deg=0.0)
    fppa = chart_data(groups["fppa"], frontal, flags, TH, "calf-raise", sex="male")
    assert fppa.threshold == TH["fppa_peak"].value_male
    assert [f["rule"] for f in fppa.flags] == ["fppa_peak"]
    spec = signal_chart(fppa).to_dict()
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        for layer in spec["layer"]
    ]
    # the invisible points after the lines take a click (it seeks the player)
    assert marks == ["rect", "point", "line", "point", "rule", "text"]
    assert [p["name"] for p in spec.get("params", [])] == ["seek"]


def test_crop_person_cuts_the_box_out_of_a_downscaled_frame():
    image = np.zeros((540, 960, 3), np.uint8)
    crop = crop_person(image, (960, 200, 1160, 800), (1920, 1080), pad=0.0)
    assert crop.shape == (300, 100, 3)
    edge = crop_person(image, (-50, -50, 3000, 3000), (1920, 1080))
    assert edge.shape == (540, 960, 3)


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        ("heel_strike", "At contact the foot pointed toes-up"),
        ("overstride", "The heel landed far ahead of the hips"),
        ("balance_sway_rms", "The hips swayed sideways"),
        ("heel_rise_test_reps", "Fewer single-leg heel raises"),
        ("heel_rise_test_symmetry", "One leg managed clearly fewer"),
        ("pelvic_drop_walk", "The hip on the side of the lifted leg"),
    ],
)
def test_the_rules_the_analyzers_flag_are_explained(rule, start):
    assert explain({"rule": rule, "message": "the flag's own message"}, TH).startswith(start)


def test_a_run_is_not_judged_against_walking_cadence_norms():
    walk = {"task": "walk", "metrics": {"cadence_spm": 168.6, "gait": "walking"}}
    run = {"task": "walk", "metrics": {"cadence_spm": 168.6, "gait": "running"}}
    by_name = {r["name"]: r for r in metric_rows(walk, TH, "female")}
    assert by_name["cadence_spm"]["reference"] and by_name["cadence_spm"]["verdict"]
    by_name = {r["name"]: r for r in metric_rows(run, TH, "female")}
    assert by_name["cadence_spm"]["reference"] == "" and by_name["cadence_spm"]["verdict"] == ""


def test_every_metric_of_a_real_result_is_catalogued(results_root, walk_result):
    metrics = ResultStore(results_root).summary(walk_result)["metrics"]
    catalogued = {
        spec.pattern.replace("*", side) for spec in CATALOGUE for side in ("left", "right")
    }
    assert set(metrics) - catalogued == set()
