"""What an exercise of the programme is: its texts, what one rep is made of, the timer's
defaults, and what the camera can check of it (:class:`Exercise`, read from the data file by
:mod:`gaitlab.programme.catalogue`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gaitlab.core.errors import GaitlabError


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
