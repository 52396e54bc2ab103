"""The programme: the five exercises as data, the guided timer's schedule and state, logging
to the history, ``gaitlab programme`` (in process with a fake clock, and as a real process
stopped with Ctrl-C) and the app's Programme page through AppTest.

The browser test of the page is ``tests/browser/test_programme_browser.py``.
"""

from __future__ import annotations

import io
import math
import signal
import subprocess
import sys
import time
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gaitlab.cli import programme as programme_cli
from gaitlab.cli.main import build_parser, main
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.programme import (
    CALF_RAISE_CUE,
    READY_S,
    SWITCH_S,
    ProgrammeError,
    catalogue,
    exercises,
    find_exercise,
    format_duration,
    hold_advice,
    log_session,
    log_timer,
    make_schedule,
)
from gaitlab.programme import schedule as schedule_module
from gaitlab.store import PROGRAMME_EXERCISES, InputError, NotFoundError, Store

REPO = Path(__file__).resolve().parents[2]
KEYS = ["toe-yoga", "short-foot", "calf-raises", "toe-splaying", "barefoot-balancing"]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private, empty history for this test (``GAITLAB_HOME``)."""
    monkeypatch.setenv("GAITLAB_HOME", str(tmp_path))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    return tmp_path


@pytest.fixture
def store(home):
    with Store.open() as s:
        yield s


def ex(key: str):
    return find_exercise(key)


# -- the exercises -----------------------------------------------------------------------------
def test_the_five_exercises_in_order_each_with_how_why_and_a_history_name():
    all_ = exercises()
    assert [e.key for e in all_] == KEYS
    assert [e.log_name for e in all_] == list(PROGRAMME_EXERCISES[:5])  # names History knows
    for e in all_:
        assert len(e.steps) >= 3 and all(s.endswith(".") for s in e.steps)
        assert len(e.why) > 150 and e.summary and e.dose
        assert e.hold_range_s[0] <= e.hold_s <= e.hold_range_s[1]
        assert e.rep and any(p.kind == "hold" and p.seconds is None for p in e.rep)


def test_hold_times_are_the_programmes():
    by = {e.key: e for e in exercises()}
    assert (by["toe-yoga"].hold_s, by["toe-yoga"].hold_range_s) == (5.0, (5.0, 5.0))
    assert (by["short-foot"].hold_s, by["short-foot"].hold_range_s) == (5.0, (5.0, 10.0))
    target = load_thresholds()["balance_target"]
    assert by["barefoot-balancing"].hold_range_s == (target.low, target.high) == (30.0, 60.0)
    assert by["barefoot-balancing"].hold_text() == "30–60 s per leg"
    assert by["short-foot"].hold_text() == "5–10 s per foot"
    assert by["calf-raises"].hold_text() == "pause 1–2 s at the top"
    assert by["toe-splaying"].hold_note  # no hold time from the programme: said so


def test_the_balance_target_comes_from_the_thresholds_file_not_the_code():
    th = dict(load_thresholds())
    th["balance_target"] = Threshold(
        name="balance_target", description="", unit="s", source="test", provisional=True,
        low=20.0, high=45.0,
    )  # fmt: skip
    bal = next(e for e in exercises(th) if e.key == "barefoot-balancing")
    assert (bal.hold_s, bal.hold_range_s) == (20.0, (20.0, 45.0))
    assert "20–45 s" in bal.summary and "20 to 45 seconds" in " ".join(bal.steps)


def test_calf_raises_use_the_programmes_cue_word_for_word_and_a_tempo_the_check_passes():
    calf = ex("calf-raises")
    assert CALF_RAISE_CUE in calf.steps
    assert CALF_RAISE_CUE == (
        "Slowly raise your heels, pressing through the balls of your feet, especially through "
        "the base of your big toe. Pause at the top for a moment. Keep your ankles perfectly "
        "straight — do not let them wobble or roll outward. Lower back down even more slowly."
    )
    rise, pause, lower = calf.rep
    th = load_thresholds()
    # the timer's pacing would not be flagged by gaitlab's own calf-raise check
    assert rise.seconds >= th["calf_raise_rise"].value
    assert calf.hold_range_s[0] >= th["calf_raise_hold"].value
    assert lower.seconds / rise.seconds >= th["calf_raise_lower_ratio"].value
    assert pause.kind == "hold" and pause.seconds is None


def test_only_calf_raises_and_balancing_have_camera_checks_with_real_tasks():
    parser = build_parser()
    checked = {e.key: e.camera for e in exercises() if e.camera is not None}
    assert {k: c.task for k, c in checked.items()} == {
        "calf-raises": "calf-raise",
        "barefoot-balancing": "balance",
    }
    for check in checked.values():
        analyze, live = check.commands
        assert analyze == f"gaitlab analyze VIDEO --task {check.task} --out results/{check.task}"
        for cmd in (analyze, live):  # the commands parse as written
            args = parser.parse_args(cmd.split()[1:])
            assert args.task == check.task
        assert "2–3 m" in check.filming and check.measures


def test_only_real_named_sources():
    text = " ".join(" ".join((*e.steps, e.why)) for e in exercises())
    assert "Vladimír Janda" in ex("short foot").why
    assert not any(w in text for w in ("et al", "study", "studies show", "research shows"))


def test_the_exercises_are_a_data_file_shipped_in_the_package():
    data = tomllib.loads(
        resources.files("gaitlab.programme").joinpath(catalogue.DATA_FILE).read_text("utf-8")
    )
    assert [e["key"] for e in data["exercise"]] == KEYS
    assert data["programme"]["calf_raise_cue"] == CALF_RAISE_CUE
    assert "balance_target" in {e.get("hold_from") for e in data["exercise"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "unknown colour"),
        ({"why": None}, "lacks why"),
        ({"sides": ["left"]}, "sides must be"),
        ({"reps": 0}, "reps must be a whole number"),
        ({"hold_range_s": [10.0, 5.0]}, "low 10 is above high 5"),
        ({"hold_s": 20.0}, "hold_s must lie in hold_range_s"),
        ({"summary": "For {minutes} min."}, "cannot fill in"),
        ({"rep": [{"kind": "hold", "cue": "Hold", "seconds": 3.0}]}, "a hold takes"),
        ({"rep": [{"kind": "jump", "cue": "Jump"}]}, "kind must be one of"),
    ],
)
def test_a_malformed_exercise_in_the_data_file_is_refused(change, message):
    raw = {**next(e for e in catalogue._data()["exercise"] if e["key"] == "toe-yoga"), **change}
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(ProgrammeError, match=message):
        catalogue._exercise(raw, catalogue._data()["programme"], load_thresholds())


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("toe-yoga", "toe-yoga"),
        ("Toe Yoga", "toe-yoga"),
        ("short foot", "short-foot"),
        ("short_foot", "short-foot"),
        ("calf-raises", "calf-raises"),
        ("calf raise", "calf-raises"),
        ("heel raises", "calf-raises"),
        ("balance", "barefoot-balancing"),
        ("Barefoot balancing", "barefoot-balancing"),
        ("toe splaying", "toe-splaying"),
        ("splay", "toe-splaying"),
        ("bare", "barefoot-balancing"),  # a start that fits one exercise only
    ],
)
def test_exercise_names_are_taken_loosely(name, key):
    assert find_exercise(name).key == key


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("toe", r"'toe' could be toe yoga or toe splaying"),
        ("squats", r"no exercise called 'squats': the programme has toe yoga, short foot"),
        ("toe yogo", r"did you mean toe yoga\?"),
        ("", "name an exercise"),
    ],
)
def test_unknown_or_ambiguous_exercise_names_say_what_exists(name, message):
    with pytest.raises(ProgrammeError, match=message):
        find_exercise(name)


# -- the timer's schedule ----------------------------------------------------------------------
def test_toe_yoga_schedule_is_exact():
    s = make_schedule(ex("toe yoga"), hold_s=5, reps=2)
    assert [(st.kind, st.start_s, st.duration_s, st.rep, st.side) for st in s.steps] == [
        ("ready", 0.0, READY_S, None, None),
        ("hold", 5.0, 5.0, 1, "both"),
        ("relax", 10.0, 2.0, 1, "both"),
        ("hold", 12.0, 5.0, 1, "both"),
        ("rest", 17.0, 3.0, 2, "both"),
        ("hold", 20.0, 5.0, 2, "both"),
        ("relax", 25.0, 2.0, 2, "both"),
        ("hold", 27.0, 5.0, 2, "both"),
    ]
    assert s.total_s == 32.0 and s.exercise_total_s == 27.0
    assert [st.ends_rep for st in s.steps].count(True) == 2
    assert s.steps[1].label == "Hold: Lift your big toe; keep the other four down"
    assert s.describe() == "2 reps, 5 s holds each way, both feet together: 32 s"


@pytest.mark.parametrize(
    ("t", "kind", "remaining", "rep", "reps_done"),
    [
        (-3.0, "ready", 5.0, None, 0),  # not started yet: as at 0
        (0.0, "ready", 5.0, None, 0),
        (4.999, "ready", 0.001, None, 0),
        (5.0, "hold", 5.0, 1, 0),
        (11.5, "relax", 0.5, 1, 0),
        (17.0, "rest", 3.0, 2, 1),  # the first rep ends as its last hold ends
        (31.0, "hold", 1.0, 2, 1),
    ],
)
def test_state_at_any_moment(t, kind, remaining, rep, reps_done):
    s = make_schedule(ex("toe yoga"), hold_s=5, reps=2)
    state = s.state_at(t)
    assert not state.done
    assert state.step.kind == kind and state.rep == rep
    assert state.remaining_s == pytest.approx(remaining)
    assert state.reps_done == {"both": reps_done}
    assert state.exercise_s == pytest.approx(max(0.0, t - READY_S))
    assert state.fraction == pytest.approx(max(t, 0) / 32.0)


def test_state_at_the_end_and_after_is_done():
    s = make_schedule(ex("toe yoga"), hold_s=5, reps=2)
    for t in (32.0, 32.5, 1e6):
        state = s.state_at(t)
        assert state.done and state.step is None and state.remaining_s == 0
        assert state.elapsed_s == 32.0 and state.exercise_s == 27.0
        assert state.reps_done == {"both": 2} and state.fraction == 1.0
    with pytest.raises(ProgrammeError, match="not a number"):
        s.state_at(math.nan)


def test_balancing_alternates_legs_with_a_switch_between():
    s = make_schedule(ex("balance"), hold_s=30, reps=2, ready_s=0)
    switch = max(SWITCH_S, ex("balance").rest_s)
    assert [(st.kind, st.side, st.rep, st.duration_s) for st in s.steps] == [
        ("hold", "left", 1, 30.0),
        ("switch", "right", 1, switch),
        ("hold", "right", 1, 30.0),
        ("switch", "left", 2, switch),
        ("hold", "left", 2, 30.0),
        ("switch", "right", 2, switch),
        ("hold", "right", 2, 30.0),
    ]
    assert s.steps[0].cue == "Stand on your left leg; hips level"
    assert s.steps[1].label == "Switch sides: Now your right leg"
    state = s.state_at(30 + switch + 31)  # into the second leg's... first switch done
    assert state.side == "left" and state.step.kind == "switch"
    assert state.reps_done == {"left": 1, "right": 1}
    assert s.progress(state) == "left 1/2, right 1/2 holds, 30 s each"


def test_short_foot_does_every_rep_on_one_foot_then_the_other():
    s = make_schedule(ex("short foot"), hold_s=8, reps=3, ready_s=0)
    holds = [(st.side, st.rep) for st in s.steps if st.kind == "hold"]
    assert holds == [
        ("left", 1),
        ("left", 2),
        ("left", 3),
        ("right", 1),
        ("right", 2),
        ("right", 3),
    ]
    assert [st.kind for st in s.steps].count("switch") == 1
    assert s.total_s == 6 * 8 + 4 * ex("short foot").rest_s + max(SWITCH_S, 5.0)
    assert "left foot" in s.steps[0].cue and "right foot" in s.steps[-1].cue


def test_calf_raise_reps_are_paced_rise_pause_lower():
    s = make_schedule(ex("calf raises"), hold_s=2, reps=1, ready_s=0)
    assert [(st.kind, st.duration_s) for st in s.steps] == [
        ("move", 2.0),
        ("hold", 2.0),
        ("move", 3.0),
    ]
    assert s.steps[1].cue.startswith("Pause at the top for a moment")
    assert s.describe() == "1 rep, a 2 s pause at the top, both feet together: 7 s"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hold_s": -5}, r"the hold must be 1 to 300 s, got -5"),
        ({"hold_s": 0}, "the hold must be"),
        ({"hold_s": math.nan}, "the hold must be"),
        ({"hold_s": 301}, "the hold must be"),
        ({"reps": 0}, r"reps must be 1 to 50, got 0"),
        ({"reps": 51}, "reps must be"),
        ({"reps": 2.5}, "reps must be a whole number"),
        ({"reps": True}, "reps must be a whole number"),
        ({"ready_s": -1}, "the get-ready time must be 0 to 60 s"),
    ],
)
def test_impossible_timer_settings_are_refused(kwargs, message):
    with pytest.raises(ProgrammeError, match=message):
        make_schedule(ex("toe yoga"), **kwargs)


def test_holds_outside_the_programmes_range_are_allowed_with_a_word():
    sf = ex("short foot")
    assert hold_advice(sf, 7) == ""
    assert "shorter than the programme's 5–10 s" in hold_advice(sf, 3)
    assert "longer than the programme's 5–10 s" in hold_advice(sf, 20)
    assert make_schedule(sf, hold_s=3).hold_s == 3.0
    # a range the programme does not give is called a suggestion, not the programme's
    assert hold_advice(ex("calf raises"), 3) == "longer than the suggested 1–2 s"
    assert hold_advice(ex("toe splaying"), 10) == "longer than the suggested 5 s"


def test_format_duration():
    assert [format_duration(s) for s in (4.4, 59.6, 60, 152, 3600, 3900)] == [
        "4 s", "1 min", "1 min", "2 min 32 s", "1 h", "1 h 5 min",
    ]  # fmt: skip


# -- logging -----------------------------------------------------------------------------------
def test_a_finished_timer_logs_the_exercise_time_and_what_was_done(store):
    ana = store.add_person("Ana")
    s = make_schedule(ex("toe yoga"), hold_s=5, reps=2)
    sid = log_timer(store, ana, s, 40.0, "easier today")
    saved = store.session(sid)
    assert (saved.kind, saved.source, saved.exercise) == ("programme", "timer", "toe yoga")
    assert saved.duration_s == 27.0  # without the get-ready seconds
    assert saved.notes == "easier today · timer: 2/2 reps, 5 s holds each way"
    assert saved.person.name == "Ana"


def test_a_timer_stopped_early_logs_the_time_actually_done(store):
    store.add_person("Ana")
    s = make_schedule(ex("balance"), hold_s=30, reps=2)
    sid = log_timer(store, "Ana", s, READY_S + 47.25)
    saved = store.session(sid)
    assert saved.duration_s == 47.2  # to a tenth of a second
    assert saved.notes == "timer, stopped early: left 1/2, right 0/2 holds, 30 s each"


def test_stopped_while_getting_ready_logs_nothing(store):
    store.add_person("Ana")
    with pytest.raises(ProgrammeError, match="nothing to log"):
        log_timer(store, "Ana", make_schedule(ex("toe yoga")), READY_S - 1)
    assert store.sessions() == []


def test_a_session_logged_by_hand(store):
    ana = store.add_person("Ana")
    sid = log_session(store, ana, ex("short foot"), 300, "  sitting  ")
    saved = store.session(sid)
    assert (saved.source, saved.duration_s, saved.notes) == ("manual", 300.0, "sitting")
    for bad in (0, -60, math.inf, 25 * 3600):
        with pytest.raises(ProgrammeError, match="more than 0 and at most 24 h"):
            log_session(store, ana, ex("short foot"), bad)
    with pytest.raises(NotFoundError, match="no person named 'Ben'"):
        log_session(store, "Ben", ex("short foot"), 60)
    with pytest.raises(InputError, match="source must be one of manual, timer"):
        store.save_programme_session(ana, "toe yoga", 60, source="video")


# -- the command line --------------------------------------------------------------------------
class FakeClock:
    """Time that passes only when slept; Ctrl-C (KeyboardInterrupt) at ``interrupt_at``."""

    def __init__(self, interrupt_at: float | None = None) -> None:
        self.t = 1000.0
        self.slept = 0.0
        self.interrupt_at = interrupt_at

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        if self.interrupt_at is not None and self.slept + seconds >= self.interrupt_at:
            self.t += self.interrupt_at - self.slept
            self.slept = self.interrupt_at
            raise KeyboardInterrupt
        self.t += seconds
        self.slept += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(programme_cli, "CLOCK", fake)
    monkeypatch.setattr(programme_cli, "SLEEP", fake.sleep)
    return fake


def run(capsys, *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["programme", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_programme_lists_the_five_with_holds_and_camera_checks(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == []
    rows = {line.split()[0]: line for line in out if line.split() and line.split()[0] in KEYS}
    assert list(rows) == KEYS
    assert "5–10 s per foot" in rows["short-foot"] and "no: log it" in rows["short-foot"]
    assert "yes: --task calf-raise" in rows["calf-raises"]
    assert "30–60 s per leg" in rows["barefoot-balancing"]
    assert "yes: --task balance" in rows["barefoot-balancing"]
    assert run(capsys, "list")[1] == out


def test_show_gives_how_why_timer_and_the_exact_check_commands(capsys):
    code, out, _ = run(capsys, "show", "calf-raises")
    text = "\n".join(out)
    assert code == 0 and out[0] == "Calf raises with purpose"
    flat = " ".join(text.split())  # the wrapped lines joined again
    assert CALF_RAISE_CUE in flat
    for heading in ("How to do it", "Why it works", "The timer", "Camera check"):
        assert heading in out
    assert "    gaitlab analyze VIDEO --task calf-raise --out results/calf-raise" in out
    assert "    gaitlab live --task calf-raise --camera 0 --show" in out
    assert "    gaitlab programme do calf-raises [--hold S] [--reps N] [--person NAME]" in out

    _, out, _ = run(capsys, "show", "toe splaying")
    assert "The camera cannot check this one" in " ".join(out)
    assert not any("gaitlab analyze" in line for line in out)
    assert all(len(line) <= programme_cli.WIDTH for line in out)


def test_do_runs_the_timer_step_by_step_and_saves_it(capsys, home, clock):
    with Store.open() as s:
        s.add_person("Ana")
    code, out, err = run(capsys, "do", "toe-yoga", "--hold", "5", "--reps", "2", "--notes", "ok")
    assert code == 0, err
    assert out[0] == "Toe yoga: 2 reps, 5 s holds each way, both feet together: 32 s."
    steps = [line for line in out if line.startswith("[")]
    assert steps == [
        "[0:00] Get ready: Sit tall, bare feet flat on the floor · 5 s",
        "[0:05] rep 1/2 · Hold: Lift your big toe; keep the other four down · 5 s",
        "[0:10] rep 1/2 · Relax: Toes down · 2 s",
        "[0:12] rep 1/2 · Hold: Press your big toe down; lift the other four · 5 s",
        "[0:17] Rest: Relax your toes · 3 s",
        "[0:20] rep 2/2 · Hold: Lift your big toe; keep the other four down · 5 s",
        "[0:25] rep 2/2 · Relax: Toes down · 2 s",
        "[0:27] rep 2/2 · Hold: Press your big toe down; lift the other four · 5 s",
    ]
    assert "finished: 27 s, 2/2 reps, 5 s holds each way" in out
    assert out[-1] == "saved to the history as session 1 for Ana (gaitlab history --person Ana)"
    assert clock.slept == pytest.approx(32, abs=0.2)  # no busy waiting, no oversleeping
    with Store.open() as s:
        (saved,) = s.sessions()
    assert (saved.exercise, saved.source, saved.duration_s) == ("toe yoga", "timer", 27.0)
    assert saved.notes == "ok · timer: 2/2 reps, 5 s holds each way"


def test_ctrl_c_stops_the_timer_and_logs_the_time_done_without_asking(capsys, home, clock):
    with Store.open() as s:
        s.add_person("Ana Example")
    clock.interrupt_at = READY_S + 40.0  # into the second hold (left, right: 30 s each)
    code, out, err = run(capsys, "do", "balance", "--person", "Ana Example")
    assert code == 0 and err == []
    assert out[-2] == "stopped early after 40 s: left 1/2, right 0/2 holds, 30 s each"
    assert out[-1].startswith("saved to the history as session 1 for Ana Example")
    assert "--person 'Ana Example'" in out[-1]
    with Store.open() as s:
        (saved,) = s.sessions()
    assert saved.duration_s == 40.0 and "stopped early" in saved.notes


def test_ctrl_c_while_getting_ready_saves_nothing(capsys, home, clock):
    with Store.open() as s:
        s.add_person("Ana")
    clock.interrupt_at = 2.0
    code, out, _ = run(capsys, "do", "short-foot")
    assert code == 0
    assert out[-1] == "stopped before the first rep: nothing saved"
    with Store.open() as s:
        assert s.sessions() == []


def test_a_terminal_gets_a_countdown_under_each_step(clock):
    schedule = make_schedule(ex("toe splaying"), hold_s=3, reps=1, ready_s=2)
    out = io.StringIO()
    state = programme_cli.run_timer(schedule, out, countdown=True)
    assert state.done
    clear = programme_cli.CLEAR_LINE
    assert out.getvalue() == (
        f"{clear}[0:00] Get ready: Sit tall, bare feet flat on the floor · 2 s\n"
        "\r    2 s left \r    1 s left "
        f"{clear}[0:02] rep 1/1 · Hold: Spread your toes as wide as they go · 3 s\n"
        "\r    3 s left \r    2 s left \r    1 s left "
        f"{clear}"
    )


def test_no_save_needs_no_person_and_writes_nothing(capsys, home, clock):
    code, out, _ = run(capsys, "do", "splay", "--hold", "2", "--reps", "1", "--no-save")
    assert code == 0 and out[-1] == "not saved (--no-save)"
    with Store.open() as s:
        assert s.sessions() == []


def test_log_without_the_timer(capsys, home):
    with Store.open() as s:
        s.add_person("Ana")
    code, out, _ = run(capsys, "log", "Short foot", "--minutes", "4.5", "--notes", "standing")
    assert code == 0
    assert out == [
        "logged 4 min 30 s of short foot",
        "saved to the history as session 1 for Ana (gaitlab history --person Ana)",
    ]
    with Store.open() as s:
        (saved,) = s.sessions()
    assert (saved.duration_s, saved.source, saved.notes) == (270.0, "manual", "standing")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "squats"], "error: no exercise called 'squats': the programme has"),
        (["do", "toe"], "error: 'toe' could be toe yoga or toe splaying: say which"),
        (["do", "toe-yoga", "--hold", "-5"], "error: the hold must be 1 to 300 s, got -5.0"),
        (["do", "toe-yoga", "--hold", "abc"], "error: --hold 'abc' is not a number of seconds"),
        (["do", "toe-yoga", "--hold", "nan"], "error: --hold 'nan' is not a number of seconds"),
        (["do", "toe-yoga", "--reps", "0"], "error: reps must be 1 to 50, got 0"),
        (["do", "toe-yoga", "--reps", "2.5"], "error: --reps '2.5' is not a whole number"),
        (["do", "toe-yoga", "--ready", "-1"], "error: the get-ready time must be 0 to 60 s"),
        (["do", "toe-yoga", "--person", "Ben"], "error: no person named 'Ben'"),
        (["do", "toe-yoga"], "error: whose session is it? add --person NAME (one of: Ana, Bo)"),
        (["log", "toe-yoga", "--minutes", "0"], "error: --minutes must be more than 0"),
        (["log", "toe-yoga", "--minutes", "-3"], "error: --minutes must be more than 0"),
        (["log", "toe-yoga", "--minutes", "lots"], "error: --minutes 'lots' is not a number"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_1(capsys, home, clock, args, message):
    with Store.open() as s:
        s.add_person("Ana")
        s.add_person("Bo")
    code, out, err = run(capsys, *args)
    assert code == 1
    assert len(err) == 1 and err[0].startswith(message), err
    assert not any(line.startswith("[") for line in out)  # no timer ran
    with Store.open() as s:
        assert s.sessions() == []


def test_an_empty_history_says_to_add_a_person_first(capsys, home, clock):
    code, _, err = run(capsys, "do", "toe-yoga")
    assert code == 1 and err == [
        "error: the history has nobody to log this for: add yourself with gaitlab person add "
        "NAME (or use --no-save)"
    ]


def test_real_ctrl_c_on_a_real_process(home):
    """The command as a user runs it, stopped with SIGINT in the middle of a hold (signalled
    as soon as the hold has started: the time done is whatever passed, never more than the
    test saw go by, however slow the machine)."""
    with Store.open() as s:
        s.add_person("Ana")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gaitlab", "programme", "do", "balance", "--ready", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a test run started in the background (`cmd &` in a script)
        # ignores SIGINT, and a child inherits that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while not lines or not lines[-1].startswith("[0:00]"):  # the first hold has started
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            lines.append(proc.stdout.readline().rstrip("\n"))
        proc.send_signal(signal.SIGINT)
        rest = proc.stdout.read().splitlines()
        assert proc.wait(timeout=30) == 0
        seen_s = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert lines[-1] == "[0:00] hold 1/2 left · Hold: Stand on your left leg; hips level · 30 s"
    assert rest[0].startswith("stopped early after ") and rest[0].endswith(
        "left 0/2, right 0/2 holds, 30 s each"
    )
    assert rest[1].startswith("saved to the history as session 1 for Ana")
    assert "Traceback" not in proc.stderr.read()
    with Store.open() as s:
        (saved,) = s.sessions()
    assert 0.0 <= saved.duration_s <= seen_s and "stopped early" in saved.notes


# -- the app's Programme page --------------------------------------------------------------------
PAGE = "gaitlab/app/programme.py"


def app_at(**query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page(PAGE)
    at.query_params.update(query)
    return at.run()


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in at.get(kind)]


@pytest.fixture
def app_clock(monkeypatch) -> FakeClock:
    """The app's timer on a clock that moves only when the test says (no wall time)."""
    fake = FakeClock()
    monkeypatch.setattr(schedule_module, "CLOCK", fake)
    return fake


