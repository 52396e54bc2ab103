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


def write_camera_clip(clip: Path, path: Path, size: tuple[int, int], every: int = 1) -> Path:
    """``clip`` as a ``size`` (width, height), 30 fps Y4M file for Chromium's fake camera,
    letterboxed so the person keeps their proportions; ``every`` keeps one frame in that
    many."""
    width, height = size
    out = av.open(str(path), "w", format="yuv4mpegpipe")
    stream = out.add_stream("rawvideo", rate=30)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    with VideoReader(clip) as reader:
        for frame in reader:
            if frame.index % every:
                continue
            h0, w0 = frame.image.shape[:2]
            scale = min(width / w0, height / h0)
            w, h = round(w0 * scale), round(h0 * scale)
            canvas = np.zeros((height, width, 3), np.uint8)
            top, left = (height - h) // 2, (width - w) // 2
            canvas[top : top + h, left : left + w] = cv2.resize(
                frame.image, (w, h), interpolation=cv2.INTER_AREA
            )
            for packet in stream.encode(av.VideoFrame.from_ndarray(canvas, format="rgb24")):
                out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


@pytest.fixture(scope="session")
def fake_camera_clip(tmp_path_factory, walk_side_clip) -> Path:
    """The walk clip as a 640×480, 30 fps Y4M file (59.7 fps → 30)."""
    path = tmp_path_factory.mktemp("camera") / "clip.y4m"
    return write_camera_clip(walk_side_clip, path, (640, 480), every=2)


def launch_chromium(pw, camera_clip: Path):
    """Headless Debian Chromium whose fake camera plays ``camera_clip`` (in a loop)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make chromium` (as root) or apt-get install chromium"
        )
    return pw.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_clip}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the session (its sync API runs once per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_driver, fake_camera_clip):
    b = launch_chromium(playwright_driver, fake_camera_clip)
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
