"""How counts read and what the History page's progress view shows: counts without a ".0",
yes/no metrics as words, each task's headline measures first, and a time axis that never
repeats a label when several sessions share a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gaitlab.app import timeline
from gaitlab.present.progress import build_progress, judge_change
from gaitlab.present.values import format_metric, format_value
from gaitlab.store.records import MetricPoint, Person

ANA = Person(id=1, name="Ana", sex="female")
DAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def progress_of(metric: str, values: list[float], times: list[datetime]):
    points = [
        MetricPoint(i + 1, t, v, "calf-raise")
        for i, (v, t) in enumerate(zip(values, times, strict=True))
    ]
    return build_progress(ANA, metric, points)


def test_counts_read_without_decimals_and_measures_keep_theirs():
    assert format_value(2.0, None) == "2"  # the history stores counts as floats
    assert format_value(12, None) == "12"
    assert format_value(2.5, None) == "2.5"  # not a whole number: not read as a count
    assert format_value(12.0, "deg") == "12.0°"
    assert format_value(3.0, "s") == "3.00 s"
    assert format_metric("reps", 14.0) == "14"
    assert format_metric("walking_passes", 0.0) == "0"
    assert format_metric("hold_began_before_recording", 1.0) == "yes"
    assert format_metric("target_met", 0.0) == "no"
    assert format_metric("heel_rise_peak_cm", 5.0) == "5.0 cm"


def test_a_change_in_a_count_reads_as_a_whole_number():
    verdict, label = judge_change(2.0, None, "")
    assert verdict == "unknown_error" and label.startswith("+2: ")
    assert judge_change(-1.0, None, "°")[1].startswith("-1.0°: ")  # a measure keeps its decimal


def test_progress_table_of_reps_has_no_decimal_point():
    progress = progress_of("reps", [12.0, 14.0, 15.0], [DAY, DAY + timedelta(hours=3), DAY])
    table = timeline.progress_table(progress)
    assert list(table["Value"]) == ["12", "14", "15"]
    assert list(table["Change"]) == ["", "+2", "+1"]


def test_key_numbers_lead_with_reps_and_heel_height_and_leave_out_yes_no_answers():
    calf = {"hold_mean_s": 1.0, "heel_rise_peak_cm": 5.8, "reps": 14.0, "legs": "both"}
    assert (
        timeline.key_numbers(calf)
        == "Reps 14 · Heel rise, peak 5.8 cm · Hold at the top, mean 1.00 s"
    )
    balance = {"hold_began_before_recording": 1.0, "hold_ended_after_recording": 1.0,
               "hold_time_s": 3.97, "holds": 1.0, "fppa_peak_left_deg": 5.1}  # fmt: skip
    numbers = timeline.key_numbers(balance, task="balance")
    assert numbers.startswith("Longest hold 3.97 s · ")
    assert "began" not in numbers and "still going" not in numbers and "1.0" not in numbers


def test_headline_measures_of_each_task_come_first_and_open_the_view():
    names = ["target_met", "hold_mean_s", "ankle_roll_peak_left_deg", "reps", "heel_rise_peak_cm",
             "hold_time_s", "hold_began_before_recording", "sway_rms_pct_leg", "cadence_spm",
             "fppa_peak_left_deg", "target_low_s", "frames_detected"]  # fmt: skip
    ordered = timeline.progress_metrics(names)
    assert ordered[:6] == ["cadence_spm", "fppa_peak_left_deg", "reps", "heel_rise_peak_cm",
                           "hold_time_s", "sway_rms_pct_leg"]  # fmt: skip
    assert not {"target_met", "hold_began_before_recording", "target_low_s"} & set(ordered)
    assert timeline.default_metric(ordered, "calf-raise") == "reps"
    assert timeline.default_metric(ordered, "balance") == "hold_time_s"
    assert timeline.default_metric(ordered, "walk") == "cadence_spm"
    assert timeline.default_metric(["hold_mean_s"], "calf-raise") == "hold_mean_s"
    assert timeline.default_metric([], None) is None


def _labels(times: list[datetime]) -> list[str]:
    fmt, _ = timeline.time_axis(times)
    return [t.strftime(fmt) for t in times]


def test_sessions_on_one_day_are_told_apart_by_their_time():
    times = [datetime(2026, 12, 7, h, m) for h, m in ((9, 0), (10, 30), (11, 0), (16, 45))]
    fmt, title = timeline.time_axis(times)
    assert (fmt, title) == ("%H:%M", "7 Dec 2026")
    assert _labels(times) == ["09:00", "10:30", "11:00", "16:45"]


def test_days_with_two_sessions_show_the_time_and_other_spans_the_day():
    two_on_a_day = [datetime(2026, 12, 6, 14), datetime(2026, 12, 7, 9), datetime(2026, 12, 7, 15)]
    assert timeline.time_axis(two_on_a_day) == ("%d %b %H:%M", "2026")
    assert len(set(_labels(two_on_a_day))) == 3
    weekly = [datetime(2026, 11, 16) + timedelta(days=7 * i) for i in range(4)]
    assert timeline.time_axis(weekly) == ("%d %b", "2026")
    assert _labels(weekly) == ["16 Nov", "23 Nov", "30 Nov", "07 Dec"]
    over_new_year = [datetime(2026, 12, 28), datetime(2027, 1, 4)]
    assert timeline.time_axis(over_new_year) == ("%d %b %Y", None)


def test_the_chart_has_one_tick_per_session_and_no_repeated_label():
    times = [DAY + timedelta(hours=h) for h in range(4)]
    progress = progress_of("reps", [10.0, 11.0, 13.0, 12.0], times)
    spec = timeline.progress_chart(progress).to_dict()
    x = next(layer["encoding"]["x"] for layer in spec["layer"] if "x" in layer["encoding"])
    assert x["axis"]["format"] == "%H:%M"
    assert x["title"] == f"{timeline.local_time(DAY):%-d %b %Y}"
    ticks = x["axis"]["values"]
    assert len(ticks) == 4
    local = [timeline.local_time(t) for t in times]
    assert [(v["date"], v["hours"]) for v in ticks] == [(t.day, t.hour) for t in local]
    assert spec["layer"][0]["encoding"]["y"]["title"] == "count"


def test_a_live_calf_raise_session_is_followed_by_its_reps_and_heel_height():
    from gaitlab.app.results import live_metrics

    summary = {
        "counter": {"reps": 9},
        "measures": {
            "heel_height_left_pct_foot": {"min": 0.1, "max": 21.5, "mean": 8.0, "frames": 90},
            "trunk_lean_deg": {"min": 0.1, "max": 6.0, "mean": 3.0, "frames": 90},
        },
    }
    names = timeline.progress_metrics(live_metrics(summary))
    assert names[:2] == ["reps", "heel_height_max_left_pct_foot"]
    assert timeline.key_numbers(live_metrics(summary), task="calf-raise").startswith(
        "Reps 9 · Heel height, max · left 21.5 % foot length"
    )
