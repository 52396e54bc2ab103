"""Two sessions of one person side by side: which moments they can be lined up on, where
each video is at that moment, and every measure of both with the change judged against the
measure's smallest detectable difference (SDD).

Plain functions over two ``summary.json`` dicts and the thresholds file; no Streamlit, no
store. A change is "better" or "worse" only when it is at least the SDD a published source
gives (``sdd`` in the thresholds file) and the thresholds file says which way is better (a
rule that flags values above its cut-off: lower is better; below: higher is better). Smaller
changes are within measurement error; a measure without a known SDD says so and is not
judged. A measure not measured in either session is shown as such and never compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import Threshold
from gaitlab.present.values import format_value, with_unit
from gaitlab.rules.metrics import RECORDING_STEMS, describe, metric_records, reference_for
from gaitlab.rules.names import unit_key, unit_label

#: Events two sessions can be lined up on; "start" lines up the first frames.
SYNC_KINDS = ("start", "heel_strike", "rep_top", "hold_start")
#: Which event kinds a task's sessions can have.
TASK_EVENTS = {
    "walk": ("heel_strike",),
    "calf-raise": ("rep_top",),
    "balance": ("hold_start",),
}
#: Verdicts of :class:`MetricChange` (machine words) and how they read.
VERDICT_TEXT = {
    "better": "better beyond the SDD",
    "worse": "worse beyond the SDD",
    "increase": "increase beyond the SDD",
    "decrease": "decrease beyond the SDD",
    "within_error": "within measurement error",
    "no_sdd": "no published SDD",
    "same": "no change",
    "changed": "changed",
    "not_compared": "not compared",
}


class CompareError(GaitlabError):
    """Two sessions that cannot be compared, or an event one of them lacks (one line)."""


# -- which sessions --------------------------------------------------------------------------------
class _Person(Protocol):
    id: int
    name: str


class SessionLike(Protocol):
    """What the comparison needs of a session (a :class:`gaitlab.store.Session`)."""

    id: int
    kind: str
    task: str | None
    person: _Person | None
    recorded_at: datetime


def check_pair(a: SessionLike, b: SessionLike) -> None:
    """Refuse two sessions that cannot be compared: not two analyses, the same session,
    different persons (or none) or different tasks.

    Raises
    ------
    CompareError
    """
    for s in (a, b):
        if s.kind != "analysis":
            raise CompareError(f"session #{s.id} is a programme session: only analyses compare")
    if a.id == b.id:
        raise CompareError(f"session #{a.id} was chosen twice: choose two different sessions")
    if a.person is None or b.person is None:
        missing = a if a.person is None else b
        raise CompareError(f"session #{missing.id} belongs to nobody: compare one person's")
    if a.person.id != b.person.id:
        raise CompareError(
            f"session #{a.id} is {a.person.name}'s and #{b.id} is {b.person.name}'s: "
            "only one person's sessions are compared"
        )
    if a.task != b.task:
        raise CompareError(
            f"session #{a.id} is {a.task or 'of no task'} and #{b.id} {b.task or 'of no task'}: "
            "only sessions of the same task are compared"
        )


def comparable_tasks(sessions: Sequence[SessionLike]) -> dict[str, list[SessionLike]]:
    """A person's analyses grouped by task, oldest first, only tasks with two or more."""
    by_task: dict[str, list[SessionLike]] = {}
    for s in sessions:
        if s.kind == "analysis" and s.task:
            by_task.setdefault(s.task, []).append(s)
    return {
        task: sorted(group, key=lambda s: (s.recorded_at, s.id))
        for task, group in by_task.items()
        if len(group) >= 2
    }


def default_pair(sessions: Sequence[SessionLike]) -> tuple[SessionLike, SessionLike]:
    """The first and the latest of one task's sessions.

    Raises
    ------
    CompareError
        Fewer than two sessions.
    """
    if len(sessions) < 2:
        raise CompareError("a comparison needs two sessions of the same task")
    ordered = sorted(sessions, key=lambda s: (s.recorded_at, s.id))
    return ordered[0], ordered[-1]


