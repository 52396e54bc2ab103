"""The guided timer, pure: :func:`make_schedule` lays a session of one exercise out as a list of
steps (get ready, hold, rest, switch side …) and :meth:`Schedule.state_at` says where a session
is at any elapsed time (current step, seconds left in it, rep and side, done).

The command line (:mod:`gaitlab.cli.programme`) and the app's Programme page drive the same
schedule with their own clocks; tests drive it with numbers, without sleeping.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from gaitlab.programme.exercise import Exercise, ProgrammeError
from gaitlab.programme.formatting import format_duration, plural

#: Seconds to get into position before the first hold (the command line's ``--ready``).
READY_S = 5.0
#: Seconds at least between the last rep on one side and the first on the other.
SWITCH_S = 5.0
#: What the timer accepts for a hold (s), reps (per side) and the get-ready time (s).
HOLD_LIMITS_S = (1.0, 300.0)
REPS_LIMITS = (1, 50)
READY_LIMITS_S = (0.0, 60.0)

StepKind = Literal["ready", "hold", "move", "relax", "rest", "switch"]
#: Words for each kind of step, as the timer shows them.
STEP_LABELS: dict[str, str] = {
    "ready": "Get ready",
    "hold": "Hold",
    "move": "Move",
    "relax": "Relax",
    "rest": "Rest",
    "switch": "Switch sides",
}


#: The timer's clock (seconds, monotonic): a module attribute looked up at every
#: :func:`now`, so that a test can run the app's timer on a clock of its own.
CLOCK: Callable[[], float] = time.monotonic


def now() -> float:
    """The timer's clock now, in seconds (:data:`CLOCK`)."""
    return CLOCK()


@dataclass(frozen=True)
class Step:
    """One step of a timed session, from ``start_s`` for ``duration_s`` seconds.

    ``rep`` (1-based) and ``side`` (``both``, ``left``, ``right``) are None for the get-ready
    step; ``ends_rep`` marks the last part of a rep (a rep counts as done when it ends).
    """

    index: int
    kind: StepKind
    cue: str
    start_s: float
    duration_s: float
    rep: int | None = None
    side: str | None = None
    ends_rep: bool = False

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    @property
    def label(self) -> str:
        """``Hold: lift your big toe …``."""
        return f"{STEP_LABELS[self.kind]}: {self.cue}"


@dataclass(frozen=True)
class TimerState:
    """Where a timed session is at ``elapsed_s`` (:meth:`Schedule.state_at`).

    ``step`` is None once ``done``; ``remaining_s`` is what is left of the current step;
    ``exercise_s`` the time done since the end of the get-ready step (what is logged);
    ``reps_done`` the reps finished per side.
    """

    elapsed_s: float
    total_s: float
    step: Step | None
    next_step: Step | None
    remaining_s: float
    done: bool
    exercise_s: float
    reps_done: Mapping[str, int]

    @property
    def rep(self) -> int | None:
        return None if self.step is None else self.step.rep

    @property
    def side(self) -> str | None:
        return None if self.step is None else self.step.side

    @property
    def fraction(self) -> float:
        """Share of the whole session done, 0–1."""
        return 1.0 if self.total_s <= 0 else min(1.0, self.elapsed_s / self.total_s)

    @property
    def started(self) -> bool:
        """Past the get-ready step: something was done."""
        return self.exercise_s > 0


@dataclass(frozen=True)
class Schedule:
    """A timed session of one exercise: its steps, back to back (:func:`make_schedule`)."""

    exercise: Exercise
    hold_s: float
    reps: int
    ready_s: float
    steps: tuple[Step, ...]

    @property
    def total_s(self) -> float:
        return self.steps[-1].end_s if self.steps else 0.0

    @property
    def exercise_total_s(self) -> float:
        """The session without the get-ready step."""
        return self.total_s - self.ready_s

    def state_at(self, elapsed_s: float) -> TimerState:
        """The session's state ``elapsed_s`` seconds after it started (negative: not yet
        started, reported as at 0; at or past the end: done)."""
        if not math.isfinite(elapsed_s):
            raise ProgrammeError(f"elapsed time {elapsed_s!r} s is not a number")
        t = min(max(float(elapsed_s), 0.0), self.total_s)
        reps_done = dict.fromkeys(self.exercise.sides, 0)
        for s in self.steps:
            if s.ends_rep and s.end_s <= t and s.side is not None:
                reps_done[s.side] += 1
        exercise_s = max(0.0, t - self.ready_s)
        if t >= self.total_s:
            return TimerState(t, self.total_s, None, None, 0.0, True, exercise_s, reps_done)
        i = bisect_right([s.start_s for s in self.steps], t) - 1
        step = self.steps[i]
        nxt = self.steps[i + 1] if i + 1 < len(self.steps) else None
        return TimerState(t, self.total_s, step, nxt, step.end_s - t, False, exercise_s, reps_done)

    def describe(self) -> str:
        """``10 reps, 5 s holds each way, both feet together: 2 min 32 s``, what a session
        with this schedule is."""
        ex = self.exercise
        per = f" per {ex.side_noun}" if ex.one_sided else ""
        return (
            f"{plural(self.reps, ex.rep_noun)}{per}, {ex.hold_words(self.hold_s)}, "
            f"{ex.sides_text()}: {format_duration(self.total_s)}"
        )

    def progress(self, state: TimerState) -> str:
        """The reps done at ``state``: ``4/10 reps, 5 s holds each way``, ``left 1/2, right
        0/2 holds, 30 s each``."""
        ex = self.exercise
        if ex.one_sided:
            done = ", ".join(f"{side} {state.reps_done[side]}/{self.reps}" for side in ex.sides)
        else:
            done = f"{state.reps_done['both']}/{self.reps}"
        one = self.reps * len(ex.sides) == 1
        return f"{done} {ex.rep_noun}{'' if one else 's'}, {ex.hold_words(self.hold_s)}"

    def notes(self, state: TimerState) -> str:
        """What the timer did, for the history: ``timer: 10/10 reps, 5 s holds each way``
        or ``timer, stopped early: left 1/2, right 0/2 holds, 30 s each``."""
        head = "timer" if state.done else "timer, stopped early"
        return f"{head}: {self.progress(state)}"


