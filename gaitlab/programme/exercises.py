"""The foot-strengthening programme: its five exercises, a guided timer and the log.

The exercises are data (:class:`Exercise`): how to do each step by step, why it works, the
hold time per rep and its range, a reps suggestion, the sides, and for the two that the
camera can check (calf raises, barefoot balancing) which ``gaitlab`` task does it.

The guided timer is pure: :func:`make_schedule` lays the session out as a list of steps (get
ready, hold, rest, switch side …) and :meth:`Schedule.state_at` says where a session is at any
elapsed time (current step, seconds left in it, rep and side, done). The command line
(:mod:`gaitlab.cli.programme`) and the app's Programme page drive the same schedule with their
own clocks; tests drive it with numbers, without sleeping.

:func:`log_session` and :func:`log_timer` save a session to the history (a programme session
of :class:`gaitlab.store.Store`), a timed one with the time actually done when it was
stopped early.

Hold times are the programme's (toe yoga about 5 s, short foot 5–10 s, barefoot balancing
30–60 s per leg, the last read from ``balance_target`` in the thresholds file). Rep counts
and rests are common starting points, not a prescription, and say so.
"""

from __future__ import annotations

import difflib
import math
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import Threshold, load_thresholds

if TYPE_CHECKING:
    from gaitlab.store import Person, Store

#: Seconds to get into position before the first hold (the command line's ``--ready``).
READY_S = 5.0
#: Seconds at least between the last rep on one side and the first on the other.
SWITCH_S = 5.0
#: What the timer accepts for a hold (s), reps (per side) and the get-ready time (s).
HOLD_LIMITS_S = (1.0, 300.0)
REPS_LIMITS = (1, 50)
READY_LIMITS_S = (0.0, 60.0)
#: A session logged by hand: at most a day long.
MAX_LOGGED_S = 24 * 3600.0

#: The programme's calf-raise cue, word for word.
CALF_RAISE_CUE = (
    "Slowly raise your heels, pressing through the balls of your feet, especially through "
    "the base of your big toe. Pause at the top for a moment. Keep your ankles perfectly "
    "straight — do not let them wobble or roll outward. Lower back down even more slowly."
)

#: Why feet, for back pain: said once, for every exercise.
RATIONALE = (
    "The feet are the base that the knees, hips and spine stack on. The idea of the "
    "programme is that stronger, better-controlled feet give a steadier base for standing and "
    "walking, so less strain is passed up to the lower back. That is a reasonable idea and "
    "these exercises are safe for most people, but they are not a proven cure for back pain "
    "on their own: your physiotherapist's advice comes first."
)
SAFETY = (
    "Muscle effort and some tiredness are expected. Stop an exercise that causes pain, "
    "numbness or dizziness, and tell your physiotherapist."
)
DOSE_NOTE = (
    "Hold times are the programme's where it gives one. The numbers of reps and sets are "
    "common starting points, not a prescription: if your physiotherapist gave you others, "
    "use theirs."
)

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


class ProgrammeError(GaitlabError):
    """An unknown exercise, an impossible timer setting, nothing done to log."""


@dataclass(frozen=True)
class Phase:
    """One part of a rep: a ``hold`` (the chosen hold time when ``seconds`` is None), a
    paced ``move`` or a short ``relax``; ``cue`` may name the side as ``{side}``."""

    kind: Literal["hold", "move", "relax"]
    cue: str
    seconds: float | None = None


@dataclass(frozen=True)
class CameraCheck:
    """What the camera can check of an exercise, and with which ``gaitlab`` task."""

    task: str
    measures: str
    filming: str

    @property
    def commands(self) -> tuple[str, ...]:
        """The commands that check it: a filmed video, then live with a webcam."""
        return (
            f"gaitlab analyze VIDEO --task {self.task} --out results/{self.task}",
            f"gaitlab live --task {self.task} --camera 0 --show",
        )


