"""Twilio's message statuses and opt-out keywords as plain rules (no Flask, no database).

Status callbacks can arrive late, twice or out of order; a status only ever moves forward.
"""
from __future__ import annotations

# Twilio's outbound message life: accepted/scheduled -> queued -> sending -> sent -> delivered |
# undelivered | failed (-> read, WhatsApp). Final states share a rank: the first one reported wins.
_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}
DELIVERED = frozenset({"delivered", "read"})
NOT_DELIVERED = frozenset({"undelivered", "failed", "canceled"})

# What people text to stop or restart messages. Twilio's own keywords plus the Korean ones;
# Korean numbers cannot reply (no two-way SMS), but numbers abroad can.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT",
                        "REVOKE", "수신거부", "그만", "거부", "중지"})
START_WORDS = frozenset({"START", "YES", "UNSTOP", "OPTIN", "시작", "수신동의", "다시"})


def moves_forward(current: str | None, new: str) -> bool:
    """True when ``new`` is later in the life than ``current`` (a late "sent" after "delivered" is not)."""
    if new not in _RANK:
        return False
    if current is None or current not in _RANK:
        return True
    return _RANK[new] > _RANK[current]


def opt_keyword(body: str) -> str | None:
    """"stop", "start" or None for an inbound text: the first word decides, case and punctuation aside."""
    words = body.strip().split()
    if not words:
        return None
    word = words[0].strip(".!,?~ ").upper()
    if word in STOP_WORDS or word.startswith("수신거부"):
        return "stop"
    if word in START_WORDS:
        return "start"
    return None
