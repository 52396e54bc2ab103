"""Accounts for the app served beyond this computer: ``gaitlab users``, passwords kept as
Argon2id hashes, ``gaitlab app --host`` refusing to serve other computers without accounts,
and in the app (Streamlit's AppTest) signing in, a clinician seeing everyone and a patient
only their own sessions and uploads."""

from __future__ import annotations

import html
import io
import json
import stat
from pathlib import Path

import pytest
from storekit import make_summary
from streamlit.testing.v1 import AppTest

from gaitlab.app.auth import FREE_FAILURES
from gaitlab.cli import app as app_cli
from gaitlab.cli.main import main
from gaitlab.programme import schedule
from gaitlab.store import Store
from gaitlab.store.accounts import AccountError, Accounts
from gaitlab.store.uploads import Uploads

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GAITLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    return tmp_path / "home"


def _add(monkeypatch, *argv: str, password: str = PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["users", "add", *argv, "--password-stdin"])


def test_users_add_keeps_only_a_hash_in_a_private_file(home, monkeypatch, capsys):
    with Store.open() as store:
        ana = store.add_person("Ana")
    assert _add(monkeypatch, "dr-lee", "--role", "clinician") == 0
    assert _add(monkeypatch, "ana", "--role", "patient", "--person-id", str(ana.id)) == 0
    path = home / "accounts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert PASSWORD not in text
    assert all(e["hash"].startswith("$argon2id$") for e in json.loads(text)["accounts"])
    accounts = Accounts()
    assert accounts.check("dr-lee", PASSWORD).role == "clinician"
    assert accounts.check("ana", PASSWORD).person_id == ana.id
    assert accounts.check("ana", PASSWORD + "x") is None
    assert accounts.check("nobody", PASSWORD) is None
    capsys.readouterr()
    bad = [
        (("dr-lee", "--role", "clinician"), "already exists"),
        (("bo", "--role", "patient"), "needs --person-id"),
        (("bo", "--role", "patient", "--person-id", "99"), "no person with id 99"),
        (("bo", "--role", "clinician", "--person-id", str(ana.id)), "takes none"),
    ]
    for argv, why in bad:
        assert _add(monkeypatch, *argv) == 1
        assert why in capsys.readouterr().err
    assert _add(monkeypatch, "bo", "--role", "clinician", password="short") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert main(["users", "remove", "dr-lee"]) == 0
    assert [a.name for a in Accounts().list()] == ["ana"]
    with pytest.raises(AccountError, match="no account named"):
        Accounts().remove("dr-lee")


def test_serving_other_computers_needs_accounts(home, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(app_cli.subprocess, "call", lambda cmd, **_: started.append(cmd) or 0)
    for host in ("0.0.0.0", "192.168.1.20", "example.org"):
        assert main(["app", "--headless", "--host", host]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "gaitlab users add" in err
    assert started == []
    for host in ("127.0.0.1", "localhost", "::1"):  # this computer only: no accounts needed
        assert main(["app", "--headless", "--host", host]) == 0
    assert _add(monkeypatch, "dr-lee", "--role", "clinician") == 0
    assert main(["app", "--headless", "--host", "0.0.0.0"]) == 0
    assert started[-1][started[-1].index("--server.address") + 1] == "0.0.0.0"


# -- in the app -----------------------------------------------------------------------------------
def _shown(at: AppTest, kind: str) -> list[str]:
    return [html.unescape(str(e.value)).replace("\u2060", "") for e in at.get(kind)]


@pytest.fixture
def clinic(home, monkeypatch):
    """Ana (a patient account) and Ben, each with a session and an upload; Dr Lee."""
    with Store.open() as store:
        ana, ben = store.add_person("Ana"), store.add_person("Ben")
        store.save_analysis(make_summary({"cadence_spm": 101.0}, path="/v/ana walk.mp4"), ana)
        store.save_analysis(make_summary({"cadence_spm": 99.0}, path="/v/ben walk.mp4"), ben)
    uploads = {}
    for who in (ana, ben):
        request = {"task": "walk", "subject": "auto", "created": "2025-03-01T09:30:00",
                   "person_id": who.id, "person_name": who.name}  # fmt: skip
        uploads[who.name] = Uploads(home / "uploads").add(
            f"{who.name} upload.mp4", b"video", request, {"state": "error", "message": "x"}
        )
    Accounts().add("dr-lee", "clinician", PASSWORD)
    Accounts().add("ana", "patient", PASSWORD, ana.id)
    return uploads


def _signed_in(name: str, page: str = "history", **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert [t.value for t in at.title] == ["Sign in"] and not at.tabs
    at.text_input(key="sign-in-name").input(name)
    at.text_input(key="sign-in-password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(f"gaitlab/app/{page}.py")
    at.query_params.update(query)
    return at.run()


def test_nothing_is_shown_before_signing_in(clinic):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert [t.value for t in at.title] == ["Sign in"]
    at.text_input(key="sign-in-name").input("dr-lee")
    at.text_input(key="sign-in-password").input("not the password")
    at.button[0].click().run()
    assert _shown(at, "error") == ["Wrong name or password."]
    assert [t.value for t in at.title] == ["Sign in"] and not at.selectbox


def test_a_clinician_sees_everyone(clinic):
    at = _signed_in("dr-lee")
    captions = " ".join(_shown(at, "caption"))
    assert "ana walk.mp4" in captions and "ben walk.mp4" in captions
    markdown = " ".join(_shown(at, "markdown"))
    assert "Ana upload.mp4" in markdown and "Ben upload.mp4" in markdown


def test_a_patient_sees_only_their_own_sessions_and_uploads(clinic):
    at = _signed_in("ana")
    captions = " ".join(_shown(at, "caption"))
    assert "ana walk.mp4" in captions and "ben walk.mp4" not in captions
    assert "Signed in as ana (patient" in captions
    assert [s.label for s in at.selectbox] == ["Measure"]  # no person picker: no way to Ben
    markdown = " ".join(_shown(at, "markdown"))
    assert "Ana upload.mp4" in markdown and "Ben upload.mp4" not in markdown
    other = _signed_in("ana", "analyse", result=clinic["Ben"])
    assert any("No result" in e for e in _shown(other, "error"))
    own = _signed_in("ana", "analyse", result=clinic["Ana"])
    assert "Ana upload.mp4" in " ".join(_shown(own, "subheader"))


def test_guessing_a_password_is_slowed_down(clinic, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(schedule, "CLOCK", lambda: clock[0])
    Accounts().add("guessed", "clinician", PASSWORD)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()

    def attempt(password: str) -> list[str]:
        at.text_input(key="sign-in-name").input("guessed")
        at.text_input(key="sign-in-password").input(password)
        at.button[0].click().run()
        return _shown(at, "error")

    for _ in range(FREE_FAILURES):
        assert attempt("a wrong guess") == ["Wrong name or password."]
    assert attempt(PASSWORD) == ["Too many failed sign-ins for this name: try again in 1 s."]
    clock[0] += 1.0
    assert attempt("a wrong guess") == ["Wrong name or password."]
    assert attempt(PASSWORD) == ["Too many failed sign-ins for this name: try again in 2 s."]
    clock[0] += 2.0
    assert attempt(PASSWORD) == []
    assert "Sign in" not in [t.value for t in at.title]
