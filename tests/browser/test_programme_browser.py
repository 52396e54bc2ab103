"""The Programme page in Debian's Chromium against its own app server: choose the person,
run a short guided timer to the end, log it, find it in the History; screenshots at desktop
and phone widths while the timer runs and after logging (tests/browser/screenshots/)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browserkit import DESKTOP, PHONE, screenshot, serve_app, wait_app
from playwright.sync_api import expect

from gaitlab.store import Store

TIMER_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def programme_server(tmp_path_factory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("programme_home")
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        store.add_person("Ana Example", sex="female", birth_year=1980)
    with serve_app(home) as url:
        yield url


def _set_number(panel, label: str, value: str) -> None:
    box = panel.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    expect(box).to_have_value(value)


def test_programme_timer_runs_and_is_logged_to_the_history(browser, programme_server):
    context = browser.new_context(viewport=DESKTOP, base_url=programme_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto("/programme")
        wait_app(page)
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
        page.get_by_role("option", name="Ana Example").click()
        page.get_by_text("Female · born 1980").wait_for()
        wait_app(page)

        page.get_by_role("tab", name="Toe splaying").click()
        panel = page.get_by_role("tabpanel", name="Toe splaying")
        panel.get_by_text("Spread all five toes as wide as they go").wait_for()
        _set_number(panel, "Hold (s)", "3")
        wait_app(page)
        _set_number(panel, "Reps", "3")
        wait_app(page)
        panel.get_by_text("3 reps, 3 s holds, both feet together: 20 s").wait_for()
        panel.get_by_role("button", name="Start").click()

        # the countdown runs in the page: get ready, then the holds, rep by rep
        panel.get_by_text("Get ready", exact=True).wait_for()
        panel.get_by_text("Rep 1 of 3").wait_for(timeout=15_000)
        seconds = panel.locator('[data-testid="stMetric"]', has_text="Seconds left")
        assert int(seconds.locator('[data-testid="stMetricValue"]').inner_text()) in (1, 2, 3)
        screenshot(page, "programme-timer", DESKTOP)
        screenshot(page, "programme-timer", PHONE)
        panel.get_by_text(re.compile(r"^Timer finished: 15 s, 3/3 reps, 3 s holds\.$")).wait_for(
            timeout=TIMER_TIMEOUT_MS
        )
        screenshot(page, "programme-finished", PHONE)

        notes = panel.get_by_label("Notes (optional)")
        notes.fill("did it standing")
        notes.press("Enter")
        wait_app(page)
        panel.get_by_role("button", name="Log as done").click()
        panel.get_by_text("Saved to the history for Ana Example as session #1.").wait_for()
        screenshot(page, "programme-logged", DESKTOP)
        screenshot(page, "programme-logged", PHONE)

        panel.get_by_role("link", name="See it in the history").click()
        wait_app(page)
        page.get_by_text("Toe splaying (programme)").wait_for()
        page.get_by_text("did it standing · timer: 3/3 reps, 3 s holds").wait_for()

        # calf raises: the camera check is a link to the Analyse page with the task chosen
        page.goto("/programme")
        wait_app(page)
        page.get_by_role("tab", name="Calf raises").click()
        panel = page.get_by_role("tabpanel", name="Calf raises")
        panel.get_by_text("The camera can check this one.").wait_for()
        screenshot(page, "programme-calf-raises", DESKTOP)
        screenshot(page, "programme-calf-raises", PHONE)
        panel.get_by_role("link", name="Analyse a video of it").click()
        page.wait_for_url(re.compile(r"/analyse$"))  # the task left the URL once taken
        wait_app(page)
        task = page.get_by_role("combobox", name="What does the video show?")
        expect(task).to_have_value("Calf raises")
    finally:
        context.close()
