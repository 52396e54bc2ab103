"""Signing in, when the home has accounts (:mod:`gaitlab.store.accounts`).

Without accounts the app is served on this computer only (``gaitlab app`` refuses any other
address) and nobody signs in. With accounts every browser session signs in first; a
clinician sees everyone, a patient only their own person: the person picker is fixed to
them, and uploads, sessions and results of anyone else are not shown or opened.
"""

from __future__ import annotations

import streamlit as st

from gaitlab.app.safe_text import md
from gaitlab.store import gaitlab_home
from gaitlab.store.accounts import Account, Accounts

#: The signed-in account in the browser session.
ACCOUNT_KEY = "account"


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
            account = accounts().check(name, password)
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
