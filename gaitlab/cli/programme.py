"""``gaitlab programme``: list the five exercises, show one, run its guided timer in the
terminal, or log a session done without it. :mod:`gaitlab.cli.main` registers the command.

The timer is :class:`gaitlab.programme.Schedule` read against a clock: one line per step
and, on a terminal, a countdown on the line below it. Ctrl-C stops early; the time done is
logged without a question. With no terminal (a pipe, a test) the step lines alone are
printed, each as its step starts.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import textwrap
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from gaitlab.cli import person_ref
from gaitlab.cli.person_ref import add_person_options, chosen_person
from gaitlab.cli.terminal import safe
from gaitlab.programme import (
    DOSE_NOTE,
    RATIONALE,
    READY_S,
    SAFETY,
    Exercise,
    ProgrammeError,
    Schedule,
    TimerState,
    exercises,
    find_exercise,
    format_clock,
    format_duration,
    hold_advice,
    log_session,
    log_timer,
    make_schedule,
)

if TYPE_CHECKING:
    from gaitlab.store import Person, Store

WIDTH = 88
#: The timer's clock and sleep (:func:`run_timer`).
CLOCK: Callable[[], float] = time.monotonic
SLEEP: Callable[[float], Any] = time.sleep
#: Clears the terminal line the countdown is on.
CLEAR_LINE = "\r\033[K"


# -- reading numbers: one plain line on a bad value, never argparse's usage block ---------------
def _number(text: str | None, option: str, unit: str) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ProgrammeError(f"{option} {text!r} is not a number of {unit}") from None
    if not math.isfinite(value):
        raise ProgrammeError(f"{option} {text!r} is not a number of {unit}")
    return value


def _whole(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise ProgrammeError(f"{option} {text!r} is not a whole number") from None


# -- list and show -------------------------------------------------------------------------------
def _table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [head, *rows]
    )


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _camera_short(ex: Exercise) -> str:
    return f"yes: --task {ex.camera.task}" if ex.camera else "no: log it"


def _cmd_list(args: argparse.Namespace) -> int:
    rows = [
        [
            ex.key,
            ex.hold_text(),
            f"{ex.reps} per {ex.side_noun}" if ex.one_sided else str(ex.reps),
            _camera_short(ex),
        ]
        for ex in exercises()
    ]
    print("The programme: five exercises for stronger, better-controlled feet.\n")
    print(_table(rows, ["exercise", "hold", "timer reps", "camera check"]))
    print()
    print(_wrap(RATIONALE, indent=""))
    print()
    print("gaitlab programme show EXERCISE             how to do it, why it works, the timer")
    print("gaitlab programme do EXERCISE               the guided timer, saved to the history")
    print("gaitlab programme log EXERCISE --minutes M  a session done without the timer")
    return 0


def show_text(ex: Exercise) -> str:
    """What ``gaitlab programme show`` prints for ``ex``."""
    sched = make_schedule(ex)
    lines = [ex.name, ex.summary, "", "How to do it"]
    for i, step in enumerate(ex.steps, 1):
        lines.append(_wrap(step, indent="     ", first=f"  {i}. "))
    lines += ["", "Why it works", _wrap(ex.why), ""]
    lines.append("The timer")
    hold = f"Hold: {ex.hold_text()}" + (f" ({ex.hold_note})" if ex.hold_note else "")
    lines.append(_wrap(f"{hold}. Suggested: {ex.dose}."))
    lines.append(_wrap(f"The timer's default: {sched.describe()}."))
    lines.append(_wrap(DOSE_NOTE))
    lines.append(f"    gaitlab programme do {ex.key} [--hold S] [--reps N] [--person NAME]")
    lines.append(f"    gaitlab programme log {ex.key} --minutes M    (done without the timer)")
    lines.append("")
    if ex.camera is None:
        lines.append("Camera check")
        lines.append(
            _wrap(
                "The camera cannot check this one: the pose model follows the heel and the "
                "tip of the foot, not single toes or the arch. Log it with the timer or by "
                "hand."
            )
        )
    else:
        lines.append("Camera check")
        lines.append(_wrap(f"gaitlab {ex.camera.measures}"))
        lines.append(_wrap(f"Filming: {ex.camera.filming}"))
        lines += [f"    {c}" for c in ex.camera.commands]
        lines.append(_wrap("In the app (gaitlab app): the Analyse a video and Live pages."))
    lines += ["", _wrap(SAFETY, indent="")]
    return "\n".join(lines)


def _cmd_show(args: argparse.Namespace) -> int:
    print(show_text(find_exercise(args.exercise)))
    return 0


# -- the timer -----------------------------------------------------------------------------------
def step_line(schedule: Schedule, state: TimerState) -> str:
    """``[0:05] rep 1/10 · Hold: Lift your big toe; … · 5 s``."""
    step = state.step
    assert step is not None
    ex = schedule.exercise
    where = ""
    if step.kind in ("hold", "move", "relax") and step.rep is not None:
        where = f"{ex.rep_noun} {step.rep}/{schedule.reps} · "
        if ex.one_sided:
            where = f"{ex.rep_noun} {step.rep}/{schedule.reps} {step.side} · "
    return f"[{format_clock(step.start_s)}] {where}{step.label} · {step.duration_s:g} s"


def run_timer(
    schedule: Schedule,
    out: TextIO,
    *,
    countdown: bool = False,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], Any] | None = None,
) -> TimerState:
    """Run ``schedule`` against ``clock``: a line on ``out`` as each step starts and, with
    ``countdown``, the seconds left on the line below it. Returns the state at the end, or
    where Ctrl-C stopped it (``done`` False).

    ``clock`` and ``sleep`` default to :data:`CLOCK` and :data:`SLEEP`, looked up at the
    call, so a test can run a whole session in no time."""
    clock = clock or CLOCK
    sleep = sleep or SLEEP
    t0 = clock()
    shown_step, shown_left = -1, -1
    state = schedule.state_at(0.0)
    try:
        while True:
            state = schedule.state_at(clock() - t0)
            if state.done or state.step is None:
                break
            if state.step.index != shown_step:
                out.write((CLEAR_LINE if countdown else "") + step_line(schedule, state) + "\n")
                out.flush()
                shown_step, shown_left = state.step.index, -1
            left = max(1, math.ceil(state.remaining_s - 1e-9))
            if countdown and left != shown_left:
                out.write(f"\r  {left:>3} s left ")
                out.flush()
                shown_left = left
            # wake as the number shown changes (countdown) or as the step ends
            wait = state.remaining_s - (left - 1) if countdown else state.remaining_s
            sleep(max(wait, 0.0) + 0.01)
    except KeyboardInterrupt:
        state = schedule.state_at(clock() - t0)
    if countdown:
        out.write(CLEAR_LINE)
    out.flush()
    return state


def _cmd_do(args: argparse.Namespace) -> int:
    ex = find_exercise(args.exercise)
    ready = _number(args.ready, "--ready", "seconds")
    schedule = make_schedule(
        ex,
        hold_s=_number(args.hold, "--hold", "seconds"),
        reps=_whole(args.reps, "--reps"),
        ready_s=READY_S if ready is None else ready,
    )
    # the history before the timer: a bad --person fails at once, not after the session
    with _History.open(args, timed=True) as history:
        print(f"{ex.name}: {schedule.describe()}.")
        advice = hold_advice(ex, schedule.hold_s)
        if advice:
            print(f"note: a {schedule.hold_s:g} s hold is {advice}")
        print("Ctrl-C stops early; the time done is still logged.", flush=True)
        state = run_timer(schedule, sys.stdout, countdown=sys.stdout.isatty())
        done = schedule.progress(state)
        if state.done:
            print(f"finished: {format_duration(state.exercise_s)}, {done}")
        else:
            print(f"stopped early after {format_duration(state.exercise_s)}: {done}")
        if history.store is None:
            print("not saved (--no-save)")
        elif not state.started:
            print("stopped before the first rep: nothing saved")
        else:
            history.said(log_timer(*history.whose(), schedule, state.elapsed_s, args.notes))
    return 0


def _cmd_log(args: argparse.Namespace) -> int:
    ex = find_exercise(args.exercise)
    minutes = _number(args.minutes, "--minutes", "minutes")
    assert minutes is not None  # required
    if not 0 < minutes <= 24 * 60:
        raise ProgrammeError(f"--minutes must be more than 0 and at most 1440, got {minutes:g}")
    with _History.open(args, timed=False) as history:
        sid = log_session(*history.whose(), ex, minutes * 60.0, args.notes)
        print(f"logged {format_duration(minutes * 60)} of {ex.log_name}")
        history.said(sid)
    return 0


class _History:
    """The history and whose session it is, opened before the timer runs. The person is
    ``--person``, or the only person in the history; with ``--no-save`` nothing is opened."""

    def __init__(self, store: Store | None, person: Person | None) -> None:
        self.store = store
        self.person = person

    @classmethod
    def open(cls, args: argparse.Namespace, *, timed: bool) -> _History:
        from gaitlab.store import Store

        if getattr(args, "no_save", False):
            return cls(None, None)
        store = Store.open()
        try:
            if person_ref.given(args):
                return cls(store, chosen_person(store, args))
            people = store.persons()
            if len(people) == 1:
                return cls(store, people[0])
            if not people:
                raise ProgrammeError(
                    "the history has nobody to log this for: add yourself with "
                    "gaitlab person add NAME" + (" (or use --no-save)" if timed else "")
                )
            names = ", ".join(p.name for p in people[:6]) + (" …" if len(people) > 6 else "")
            raise ProgrammeError(f"whose session is it? add --person NAME (one of: {names})")
        except BaseException:
            store.close()
            raise

    def whose(self) -> tuple[Store, Person]:
        assert self.store is not None and self.person is not None  # opened, not --no-save
        return self.store, self.person

    def said(self, sid: int) -> None:
        name = self.whose()[1].name
        who = safe(shlex.quote(name))
        print(
            f"saved to the history as session {sid} for {safe(name)} "
            f"(gaitlab history --person {who})"
        )

    def __enter__(self) -> _History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.store is not None:
            self.store.close()


# -- registering ---------------------------------------------------------------------------------
def add_programme_command(sub: Any) -> None:
    """Register ``gaitlab programme`` (list, show, do, log) on the ``gaitlab`` parser."""
    p = sub.add_parser(
        "programme",
        help="the five exercises: how to do each, a guided timer, and logging them",
        description="The foot-strengthening programme: toe yoga, short foot, calf raises, toe "
        "splaying and barefoot balancing. Without a subcommand: the list.",
    )
    p.set_defaults(func=_cmd_list)
    cmds = p.add_subparsers(dest="programme_command")
    name_help = "the exercise: toe-yoga, short-foot, calf-raises, toe-splaying, balance"

    q = cmds.add_parser("list", help="the five exercises with their holds and camera checks")
    q.set_defaults(func=_cmd_list)

    q = cmds.add_parser("show", help="how to do an exercise, why it works, its timer and check")
    q.add_argument("exercise", help=name_help)
    q.set_defaults(func=_cmd_show)

    q = cmds.add_parser(
        "do",
        help="run the guided timer in the terminal and save the session to the history",
        description="Counts down every hold and rest, says which rep and side. Ctrl-C stops "
        "early and logs the time done.",
    )
    q.add_argument("exercise", help=name_help)
    q.add_argument("--hold", metavar="S", help="seconds per hold (default: the programme's)")
    q.add_argument("--reps", metavar="N", help="reps per side (default: the exercise's)")
    q.add_argument(
        "--ready", metavar="S", help="seconds to get into position first (default 5; 0: none)"
    )
    add_person_options(q, "whose session (default: the only person in the history)")
    q.add_argument("--notes", default=None, metavar="TEXT", help="a note ('easier on the left')")
    q.add_argument("--no-save", action="store_true", help="do not save it to the history")
    q.set_defaults(func=_cmd_do)

    q = cmds.add_parser("log", help="log a session done without the timer")
    q.add_argument("exercise", help=name_help)
    q.add_argument("--minutes", metavar="M", required=True, help="how long it took")
    add_person_options(q, "whose session (default: the only person in the history)")
    q.add_argument("--notes", default=None, metavar="TEXT", help="a note for the history")
    q.set_defaults(func=_cmd_log)