# -- lining the videos up -----------------------------------------------------------------------
@dataclass(frozen=True)
class SyncEvent:
    """A moment to line two videos up on: the ``n``-th (from 1) event of ``kind`` (on
    ``side`` for heel strikes), or ``kind="start"``: the first frames."""

    kind: str = "start"
    n: int = 1
    side: str | None = None

    @property
    def key(self) -> str:
        """A stable machine key, ``heel_strike-left-2`` / ``start``."""
        if self.kind == "start":
            return "start"
        return "-".join(p for p in (self.kind, self.side or "", str(self.n)) if p)

    @property
    def label(self) -> str:
        """How it reads: ``left heel strike 2`` / ``top of rep 1`` / ``start of hold 1``."""
        if self.kind == "start":
            return "the start of each video"
        if self.kind == "heel_strike":
            return f"{self.side} heel strike {self.n}" if self.side else f"heel strike {self.n}"
        if self.kind == "rep_top":
            return f"top of rep {self.n}"
        return f"start of hold {self.n}"


def parse_sync_key(key: str) -> SyncEvent:
    """The :class:`SyncEvent` of a :attr:`SyncEvent.key`.

    Raises
    ------
    CompareError
    """
    parts = key.split("-")
    try:
        if parts == ["start"]:
            return SyncEvent()
        if parts[0] == "heel_strike" and len(parts) == 3 and parts[1] in ("left", "right"):
            return SyncEvent("heel_strike", int(parts[2]), parts[1])
        if parts[0] in ("rep_top", "hold_start") and len(parts) == 2:
            return SyncEvent(parts[0], int(parts[1]))
    except ValueError:
        pass
    raise CompareError(f"{key!r} is not an event to line the videos up on")


def event_times(summary: Mapping[str, Any], kind: str, side: str | None = None) -> list[float]:
    """The times (s, the summary's clock) of every event of ``kind`` in a summary, in order:
    heel strikes of ``side`` (both sides when None), the tops of calf-raise reps, the starts
    of balance holds."""
    if kind == "heel_strike":
        times = [
            float(e["t_s"])
            for e in summary.get("events") or []
            if e.get("type") == "heel_strike" and (side is None or e.get("side") == side)
        ]
    elif kind in ("rep_top", "hold_start"):
        if summary.get("task") != ("calf-raise" if kind == "rep_top" else "balance"):
            return []
        field = "top_s" if kind == "rep_top" else "start_s"
        times = [float(r[field]) for r in summary.get("reps") or [] if r.get(field) is not None]
    else:
        raise CompareError(f"{kind!r} is not an event to line the videos up on")
    return sorted(t for t in times if math.isfinite(t))


