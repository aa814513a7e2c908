"""Rules every SMS text must follow before it is queued.

Korean carriers deliver only characters of the EUC-KR repertoire (KS X 1001),
so a text is checked character by character. Python's ``euc_kr`` codec also
accepts the Hangul syllables outside KS X 1001 (e.g. "똠") by spelling them
as an 8-byte jamo make-up sequence, which carriers do not render; a
character is therefore accepted only when it encodes to at most two bytes.

Segment sizes follow GSM 03.38: GSM-7 texts hold 160 septets in one segment
and 153 per part when concatenated; anything else is UCS-2 with 70 UTF-16
units in one segment and 67 per part. Korean carriers prepend a prefix such
as "[Web발신]" (which alone makes every text UCS-2), so one-segment texts are
budgeted at 60 characters and concatenated texts are counted with the prefix.
"""

from __future__ import annotations

from collections.abc import Sequence

ONE_SEGMENT_LIMIT = 60
MAX_ROUTE_SEGMENTS = 10

# What a Korean carrier adds in front of a text sent from a web service.
CARRIER_PREFIX = "[Web발신]\n"

GSM7_SINGLE_LIMIT = 160
GSM7_PART_LIMIT = 153
UCS2_SINGLE_LIMIT = 70
UCS2_PART_LIMIT = 67

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension-table characters cost two septets (escape + character).
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# Control characters a phone shows sensibly; every other one is rejected.
_ALLOWED_CONTROLS = frozenset("\n")


class SmsTextError(ValueError):
    """A text that a Korean carrier would garble or split more than allowed."""


def unsupported_chars(text: str) -> list[str]:
    """Characters of ``text`` that Korean carriers cannot deliver, each once, in order."""
    found: dict[str, None] = {}
    for char in text:
        if not _is_carrier_safe_char(char):
            found.setdefault(char, None)
    return list(found)


def is_carrier_safe(text: str) -> bool:
    return not unsupported_chars(text)


def segment_count(text: str) -> int:
    """Number of SMS segments ``text`` takes on its own (0 for an empty text)."""
    if not text:
        return 0
    if _is_gsm7(text):
        units = [2 if char in _GSM7_EXTENSION else 1 for char in text]
        single, part = GSM7_SINGLE_LIMIT, GSM7_PART_LIMIT
    else:
        # A character outside the BMP is a surrogate pair: two UCS-2 units.
        units = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, part = UCS2_SINGLE_LIMIT, UCS2_PART_LIMIT
    if sum(units) <= single:
        return 1
    return _count_parts(units, part)


def check_carrier_safe(text: str) -> None:
    """Raise ``SmsTextError`` naming every character carriers cannot deliver."""
    bad = unsupported_chars(text)
    if bad:
        listed = ", ".join(f"{char!r} (U+{ord(char):04X})" for char in bad)
        raise SmsTextError(f"SMS text contains characters outside KS X 1001 (EUC-KR): {listed}")


def check_one_segment(text: str) -> None:
    """Raise ``SmsTextError`` unless ``text`` is carrier safe and fits one segment with the prefix."""
    if not text.strip():
        raise SmsTextError("SMS text is empty")
    check_carrier_safe(text)
    length = _ucs2_length(text)
    if length > ONE_SEGMENT_LIMIT:
        raise SmsTextError(
            f"SMS text is {length} characters; one segment allows {ONE_SEGMENT_LIMIT} "
            f"(70 UCS-2 characters less the carrier prefix): {text!r}"
        )


def omitted_line(count: int) -> str:
    return f"외 {count}곳은 링크에서 확인"


def fit_route_lines(
    header: str,
    lines: Sequence[str],
    footer: str,
    max_segments: int = MAX_ROUTE_SEGMENTS,
) -> tuple[str, int]:
    """Join header, as many leading ``lines`` as fit, and footer into one text.

    Lines are kept in their order (the route's stop order); when some are left
    off, a line saying how many replaces them just before the footer. Returns
    the text and the number of lines left off. Raises ``SmsTextError`` when a
    part is not carrier safe or when even header and footer do not fit.
    """
    for part in (header, footer, *lines):
        check_carrier_safe(part)

    def compose(kept: int) -> str:
        omitted = len(lines) - kept
        body = [header, *lines[:kept]]
        if omitted:
            body.append(omitted_line(omitted))
        body.append(footer)
        return "\n".join(part for part in body if part)

    def fits(kept: int) -> bool:
        return segment_count(CARRIER_PREFIX + compose(kept)) <= max_segments

    # Longest prefix first: keeping every line also drops the "외 N곳" line,
    # so the lengths are not monotonic at the end and a forward search could stop early.
    for kept in range(len(lines), -1, -1):
        if fits(kept):
            return compose(kept), len(lines) - kept
    raise SmsTextError(f"route SMS header and footer alone exceed {max_segments} segments")


def _is_carrier_safe_char(char: str) -> bool:
    if char in _ALLOWED_CONTROLS:
        return True
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return False
    try:
        encoded = char.encode("euc_kr")
    except UnicodeEncodeError:
        return False
    return len(encoded) <= 2


def _is_gsm7(text: str) -> bool:
    return all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text)


def _ucs2_length(text: str) -> int:
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _count_parts(units: list[int], part_limit: int) -> int:
    """Greedy split that never cuts a two-unit character (escape pair, surrogate pair)."""
    parts, used = 1, 0
    for size in units:
        if used + size > part_limit:
            parts += 1
            used = 0
        used += size
    return parts