def _check_range(value: float, limits: tuple[float, float], what: str, unit: str) -> None:
    lo, hi = limits
    if not isinstance(value, int | float) or not math.isfinite(value) or not lo <= value <= hi:
        raise ProgrammeError(f"{what} must be {lo:g} to {hi:g}{unit}, got {value!r}")


def make_schedule(
    exercise: Exercise,
    *,
    hold_s: float | None = None,
    reps: int | None = None,
    ready_s: float = READY_S,
) -> Schedule:
    """Lay out a timed session: get ready, then every rep's parts with a rest between reps
    and a switch step when the side changes.

    Parameters
    ----------
    exercise
        What is done.
    hold_s
        Seconds per hold (for calf raises the pause at the top); default the exercise's.
        May lie outside the programme's range (:func:`hold_advice` says so), not outside
        :data:`HOLD_LIMITS_S`.
    reps
        Reps per side (per foot or leg for one-sided exercises); default the exercise's.
    ready_s
        Seconds to get into position first (0: start at once).

    Raises
    ------
    ProgrammeError
        A value outside its limits.
    """
    hold = exercise.hold_s if hold_s is None else hold_s
    n = exercise.reps if reps is None else reps
    _check_range(hold, HOLD_LIMITS_S, "the hold", " s")
    if isinstance(n, bool) or not isinstance(n, int):
        raise ProgrammeError(f"reps must be a whole number, got {n!r}")
    _check_range(n, REPS_LIMITS, "reps", "")
    _check_range(ready_s, READY_LIMITS_S, "the get-ready time", " s")

    if exercise.alternate_sides:
        units = [(rep, side) for rep in range(1, n + 1) for side in exercise.sides]
    else:
        units = [(rep, side) for side in exercise.sides for rep in range(1, n + 1)]
    steps: list[Step] = []
    t = 0.0

    def add(
        kind: StepKind,
        cue: str,
        seconds: float,
        rep: int | None = None,
        side: str | None = None,
        ends_rep: bool = False,
    ) -> None:
        nonlocal t
        steps.append(Step(len(steps), kind, cue, t, float(seconds), rep, side, ends_rep))
        t += float(seconds)

    if ready_s > 0:
        add("ready", exercise.get_ready, ready_s)
    previous: str | None = None
    for rep, side in units:
        if previous is not None:
            if side != previous:
                add(
                    "switch",
                    f"Now your {side} {exercise.side_noun}",
                    max(SWITCH_S, exercise.rest_s),
                    rep=rep,
                    side=side,
                )
            else:
                add("rest", exercise.rest_cue, exercise.rest_s, rep=rep, side=side)
        for j, phase in enumerate(exercise.rep):
            add(
                phase.kind,
                phase.cue.format(side=side),
                hold if phase.seconds is None else phase.seconds,
                rep=rep,
                side=side,
                ends_rep=j == len(exercise.rep) - 1,
            )
        previous = side
    return Schedule(exercise, float(hold), n, float(ready_s), tuple(steps))


def hold_advice(exercise: Exercise, hold_s: float) -> str:
    """A word when ``hold_s`` lies outside the exercise's range (empty when inside)."""
    lo, hi = exercise.hold_range_s
    span = f"{lo:g} s" if lo == hi else f"{lo:g}–{hi:g} s"
    if hold_s < lo:
        return f"shorter than {exercise.hold_source} {span}: fine while you build up"
    if hold_s > hi:
        return f"longer than {exercise.hold_source} {span}"
    return ""
