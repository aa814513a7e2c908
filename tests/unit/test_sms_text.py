"""SMS text rules: EUC-KR carrier safety, segment counting, one-segment and route texts."""

import pytest

from market_app.notify.sms_text import (
    CARRIER_PREFIX,
    MAX_ROUTE_SEGMENTS,
    ONE_SEGMENT_LIMIT,
    SmsTextError,
    check_one_segment,
    fit_route_lines,
    is_carrier_safe,
    omitted_line,
    segment_count,
    unsupported_chars,
)


def test_common_korean_text_is_carrier_safe():
    """Given Hangul, digits, ASCII and KS X 1001 symbols, when checked, then all pass."""
    text = "[망원시장] 주문 #123 수락됨 ※ 11:00~12:00 도착 ① ㅋㅋ ￦5,000\nhttps://j.kr/o/1"

    assert is_carrier_safe(text)
    assert unsupported_chars(text) == []


@pytest.mark.parametrize("syllable", ["똠", "햏", "뷁", "쌰"])
def test_hangul_outside_ks_x_1001_is_rejected(syllable):
    """Given a syllable Python's euc_kr codec writes as an 8-byte make-up sequence, then it is rejected."""
    assert len(syllable.encode("euc_kr")) == 8  # the codec alone would let it through

    assert unsupported_chars(f"{syllable}양꿍 주문") == [syllable]
    assert not is_carrier_safe(syllable)


@pytest.mark.parametrize("char", ["😀", "é", "—", "₩", "\t", "\x00", "\u200b"])
def test_characters_outside_euc_kr_and_controls_are_rejected(char):
    """Given emoji, Latin accents, dashes, the half-width won sign or a control, then it is rejected."""
    assert unsupported_chars(f"주문{char}완료") == [char]


def test_unsupported_chars_lists_each_character_once_in_order():
    """Given repeated bad characters, when listed, then each appears once in first-seen order."""
    assert unsupported_chars("😀가똠😀똠é") == ["😀", "똠", "é"]


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets
        ("€" * 81, 2),
        ("가" * 70, 1),
        ("가" * 71, 2),
        ("가" * 134, 2),
        ("가" * 135, 3),
        ("a" * 69 + "가", 1),  # one Korean character makes the whole text UCS-2
        ("a" * 70 + "가", 2),
    ],
)
def test_segment_count_follows_gsm7_and_ucs2_limits(text, segments):
    """Given texts at the GSM-7 (160/153) and UCS-2 (70/67) limits, then the count matches."""
    assert segment_count(text) == segments


def test_segment_count_never_splits_an_escape_pair():
    """Given a GSM-7 extension character at a part boundary, then it moves whole to the next part."""
    text = "a" * 152 + "€" + "a" * 152  # 306 septets, but the escape pair cannot straddle parts

    assert segment_count(text) == 3


def test_one_segment_text_at_the_budget_passes():
    """Given exactly ONE_SEGMENT_LIMIT Korean characters, when checked, then nothing is raised."""
    check_one_segment("가" * ONE_SEGMENT_LIMIT)


def test_one_segment_text_over_the_budget_names_its_length():
    """Given one character over the budget, when checked, then the error states length and limit."""
    with pytest.raises(SmsTextError, match=r"61 characters; one segment allows 60"):
        check_one_segment("가" * 61)


def test_one_segment_check_names_unsupported_characters():
    """Given a text with emoji and an off-table syllable, then the error lists both with code points."""
    with pytest.raises(SmsTextError, match=r"U\+1F600.*U\+B620"):
        check_one_segment("주문 완료 😀 똠")


def test_one_segment_check_rejects_an_empty_text():
    """Given only whitespace, when checked, then it is refused as empty."""
    with pytest.raises(SmsTextError, match="empty"):
        check_one_segment("  \n")


def _stop_line(number: int) -> str:
    return f"{number}. 11:{number:02d} 망원동 {number}-{number} 2봉지 *5678"


def test_route_text_keeps_every_line_when_they_fit():
    """Given a short route, when fitted, then every stop is kept and no '외 N곳' line is added."""
    lines = [_stop_line(n) for n in range(1, 4)]

    text, omitted = fit_route_lines("[망원시장] 11시 배송", lines, "https://j.kr/r/abc")

    assert omitted == 0
    assert text == "\n".join(["[망원시장] 11시 배송", *lines, "https://j.kr/r/abc"])
    assert "외" not in text


def test_route_text_drops_the_last_stops_and_says_how_many():
    """Given more stops than 10 segments hold, then the leading stops stay and the rest are counted."""
    lines = [_stop_line(n) for n in range(1, 61)]

    text, omitted = fit_route_lines("[망원시장] 11시 배송", lines, "https://j.kr/r/abc")

    kept = len(lines) - omitted
    assert 0 < omitted < len(lines)
    assert text.endswith(f"\n{omitted_line(omitted)}\nhttps://j.kr/r/abc")
    assert text.splitlines()[1 : 1 + kept] == lines[:kept]
    assert segment_count(CARRIER_PREFIX + text) <= MAX_ROUTE_SEGMENTS
    # Maximal: one more stop would not fit.
    longer = "\n".join(["[망원시장] 11시 배송", *lines[: kept + 1], omitted_line(omitted - 1), "https://j.kr/r/abc"])
    assert segment_count(CARRIER_PREFIX + longer) > MAX_ROUTE_SEGMENTS


def test_route_text_keeps_all_lines_when_only_the_omission_line_would_not_fit():
    """Given lines that fit only without the '외 N곳' line, then all are kept rather than fewer."""
    lines = ["가" * 50, "끝"]  # all: 56 chars; first line plus '외 1곳…' line: 68 > 62

    text, omitted = fit_route_lines("H", lines, "F", max_segments=1)

    assert omitted == 0
    assert text == "H\n" + "가" * 50 + "\n끝\nF"


def test_route_text_with_unsupported_characters_is_refused():
    """Given a stop line with an off-table syllable, when fitted, then SmsTextError names it."""
    with pytest.raises(SmsTextError, match="U\\+B620"):
        fit_route_lines("[망원시장]", ["1. 똠양꿍집 앞"], "https://j.kr/r/abc")


def test_route_text_whose_header_and_footer_cannot_fit_is_refused():
    """Given a footer longer than the whole budget, when fitted, then SmsTextError is raised."""
    with pytest.raises(SmsTextError, match="exceed 1 segments"):
        fit_route_lines("[망원시장]", [], "가" * 70, max_segments=1)