@dataclass(frozen=True)
class Exercise:
    """One exercise of the programme.

    ``hold_s`` is the timer's default hold per rep (for calf raises, the pause at the top)
    and ``hold_range_s`` its range: the programme's where it gives one, else a suggestion
    (``hold_source`` says which); ``rep`` is what one rep is made of;
    ``reps`` the timer's default reps per side and ``dose`` the suggestion in words.
    ``sides`` is ``("both",)`` (both feet together) or ``("left", "right")`` (one after the
    other: every rep on one side then the other, or alternating when ``alternate_sides``).
    ``log_name`` is the exercise's name in the history.
    """

    key: str
    name: str
    log_name: str
    summary: str
    steps: tuple[str, ...]
    why: str
    rep: tuple[Phase, ...]
    hold_s: float
    hold_range_s: tuple[float, float]
    reps: int
    dose: str
    sides: tuple[str, ...]
    side_noun: str
    rest_s: float
    get_ready: str
    hold_each: str = ""
    hold_source: str = "the programme's"
    hold_where: str = ""
    hold_note: str = ""
    rest_cue: str = "Let your feet relax"
    rep_noun: str = "rep"
    alternate_sides: bool = False
    camera: CameraCheck | None = None
    aliases: tuple[str, ...] = ()

    @property
    def one_sided(self) -> bool:
        return self.sides != ("both",)

    def hold_text(self) -> str:
        """``5 s``, ``5–10 s``, ``30–60 s per leg``, ``pause 1–2 s at the top``."""
        lo, hi = self.hold_range_s
        span = f"{lo:g} s" if lo == hi else f"{lo:g}–{hi:g} s"
        if self.hold_where:
            return f"pause {span} {self.hold_where}"
        return f"{span} per {self.side_noun}" if self.one_sided else span

    def hold_words(self, hold_s: float) -> str:
        """One hold of the timer: ``5 s holds each way``, ``a 1 s pause at the top``,
        ``30 s each``."""
        if self.hold_where:
            return f"a {hold_s:g} s pause {self.hold_where}"
        if self.rep_noun == "hold":
            return f"{hold_s:g} s each"
        return f"{hold_s:g} s holds" + (f" {self.hold_each}" if self.hold_each else "")

    def sides_text(self) -> str:
        """``both feet together``, ``one foot then the other``, ``alternating legs``."""
        if not self.one_sided:
            return "both feet together"
        if self.alternate_sides:
            return f"alternating {self.side_noun}s"
        return f"one {self.side_noun} then the other"


