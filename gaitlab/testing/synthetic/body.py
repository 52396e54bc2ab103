"""Body segment lengths of the synthetic subject, scaled from standing height."""

from __future__ import annotations

from dataclasses import dataclass

from gaitlab.core import anthropometry as anthro


@dataclass(frozen=True)
class Body:
    """Segment lengths in metres, scaled from standing height.

    Ratios of height from Winter (Biomechanics and Motor Control of Human Movement, fig. 4.1):
    thigh 0.245, shank 0.246, ankle height 0.039, foot length 0.152, shoulder height 0.818,
    shoulder width 0.259, upper arm 0.186, forearm 0.146, hand 0.108, eye height 0.936.
    ``hip_width_m`` (0.11 H) is the distance between the hip landmarks, between the hip joint
    centres and the trochanters, roughly where BlazePose puts them. The ankle sits 25 % of the
    foot length in front of the heel, the metatarsal heads 72 % and the toe tip 100 %.
    """

    height_m: float = 1.70

    def __post_init__(self) -> None:
        if not 0.5 <= self.height_m <= 2.5:
            raise ValueError(f"height_m: expected 0.5–2.5 m, got {self.height_m}")

    @property
    def thigh_m(self) -> float:
        return anthro.THIGH_OF_HEIGHT * self.height_m

    @property
    def shank_m(self) -> float:
        return anthro.SHANK_OF_HEIGHT * self.height_m

    @property
    def ankle_height_m(self) -> float:
        return anthro.ANKLE_HEIGHT_OF_HEIGHT * self.height_m

    @property
    def foot_length_m(self) -> float:
        """Heel to toe tip (heel landmark to foot_index landmark with the foot flat)."""
        return anthro.FOOT_LENGTH_OF_HEIGHT * self.height_m

    @property
    def heel_back_m(self) -> float:
        return anthro.ANKLE_FROM_HEEL_OF_FOOT * self.foot_length_m

    @property
    def mtp_fwd_m(self) -> float:
        return 0.47 * self.foot_length_m

    @property
    def toe_m(self) -> float:
        return 0.28 * self.foot_length_m

    @property
    def hip_width_m(self) -> float:
        return anthro.HIP_WIDTH_OF_HEIGHT * self.height_m

    @property
    def leg_length_m(self) -> float:
        """Floor to hip with the leg straight."""
        return self.thigh_m + self.shank_m + self.ankle_height_m

    @property
    def shoulder_width_m(self) -> float:
        return anthro.SHOULDER_WIDTH_OF_HEIGHT * self.height_m

    @property
    def scale(self) -> float:
        return self.height_m / 1.70
