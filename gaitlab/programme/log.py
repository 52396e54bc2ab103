"""Saving a programme session to the history: by hand (:func:`log_session`) or from the guided
timer, finished or stopped early (:func:`log_timer`, the time actually done).

The history is passed in (``gaitlab.store.Store`` or anything with its
``save_programme_session``): the programme itself does not depend on the store.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from gaitlab.programme.exercise import Exercise, ProgrammeError
from gaitlab.programme.schedule import Schedule

#: A session logged by hand: at most a day long.
MAX_LOGGED_S = 24 * 3600.0


class SessionLog(Protocol):
    """Where programme sessions are saved (``gaitlab.store.Store``)."""

    def save_programme_session(
        self,
        person: Any,
        exercise: str,
        duration_s: float,
        notes: str | None = None,
        *,
        source: str = "manual",
    ) -> int: ...


def log_session(
    store: SessionLog,
    person: Any,
    exercise: Exercise,
    duration_s: float,
    notes: str | None = None,
    *,
    source: str = "manual",
) -> int:
    """Save a programme session to the history; returns its id.

    Parameters
    ----------
    store
        The history (``gaitlab.store.Store``).
    person
        Whose session: a ``gaitlab.store.Person``, its id or its name.
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
    store: SessionLog,
    person: Any,
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
