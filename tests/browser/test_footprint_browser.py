"""The Wet foot test page in Debian's Chromium against its own app server: upload a sheet
with both feet (an ink-mat form, synthetic: no licensed real photo is known), read both
feet and their difference off the page, keep the result in the history and find it there
with its overlay; the three reference prints are shown.
Screenshots in tests/browser/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import pytest
from browserkit import DESKTOP, PHONE, screenshot, serve_app, wait_app

from gaitlab.store import Store
from gaitlab.testing.footprints import FootprintShape, both_feet, make_print, render_sheet


@pytest.fixture(scope="module")
def footprint_server(tmp_path_factory) -> Iterator[tuple[str, object]]:
    home = tmp_path_factory.mktemp("footprint_home")
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        store.add_person("Ana Example", sex="female", birth_year=1980)
    with serve_app(home) as url:
        yield url, home


@pytest.fixture(scope="module")
def sheet_photo(tmp_path_factory):
    left = make_print(FootprintShape(side="left", midfoot_width_mm=0.0, seed=3))
    right = make_print(FootprintShape(side="right", midfoot_width_mm=70.0, seed=4))
    img, _ = render_sheet(
        both_feet(left, right), print_texture="grid", sheet_marks=True, tilt_deg=8, seed=1
    )
    path = tmp_path_factory.mktemp("photo") / "sheet.jpg"
    cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def test_upload_a_sheet_read_both_feet_and_keep_it(browser, footprint_server, sheet_photo):
    url, home = footprint_server
    context = browser.new_context(viewport=DESKTOP, base_url=url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto("/footprint")
        wait_app(page)
        page.get_by_text("The three prints").wait_for()
        for caption in ("Normal arch:", "Flat (collapsed) arch:", "High arch:"):
            page.get_by_text(caption, exact=False).first.wait_for()
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
        page.get_by_role("option", name="Ana Example").click()
        wait_app(page)
        page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(sheet_photo))
        page.get_by_text("Left minus right:").wait_for()
        table = page.locator('[data-testid="stDataFrame"]')
        table.wait_for()
        page.get_by_text("What was measured").wait_for()
        screenshot(page, "footprint-result", DESKTOP)
        screenshot(page, "footprint-result", PHONE)
        page.get_by_role("button", name="Save to the history (Ana Example)").click()
        page.get_by_text("Saved to the history as session #1.").wait_for()
        # the history keeps it: its overlay and each foot's indices under Details
        page.goto("/history")
        wait_app(page)
        page.get_by_text("footprint", exact=False).first.wait_for()
        page.get_by_text("Details").first.click()
        page.get_by_text("What was measured").wait_for()
        page.get_by_text("Left minus right:").wait_for()
        screenshot(page, "footprint-history", DESKTOP)
    finally:
        context.close()
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        saved = store.session(1)
        assert saved.task == "footprint" and saved.person.name == "Ana Example"
        assert saved.metrics["arch_type_left"] == "high"
        assert saved.metrics["arch_type_right"] == "collapsed"
        assert saved.file("overlay.png") is not None
