import numpy as np
import pytest

from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import load_thresholds
from gaitlab.core.types import PoseSequence
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
    flags = flag_sustained(
        seq, values, th, rule="fppa_peak", signal="fppa_left_deg", side="left", label="left knee"
    )
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
        label="l",
        allowed=allowed,
        min_duration_s=0.09,
    )
    # rows 10-11 last 0.033 s (too short); rows 16-19 last 0.1 s, worst at 16 (12°)
    assert [(fl.frame, fl.value) for fl in split] == [(16, 12.0)]
