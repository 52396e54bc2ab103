"""Angles and notes in Debian's Chromium against an app server whose uploads hold one real
clip analysed and saved to the history: draw an angle on a paused frame of the review player
(mouse at 1280×800, touch at 390×844), save it, reload the page and find it drawn again
with the same degrees; write a note on the session and one on a flagged moment, and find
them on the result page, the History page and in the PDF report's text. Screenshots in
tests/browser/screenshots/.

The clip is posed once for the module (walk_side_outdoor_60fps.mp4, 135 frames: about ten
seconds of pose estimation).
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserkit import PHONE, screenshot, serve_app, wait_app
from storekit import make_summary

from gaitlab.app.results import ResultStore, run_analysis
from gaitlab.pipeline import AnalyzeOptions
from gaitlab.store import Store
from gaitlab.store.accounts import Accounts

DESKTOP_800 = {"width": 1280, "height": 800}
PLAYER = 'iframe[title*="gaitlab_player"]'
PLAYER_READY_JS = f"""() => {{ const f = document.querySelector('{PLAYER}');
  const v = f && f.contentDocument && f.contentDocument.querySelector('video');
  return v && v.readyState >= 2 && v.videoWidth > 0; }}"""
PLAYER_SETTLED_JS = f"""() => {{ const v = document.querySelector('{PLAYER}')
  .contentDocument.querySelector('video');
  return v.paused && !v.seeking && v.readyState >= 2; }}"""
#: Where a drawn angle's points go, as fractions of the picture: a right angle in pixels of
#: the 16:9 video (corner at the middle, one arm straight up, one straight right).
RIGHT_ANGLE = [(0.55, 0.2), (0.55, 0.6), (0.8, 0.6)]
#: How many yellow (saved-angle) pixels the drawing canvas holds.
SAVED_PIXELS_JS = """(c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4)
    if (d[i] > 200 && d[i + 1] > 170 && d[i + 2] < 80 && d[i + 3] > 200) n++;
  return n;
}"""
PASSWORD = "correct horse battery"
SESSION_NOTE = "Knee drifts in <b>after</b> 20 min [link](http://evil.example)"
FLAG_NOTE = "Check this step again next week"


@pytest.fixture(scope="module")
def notes_home(tmp_path_factory, walk_side_clip) -> Path:
    """A home whose uploads hold the walk clip analysed (as the app's job does it) and saved
    to the history under Ana."""
    home = tmp_path_factory.mktemp("notes_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAITLAB_HOME", str(home))
        mp.delenv("GAITLAB_DB_URL", raising=False)
        with Store.open(home=home) as hist:
            ana = hist.add_person("Ana Example", sex="female")
        uploads = ResultStore(home / "uploads", person=ana)
        rid = uploads.create(walk_side_clip.name, walk_side_clip.read_bytes(), AnalyzeOptions())
        assert run_analysis(uploads, rid).state == "done"
        assert uploads.history(rid).get("session_id") is not None
    (home / "result-id").write_text(rid)
    return home


@pytest.fixture(scope="module")
def notes_server(notes_home) -> Iterator[str]:
    with serve_app(notes_home) as url:
        yield url


def _run(*argv: str) -> str:
    """A poppler-utils tool's output (make test installs them)."""
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def _session_id(home: Path) -> int:
    rid = (home / "result-id").read_text()
    return int(ResultStore(home / "uploads").history(rid)["session_id"])


def _open_result(page, home: Path) -> None:
    page.goto(f"/analyse?result={(home / 'result-id').read_text()}")
    wait_app(page)
    page.get_by_role("heading", name="Notes and angles").wait_for()
    page.wait_for_function(PLAYER_READY_JS)


def _tap(page, canvas_box: dict, xy: tuple[float, float], touch: bool) -> None:
    x = canvas_box["x"] + xy[0] * canvas_box["width"]
    y = canvas_box["y"] + xy[1] * canvas_box["height"]
    if touch:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)


