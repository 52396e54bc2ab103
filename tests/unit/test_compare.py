"""Comparing two sessions: refusing pairs that cannot be compared, lining the videos up on an
event, and each measure's change judged against its smallest detectable difference (SDD),
on hand-made summaries with known answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from gaitlab.core.thresholds import load_thresholds
from gaitlab.present.compare import (
    CompareError,
    SyncEvent,
    check_pair,
    comparable_tasks,
    compare_metrics,
    default_pair,
    event_marks,
    event_times,
    frame_at,
    judge,
    parse_sync_key,
    sync_options,
    sync_point,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class P:
    id: int
    name: str


@dataclass(frozen=True)
class S:
    id: int
    task: str | None
    person: P | None
    recorded_at: datetime = T0
    kind: str = "analysis"


ANA, BEN = P(1, "Ana"), P(2, "Ben")


def walk(strikes: list[tuple[str, float]], **metrics) -> dict:
    events = [{"type": "heel_strike", "side": side, "t_s": t, "frame": 0} for side, t in strikes]
    events.append({"type": "toe_off", "side": "left", "t_s": 0.2, "frame": 0})
    return {"task": "walk", "events": events, "reps": [], "metrics": metrics, "unavailable": {}}


# -- which sessions --------------------------------------------------------------------------------
def test_pairs_of_other_persons_tasks_or_kinds_are_refused():
    check_pair(S(1, "walk", ANA), S(2, "walk", ANA))  # one person, one task: fine
    with pytest.raises(CompareError, match="Ana's and #2 is Ben's"):
        check_pair(S(1, "walk", ANA), S(2, "walk", BEN))
    with pytest.raises(CompareError, match="only sessions of the same task"):
        check_pair(S(1, "walk", ANA), S(2, "balance", ANA))
    with pytest.raises(CompareError, match="chosen twice"):
        check_pair(S(1, "walk", ANA), S(1, "walk", ANA))
    with pytest.raises(CompareError, match="belongs to nobody"):
        check_pair(S(1, "walk", None), S(2, "walk", ANA))
    with pytest.raises(CompareError, match="programme session"):
        check_pair(S(1, None, ANA, kind="programme"), S(2, "walk", ANA))


def test_default_pair_is_first_and_latest_and_one_session_is_not_enough():
    sessions = [S(i, "walk", ANA, T0 + timedelta(days=d)) for i, d in ((1, 7), (2, 0), (3, 14))]
    first, latest = default_pair(sessions)
    assert (first.id, latest.id) == (2, 3)
    with pytest.raises(CompareError, match="needs two sessions"):
        default_pair(sessions[:1])
    tasks = comparable_tasks([*sessions, S(4, "balance", ANA), S(5, None, ANA, kind="programme")])
    assert list(tasks) == ["walk"]  # one balance session: nothing to compare it with
    assert [s.id for s in tasks["walk"]] == [2, 1, 3]  # oldest first


# -- lining up -----------------------------------------------------------------------------------
def test_nth_heel_strike_of_a_side_gives_each_videos_time_from_its_first_frame():
    a = walk([("left", 0.50), ("right", 1.05), ("left", 1.62)])
    b = walk([("right", 2.10), ("left", 2.70), ("right", 3.25), ("left", 3.80)])
    assert event_times(b, "heel_strike", "left") == [2.70, 3.80]
    point = sync_point(a, b, SyncEvent("heel_strike", 2, "left"), a_first_s=0.10, b_first_s=2.0)
    assert point.a_s == pytest.approx(1.52) and point.b_s == pytest.approx(1.80)
    assert point.offset_s == pytest.approx(0.28)
    assert sync_point(a, b, SyncEvent()).offset_s == 0.0
    keys = [e.key for e in sync_options(a, b)]
    assert keys == ["start", "heel_strike-left-1", "heel_strike-left-2", "heel_strike-right-1"]
    with pytest.raises(CompareError, match="first session has no right heel strike 2 .*has 1"):
        sync_point(a, b, SyncEvent("heel_strike", 2, "right"))


def test_rep_tops_and_hold_starts_and_keys_round_trip():
    calf = {"task": "calf-raise", "reps": [{"top_s": 1.4}, {"top_s": 3.1}, {"top_s": None}]}
    calf2 = {"task": "calf-raise", "reps": [{"top_s": 0.9}]}
    assert event_times(calf, "rep_top") == [1.4, 3.1]
    assert sync_point(calf, calf2, SyncEvent("rep_top", 1)).offset_s == pytest.approx(-0.5)
    hold = {"task": "balance", "reps": [{"start_s": 2.0}]}
    assert event_times(hold, "hold_start") == [2.0] and event_times(hold, "rep_top") == []
    assert [e.label for e in sync_options(hold, hold)] == [
        "the start of each video",
        "start of hold 1",
    ]
    for e in (SyncEvent(), SyncEvent("heel_strike", 3, "right"), SyncEvent("rep_top", 2)):
        assert parse_sync_key(e.key) == e
    with pytest.raises(CompareError, match="not an event"):
        parse_sync_key("heel_strike-middle-1")


def test_frame_at_is_the_last_frame_starting_at_or_before_the_time():
    times = [0.0, 1 / 30, 2 / 30, 3 / 30]
    assert frame_at(times, 0.0) == 0
    assert frame_at(times, 2 / 30 + 0.01) == 2
    assert frame_at(times, 2 / 30) == 2
    assert frame_at(times, 5.0) == 3


# -- the measures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds()


def by_name(rows):
    return {r.name: r for r in rows}


def test_fppa_change_judged_against_its_sdd_with_direction(thresholds):
    sdd = thresholds["fppa_peak"].sdd
    assert sdd == pytest.approx(8.2)  # Munro et al. 2012
    a = walk([], fppa_peak_left_deg=18.0, fppa_peak_right_deg=9.0)
    b = walk([], fppa_peak_left_deg=8.0, fppa_peak_right_deg=14.0)
    rows = by_name(compare_metrics(a, b, thresholds, "female"))
    left, right = rows["fppa_peak_left_deg"], rows["fppa_peak_right_deg"]
    assert left.change == pytest.approx(-10.0) and left.change_text == "-10.0°"
    assert left.verdict == "better" and "8.2°" in left.judgement  # less valgus beyond the SDD
    assert left.direction == "lower" and left.unit == "°" and "Munro" in left.sdd_source
    assert right.verdict == "within_error" and right.change_text == "+5.0°"
    worse = by_name(compare_metrics(b, a, thresholds))["fppa_peak_right_deg"]
    assert worse.verdict == "within_error"
    assert by_name(compare_metrics(a, b, thresholds))["fppa_peak_left_deg"].verdict == "better"
    assert by_name(compare_metrics(b, a, thresholds))["fppa_peak_left_deg"].verdict == "worse"


def test_heel_rise_reps_higher_is_better_and_no_sdd_said_plainly(thresholds):
    a = {"task": "calf-raise", "metrics": {"heel_rise_test_reps_left": 14, "cadence_spm": 1.0}}
    b = {"task": "calf-raise", "metrics": {"heel_rise_test_reps_left": 22, "cadence_spm": 9.0}}
    rows = by_name(compare_metrics(a, b, thresholds))
    reps = rows["heel_rise_test_reps_left"]
    assert reps.change == 8 and reps.change_text == "+8" and reps.verdict == "better"
    assert "5.7 reps" in reps.judgement
    assert rows["cadence_spm"].verdict == "no_sdd"
    assert rows["cadence_spm"].judgement.startswith("no published SDD")
    assert rows["cadence_spm"].unit == "steps/min" and rows["cadence_spm"].direction == ""
    fewer = by_name(compare_metrics(b, a, thresholds))["heel_rise_test_reps_left"]
    assert fewer.verdict == "worse"


def test_unmeasured_and_withheld_are_shown_never_compared(thresholds):
    why = "knee valgus (FPPA) needs a front or back view; this clip is filmed from the side"
    a = walk([], fppa_peak_left_deg=None, cadence_spm=float("nan"), duration_analysed_s=3.0)
    a["unavailable"] = {"fppa_left_deg": why}
    b = walk([], fppa_peak_left_deg=30.0, cadence_spm=110.0, duration_analysed_s=9.0)
    b["metrics"]["steps"] = 12
    rows = by_name(compare_metrics(a, b, thresholds))
    fppa = rows["fppa_peak_left_deg"]
    assert fppa.verdict == "not_compared" and fppa.change is None and fppa.change_text == ""
    assert fppa.a_text == "not measured" and why in fppa.judgement
    assert rows["cadence_spm"].verdict == "not_compared"  # NaN: withheld, not a number
    both = by_name(compare_metrics(a, a, thresholds))["fppa_peak_left_deg"]
    assert both.judgement == f"not measured in either session: {why}"
    first = walk([], fppa_peak_left_deg=None, gait="walking", cadence_spm=100.0)
    second = walk([], fppa_peak_left_deg=12.0, gait="walking", cadence_spm=104.0)
    order = [r.name for r in compare_metrics(first, second, thresholds)]
    assert order == ["cadence_spm", "gait", "fppa_peak_left_deg"]  # numbers, words, the rest
    assert rows["steps"].a_text == "not measured" and rows["steps"].verdict == "not_compared"
    assert "duration_analysed_s" not in rows  # a fact about the recording, not the person


def test_words_and_cut_holds(thresholds):
    a = walk([], foot_strike_left="heel", gait="walking")
    b = walk([], foot_strike_left="forefoot", gait="walking")
    rows = by_name(compare_metrics(a, b, thresholds))
    assert rows["foot_strike_left"].verdict == "changed"
    assert rows["gait"].verdict == "same"
    cut = {"task": "balance", "metrics": {"hold_time_s": 4.0, "hold_ended_after_recording": True}}
    full = {"task": "balance", "metrics": {"hold_time_s": 25.0}}
    hold = by_name(compare_metrics(cut, full, thresholds))["hold_time_s"]
    assert hold.verdict == "not_compared" and "lower bound" in hold.judgement


def test_judge_edges():
    assert judge(8.2, 8.2, "lower")[0] == "worse"  # at least the SDD counts
    assert judge(-8.1, 8.2, "lower")[0] == "within_error"
    assert judge(3.0, 1.0, "")[0] == "increase"
    assert judge(-3.0, 1.0, "")[0] == "decrease"
    assert judge(100.0, None, "higher")[0] == "no_sdd"


def test_event_marks_in_video_time():
    a = walk([("left", 0.50), ("right", 1.05), ("left", 1.62)])
    marks = event_marks(a, first_s=0.25)
    assert [(m["label"], round(m["t_s"], 2)) for m in marks] == [
        ("left heel strike 1", 0.25),
        ("right heel strike 1", 0.8),
        ("left heel strike 2", 1.37),
    ]
    calf = {"task": "calf-raise", "reps": [{"top_s": 1.4}]}
    assert event_marks(calf) == [{"t_s": 1.4, "kind": "rep", "side": None, "label": "top of rep 1"}]
