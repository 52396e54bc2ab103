"""Heel strikes and toe offs of one pass: Zeni's extrema refined on the foot's ground speed."""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from gaitlab.tasks.walk.contact import contact_events, ground_speeds
from gaitlab.tasks.walk.series import fine_velocity, gradient, level_crossings, runs
from gaitlab.tasks.walk.sides import SideEvents, assign_sides, drop_flight_events

#: Zeni extrema of the two feet's envelopes (one per step): at least this far apart (200
#: steps/min is 0.3 s per step) and this prominent (leg lengths; a step moves the leading
#: heel through ~0.5).
MIN_EVENT_SPACING_S = 0.25
MIN_PROMINENCE_LEGS = 0.1
#: Heel strike: the heel's ground speed falls through this fraction of walking speed. At
#: contact it drops from about walking speed to zero within a frame, so half way is the
#: instant of the drop, and the zero-phase low-pass of the cleaning keeps that half-way
#: point where it was.
HS_ARREST_FRAC = 0.5
#: Toe off: the toe's ground speed rises through this fraction of walking speed. The toe
#: leaves the floor at rest and reaches walking speed ~30 ms later (more when walking
#: slowly); the zero-phase low-pass spreads that onset ~20 ms both ways, so a low level
#: crossing lands early and a high one late. 0.3 is where the two balance on the synthetic
#: walker (mean error within ±15 ms from 80 to 140 steps/min at 30 and 60 fps).
TO_ONSET_FRAC = 0.3
#: Front and back views time the events on the world landmarks' depth, whose jitter is
#: large: on real clips ~3 cm per frame at 30 fps and ~1.5 cm at 60 fps, the same for the
#: heel, ankle and toe of one leg (correlation 0.95–1.0 between them; 0.8 with the knee),
#: so averaging the foot's landmarks does not help. The depth tracks are low-passed again
#: at this cut-off before the events (a step's forward swing is ~1 Hz), and the refinement
#: levels move to where the smoother onsets balance on the synthetic walker (mean errors
#: within ±8 ms): with realistic correlated jitter, 93–100 % of the events within one frame
#: and step-time MAE 15–17 ms at 30 fps (29 ms and 86–92 % without this).
DEPTH_LOWPASS_HZ = 4.0
HS_ARREST_FRAC_DEPTH = 0.6
TO_ONSET_FRAC_DEPTH = 0.4
#: A toe's ground speed that dips under the onset level but stays above this fraction of it
#: is already moving (jitter), not planted: see _take_off.
TO_DIP_FRAC = 0.5
#: A contact event within this of one of Zeni's is the same event (see _with_contacts).
CONTACT_MATCH_S = 0.15
#: Contact heel strikes are added to Zeni's only if at most this share of consecutive ones
#: are of the same foot (walking alternates; noise may break it once in a while).
MAX_CONTACT_REPEAT_FRAC = 0.2
#: Zeni extrema closer than this to the start or end of the data are not events, nor those
#: with fewer than EDGE_GUARD_ROWS samples on a side: at 10 fps a peak one frame (0.1 s) in
#: has a flank of one sample, the low-pass's edge transient (the outdoor walk at 10 fps
#: gained a heel strike in its second frame, 113.4 instead of 107.6 steps/min).
EDGE_GUARD_S = 0.1
EDGE_GUARD_ROWS = 2
#: Refinement search windows after Zeni's heel maximum / before its toe minimum.
REFINE_WINDOW_S = 0.15
#: Steps longer than this (or strides longer than twice it) are pauses, not steps.
MAX_STEP_S = 2.0
#: Steps outside this range × the pass's median step span a missed or spurious event.
STEP_RANGE = (0.6, 1.5)
#: Where a foot is surely planted, in step times (heel strike to the next heel strike):
#: the leading heel from just after its strike until about when the other heel passes it,
#: the trailing toe before its toe off back to about the other foot's strike. For the
#: walking speed.
HEEL_PLANTED = (0.15, 0.45)
TOE_PLANTED = (0.15, 0.45)


