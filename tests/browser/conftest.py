"""A real app server and Debian's Chromium driven by Playwright.

The server is ``streamlit run app.py`` on a free port with its own empty ``GAITLAB_HOME``;
Chromium is ``/usr/bin/chromium`` from apt (``make chromium`` installs it; Playwright's own
browser download is never used), started headless with the flags that work on a closed
network, and with a fake camera that plays a real clip (``clip.y4m``, 640×480).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from browserkit import CHROMIUM_FLAGS, DESKTOP, serve_app

from gaitlab.io.video import VideoReader

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[str]:
    """``streamlit run app.py`` in a subprocess with an empty home; yields its base URL."""
    with serve_app(tmp_path_factory.mktemp("gaitlab_home")) as url:
        yield url


@pytest.fixture(scope="session")
def fake_camera_clip(tmp_path_factory, walk_side_clip) -> Path:
    """The walk clip as a 640×480, 30 fps Y4M file for Chromium's fake camera (letterboxed,
    so the person keeps their proportions)."""
    path = tmp_path_factory.mktemp("camera") / "clip.y4m"
    out = av.open(str(path), "w", format="yuv4mpegpipe")
    stream = out.add_stream("rawvideo", rate=30)
    stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
    with VideoReader(walk_side_clip) as reader:
        for frame in reader:
            if frame.index % 2:  # 59.7 fps → 30
                continue
            h = round(640 * frame.image.shape[0] / frame.image.shape[1])
            canvas = np.zeros((480, 640, 3), np.uint8)
            top = (480 - h) // 2
            canvas[top : top + h] = cv2.resize(frame.image, (640, h), interpolation=cv2.INTER_AREA)
            for packet in stream.encode(av.VideoFrame.from_ndarray(canvas, format="rgb24")):
                out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


@pytest.fixture(scope="session")
def browser(fake_camera_clip):
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make chromium` (as root) or apt-get install chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                *CHROMIUM_FLAGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={fake_camera_clip}",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport=DESKTOP, base_url=app_server)
    context.grant_permissions(["camera"])
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
