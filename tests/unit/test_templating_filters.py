"""The filters every page uses to show money, distances and phone numbers the Korean way."""
from market_app.templating import distance, phone, won


def test_won_groups_thousands_and_adds_the_unit():
    """Given an integer KRW amount, when shown, then it reads like a price tag."""
    assert won(34600) == "34,600원"
    assert won(0) == "0원"


def test_distance_switches_to_kilometres_from_one_kilometre():
    """Given metres, when shown, then short distances stay in m and longer ones in km."""
    assert distance(707) == "707m"
    assert distance(1430) == "1.4km"


def test_phone_shows_korean_mobiles_with_dashes_and_nothing_for_no_number():
    """Given an E.164 number, when shown to a market admin, then it reads 010-1234-5678."""
    assert phone("+821055552650") == "010-5555-2650"
    assert phone(None) == ""
