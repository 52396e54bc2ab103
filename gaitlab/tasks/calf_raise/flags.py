"""The programme's cues checked on one rep (:func:`rep_flags`); the rules' words and
thresholds are in :mod:`gaitlab.rules.registry`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Flag
from gaitlab.rules import registry
from gaitlab.rules.registry import make_flag
from gaitlab.tasks.calf_raise.results import CalfRaiseRep


def _timing_flags(
    rep: CalfRaiseRep,
    thresholds: Mapping[str, Threshold],
    sex: str | None,
    at: Callable[[float], int],
) -> list[Flag]:
    """Rise too quick, no pause at the top, lowered faster than raised."""
    out: list[Flag] = []
    rise_span = (rep.start_s, rep.top_s)
    hold_span = (rep.top_s, rep.hold_end_s)
    lower_span = (rep.hold_end_s, rep.end_s)
    thr = registry.threshold("calf_raise_rise", thresholds)
    if thr is not None and thr.crossed(rep.rise_s, sex):
        mid = at(0.5 * sum(rise_span))
        out.append(
            make_flag(
                "calf_raise_rise", thr, rep.rise_s, side=None, span_s=rise_span, frame=mid, sex=sex
            )
        )
    thr = registry.threshold("calf_raise_hold", thresholds)
    if thr is not None and thr.crossed(rep.hold_s, sex):
        mid = at(0.5 * sum(hold_span))
        out.append(
            make_flag(
                "calf_raise_hold", thr, rep.hold_s, side=None, span_s=hold_span, frame=mid, sex=sex
            )
        )
    thr = registry.threshold("calf_raise_lower_ratio", thresholds)
    if thr is not None and rep.rise_s > 0:
        ratio = rep.lower_s / rep.rise_s
        if thr.crossed(ratio, sex):
            out.append(
                make_flag(
                    "calf_raise_lower_ratio",
                    thr,
                    ratio,
                    side=None,
                    span_s=lower_span,
                    frame=at(0.5 * sum(lower_span)),
                    sex=sex,
                    lower_s=rep.lower_s,
                    rise_s=rep.rise_s,
                )
            )
    return out


def _ankle_flags(
    rep: CalfRaiseRep, thresholds: Mapping[str, Threshold], sex: str | None
) -> list[Flag]:
    """Each side's ankle rolled or shifted outward at the top."""
    out: list[Flag] = []
    hold_span = (rep.top_s, rep.hold_end_s)
    for side in SIDES:
        roll = rep.roll(side)
        thr = registry.threshold("ankle_roll", thresholds)
        if thr is not None and roll is not None and thr.crossed(roll, sex):
            out.append(
                make_flag(
                    "ankle_roll", thr, roll, side=side, span_s=hold_span, frame=rep.frame, sex=sex
                )
            )
        shift = getattr(rep, f"ankle_shift_{side}_pct_foot")
        thr = registry.threshold("ankle_shift", thresholds)
        if thr is not None and shift is not None and thr.crossed(shift, sex):
            out.append(
                make_flag(
                    "ankle_shift", thr, shift, side=side, span_s=hold_span, frame=rep.frame, sex=sex
                )
            )
    return out


def rep_flags(
    rep: CalfRaiseRep,
    thresholds: Mapping[str, Threshold],
    *,
    sex: str | None = None,
    frame_at: Any = None,
) -> list[Flag]:
    """The programme's cues checked on one rep, each against its thresholds-file entry.

    ``calf_raise_rise`` "rise too quick", ``calf_raise_hold`` "no pause at the top",
    ``calf_raise_lower_ratio`` "lowered faster than you raised", ``ankle_roll`` "left ankle
    rolled outward 7°", ``ankle_shift``. Entries missing from ``thresholds`` are skipped.
    ``frame_at(t_s) -> frame`` maps a time to a frame (default: the rep's frame).
    """
    at = frame_at or (lambda _t: rep.frame)
    return _timing_flags(rep, thresholds, sex, at) + _ankle_flags(rep, thresholds, sex)
