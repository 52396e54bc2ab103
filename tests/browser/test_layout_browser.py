"""Layout and small fixes in Debian's Chromium at desktop (1280×800) and phone (390×844)
widths against an app whose history holds a person: the page links and the person picker in
reach on a phone, the Programme's Start on the first screen and every tab's name in view,
the chosen person kept over a reload and in a new tab, the timer's beep at each change of
step (Web Audio, nothing fetched) and its off switch; screenshots in
tests/browser/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from browserkit import PHONE, screenshot, serve_app, wait_app
from playwright.sync_api import expect
from storekit import make_summary

from gaitlab.store import Store

LAPTOP = {"width": 1280, "height": 800}
DAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PAGES = ("Film", "Analyse a video", "Live", "Programme", "Wet foot test", "History")
TABS = ("Toe yoga", "Short foot", "Calf raises", "Toe splaying", "Barefoot balancing")

#: Counts the tones the page makes: wraps the browser's AudioContext before the app loads.
AUDIO_SPY = """
(() => {
  const Real = window.AudioContext;
  window.__tones = [];
  window.AudioContext = class extends Real {
    createOscillator() {
      const osc = super.createOscillator();
      const start = osc.start.bind(osc);
      osc.start = (...a) => { window.__tones.push(osc.frequency.value); return start(...a); };
      return osc;
    }
  };
})();
"""


@pytest.fixture(scope="module")
def layout_server(tmp_path_factory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("layout_home")
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        ana = store.add_person("Ana Example", sex="female", birth_year=1980)
        for i, reps in enumerate((12, 14, 15)):  # one day, three sessions
            summary = make_summary({"reps": reps, "heel_rise_peak_cm": 5.0 + i / 2},
                                   task="calf-raise", view="sagittal_left")  # fmt: skip
            store.save_analysis(summary, ana, recorded_at=DAY + timedelta(hours=2 * i))
    with serve_app(home) as url:
        yield url


def _open(browser, url: str, viewport: dict[str, int], path: str):
    context = browser.new_context(viewport=viewport, base_url=url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(path)
    wait_app(page)
    return context, page


def _in_first_screen(locator, viewport: dict[str, int]) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_programme_start_and_every_tab_in_view(browser, layout_server, viewport):
    context, page = _open(browser, layout_server, viewport, "/programme")
    try:
        main = page.locator('[data-testid="stMain"]')
        start = main.get_by_role("button", name="Start").first
        start.wait_for()
        assert _in_first_screen(start, viewport), start.bounding_box()
        for name in TABS:
            tab = page.get_by_role("tab", name=name)
            box = tab.bounding_box()
            assert box is not None and box["x"] + box["width"] <= viewport["width"], name
            expect(tab).to_have_text(name)  # the whole name, not "Barefo›"
        screenshot(page, "layout-programme", viewport)
    finally:
        context.close()


def test_on_a_phone_the_page_links_and_the_person_are_in_the_page(browser, layout_server):
    context, page = _open(browser, layout_server, PHONE, "/programme")
    try:
        main = page.locator('[data-testid="stMain"]')
        for name in PAGES:
            link = main.get_by_role("link", name=name)
            expect(link).to_be_visible()
            assert _in_first_screen(link, PHONE), name
        expect(page.locator('[data-testid="stSidebar"]')).not_to_be_in_viewport()
        main.get_by_role("button", name="Nobody chosen").click()
        page.get_by_role("dialog").locator('[data-testid="stSelectbox"]').click()
        page.get_by_role("option", name="Ana Example").click()
        wait_app(page)
        expect(main.get_by_role("button", name="Ana Example")).to_be_visible()
        main.get_by_role("link", name="Live").click()
        wait_app(page)
        expect(main.get_by_role("button", name="Ana Example")).to_be_visible()
        screenshot(page, "layout-live-person", PHONE)
    finally:
        context.close()


def test_on_a_laptop_the_page_links_are_only_in_the_top_bar(browser, layout_server):
    context, page = _open(browser, layout_server, LAPTOP, "/programme")
    try:
        main = page.locator('[data-testid="stMain"]')
        expect(
            page.locator('[data-testid="stTopNavLink"]').filter(has_text="History")
        ).to_be_visible()
        expect(main.get_by_role("link", name="History")).to_be_hidden()
        expect(main.get_by_role("button", name="Nobody chosen")).to_be_hidden()
    finally:
        context.close()


def test_the_chosen_person_is_kept_over_a_reload_and_in_a_new_tab(browser, layout_server):
    context, page = _open(browser, layout_server, LAPTOP, "/programme")
    try:
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.locator('[data-testid="stSelectbox"]').click()
        page.get_by_role("option", name="Ana Example").click()
        sidebar.get_by_text("Female · born 1980").wait_for()
        wait_app(page)
        page.reload()
        wait_app(page)
        sidebar.get_by_text("Female · born 1980").wait_for()  # Ana's facts: still chosen

        other = context.new_page()  # a new tab: a new Streamlit session
        other.goto("/webcam")
        wait_app(other)
        bar = other.locator('[data-testid="stSidebar"]')
        expect(bar.get_by_text("Female · born 1980")).to_be_visible()

        bar.locator('[data-testid="stSelectbox"]').click()  # nobody: forgotten as well
        other.get_by_role("option", name="Nobody chosen").click()
        expect(bar.get_by_text("Female · born 1980")).to_be_hidden()
        wait_app(other)
        other.reload()
        wait_app(other)
        bar.locator('[data-testid="stSelectbox"]').wait_for()
        expect(bar.get_by_text("Female · born 1980")).to_be_hidden()
    finally:
        context.close()


def test_the_timer_beeps_at_each_new_step_until_the_sound_is_off(browser, layout_server):
    context = browser.new_context(viewport=LAPTOP, base_url=layout_server)
    context.add_init_script(AUDIO_SPY)
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((layout_server, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    try:
        page.goto("/programme")
        wait_app(page)
        panel = page.get_by_role("tabpanel", name="Toe yoga")
        panel.get_by_role("button", name="Start").click()
        panel.get_by_text("Get ready", exact=True).wait_for()
        page.wait_for_timeout(1_500)  # redraws of the first step: no tone
        assert page.evaluate("window.__tones.length") == 0
        # get ready (5 s) → the first hold: one tone, the hold's pitch
        page.wait_for_function("window.__tones.length >= 1", timeout=20_000)
        assert page.evaluate("window.__tones")[0] == 880
        panel.get_by_text("Rep 1 of 10").wait_for()
        page.wait_for_function("window.__tones.length >= 2", timeout=20_000)  # the next step
        panel.get_by_text("Sound", exact=True).click()  # off
        wait_app(page)
        tones = page.evaluate("window.__tones.length")
        panel.get_by_text("Rep 2 of 10").wait_for(timeout=30_000)  # steps later: silent
        assert page.evaluate("window.__tones.length") == tones
        assert outside == []
    finally:
        context.close()
