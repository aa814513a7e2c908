"""Pieces of SMS texts made short and carrier safe: market names, addresses, free text.

Pure: no Flask, no database. Names and addresses come from people and public data, so
they may be long or hold characters a Korean carrier cannot deliver; a text must still
fit its budget and must never make the change that queues it fail.
"""
from __future__ import annotations

import re

from .sms_text import unsupported_chars

# "[대명여울빛거리] " is the longest prefix the one-segment texts are budgeted for.
MARKET_NAME_CHARS = 7
STALL_NAME_CHARS = 8
ELLIPSIS = "…"  # KS X 1001 (0xA1A6), so carriers show it
REPLACEMENT = "?"

_PARENTHESISED = re.compile(r"\s*\([^)]*\)")
_SPACES = re.compile(r"\s+")


def carrier_safe(text: str) -> str:
    """``text`` with every character carriers cannot deliver replaced by "?" (newlines kept)."""
    bad = set(unsupported_chars(text))
    if not bad:
        return text
    return "".join(REPLACEMENT if char in bad else char for char in text)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut text ends with "…"."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def short_market_name(name: str, limit: int = MARKET_NAME_CHARS) -> str:
    """"돌곶이시장(구 석관황금시장)" -> "돌곶이시장"; "대명여울빛거리시장" -> "대명여울빛거리".

    The official names carry former names in parentheses and sometimes run to 15
    characters; the text prefix keeps the name people use, without "시장" when needed.
    """
    name = _SPACES.sub(" ", _PARENTHESISED.sub("", name)).strip()
    if len(name) > limit and name.endswith("시장"):
        name = name[:-2].rstrip()
    return carrier_safe(shorten(name, limit))


def short_stall_name(name: str, limit: int = STALL_NAME_CHARS) -> str:
    return carrier_safe(shorten(_PARENTHESISED.sub("", name), limit))


def short_address(dong: str, detail: str, limit: int) -> str:
    """The address a courier needs: 동 and the detail line, cut so that the door is still found.

    "포은로 12, 301호" -> kept whole when it fits; otherwise the 동 goes first, then the
    building name between the street address and the unit ("돌곶이로 1길 12-1, B동 101호").
    """
    detail = _SPACES.sub(" ", detail).strip()
    for candidate in (f"{dong} {detail}".strip(), detail):
        if len(candidate) <= limit:
            return carrier_safe(candidate)
    street, comma, rest = detail.partition(",")
    if comma and rest.strip():
        unit = " ".join(rest.split()[-2:])
        room = limit - len(unit) - 2
        if room >= 4:
            return carrier_safe(f"{shorten(street, room)}, {unit}")
    return carrier_safe(shorten(detail, limit))