# -- the five exercises ------------------------------------------------------------------------
def exercises(thresholds: Mapping[str, Threshold] | None = None) -> tuple[Exercise, ...]:
    """The programme's five exercises, in the programme's order.

    Parameters
    ----------
    thresholds
        The thresholds file's entries (default: :func:`gaitlab.core.thresholds.load_thresholds`);
        barefoot balancing's 30–60 s target is read from ``balance_target``.
    """
    th = load_thresholds() if thresholds is None else thresholds
    target = th["balance_target"]
    if target.low is None or target.high is None:
        raise ProgrammeError("thresholds file: balance_target needs low and high")
    bal_lo, bal_hi = float(target.low), float(target.high)
    return (
        Exercise(
            key="toe-yoga",
            name="Toe yoga",
            log_name="toe yoga",
            summary="Lift the big toe on its own, then the four small toes on their own.",
            steps=(
                "Sit tall with your bare feet flat on the floor, knees above your ankles.",
                "Keep the four small toes pressed to the floor and lift only your big toe. "
                "Hold about 5 seconds.",
                "Put it down. Now press the big toe into the floor and lift the four small "
                "toes. Hold about 5 seconds. That is one rep.",
                "Keep the rest of the foot still: the heel down, the foot not rolling onto "
                "its outer edge.",
                "At first the toes may not do as they are told. Holding the other toes down "
                "with a hand while you learn is fine. When it gets easy, do it standing.",
            ),
            why=(
                "It teaches the big toe and the small toes to work separately. The big toe "
                "and its muscles take a large share of your weight when you push off at every "
                "step and help hold up the inner arch; the small muscles inside the foot keep "
                "the toes a steady platform. Years in shoes let this control fade. Moving "
                "each part on purpose wakes those muscles up and rebuilds the control, and "
                "that carries over into standing and walking."
            ),
            rep=(
                Phase("hold", "Lift your big toe; keep the other four down"),
                Phase("relax", "Toes down", 2.0),
                Phase("hold", "Press your big toe down; lift the other four"),
            ),
            hold_s=5.0,
            hold_range_s=(5.0, 5.0),
            hold_each="each way",
            rest_cue="Relax your toes",
            reps=10,
            dose="10 reps (about 5 s each way), once or twice a day",
            sides=("both",),
            side_noun="foot",
            rest_s=3.0,
            get_ready="Sit tall, bare feet flat on the floor",
            aliases=("toe yoga", "toeyoga", "yoga"),
        ),
        Exercise(
            key="short-foot",
            name="Short foot",
            log_name="short foot",
            summary="Shorten the foot by doming the arch, without curling the toes.",
            steps=(
                "Sit with one bare foot flat on the floor. Later do it standing on both "
                "feet, then standing on one leg.",
                "Keep your toes long and relaxed and your heel down. Draw the ball of your "
                "foot (the base of the big toe) back towards your heel, so the arch lifts "
                "into a dome and the foot gets a little shorter.",
                "Hold 5 to 10 seconds, breathing normally, then relax.",
                "The toes must not curl or claw, and the base of the big toe stays on the "
                "floor. If the toes curl, the long toe muscles are doing the work instead "
                "of the arch's own muscles: do less.",
                "Helping with a hand at first (easing the ball of the foot towards the "
                "heel) is fine.",
            ),
            why=(
                "It works the small muscles inside the sole that hold the arch up (the "
                "intrinsic foot muscles, among them the one along the inner edge of the "
                "foot, abductor hallucis) without the calf and the long toe muscles taking "
                "over. A foot that can hold its own arch is steadier to stand and walk on. "
                "The exercise was described by the Czech physician Vladimír Janda as part "
                "of his sensorimotor training."
            ),
            rep=(Phase("hold", "Draw the ball of your {side} foot towards the heel, toes long"),),
            hold_s=5.0,
            hold_range_s=(5.0, 10.0),
            reps=10,
            dose="10 holds per foot; sitting first, then standing, then on one leg",
            sides=("left", "right"),
            side_noun="foot",
            rest_s=5.0,
            get_ready="Sit with your left foot flat on the floor, toes relaxed",
            aliases=("short foot", "shortfoot", "short foot exercise", "janda"),
        ),
        Exercise(
            key="calf-raises",
            name="Calf raises with purpose",
            log_name="calf raises",
            summary="Slow heel raises through the base of the big toe, ankles straight.",
            steps=(
                "Stand tall with your bare feet hip-width apart. Rest your fingertips on a "
                "wall or the back of a chair if you need to.",
                CALF_RAISE_CUE,
                "The timer paces each rep: up in about 2 seconds, a pause at the top, down "
                "in about 3 seconds.",
                "The set is over when your form goes: when the ankles start to roll out, "
                "you cannot pause at the top, or you drop down quickly.",
            ),
            why=(
                "The calf muscles lift the heel; doing it with purpose makes the foot do its "
                "share too. Pressing through the base of the big toe keeps your weight over "
                "the inner forefoot, where the arch and big-toe muscles must hold it, "
                "instead of letting the ankle roll out onto the little-toe side. Going "
                "slowly, pausing, and lowering even more slowly makes the muscles control "
                "the whole movement rather than bounce through it, which builds strength "
                "and control together."
            ),
            rep=(
                Phase("move", "Slowly raise your heels, through the base of your big toe", 2.0),
                Phase("hold", "Pause at the top for a moment; ankles straight"),
                Phase("move", "Lower back down even more slowly", 3.0),
            ),
            hold_s=1.0,
            hold_range_s=(1.0, 2.0),
            hold_where="at the top",
            hold_source="the suggested",
            reps=10,
            dose="2–3 sets of 10–15 slow reps; stop the set when your form goes",
            sides=("both",),
            side_noun="foot",
            rest_s=1.0,
            rest_cue="Heels down, stand tall",
            get_ready="Stand tall, feet hip-width apart, fingertips on a wall or chair",
            camera=CameraCheck(
                task="calf-raise",
                measures=(
                    "counts your reps and times the rise, the pause at the top and the "
                    "lowering of each; measures heel height and how much each ankle rolls "
                    "or wobbles; and flags a missing pause, lowering faster than raising, "
                    "and ankles rolling outward."
                ),
                filming=(
                    "Put the phone or webcam behind you (best for ankle roll) or in front, "
                    "low, 2–3 m away, both feet in the picture. Stand still for two "
                    "seconds before the first rep."
                ),
            ),
            aliases=(
                "calf raises",
                "calf raise",
                "calfraise",
                "calf",
                "heel raises",
                "heel raise",
                "calf raises with purpose",
            ),
        ),
        Exercise(
            key="toe-splaying",
            name="Toe splaying",
            log_name="toe splaying",
            summary="Spread all five toes as wide as they go, then relax.",
            steps=(
                "Sit (later stand) with your bare feet flat on the floor.",
                "Spread your toes apart as wide as you can, like opening a fan. Keep them "
                "long and on the floor: not curled, not lifted.",
                "Hold about 5 seconds, relax, and repeat.",
                "If the toes hardly move, help them at first: spread them with your "
                "fingers, or lift them, spread them and put them down wide, then keep them "
                "there on their own.",
            ),
            why=(
                "Small muscles between and beside the toes spread them apart, and in shoes "
                "they are hardly ever used. Spreading the toes on purpose wakes them up and "
                "gives the front of the foot a broader, steadier base to stand on and push "
                "off from."
            ),
            rep=(Phase("hold", "Spread your toes as wide as they go"),),
            hold_s=5.0,
            hold_range_s=(5.0, 5.0),
            hold_note="the programme gives no hold time: 5 s as for toe yoga",
            hold_source="the suggested",
            reps=10,
            dose="10 holds, once or twice a day",
            sides=("both",),
            side_noun="foot",
            rest_s=3.0,
            get_ready="Sit tall, bare feet flat on the floor",
            aliases=("toe splaying", "toe splay", "splay", "toe spreading", "toe spread"),
        ),
        Exercise(
            key="barefoot-balancing",
            name="Barefoot balancing",
            log_name="barefoot balancing",
            summary=f"Stand on one bare foot for {bal_lo:g}–{bal_hi:g} s, each leg.",
            steps=(
                "Barefoot, stand next to a wall or a sturdy chair that you can touch if you "
                "wobble.",
                "Stand tall and lift one foot just off the floor.",
                "Keep your hips level (the lifted side does not drop), the standing knee "
                "soft and over the foot, and let the foot make its small corrections, toes "
                "long rather than clawing the floor.",
                f"Hold {bal_lo:g} to {bal_hi:g} seconds, then change legs. If {bal_lo:g} "
                "seconds is too long for now, hold as long as you can and build up.",
                "To make it harder later: a soft surface such as a folded towel, or eyes "
                "closed, only with support within reach.",
            ),
            why=(
                "On one bare foot the small muscles of the foot and ankle work all the time "
                "to keep you upright, and the sole feels the floor and tells your brain "
                "where your weight is. The hip muscles of the standing leg keep the pelvis "
                "level. Walking is a string of short moments on one leg, so this trains "
                "the same balance and control that every step needs."
            ),
            rep=(Phase("hold", "Stand on your {side} leg; hips level"),),
            hold_s=bal_lo,
            hold_range_s=(bal_lo, bal_hi),
            reps=2,
            rep_noun="hold",
            dose="2–3 holds per leg",
            sides=("left", "right"),
            side_noun="leg",
            rest_s=10.0,
            alternate_sides=True,
            get_ready="Stand tall, barefoot, next to a wall or chair",
            camera=CameraCheck(
                task="balance",
                measures=(
                    "finds each single-leg hold and times it against the "
                    f"{bal_lo:g}–{bal_hi:g} s target and age norms, and measures how much "
                    "your pelvis sways and whether the hip drops on the lifted side."
                ),
                filming=(
                    "Face the camera, or turn your back to it, 2–3 m away at about hip "
                    "height, whole body and both feet in the picture. Stand on both feet "
                    "for two seconds before lifting one."
                ),
            ),
            aliases=(
                "barefoot balancing",
                "balance",
                "balancing",
                "single leg balance",
                "one leg balance",
                "one leg",
                "single leg stance",
            ),
        ),
    )


