"""Page: the programme. The five exercises with how to do each and why it works, a guided
timer per exercise, logging a session to the history of the person chosen in the sidebar,
and for calf raises and barefoot balancing the way to the camera checks.

The timer is :class:`gaitlab.programme.Schedule` read against the server's clock: the
browser session keeps only when it started and its settings (``st.session_state``), so
every rerun, a click elsewhere or a change of tab finds it where the clock says it is.
While it runs, a fragment reruns itself twice a second to count down. One timer runs at a
time; starting another stops the first (its time can still be logged).
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

import streamlit as st

from gaitlab.app import common
from gaitlab.app.pages import ANALYSE_PAGE, HISTORY_PAGE, LIVE_PAGE
from gaitlab.app.safe_text import md
from gaitlab.core.errors import GaitlabError
from gaitlab.programme import (
    DOSE_NOTE,
    HOLD_LIMITS_S,
    RATIONALE,
    READY_S,
    REPS_LIMITS,
    SAFETY,
    STEP_LABELS,
    Exercise,
    Schedule,
    exercises,
    format_clock,
    format_duration,
    hold_advice,
    log_session,
    log_timer,
    make_schedule,
)
from gaitlab.programme.schedule import now
from gaitlab.store import Person

#: The running timer: ``{"exercise", "hold_s", "reps", "started"}`` (None: none runs).
TIMER_KEY = "programme-timer"
#: Timer runs that ended (finished or stopped), not yet logged, by exercise key:
#: ``{"hold_s", "reps", "elapsed_s"}``.
ENDED_KEY = "programme-ended"
#: What "Log as done" did, by exercise key: ``{"session_id", "person"}`` or ``{"error"}``.
SAVED_KEY = "programme-saved"
TICK = timedelta(milliseconds=500)
TABS_KEY = "programme-tabs"
#: Whether the running timer beeps when it changes step (a toggle; on unless turned off).
SOUND_KEY = "programme-sound"
#: The beep's pitch (Hz) for the steps where you hold, and for the others, and its length (s).
CUE_HZ = {"hold": 880.0, "other": 587.0}
CUE_S = 0.18


def cue_script(run: str, index: int, kind: str) -> str:
    """The page's beep for step ``index`` of timer run ``run``: a short tone made by the
    browser (Web Audio: no sound file, nothing fetched), once per step however often the
    countdown redraws, and none for the first step (the Start click is the cue)."""
    hz = CUE_HZ["hold"] if kind == "hold" else CUE_HZ["other"]
    return f"""<script>(() => {{
  const w = window, run = {json.dumps(run)}, id = run + ":" + {index};
  const last = w.gaitlabCue || "";
  if (last === id) return;
  w.gaitlabCue = id;
  if (!last.startsWith(run + ":") && {index} === 0) return;
  const Ctx = w.AudioContext || w.webkitAudioContext;
  if (!Ctx) return;
  const ctx = w.gaitlabAudio || (w.gaitlabAudio = new Ctx());
  if (ctx.state === "suspended") ctx.resume();
  const t = ctx.currentTime, osc = ctx.createOscillator(), gain = ctx.createGain();
  osc.frequency.value = {hz};
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + {CUE_S});
  osc.connect(gain).connect(ctx.destination);
  osc.start(t);
  osc.stop(t + {CUE_S} + 0.02);
}})();</script>"""


def _schedule(ex: Exercise, settings: dict[str, Any]) -> Schedule:
    return make_schedule(ex, hold_s=settings["hold_s"], reps=settings["reps"])


# -- timer state: changed in button callbacks, before the script reruns --------------------------
def _end_running() -> None:
    """Stop the running timer (if any) and keep what it did for logging."""
    timer = st.session_state.get(TIMER_KEY)
    if timer is None:
        return
    ended = st.session_state.setdefault(ENDED_KEY, {})
    ended[timer["exercise"]] = {
        "hold_s": timer["hold_s"],
        "reps": timer["reps"],
        "elapsed_s": now() - timer["started"],
    }
    st.session_state[TIMER_KEY] = None


def _start(key: str) -> None:
    _end_running()
    st.session_state.setdefault(ENDED_KEY, {}).pop(key, None)
    st.session_state.setdefault(SAVED_KEY, {}).pop(key, None)
    st.session_state[TIMER_KEY] = {
        "exercise": key,
        "hold_s": float(st.session_state[f"hold-{key}"]),
        "reps": int(st.session_state[f"reps-{key}"]),
        "started": now(),
    }


def _discard(key: str) -> None:
    st.session_state.setdefault(ENDED_KEY, {}).pop(key, None)


def _running(key: str) -> dict[str, Any] | None:
    timer = st.session_state.get(TIMER_KEY)
    return timer if timer is not None and timer["exercise"] == key else None


# -- the page --------------------------------------------------------------------------------
def camera_ui(ex: Exercise) -> None:
    if ex.camera is None:
        st.caption(
            "The camera cannot check this one: the pose model follows the heel and the tip "
            "of the foot, not single toes or the arch. Do it with the timer and log it."
        )
        return
    task = ex.camera.task
    with st.container(border=True):
        st.markdown(f"**The camera can check this one.** gaitlab {ex.camera.measures}")
        st.caption(f"How to film it: {ex.camera.filming}")
        c1, c2 = st.columns(2)
        c1.page_link(
            ANALYSE_PAGE,
            label="Analyse a video of it",
            icon=":material/analytics:",
            query_params={"task": task},
        )
        c2.page_link(
            LIVE_PAGE,
            label="Check it live with the webcam",
            icon=":material/sensors:",
            query_params={"task": task},
        )


@st.fragment(run_every=TICK)
def countdown_ui(ex: Exercise) -> None:
    """Where the running timer is: the step, the seconds left, rep and side, what is next.
    Reruns itself every :data:`TICK`; when the time is up, the whole page reruns."""
    timer = _running(ex.key)
    if timer is None:  # stopped from elsewhere meanwhile
        st.rerun()
        return
    schedule = _schedule(ex, timer)
    state = schedule.state_at(now() - timer["started"])
    if state.done or state.step is None:
        _end_running()
        st.rerun()
        return
    step = state.step
    if st.session_state.get(SOUND_KEY, True):
        st.html(
            cue_script(f"{ex.key}-{timer['started']}", step.index, step.kind),
            unsafe_allow_javascript=True,
        )
    with st.container(border=True, key=f"countdown-{ex.key}"):
        where = ""
        if step.rep is not None and step.kind in ("hold", "move", "relax"):
            where = f"{ex.rep_noun.capitalize()} {step.rep} of {schedule.reps}"
            if ex.one_sided:
                where += f" · {step.side} {ex.side_noun}"
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        with c1:
            # Always the same elements in the same order: a rerun that drops one shifts the
            # rest, and the browser briefly shows the old heading under the new one.
            st.caption(where or "\u00a0")
            st.markdown(f"### {STEP_LABELS[step.kind]}")
            st.markdown(f"**{step.cue}**")
        c2.metric("Seconds left", max(1, math.ceil(state.remaining_s - 1e-9)))
        st.progress(
            state.fraction,
            text=f"{format_clock(state.elapsed_s)} of {format_clock(state.total_s)}",
        )
        if state.next_step is not None:
            nxt = state.next_step
            st.caption(f"Next: {nxt.label} · {nxt.duration_s:g} s")


def timer_ui(ex: Exercise) -> None:
    """Start (or Stop) and the sound first, then the countdown while it runs, then the hold
    and the reps: on a phone, Start is on the first screen."""
    timer = _running(ex.key)
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.markdown("**Guided timer**", width="content")
        if timer is not None:
            st.button("Stop", key=f"stop-{ex.key}", on_click=_end_running, icon=":material/stop:")
        else:
            st.button(
                "Start",
                key=f"start-{ex.key}",
                type="primary",
                on_click=_start,
                args=(ex.key,),
                icon=":material/play_arrow:",
            )
        _sound_toggle(ex.key)
    if timer is not None:
        countdown_ui(ex)
    hold_label = "Pause at the top (s)" if ex.hold_where else "Hold (s)"
    reps_label = f"{ex.rep_noun.capitalize()}s" + (f" per {ex.side_noun}" if ex.one_sided else "")
    c1, c2 = st.columns(2)
    hold = c1.number_input(
        hold_label,
        min_value=HOLD_LIMITS_S[0],
        max_value=HOLD_LIMITS_S[1],
        value=ex.hold_s,
        step=1.0,
        format="%g",
        key=f"hold-{ex.key}",
        disabled=timer is not None,
        help=f"The programme: {ex.hold_text()}.",
    )
    reps = c2.number_input(
        reps_label,
        min_value=REPS_LIMITS[0],
        max_value=REPS_LIMITS[1],
        value=ex.reps,
        step=1,
        key=f"reps-{ex.key}",
        disabled=timer is not None,
        help=f"Suggested: {ex.dose}.",
    )
    if timer is not None:
        return
    schedule = make_schedule(ex, hold_s=float(hold), reps=int(reps))
    advice = hold_advice(ex, schedule.hold_s)
    st.caption(
        f"{schedule.describe()} in all, the first {READY_S:g} s to get ready."
        + (f" A {schedule.hold_s:g} s hold is {advice}." if advice else "")
    )


def _set_sound(key: str) -> None:
    st.session_state[SOUND_KEY] = bool(st.session_state[key])


def _sound_toggle(exercise: str) -> None:
    """ "Sound" on or off: one setting that the toggles of the five tabs share."""
    key = f"sound-{exercise}"
    st.session_state[key] = st.session_state.get(SOUND_KEY, True)
    st.toggle(
        "Sound",
        key=key,
        on_change=_set_sound,
        args=(key,),
        help="A short beep when the timer moves to the next step (hold, relax, next rep).",
    )


def _log(key: str) -> None:
    """ "Log as done": the timer's last run of exercise ``key`` if there is one, else the
    minutes entered; for the person chosen now. Read from the session state, not from the
    values the button was drawn with, so a number typed just before the click counts."""
    ex = next(e for e in exercises(common.thresholds()) if e.key == key)
    person = common.current_person()
    hist = common.history()
    ended = st.session_state.get(ENDED_KEY, {}).get(key)
    if ended is not None and not _schedule(ex, ended).state_at(ended["elapsed_s"]).started:
        ended = None  # a run stopped while getting ready: the minutes entered count
    notes = st.session_state.get(f"notes-{key}") or None
    saved = st.session_state.setdefault(SAVED_KEY, {})
    try:
        if person is None:
            raise GaitlabError("choose a person in the sidebar first")
        if hist is None:
            raise GaitlabError(common.history_error())
        if ended is not None:
            sid = log_timer(hist, person, _schedule(ex, ended), ended["elapsed_s"], notes)
            _discard(key)
        else:
            minutes = float(st.session_state[f"minutes-{key}"])
            sid = log_session(hist, person, ex, minutes * 60.0, notes)
    except GaitlabError as exc:
        saved[key] = {"error": str(exc)}
        return
    saved[key] = {"session_id": sid, "person": person.name}
    st.session_state[f"notes-{key}"] = ""


def _notes_ui(key: str) -> None:
    st.text_input(
        "Notes (optional)",
        key=f"notes-{key}",
        max_chars=500,
        placeholder="e.g. easier on the left; did it standing",
    )


def _log_button(key: str, person: Person | None, where: Any = st) -> None:
    where.button(
        "Log as done",
        key=f"log-{key}",
        type="primary",
        disabled=person is None,
        on_click=_log,
        args=(key,),
        icon=":material/check:",
        width="stretch",
    )


def log_ui(ex: Exercise, person: Person | None) -> None:
    """What the last "Log as done" did; the timer's last run with a note and "Log as done"
    (or "Discard"); or, with no run to log, the minutes of a session done without it."""
    if _running(ex.key) is not None:
        return
    outcome = st.session_state.get(SAVED_KEY, {}).get(ex.key)
    if outcome is not None and outcome.get("error"):
        st.error(f"Not saved to the history: {md(outcome['error'])}")
    elif outcome is not None:
        st.success(
            f"Saved to the history for {md(outcome['person'])} as session "
            f"#{outcome['session_id']}.",
            icon=":material/check_circle:",
        )
        st.page_link(HISTORY_PAGE, label="See it in the history", icon=":material/history:")
    if person is None:
        st.caption("Choose or add a person in the sidebar to log it to their history.")
    ended = st.session_state.get(ENDED_KEY, {}).get(ex.key)
    state = None if ended is None else _schedule(ex, ended).state_at(ended["elapsed_s"])
    if ended is not None and state is not None and state.started:
        schedule = _schedule(ex, ended)
        how = "Timer finished" if state.done else "Timer stopped early"
        st.info(
            f"{how}: {format_duration(state.exercise_s)}, {schedule.progress(state)}.",
            icon=":material/timer:",
        )
        _notes_ui(ex.key)
        c1, c2 = st.columns(2)
        _log_button(ex.key, person, c1)
        c2.button(
            "Discard this run",
            key=f"discard-{ex.key}",
            on_click=_discard,
            args=(ex.key,),
            width="stretch",
        )
        return
    if ended is not None:
        st.caption("The timer was stopped before the first rep: nothing to log from it.")
    with st.expander("Done it without the timer? Log it by hand"):
        default = math.ceil(make_schedule(ex).exercise_total_s / 60)
        st.number_input(
            "Minutes",
            min_value=0.5,
            max_value=24 * 60.0,
            value=float(default),
            step=1.0,
            format="%g",
            key=f"minutes-{ex.key}",
        )
        _notes_ui(ex.key)
        _log_button(ex.key, person)


def exercise_ui(ex: Exercise, person: Person | None) -> None:
    st.subheader(ex.name)
    st.markdown(ex.summary)
    hold = ex.hold_text() + (f" ({ex.hold_note})" if ex.hold_note else "")
    st.caption(f"Hold: {hold} · Suggested: {ex.dose}")
    running = _running(ex.key) is not None
    # the timer (Start, or the countdown) first: on a phone the steps and the reasons below
    # fill two screens, and the countdown is what you look at while doing it
    timer_ui(ex)
    log_ui(ex, person)
    with st.expander("How to do it, and why", expanded=not running):
        how, why = st.columns(2, gap="large")
        with how:
            st.markdown("**How to do it**")
            st.markdown("\n".join(f"{i}. {s}" for i, s in enumerate(ex.steps, 1)))
        with why:
            st.markdown("**Why it works**")
            st.markdown(ex.why)
    camera_ui(ex)


def render() -> None:
    st.title("Programme")
    st.write(
        "Five exercises for stronger, better-controlled feet. Read how to do each, run its "
        "guided timer, and log it to your history."
    )
    with st.expander("Why feet, for back pain? And how much to do"):
        st.markdown(RATIONALE)
        st.markdown(DOSE_NOTE)
        st.markdown(SAFETY)
    person = common.current_person()
    all_ = exercises(common.thresholds())
    # every tab's name in view on a phone: the row of names wraps instead of scrolling
    st.html(
        f"<style>.st-key-{TABS_KEY} [role=tablist] {{ flex-wrap: wrap; row-gap: 0.25rem; }}</style>"
    )
    with st.container(key=TABS_KEY):
        tabs = st.tabs([ex.log_name.capitalize() for ex in all_])
    for tab, ex in zip(tabs, all_, strict=True):
        with tab:
            exercise_ui(ex, person)


if __name__ == "__main__":
    render()
