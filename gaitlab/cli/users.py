"""``gaitlab users add | list | remove``: the app's accounts (:mod:`gaitlab.store.accounts`),
needed to serve the app beyond this computer (``gaitlab app --host 0.0.0.0``)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from gaitlab.cli.terminal import safe

# The store (SQLAlchemy) is imported by each command, not here (heavy: see gaitlab.cli.main).
#: ``gaitlab users add --role`` choices: :data:`gaitlab.store.accounts.ROLES` (a test keeps
#: them equal), spelt out so that building the parser does not import the store.
ROLE_CHOICES = ("clinician", "patient")


def _password(args: argparse.Namespace) -> str:
    """From standard input with ``--password-stdin`` (one line), else asked twice."""
    from gaitlab.store.accounts import MIN_PASSWORD_CHARS, AccountError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise AccountError("no terminal to ask for the password: use --password-stdin")
    first = getpass.getpass(f"password for {args.name} (at least {MIN_PASSWORD_CHARS} chars): ")
    if getpass.getpass("again: ") != first:
        raise AccountError("the two passwords differ: nothing was changed")
    return first


def _cmd_add(args: argparse.Namespace) -> int:
    from gaitlab.store import Store
    from gaitlab.store.accounts import Accounts

    if args.person_id is not None:
        with Store.open() as store:
            person = store.person(args.person_id)  # a patient's person must exist
        who = f" for {safe(person.name)} (person {person.id})"
    else:
        who = ""
    account = Accounts().add(args.name, args.role, _password(args), args.person_id)
    print(f"added {account.role} account {safe(account.name)!r}{who}")
    return 0


def _cmd_list(_args: argparse.Namespace) -> int:
    from gaitlab.store.accounts import Accounts

    accounts = Accounts().list()
    if not accounts:
        print("no accounts: the app is served on this computer only (gaitlab users add)")
        return 0
    for a in accounts:
        person = f" person {a.person_id}" if a.person_id is not None else ""
        print(f"{safe(a.name)}  {a.role}{person}")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from gaitlab.store.accounts import Accounts

    Accounts().remove(args.name)
    print(f"removed account {safe(args.name)!r}")
    return 0


def add_command(sub: Any) -> None:
    """Register ``gaitlab users`` on the ``gaitlab`` parser."""
    p = sub.add_parser("users", help="accounts for the app served beyond this computer")
    cmds = p.add_subparsers(dest="users_command", required=True)
    q = cmds.add_parser("add", help="add an account (the password is asked for)")
    q.add_argument("name")
    q.add_argument(
        "--role",
        required=True,
        choices=ROLE_CHOICES,
        help="clinician: sees everyone; patient: sees only their own sessions",
    )
    q.add_argument("--person-id", type=int, default=None, metavar="N", help="a patient's person id")
    q.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    q.set_defaults(func=_cmd_add)
    q = cmds.add_parser("list", help="list the accounts")
    q.set_defaults(func=_cmd_list)
    q = cmds.add_parser("remove", help="remove an account")
    q.add_argument("name")
    q.set_defaults(func=_cmd_remove)
