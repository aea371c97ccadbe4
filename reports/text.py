"""Text from the data made safe for every writer (issue #9 items 4 and 7).

Exports carry whatever clerks typed or pasted: a vertical tab copied from an Excel cell, \\x01,
a NUL late in a CSV, ``\\u0000`` or a lone surrogate in JSON. XML 1.0 (docx, xlsx) cannot hold
C0 control characters other than tab, line feed and carriage return, nor U+FFFE/U+FFFF; UTF-8
cannot hold a lone surrogate. :func:`clean` is the one place that makes any Python string
writable; every writer (md, html, xlsx, docx) passes data through it.

Markdown (report.md, rules.md) is read in viewers that render links and images, so data must
not become markup there: :func:`md_inline` keeps a value on one table cell or list line (CR, LF,
U+2028/2029 and pipes cannot break a table) and escapes what would start a link, an image, raw
HTML or code — so a remote image or a ``javascript:`` link in the data shows as text.
"""

from __future__ import annotations

import re

#: C0 controls except tab/LF/CR (DEL and C1 are legal XML and kept); U+FFFE/FFFF are not characters
_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_SPACE_LIKE = re.compile("[\x0b\x0c]")  # vertical tab (Excel's line break in a cell), form feed
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: characters that start Markdown markup inside a line: escaped with a backslash
#: (not * or _: masked IDs such as 2304**********1232 stay as written; emphasis changes no meaning)
_MD_SPECIAL = re.compile(r"([\\`\[\]|])")


def clean(text) -> str:
    """``text`` as a string any writer can store: vertical tab and form feed become a space, other
    XML-illegal controls and non-characters are dropped, a lone surrogate becomes U+FFFD."""
    text = text if isinstance(text, str) else str(text)
    if text.isprintable():  # the common case: nothing to do (printable excludes all of the above)
        return text
    text = _SPACE_LIKE.sub(" ", text)
    text = _ILLEGAL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def clean_value(value):
    """:func:`clean` through dicts, lists and tuples; numbers, dates, None and booleans unchanged."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_value(v) for v in value)
    return value


def one_line(text) -> str:
    """:func:`clean` and every kind of line break a space."""
    return _LINE_BREAKS.sub(" ", clean(text))


def md_inline(text) -> str:
    """Data as literal text on one Markdown line or table cell: no line breaks, no markup (links,
    images, emphasis, code), no raw HTML (``<`` ``>`` ``&`` as entities)."""
    text = one_line(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)