def _extrema(t: np.ndarray, v: np.ndarray, prominence: float, maxima: bool) -> list[int]:
    out: list[int] = []
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    distance = max(1, int(round(MIN_EVENT_SPACING_S / dt)))
    for a, b in runs(np.isfinite(v)):
        if b - a < 3:
            continue
        seg = v[a:b] if maxima else -v[a:b]
        peaks, _ = find_peaks(seg, prominence=prominence, distance=distance)
        # An extremum needs data on both sides: at the ends of a run the signal is cut off
        # (and the low-pass filter has edge transients).
        tr = t[a:b]
        keep = (tr[peaks] - tr[0] >= EDGE_GUARD_S) & (tr[-1] - tr[peaks] >= EDGE_GUARD_S)
        keep &= (peaks >= EDGE_GUARD_ROWS) & (peaks < len(seg) - EDGE_GUARD_ROWS)
        out += [a + int(p) for p in peaks[keep]]
    return out


def _alternate(
    hs: list[int], to: list[int], hs_t: list[float], to_t: list[float], heel, toe
) -> tuple[list[int], list[int]]:
    """Keep heel strikes and toe offs alternating in time (HS, TO, HS …): of two of a kind
    closer than ``STEP_RANGE[0]`` × the median step, the more extreme Zeni extremum
    stays (the other is spurious); two further apart are both kept (the event between them
    was missed: a foot hidden for a moment). Returns the positions kept in ``hs`` / ``to``.
    Run on the refined times: in running the toe's Zeni minimum falls on the other foot's
    strike, and only its refinement puts it before that strike."""
    gaps = np.diff(sorted(hs_t))
    step = float(np.median(gaps)) if gaps.size else np.inf
    seq = sorted(
        [(hs_t[k], "hs", k) for k in range(len(hs))] + [(to_t[k], "to", k) for k in range(len(to))]
    )
    out: list[tuple[float, str, int]] = []
    for te, kind, k in seq:
        if out and out[-1][1] == kind and te - out[-1][0] < STEP_RANGE[0] * step:
            j = out[-1][2]
            better = heel[hs[k]] > heel[hs[j]] if kind == "hs" else toe[to[k]] < toe[to[j]]
            if better:
                out[-1] = (te, kind, k)
            continue
        out.append((te, kind, k))
    return [k for _, kind, k in out if kind == "hs"], [k for _, kind, k in out if kind == "to"]


def _walking_speed(
    t: np.ndarray, heel: np.ndarray, toe: np.ndarray, hs: list[int], to: list[int]
) -> float:
    """Walking speed (units/s, NaN if unknown): a planted foot moves backwards relative to
    the pelvis at walking speed; the leading heel is planted from just after its strike
    until the other heel passes it, the trailing toe from the other foot's strike until it
    lifts."""
    speed = float("nan")
    steps = np.diff(t[hs]) if len(hs) > 1 else np.array([])
    steps = steps[steps <= MAX_STEP_S]
    if steps.size:
        step = float(np.median(steps))
        vh, vt = gradient(t, heel), gradient(t, toe)
        w = np.zeros(len(t), dtype=bool)
        for i in hs:
            w |= (t >= t[i] + HEEL_PLANTED[0] * step) & (t <= t[i] + HEEL_PLANTED[1] * step)
        samples = [-vh[w]]
        w = np.zeros(len(t), dtype=bool)
        for i in to:
            w |= (t >= t[i] - TOE_PLANTED[1] * step) & (t <= t[i] - TOE_PLANTED[0] * step)
        samples.append(-vt[w])
        s = np.concatenate(samples)
        s = s[np.isfinite(s)]
        if s.size >= 3 and np.median(s) > 0:
            speed = float(np.median(s))
    return speed


def _refine(
    t: np.ndarray,
    heel: np.ndarray,
    toe: np.ndarray,
    hs: list[int],
    to: list[int],
    hs_t: list[float],
    to_t: list[float],
    speed: float,
    hs_arrest_frac: float,
    to_onset_frac: float,
) -> None:
    """Moves, in place, each heel strike in ``hs_t`` to the heel's arrest after Zeni's
    maximum and each toe off in ``to_t`` to the toe's onset before Zeni's minimum, on the
    ground speed (the package docstring); events without a crossing keep Zeni's time."""
    th, vh = fine_velocity(t, heel)
    tt, vt = fine_velocity(t, toe)
    down = level_crossings(th, vh + speed, hs_arrest_frac * speed, rising=False)
    up = level_crossings(tt, vt + speed, to_onset_frac * speed, rising=True)
    for k, i in enumerate(hs):
        c = down[(down > t[i]) & (down <= t[i] + REFINE_WINDOW_S)]
        if c.size:
            hs_t[k] = float(c[0])
    for k, i in enumerate(to):
        c = up[(up < t[i]) & (up >= t[i] - REFINE_WINDOW_S)]
        if c.size:
            to_t[k] = _take_off(c, tt, vt + speed, TO_DIP_FRAC * to_onset_frac * speed)


