"""Phone numbers: Korean mobiles only for SMS recipients, each mistake with its own message."""

import pytest

from market_app.accounts.phones import (
    PhoneNumberError,
    display_phone,
    last4,
    normalize_any,
    normalize_mobile,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("010-1234-5678", "+821012345678"),
        ("01012345678", "+821012345678"),
        (" 010 1234 5678 ", "+821012345678"),
        ("010.1234.5678", "+821012345678"),
        ("(010) 1234-5678", "+821012345678"),
        ("+82 10-1234-5678", "+821012345678"),
        ("+82 010-1234-5678", "+821012345678"),
        ("821012345678", "+821012345678"),
        ("011-123-4567", "+82111234567"),  # kept pre-010 numbers still exist
        ("016-1234-5678", "+821612345678"),
    ],
)
def test_korean_mobile_numbers_are_normalised_to_e164(raw, e164):
    """Given a Korean mobile number as people type it, when normalised, then it is E.164."""
    assert normalize_mobile(raw) == e164


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", PhoneNumberError.EMPTY),
        ("   ", PhoneNumberError.EMPTY),
        ("공일공-1234-5678", PhoneNumberError.NOT_A_NUMBER),
        ("010-1234-5678 내선 2", PhoneNumberError.NOT_A_NUMBER),
        ("02-123-4567", PhoneNumberError.LANDLINE),
        ("02-1234-5678", PhoneNumberError.LANDLINE),
        ("031-123-4567", PhoneNumberError.LANDLINE),
        ("070-1234-5678", PhoneNumberError.INTERNET_PHONE),
        ("010-1234-567", PhoneNumberError.WRONG_LENGTH),
        ("010-12345-6789", PhoneNumberError.WRONG_LENGTH),
        ("+1 415 555 2671", PhoneNumberError.NOT_KOREAN),
        ("1588-1234", PhoneNumberError.NOT_MOBILE),
        ("0505-123-4567", PhoneNumberError.NOT_MOBILE),
    ],
)
def test_unusable_numbers_are_refused_with_their_reason(raw, reason):
    """Given a number that cannot receive our SMS, when normalised, then the error names why."""
    with pytest.raises(PhoneNumberError) as caught:
        normalize_mobile(raw)

    assert caught.value.reason == reason


def test_each_reason_has_its_own_korean_message():
    """Given the typical mistakes, when refused, then each message differs and tells what to fix."""
    samples = {
        "": "입력해 주세요",
        "abc": "숫자",
        "02-123-4567": "유선전화",
        "070-1234-5678": "070 인터넷전화",
        "010-1234-567": "자릿수",
        "+1 415 555 2671": "해외 번호",
    }
    messages = []
    for raw, expected in samples.items():
        with pytest.raises(PhoneNumberError) as caught:
            normalize_mobile(raw)
        assert expected in caught.value.message
        assert str(caught.value) == caught.value.message
        messages.append(caught.value.message)

    assert len(set(messages)) == len(samples)


def test_admins_may_use_any_valid_number():
    """Given a Seoul landline and a US number, when normalised for an admin, then both are E.164."""
    assert normalize_any("02-123-4567") == "+8221234567"
    assert normalize_any("+1 415 555 2671") == "+14155552671"


def test_admin_number_must_still_be_valid():
    """Given too few digits, when normalised for an admin, then it is refused."""
    with pytest.raises(PhoneNumberError) as caught:
        normalize_any("123")

    assert caught.value.reason == PhoneNumberError.INVALID


def test_display_and_last_four_digits():
    """Given an E.164 mobile number, then it displays the Korean way and ends in its last four digits."""
    assert display_phone("+821012345678") == "010-1234-5678"
    assert display_phone("+14155552671") == "+1 415-555-2671"
    assert last4("+821012345678") == "5678"
