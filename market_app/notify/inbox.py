"""The development inbox (/dev/sms): every outbox row, grouped by recipient like a phone's list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..accounts.phones import display_phone
from ..extensions import db
from .models import OutboxMessage


@dataclass(frozen=True)
class Recipient:
    phone: str
    display: str  # 010-1234-5678
    who: str  # "주민 박민수", "상인 망원두부", "배송기사 이기사" or "" when nobody has the number
    count: int
    last_at: datetime


def recipients() -> list[Recipient]:
    rows = db.session.execute(select(OutboxMessage.to_phone, func.count(OutboxMessage.id),
                                     func.max(OutboxMessage.created_at))
                              .group_by(OutboxMessage.to_phone)
                              .order_by(func.max(OutboxMessage.id).desc())).all()
    names = _who_has([phone for phone, _, _ in rows])
    return [Recipient(phone, _display(phone), names.get(phone, ""), count, last_at) for phone, count, last_at in rows]


def _display(phone: str) -> str:
    try:
        return display_phone(phone)
    except Exception:  # not a number phonenumbers can read: show it as stored
        return phone


def messages_to(phone: str) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_phone == phone)
                              .order_by(OutboxMessage.id)).all()


def _who_has(phones: list[str]) -> dict[str, str]:
    from ..accounts.models import Role, User
    from ..catalog.models import Stall
    from ..delivery.models import Courier

    if not phones:
        return {}
    names: dict[str, str] = {}
    # Later lines win: a stall's name says more than its owner's, a courier's entry more than an account.
    for phone, name, role in db.session.execute(select(User.phone, User.name, User.role)
                                                .where(User.phone.in_(phones))):
        names[phone] = f"{Role.LABELS.get(role, role)} {name}"
    for phone, name in db.session.execute(select(Stall.phone, Stall.name).where(Stall.phone.in_(phones))):
        names[phone] = f"상인 {name}"
    for phone, name in db.session.execute(select(Courier.phone, Courier.name).where(Courier.phone.in_(phones))):
        names[phone] = f"배송기사 {name}"
    return names