def detect_gait_events(
    t: np.ndarray,
    forward: dict[str, np.ndarray],
    leg: float,
    *,
    refine: bool = True,
    hs_arrest_frac: float = HS_ARREST_FRAC,
    to_onset_frac: float = TO_ONSET_FRAC,
    contact: bool = True,
) -> tuple[dict[str, SideEvents], float, str]:
    """Heel strikes and toe offs of one pass.

    Zeni's rule is applied to the envelopes of the two feet: the leading heel (the more
    forward of the two) peaks at every heel strike, whichever foot lands, and the trailing
    toe dips at every toe off. This is immune to left/right label swaps; sides are assigned
    afterwards (:func:`assign_sides`).

    Parameters
    ----------
    t
        ``(T,)`` timestamps of the pass.
    forward
        ``{"left_heel", "left_foot_index", "right_heel", "right_foot_index"}`` → ``(T,)``
        positions relative to the pelvis along the walking direction (+ = ahead), any unit.
    leg
        The leg length in the same unit (prominence and spacing checks).
    refine
        Refine Zeni's extrema on the ground speed (package docstring); False keeps them.
    contact
        In walking, time the events on each foot's own contact instead
        (:func:`~.contact.contact_events`): it holds for limps, shuffling and slow gait,
        where Zeni's envelopes miss the steps that do not pass the other foot.

    Returns
    -------
    Per side, the event times (s) and their confidences; the walking speed in units/s (NaN
    if unknown); the gait,
    ``"running"`` when most toe offs are followed by a flight phase (both feet in the air
    before the next heel strike), else ``"walking"``. Walking has no flight phase, so there
    an event that would put both feet in the air is dropped as an error.
    """
    lh, rh = forward["left_heel"], forward["right_heel"]
    lt, rt = forward["left_foot_index"], forward["right_foot_index"]
    with np.errstate(invalid="ignore"):
        heel = np.fmax(lh, rh)
        heel_who = np.where(np.isnan(rh) | (lh >= rh), "left", "right")
        toe = np.fmin(lt, rt)
        toe_who = np.where(np.isnan(rt) | (lt <= rt), "left", "right")
    prom = MIN_PROMINENCE_LEGS * leg
    hs = _extrema(t, heel, prom, maxima=True)
    to = _extrema(t, toe, prom, maxima=False)

    speed = _walking_speed(t, heel, toe, hs, to)
    hs_t = [float(t[i]) for i in hs]
    to_t = [float(t[i]) for i in to]
    if refine and np.isfinite(speed):
        _refine(t, heel, toe, hs, to, hs_t, to_t, speed, hs_arrest_frac, to_onset_frac)
    keep_hs, keep_to = _alternate(hs, to, hs_t, to_t, heel, toe)
    zeni = (
        [(hs_t[k], str(heel_who[hs[k]])) for k in keep_hs],
        [(to_t[k], str(toe_who[to[k]])) for k in keep_to],
    )
    out, n_flight, n_double = assign_sides(
        [h for h, _ in zeni[0]],
        [s for _, s in zeni[0]],
        [o for o, _ in zeni[1]],
        [s for _, s in zeni[1]],
    )
    gait = "running" if n_flight > n_double else "walking"
    conf: dict[float, float] = {}
    if gait == "walking" and refine and contact:
        fe = contact_events(
            t, forward, leg, hs_arrest_frac=hs_arrest_frac, to_onset_frac=to_onset_frac
        )
        gaps = np.diff([h for h, _, _ in fe.hs])
        step = float(np.median(gaps)) if gaps.size else float("nan")
        # Feet take turns: a foot often seen landing twice in a row means the contact timing
        # is off (a camera panning with the walker slows a foot in the picture), and then it
        # only rates Zeni's events, adding none.
        sides = [side for _, side, _ in fe.hs]
        repeats = sum(a == b for a, b in zip(sides[:-1], sides[1:], strict=False))
        turns = repeats <= MAX_CONTACT_REPEAT_FRAC * max(len(sides) - 1, 1)
        min_gap = STEP_RANGE[0] * step if turns else np.inf
        hs_all = _with_contacts(zeni[0], fe.hs, conf, min_gap)
        to_all = _with_contacts(zeni[1], fe.to if turns else [], conf, 0.0, [h for h, _ in hs_all])
        out, _, _ = assign_sides(
            [h for h, _ in hs_all],
            [s for _, s in hs_all],
            [o for o, _ in to_all],
            [s for _, s in to_all],
        )
        if not np.isfinite(speed):
            speed = fe.speed
    if gait == "walking":
        drop_flight_events(out)
    for ev in out.values():
        ev.confidence = {te: c for te, c in conf.items() if te in ev.hs or te in ev.to}
    _add_confidences(t, forward, out, speed)
    return out, speed, gait