def sync_options(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[SyncEvent]:
    """Every moment both summaries have (the start first, then each event kind of the task
    up to the smaller count of the two)."""
    out = [SyncEvent()]
    task = str(a.get("task") or "")
    for kind in TASK_EVENTS.get(task, ()):
        sides: tuple[str | None, ...] = ("left", "right") if kind == "heel_strike" else (None,)
        for side in sides:
            n = min(len(event_times(a, kind, side)), len(event_times(b, kind, side)))
            out.extend(SyncEvent(kind, i + 1, side) for i in range(n))
    return out


@dataclass(frozen=True)
class SyncPoint:
    """Where each video is at the chosen moment, in its own video time (s from its first
    frame). Video B at ``t`` shows the moment video A shows at ``t - offset_s``."""

    event: SyncEvent
    a_s: float
    b_s: float

    @property
    def offset_s(self) -> float:
        return self.b_s - self.a_s


def sync_point(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    event: SyncEvent,
    *,
    a_first_s: float = 0.0,
    b_first_s: float = 0.0,
) -> SyncPoint:
    """The video times of ``event`` in both sessions.

    Parameters
    ----------
    a, b : the two summaries.
    event : the moment to line them up on.
    a_first_s, b_first_s : the time (summary clock, s) of each annotated video's first frame
        (``frames.csv``'s first ``t_s``): the video's clock starts there.

    Raises
    ------
    CompareError
        One of the sessions has no such event (with how many it has).
    """
    if event.kind == "start":
        return SyncPoint(event, 0.0, 0.0)
    if event.n < 1:
        raise CompareError(f"event number {event.n}: events are counted from 1")
    found = []
    for which, summary, first in (("first", a, a_first_s), ("second", b, b_first_s)):
        times = event_times(summary, event.kind, event.side)
        if len(times) < event.n:
            raise CompareError(
                f"the {which} session has no {event.label} to line up on (it has {len(times)})"
            )
        found.append(max(0.0, times[event.n - 1] - first))
    return SyncPoint(event, found[0], found[1])


def event_marks(summary: Mapping[str, Any], first_s: float = 0.0) -> list[dict[str, Any]]:
    """The moments of one session to mark under its video, in its video time (s from its
    first frame, ``first_s`` in the summary's clock): each heel strike (``kind`` ``step``
    with its ``side``), each calf-raise rep's top (``rep``), each balance hold's start
    (``hold``), with a ``label`` to read; in time order."""
    marks = []
    for side in ("left", "right"):
        for i, t in enumerate(event_times(summary, "heel_strike", side)):
            marks.append({"t_s": t - first_s, "kind": "step", "side": side,
                          "label": f"{side} heel strike {i + 1}"})  # fmt: skip
    for kind, mark, words in (
        ("rep_top", "rep", "top of rep"),
        ("hold_start", "hold", "start of hold"),
    ):
        for i, t in enumerate(event_times(summary, kind)):
            marks.append({"t_s": t - first_s, "kind": mark, "side": None,
                          "label": f"{words} {i + 1}"})  # fmt: skip
    return sorted((m for m in marks if m["t_s"] >= 0), key=lambda m: m["t_s"])


def frame_at(frame_times_s: Sequence[float], t_s: float) -> int:
    """The row of the frame a video shows at ``t_s``: the last frame starting at or before
    it (frame times ascending, as :func:`gaitlab.app.player.frame_times` gives them)."""
    if not frame_times_s:
        raise CompareError("the video has no frames")
    lo, hi, best = 0, len(frame_times_s) - 1, 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if frame_times_s[mid] <= t_s + 1e-4:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return best


# -- the measures ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricChange:
    """One measure in both sessions and the change between them.

    ``verdict`` is a machine word of :data:`VERDICT_TEXT`; ``judgement`` says it in words,
    with the SDD and its source when there is one. ``direction`` is ``higher`` or ``lower``
    (which is better, from the thresholds file) or ``""`` (no side is better).
    """

    name: str
    measure: str
    side: str
    unit: str
    a: Any
    b: Any
    a_text: str
    b_text: str
    change: float | None
    change_text: str
    verdict: str
    judgement: str
    sdd: float | None = None
    sdd_source: str = ""
    sdd_unit: str = ""
    direction: str = ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


#: Which way a measure is better, per stem: "lower" (less knee valgus, pelvic drop, ankle roll,
#: sway, asymmetry, overstriding: each is what its rule flags when high) or "higher" (longer
#: single-leg stance, more and higher heel rises, more symmetric calves: flagged when low).
#: A measure not listed has no better side (cadence, step times, knee bend, foot angle: a
#: change is only an increase or a decrease).
DIRECTIONS = {
    "fppa": "lower",
    "pelvic_drop": "lower",
    "step_time_asymmetry": "lower",
    "overstride": "lower",
    "ankle_roll": "lower",
    "ankle_wobble": "lower",
    "sway_rms": "lower",
    "sway_path": "lower",
    "arms_out_time": "lower",
    "hold_time": "higher",
    "heel_rise_test_reps": "higher",
    "heel_rise_test": "higher",
    "heel_rise_test_symmetry": "higher",
    "heel_rise": "higher",
}
#: Not measures of the person but settings, norms or facts about the recording: not compared.
CONTEXT_STEMS = (
    *RECORDING_STEMS,
    "target_low",
    "target_high",
    "norm",
    "norm_age_band",
    "hold_began_before_recording",
    "hold_ended_after_recording",
    "reps_unavailable",
    "sway_noise",
)


def _cut_hold(summary: Mapping[str, Any]) -> bool:
    metrics = summary.get("metrics") or {}
    return bool(
        metrics.get("hold_began_before_recording") or metrics.get("hold_ended_after_recording")
    )


def _signed(x: float, unit: str | None) -> str:
    text = format_value(x, unit)
    return text if x < 0 else "+" + text


def judge(change: float, sdd: float | None, direction: str, sdd_unit: str = "") -> tuple[str, str]:
    """``(verdict, judgement)`` of a numeric change between two sessions; ``sdd_unit`` is the
    thresholds file's unit of the SDD (``deg``, ``reps``)."""
    if sdd is None:
        return "no_sdd", "no published SDD"
    size = with_unit(f"{sdd:g}", unit_label(unit_key(sdd_unit)) if sdd_unit != "reps" else "reps")
    if abs(change) < sdd:
        return "within_error", f"within measurement error (smaller than the SDD of {size})"
    if direction:
        better = (change > 0) == (direction == "higher")
        word = "better" if better else "worse"
    else:
        word = "increase" if change > 0 else "decrease"
    return word, f"{VERDICT_TEXT[word]} of {size}"


def _not_measured(ra: Any, rb: Any) -> str:
    """Why a measure is not compared: ``not measured in the first session: <reason>``."""
    missing = [(w, r) for w, r in (("first", ra), ("second", rb)) if r is None or not r.measured]
    reasons = [r.reason if r is not None else "" for _, r in missing]
    if len(missing) == 2 and reasons[0] == reasons[1]:
        return "not measured in either session" + (f": {reasons[0]}" if reasons[0] else "")
    return "; ".join(
        f"not measured in the {w} session" + (f": {why}" if why else "")
        for (w, _), why in zip(missing, reasons, strict=True)
    )


def compare_metrics(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    thresholds: Mapping[str, Threshold],
    sex: str | None = None,
) -> list[MetricChange]:
    """Every measure of two summaries of one task: those with two numbers first, then words
    (foot strike, gait), then those not measured in a session; in each, in the first
    summary's order (then any only the second has). Facts about the recording are left out.

    Parameters
    ----------
    a, b : the two summaries (``a`` the earlier, the change is ``b - a``).
    thresholds : the thresholds file's entries (references, directions, SDDs).
    sex : the person's, for sex-specific references.
    """
    task = str(a.get("task") or "")
    recs_a = {m.name: m for m in metric_records(a.get("metrics") or {}, a.get("unavailable"))}
    recs_b = {m.name: m for m in metric_records(b.get("metrics") or {}, b.get("unavailable"))}
    out = []
    for name in [*recs_a, *(n for n in recs_b if n not in recs_a)]:
        m = describe(name)
        if m.stem in CONTEXT_STEMS:
            continue
        ra, rb = recs_a.get(name), recs_b.get(name)
        va = ra.value if ra is not None else None
        vb = rb.value if rb is not None else None
        refs = reference_for(m, dict(thresholds), task, sex)
        with_sdd = next((t for t in refs if t.sdd is not None), None)
        row = {
            "name": name,
            "measure": m.label,
            "side": m.side or "",
            "unit": unit_label(m.unit),
            "a": va,
            "b": vb,
            "a_text": format_value(va, m.unit),
            "b_text": format_value(vb, m.unit),
            "sdd": with_sdd.sdd if with_sdd else None,
            "sdd_source": with_sdd.sdd_source if with_sdd else "",
            "sdd_unit": with_sdd.unit if with_sdd else "",
            "direction": DIRECTIONS.get(m.stem, ""),
        }
        na, nb = _number(va), _number(vb)
        cut = [w for w, x in (("first", a), ("second", b)) if _cut_hold(x)]
        if m.stem == "hold_time" and cut and na is not None and nb is not None:
            text = (
                f"not compared: the recording cut the hold in the {' and '.join(cut)} "
                "session, so its time is only a lower bound"
            )
            out.append(MetricChange(**row, change=None, change_text="",
                                    verdict="not_compared", judgement=text))  # fmt: skip
        elif ra is None or not ra.measured or rb is None or not rb.measured:
            out.append(MetricChange(**row, change=None, change_text="", verdict="not_compared",
                                    judgement=_not_measured(ra, rb)))  # fmt: skip
        elif na is None or nb is None:  # words (foot strike, gait) or yes/no
            same = row["a_text"] == row["b_text"]
            verdict = "same" if same else "changed"
            out.append(MetricChange(**row, change=None, change_text="",
                                    verdict=verdict, judgement=VERDICT_TEXT[verdict]))  # fmt: skip
        else:
            change = nb - na
            if isinstance(va, int) and isinstance(vb, int):
                change = int(vb - va)  # counts stay whole
            verdict, text = judge(change, row["sdd"], row["direction"], row["sdd_unit"])
            out.append(MetricChange(**row, change=change, change_text=_signed(change, m.unit),
                                    verdict=verdict, judgement=text))  # fmt: skip
    # numbers compared first, then words, then what could not be compared (stable: in order)
    rank = {"not_compared": 2, "same": 1, "changed": 1}
    return sorted(out, key=lambda r: rank.get(r.verdict, 0))
