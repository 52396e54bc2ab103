"""Notes and drawn angles kept with a session: the schema migration that adds them (with its
backup copy), the checks, the angle measured from the points in pixels, record.json, delete,
doctor --repair, backup and restore, and ``gaitlab history notes | note`` (SQLite and a real
PostgreSQL server)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import sqlalchemy as sa
from storekit import PostgresServer, make_summary

from gaitlab.cli.main import main
from gaitlab.store import InputError, NotFoundError, Store
from gaitlab.store.backup import backup, restore
from gaitlab.store.db import create_engine, resolve_url
from gaitlab.store.migrations import current_version, migrate
from gaitlab.store.schema import LATEST_VERSION

VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42 pretend video " * 100
#: A right angle at the middle point of a 1920×1080 frame: (960, 540) → (960, 216) and
#: (1536, 540). In normalised coordinates the two arms look unequal, the angle is still 90°.
RIGHT_ANGLE = [(0.5, 0.2), (0.5, 0.5), (0.8, 0.5)]


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'home' / 'gaitlab.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    monkeypatch.delenv("GAITLAB_HOME", raising=False)


def _save(store: Store, tmp_path: Path, person=None) -> int:
    video = tmp_path / "clip.mp4"
    video.write_bytes(VIDEO_BYTES)
    summary = make_summary({"cadence_spm": 100.0})
    return store.save_analysis(summary, person, files={"annotated.mp4": video})


def _annotate(store: Store, sid: int) -> None:
    store.add_annotation(sid, "note", text="Tired today <b>not bold</b>", author="Dr Lee")
    store.add_annotation(sid, "note", text="late heel strike", t_s=1.5, frame=45, author="Ana")
    store.add_annotation(
        sid, "angle", t_s=1.0, frame=30, points=RIGHT_ANGLE, image_size=(1920, 1080)
    )
    store.add_annotation(
        sid, "line", t_s=2.0, frame=60, points=[(0.5, 0.1), (0.6, 0.9)],
        reference="vertical", image_size=(1080, 1920), author="Dr Lee",
    )  # fmt: skip


def _kept(store: Store, sid: int) -> list[tuple]:
    return [
        (a.kind, a.t_s, a.frame, a.text, a.points, a.reference, a.angle_deg, a.author)
        for a in store.annotations(sid)
    ]


def test_annotations_are_measured_ordered_and_kept_in_the_record(db_url, home, tmp_path):
    with Store.open(url=db_url, home=home) as store:
        sid = _save(store, tmp_path)
        _annotate(store, sid)
        found = store.annotations(sid)
        # session notes first, then by time in the video
        assert [(a.kind, a.t_s) for a in found] == [
            ("note", None), ("angle", 1.0), ("note", 1.5), ("line", 2.0),
        ]  # fmt: skip
        assert found[1].angle_deg == 90.0  # in pixels, not in stretched normalised units
        # a line 108 px across over 1536 px down leans atan(108/1536) = 4.02° off vertical
        assert found[3].angle_deg == pytest.approx(math.degrees(math.atan(108 / 1536)), abs=0.01)
        assert found[0].text == "Tired today <b>not bold</b>"  # kept as written, escaped when shown
        assert found[0].author == "Dr Lee" and found[0].created_at.tzinfo is not None
        record = json.loads((home / "sessions" / str(sid) / "record.json").read_text())
        assert [a["kind"] for a in record["annotations"]] == ["note", "angle", "note", "line"]
        assert record["files"]["annotated.mp4"] == len(VIDEO_BYTES)  # the rest of it kept

        edited = store.edit_annotation(found[2].id, "heel strike late on the left")
        assert edited.text == "heel strike late on the left" and edited.edited_at is not None
        store.delete_annotation(found[1].id)
        record = json.loads((home / "sessions" / str(sid) / "record.json").read_text())
        assert [a["kind"] for a in record["annotations"]] == ["note", "note", "line"]
        assert record["annotations"][1]["text"] == "heel strike late on the left"
        with pytest.raises(NotFoundError, match=f"no annotation {found[1].id}"):
            store.delete_annotation(found[1].id)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "note", "text": "   "}, "needs some text"),
        ({"kind": "note", "text": "x" * 4001}, "at most 4000 characters"),
        ({"kind": "sketch", "text": "x"}, "kind must be one of"),
        ({"kind": "note", "text": "x", "t_s": -1.0}, "cannot be negative"),
        ({"kind": "note", "text": "x", "t_s": float("nan")}, "number of seconds"),
        ({"kind": "angle", "points": RIGHT_ANGLE, "image_size": (640, 480)}, "needs the time"),
        (
            {"kind": "angle", "t_s": 1.0, "points": RIGHT_ANGLE[:2], "image_size": (640, 480)},
            "needs 3 points",
        ),
        (
            {
                "kind": "angle",
                "t_s": 1.0,
                "points": [(0.5, 1.2), (0.5, 0.5), (0.1, 0.1)],
                "image_size": (640, 480),
            },
            "on the frame",
        ),
        (
            {
                "kind": "angle",
                "t_s": 1.0,
                "points": [(0.5, 0.5), (0.5, 0.5), (0.1, 0.1)],
                "image_size": (640, 480),
            },
            "the same",
        ),
        (
            {"kind": "line", "t_s": 1.0, "points": RIGHT_ANGLE[:2], "image_size": (640, 480)},
            "vertical or the horizontal",
        ),
        ({"kind": "angle", "t_s": 1.0, "points": RIGHT_ANGLE, "image_size": (0, 480)}, "not a"),
    ],
)
def test_bad_annotations_are_refused_with_a_reason(kwargs, match, home, tmp_path):
    with Store.open(home=home) as store:
        sid = _save(store, tmp_path)
        kind = kwargs.pop("kind")
        with pytest.raises(InputError, match=match):
            store.add_annotation(sid, kind, **kwargs)
        assert store.annotations(sid) == []
        with pytest.raises(NotFoundError, match="no session 99"):
            store.add_annotation(99, "note", text="x")


def test_deleting_a_session_or_its_person_deletes_its_annotations(db_url, home, tmp_path):
    with Store.open(url=db_url, home=home) as store:
        ana = store.add_person("Ana")
        first, second, third = (_save(store, tmp_path, ana) for _ in range(3))
        for sid in (first, second, third):
            _annotate(store, sid)
        store.delete_session(first)
        with store.engine.connect() as conn:
            left = conn.execute(sa.text("SELECT DISTINCT session_id FROM annotations")).scalars()
            assert sorted(left) == [second, third]
        store.delete_person(ana)
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM annotations")).scalar() == 0


def test_doctor_repair_rebuilds_the_annotations_from_the_record(db_url, home, tmp_path, capsys):
    with Store.open(url=db_url, home=home) as store:
        sid = _save(store, tmp_path, store.add_person("Ana"))
        _annotate(store, sid)
        before = _kept(store, sid)
        with store.engine.begin() as conn:  # the database loses the session
            for table in ("annotations", "session_metrics"):
                conn.execute(sa.text(f"DELETE FROM {table} WHERE session_id = {sid}"))
            conn.execute(sa.text(f"DELETE FROM sessions WHERE id = {sid}"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAITLAB_HOME", str(home))
        mp.setenv("GAITLAB_DB_URL", db_url)
        assert main(["history", "doctor", "--repair"]) == 0
    assert f"session {sid}: indexed again" in capsys.readouterr().out
    with Store.open(url=db_url, home=home) as store:
        assert _kept(store, sid) == before


def test_backup_and_restore_keep_the_annotations(db_url, home, tmp_path):
    with Store.open(url=db_url, home=home) as store:
        sid = _save(store, tmp_path, store.add_person("Ana"))
        _annotate(store, sid)
        before = [a.to_dict() for a in store.annotations(sid)]
        backup(store, tmp_path / "b.tar.gz")
    new_home = tmp_path / "restored"
    restore(tmp_path / "b.tar.gz", home=new_home, url=f"sqlite:///{new_home / 'gaitlab.db'}")
    with Store.open(url=f"sqlite:///{new_home / 'gaitlab.db'}", home=new_home) as store:
        assert [a.to_dict() for a in store.annotations(sid)] == before
        added = store.add_annotation(sid, "note", text="after the restore")
        assert added.id == max(a["id"] for a in before) + 1


def test_restore_into_postgresql_keeps_annotations_and_moves_the_sequence(postgres, home, tmp_path):
    with Store.open(home=home) as store:
        sid = _save(store, tmp_path)
        _annotate(store, sid)
        backup(store, tmp_path / "b.tar.gz")
    url = postgres.new_database()
    restore(tmp_path / "b.tar.gz", home=tmp_path / "pg_home", url=url)
    with Store.open(url=url, home=tmp_path / "pg_home") as store:
        assert len(store.annotations(sid)) == 4
        assert store.add_annotation(sid, "note", text="new").id == 5


def test_a_version_2_history_migrates_with_a_copy_first(home, tmp_path):
    url = sa.make_url(f"sqlite:///{home / 'gaitlab.db'}")
    engine = create_engine(resolve_url(str(url), home))
    assert migrate(engine, target=2) == (0, 2)
    engine.dispose()
    # a v2 history with a saved session (the v2 code wrote the same sessions table)
    with Store.open(url=url, home=home, migrate=False) as old:
        sid = _save(old, tmp_path)
        assert old.schema_version() == 2
    with Store.open(url=url, home=home) as store:
        assert store.schema_version() == LATEST_VERSION == 3
        assert store.annotations(sid) == []
        store.add_annotation(sid, "note", text="first note on an old session")
        assert [a.text for a in store.annotations(sid)] == ["first note on an old session"]
    copies = list(home.glob("gaitlab.db.before-v3-*"))
    assert len(copies) == 1
    copy = create_engine(sa.make_url(f"sqlite:///{copies[0]}"))
    with copy.connect() as conn:
        assert current_version(conn) == 2
        assert not sa.inspect(conn).has_table("annotations")
        assert conn.execute(sa.text("SELECT id FROM sessions")).scalars().all() == [sid]
    copy.dispose()


def test_cli_notes_and_note(home, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GAITLAB_HOME", str(home))
    with Store.open(home=home) as store:
        sid = _save(store, tmp_path)
    assert main(["history", "notes", str(sid)]) == 0
    assert "no notes on session" in capsys.readouterr().out
    assert main(["history", "note", str(sid), "Knee \x1b[31mdrifts", "--at", "1.25"]) == 0
    assert main(["history", "note", str(sid), "Good session", "--by", "Dr Lee"]) == 0
    out = capsys.readouterr().out
    assert "added note 1" in out and "\x1b" not in out  # terminal codes never printed
    assert main(["history", "notes", str(sid)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2  note  session · Good session · by Dr Lee")
    assert lines[1].startswith("1  note  at 1.25 s · Knee")
    assert main(["history", "notes", str(sid), "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert [(a["t_s"], a["author"]) for a in saved] == [
        (None, "Dr Lee"),
        (1.25, saved[1]["author"]),
    ]
    out = tmp_path / "session.json"
    assert main(["export", str(sid), "--format", "json", "--out", str(out)]) == 0
    capsys.readouterr()
    exported = json.loads(out.read_text())["session"]["annotations"]
    assert [a["text"] for a in exported] == ["Good session", "Knee \x1b[31mdrifts"]
    assert main(["history", "note", str(sid), "late", "--at", "99"]) == 1
    assert "outside the recording" in capsys.readouterr().err
    assert main(["history", "note", "77", "x"]) == 1
    assert "no session 77" in capsys.readouterr().err
