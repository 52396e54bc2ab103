import ast
import re
from pathlib import Path

import numpy as np
import pytest

from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import load_thresholds
from gaitlab.core.types import PoseSequence
from gaitlab.rules.metrics import (
    CATALOGUE,
    MEASURED,
    NOT_MEASURED,
    REFERENCES,
    Metric,
    describe,
    metric_records,
    reference_for,
    verdict,
)
from gaitlab.rules.names import parse_metric
from gaitlab.rules.registry import REGISTRY, RULES, cue, make_flag, source, threshold
from gaitlab.rules.sustained import flag_sustained, sustained_runs


def test_every_threshold_has_a_source_and_a_unit():
    th = load_thresholds()
    assert {"fppa_peak", "pelvic_drop_walk", "ankle_roll", "calf_raise_hold"} <= th.keys()
    for t in th.values():
        assert t.source and t.unit
    assert th["fppa_peak"].for_sex("female") == 12.0
    assert th["fppa_peak"].for_sex("male") == 9.0
    assert th["fppa_peak"].for_sex(None) == 10.0


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not [toml", "not valid TOML"),
        (
            '[x]\nvalue = 1\nunit = "deg"\ndescription = "d"\nprovisional = true\nsource = ""\n',
            "has no source",
        ),
        ("[x]\nbogus = 1\n", "malformed"),
    ],
)
def test_bad_thresholds_file(tmp_path, text, match):
    p = tmp_path / "t.toml"
    p.write_text(text)
    with pytest.raises(GaitlabError, match=match):
        load_thresholds(p)


def test_sustained_runs_need_min_duration():
    t = np.arange(20) / 10.0  # 10 Hz
    mask = np.zeros(20, bool)
    mask[2:3] = True  # 0 s long
    mask[5:9] = True  # 0.3 s long
    mask[15:20] = True  # runs to the end, 0.4 s
    assert sustained_runs(mask, t, 0.25) == [(5, 8), (15, 19)]


def test_flag_points_at_worst_frame_and_respects_allowed_mask():
    n = 30
    t = np.arange(n) / 30
    seq = PoseSequence.empty(t, (640, 480))
    values = np.zeros(n)
    values[10:20] = [11, 12, 13, 15, 14, 13, 12, 11, 11, 11]
    th = load_thresholds()["fppa_peak"]
    flags = flag_sustained(seq, values, th, rule="fppa_peak", signal="fppa_left_deg", side="left")
    assert len(flags) == 1
    f = flags[0]
    assert f.frame == 13 and f.value == 15 and f.threshold == 10.0
    assert f.start_s == pytest.approx(10 / 30) and f.end_s == pytest.approx(19 / 30)
    allowed = np.ones(n, bool)
    allowed[12:16] = False  # the view does not support the measure there
    split = flag_sustained(
        seq,
        values,
        th,
        rule="fppa_peak",
        signal="s",
        side="left",
        allowed=allowed,
        min_duration_s=0.09,
    )
    # rows 10-11 last 0.033 s (too short); rows 16-19 last 0.1 s, worst at 16 (12°)
    assert [(fl.frame, fl.value) for fl in split] == [(16, 12.0)]


# -- the rule registry ------------------------------------------------------------------------
_REPO = Path(__file__).resolve().parents[2]
#: How code names the rule of a flag it raises.
_RULE_USES = (
    re.compile(r"\brule=\"(\w+)\""),
    re.compile(r"\bmake_flag\(\s*\"(\w+)\""),
    re.compile(r"\bregistry\.threshold\(\s*\"(\w+)\""),
)


def _rule_ids_in_code() -> set[str]:
    found = set()
    for path in (_REPO / "gaitlab").rglob("*.py"):
        text = path.read_text()
        for pattern in _RULE_USES:
            found.update(pattern.findall(text))
    return found


def test_every_rule_the_code_raises_is_registered():
    used = _rule_ids_in_code()
    assert {"fppa_peak", "heel_strike", "balance_hold_min"} <= used  # the scan finds them
    assert used - REGISTRY.keys() == set()


