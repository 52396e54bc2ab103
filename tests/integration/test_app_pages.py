"""Each page's logic through Streamlit's AppTest (no browser): real analyses, real files.

The browser itself (video playback, WebRTC) is tested in ``tests/browser/``.
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import numpy as np
import pytest
import streamlit_webrtc
from streamlit.testing.v1 import AppTest
from test_app_core import flagged_result, results_root, walk_result  # noqa: F401 (fixtures)
from videogen import write_clip

from gaitlab.app import main as app_main
from gaitlab.app.guide import GUIDES
from gaitlab.app.pages import ANALYSE_PAGE, HISTORY_PAGE, PROGRAMME_PAGE
from gaitlab.app.results import ResultStore, Status, run_analysis
from gaitlab.io.video import VideoReader
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.pose.tracking import NOBODY_MESSAGE

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture
def home(results_root, monkeypatch) -> Path:  # noqa: F811
    """``GAITLAB_HOME`` for the app: the folder the shared result fixtures live in."""
    monkeypatch.setenv("GAITLAB_HOME", str(results_root.parent))
    return results_root


def app(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if page:
        at.switch_page(f"gaitlab/app/{page}.py")
    at.query_params.update(query)
    return at.run()


def wait_done(root: Path, rid: str, timeout: float = 120) -> Status:
    store = ResultStore(root)
    t0 = time.monotonic()
    while not store.status(rid).finished and time.monotonic() - t0 < timeout:
        time.sleep(0.2)
    return store.status(rid)


def shown(text: object) -> str:
    """What the page shows for an element's markdown (user text goes in as character
    references with word joiners: :mod:`gaitlab.app.safe_text`)."""
    return html.unescape(str(text)).replace("\u2060", "")


def players(at: AppTest) -> list[dict[str, Any]]:
    """The arguments of each review player (:mod:`gaitlab.app.player`) on the page."""
    return [
        json.loads(e.proto.json_args)
        for e in at.get("component_instance")
        if "gaitlab_player" in e.proto.component_name
    ]


def texts(at: AppTest, kind: str) -> list[str]:
    return [shown(e.value) for e in at.get(kind)]


def plain(text: object) -> object:
    """A table cell without its no-break spaces and word joiners."""
    return text.replace("\xa0", " ").replace("\u2060", "") if isinstance(text, str) else text


def result_id(at: AppTest) -> str:
    value = at.query_params["result"]
    return value[0] if isinstance(value, list) else value


# -- guide -------------------------------------------------------------------------------------
@pytest.mark.parametrize("task", list(GUIDES))
def test_guide_shows_how_to_film_each_task(home, task):
    at = app()
    assert not at.exception
    at.radio(key="guide_task").set_value(task).run()
    body = " ".join(texts(at, "markdown"))
    for heading in ("Where the phone goes", "Distance", "Which view", "Light", "Clothing"):
        assert heading in body
    assert GUIDES[task]["phone"] in body
    assert at.session_state["chosen_task"] == task
    assert any("2D" in c for c in texts(at, "caption"))  # the limits of one camera, said


# -- analyse -----------------------------------------------------------------------------------
def test_upload_runs_in_the_background_and_shows_the_result(home, walk_side_clip):
    at = app("analyse")
    assert at.button(key="analyse").disabled  # nothing uploaded yet
    at.selectbox(key="upload_task").set_value("walk")
    at.file_uploader(key="upload_file").upload(
        "my walk.mp4", walk_side_clip.read_bytes(), "video/mp4"
    )
    at.run()
    at.button(key="analyse").click().run()
    assert not at.exception
    rid = result_id(at)
    assert ResultStore(home).request(rid)["filename"] == "my walk.mp4"
    assert wait_done(home, rid).state == "done"

    # the page polls and reruns itself in a browser; here: open the result's URL again
    at = app("analyse", result=rid)
    assert not at.exception and not at.error
    assert "my walk.mp4" in texts(at, "subheader")
    assert any("side view" in c for c in texts(at, "caption"))
    assert len(players(at)) == 1 and players(at)[0]["video_url"].endswith(".mp4")
    assert len(at.table) == 2  # key measures beside the video, all the others below
    key, more = (t.value.map(plain) for t in at.table)
    assert list(key.index) == [
        "Steps",
        "Gait",
        "Cadence",
        "Step time, mean",
        "Stride time, mean",
        "Step-time asymmetry",
        "Stance (% of stride)",
        "Double support (% of stride)",
        "Knee valgus (FPPA), peak",
        "Pelvic drop, peak",
        "Foot strike",
    ]
    assert key.loc["Stance (% of stride)", "Value"].startswith("left ")
    assert key.loc["Knee valgus (FPPA), peak", "Value"] == "not measured"  # once, not per side
    assert key.loc["Cadence", "Reference"].startswith("normal: women ")
    assert any(e.label == f"All measures ({len(more)} more)" for e in at.expander)
    flexion = more.loc["Knee bend (flexion), peak", "Value"]
    assert re.fullmatch(r"left [\d.]+° · right [\d.]+°", flexion)
    assert more.loc["Walking speed", "Value"].endswith(" leg lengths/s")
    for label in [*key.index, *more.index]:  # words, not machine names
        assert "_" not in label and " pct" not in label and " legs" not in label
    assert len(at.get("vega_lite_chart")) >= 2  # knee flexion and trunk lean
    assert "Flagged moments" in texts(at, "subheader")
    assert [d.proto.label for d in at.get("download_button")] == [
        "Download the clip (0.00–2.00 s)",  # under the player: 2 s after its first frame
        "Summary (JSON)",
        "Per-frame table (CSV)",
        "Annotated video (MP4)",
    ]
    # FPPA needs a front or back view: said, not drawn
    assert any(
        "Knee valgus (FPPA): knee valgus (FPPA) needs a front or back view" in c
        for c in texts(at, "caption")
    )


def test_reloading_the_page_finds_the_result_by_its_id(home, walk_result):  # noqa: F811
    at = app("analyse", result=walk_result)
    assert not at.exception
    assert not at.get("file_uploader")  # the result, not the upload form
    assert len(players(at)) == 1 and len(at.table) == 2


def test_unknown_result_id_says_so_and_offers_the_upload(home):
    at = app("analyse", result="20200101-000000-abcdef")
    assert "No result" in shown(at.error[0].value)
    assert at.get("file_uploader")


def test_a_bad_file_ends_in_a_clear_message_not_a_traceback(home):
    at = app("analyse")
    at.file_uploader(key="upload_file").upload("notes.mp4", b"not a video " * 50, "video/mp4")
    at.run()
    at.button(key="analyse").click().run()
    rid = result_id(at)
    assert wait_done(home, rid).state == "error"
    at = app("analyse", result=rid)
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [
        "notes.mp4 is not a video file, or it is damaged or truncated (its format was not "
        "recognised)"
    ]


def test_nobody_in_the_video_is_said_plainly(home, tmp_path):
    clip = write_clip(tmp_path / "empty room.mp4", width=320, height=240, frames=15)
    at = app("analyse")
    at.file_uploader(key="upload_file").upload(clip.name, clip.read_bytes(), "video/mp4")
    at.run()
    at.button(key="analyse").click().run()
    rid = result_id(at)
    assert wait_done(home, rid).state == "error"
    at = app("analyse", result=rid)
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [NOBODY_MESSAGE]


def test_an_analysis_cut_short_by_a_restart_can_be_run_again(home, walk_side_clip):
    store = ResultStore(home)
    rid = store.create("w.mp4", walk_side_clip.read_bytes(), AnalyzeOptions("walk"))
    store.write_status(rid, Status("running", "pose", 10, 135, updated=time.time()))
    at = app("analyse", result=rid)
    assert "stopped before it finished" in shown(at.error[0].value)
    at.button(key="retry").click().run()
    assert wait_done(home, rid).state == "done"
    at = app("analyse", result=rid)
    assert not at.error and len(at.table) == 2


def test_flagged_moments_have_thumbnails_explanations_and_jump(home, flagged_result):  # noqa: F811
    at = app("analyse", result=flagged_result)
    assert not at.exception
    jumps = [b for b in at.button if b.label.startswith("Show at")]
    assert [b.label for b in jumps] == ["Show at 0.67 s", "Show at 1.51 s"]
    assert len(at.get("image")) == 2  # one thumbnail per flag
    body = " ".join(texts(at, "markdown"))
    assert "screening proxy" in body and "pause at the top" in body
    captions = " ".join(texts(at, "caption"))
    assert "value 14.2° · threshold 10°" in captions
    assert "Reps (1)" in texts(at, "subheader") and len(at.dataframe) >= 1
    assert list(at.table[0].value.index) == ["Reps"]  # a calf-raise result's headline

    jumps[1].click().run()
    (player,) = players(at)
    assert player["seek"]["frame"] == 90  # the player goes to that frame exactly
    assert len(player["frame_times"]) == len(player["frame_times"]) > 90
    kinds = {m["kind"] for m in player["marks"]}
    assert {"flag", "rep"} <= kinds


def test_choosing_another_person_reruns_without_pose_estimation(home, demo_clip):
    store = ResultStore(home)
    rid = store.create("demo.mp4", demo_clip.read_bytes(), AnalyzeOptions("walk"))
    assert run_analysis(store, rid).state == "done"
    assert (store.path(rid) / "people.pkl").is_file()
    persons = store.persons(rid)
    assert len(persons) >= 2  # the sample has people in the background
    assert persons == sorted(persons, key=lambda p: -p["frames"])
    for p in persons:
        x0, y0, x1, y1 = p["bbox_px"]
        assert p["frames"] >= 3 and p["start_s"] <= p["end_s"] and x1 > x0 and y1 > y0
    current = store.summary(rid)["quality"]["subject_track"]
    other = next(p["track_id"] for p in persons if p["track_id"] != current)

    at = app("analyse", result=rid)
    assert not at.exception
    person_captions = [c.value for c in at.caption if c.value.startswith("Person ")]
    assert len(person_captions) == len(persons)  # a thumbnail and caption for each person
    at.button(key=f"subject-{other}").click().run()
    new = result_id(at)
    assert new != rid and store.request(new)["parent"] == rid
    t0 = time.monotonic()
    assert wait_done(home, new).state == "done"
    assert time.monotonic() - t0 < 30  # poses reused: measuring and drawing only
    assert store.summary(new)["quality"]["subject_track"] == other


# -- history -----------------------------------------------------------------------------------
def test_results_page_lists_results_and_opens_one(home, walk_result):  # noqa: F811
    at = app("history")
    assert not at.exception
    assert any("walk_side_outdoor_60fps.mp4" in m for m in texts(at, "markdown"))
    at.button(key=f"open-{walk_result}").click().run()
    assert not at.exception
    assert texts(at, "title") == ["Analyse a video"]
    assert len(players(at)) == 1


def test_results_page_deletes_a_result_with_its_video(home, walk_side_clip):
    store = ResultStore(home)
    rid = store.create("to delete.mp4", walk_side_clip.read_bytes(), AnalyzeOptions("walk"))
    store.write_status(rid, Status("error", "done", message="x"))
    at = app("history")
    at.button(key=f"delete-{rid}").click().run()
    assert not at.exception
    assert not store.path(rid).exists()
    assert not any("to delete.mp4" in m for m in texts(at, "markdown"))


# -- live --------------------------------------------------------------------------------------
class FakeStreamer:
    """Stands in for ``webrtc_streamer`` (AppTest has no browser): records the call and
    reports whatever playing state the test sets."""

    def __init__(self) -> None:
        self.kwargs: dict[str, Any] = {}
        self.playing = False

    def __call__(self, **kwargs: Any) -> SimpleNamespace:
        self.kwargs = kwargs
        return SimpleNamespace(state=SimpleNamespace(playing=self.playing))


def test_live_page_runs_frames_through_the_processor_and_summarises(
    home, monkeypatch, walk_side_clip
):
    fake = FakeStreamer()
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", fake)
    at = app("webcam")
    assert not at.exception
    assert fake.kwargs["rtc_configuration"] == {"iceServers": []}  # no STUN/TURN
    assert fake.kwargs["key"] == "webcam-calf-raise"
    assert fake.kwargs["media_stream_constraints"]["audio"] is False

    fake.playing = True  # START pressed: frames begin to arrive
    at.run()
    assert [m.value for m in at.metric] == ["0"]

    # frames as the browser sends them, through the page's own callback (real model)
    callback = fake.kwargs["video_frame_callback"]
    with VideoReader(walk_side_clip, max_side=640) as reader:
        for frame in reader.frames(0, 12):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame.image), format="rgb24")
            vf.pts, vf.time_base = round(frame.t_s * 90000), Fraction(1, 90000)
            out = callback(vf)
    assert out.height > frame.image.shape[0]  # the status bar came back with the frame

    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Frames processed"] == "12"
    assert metrics["Subject"] == "in view"
    assert metrics["Reps"] == "0"  # a walk has no heel raises
    assert any("front or back" in e.value or "Face the camera" in e.value for e in at.warning)

    fake.playing = False
    at.run()
    assert "Session summary" in texts(at, "subheader")
    assert {m.label: m.value for m in at.metric}["Reps"] == "0"
    assert len(at.dataframe) == 1  # each measure's range over the session

    at.radio(key="live_task").set_value("balance").run()  # no live counter for balance
    assert fake.kwargs["key"] == "webcam-balance"
    fake.playing = True
    at.run()
    with VideoReader(walk_side_clip, max_side=640) as reader:
        for frame in reader.frames(0, 3):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame.image), format="rgb24")
            vf.pts, vf.time_base = round(frame.t_s * 90000), Fraction(1, 90000)
            fake.kwargs["video_frame_callback"](vf)
    fake.playing = False
    at.run()
    assert {m.label: m.value for m in at.metric}["Reps"] == "–"
    assert any("not available live" in c for c in texts(at, "caption"))


# -- gaitlab app --------------------------------------------------------------------------------
def test_the_entry_that_gaitlab_app_runs_opens_every_page_and_its_links(home):
    """``gaitlab app`` runs gaitlab/app/main.py, not the checkout's app.py: page paths and
    the links between pages must resolve from there too (the Film page links to Analyse
    and Live; Programme and History link back; the Live page needs the browser's WebRTC and
    is covered in tests/browser)."""
    at = AppTest.from_file(app_main.__file__, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in (ANALYSE_PAGE, PROGRAMME_PAGE, HISTORY_PAGE):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])


def test_gaitlab_app_starts_the_server_for_this_computer_only(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gaitlab", "app", "--headless", "--port", str(port)],
        env={**os.environ, "GAITLAB_HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # streamlit runs as its child: stop both together
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "gaitlab app exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the app did not come up in 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as r:
            assert r.status == 200 and b"<html" in r.read().lower()
        # Served on 127.0.0.1 only: another address of this very computer is refused, as
        # every address another computer could reach.
        with pytest.raises(OSError), socket.create_connection(("127.0.0.2", port), timeout=5):
            pass
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
