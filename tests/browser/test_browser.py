"""End to end in Debian's Chromium: upload and review a real clip, go live with a fake camera
playing a real clip, and screenshots of every page at desktop and phone widths (saved under
tests/browser/screenshots/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import cv2
import numpy as np
from browserkit import DESKTOP, PHONE, screenshot, wait_app
from playwright.sync_api import expect

from gaitlab.io.video import probe
from gaitlab.render.status import ACTION_COLOUR, OK_COLOUR

ANALYSIS_TIMEOUT_MS = 150_000
#: The review player (a component in its own frame).
PLAYER = 'iframe[title*="gaitlab_player"]'
PLAYER_READY_JS = f"""() => {{ const f = document.querySelector('{PLAYER}');
  const v = f && f.contentDocument && f.contentDocument.querySelector('video');
  return v && v.readyState >= 2; }}"""
#: The player is paused on a decoded frame (not seeking).
PLAYER_SETTLED_JS = f"""() => {{ const v = document.querySelector('{PLAYER}')
  .contentDocument.querySelector('video');
  return v.paused && !v.seeking && v.readyState >= 2; }}"""
#: The shown picture in grey at 1/8 size (the same reduction the test applies to the file).
GREY_PIXELS_JS = """(v) => {
  const w = Math.floor(v.videoWidth / 8), h = Math.floor(v.videoHeight / 8);
  const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0);
  const d = g.getImageData(0, 0, v.videoWidth, v.videoHeight).data;
  const out = new Array(w * h).fill(0);
  for (let y = 0; y < h * 8; y++) for (let x = 0; x < w * 8; x++) {
    const i = 4 * (y * v.videoWidth + x);
    out[Math.floor(y / 8) * w + Math.floor(x / 8)] +=
      (0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]) / 64;
  }
  return {w: w, h: h, data: out};
}"""

#: The bottom-right pixel of the playing video (the status bar's plain end), and its size.
CORNER_PIXEL_JS = """(v) => {
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0);
  const px = g.getImageData(v.videoWidth - 3, v.videoHeight - 3, 1, 1).data;
  return {w: v.videoWidth, h: v.videoHeight, px: Array.from(px)};
}"""
#: True once the "Frames processed" counter exceeds ``n``.
FRAMES_ABOVE_JS = """(n) => {
  const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(e => e.innerText.includes('Frames processed'));
  if (!m) return false;
  return parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText) > n;
}"""


def test_upload_a_clip_review_the_result_and_play_the_annotated_video(page, walk_side_clip):
    page.goto("/analyse")
    wait_app(page)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(walk_side_clip))
    analyse = page.get_by_role("button", name="Analyse", exact=True)
    expect(analyse).to_be_enabled()  # once the upload has reached the server
    analyse.click()

    page.wait_for_selector('[data-testid="stProgress"]')  # the page follows the analysis
    screenshot(page, "analyse-progress", DESKTOP)
    page.wait_for_url(re.compile(r"/analyse\?result=\d{8}-\d{6}-[0-9a-f]{6}$"))
    page.get_by_text("Key measures").wait_for(timeout=ANALYSIS_TIMEOUT_MS)
    result_url = page.url

    page.get_by_role("heading", name="Downloads").wait_for()  # the script has run to the end
    table = page.locator('[data-testid="stTable"]').first  # key measures; all others below
    assert "Stance (% of stride)" in table.inner_text()
    assert "°" in table.inner_text()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(1).wait_for()  # knee bend and trunk lean (a side view)
    page.locator(
        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
    ).first.wait_for()
    page.get_by_role("heading", name="Flagged moments").wait_for()
    for label in ("Summary (JSON)", "Per-frame table (CSV)", "Annotated video (MP4)"):
        page.get_by_role("button", name=label).wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Summary (JSON)").click()
    summary = json.loads(Path(download.value.path()).read_text())
    assert summary["task"] == "walk" and summary["video"]["frames"] == 135

    player = page.frame_locator(PLAYER)
    video = player.locator("video")
    page.wait_for_function(PLAYER_READY_JS)
    info = video.evaluate(
        """async (v) => { v.muted = true; await v.play();
             await new Promise(r => setTimeout(r, 700));
             return {duration: v.duration, t: v.currentTime, w: v.videoWidth, h: v.videoHeight,
                     error: v.error && v.error.code}; }"""
    )
    assert info["error"] is None
    assert abs(info["duration"] - 2.26) < 0.1  # the whole clip, 135 frames at 59.7 fps
    assert info["t"] > 0.2  # it plays
    assert (info["w"], info["h"]) == (960, 540)  # H.264 at the inference size, decoded
    with page.expect_download() as download:
        page.get_by_role("button", name="Annotated video (MP4)").click()
    review_in_the_player(page, Path(download.value.path()), summary)
    screenshot(page, "analyse-result", DESKTOP)
    screenshot(page, "analyse-result", PHONE)

    page.reload()  # the result survives a reload: its id is in the URL, its files on disk
    wait_app(page)
    assert page.url == result_url
    page.get_by_text("Key measures").wait_for()
    page.goto("/history")
    wait_app(page)
    page.get_by_text("walk_side_outdoor_60fps.mp4").first.wait_for()


def _shown_frame(page) -> tuple[int, np.ndarray]:
    """The player's frame number and the picture it shows (grey, 1/8 size)."""
    player = page.frame_locator(PLAYER)
    page.wait_for_function(PLAYER_SETTLED_JS)
    frame = int(player.locator("#where").get_attribute("data-frame"))
    px = player.locator("video").evaluate(GREY_PIXELS_JS)
    return frame, np.asarray(px["data"], float).reshape(px["h"], px["w"])


