"""Phone numbers as people type them, normalised to E.164.

Residents, couriers and stall owners get SMS, so only Korean mobile numbers
are accepted for them; each typical mistake gets its own Korean message so
the person knows what to fix. Admins may register any valid number.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

DEFAULT_REGION = "KR"
KOREA_COUNTRY_CODE = 82

# Characters people type between digits; anything else means it is not a number.
_SEPARATORS = re.compile(r"[\s\-.()/]")
_DIALABLE = re.compile(r"\+?\d+")
# National significant numbers (no leading 0) of Korean landlines: 02 Seoul, 031-064 regions.
_LANDLINE = re.compile(r"(?:2|[3-6][1-5])\d*")
_INTERNET_PHONE = re.compile(r"70\d*")
_MOBILE_010 = re.compile(r"10\d*")
# 011/016/017/018/019 numbers kept from before 010 had 7 or 8 digits after the prefix.
_MOBILE_LEGACY = re.compile(r"1[16-9]\d*")


class PhoneNumberError(ValueError):
    """A phone number we cannot use; ``message`` is Korean and shown to the person."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    LANDLINE = "landline"
    INTERNET_PHONE = "internet_phone"
    WRONG_LENGTH = "wrong_length"
    NOT_KOREAN = "not_korean"
    NOT_MOBILE = "not_mobile"
    INVALID = "invalid"

    def __init__(self, message: str, reason: str = INVALID) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


_MESSAGES = {
    PhoneNumberError.EMPTY: "전화번호를 입력해 주세요.",
    PhoneNumberError.NOT_A_NUMBER: "전화번호는 숫자와 '-'만 입력해 주세요. 예: 010-1234-5678",
    PhoneNumberError.LANDLINE: (
        "02 등 지역번호로 시작하는 유선전화는 문자를 받을 수 없어요. 휴대폰 번호를 입력해 주세요."
    ),
    PhoneNumberError.INTERNET_PHONE: (
        "070 인터넷전화는 문자를 받을 수 없어요. 휴대폰 번호를 입력해 주세요."
    ),
    PhoneNumberError.WRONG_LENGTH: (
        "휴대폰 번호의 자릿수가 맞지 않아요. 010-1234-5678처럼 11자리인지 확인해 주세요."
    ),
    PhoneNumberError.NOT_KOREAN: "해외 번호는 사용할 수 없어요. 국내 휴대폰 번호를 입력해 주세요.",
    PhoneNumberError.NOT_MOBILE: "휴대폰 번호가 아니에요. 010으로 시작하는 휴대폰 번호를 입력해 주세요.",
    PhoneNumberError.INVALID: "올바른 전화번호가 아니에요. 번호를 다시 확인해 주세요.",
}


def _error(reason: str) -> PhoneNumberError:
    return PhoneNumberError(_MESSAGES[reason], reason)


def normalize_mobile(raw: str) -> str:
    """A Korean mobile number as E.164 (``+821012345678``), or ``PhoneNumberError``."""
    number = _parse(raw)
    if number.country_code != KOREA_COUNTRY_CODE:
        raise _error(PhoneNumberError.NOT_KOREAN)
    national = str(number.national_number)
    if _INTERNET_PHONE.fullmatch(national):
        raise _error(PhoneNumberError.INTERNET_PHONE)
    if _LANDLINE.fullmatch(national):
        raise _error(PhoneNumberError.LANDLINE)
    # phonenumbers still accepts the old 10-digit 010 form, which is always a typo today.
    if _MOBILE_010.fullmatch(national) and len(national) != 10:
        raise _error(PhoneNumberError.WRONG_LENGTH)
    if _MOBILE_LEGACY.fullmatch(national) and len(national) not in (9, 10):
        raise _error(PhoneNumberError.WRONG_LENGTH)
    if not phonenumbers.is_valid_number(number):
        raise _error(PhoneNumberError.NOT_MOBILE)
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise _error(PhoneNumberError.NOT_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalize_any(raw: str) -> str:
    """Any valid phone number as E.164 (national numbers read as Korean), for admins."""
    number = _parse(raw)
    if not phonenumbers.is_valid_number(number):
        raise _error(PhoneNumberError.INVALID)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """How people write the number: ``010-1234-5678`` at home, international form otherwise."""
    number = phonenumbers.parse(e164, None)
    if number.country_code == KOREA_COUNTRY_CODE:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def last4(e164: str) -> str:
    """The last four digits, enough for a courier to confirm whom to call."""
    digits = re.sub(r"\D", "", e164)
    return digits[-4:]


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    compact = _SEPARATORS.sub("", raw or "")
    if not compact:
        raise _error(PhoneNumberError.EMPTY)
    if not _DIALABLE.fullmatch(compact):
        raise _error(PhoneNumberError.NOT_A_NUMBER)
    try:
        return phonenumbers.parse(compact, DEFAULT_REGION)
    except NumberParseException as exc:
        raise _error(PhoneNumberError.INVALID) from exc
