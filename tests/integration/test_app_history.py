"""The app and the history: the person picker, saving app analyses and live sessions (once),
the History page's sessions (open, PDF report, delete) and progress (reference band, SDD
verdicts), through Streamlit's AppTest with a private ``GAITLAB_HOME`` for this module."""

from __future__ import annotations

import html
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import streamlit_webrtc
from storekit import make_summary
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import gaitlab.live
from gaitlab.app import timeline
from gaitlab.app.common import PERSON_KEY
from gaitlab.app.results import (
    HISTORY_NAME,
    ResultStore,
    live_metrics,
    options_for_person,
    run_analysis,
)
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.present.progress import WITHIN_ERROR
from gaitlab.store import Store

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """This module's own GAITLAB_HOME (history database, sessions, uploads)."""
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("history_home")
    mp.setenv("GAITLAB_HOME", str(path))
    mp.delenv("GAITLAB_DB_URL", raising=False)
    yield path
    mp.undo()


@pytest.fixture
def hist(home):
    with Store.open() as store:
        yield store


def app(page: str | None = None, person: int | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if person is not None:
        at.session_state[PERSON_KEY] = person
    if page:
        at.switch_page(f"gaitlab/app/{page}.py")
    at.query_params.update(query)
    return at.run()


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


def wait_done(root: Path, rid: str, timeout: float = 120):
    store = ResultStore(root)
    t0 = time.monotonic()
    while not store.status(rid).finished and time.monotonic() - t0 < timeout:
        time.sleep(0.2)
    return store.status(rid)


# -- the person picker -----------------------------------------------------------------------------
def test_add_a_person_on_the_history_page_and_the_choice_follows_to_other_pages(hist):
    at = app("history")
    assert not at.exception
    assert texts(at, "title") == ["History"]
    at.text_input(key="history_person-add-name").input("Ana Example")
    at.selectbox(key="history_person-add-sex").set_value("female")
    at.number_input(key="history_person-add-year").set_value(1980)
    at.number_input(key="history_person-add-h").set_value(168.0)
    at.number_input(key="history_person-add-kg").set_value(61.5)
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception and not at.error

    ana = hist.person("Ana Example")
    assert (ana.sex, ana.birth_year, ana.height_cm, ana.body_mass_kg) == (
        "female", 1980, 168.0, 61.5,
    )  # fmt: skip
    assert at.session_state[PERSON_KEY] == ana.id
    assert at.selectbox(key="history_person").value == ana.id
    assert any(c.startswith("Female · born 1980") and "168 cm · 61.5 kg" in c
               for c in texts(at, "caption"))  # fmt: skip

    at.switch_page("gaitlab/app/guide.py").run()  # the sidebar shows the same choice
    assert at.selectbox(key="sidebar_person").value == ana.id
    at.selectbox(key="sidebar_person").set_value(0).run()  # nobody
    assert at.session_state[PERSON_KEY] is None

    at.switch_page("gaitlab/app/history.py").run()
    at.text_input(key="history_person-add-name").input("Ana Example")  # the name is taken
    next(b for b in at.button if b.label == "Add").click().run()
    assert any("already exists" in e for e in texts(at, "error"))


def test_the_profile_fills_the_options_left_empty():
    person = SimpleNamespace(sex="male", birth_year=1990, height_cm=180.0, body_mass_kg=80.0)
    filled = options_for_person(AnalyzeOptions("walk", height_cm=175.0), person)
    assert (filled.height_cm, filled.sex, filled.body_mass_kg) == (175.0, "male", 80.0)
    assert filled.age_years == datetime.now().year - 1990
    assert options_for_person(AnalyzeOptions("walk"), None) == AnalyzeOptions("walk")


# -- saving an app analysis ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def analysed(home, walk_side_clip) -> dict[str, Any]:
    """A real upload through the Analyse page with a person chosen, analysed to the end."""
    with Store.open() as store:
        bea = store.add_person("Bea", sex="female", birth_year=1985, height_cm=165, body_mass_kg=58)
    at = app("analyse", person=bea.id)
    at.selectbox(key="upload_task").set_value("walk")
    at.file_uploader(key="upload_file").upload(
        "bea walking.mp4", walk_side_clip.read_bytes(), "video/mp4"
    )
    at.run()
    at.button(key="analyse").click().run()
    assert not at.exception
    value = at.query_params["result"]
    rid = value[0] if isinstance(value, list) else value
    root = home / "uploads"
    assert wait_done(root, rid).state == "done"
    return {"person": bea, "rid": rid, "root": root}


def test_an_app_analysis_is_saved_once_for_the_chosen_person(hist, analysed):
    bea, rid, results = analysed["person"], analysed["rid"], ResultStore(analysed["root"])
    request = results.request(rid)
    assert request["person_id"] == bea.id and request["person_name"] == "Bea"
    assert (request["height_cm"], request["sex"], request["body_mass_kg"]) == (165, "female", 58)
    assert request["age_years"] == datetime.now().year - 1985
    saved = json.loads((results.path(rid) / HISTORY_NAME).read_text())

    for _ in range(2):  # reloading the result page saves nothing more
        at = app("analyse", person=bea.id, result=rid)
        assert not at.exception
    assert run_analysis(results, rid).state == "done"  # nor does running it again
    sessions = hist.sessions(bea)
    assert [s.id for s in sessions] == [saved["session_id"]]
    s = hist.session(saved["session_id"])
    assert (s.source, s.task, s.video_name) == ("file", "walk", "bea walking.mp4")
    assert s.file("annotated.mp4") and s.file("landmarks.npz") and s.file("frames.csv")
    assert s.metrics["knee_flexion_peak_left_deg"] > 0


def test_an_app_analysis_is_one_session_not_two_copies(analysed):
    results, rid = ResultStore(analysed["root"]), analysed["rid"]
    sid = results.history(rid)["session_id"]
    session = results.home / "sessions" / str(sid)
    for name in ("summary.json", "frames.csv", "annotated.mp4", "landmarks.npz"):
        assert not (results.path(rid) / name).exists()  # the upload keeps only its video
        assert (session / name).stat().st_nlink == 1
    assert results.summary_path(rid) == session / "summary.json"
    assert results.summary(rid)["video"]["path"] == "bea walking.mp4"


def test_a_results_folder_of_an_older_app_is_left_alone(home):
    old = home / "results" / "20250101-093000-abcdef"
    old.mkdir(parents=True)
    (old / "request.json").write_text("{}")
    for page in ("history", "analyse"):
        assert not app(page).exception
    assert (old / "request.json").read_text() == "{}"


def test_a_failed_analysis_saves_nothing(hist, home):
    cleo = hist.add_person("Cleo")
    results = ResultStore(home / "uploads", person=cleo)
    rid = results.create("notes.mp4", b"not a video " * 50, AnalyzeOptions("walk"))
    assert run_analysis(results, rid).state == "error"
    assert results.history(rid) == {} and hist.sessions(cleo) == []


# -- the sessions list -----------------------------------------------------------------------------
@pytest.fixture
def deferred(monkeypatch) -> dict[str, Any]:
    """The callables the page registers for download buttons, by file name (the browser runs
    them when the button is clicked; AppTest has no browser)."""
    found: dict[str, Any] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None):
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return found


