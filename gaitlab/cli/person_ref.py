"""Naming a person on the command line without ambiguity: ``--person NAME`` is always a name
(a name of digits too) and ``--person-id N`` always an id, as ``gaitlab person delete NAME |
--id N`` does. A name that is only digits and matches nobody says how to give an id."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gaitlab.store import Person, Store


def add_person_options(p: argparse.ArgumentParser, what: str) -> None:
    """``--person NAME`` and ``--person-id N`` (one or the other); ``what`` ends the help:
    ``"whose session it is"``."""
    which = p.add_mutually_exclusive_group()
    which.add_argument("--person", default=None, metavar="NAME", help=f"{what}: the person's name")
    which.add_argument(
        "--person-id",
        type=int,
        default=None,
        metavar="N",
        help=f"{what}: the person's id (gaitlab person list)",
    )


def person_named(store: Store, name: str, id_flag: str = "--person-id") -> Person:
    """The person called exactly ``name``: a name of digits is a name too (the message
    for a name of digits that matches nobody names ``id_flag``).

    Raises
    ------
    NotFoundError
    """
    from gaitlab.store import NotFoundError  # heavy: see gaitlab.cli.main

    wanted = name.strip()
    for p in store.persons():
        if p.name == wanted:
            return p
    hint = f" (for the person with id {wanted}: {id_flag} {wanted})" if wanted.isdigit() else ""
    raise NotFoundError(
        f"no person named {name!r}{hint}: add them with: gaitlab person add NAME "
        "(see: gaitlab person list)"
    )


def chosen_person(store: Store, args: argparse.Namespace) -> Person | None:
    """The person ``--person`` or ``--person-id`` names, or None when neither is given.

    Raises
    ------
    NotFoundError
    """
    pid = getattr(args, "person_id", None)
    if pid is not None:
        return store.person(int(pid))
    name = getattr(args, "person", None)
    return person_named(store, name) if name is not None else None


def given(args: argparse.Namespace) -> bool:
    """Whether the command line names a person."""
    return getattr(args, "person", None) is not None or getattr(args, "person_id", None) is not None
