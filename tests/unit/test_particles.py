"""Korean particles after run-time names: "순두부를", not "순두부을(를)"."""
import pytest

from market_app.particles import with_particle


@pytest.mark.parametrize("word, pair, expected", [
    ("순두부", "을/를", "순두부를"),
    ("감자조림", "을/를", "감자조림을"),
    ("망원시장", "은/는", "망원시장은"),
    ("싱싱청과", "은/는", "싱싱청과는"),
    ("제철 사과(부사)", "을/를", "제철 사과(부사)를"),
    ("손두부(국산콩)", "이/가", "손두부(국산콩)가"),
    ("국산콩 두부", "이/가", "국산콩 두부가"),
    ("마포구 망원1동", "은/는", "마포구 망원1동은"),
    ("수박 1통(7kg)", "을/를", "수박 1통(7kg)을"),
    ("서울", "으로/로", "서울로"),
    ("망원시장", "으로/로", "망원시장으로"),
    ("바나나", "으로/로", "바나나로"),
    ("두부 3", "은/는", "두부 3은"),
    ("두부 2", "은/는", "두부 2는"),
])
def test_particle_follows_the_last_syllable(word, pair, expected):
    """Given a name, when a particle follows it, then it is the one a person would write."""
    assert with_particle(word, pair) == expected


def test_unreadable_word_keeps_both_forms():
    """Given a name ending in Latin letters, when its sound is unknown, then both forms are shown."""
    assert with_particle("BBQ", "을/를") == "BBQ을(를)"
