"""Single-leg balance ("barefoot balancing"): find each hold, time it, measure sway and drop.

A hold starts when one foot is clearly lifted off the floor and ends when it touches down
or the standing foot hops or shifts (MEASURES.md, "Single-leg balance"). The detector is the
causal, frame-by-frame :class:`~.timer.BalanceTimer`, so the live webcam loop and the offline
analyzer run exactly the same rule: offline feeds it the cleaned pose frame by frame
(:func:`~.values.balance_values`), live feeds it each visibility-gated frame as it arrives.

Foot lift
    For each foot, each of its ankle, heel and toe (``foot_index``) landmarks has its own
    floor level: its image y while that foot stands, tracked with a slow average and frozen
    while the foot is up. A landmark's *rise* is its floor level minus its y, in fractions
    of the leg length (hip→knee→ankle, pixels), so the same margins work at any distance
    and resolution. The foot's rise is the smallest rise of its visible landmarks (the part
    nearest the floor: a heel raise with the toes down is not a lift). Whichever landmarks
    are visible are used, so a foot hidden behind the standing leg in a side view still
    counts when any of its points is seen; when none is, the timer says it cannot tell.
    While the other foot stands still, a landmark's sideways move from its spot counts like
    a rise (a foot swung out to the side or brought towards a camera above the feet can
    look lower in the image, never higher).
Landing elsewhere
    A foot swung out and set down at a new spot (nearer to or further from the camera) never
    comes back to its old floor level: it is down again when it comes to rest at the bottom
    of its path after coming down from its highest point, not far above the standing foot
    (:mod:`~.landing`); its floor is then re-learnt there. A foot taken as lifted at first
    sight that stays still while the other one lifts was standing (two planted feet at
    different depths, seen from above).
Hysteresis
    A foot is *lifted* above :data:`~.timer.LIFT_HIGH_FRAC` and *down* again only below
    :data:`~.timer.LIFT_LOW_FRAC`; a lift must last :data:`~.timer.MIN_LIFT_S` to be a hold,
    and a touch or a stance-foot shift must last :data:`~.timer.MIN_TOUCH_S` to end one, so
    jitter never splits or invents a hold. A lift during which the subject's on-screen size
    changes is a walk towards or away from the camera, not a hold
    (:data:`~.timer.MAX_SIZE_CHANGE_FRAC`).
Timing
    The thresholds are crossed a few centimetres after lift-off and before touch-down, when a
    foot lifted from rest has been moving for 0.05–0.1 s. The reported times come from a
    least-squares fit of "rest, then rise ∝ t²" to the recent rise
    (:func:`~.onset.fit_rest_onset`), mirrored for the landing, so they sit at the lift-off /
    touch-down itself. A foot peeled off heel first creeps up a little before its toes leave
    the floor: then "creep, then rise ∝ t²" is fitted too (:func:`~.onset.fit_lift_onset`).
    The timer smooths its inputs with a short moving average and runs on the window's
    centroid time, which removes the average's delay exactly. Times come from the frame
    timestamps.
Censoring
    A hold under way in the first frame or still running in the last is kept and marked
    (``began_before_recording`` / ``ended_after_recording``): its time is "at least".

Sway (offline)
    Of the pelvis centre (hip midpoint) during the hold, along the image horizontal: the
    medio-lateral direction in front/back views, antero-posterior in side views (one camera
    sees one horizontal direction; depth is invisible). The track is low-passed at
    :data:`~.sway.SWAY_CUTOFF_HZ`. RMS = root-mean-square distance from its mean over the hold,
    with the landmark-noise floor removed (see :func:`~.sway.sway_rms_px`); path = summed absolute
    frame-to-frame displacement, its noise likewise removed (:func:`~.sway.sway_path_px`). Both in
    % of leg length and, with the user's height, in cm. Short holds (≈ 2 s) leave too few
    independent samples to separate sway from noise: expect ±15–25 % there.
Pelvic drop (offline, front/back views)
    Pelvic obliquity during the hold minus its standing baseline before the lift, signed so
    that positive = the lifted side's hip drops (a Trendelenburg-type sign).

Modules, in the order of the analysis
    ``values`` (what the detector reads per frame) → ``timer`` (the causal hold detector,
    timing lift-offs and touch-downs with ``onset``, landings elsewhere with ``landing``) →
    ``holds`` (the timer run over a pose) → per hold, ``measures`` (view and arms) with
    ``sway`` and ``drop``, sharing a ``context`` → ``norms`` (age norm, programme target) and
    ``flags``. ``analyze`` runs them in that order.
"""

from gaitlab.tasks.balance.analyze import analyze_balance
from gaitlab.tasks.balance.holds import detect_holds
from gaitlab.tasks.balance.norms import norm_for_age
from gaitlab.tasks.balance.onset import fit_rest_onset
from gaitlab.tasks.balance.sway import sway_path_px, sway_rms_px
from gaitlab.tasks.balance.timer import LIFT_HIGH_FRAC, LIFT_LOW_FRAC, BalanceTimer, Hold
from gaitlab.tasks.balance.values import BALANCE_VALUE_KEYS, balance_values

__all__ = [
    "BALANCE_VALUE_KEYS",
    "LIFT_HIGH_FRAC",
    "LIFT_LOW_FRAC",
    "BalanceTimer",
    "Hold",
    "analyze_balance",
    "balance_values",
    "detect_holds",
    "fit_rest_onset",
    "norm_for_age",
    "sway_path_px",
    "sway_rms_px",
]
