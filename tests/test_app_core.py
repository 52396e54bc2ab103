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
from gaitlab.app.results import (
    AnalysisJobs,
    ResultStore,
    Status,
    run_analysis,
    valid_id,
)
from gaitlab.errors import GaitlabError
from gaitlab.measures import FRONTAL_SIGNALS, SAGITTAL_SIGNALS
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.present import (
    CHART_GROUPS,
    chart_data,
    crop_person,
    explain,
    flag_rows,
    format_value,
    measure_table,
    metric_rows,
    parse_metric,
    reference_for,
    reference_text,
    rep_rows,
    view_requirements,
)
from gaitlab.thresholds import load_thresholds

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
    return tmp_path_factory.mktemp("gaitlab_home") / "results"


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
        shutil.copy2(store.path(walk_result) / name, store.path(rid) / name)
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
        "summary.json",
        "frames.csv",
        "annotated.mp4",
    }
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
@pytest.mark.parametrize(
    ("name", "stem", "stat", "side", "unit", "label"),
    [
        ("fppa_peak_left_deg", "fppa", "peak", "left", "deg", "Knee valgus (FPPA), peak"),
        ("cadence_spm", "cadence", None, None, "spm", "Cadence"),
        ("step_time_mean_s", "step_time", "mean", None, "s", "Step time, mean"),
        ("heel_height_peak_right_pct_foot", "heel_height", "peak", "right", "pct_foot", None),
        ("reps", "reps", None, None, None, "Reps"),
        ("pelvic_drop_peak_right_deg", "pelvic_drop", "peak", "right", "deg", None),
        ("sway_path_cm", "sway_path", None, None, "cm", "Sway path"),
        ("some_new_thing_ms", "some_new_thing", None, None, "ms", "Some new thing"),
    ],
)
def test_metric_names_split_into_stem_statistic_side_unit(name, stem, stat, side, unit, label):
    m = parse_metric(name)
    assert (m.stem, m.statistic, m.side, m.unit) == (stem, stat, side, unit)
    if label:
        assert m.label == label


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
    assert rows["knee_flexion_peak_left_deg"]["reference"] == ""
    assert rows["duration_analysed_s"]["recording"] and rows["duration_analysed_s"][
        "value"
    ].endswith(" s")
    table = measure_table([r for r in rows.values() if not r["recording"]])
    assert table[0]["Measure"].endswith("· left")
    assert set(table[0]) == {"Measure", "Value", "Reference", "Check"}
    plain = measure_table([rows["knee_flexion_peak_left_deg"]])
    value = rows["knee_flexion_peak_left_deg"]["value"]
    assert plain == [{"Measure": "Knee bend (flexion), peak · left", "Value": value}]


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
    ],
)
def test_values_are_formatted_with_units(value, unit, text):
    assert format_value(value, unit) == text


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
    assert marks == ["rect", "point", "line", "rule", "text"]


def test_crop_person_cuts_the_box_out_of_a_downscaled_frame():
    image = np.zeros((540, 960, 3), np.uint8)
    crop = crop_person(image, (960, 200, 1160, 800), (1920, 1080), pad=0.0)
    assert crop.shape == (300, 100, 3)
    edge = crop_person(image, (-50, -50, 3000, 3000), (1920, 1080))
    assert edge.shape == (540, 960, 3)
