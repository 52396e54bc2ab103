"""History integrity: session ids are never handed out twice, a new session never writes
into an existing folder, a lost or emptied database is refused with a way out, and
``gaitlab history doctor | backup | restore`` (SQLite and a real PostgreSQL server)."""

from __future__ import annotations

import io
import json
import os
import tarfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from storekit import PostgresServer, make_summary

from gaitlab.cli.main import main
from gaitlab.store import Store, StoreError
from gaitlab.store.backup import backup, restore

VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42 pretend video " * 100


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


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(VIDEO_BYTES)
    return path


def _save(store: Store, video: Path, value: float, person=None) -> int:
    summary = make_summary({"cadence_spm": value})
    return store.save_analysis(summary, person, files={"annotated.mp4": video}, notes="n")


def _files(home: Path) -> dict[str, bytes]:
    root = home / "sessions"
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    monkeypatch.delenv("GAITLAB_HOME", raising=False)


def _cli(home: Path, *argv: str, url: str | None = None) -> int:
    """``gaitlab ARGV`` with this home (and database)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAITLAB_HOME", str(home))
        if url is not None:
            mp.setenv("GAITLAB_DB_URL", url)
        return main(list(argv))


# -- ids ------------------------------------------------------------------------------------------
def test_ids_are_never_handed_out_twice(db_url, home, video):
    with Store.open(url=db_url, home=home) as store:
        ana = store.add_person("Ana")
        first = _save(store, video, 100.0, ana)
        newest = _save(store, video, 101.0, ana)
        store.delete_session(newest)
        again = _save(store, video, 102.0, ana)
        programme = store.save_programme_session(ana, "toe yoga", 60)
        store.delete_session(programme)
        after = _save(store, video, 103.0)
    assert (first, newest, again, programme, after) == (1, 2, 3, 4, 5)


def test_an_emptied_database_is_refused_and_the_old_session_survives(home, video, capsys):
    with Store.open(home=home) as store:
        sid = _save(store, video, 100.0, store.add_person("Ana"))
    kept = _files(home)
    db = home / "gaitlab.db"
    for extra in ("gaitlab.db-wal", "gaitlab.db-shm"):
        (home / extra).unlink(missing_ok=True)
    db.write_bytes(b"")  # emptied: SQLite takes it for a new database
    with pytest.raises(StoreError, match=r"holds no sessions, but .* holds 1 session folder"):
        Store.open(home=home)
    assert _cli(home, "analyze", str(video), "--out", str(home.parent / "out")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "gaitlab history doctor --repair" in err
    assert _files(home) == kept  # sessions/1: video, summary and record untouched
    db.unlink()  # missing altogether: the same
    with pytest.raises(StoreError, match="lost, emptied or replaced"):
        Store.open(home=home)
    assert _cli(home, "history", "doctor", "--repair") == 0
    with Store.open(home=home) as store:
        s = store.session(sid)
        assert s.person.name == "Ana" and s.notes == "n" and s.metrics["cadence_spm"] == 100.0
        assert _save(store, video, 101.0) == sid + 1
    assert {k: v for k, v in _files(home).items() if k.startswith(f"{sid}/")} == kept


def test_a_new_session_never_writes_into_a_folder_the_database_does_not_know(db_url, home, video):
    with Store.open(url=db_url, home=home) as store:
        _save(store, video, 100.0)
        stray = home / "sessions" / "7"
        stray.mkdir()
        (stray / "annotated.mp4").write_bytes(b"someone's video")
        (home / "sessions" / ".last-session-id").unlink()  # even without the mark
        assert _save(store, video, 101.0) == 8
    assert (stray / "annotated.mp4").read_bytes() == b"someone's video"


# -- doctor ---------------------------------------------------------------------------------------
def test_doctor_reports_and_repairs_what_is_safe(db_url, home, video, capsys):
    with Store.open(url=db_url, home=home) as store:
        ana = store.add_person("Ana", height_cm=168)
        gone, no_summary, orphan = (_save(store, video, v, ana) for v in (1.0, 2.0, 3.0))
    root = home / "sessions"
    (root / str(gone) / "annotated.mp4").unlink()
    for name in ("summary.json", "record.json"):
        (root / str(gone) / name).unlink()
    (root / str(gone)).rmdir()
    (root / str(no_summary) / "summary.json").unlink()
    (root / str(no_summary) / "annotated.mp4").write_bytes(b"cut short")
    with Store.open(url=db_url, home=home) as store, store.engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM session_metrics WHERE session_id = {orphan}"))
        conn.execute(sa.text(f"DELETE FROM sessions WHERE id = {orphan}"))
    old_stage, young_stage = root / ".staging-0123456789ab", root / ".staging-ba9876543210"
    old_stage.mkdir()
    young_stage.mkdir()
    os.utime(old_stage, (time.time() - 7200, time.time() - 7200))

    assert _cli(home, "history", "doctor", url=db_url) == 1
    out = capsys.readouterr().out
    assert f"session {gone}: its folder" in out and "is missing" in out
    assert f"session {no_summary}:" in out and f"sessions/{orphan} is not in the database" in out
    assert "still in progress" in out and "left by a stopped process" in out
    assert f"sessions/{no_summary}/annotated.mp4 is 9 bytes, saved as {len(VIDEO_BYTES)}" in out
    assert old_stage.exists()  # nothing changed without --repair

    assert _cli(home, "history", "doctor", "--repair", url=db_url) == 1  # the lost files stay lost
    out = capsys.readouterr().out
    assert f"session {orphan}: indexed again (person Ana)" in out
    assert not old_stage.exists() and young_stage.exists()
    with Store.open(url=db_url, home=home) as store:
        assert store.session(orphan).metrics["cadence_spm"] == 3.0
        assert store.session(orphan).person.height_cm == 168
        assert json.loads((root / str(no_summary) / "summary.json").read_text())["metrics"] == {
            "cadence_spm": 2.0
        }
        assert store.session(gone).metrics["cadence_spm"] == 1.0  # reported, never dropped


def test_doctor_sets_a_damaged_sqlite_file_aside_and_rebuilds(home, video, capsys):
    with Store.open(home=home) as store:
        sid = _save(store, video, 100.0, store.add_person("Ana"))
    for extra in ("gaitlab.db-wal", "gaitlab.db-shm"):
        (home / extra).unlink(missing_ok=True)
    (home / "gaitlab.db").write_bytes(b"not a database at all " * 500)
    assert _cli(home, "history") == 1
    assert "gaitlab history doctor" in capsys.readouterr().err
    assert _cli(home, "history", "doctor") == 1
    assert "--repair moves it aside" in capsys.readouterr().err
    assert _cli(home, "history", "doctor", "--repair") == 0
    assert len(list(home.glob("gaitlab.db.damaged-*"))) == 1
    with Store.open(home=home) as store:
        assert store.session(sid).person.name == "Ana"


# -- backup and restore ---------------------------------------------------------------------------
def test_backup_and_restore_bring_back_everything(db_url, home, video, tmp_path, capsys):
    with Store.open(url=db_url, home=home) as store:
        ana = store.add_person("Ana", sex="female", birth_year=1950)
        sids = [_save(store, video, v, ana) for v in (100.0, 104.0)]
        store.save_programme_session(ana, "toe yoga", 90, "easier")
        before = [s.to_dict() for s in store.sessions()]
    archive = tmp_path / "b.tar.gz"
    assert _cli(home, "history", "backup", str(archive), url=db_url) == 0
    assert "3 sessions, 1 persons" in capsys.readouterr().out

    new_home = tmp_path / "restored"
    restored = info = restore(archive, home=new_home, url=f"sqlite:///{new_home / 'gaitlab.db'}")
    assert (info.sessions, info.persons) == (3, 1)
    with Store.open(url=f"sqlite:///{new_home / 'gaitlab.db'}", home=new_home) as store:
        after = [s.to_dict() for s in store.sessions()]
        assert store.metric_history("Ana", "cadence_spm")[-1][1] == 104.0
        assert _save(store, video, 1.0) == sids[-1] + 2  # the programme session's id too
    for b, a in zip(before, after, strict=True):
        b.pop("files_dir"), a.pop("files_dir")
        assert a == b
    assert {k: v for k, v in _files(new_home).items() if not k.startswith("4/")} == _files(home)
    assert restored.path == new_home


def test_restore_into_postgresql(postgres, home, video, tmp_path):
    with Store.open(home=home) as store:
        sid = _save(store, video, 100.0, store.add_person("Ana"))
    archive = tmp_path / "b.tar.gz"
    with Store.open(home=home) as store:
        backup(store, archive)
    url = postgres.new_database()
    restore(archive, home=tmp_path / "pg_home", url=url)
    with Store.open(url=url, home=tmp_path / "pg_home") as store:
        assert store.session(sid).person.name == "Ana"
        assert store.add_person("Ben").id == 2  # the sequences moved on past restored ids
        assert _save(store, video, 1.0) == sid + 1


def test_restore_refuses_a_home_that_holds_a_history(home, video, tmp_path, capsys):
    with Store.open(home=home) as store:
        _save(store, video, 100.0)
        archive = backup(store, tmp_path / "b.tar.gz").path
    kept = _files(home)
    assert _cli(home, "history", "restore", str(archive)) == 1
    assert "already holds a history (1 sessions" in capsys.readouterr().err
    assert _files(home) == kept


def test_backup_refuses_bad_targets(home, tmp_path):
    with Store.open(home=home) as store:
        (tmp_path / "there.tar.gz").write_text("mine")
        for target, why in (
            (tmp_path / "there.tar.gz", "already exists"),
            (home / "b.tar.gz", "inside the gaitlab home"),
            (tmp_path / "b.zip", "is a .tar.gz"),
        ):
            with pytest.raises(StoreError, match=why):
                backup(store, target)
    assert (tmp_path / "there.tar.gz").read_text() == "mine"


def _rewrite(archive: Path, out: Path, change) -> Path:
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()
            m, data = change(m, data)
            m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    return out


def test_restore_refuses_damaged_or_crafted_archives(home, video, tmp_path):
    with Store.open(home=home) as store:
        _save(store, video, 100.0)
        archive = backup(store, tmp_path / "b.tar.gz").path

    def flip_video(m, data):
        return m, (data[:-1] + b"X" if m.name.endswith("annotated.mp4") else data)

    def escape(m, data):
        if m.name.endswith("annotated.mp4"):
            m.name = "../../escaped.mp4"
        return m, data

    cases = [
        (_rewrite(archive, tmp_path / "flip.tar.gz", flip_video), "does not match its checksum"),
        (_rewrite(archive, tmp_path / "esc.tar.gz", escape), "not a gaitlab backup"),
        (tmp_path / "b.tar.gz.txt", "not a readable gaitlab backup"),
    ]
    (tmp_path / "b.tar.gz.txt").write_text("hello")
    for bad, why in cases:
        target = tmp_path / f"home_{bad.stem}"
        with pytest.raises(StoreError, match=why):
            restore(bad, home=target, url=f"sqlite:///{target / 'gaitlab.db'}")
        assert not (target / "gaitlab.db").exists()
        assert list((target / "sessions").iterdir()) == []
    assert not (tmp_path.parent / "escaped.mp4").exists()


def test_an_upgrade_first_copies_the_sqlite_database(home):
    from datetime import UTC, datetime

    from gaitlab.store.db import create_engine
    from gaitlab.store.migrations import current_version, migrate
    from gaitlab.store.schema import LATEST_VERSION

    url = sa.make_url(f"sqlite:///{home / 'gaitlab.db'}")
    engine = create_engine(url)
    migrate(engine, target=LATEST_VERSION - 1)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO persons (id, name, created_at) VALUES (1, 'Ana', :t)"),
            {"t": datetime.now(UTC)},
        )
    engine.dispose()
    with Store.open(url=url, home=home) as store:
        assert store.schema_version() == LATEST_VERSION
    copies = list(home.glob(f"gaitlab.db.before-v{LATEST_VERSION}-*"))
    assert len(copies) == 1
    old = create_engine(sa.make_url(f"sqlite:///{copies[0]}"))
    with old.connect() as conn:
        assert current_version(conn) == LATEST_VERSION - 1
        assert conn.execute(sa.text("SELECT name FROM persons")).scalars().all() == ["Ana"]
    old.dispose()
    Store.open(url=url, home=home).close()  # already upgraded: no second copy
    assert list(home.glob("gaitlab.db.before-*")) == copies
