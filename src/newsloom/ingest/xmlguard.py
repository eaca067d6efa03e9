"""Refuse XML that declares entities before any parser sees it.

Feeds have no legitimate need for entity declarations, and they are how
billion-laughs, quadratic-blowup and external-entity (XXE) attacks work. A
plain DOCTYPE (RSS 0.91's Netscape DTD, for one) is still accepted.
"""

from __future__ import annotations

import codecs
import re

_PROLOG_SCAN_LIMIT = 1024 * 1024
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_:]")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)


class UnsafeXMLError(ValueError):
    pass


def check_xml_is_safe(body: bytes) -> None:
    text = _decode_prolog(body[:_PROLOG_SCAN_LIMIT])
    doctype = _DOCTYPE.search(text)
    if doctype is None:
        return
    root = _FIRST_ELEMENT.search(text, doctype.end())
    declarations = text[doctype.start() : root.start() if root else len(text)]
    if _ENTITY_DECLARATION.search(declarations):
        raise UnsafeXMLError(
            "unsafe XML refused: the document declares entities in its DOCTYPE "
            "(entity expansion and external entities are never processed)"
        )


def _decode_prolog(data: bytes) -> str:
    """Good enough to find markup in any encoding XML allows, including UTF-16/32."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if data[:4] == b"\x00<\x00?" or data[:2] == b"\x00<":
        return data.decode("utf-16-be", errors="replace")
    if data[:4] == b"<\x00?\x00" or data[:2] == b"<\x00":
        return data.decode("utf-16-le", errors="replace")
    # Every other encoding XML permits is ASCII-compatible for markup characters.
    return data.decode("latin-1")
