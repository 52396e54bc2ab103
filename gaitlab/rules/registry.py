"""Every threshold rule once: what it reads, its thresholds-file entry, its words.

A rule's id is the ``rule`` of the :class:`~gaitlab.core.types.Flag` it raises. Its value
(cut-off, unit, source) lives in the thresholds file under :attr:`Rule.threshold_key`; this
table holds the rest: the measure it judges, the label the app and the report call it by,
the flag's message, the plain-language explanation and the live cue. Analyzers build flags
with :func:`make_flag`; the app, the report and the live path look words up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gaitlab.core.landmarks import SIDES, other_side
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Flag

#: Any task: a rule's reference applies to a measure whatever task wrote it.
ANY_TASK = "*"


@dataclass(frozen=True)
class Rule:
    """One threshold rule.

    ``measure`` is the metric (or per-rep value) the rule judges and ``signal`` the per-frame
    signal a chart plots for it, both with ``{side}`` where they are per side. ``judges`` is
    the measure stem whose reference this rule's threshold is in the result tables, for
    ``task`` (``"*"``: any task; None: the threshold is no reference for a shown measure).
    ``messages`` are the flag's message per wording (``""`` the default), formatted with
    ``side``, ``other`` (the other side), ``value``, ``limit`` (the cut-off for the
    person's sex) and the fields the analyzer passes. ``cue`` is the live cue (``{side}``),
    ``marks_provisional`` adds "(provisional)" to the flag's source when the threshold is.
    """

    id: str
    measure: str
    signal: str | None
    threshold_key: str
    unit: str
    label: str
    explanation: str
    messages: Mapping[str, str]
    judges: str | None = None
    task: str = ANY_TASK
    severity: str = "warning"
    cue: str | None = None
    marks_provisional: bool = False


RULES: tuple[Rule, ...] = (
    Rule(
        id="fppa_peak",
        measure="fppa_peak_{side}_deg",
        signal="fppa_{side}_deg",
        threshold_key="fppa_peak",
        unit="deg",
        label="Knee valgus (FPPA)",
        explanation=(
            "The knee moved inwards, towards the other leg, further than the reference allows "
            "(knee valgus, 'knee caving in'). Keep the knee in line with the second toe. From "
            "a single camera this angle is a screening proxy, not a 3D measurement of the knee."
        ),
        messages={
            # sustained while standing or balancing (gaitlab.rules.sustained)
            "": "{side} knee caving in (FPPA) {value:.1f}° (threshold {limit:g}°)",
            # the ensemble peak over a walk's stances
            "stances": (
                "{side} knee caving in while standing on it: peak FPPA {value:.1f}° over "
                "{steps} steps (largest {largest:.1f}°), threshold {limit:g}°"
            ),
        },
        judges="fppa",
        cue="Keep your {side} knee over your toes, not caving in",
    ),
    Rule(
        id="pelvic_drop_walk",
        measure="pelvic_drop_peak_{side}_deg",
        signal="pelvic_drop_deg",
        threshold_key="pelvic_drop_walk",
        unit="deg",
        label="Pelvic drop",
        explanation=(
            "The hip on the side of the lifted leg dropped below the standing side (a "
            "Trendelenburg-type sign), which points to weak hip muscles on the standing side. "
            "Keep your hips level."
        ),
        messages={
            "": (
                "standing on the {side} leg, the {other} hip drops {value:.1f}° "
                "(largest {largest:.1f}°), threshold {limit:g}°"
            )
        },
        judges="pelvic_drop",
        task="walk",
        marks_provisional=True,
    ),
    Rule(
        id="pelvic_drop_stance",
        measure="pelvic_drop_mean_deg",
        signal="stance_pelvic_drop_deg",
        threshold_key="pelvic_drop_stance",
        unit="deg",
        label="Pelvic drop",
        explanation=(
            "The hip on the side of the lifted leg dropped below the standing side (a "
            "Trendelenburg-type sign), which points to weak hip muscles on the standing side. "
            "Keep your hips level."
        ),
        messages={
            "": (
                "pelvis dropping on the lifted {other} side (standing on the {side} leg) "
                "{value:.1f}° (threshold {limit:g}°)"
            )
        },
        judges="pelvic_drop",
        task="balance",
        cue="Keep your hips level",
    ),
    Rule(
        id="ankle_roll",
        measure="ankle_roll_peak_{side}_deg",
        signal="ankle_roll_{side}_deg",
        threshold_key="ankle_roll",
        unit="deg",
        label="Ankle roll (outwards)",
        explanation=(
            "The ankle rolled outwards (weight onto the little-toe side) at the top of the "
            "raise. Keep your ankles straight and press through the base of the big toe."
        ),
        messages={
            "": (
                "{side} ankle rolled outward {value:.0f}° (keep your ankles straight, press "
                "through the base of the big toe; threshold {limit:g}°)"
            )
        },
        judges="ankle_roll",
        cue="Keep your {side} ankle straight: press through the base of the big toe",
    ),
    Rule(
        id="ankle_shift",
        measure="ankle_shift_{side}_pct_foot",
        signal="ankle_shift_{side}_pct_foot",
        threshold_key="ankle_shift",
        unit="pct_foot",
        label="Sideways ankle shift",
        explanation=(
            "The ankle wobbled sideways over the foot. Keep your ankles perfectly straight."
        ),
        messages={
            "": (
                "{side} ankle shifted outward {value:.0f} % of foot length (keep your ankles "
                "straight; threshold {limit:g} %)"
            )
        },
        judges="ankle_shift",
        cue="Keep your {side} ankle from wobbling sideways",
    ),
    Rule(
        id="calf_raise_hold",
        measure="hold_s",
        signal="heel_rise_pct_foot",
        threshold_key="calf_raise_hold",
        unit="s",
        label="Calf raise hold",
        explanation="No real pause at the top of the raise: pause at the top for a moment.",
        messages={
            "": (
                "no pause at the top: {value:.1f} s "
                "(pause at the top for a moment, at least {limit:g} s)"
            )
        },
        judges="hold",
        task="calf-raise",
        cue="Pause at the top for a moment",
    ),
    Rule(
        id="calf_raise_rise",
        measure="rise_s",
        signal="heel_rise_pct_foot",
        threshold_key="calf_raise_rise",
        unit="s",
        label="Calf raise rise",
        explanation="The heels went up quickly: raise them slowly.",
        messages={
            "": (
                "rise too quick: heels up in {value:.1f} s "
                "(slowly raise your heels, at least {limit:g} s)"
            )
        },
        judges="rise",
        task="calf-raise",
        cue="Raise your heels more slowly",
    ),
    Rule(
        id="calf_raise_lower_ratio",
        measure="lower_s / rise_s",
        signal="heel_rise_pct_foot",
        threshold_key="calf_raise_lower_ratio",
        unit="ratio",
        label="Calf raise lower",
        explanation="The heels came down faster than they went up: lower even more slowly.",
        messages={
            "": (
                "lowered faster than you raised: down in {lower_s:.1f} s, up in "
                "{rise_s:.1f} s (lower back down even more slowly)"
            )
        },
    ),
    Rule(
        id="step_time_asymmetry",
        measure="step_time_asymmetry_pct",
        signal=None,
        threshold_key="step_time_asymmetry",
        unit="pct",
        label="Step-time asymmetry",
        explanation="One step took noticeably longer than the other.",
        messages={
            "": (
                "uneven steps: left steps take {left_s:.2f} s, right steps {right_s:.2f} s "
                "({value:.0f} % apart, threshold {limit:g} %)"
            )
        },
        judges="step_time_asymmetry",
        marks_provisional=True,
    ),
    Rule(
        id="heel_strike",
        measure="foot_strike_angle_{side}_deg",
        signal="foot_angle_{side}_deg",
        threshold_key="foot_strike_heel",
        unit="deg",
        label="Heel strike",
        explanation=(
            "At contact the foot pointed toes-up by more than the reference angle, so the heel "
            "took the first impact. The programme asks for a soft landing that rolls from the "
            "midfoot to the ball of the foot."
        ),
        messages={
            "": (
                "{side} foot lands heel first (foot {value:.0f}° toe-up at contact, heel "
                "strike above {limit:g}°): land gently, rolling from your midfoot to the ball "
                "of your foot, rather than crashing down on your heel"
            )
        },
        judges="foot_strike_angle",
        task="walk",
        severity="info",
        marks_provisional=True,
    ),
    Rule(
        id="overstride",
        measure="overstride_{side}_legs",
        signal="heel_ahead_{side}_legs",
        threshold_key="overstride_walk",
        unit="legs",
        label="Overstride (heel ahead of hips)",
        explanation=(
            "The heel landed far ahead of the hips (overstriding): the leg reaches out and "
            "brakes each step. Take slightly shorter steps so the foot lands closer under the "
            "body."
        ),
        messages={
            "": (
                "{side} heel lands {value:.2f} leg lengths ahead of the hips on average "
                "(largest {largest:.2f}, threshold {limit:g}): take shorter, quicker steps that "
                "land closer under the body"
            )
        },
        judges="overstride",
        task="walk",
        marks_provisional=True,
    ),
    Rule(
        id="balance_sway_rms",
        measure="sway_rms_pct_leg",
        signal="balance_sway_pct_leg",
        threshold_key="balance_sway_rms",
        unit="pct_leg",
        label="Balance sway",
        explanation=(
            "The hips swayed sideways more than the reference during the single-leg hold. Fix "
            "your eyes on a point ahead and keep the standing knee soft."
        ),
        messages={
            "": (
                "large {direction} sway standing on the {side} leg: RMS {value:.1f} % of leg "
                "length (threshold {limit:g} %)"
            )
        },
        judges="sway_rms",
        task="balance",
    ),
    Rule(
        id="balance_hold_min",
        measure="hold_time_s",
        signal="balance_hold_elapsed_s",
        threshold_key="balance_hold_min",
        unit="s",
        label="Balance hold",
        explanation="The single-leg stand was shorter than the reference time.",
        messages={
            "": (
                "longest single-leg hold {value:.1f} s, under {limit:g} s "
                "(in older adults a hold this short predicts injurious falls)"
            )
        },
        judges="hold",
        task="balance",
    ),
    Rule(
        id="heel_rise_test_reps",
        measure="heel_rise_test_reps_{side}",
        signal="heel_rise_pct_foot",
        threshold_key="heel_rise_test_reps",
        unit="reps",
        label="Heel-rise test: raises",
        explanation=(
            "Fewer single-leg heel raises before tiring than healthy adults typically manage: "
            "the calf on that side has less endurance."
        ),
        messages={"": "{side} leg: {value:.0f} heel raises, fewer than the norm of {limit:g}"},
        judges="heel_rise_test_reps",
        task="calf-raise",
        severity="info",
    ),
    Rule(
        id="heel_rise_test_symmetry",
        measure="heel_rise_test_symmetry_pct",
        signal="heel_rise_pct_foot",
        threshold_key="heel_rise_test_symmetry",
        unit="pct",
        label="Heel-rise test: leg symmetry",
        explanation=(
            "One leg managed clearly fewer heel raises than the other: its calf is the weaker one."
        ),
        messages={"": "{side} leg did {value:.0f} % of the other leg's heel raises"},
        judges="heel_rise_test_symmetry",
        task="calf-raise",
        severity="info",
    ),
)

#: The rules by id.
REGISTRY: dict[str, Rule] = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    """The rule ``rule_id``; a ``KeyError`` naming the known ids when there is none."""
    try:
        return REGISTRY[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id!r}; known: {', '.join(REGISTRY)}") from None


def label(rule_id: str) -> str | None:
    """What the app and the report call the rule (None for an unknown id)."""
    found = REGISTRY.get(rule_id)
    return found.label if found else None


def explanation(rule_id: str) -> str | None:
    """The rule's meaning in plain language (None for an unknown id)."""
    found = REGISTRY.get(rule_id)
    return found.explanation if found else None


def cue(rule_id: str, side: str | None = None) -> str | None:
    """The live cue of the rule for ``side`` (None when the rule has none)."""
    found = REGISTRY.get(rule_id)
    if found is None or found.cue is None:
        return None
    return found.cue.format(side=side or "").replace("  ", " ")


def threshold(rule_id: str, thresholds: Mapping[str, Threshold]) -> Threshold | None:
    """The rule's reference: its thresholds-file entry (None when the file has none)."""
    return thresholds.get(rule(rule_id).threshold_key)


def source(rule_id: str, thresholds: Mapping[str, Threshold]) -> str:
    """The source of the rule's threshold, from the thresholds file ("" when it has none)."""
    th = threshold(rule_id, thresholds)
    return th.source if th is not None else ""


def references_by_stem() -> dict[str, dict[str, str]]:
    """Measure stem → task → threshold key, of every rule whose threshold is the reference
    of a shown measure (``fppa`` → ``{"*": "fppa_peak"}``)."""
    out: dict[str, dict[str, str]] = {}
    for r in RULES:
        if r.judges is not None:
            out.setdefault(r.judges, {})[r.task] = r.threshold_key
    return out


def make_flag(
    rule_id: str,
    threshold: Threshold,
    value: float,
    *,
    side: str | None,
    span_s: tuple[float, float],
    frame: int,
    sex: str | None = None,
    signal: str | None = None,
    wording: str = "",
    **fields: Any,
) -> Flag:
    """The :class:`Flag` of rule ``rule_id`` for a ``value`` that crossed ``threshold``.

    Parameters
    ----------
    rule_id
        A rule of :data:`RULES`.
    threshold
        The rule's thresholds-file entry (:func:`threshold`), already checked as crossed.
    value
        The measured value; the flag's ``value`` and the message's ``{value}``.
    side, span_s, frame
        Which side, the time span (s) and the source frame to show.
    sex
        Picks the sex-specific cut-off (``threshold.for_sex``).
    signal
        The plotted signal; default the rule's own (with ``{side}`` filled in).
    wording
        Which of the rule's messages (``""``: the default).
    **fields
        Further values the message names (``largest``, ``steps``, ...).
    """
    r = rule(rule_id)
    limit = float(threshold.for_sex(sex))  # a whole number in the file is still a float here
    other = other_side(side) if side in SIDES else ""
    message = r.messages[wording].format(
        **{**fields, "side": side or "", "other": other, "value": value, "limit": limit}
    )
    source = threshold.source
    if r.marks_provisional and threshold.provisional:
        source += " (provisional)"
    if signal is None and r.signal is not None:
        signal = r.signal.format(side=side or "")
    return Flag(
        rule=r.id,
        severity=r.severity,
        side=side,
        start_s=float(span_s[0]),
        end_s=float(span_s[1]),
        frame=int(frame),
        value=float(value),
        threshold=limit,
        unit=threshold.unit,
        message=message,
        source=source,
        signal=signal,
    )