NAV_TITLES = {"Film", "Analyse a video", "Live", "Programme", "Wet foot test", "History", "Compare"}


def test_page_shows_each_exercise_with_how_why_and_camera_links(home):
    at = app_at()
    assert not at.exception
    assert [t.label for t in at.tabs] == [
        "Toe yoga", "Short foot", "Calf raises", "Toe splaying", "Barefoot balancing",
    ]  # fmt: skip
    body = " ".join(texts(at, "markdown"))
    for e in exercises():
        assert e.why in body and e.summary in body
        assert all(step in body for step in e.steps)
    assert CALF_RAISE_CUE in body
    assert body.count("**How to do it**") == 5 and body.count("**Why it works**") == 5
    # the camera links (the page links at the top, for a narrow screen, are the app's)
    camera = [e for e in at.get("page_link") if e.proto.label not in NAV_TITLES]
    links = [(e.proto.label, e.proto.page) for e in camera]
    assert (
        links
        == [
            ("Analyse a video of it", "analyse"),
            ("Check it live with the webcam", "webcam"),
        ]
        * 2
    )
    queries = [e.proto.query_string for e in camera]
    assert queries == ["task=calf-raise"] * 2 + ["task=balance"] * 2
    captions = " ".join(texts(at, "caption"))
    assert captions.count("How to film it:") == 2
    assert captions.count("The camera cannot check this one") == 3
    assert [b.key for b in at.button if b.label == "Start"] == [f"start-{k}" for k in KEYS]
    assert all(b.disabled for b in at.button if b.label == "Log as done")  # nobody chosen
    assert "Choose or add a person in the sidebar" in captions


