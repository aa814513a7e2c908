"""Korean particles after names that only arrive at run time (pure).

"순두부을(를)" reads like a form letter; a person writes "순두부를" or "감자조림을". The
particle depends on whether the name's last syllable ends in a consonant (받침), so messages
that put a product, stall, market or 동 name before 을/를, 은/는, 이/가 or 으로/로 go through
`with_particle`.
"""

from __future__ import annotations

import re

_TRAILING_BRACKETS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_FIRST_SYLLABLE, _LAST_SYLLABLE = 0xAC00, 0xD7A3
_RIEUL_FINAL = 8  # ㄹ as a final consonant: "서울로", not "서울으로"
# How digits are read (영 일 이 삼 사 오 육 칠 팔 구): final consonant, and whether it is ㄹ.
_DIGIT_FINAL = {"0": True, "1": True, "2": False, "3": True, "4": False,
                "5": False, "6": True, "7": True, "8": True, "9": False}
_RIEUL_DIGITS = {"1", "7", "8"}


def _final_sound(word: str) -> tuple[bool, bool] | None:
    """(ends in a consonant, that consonant is ㄹ) for the word's last readable letter, or None."""
    stem = _TRAILING_BRACKETS.sub("", word).rstrip() or word.rstrip()
    if not stem:
        return None
    last = stem[-1]
    code = ord(last)
    if _FIRST_SYLLABLE <= code <= _LAST_SYLLABLE:
        final = (code - _FIRST_SYLLABLE) % 28
        return final != 0, final == _RIEUL_FINAL
    if last in _DIGIT_FINAL:
        return _DIGIT_FINAL[last], last in _RIEUL_DIGITS
    return None


def with_particle(word: str, pair: str) -> str:
    """`word` followed by the right half of `pair` ("을/를", "은/는", "이/가", "으로/로").

    A parenthesised note at the end is skipped ("사과(부사)" takes 를 from 사과); a word whose
    sound cannot be told (Latin letters, symbols) keeps both forms: "ABC을(를)".
    """
    after_consonant, after_vowel = pair.split("/")
    sound = _final_sound(word)
    if sound is None:
        return f"{word}{after_consonant}({after_vowel})"
    has_final, final_is_rieul = sound
    if after_consonant == "으로":
        return word + ("로" if not has_final or final_is_rieul else "으로")
    return word + (after_consonant if has_final else after_vowel)