def _draw_and_save(page, touch: bool) -> tuple[int, float]:
    """Pause on a frame, draw :data:`RIGHT_ANGLE`, save; returns the frame and the degrees
    the player showed."""
    player = page.frame_locator(PLAYER)
    player.get_by_role("button", name="One frame forward").click()
    for _ in range(40):
        player.get_by_role("button", name="One frame forward").click()
    page.wait_for_function(PLAYER_SETTLED_JS)
    frame = int(player.locator("#where").get_attribute("data-frame"))
    player.get_by_role("button", name="Angle").click()
    canvas = player.locator("#draw")
    box = canvas.bounding_box()
    assert box["width"] > 100 and abs(box["width"] / box["height"] - 16 / 9) < 0.02
    for xy in RIGHT_ANGLE:
        _tap(page, box, xy, touch)
    reading = player.locator("#reading")
    degrees = float(reading.get_attribute("data-deg"))
    assert degrees == pytest.approx(90.0, abs=1.5)  # a click lands within a pixel
    player.locator("#anglenote").fill("knee at mid-stance")
    player.get_by_role("button", name="Save angle").click()
    player.locator("#saved li").first.wait_for()
    return frame, degrees


def _saved_angle_shown(page, frame: int) -> int:
    player = page.frame_locator(PLAYER)
    player.locator("#saved li").get_by_role("button", name="Show").first.click()
    page.wait_for_function(PLAYER_SETTLED_JS)
    assert int(player.locator("#where").get_attribute("data-frame")) == frame
    page.wait_for_timeout(300)
    return player.locator("#draw").evaluate(SAVED_PIXELS_JS)


@pytest.mark.parametrize(
    ("viewport", "touch"), [(DESKTOP_800, False), (PHONE, True)], ids=["desktop", "phone"]
)
def test_an_angle_drawn_on_a_paused_frame_is_saved_and_drawn_again_after_a_reload(
    browser, notes_server, notes_home, viewport, touch
):
    context = browser.new_context(viewport=viewport, base_url=notes_server, has_touch=touch)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sid = _session_id(notes_home)
    try:
        with Store.open(home=notes_home) as hist:
            for a in hist.annotations(sid):  # each width starts from none
                hist.delete_annotation(a.id)
        _open_result(page, notes_home)
        frame, degrees = _draw_and_save(page, touch)
        screenshot(page, f"notes-angle-drawn-{'touch' if touch else 'mouse'}", viewport)
        with Store.open(home=notes_home) as hist:
            (saved,) = hist.annotations(sid)
        assert saved.kind == "angle" and saved.frame == frame
        assert saved.angle_deg == pytest.approx(degrees, abs=0.01)  # the store measured the same
        assert saved.text == "knee at mid-stance"
        assert saved.image_size == (960, 540)

        page.reload()
        _open_result(page, notes_home)
        player = page.frame_locator(PLAYER)
        item = player.locator("#saved li").first
        assert f"{degrees:.1f}°" in item.inner_text()
        assert f"frame {frame + 1}" in item.inner_text()
        assert _saved_angle_shown(page, frame) > 200  # drawn over the paused frame
        player.get_by_role("button", name="One frame forward").click()
        page.wait_for_function(PLAYER_SETTLED_JS)
        assert player.locator("#draw").evaluate(SAVED_PIXELS_JS) == 0  # only on its frame
        main = page.locator('[data-testid="stMain"]')
        assert f"Angle {degrees:.1f}°" in main.inner_text()
        screenshot(page, f"notes-angle-reloaded-{'touch' if touch else 'mouse'}", viewport)

        item.get_by_role("button", name="Delete").click()
        page.wait_for_function(
            f"""() => !document.querySelector('{PLAYER}').contentDocument
                .querySelector('#saved li')"""
        )
        # the player drops the item at once; the page's list follows once the app has
        # deleted it from the history
        page.wait_for_function(
            f"""() => !document.querySelector('[data-testid="stMain"]')
                .innerText.includes('Angle {degrees:.1f}°')""",
            timeout=60_000,
        )
        wait_app(page)
        with Store.open(home=notes_home) as hist:
            assert hist.annotations(sid) == []
    finally:
        context.close()