def test_a_link_with_a_task_chooses_it_on_the_analyse_page(home):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("gaitlab/app/analyse.py")
    at.query_params["task"] = "balance"
    at.run()
    assert not at.exception
    assert at.selectbox(key="upload_task").value == "balance"
    assert "task" not in at.query_params  # taken from the URL, once
    assert at.session_state["chosen_task"] == "balance"


def choose(at: AppTest, name: str) -> AppTest:
    with Store.open() as s:
        pid = s.person(name).id
    return at.selectbox(key="sidebar_person").set_value(pid).run()


def test_timer_counts_down_stops_early_and_logs_to_history(home, app_clock):
    with Store.open() as s:
        s.add_person("Ana")
    at = choose(app_at(), "Ana")
    at.number_input(key="hold-short-foot").set_value(8.0)
    at.number_input(key="reps-short-foot").set_value(3).run()
    at.button(key="start-short-foot").click().run()
    assert not at.exception
    timer = at.session_state["programme-timer"]
    assert (timer["exercise"], timer["hold_s"], timer["reps"]) == ("short-foot", 8.0, 3)
    assert "### Get ready" in texts(at, "markdown")
    assert [m.value for m in at.metric] == ["5"]
    assert at.number_input(key="hold-short-foot").disabled  # settings fixed while it runs
    assert not [b for b in at.button if b.key == "log-short-foot"]  # no logging meanwhile

    app_clock.t += READY_S + 15.0  # 8 s hold, 5 s rest, 2 s into the second hold (left)
    at.run()
    assert "### Hold" in texts(at, "markdown")
    assert "Rep 2 of 3 · left foot" in texts(at, "caption")
    assert at.metric[0].value == "6"  # 8 s hold, 2 s gone
    assert "**Draw the ball of your left foot towards the heel, toes long**" in texts(
        at, "markdown"
    )
    assert any(c.startswith("Next: Rest: Let your feet relax · 5 s") for c in texts(at, "caption"))

    at.button(key="stop-short-foot").click().run()
    assert at.session_state["programme-timer"] is None
    info = texts(at, "info")
    assert len(info) == 1 and info[0].startswith("Timer stopped early: 15 s, left 1/3, right 0/3")
    at.text_input(key="notes-short-foot").input("left foot cramped").run()
    at.button(key="log-short-foot").click().run()
    assert not at.exception
    assert "Saved to the history for Ana as session #1." in texts(at, "success")
    with Store.open() as s:
        (saved,) = s.sessions()
    assert (saved.exercise, saved.source) == ("short foot", "timer")
    assert saved.duration_s == 15.0
    assert saved.notes.startswith("left foot cramped · timer, stopped early: left 1/3, right 0/3")

    at.switch_page("gaitlab/app/history.py").run()  # the History page lists it
    assert not at.exception
    assert "**Short foot (programme)** · #1" in texts(at, "markdown")
    assert "left foot cramped" in " ".join(texts(at, "caption"))
    assert "guided timer" in " ".join(texts(at, "caption"))