def _with_contacts(
    zeni: list[tuple[float, str]],
    contacts: list[tuple[float, str, float]],
    conf: dict[float, float],
    min_gap_s: float,
    strikes: list[float] | None = None,
) -> list[tuple[float, str]]:
    """Zeni's refined events of one kind, and those of each foot's contact that Zeni's
    envelopes missed: a step that does not pass the other foot (a step-to limp, a cane)
    leaves the leading heel's envelope flat, so Zeni sees every other step. Where both found
    an event (within :data:`CONTACT_MATCH_S`), Zeni's refined time stays (the more precise on
    real footage) with the contact's confidence; ``conf`` is filled. A contact event is added
    only where it fits the gait: at least ``min_gap_s`` from Zeni's (a heel strike: a step's
    worth, in a step Zeni missed: :func:`_missed_step`), and for a toe off (``strikes``
    given) in a step (between two heel strikes) that
    has none of Zeni's (walking lifts one foot per step)."""
    out = list(zeni)
    times = np.array([z for z, _ in zeni])
    bounds = np.array(sorted(strikes)) if strikes is not None else None
    for te, side, c in contacts:
        near = np.flatnonzero(np.abs(times - te) <= CONTACT_MATCH_S) if times.size else []
        if len(near):
            conf[float(times[near[0]])] = c
            continue
        if times.size and np.min(np.abs(times - te)) < min_gap_s:
            continue
        if strikes is None and not _missed_step(zeni, te, side):
            continue
        if bounds is not None and bounds.size and times.size:
            k = np.searchsorted(bounds, te)
            lo = bounds[k - 1] if k > 0 else -np.inf
            hi = bounds[k] if k < bounds.size else np.inf
            if np.any((times > lo) & (times < hi)):
                continue
        out.append((te, side))
        conf[te] = c
    return sorted(out)


def _missed_step(zeni: list[tuple[float, str]], te: float, side: str) -> bool:
    """Whether a heel strike of ``side`` at ``te`` fills a step Zeni's envelopes missed: it
    lies between two of Zeni's strikes of the other foot (a step-to limp or a cane leaves
    the leading foot's strikes only). Elsewhere a contact-only strike is more likely a foot
    slowed in the picture by the camera panning, or a guess at the clip's ends."""
    before = [s for z, s in zeni if z < te]
    after = [s for z, s in zeni if z > te]
    return bool(before and after) and before[-1] == after[0] != side


def _add_confidences(
    t: np.ndarray, forward: dict[str, np.ndarray], out: dict[str, SideEvents], speed: float
) -> None:
    """Fill, in place, the confidence of every event that has none: how clearly the
    landmark's ground speed changes there (:meth:`~.contact.GroundSpeeds.confidence`)."""
    gs = ground_speeds(t, forward)
    for side, ev in out.items():
        known = {te: c for te, c in ev.confidence.items() if te in ev.hs or te in ev.to}
        for kind, times in (("heel", ev.hs), ("foot_index", ev.to)):
            for te in times:
                if te not in known:
                    known[te] = 0.0 if gs is None else gs.confidence(f"{side}_{kind}", te)
        ev.confidence = known


def _take_off(crossings: np.ndarray, tt: np.ndarray, u: np.ndarray, floor: float) -> float:
    """The toe's take-off among the rising crossings of the onset level before Zeni's
    minimum: the last one, moved back over crossings where the speed only dipped (to no less
    than ``floor``) before rising again: jitter on a toe that is already moving."""
    k = len(crossings) - 1
    while k > 0:
        between = (tt > crossings[k - 1]) & (tt < crossings[k])
        if not between.any() or np.nanmin(u[between]) < floor:
            break
        k -= 1
    return float(crossings[k])
