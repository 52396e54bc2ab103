"""What users type stays text, and the app asks nothing of another computer: in Debian's
Chromium against an app server whose history holds a person, a session and notes named to
inject markdown and HTML, every page is opened and every request the browser makes is
recorded."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from browserkit import DESKTOP, serve_app, wait_app
from storekit import make_summary

from gaitlab.store import Store
from gaitlab.store.accounts import Accounts

EVIL_NAME = "[click](http://evil.example) <img src=x onerror=alert(1)> **Ana**"
EVIL_NOTES = "# Heading :red[red] $x^2$ www.evil.example.org mail@evil.example.com"
EVIL_VIDEO = "/videos/<img src=x> [v](evil.example)_week_1.mp4"
EVIL_RESULT = "[x](http://evil.example)"
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("trust_home")
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        who = store.add_person(EVIL_NAME, sex="female", birth_year=1980)
        store.save_analysis(
            make_summary({"cadence_spm": 104.0}, path=EVIL_VIDEO), who, notes=EVIL_NOTES
        )
        store.save_programme_session(who, "toe yoga", 120, EVIL_NOTES)
    with serve_app(home) as url:
        yield url


def _shows(page, text: str) -> None:
    """``text`` is on the page as typed (word joiners, which keep addresses from becoming
    links, are invisible and left out of the comparison)."""
    page.wait_for_function(
        "t => document.querySelector('[data-testid=\"stMain\"]').innerText"
        ".replaceAll('\\u2060', '').includes(t)",
        arg=text,
    )


def _no_injection(page) -> None:
    """Nothing in the page came from the texts: no link away, no image, no maths, no
    heading or colour made of them."""
    main = page.locator('[data-testid="stMain"]')
    hrefs = [a.get_attribute("href") or "" for a in main.locator("a").all()]
    assert not [h for h in hrefs if "evil" in h or "mailto:" in h], hrefs
    assert main.locator('img[src="x"]').count() == 0
    assert main.locator(".katex").count() == 0
    assert main.locator("h1, h2, h3, h4").filter(has_text="Heading").count() == 0
    assert main.locator("strong").filter(has_text="Ana").count() == 0


def test_user_text_is_shown_as_typed_and_no_request_leaves_the_computer(browser, evil_server):
    context = browser.new_context(viewport=DESKTOP, base_url=evil_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto("/history")
        wait_app(page)
        main = page.locator('[data-testid="stMain"]')
        _shows(page, EVIL_NAME)  # everyone's sessions
        _no_injection(page)
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name=EVIL_NAME).click()
        wait_app(page)
        _shows(page, "<img src=x> [v](evil.example)_week_1.mp4")
        _shows(page, EVIL_NOTES)
        _no_injection(page)

        page.goto(f"/analyse?result={quote(EVIL_RESULT)}")
        wait_app(page)
        _shows(page, f"No result '{EVIL_RESULT}' here")
        _no_injection(page)
        main.get_by_text("500MB per file", exact=False).wait_for()  # .streamlit/config.toml

        page.goto("/")  # the sidebar names the chosen person on the other pages
        wait_app(page)
        for path in ("/programme", "/webcam", "/footprint", "/guide"):
            page.goto(path)
            wait_app(page)
            page.wait_for_timeout(1500)  # icons, fonts and components load after the script
            _no_injection(page)
    finally:
        context.close()
    hosts = {urlsplit(u).hostname for u in requests if urlsplit(u).scheme in ("http", "https")}
    assert len(requests) > 20  # the pages, their scripts, fonts and icons were all seen
    assert hosts <= LOCAL_HOSTS, [u for u in requests if urlsplit(u).hostname not in LOCAL_HOSTS]
    assert {urlsplit(u).scheme for u in requests} <= {"http", "ws", "data", "blob"}


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory) -> Iterator[str]:
    """An app whose home has accounts: Dr Lee (clinician) and Ana (patient); Ana and Ben
    each have a session."""
    home = tmp_path_factory.mktemp("accounts_home")
    with Store.open(url=f"sqlite:///{home / 'gaitlab.db'}", home=home) as store:
        ana, ben = store.add_person("Ana"), store.add_person("Ben")
        store.save_analysis(make_summary(path="/v/ana walk.mp4"), ana)
        store.save_analysis(make_summary(path="/v/ben walk.mp4"), ben)
    Accounts(home).add("dr-lee", "clinician", PASSWORD)
    Accounts(home).add("ana", "patient", PASSWORD, ana.id)
    with serve_app(home) as url:
        yield url


def _sign_in(page, name: str, password: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_in_chromium_a_patient_sees_their_own_sessions_only(browser, accounts_server):
    context = browser.new_context(viewport=DESKTOP, base_url=accounts_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    main = page.locator('[data-testid="stMain"]')
    try:
        page.goto("/history")
        wait_app(page)
        assert main.locator("h1").inner_text() == "Sign in"
        assert main.get_by_text("walk.mp4").count() == 0
        _sign_in(page, "ana", "wrong password!")
        main.get_by_text("Wrong name or password.").wait_for()

        _sign_in(page, "ana", PASSWORD)
        page.get_by_text("Signed in as ana (patient").wait_for()  # on the first page
        page.get_by_role("link", name="History").click()
        main.locator("h1", has_text="History").wait_for()
        wait_app(page)
        _shows(page, "ana walk.mp4")
        assert "ben walk.mp4" not in main.inner_text()

        page.get_by_role("button", name="Sign out").click()
        main.locator("h1", has_text="Sign in").wait_for()
        _sign_in(page, "dr-lee", PASSWORD)
        page.get_by_text("Signed in as dr-lee (clinician").wait_for()
        page.get_by_role("link", name="History").click()
        main.locator("h1", has_text="History").wait_for()
        wait_app(page)
        _shows(page, "ben walk.mp4")
        _shows(page, "ana walk.mp4")
    finally:
        context.close()
