"""The PDF report renders (pdftoppm), says what the summary says (pdftotext), and the
exports that show pictures blur faces when asked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import cv2
import numpy as np
import pandas as pd
import pytest
from storekit import walk_analysis

from gaitlab.cli.history import save_after_analyze
from gaitlab.cli.main import main
from gaitlab.core.landmarks import Landmark
from gaitlab.io.video import VideoReader, probe, read_frames
from gaitlab.present.values import format_value
from gaitlab.report import ReportError, choose_key_rows, key_frames, write_report
from gaitlab.report.exports import ExportError, export_session
from gaitlab.rules.names import UNITS, parse_metric
from gaitlab.store import Store

FLAGGED_FRAME = 33


@pytest.fixture(autouse=True, scope="module")
def _poppler():
    """The report is checked by rendering it: poppler-utils must be there (make test installs
    it); a missing tool is a failure, never a skip."""
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.fail("poppler-utils missing: run `bash scripts/ci_postgres.sh` (make test does)")


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path, out_dir) -> list:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(out_dir / "page")], check=True)
    return sorted(out_dir.glob("page*.png"))


@pytest.fixture(scope="module")
def history(tmp_path_factory, walk_side_clip):
    """A history with the real walk (no flags: side view) and a front-view variant of it
    with hand-made measures and flags, sharing the real frames, video and landmarks."""
    analysis, out = walk_analysis(tmp_path_factory, walk_side_clip)
    home = tmp_path_factory.mktemp("report_home")
    store = Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home)
    ana = store.add_person("Ana Example", sex="female", birth_year=1981, height_cm=168)
    plain = save_after_analyze(analysis, out, person=ana, store=store)
    summary = json.loads((out / "summary.json").read_text())
    summary["view"] = "posterior"
    summary["unavailable"] = {}
    summary["metrics"].update(
        {"fppa_peak_left_deg": 14.2, "fppa_peak_right_deg": 7.9, "cadence_spm": 104.0}
    )
    summary["flags"] = [
        {
            "rule": "fppa_peak", "severity": "warning", "side": "left", "start_s": 0.52,
            "end_s": 0.61, "frame": FLAGGED_FRAME, "value": 14.2, "threshold": 12.0,
            "unit": "deg", "message": "knee valgus 14.2 deg > 12 deg",
            "source": "Herrington & Munro 2010, Phys Ther Sport", "signal": "fppa_left_deg",
        }
    ]  # fmt: skip
    files = {
        n: store.session(plain).files_dir / n
        for n in ("frames.csv", "annotated.mp4", "landmarks.npz")
    }
    flagged = store.save_analysis(summary, ana, files=files, notes="barefoot, second try")
    programme = store.save_programme_session(ana, "toe yoga", 120)
    yield store, plain, flagged, programme
    store.close()


def _expected_values(summary: dict) -> list[str]:
    out = []
    for name, value in summary["metrics"].items():
        m = parse_metric(name)
        if value is None or m.stem in ("duration_analysed", "frames_detected", "height"):
            continue
        out.append(format_value(value, m.unit))
    return out


def test_report_renders_with_the_summary_metrics(history, tmp_path):
    store, plain, _flagged, _p = history
    pdf = write_report(store, plain, tmp_path / "report.pdf")
    pages = pdf_pages(pdf, tmp_path)
    assert 1 <= len(pages) <= 2
    page = cv2.imread(str(pages[0]))
    assert page.shape[0] > page.shape[1]  # A4 portrait
    assert page.std() > 20  # text and pictures, not a blank page

    text = pdf_text(pdf)
    session = store.session(plain)
    assert "Walking: movement check from video" in text
    assert "Ana Example" in text and "168 cm" in text and "female" in text
    assert session.recorded_at.astimezone().strftime("%-d %b %Y") in text
    assert "walk_side_outdoor_60fps.mp4" in text
    assert "side view, left side towards the camera" in text
    expected = _expected_values(session.summary)
    assert expected  # knee flexion, trunk lean
    for value in expected:  # a long value may wrap in its cell: "1.89 leg" / "lengths/s"
        words = [re.escape(w) for w in value.split()]
        assert re.search(r"\s+(?:.*\n\s+)?".join(words), text), value
    assert "Knee bend (flexion), peak, left" in text
    flagged = bool(session.summary["flags"])
    assert ("Key moments (flagged)" if flagged else "Key moments (evenly spaced)") in text
    # what the side view could not measure, and why
    assert "Not measured:" in text and "need a front or back view" in text
    assert ("No flags" in text) != flagged
    assert "What one video can and cannot tell" in text and "Munro et al. 2012" in text
    thumbs = sorted((session.files_dir / "thumbs").glob("key_*.jpg"))
    # one per flagged moment, else four evenly spaced; kept under the home folder
    expected_thumbs = len({f["frame"] for f in session.summary["flags"]}) if flagged else 4
    assert len(thumbs) == min(expected_thumbs, 4)


def test_report_explains_flags_against_references(history, tmp_path):
    store, _plain, flagged, _p = history
    pdf = write_report(store, flagged, tmp_path / "flagged.pdf")
    text = " ".join(pdf_text(pdf).split())
    for value in ("14.2°", "7.9°", "104.0 steps/min"):
        assert value in text
    assert "flag above 12°" in text  # the women's FPPA cut-off from the thresholds file
    assert "normal 96–138 steps/min (women)" in text
    assert "outside reference" in text and "within reference" in text
    assert "Flags (1)" in text
    assert "Knee valgus (FPPA), left at 0.52–0.61 s: 14.2° (reference 12°)" in text
    assert "knee caving in" in text  # the plain-language explanation
    assert "Herrington & Munro 2010" in text  # its source
    assert "Key moments (flagged)" in text and "Knee valgus (FPPA) left" in text
    assert "barefoot, second try" in text


def test_key_frames_pick_flags_and_blur_faces(history):
    store, _plain, flagged, _p = history
    session = store.session(flagged)
    import pandas as pd

    frames = pd.read_csv(session.files_dir / "frames.csv")
    rows = choose_key_rows(session.summary, frames)
    assert [(r, f) for r, _c, f in rows] == [(FLAGGED_FRAME, True)]
    plain = key_frames(session, frames)
    blurred = key_frames(session, frames, blur_faces=True)
    assert plain[0].path != blurred[0].path
    a = cv2.imread(str(plain[0].path), cv2.IMREAD_GRAYSCALE).astype(float)
    b = cv2.imread(str(blurred[0].path), cv2.IMREAD_GRAYSCALE).astype(float)
    changed = np.abs(a - b) > 12
    assert 0.002 < changed.mean() < 0.1  # the face, not the picture
    ys, xs = np.nonzero(changed)
    assert ys.max() < a.shape[0] / 3  # the head is in the top third of the crop
    cy, cx, hy, hx = (
        (ys.min() + ys.max()) // 2,
        (xs.min() + xs.max()) // 2,
        np.ptp(ys) // 4,
        np.ptp(xs) // 4,
    )
    head = (slice(cy - hy, cy + hy), slice(cx - hx, cx + hx))  # inside the blurred ellipse
    detail = [float(cv2.Laplacian(img[head], cv2.CV_64F).var()) for img in (a, b)]
    assert detail[1] < 0.3 * detail[0]


def test_exported_video_has_faces_blurred(history, tmp_path):
    store, plain, _flagged, _p = history
    session = store.session(plain)
    out = export_session(store, plain, "mp4", tmp_path / "blurred.mp4", blur_faces=True)
    original = session.file("annotated.mp4")
    assert probe(out).frames == probe(original).frames == 135
    row = 60
    a = read_frames(original, [row])[row]
    b = read_frames(out, [row])[row]
    with np.load(session.file("landmarks.npz")) as lm:
        scale = a.shape[1] / lm["frame_size"][0]
        nose = lm["xy"][row, Landmark.NOSE] * scale
        ear = lm["xy"][row, Landmark.LEFT_EAR] * scale
    cx, cy = ((nose + ear) / 2).astype(int)
    r = max(int(np.linalg.norm(nose - ear) * 0.6), 4)

    def sharpness(img: np.ndarray) -> float:
        patch = cv2.cvtColor(img[cy - r : cy + r, cx - r : cx + r], cv2.COLOR_RGB2GRAY)
        return float(cv2.Laplacian(patch, cv2.CV_64F).var())

    assert sharpness(b) < 0.3 * sharpness(a)
    far = (slice(a.shape[0] - 60, a.shape[0] - 10), slice(10, 60))  # floor, bottom-left
    assert np.abs(a[far].astype(int) - b[far].astype(int)).mean() < 4  # only codec noise


def test_a_clip_of_a_moment_holds_those_frames_from_0_s(history, tmp_path, monkeypatch, capsys):
    store, plain, _flagged, _p = history
    session = store.session(plain)
    original = session.file("annotated.mp4")
    t = pd.read_csv(session.file("frames.csv"))["t_s"].to_numpy()
    out = export_session(store, plain, "mp4", tmp_path / "clip.mp4", clip_s=(t[40], t[69]))
    assert probe(out).frames == 30  # rows 40..69
    with VideoReader(out) as reader:
        first = next(iter(reader))
    assert first.t_s == 0.0
    a, b = read_frames(original, [40])[40], read_frames(out, [0])[0]
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 3  # the same picture, re-encoded
    for bad, message in (
        (dict(clip_s=(1.0, 0.5)), "must end after it starts"),
        (dict(clip_s=(50.0, 60.0)), "no frames between 50 s and 60 s"),
    ):
        with pytest.raises(ExportError, match=message):
            export_session(store, plain, "mp4", tmp_path / "bad.mp4", **bad)
    with pytest.raises(ExportError, match="cut from the video"):
        export_session(store, plain, "csv", tmp_path / "x.csv", clip_s=(0.0, 1.0))
    assert not list(tmp_path.glob(".*partial")) and not (tmp_path / "bad.mp4").exists()

    monkeypatch.setenv("GAITLAB_HOME", str(store.home))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    args = ["export", str(plain), "--format", "mp4", "--from", "0.5", "--to", "1.0"]
    assert main([*args, "--out", str(tmp_path / "cli.mp4")]) == 0
    assert probe(tmp_path / "cli.mp4").frames == int(((t >= 0.5) & (t <= 1.0)).sum())
    assert main(["export", str(plain), "--format", "mp4", "--to", "1.0", "--out",
                 str(tmp_path / "half.mp4")]) == 0  # fmt: skip
    assert probe(tmp_path / "half.mp4").frames == int((t <= 1.0).sum())
    capsys.readouterr()


def test_report_command_and_bad_input(history, tmp_path, monkeypatch, capsys):
    store, plain, _flagged, programme = history
    monkeypatch.setenv("GAITLAB_HOME", str(store.home))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    assert main(["report", "latest", "--out", str(tmp_path / "latest.pdf")]) == 0
    assert "Walking" in pdf_text(tmp_path / "latest.pdf")
    assert main(["report", str(plain), "--out", str(tmp_path / "no" / "dir.pdf")]) == 1
    assert main(["report", str(programme), "--out", str(tmp_path / "p.pdf")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "does not exist" in err[0] and "programme session" in err[1]
    assert not list(tmp_path.glob(".*partial"))
    with pytest.raises(ReportError, match="programme"):
        write_report(store, programme, tmp_path / "p.pdf")
    with pytest.raises(ExportError, match="blur-faces applies to pictures"):
        export_session(store, plain, "csv", tmp_path / "x.csv", blur_faces=True)


def test_json_and_csv_exports(history, tmp_path, monkeypatch):
    store, plain, _flagged, programme = history
    monkeypatch.setenv("GAITLAB_HOME", str(store.home))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    assert main(["export", str(plain), "--format", "json", "--out", str(tmp_path / "s.json")]) == 0
    data = json.loads((tmp_path / "s.json").read_text())
    session = store.session(plain)
    assert {k: v for k, v in data.items() if k != "session"} == session.summary
    assert data["session"]["person"]["name"] == "Ana Example"
    assert data["session"]["id"] == plain
    assert main(["export", str(plain), "--format", "csv", "--out", str(tmp_path / "f.csv")]) == 0
    assert (tmp_path / "f.csv").read_bytes() == session.file("frames.csv").read_bytes()
    assert (
        main(["export", str(programme), "--format", "csv", "--out", str(tmp_path / "p.csv")]) == 1
    )
    assert dict(UNITS)["deg"] == "°"  # the unit labels the report shares with the app
