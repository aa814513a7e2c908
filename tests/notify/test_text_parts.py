"""Pure text pieces and provider status rules (no app)."""
import pytest

from market_app.notify.provider_status import moves_forward, opt_keyword
from market_app.notify.text_parts import carrier_safe, short_address, short_market_name, shorten


@pytest.mark.parametrize("official, short", [
    ("망원시장", "망원시장"),
    ("서울중앙시장", "서울중앙시장"),
    ("돌곶이시장(구 석관황금시장)", "돌곶이시장"),
    ("목사랑시장 (목4동시장)", "목사랑시장"),
    ("대명여울빛거리시장", "대명여울빛거리"),
    ("동원전통종합시장", "동원전통종합"),
])
def test_market_names_are_the_short_names_people_use(official, short):
    """Given an official market name, then the SMS prefix uses the short everyday name."""
    assert short_market_name(official) == short


def test_shorten_marks_a_cut_with_an_ellipsis():
    """Given a text longer than the limit, then it is cut and ends with "…" within the limit."""
    assert shorten("할머니손맛반찬가게", 5) == "할머니손…"
    assert shorten("두부", 5) == "두부"


@pytest.mark.parametrize("dong, detail, expected", [
    ("망원1동", "포은로 12, 301호", "망원1동 포은로 12, 301호"),
    ("석관동", "돌곶이로 1길 12-1, 1301호", "돌곶이로 1길 12-1, 1301호"),
    ("석관동", "돌곶이로 1길 12-1, 그린빌라 B동 101호", "돌곶이로 1길 12-1, B동 101호"),
    ("석관동", "돌곶이로 아주아주긴길이름 12-1, 그린빌라 B동 101호", "돌곶이로 아주아주긴길이…, B동 101호"),
])
def test_short_address_keeps_the_unit_number(dong, detail, expected):
    """Given a long address, when shortened to 22 characters, then the 동 and building name go before the unit."""
    address = short_address(dong, detail, 22)

    assert address == expected and len(address) <= 22


def test_carrier_safe_replaces_only_undeliverable_characters():
    """Given "똠" and an emoji among ordinary Korean, then just those become "?"."""
    assert carrier_safe("똠양꿍 😀 두부\n2모") == "?양꿍 ? 두부\n2모"


@pytest.mark.parametrize("current, new, forward", [
    (None, "sent", True),
    ("queued", "sent", True),
    ("sent", "delivered", True),
    ("delivered", "sent", False),
    ("delivered", "undelivered", False),
    ("sent", "sent", False),
    ("sent", "bogus", False),
])
def test_statuses_only_move_forward(current, new, forward):
    """Given a recorded status, then only a later one in Twilio's message life replaces it."""
    assert moves_forward(current, new) is forward


@pytest.mark.parametrize("body, keyword", [
    ("STOP", "stop"), ("stop", "stop"), (" Stop. ", "stop"), ("수신거부", "stop"), ("그만", "stop"),
    ("그만 보내세요", "stop"), ("수신거부합니다", "stop"), ("START", "start"), ("시작", "start"),
    ("감사합니다", None), ("", None), ("don't stop", None),
])
def test_opt_keywords(body, keyword):
    """Given an inbound text, then STOP / 수신거부 / 그만 opt out and START opts back in."""
    assert opt_keyword(body) == keyword