def test_timer_runs_to_the_end_and_logs_the_whole_session(home, app_clock):
    with Store.open() as s:
        s.add_person("Ana")
    at = choose(app_at(), "Ana")
    at.number_input(key="hold-barefoot-balancing").set_value(30.0)
    at.number_input(key="reps-barefoot-balancing").set_value(1).run()
    at.button(key="start-barefoot-balancing").click().run()
    app_clock.t += 500.0  # long past the end
    at.run()  # the countdown finds the time up and reruns the page
    assert not at.exception
    assert at.session_state["programme-timer"] is None
    assert texts(at, "info") == [
        "Timer finished: 1 min 10 s, left 1/1, right 1/1 holds, 30 s each."
    ]
    at.button(key="log-barefoot-balancing").click().run()
    with Store.open() as s:
        (saved,) = s.sessions()
    assert saved.duration_s == 70.0 and saved.notes == "timer: left 1/1, right 1/1 holds, 30 s each"
    # logged once: the timer's run is gone, the form is back to minutes by hand
    assert at.number_input(key="minutes-barefoot-balancing")
    assert not texts(at, "info")


def test_log_as_done_without_the_timer_and_discarding_a_run(home):
    with Store.open() as s:
        s.add_person("Ana")
    at = choose(app_at(), "Ana")
    at.number_input(key="minutes-toe-splaying").set_value(12.0)
    at.button(key="log-toe-splaying").click().run()
    with Store.open() as s:
        (saved,) = s.sessions()
    assert (saved.exercise, saved.duration_s, saved.source) == ("toe splaying", 720.0, "manual")

    at.button(key="start-toe-yoga").click().run()
    at.button(key="start-calf-raises").click().run()  # one timer at a time: toe yoga stops
    assert at.session_state["programme-timer"]["exercise"] == "calf-raises"
    assert "toe-yoga" in at.session_state["programme-ended"]
    assert any("nothing to log from it" in c for c in texts(at, "caption"))  # still getting ready
    at.button(key="stop-calf-raises").click().run()
    assert at.session_state["programme-ended"].keys() == {"toe-yoga", "calf-raises"}
    with Store.open() as s:
        assert len(s.sessions()) == 1  # neither run did a rep: nothing more saved

    # a run stopped while getting ready leaves logging by hand as it was
    at.number_input(key="minutes-calf-raises").set_value(3.0)
    at.button(key="log-calf-raises").click().run()
    assert not at.error
    with Store.open() as s:
        latest = s.sessions()[0]
    assert (latest.exercise, latest.duration_s, latest.source) == ("calf raises", 180.0, "manual")
    assert "Saved to the history for Ana as session #2." in texts(at, "success")