def test_history_lists_the_session_opens_its_result_and_makes_its_report(analysed, deferred):
    bea, rid = analysed["person"], analysed["rid"]
    sid = ResultStore(analysed["root"]).history(rid)["session_id"]
    at = app("history", person=bea.id)
    assert not at.exception
    assert any(m.startswith("**Walking** · #") for m in texts(at, "markdown"))
    assert any("bea walking.mp4" in c for c in texts(at, "caption"))
    assert any(m.startswith("Cadence ") for m in texts(at, "markdown"))  # key numbers
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Report (PDF)"]
    pdf = deferred[f"gaitlab-session-{sid}.pdf"]()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000

    at.button(key=f"open-session-{sid}").click().run()
    assert not at.exception
    assert texts(at, "title") == ["Analyse a video"] and len(players(at)) == 1


def test_delete_removes_the_session_its_files_and_its_upload(hist, analysed):
    dan = hist.add_person("Dan")
    results = ResultStore(analysed["root"], person=dan)
    rid = results.create_rerun(analysed["rid"], AnalyzeOptions("walk"))
    with (results.path(rid) / "request.json").open("r+") as fh:  # a copy filed under Dan
        request = json.load(fh)
        request.update(person_id=dan.id, person_name="Dan")
        fh.seek(0), fh.truncate(), json.dump(request, fh)
    assert run_analysis(results, rid).state == "done"
    sid = results.history(rid)["session_id"]
    files = hist.session(sid).files_dir
    assert files.is_dir()

    at = app("history", person=dan.id)
    at.button(key=f"delete-session-{sid}").click().run()
    assert not at.exception
    assert hist.sessions(dan) == [] and not files.exists() and not results.path(rid).exists()
    assert any("No sessions for Dan yet" in i for i in texts(at, "info"))


