"""The Live page with a phone held upright: a portrait camera reaches the analysis whole.

Asking the browser for 640×480 made it crop a portrait camera to landscape (a 360×640 camera
came back 360×480, head and feet cut off). The fake camera here plays a real portrait clip
(a man running on a treadmill, 720×1280, letterboxed into 360×640)."""

from __future__ import annotations

import pytest
from browserkit import DESKTOP, PHONE, screenshot, wait_app
from conftest import launch_chromium, write_camera_clip

#: The size of the first playing <video> in the webrtc component: (camera sent, processed back).
VIDEO_SIZES_JS = """() => {
  const f = [...document.querySelectorAll('iframe')].find(f => f.title.includes('webrtc'));
  const v = f && f.contentDocument && f.contentDocument.querySelector('video');
  return v && v.readyState >= 2 ? [v.videoWidth, v.videoHeight] : null;
}"""


@pytest.fixture(scope="module")
def portrait_page(playwright_driver, app_server, run_treadmill_clip, tmp_path_factory):
    clip = tmp_path_factory.mktemp("portrait") / "portrait.y4m"
    write_camera_clip(run_treadmill_clip, clip, (360, 640), every=3)  # 4 s at 30 fps
    browser = launch_chromium(playwright_driver, clip)
    context = browser.new_context(viewport=DESKTOP, base_url=app_server)
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    browser.close()


def _metric(page, label: str) -> str:
    return (
        page.locator('[data-testid="stMetric"]', has_text=label)
        .locator('[data-testid="stMetricValue"]')
        .inner_text()
    )


def test_a_portrait_camera_is_analysed_whole_and_the_rate_is_shown(portrait_page):
    page = portrait_page
    page.goto("/webcam")
    wait_app(page)
    frame = page.frame_locator('iframe[title*="webrtc_streamer"]')
    frame.get_by_role("button", name="START").click()
    frame.locator("video").first.wait_for()
    page.wait_for_function(VIDEO_SIZES_JS, timeout=60_000)
    page.wait_for_function(
        f"() => {{ const s = ({VIDEO_SIZES_JS})(); return s && s[1] > 640; }}", timeout=60_000
    )
    width, height = page.evaluate(VIDEO_SIZES_JS)
    # the whole 360×640 picture came through (not cropped to 4:3), with the status bar below
    assert width == 360 and height > 640, (width, height)

    page.locator('[data-testid="stMetric"]', has_text="Per frame").wait_for(timeout=30_000)
    assert _metric(page, "Subject") == "in view"
    fps = _metric(page, "Analysed")
    assert fps.endswith(" fps") and float(fps.split()[0]) > 0
    assert _metric(page, "Per frame").endswith(" ms")
    screenshot(page, "live-portrait", DESKTOP)
    screenshot(page, "live-portrait", PHONE)
    stop = frame.get_by_role("button", name="STOP")
    # STOP lies wholly inside the component's frame (it used to be cut off at its bottom)
    inside = stop.evaluate("b => b.getBoundingClientRect().bottom <= window.innerHeight")
    assert inside
    stop.click()
    page.get_by_role("heading", name="Session summary").wait_for(timeout=30_000)
