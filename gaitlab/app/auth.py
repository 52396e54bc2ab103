"""Signing in, when the home has accounts (:mod:`gaitlab.store.accounts`).

Without accounts the app is served on this computer only (``gaitlab app`` refuses any other
address) and nobody signs in. With accounts every browser session signs in first; a
clinician sees everyone, a patient only their own person: the person picker is fixed to
them, and uploads, sessions and results of anyone else are not shown or opened.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from math import ceil

import streamlit as st

from gaitlab.app.safe_text import md
from gaitlab.programme.schedule import now
from gaitlab.store import gaitlab_home
from gaitlab.store.accounts import Account, Accounts

#: The signed-in account in the browser session.
ACCOUNT_KEY = "account"
#: Failed sign-ins for one name that cost nothing; each further one doubles the wait before
#: the next try (1 s, 2 s, 4 s …) up to :data:`MAX_WAIT_S`, so guessing a password from a
#: browser takes years while a person who mistypes waits seconds.
FREE_FAILURES = 5
MAX_WAIT_S = 300.0


@dataclass
class _Failures:
    count: int = 0
    next_try_s: float = 0.0


@st.cache_resource
def _failures() -> tuple[threading.Lock, dict[str, _Failures]]:
    """Failed sign-ins by name, for every browser session of this server."""
    return threading.Lock(), {}


def _wait_s(name: str) -> float:
    lock, failures = _failures()
    with lock:
        entry = failures.get(name)
        return 0.0 if entry is None else max(0.0, entry.next_try_s - now())


def _note(name: str, ok: bool) -> None:
    lock, failures = _failures()
    with lock:
        if ok:
            failures.pop(name, None)
            return
        entry = failures.setdefault(name, _Failures())
        entry.count += 1
        if entry.count >= FREE_FAILURES:
            entry.next_try_s = now() + min(MAX_WAIT_S, 2.0 ** (entry.count - FREE_FAILURES))


def accounts() -> Accounts:
    return Accounts(gaitlab_home())


def current_account() -> Account | None:
    """Who is signed in (None: nobody, or no accounts at all)."""
    account = st.session_state.get(ACCOUNT_KEY)
    return account if isinstance(account, Account) else None


def patient_person_id() -> int | None:
    """The person a signed-in patient is tied to (None for clinicians and without accounts)."""
    account = current_account()
    return None if account is None or account.sees_everyone else account.person_id


def may_see(person_id: int | None) -> bool:
    """Whether the signed-in account may see what belongs to ``person_id`` (everything
    without accounts and for clinicians; a patient their own person's only)."""
    own = patient_person_id()
    return own is None or person_id == own


def gate() -> Account | None:
    """The signed-in account; shows the sign-in form and stops the page until someone signs
    in. Without accounts, None and the app goes on."""
    known = accounts().list()
    if not known:
        st.session_state.pop(ACCOUNT_KEY, None)
        return None
    account = current_account()
    if account is not None and account in known:  # still there, same role and person
        return account
    st.session_state.pop(ACCOUNT_KEY, None)
    _sign_in_ui()
    st.stop()
    return None  # not reached: st.stop() ends the script run


def _sign_in_ui() -> None:
    st.title("Sign in")
    with st.form("sign-in", border=True):
        name = st.text_input("Name", max_chars=100, key="sign-in-name")
        password = st.text_input("Password", type="password", key="sign-in-password")
        if st.form_submit_button("Sign in", type="primary"):
            key = name.strip()
            wait = _wait_s(key)
            if wait > 0:
                st.error(f"Too many failed sign-ins for this name: try again in {ceil(wait)} s.")
                return
            account = accounts().check(name, password)
            _note(key, account is not None)
            if account is None:
                st.error("Wrong name or password.")
                return
            st.session_state[ACCOUNT_KEY] = account
            st.rerun()


def account_ui(account: Account) -> None:
    """Who is signed in, and signing out (in the sidebar)."""
    role = "sees everyone" if account.sees_everyone else "sees their own sessions"
    st.caption(f"Signed in as {md(account.name)} ({account.role}: {role})")
    if st.button("Sign out", key="sign-out", icon=":material/logout:"):
        st.session_state.clear()
        st.rerun()
