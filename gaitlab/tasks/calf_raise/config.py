"""The counter's detection parameters (:class:`CalfRaiseConfig`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CalfRaiseConfig:
    """Detection parameters (geometry of counting, not clinical thresholds: those live in
    the thresholds file). Heights are in % of foot length above the standing baseline.

    Attributes
    ----------
    start_level_pct, end_level_pct
        Hysteresis levels: a rep starts above 10 % (≈ 2.5 cm on an adult foot) and ends
        below 5 %. Landmark jitter after cleaning is ≈ 2 % (SD) of foot length, so the
        start level is 5 SD above the floor, and a real raise (≥ 15 %) is far above both.
    toe_level_pct
        Toes higher than this above their baseline mean the foot is off the floor (a step
        lifts them 20 % or more); 4 SD of toe jitter above the baseline.
    min_up_s
        Shortest time above the end level for a rep (a heel-off while turning is shorter).
        Its peak, averaged over 0.2 s, must also clear the start level (not just a jitter
        spike of a heel hovering under it).
    min_down_s
        The rep ends once the heel, having crossed under the end level, has averaged under
        it over this long: a pause on the way down between the two levels, with jitter
        dipping under the end level, is still the same rep.
    settle_s
        A rep is measured and reported once the heel has been back below the end level for
        this long (or the next rep starts, or the stream ends): the fit then sees the end of
        the lowering. It is the live feedback delay.
    baseline_s
        Window of the running standing baseline (20th percentile of the frames between
        reps: with no pause at the bottom only the lowest frames are on the floor).
    toe_off_s
        Toes above ``toe_level_pct`` for this long lift the foot (out of a rep in progress).
    relock_s
        A lifted foot put down on a new spot counts as standing once it has stood still and
        flat this long (its baseline is then taken afresh).
    max_missing_s
        Feet out of view for longer than this abort a rep in progress (not counted) and
        raise the "step back so your feet are in view" warning.
    max_rep_s
        A "rep" longer than this is the floor moving in the image (the person stepped
        closer or further): it is discarded and the baseline is reset.
    pre_s
        How far before the start-level crossing the phase fit looks for the start of the
        rise (a very slow rise crosses 10 % a second or more after it began).
    rest_lookback_s
        Standing frames up to this long before a rep's window also pin the standing
        sideways positions for its ankle roll.
    """

    start_level_pct: float = 10.0
    end_level_pct: float = 5.0
    toe_level_pct: float = 10.0
    min_up_s: float = 0.25
    min_down_s: float = 0.2
    settle_s: float = 1.0
    baseline_s: float = 3.0
    toe_off_s: float = 0.15
    relock_s: float = 1.0
    max_missing_s: float = 0.5
    max_rep_s: float = 30.0
    pre_s: float = 3.0
    rest_lookback_s: float = 4.0

    def __post_init__(self) -> None:
        if not 0 < self.end_level_pct < self.start_level_pct:
            raise ValueError(
                "CalfRaiseConfig: need 0 < end_level_pct < start_level_pct, got "
                f"{self.end_level_pct} and {self.start_level_pct}"
            )
        for name in (
            "toe_level_pct",
            "min_up_s",
            "min_down_s",
            "settle_s",
            "baseline_s",
            "max_missing_s",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"CalfRaiseConfig: {name} must be > 0")