def _norm(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def find_exercise(name: str, thresholds: Mapping[str, Threshold] | None = None) -> Exercise:
    """The exercise called ``name``, taken loosely: ``toe-yoga``, ``Short foot``,
    ``calf-raises``, ``balance`` … (case, spaces, hyphens and underscores do not matter; a
    start that fits only one exercise is enough).

    Raises
    ------
    ProgrammeError
        No exercise, or more than one, fits the name.
    """
    all_ = exercises(thresholds)
    wanted = _norm(name or "")
    names = ", ".join(e.log_name for e in all_)
    if not wanted:
        raise ProgrammeError(f"name an exercise: {names}")

    def spellings(e: Exercise) -> set[str]:
        return {_norm(s) for s in (e.key, e.name, e.log_name, *e.aliases)}

    exact = [e for e in all_ if wanted in spellings(e)]
    if len(exact) == 1:
        return exact[0]
    if len(wanted) >= 3:
        starts = [e for e in all_ if any(s.startswith(wanted) for s in spellings(e))]
        if len(starts) == 1:
            return starts[0]
        if len(starts) > 1:
            raise ProgrammeError(
                f"{name!r} could be {' or '.join(e.log_name for e in starts)}: say which"
            )
    close = difflib.get_close_matches(
        wanted, {s: e for e in all_ for s in spellings(e)}, n=1, cutoff=0.7
    )
    hint = ""
    if close:
        hint = f" (did you mean {next(e.log_name for e in all_ if close[0] in spellings(e))}?)"
    raise ProgrammeError(f"no exercise called {name!r}{hint}: the programme has {names}")


# -- the guided timer ----------------------------------------------------------------------------
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


def format_duration(seconds: float) -> str:
    """``45 s``, ``2 min``, ``2 min 32 s``, ``1 h 5 min``."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min" + (f" {s} s" if s else "")
    h, m = divmod(m, 60)
    return f"{h} h" + (f" {m} min" if m else "")


def plural(n: int, noun: str) -> str:
    """``1 rep``, ``10 reps``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def format_clock(seconds: float) -> str:
    """``0:05``, ``2:32`` (minutes:seconds)."""
    m, s = divmod(max(0, math.floor(seconds)), 60)
    return f"{m}:{s:02d}"


# -- the log -------------------------------------------------------------------------------------
def log_session(
    store: Store,
    person: Person | int | str,
    exercise: Exercise,
    duration_s: float,
    notes: str | None = None,
    *,
    source: str = "manual",
) -> int:
    """Save a programme session to the history; returns its id.

    Parameters
    ----------
    duration_s
        How long it took (more than 0, at most a day).
    source
        ``manual`` (entered by hand) or ``timer`` (the guided timer).

    Raises
    ------
    ProgrammeError
        An implausible duration.
    gaitlab.store.NotFoundError
        No such person.
    """
    if not isinstance(duration_s, int | float) or not (
        math.isfinite(duration_s) and 0 < duration_s <= MAX_LOGGED_S
    ):
        raise ProgrammeError(
            f"the time done must be more than 0 and at most 24 h, got {duration_s!r} s"
        )
    text = (notes or "").strip() or None
    return store.save_programme_session(
        person, exercise.log_name, round(float(duration_s), 1), text, source=source
    )


def log_timer(
    store: Store,
    person: Person | int | str,
    schedule: Schedule,
    elapsed_s: float,
    notes: str | None = None,
) -> int:
    """Save a timed session, finished or stopped after ``elapsed_s`` seconds: the time done
    after the get-ready step, and what the timer did (reps per side, hold) after the notes.

    Raises
    ------
    ProgrammeError
        Stopped before the first hold: nothing was done.
    """
    state = schedule.state_at(elapsed_s)
    if not state.started:
        raise ProgrammeError("stopped before the first rep: nothing to log")
    parts = [p for p in ((notes or "").strip(), schedule.notes(state)) if p]
    return log_session(
        store, person, schedule.exercise, state.exercise_s, " · ".join(parts), source="timer"
    )
