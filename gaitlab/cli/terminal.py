"""Text from users (person names, notes, file names) made safe to print on a terminal.

A name holding ``ESC [ 2 J`` or a carriage return would otherwise clear the screen or
overwrite the line before it when ``gaitlab history`` lists it. Every character that does
not print (C0 and C1 controls, DEL, and other invisible format characters such as bidi
overrides) is shown as its escape, the way Python's ``repr`` shows it; everything printable,
accents and all, is left as it is.
"""

from __future__ import annotations

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe(text: object) -> str:
    """``str(text)`` with every non-printing character escaped (``"\\x1b"`` for ESC).

    >>> safe("Ana\\x1b[2J")
    'Ana\\\\x1b[2J'
    >>> safe("Zoë")
    'Zoë'
    """
    s = str(text)
    if s.isprintable():
        return s
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in s)
