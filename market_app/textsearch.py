"""Text keys for matching what people type against names (pure).

Residents type "국산 두부", "국산두부" or "망원 1동" interchangeably, and text pasted from
some phones arrives decomposed (NFD) or in full-width forms, so every comparison goes
through one of these keys.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Search key: NFKC-composed, lower-cased, without any whitespace."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def normalise_loose(text: str) -> str:
    """Like `normalise`, and also drops punctuation ("종로1·2·3·4가동" -> "종로1234가동").

    For names only: in product text punctuation can matter ("1.5kg").
    """
    return _NOT_WORD.sub("", normalise(text))