def test_a_session_without_result_folder_shows_its_summary(hist, deferred):
    eve = hist.add_person("Eve", sex="male")
    sid = hist.save_analysis(make_summary({"cadence_spm": 101.0, "fppa_peak_left_deg": 14.0}), eve)
    at = app("history", person=eve.id)
    assert not [b for b in at.button if b.key == f"open-session-{sid}"]  # no result page
    at.toggle(key=f"details-{sid}").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "Knee valgus (FPPA), peak" in set(table["measure"])
    assert f"gaitlab-session-{sid}.pdf" in deferred


def test_a_session_without_result_page_plays_in_the_review_player(hist, analysed):
    """A saved analysis with no upload behind it (``gaitlab analyze --person``): its Details
    show the review player with the timeline's steps, not the browser's bare video."""
    folder = ResultStore(analysed["root"]).summary_path(analysed["rid"]).parent
    ida = hist.add_person("Ida", sex="female")
    sid = hist.save_analysis(folder, ida)
    at = app("history", person=ida.id)
    at.toggle(key=f"details-{sid}").set_value(True).run()
    assert not at.exception
    assert not at.get("video")
    (args,) = players(at)
    kinds = {m["kind"] for m in args["marks"]}
    assert "step" in kinds
    steps = [m for m in args["marks"] if m["kind"] == "step"]
    assert len(steps) >= 3 and all(0 <= m["frame"] < len(args["frame_times"]) for m in steps)
    assert args["video_url"] and args["original_url"] is None


# -- progress --------------------------------------------------------------------------------------
def test_progress_chart_has_the_reference_band_and_each_verdict(hist):
    fay = hist.add_person("Fay", sex="female")
    for i, value in enumerate((14.0, 9.0, 25.0)):  # -5 (< SDD 8.2: within error), then +16
        hist.save_analysis(
            make_summary({"fppa_peak_left_deg": value, "cadence_spm": 100.0 + i}),
            fay,
            recorded_at=T0 + timedelta(days=7 * i),
        )
    at = app("history", person=fay.id)
    assert not at.exception
    assert at.selectbox(key="progress_metric").value == "cadence_spm"  # a reference: listed
    at.selectbox(key="progress_metric").set_value("fppa_peak_left_deg").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table["Value"]) == ["14.0°", "9.0°", "25.0°"]
    verdicts = list(table["Verdict"])
    assert verdicts[0] == "first measurement"
    assert WITHIN_ERROR in verdicts[1] and "real increase" in verdicts[2]
    captions = " ".join(texts(at, "caption"))
    assert "reference, flag above 12°" in captions
    assert "Munro et al. 2012" in captions  # the SDD's source
    assert any(i.startswith("Since the first session: +11.0°: a real increase")
               for i in texts(at, "info"))  # fmt: skip
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rect", "line", "point", "text"]  # band, values, verdict labels

    progress = timeline.person_progress(hist, fay, "fppa_peak_left_deg")
    frame = timeline.progress_frame(progress)
    assert list(frame["verdict_short"]) == ["first", "within error", "real increase"]
    assert list(frame["change_text"]) == ["", "-5.0°", "+16.0°"]
    band = timeline.band_frame(progress)
    assert band["high"].tolist() == [12.0] and band["low"].iloc[0] < 9.0  # open below