def test_every_rule_has_its_threshold_words_and_a_message():
    th = load_thresholds()
    for r in RULES:
        assert r.threshold_key in th, f"{r.id}: no [{r.threshold_key}] in the thresholds file"
        assert r.unit == th[r.threshold_key].unit, r.id
        assert r.label and r.explanation and "" in r.messages, r.id
        assert r.severity in ("warning", "info"), r.id
        assert source(r.id, th) == th[r.threshold_key].source


def test_live_cues_are_keyed_by_rule_ids():
    tree = ast.parse((_REPO / "gaitlab" / "live.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "RULE_CUES" for t in node.targets
        ):
            keys = {k.value for k in node.value.keys}
            assert keys - REGISTRY.keys() == set()
    cued = [r for r in RULES if r.cue]
    assert cued and all(cue(r.id, "left") for r in cued)
    assert cue("fppa_peak", "left") == "Keep your left knee over your toes, not caving in"
    assert cue("pelvic_drop_stance", None) == "Keep your hips level"
    assert cue("overstride") is None and cue("no_such_rule") is None


def _flag(rule_id: str, value: float, side: str | None = "left", **fields):
    th = threshold(rule_id, load_thresholds())
    return make_flag(rule_id, th, value, side=side, span_s=(1, 2), frame=7, **fields)


@pytest.mark.parametrize(
    ("rule_id", "value", "side", "fields", "message"),
    [
        ("fppa_peak", 14.25, "left", {}, "left knee caving in (FPPA) 14.2° (threshold 10°)"),
        (
            "fppa_peak",
            12.34,
            "left",
            {"wording": "stances", "steps": 5, "largest": 15.0},
            "left knee caving in while standing on it: peak FPPA 12.3° over 5 steps (largest "
            "15.0°), threshold 10°",
        ),
        (
            "pelvic_drop_walk",
            6.3,
            "left",
            {"largest": 8.04},
            "standing on the left leg, the right hip drops 6.3° (largest 8.0°), threshold 5°",
        ),
        (
            "ankle_shift",
            12.4,
            "left",
            {},
            "left ankle shifted outward 12 % of foot length (keep your ankles straight; "
            "threshold 10 %)",
        ),
        (
            "calf_raise_rise",
            0.3,
            None,
            {},
            "rise too quick: heels up in 0.3 s (slowly raise your heels, at least 0.5 s)",
        ),
        (
            "calf_raise_hold",
            0.1,
            None,
            {},
            "no pause at the top: 0.1 s (pause at the top for a moment, at least 0.3 s)",
        ),
        (
            "heel_strike",
            12.0,
            "left",
            {},
            "left foot lands heel first (foot 12° toe-up at contact, heel strike above 8°): "
            "land gently, rolling from your midfoot to the ball of your foot, rather than "
            "crashing down on your heel",
        ),
        (
            "overstride",
            0.61,
            "left",
            {"largest": 0.7},
            "left heel lands 0.61 leg lengths ahead of the hips on average (largest 0.70, "
            "threshold 0.5): take shorter, quicker steps that land closer under the body",
        ),
        (
            "balance_hold_min",
            3.21,
            "left",
            {},
            "longest single-leg hold 3.2 s, under 5 s (in older adults a hold this short "
            "predicts injurious falls)",
        ),
        (
            "heel_rise_test_symmetry",
            80.0,
            "right",
            {},
            "right leg did 80 % of the other leg's heel raises",
        ),
        (
            "pelvic_drop_stance",
            6.0,
            "right",
            {},
            "pelvis dropping on the lifted left side (standing on the right leg) 6.0° "
            "(threshold 5°)",
        ),
        (
            "ankle_roll",
            7.4,
            "right",
            {},
            "right ankle rolled outward 7° (keep your ankles straight, press through the base "
            "of the big toe; threshold 5°)",
        ),
        (
            "calf_raise_lower_ratio",
            0.5,
            None,
            {"lower_s": 0.5, "rise_s": 1.0},
            "lowered faster than you raised: down in 0.5 s, up in 1.0 s (lower back down even "
            "more slowly)",
        ),
        (
            "step_time_asymmetry",
            18.2,
            None,
            {"left_s": 0.5, "right_s": 0.6},
            "uneven steps: left steps take 0.50 s, right steps 0.60 s (18 % apart, threshold 10 %)",
        ),
        (
            "balance_sway_rms",
            4.0,
            "left",
            {"direction": "medio-lateral"},
            "large medio-lateral sway standing on the left leg: RMS 4.0 % of leg length "
            "(threshold 3 %)",
        ),
        (
            "heel_rise_test_reps",
            12.0,
            "left",
            {},
            "left leg: 12 heel raises, fewer than the norm of 25",
        ),
    ],
)
def test_a_flag_is_built_from_its_rule(rule_id, value, side, fields, message):
    f = _flag(rule_id, value, side, **fields)
    assert f.rule == rule_id and f.message == message and f.value == value
    assert (f.start_s, f.end_s, f.frame) == (1.0, 2.0, 7)
    th = threshold(rule_id, load_thresholds())
    assert f.threshold == th.for_sex(None) and f.unit == th.unit


def test_a_flag_takes_severity_signal_and_source_from_its_rule():
    th = load_thresholds()
    walk = _flag("overstride", 0.61, largest=0.7)
    assert walk.severity == "warning" and walk.signal == "heel_ahead_left_legs"
    assert walk.source == th["overstride_walk"].source + " (provisional)"
    assert walk.message.startswith("left heel lands 0.61 leg lengths ahead of the hips")
    strike = _flag("heel_strike", 12.0)
    assert strike.severity == "info" and strike.source == th["foot_strike_heel"].source
    roll = _flag("ankle_roll", 7.0)  # provisional, but its source is left as the file has it
    assert roll.source == th["ankle_roll"].source and roll.signal == "ankle_roll_left_deg"
    assert _flag("step_time_asymmetry", 20.0, None, left_s=1, right_s=1).signal is None
    female = make_flag(
        "fppa_peak", th["fppa_peak"], 13.0, side="left", span_s=(0, 0), frame=0, sex="female"
    )
    assert female.threshold == 12.0 and female.message.endswith("(threshold 12°)")
    with pytest.raises(KeyError, match="no rule"):
        _flag("no_such_rule", 1.0)


# -- the metric catalogue -----------------------------------------------------------------------
def test_metrics_become_records_with_status_and_reason():
    metrics = {"fppa_peak_left_deg": 12.3, "fppa_peak_right_deg": None, "some_new_thing_ms": 3}
    unavailable = {"fppa_right_deg": "knee valgus needs a front or back view"}
    left, right, new = metric_records(metrics, unavailable)
    assert left == Metric(
        "fppa_peak_left_deg", 12.3, "deg", "left", MEASURED, "", "Knee valgus (FPPA), peak"
    )
    assert (right.side, right.status, right.reason) == (
        "right",
        NOT_MEASURED,
        unavailable["fppa_right_deg"],
    )
    assert not right.measured
    assert (new.unit, new.side, new.label, new.status) == ("ms", None, "Some new thing", MEASURED)
    assert metric_records({"steps": float("nan")})[0].status == NOT_MEASURED


def test_the_catalogue_names_what_the_names_say():
    for spec in CATALOGUE:
        for side in ("left", "right") if spec.sided else (None,):
            name = spec.pattern.replace("*", side) if side else spec.pattern
            assert describe(name) == parse_metric(name), name


def test_references_are_the_thresholds_of_the_rules_that_judge_a_measure():
    th = load_thresholds()
    assert REFERENCES["pelvic_drop"] == {
        "walk": "pelvic_drop_walk",
        "balance": "pelvic_drop_stance",
    }
    assert reference_for(describe("hold_time_s"), th, "balance") == [th["balance_hold_min"]]
    for stem, by_task in REFERENCES.items():
        for key in by_task.values():
            assert {key.format(sex=s) for s in ("female", "male")} <= th.keys(), stem
    assert verdict(15.0, [th["fppa_peak"]], None) == "flagged"
    assert verdict(5.0, [th["fppa_peak"]], None) == "within"
    assert verdict(100.0, [th["cadence_normal_male"]], "male") == "in range"
    assert verdict("heel", [th["fppa_peak"]], None) == ""
