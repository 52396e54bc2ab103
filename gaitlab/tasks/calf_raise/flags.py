"""The programme's cues checked on one rep (:func:`rep_flags`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Flag
from gaitlab.tasks.calf_raise.results import CalfRaiseRep


def _flag(
    thr: Threshold,
    rule: str,
    value: float,
    *,
    side: str | None,
    span: tuple[float, float],
    frame: int,
    message: str,
    signal: str,
    sex: str | None,
) -> Flag:
    return Flag(
        rule=rule,
        severity="warning",
        side=side,
        start_s=float(span[0]),
        end_s=float(span[1]),
        frame=int(frame),
        value=float(value),
        threshold=thr.for_sex(sex),
        unit=thr.unit,
        message=message,
        source=thr.source,
        signal=signal,
    )


def _timing_flags(
    rep: CalfRaiseRep,
    thresholds: Mapping[str, Threshold],
    sex: str | None,
    at: Callable[[float], int],
) -> list[Flag]:
    """Rise too quick, no pause at the top, lowered faster than raised."""
    out: list[Flag] = []
    timing_signal = "heel_rise_pct_foot"
    rise_span = (rep.start_s, rep.top_s)
    hold_span = (rep.top_s, rep.hold_end_s)
    lower_span = (rep.hold_end_s, rep.end_s)
    if (thr := thresholds.get("calf_raise_rise")) is not None and thr.crossed(rep.rise_s, sex):
        out.append(
            _flag(
                thr,
                "calf_raise_rise",
                rep.rise_s,
                side=None,
                span=rise_span,
                frame=at(0.5 * sum(rise_span)),
                message=(
                    f"rise too quick: heels up in {rep.rise_s:.1f} s "
                    f"(slowly raise your heels, at least {thr.for_sex(sex):g} s)"
                ),
                signal=timing_signal,
                sex=sex,
            )
        )
    if (thr := thresholds.get("calf_raise_hold")) is not None and thr.crossed(rep.hold_s, sex):
        out.append(
            _flag(
                thr,
                "calf_raise_hold",
                rep.hold_s,
                side=None,
                span=hold_span,
                frame=at(0.5 * sum(hold_span)),
                message=(
                    f"no pause at the top: {rep.hold_s:.1f} s "
                    f"(pause at the top for a moment, at least {thr.for_sex(sex):g} s)"
                ),
                signal=timing_signal,
                sex=sex,
            )
        )
    thr = thresholds.get("calf_raise_lower_ratio")
    if thr is not None and rep.rise_s > 0:
        ratio = rep.lower_s / rep.rise_s
        if thr.crossed(ratio, sex):
            out.append(
                _flag(
                    thr,
                    "calf_raise_lower_ratio",
                    ratio,
                    side=None,
                    span=lower_span,
                    frame=at(0.5 * sum(lower_span)),
                    message=(
                        f"lowered faster than you raised: down in {rep.lower_s:.1f} s, up in "
                        f"{rep.rise_s:.1f} s (lower back down even more slowly)"
                    ),
                    signal=timing_signal,
                    sex=sex,
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
        thr = thresholds.get("ankle_roll")
        if thr is not None and roll is not None and thr.crossed(roll, sex):
            out.append(
                _flag(
                    thr,
                    "ankle_roll",
                    roll,
                    side=side,
                    span=hold_span,
                    frame=rep.frame,
                    message=(
                        f"{side} ankle rolled outward {roll:.0f}° (keep your ankles straight, "
                        f"press through the base of the big toe; threshold {thr.for_sex(sex):g}°)"
                    ),
                    signal=f"ankle_roll_{side}_deg",
                    sex=sex,
                )
            )
        shift = getattr(rep, f"ankle_shift_{side}_pct_foot")
        thr = thresholds.get("ankle_shift")
        if thr is not None and shift is not None and thr.crossed(shift, sex):
            out.append(
                _flag(
                    thr,
                    "ankle_shift",
                    shift,
                    side=side,
                    span=hold_span,
                    frame=rep.frame,
                    message=(
                        f"{side} ankle shifted outward {shift:.0f} % of foot length (keep your "
                        f"ankles straight; threshold {thr.for_sex(sex):g} %)"
                    ),
                    signal=f"ankle_shift_{side}_pct_foot",
                    sex=sex,
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