def test_notes_on_the_session_and_a_flag_show_in_the_app_and_the_pdf(
    browser, notes_server, notes_home
):
    context = browser.new_context(
        viewport=DESKTOP_800, base_url=notes_server, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    sid = _session_id(notes_home)
    try:
        with Store.open(home=notes_home) as hist:
            for a in hist.annotations(sid):
                hist.delete_annotation(a.id)
            hist.add_annotation(
                sid, "line", t_s=0.5, frame=30, points=[(0.4, 0.2), (0.5, 0.8)],
                reference="vertical", image_size=(960, 540), author="Dr Lee",
            )  # fmt: skip
        _open_result(page, notes_home)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_label("Note on this session").fill(SESSION_NOTE)
        main.get_by_role("button", name="Save the note").last.click()
        page.get_by_text("Knee drifts in <b>after</b>").wait_for()
        assert main.locator("a[href*='evil']").count() == 0  # escaped: no link made of it

        main.get_by_role("button", name="Note on this moment").first.click()
        page.get_by_label("Note", exact=True).last.fill(FLAG_NOTE)
        page.get_by_role("button", name="Save the note").last.click()
        page.get_by_text(FLAG_NOTE).first.wait_for()
        wait_app(page)
        with Store.open(home=notes_home) as hist:
            kept = {a.text: a for a in hist.annotations(sid)}
        assert kept[SESSION_NOTE].t_s is None
        assert kept[FLAG_NOTE].frame is not None and kept[FLAG_NOTE].t_s is not None
        assert kept[FLAG_NOTE].author  # this computer's login without accounts
        screenshot(page, "notes-result", DESKTOP_800)
        screenshot(page, "notes-result", PHONE)

        page.goto("/history")
        wait_app(page)
        page.get_by_text("Notes and angles (3)").first.click()
        page.get_by_text(FLAG_NOTE).first.wait_for()
        screenshot(page, "notes-history", DESKTOP_800)
        with page.expect_download() as download:
            page.get_by_role("button", name="Report (PDF)").first.click()
        pdf = Path(download.value.path())
        text = " ".join(_run("pdftotext", str(pdf), "-").split())
        assert "Notes and annotations (3)" in text
        assert SESSION_NOTE in text and FLAG_NOTE in text
        lean = math.degrees(math.atan(0.1 * 960 / (0.6 * 540)))
        assert f"Line {lean:.1f}° from the vertical" in text
        assert "Dr Lee" in text
        sizes = [
            line.split()[3:5] for line in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
        ]
        assert ["640", "360"] in sizes  # the line's frame with the line drawn on it
    finally:
        context.close()


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory) -> Iterator[str]:
    """An app with accounts: Dr Lee (clinician) and Ana (patient); Ana's session holds a
    note Dr Lee wrote."""
    home = tmp_path_factory.mktemp("notes_accounts_home")
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        ana = store.add_person("Ana")
        sid = store.save_analysis(make_summary(path="/v/ana walk.mp4"), ana)
        store.add_annotation(sid, "note", text="Stronger than last month", author="dr-lee")
    Accounts(home).add("dr-lee", "clinician", PASSWORD)
    Accounts(home).add("ana", "patient", PASSWORD, ana.id)
    with serve_app(home) as url:
        yield url


def _signed_in_notes(page, name: str):
    """Sign in as ``name``, open the History page and unfold the session's notes."""
    main = page.locator('[data-testid="stMain"]')
    page.goto("/history")
    wait_app(page)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").wait_for()
    page.get_by_role("link", name="History").click()  # a reload would sign out
    main.locator("h1", has_text="History").wait_for()
    wait_app(page)
    main.get_by_text("Notes and angles (").click()
    main.get_by_text("Stronger than last month").wait_for()
    return main.locator('[data-testid="stExpanderDetails"]')


def test_a_patient_notes_their_session_and_deletes_only_their_own_notes(browser, accounts_server):
    context = browser.new_context(viewport=DESKTOP_800, base_url=accounts_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        notes = _signed_in_notes(page, "ana")
        assert notes.get_by_role("button", name="Delete").count() == 0  # Dr Lee's note
        notes.get_by_label("Note on this session").fill("Walked 20 min without pain")
        notes.get_by_role("button", name="Save the note").click()
        page.get_by_text("Walked 20 min without pain").wait_for()
        wait_app(page)
        notes = page.locator('[data-testid="stExpanderDetails"]')
        assert "ana ·" in notes.inner_text() and "dr-lee ·" in notes.inner_text()
        assert notes.get_by_role("button", name="Delete").count() == 1  # her own only
        screenshot(page, "notes-patient", PHONE)
        page.set_viewport_size(DESKTOP_800)  # the sidebar with Sign out

        page.get_by_role("button", name="Sign out").click()
        notes = _signed_in_notes(page, "dr-lee")
        page.get_by_text("Walked 20 min without pain").wait_for()
        assert notes.get_by_role("button", name="Delete").count() == 2  # a clinician: any
    finally:
        context.close()
