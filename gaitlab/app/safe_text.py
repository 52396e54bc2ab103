"""Text from users (person names, notes, file names, a URL's parameters, messages that quote
them) made inert for Streamlit's markdown.

Streamlit renders ``st.markdown``, ``st.caption``, ``st.info``/``error``/…, ``st.subheader``
and expander labels as GitHub-flavoured markdown with its own extras (``:red[…]``,
``:material/…:`` icons, ``$…$`` maths). A person named ``[click](http://evil)`` would be a
link there, ``**Ana**`` bold, ``# Ana`` a heading. :func:`md` writes every character that
markdown or its extras could read as syntax as a character reference (``&#91;`` for ``[``),
which the page shows as the character itself; and it puts an invisible word joiner inside
``http:``, ``www.`` and ``@``, since the renderer turns bare web and mail addresses into
links after references are decoded. What the reader sees is the text as typed.
"""

from __future__ import annotations

import re

#: Markdown, HTML, maths and Streamlit's directive characters.
_SYNTAX = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:&=^\"'@/%]")
#: What the renderer would turn into a link by itself (the schemes it links, ``www.``, an
#: e-mail's ``@``); other words before a colon ("timer: 3 reps") are left whole.
_AUTOLINK = re.compile(r"(?i)((?:https?|ftp|mailto|xmpp):|www\.|@)")
_WORD_JOINER = "\u2060"


def _unlink(m: re.Match[str]) -> str:
    found = m.group(0)
    if found == "@":
        return _WORD_JOINER + found
    return found[:-1] + _WORD_JOINER + found[-1]


def md(text: object) -> str:
    """``text`` as markdown that shows exactly that text: no link, emphasis, heading, list,
    HTML, maths, colour or icon (``md("[x](y)")`` is ``"&#91;x&#93;&#40;y&#41;"``)."""
    plain = _AUTOLINK.sub(_unlink, str(text))
    return _SYNTAX.sub(lambda m: f"&#{ord(m.group(0))};", plain)
