"""Accounts for the app when it is served beyond this computer: ``<home>/accounts.json``.

Each account has a name, a role and a password kept only as an Argon2id hash
(argon2-cffi's defaults: the algorithm's recommended memory and time costs). A *clinician*
sees everyone; a *patient* is tied to one person of the history and sees only that person's
sessions. The file is written atomically, readable by its owner only, under a lock so two
``gaitlab users`` commands do not lose each other's change. It is not part of the database:
no schema change, and a history restored elsewhere does not carry its passwords along.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gaitlab.core.errors import GaitlabError
from gaitlab.store.home import gaitlab_home

ACCOUNTS_NAME = "accounts.json"
ROLES = ("clinician", "patient")
#: Shortest password accepted (characters).
MIN_PASSWORD_CHARS = 10
_FORMAT = 1


class AccountError(GaitlabError):
    """A bad account name, role, password or person, or an unreadable accounts file."""


@dataclass(frozen=True)
class Account:
    """Who is signed in: ``person_id`` is the patient's person (None for clinicians)."""

    name: str
    role: str
    person_id: int | None = None

    @property
    def sees_everyone(self) -> bool:
        return self.role == "clinician"


class Accounts:
    """The accounts file of a gaitlab home."""

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.path = gaitlab_home(home) / ACCOUNTS_NAME
        self._hasher = PasswordHasher()

    # -- reading ------------------------------------------------------------------------------
    def _entries(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except (OSError, json.JSONDecodeError) as err:
            raise AccountError(f"cannot read the accounts file {self.path}: {err}") from None
        entries = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise AccountError(f"{self.path} is not a gaitlab accounts file")
        return entries

    def list(self) -> list[Account]:
        """Every account, by name."""
        return sorted((_account(e) for e in self._entries()), key=lambda a: a.name)

    def __bool__(self) -> bool:
        return bool(self._entries())

    def check(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is its password, else None. An unknown name costs
        the same hash as a known one, so timing does not tell which names exist."""
        entry = next((e for e in self._entries() if e.get("name") == name.strip()), None)
        stored = entry["hash"] if entry else self._hasher.hash(secrets.token_hex(8))
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return _account(entry) if entry else None

    # -- changing -----------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str, person_id: int | None = None) -> Account:
        """Add an account (the person, for a patient, is checked by the caller).

        Raises
        ------
        AccountError
            A name that is empty, too long, not printable or taken; an unknown role; a
            password shorter than :data:`MIN_PASSWORD_CHARS`; a patient without a person
            or a clinician with one.
        """
        name = name.strip()
        if not name or len(name) > 100 or not name.isprintable():
            raise AccountError("an account name is 1 to 100 printable characters")
        if role not in ROLES:
            raise AccountError(f"the role must be one of {', '.join(ROLES)}, got {role!r}")
        if (role == "patient") != (person_id is not None):
            raise AccountError(
                "a patient account needs --person-id N (whose sessions they see); "
                "a clinician account sees everyone and takes none"
            )
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
        entry = {
            "name": name,
            "role": role,
            "person_id": person_id,
            "hash": self._hasher.hash(password),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with self._locked():
            entries = self._entries()
            if any(e.get("name") == name for e in entries):
                raise AccountError(f"an account named {name!r} already exists")
            self._write([*entries, entry])
        return _account(entry)

    def remove(self, name: str) -> None:
        """Remove an account.

        Raises
        ------
        AccountError
            No such account.
        """
        with self._locked():
            entries = self._entries()
            kept = [e for e in entries if e.get("name") != name.strip()]
            if len(kept) == len(entries):
                raise AccountError(f"no account named {name!r} (see: gaitlab users list)")
            self._write(kept)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(f".{ACCOUNTS_NAME}.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _write(self, entries: list[dict[str, Any]]) -> None:
        tmp = self.path.with_name(f".{ACCOUNTS_NAME}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"format": _FORMAT, "accounts": entries}, out, indent=2)
            out.write("\n")
        os.replace(tmp, self.path)


def _account(entry: dict[str, Any]) -> Account:
    pid = entry.get("person_id")
    return Account(str(entry["name"]), str(entry["role"]), int(pid) if pid is not None else None)
