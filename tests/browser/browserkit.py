"""Helpers for the browser tests: Chromium flags, viewports, waiting, screenshots."""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def wait_app(page) -> None:
    """Wait until Streamlit has rendered and finished running the script."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]')
    page.wait_for_selector('[data-testid="stMain"] h1')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def screenshot(page, name: str, viewport: dict[str, int]) -> Path:
    """A whole-page screenshot at ``viewport``'s width (Streamlit scrolls inside its main
    container, so the viewport is stretched to the content's height first)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size(viewport)
    page.wait_for_timeout(500)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.wait_for_timeout(800)
    path = SCREENSHOTS / f"{name}-{viewport['width']}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)
    return path