def _video_frames(path: Path) -> list[np.ndarray]:
    """Every frame of ``path`` as the browser test sees it (grey, 1/8 size)."""
    out = []
    with av.open(str(path)) as container:
        for f in container.decode(video=0):
            grey = cv2.cvtColor(f.to_ndarray(format="rgb24"), cv2.COLOR_RGB2GRAY)
            out.append(
                cv2.resize(grey, (f.width // 8, f.height // 8), interpolation=cv2.INTER_AREA)
            )
    return out


def review_in_the_player(page, annotated: Path, summary: dict) -> None:
    """Speed, frame-accurate stepping (the picture checked against the file's frames), keys,
    timeline marks and a flag's "Show" button seeking, the overlay off and on."""
    player = page.frame_locator(PLAYER)
    video = player.locator("video")
    decoded = _video_frames(annotated)
    assert len(decoded) == summary["video"]["frames"] == 135

    player.locator("#speed").select_option("0.25")
    assert video.evaluate("v => v.playbackRate") == 0.25
    player.locator("#play").click()  # pause
    strikes = [e for e in summary["events"] if e["type"] == "heel_strike"]
    marks = player.locator(".mark.k-step")
    assert marks.count() == len(strikes) >= 3
    marks.nth(1).click()
    frame, picture = _shown_frame(page)
    assert frame == strikes[1]["frame"]  # rows are source frames here: nothing was skipped
    for step in range(3):
        player.get_by_role("button", name="One frame forward").click()
        frame, picture = _shown_frame(page)
        assert frame == strikes[1]["frame"] + step + 1
        errors = [np.abs(picture - d).mean() for d in decoded]
        assert int(np.argmin(errors)) == frame, (frame, np.argsort(errors)[:3])
    player.locator("#wrap").press("ArrowLeft")
    assert _shown_frame(page)[0] == strikes[1]["frame"] + 2

    # a click on a chart goes to the nearest frame
    before = _shown_frame(page)[0]
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.6)
    page.wait_for_function(
        f"() => document.querySelector('{PLAYER}').contentDocument"
        f".querySelector('#where').dataset.frame !== '{before}'",
        timeout=30_000,
    )
    assert _shown_frame(page)[0] > 67  # about 80 % along the 135 frames

    flag = summary["flags"][-1]
    page.locator("body").evaluate("() => window.scrollTo(0, 0)")
    page.get_by_role("button", name=f"Show at {flag['start_s']:.2f} s").click()
    page.wait_for_function(
        f"() => document.querySelector('{PLAYER}').contentDocument"
        f".querySelector('#where').dataset.frame === '{flag['frame']}'"
    )
    page.wait_for_function(  # brought into view
        f"""() => {{ const r = document.querySelector('{PLAYER}').getBoundingClientRect();
             return r.top < window.innerHeight && r.bottom > 0; }}""",
        timeout=10_000,
    )
    screenshot(page, "analyse-player", DESKTOP)

    # a clip of this moment: one second around the flag, faces blurred, as an MP4
    page.get_by_text("Clip of this moment").click()
    for label in ("Seconds before", "Seconds after"):
        field = page.get_by_label(label)
        field.fill("0.5")
        field.press("Enter")
        wait_app(page)
    page.get_by_text(f"Around {flag['start_s']:.2f} s").wait_for()
    span = f"{flag['start_s'] - 0.5:.2f}–{flag['start_s'] + 0.5:.2f} s"
    button = page.get_by_role("button", name=f"Download the clip ({span})")
    button.wait_for()  # both seconds taken in
    wait_app(page)
    with page.expect_download(timeout=300_000) as download:
        button.click()
    clip = Path(download.value.path())
    assert 55 <= probe(clip).frames <= 65  # 1 s at 59.7 fps

    player.get_by_role("button", name="Overlay on").click()  # the upload itself, 1920×1080
    page.wait_for_function(
        f"() => document.querySelector('{PLAYER}').contentDocument"
        ".querySelector('video').videoWidth === 1920"
    )
    player.get_by_role("button", name="Overlay off").click()
    page.wait_for_function(
        f"() => document.querySelector('{PLAYER}').contentDocument"
        ".querySelector('video').videoWidth === 960"
    )


def _metric(page, label: str) -> str:
    return (
        page.locator('[data-testid="stMetric"]', has_text=label)
        .locator('[data-testid="stMetricValue"]')
        .inner_text()
    )


def test_live_page_sends_the_fake_camera_through_the_processor(page):
    page.goto("/webcam")
    wait_app(page)
    screenshot(page, "live-idle", PHONE)
    frame = page.frame_locator('iframe[title*="webrtc_streamer"]')
    frame.get_by_role("button", name="START").click()

    # processed frames come back: 480 rows of camera plus the status bar the processor draws
    frame.locator("video").first.wait_for()
    page.wait_for_function(
        """() => [...document.querySelectorAll('iframe')].some(f => {
             const v = f.contentDocument && f.contentDocument.querySelector('video');
             return v && v.readyState >= 2 && v.videoHeight > 480; })""",
        timeout=60_000,
    )
    bar = frame.locator("video").first.evaluate(CORNER_PIXEL_JS)
    assert bar["w"] == 640 and bar["h"] > 480
    rgb = bar["px"][:3]
    assert any(
        max(abs(a - b) for a, b in zip(rgb, c, strict=True)) < 40
        for c in (OK_COLOUR, ACTION_COLOUR)
    ), rgb

    # the counters beside the video update while it runs
    page.locator('[data-testid="stMetric"]', has_text="Time in view").wait_for(timeout=30_000)
    first = int(_metric(page, "Frames processed"))
    page.wait_for_function(FRAMES_ABOVE_JS, arg=first + 5, timeout=30_000)
    assert _metric(page, "Subject") == "in view"
    assert float(_metric(page, "Time in view").split()[0]) > 0
    screenshot(page, "live-running", DESKTOP)
    screenshot(page, "live-running", PHONE)

    frame.get_by_role("button", name="STOP").click()
    page.get_by_role("heading", name="Session summary").wait_for(timeout=30_000)
    assert int(_metric(page, "Flags")) >= 0
    screenshot(page, "live-summary", DESKTOP)


def test_screenshots_of_each_page(page):
    for path, name in (
        ("/", "guide"),
        ("/analyse", "analyse-upload"),
        ("/webcam", "live-idle"),
        ("/history", "history"),
    ):
        page.goto(path)
        wait_app(page)
        for viewport in (DESKTOP, PHONE):
            shot = screenshot(page, name, viewport)
            assert shot.stat().st_size > 10_000