def test_progress_metrics_leave_out_facts_about_the_recording():
    names = ["frames_detected", "reps", "fppa_peak_left_deg", "duration_analysed_s"]
    assert timeline.progress_metrics(names) == ["fppa_peak_left_deg", "reps"]
    numbers = timeline.key_numbers({"reps": 12, "frames_detected": 90, "stance_leg": "left"})
    assert numbers == "Reps 12"


# -- live ------------------------------------------------------------------------------------------
class FakeStreamer:
    """Stands in for ``webrtc_streamer``: reports whatever playing state the test sets."""

    def __init__(self) -> None:
        self.playing = False

    def __call__(self, **kwargs: Any) -> SimpleNamespace:
        return SimpleNamespace(state=SimpleNamespace(playing=self.playing))


class FakeProcessor:
    """Stands in for :class:`gaitlab.live.LiveProcessor` (no camera, no model)."""

    made: list[FakeProcessor] = []

    def __init__(self, task: str, *, height_cm=None, sex=None, **_: Any) -> None:
        self.task, self.height_cm, self.sex = task, height_cm, sex
        self.frames, self.seen, self.finished = 0, 0, 0
        FakeProcessor.made.append(self)

    def snapshot(self):
        return SimpleNamespace(t_s=1.0, counters={"frames": self.frames}) if self.frames else None

    def summary(self) -> dict[str, Any]:
        return {
            "task": self.task, "duration_s": 4.0, "frames": self.frames,
            "frames_with_subject": self.seen, "detected_fraction": 1.0, "time_in_view_s": 4.0,
            "view": "anterior", "frontal_fraction": 1.0, "subject_changes": 0,
            "timestamps_adjusted": 0, "height_cm": self.height_cm,
            "measures": {"fppa_left_deg": {"min": 1.0, "max": 9.5, "mean": 4.0, "frames": 9}},
            "flags": [], "events": [], "counter": {"reps": 5, "phase": "rest"},
        }  # fmt: skip

    def finish(self) -> list[dict[str, Any]]:
        self.finished += 1
        return []

    def reset(self) -> None:
        self.frames = self.seen = 0

    def close(self) -> None:
        pass


def test_a_live_session_is_saved_once_when_it_stops(hist, monkeypatch):
    gus = hist.add_person("Gus", sex="male", height_cm=181)
    fake = FakeStreamer()
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", fake)
    monkeypatch.setattr(gaitlab.live, "LiveProcessor", FakeProcessor)
    at = app("webcam", person=gus.id)
    assert not at.exception
    proc = FakeProcessor.made[-1]
    assert (proc.height_cm, proc.sex) == (181, "male")  # from Gus's profile

    fake.playing = True
    at.run()
    proc.frames, proc.seen = 10, 9
    fake.playing = False
    at.run()
    assert not at.exception
    assert "Session summary" in texts(at, "subheader")
    assert any("Saved to the history for Gus as session #" in s for s in texts(at, "success"))
    at.run()
    at.run()  # reruns show the summary again and save nothing more
    sessions = hist.sessions(gus)
    assert len(sessions) == 1 and proc.finished == 1
    s = sessions[0]
    assert (s.source, s.task) == ("live", "calf-raise")
    assert s.metrics == {"reps": 5.0, "fppa_max_left_deg": 9.5}

    fake.playing = True  # START again: a new session, saved on its own
    at.run()
    proc.frames, proc.seen = 3, 0  # nobody in view this time
    fake.playing = False
    at.run()
    assert any("nothing was saved" in c for c in texts(at, "caption"))
    assert len(hist.sessions(gus)) == 1

    at = app("history", person=gus.id)
    at.toggle(key=f"details-{s.id}").set_value(True).run()
    assert "Session summary" in texts(at, "subheader")


def test_live_metrics_use_the_file_analyses_names():
    summary = {
        "counter": {"holds": 2, "best_hold_s": 12.5},
        "measures": {"pelvic_obliquity_deg": {"max": 4.0}, "fppa_right_deg": {"max": 7.0}},
    }
    assert live_metrics(summary) == {
        "holds": 2.0,
        "hold_time_s": 12.5,
        "pelvic_obliquity_max_deg": 4.0,
        "fppa_max_right_deg": 7.0,
    }
