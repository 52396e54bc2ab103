"""User text made inert for Streamlit's markdown, and the app's upload limit on the command
line (the browser side of both: tests/browser/test_trust_browser.py)."""

from __future__ import annotations

import html
import re

import pytest

from gaitlab.app.safe_text import md
from gaitlab.cli import app as app_cli
from gaitlab.cli.main import main

SYNTAX = set("\\`*_{}[]()<>#+-.!|~$:&=^\"'@/%")


@pytest.mark.parametrize(
    "text",
    [
        "[click](http://evil.example)",
        "<img src=x onerror=alert(1)>",
        "**Ana** _x_ ~~y~~ `z` $x^2$ :red[r] :material/home:",
        "# Heading\n\n- item\n1. one\n===",
        "www.evil.example.org mail@evil.example.com",
        "Zoë O'Brien-Smith 3.5 km",
    ],
)
def test_md_leaves_no_syntax_and_decodes_to_the_text(text):
    out = md(text)
    assert not SYNTAX & set(re.sub(r"&#\d+;", "", out))
    assert html.unescape(out).replace("\u2060", "") == text


def test_addresses_are_broken_for_the_autolinker():
    decoded = html.unescape(md("see http://e.org, www.e.org or a@e.org"))
    assert "http:" not in decoded and "www." not in decoded and "a@" not in decoded


def _command(monkeypatch, *argv):
    seen = []
    monkeypatch.setattr(app_cli.subprocess, "call", lambda cmd, **_: seen.append(cmd) or 0)
    assert main(["app", "--headless", *argv]) == 0
    cmd = seen[0]
    return dict(zip(cmd[5::2], cmd[6::2], strict=False)), cmd


def test_upload_limit_reaches_streamlit(monkeypatch):
    options, cmd = _command(monkeypatch)
    assert options["--server.maxUploadSize"] == str(app_cli.DEFAULT_MAX_UPLOAD_MB) == "500"
    options, cmd = _command(monkeypatch, "--max-upload-mb", "50")
    assert options["--server.maxUploadSize"] == "50"
    assert options["--server.address"] == "127.0.0.1"


@pytest.mark.parametrize("value", ["0", "-5", "lots", "20000"])
def test_bad_upload_limit_is_a_usage_error(value, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["app", "--max-upload-mb", value])
    assert stop.value.code == 2
    assert "--max-upload-mb" in capsys.readouterr().err
