"""Body segment proportions, once: every ratio the analyzers, the view classifier, the TRC
export and the synthetic bodies use.

Lengths are fractions of standing height H, from Winter, *Biomechanics and Motor Control of
Human Movement* (4th ed., 2009), fig. 4.1. They describe an average adult; the code uses
them where the clip itself cannot tell (a scale from a segment seen at the same moment, a
fallback when a landmark is hidden), never as a measurement of the person.
"""

from __future__ import annotations

#: Hip to knee (thigh) length / H.
THIGH_OF_HEIGHT = 0.245
#: Knee to ankle (shank) length / H.
SHANK_OF_HEIGHT = 0.246
#: Ankle joint above the sole / H.
ANKLE_HEIGHT_OF_HEIGHT = 0.039
#: Heel to toe tip (foot length) / H.
FOOT_LENGTH_OF_HEIGHT = 0.152
#: Shoulder joint above the floor / H: the shoulders are seen from the front and the back
#: alike, so they give the standing height in pixels when the face is hidden.
SHOULDER_HEIGHT_OF_HEIGHT = 0.818
#: Eyes above the floor / H: the highest BlazePose landmarks.
EYE_HEIGHT_OF_HEIGHT = 0.936
#: Shoulder joint to shoulder joint / H.
SHOULDER_WIDTH_OF_HEIGHT = 0.259
#: Upper arm, forearm and hand lengths / H.
UPPER_ARM_OF_HEIGHT = 0.186
FOREARM_OF_HEIGHT = 0.146
HAND_OF_HEIGHT = 0.108
#: Distance between BlazePose's two hip landmarks / H: between the hip joint centres and the
#: trochanters, roughly where BlazePose puts them (not one of Winter's ratios).
HIP_WIDTH_OF_HEIGHT = 0.11

#: Where the ankle and the metatarsal heads stand along the foot, in foot lengths in front
#: of the heel (Winter's foot model).
ANKLE_FROM_HEEL_OF_FOOT = 0.25
MTP_FROM_HEEL_OF_FOOT = 0.72

#: Thigh plus shank / H: floor-independent leg length (it stays the same when the knee bends,
#: unlike hip-to-floor height).
THIGH_PLUS_SHANK_OF_HEIGHT = THIGH_OF_HEIGHT + SHANK_OF_HEIGHT
#: Foot length / shank length.
FOOT_TO_SHANK = FOOT_LENGTH_OF_HEIGHT / SHANK_OF_HEIGHT
#: Shank length / foot length.
SHANK_TO_FOOT = SHANK_OF_HEIGHT / FOOT_LENGTH_OF_HEIGHT
#: Ankle height / foot length.
ANKLE_HEIGHT_OF_FOOT = ANKLE_HEIGHT_OF_HEIGHT / FOOT_LENGTH_OF_HEIGHT
#: Thigh / (thigh + shank): with the hip still, an ankle moved sideways by δ carries the knee
#: by about this fraction of δ.
KNEE_FRACTION_OF_LEG = THIGH_OF_HEIGHT / THIGH_PLUS_SHANK_OF_HEIGHT
