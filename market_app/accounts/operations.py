"""Account use cases: create accounts, sign in by password or PIN, API tokens."""
from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..catalog.models import Market, Stall
from ..errors import DomainError, Unprocessable
from ..extensions import db
from .models import Role, User
from .phones import PhoneNumberError, normalize_any, normalize_mobile

API_TOKEN_MAX_AGE_S = 30 * 24 * 3600
_MOBILE_ONLY_ROLES = {Role.RESIDENT, Role.STALL_OWNER, Role.COURIER}


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def normalize_phone_for_role(raw: str, role: str) -> str:
    """Residents, couriers and stall owners need a Korean mobile (SMS); admins any number."""
    try:
        return normalize_mobile(raw) if role in _MOBILE_ONLY_ROLES else normalize_any(raw)
    except PhoneNumberError as error:
        raise Unprocessable(str(error), code="invalid_phone") from error


def create_user(*, role: str, phone: str, name: str, password: str | None, now: datetime,
                market_id: int | None = None, stall_id: int | None = None,
                pin: str | None = None) -> User:
    """Create any kind of account; refuses (and creates nothing) on a bad phone or unknown place."""
    if role not in Role.ALL:
        raise Unprocessable(f"알 수 없는 역할입니다: {role} (가능: {', '.join(Role.ALL)})", code="invalid_role")
    name = (name or "").strip()
    if not name:
        raise Unprocessable("이름을 입력해 주세요.", code="invalid_name")
    e164 = normalize_phone_for_role(phone, role)
    if db.session.scalar(select(User.id).where(User.phone == e164)):
        raise DomainError("이미 가입된 전화번호입니다.", code="phone_taken", status=409)
    stall = None
    if stall_id is not None:
        stall = db.session.get(Stall, stall_id)
        if stall is None:
            raise Unprocessable(f"점포 {stall_id}번을 찾을 수 없습니다.", code="unknown_stall")
        if market_id is not None and stall.market_id != market_id:
            raise Unprocessable("점포가 해당 시장에 속하지 않습니다.", code="stall_not_in_market")
        market_id = stall.market_id
    if market_id is not None and db.session.get(Market, market_id) is None:
        raise Unprocessable(f"시장 {market_id}번을 찾을 수 없습니다.", code="unknown_market")
    if role == Role.STALL_OWNER and stall is None:
        raise Unprocessable("상인 계정에는 점포(--stall)가 필요합니다.", code="stall_required")
    if role in (Role.MARKET_ADMIN, Role.COURIER) and market_id is None:
        raise Unprocessable("이 역할에는 시장(--market)이 필요합니다.", code="market_required")
    if password is not None and len(password) < 8:
        raise Unprocessable("비밀번호는 8자 이상이어야 합니다.", code="weak_password")
    if pin is not None and not (pin.isdigit() and 4 <= len(pin) <= 6):
        raise Unprocessable("PIN은 숫자 4~6자리입니다.", code="invalid_pin")
    user = User(role=role, phone=e164, name=name, market_id=market_id, stall_id=stall_id,
                created_at=now, is_active_account=True, optional_sms=True)
    if password:
        user.set_password(password)
    if pin:
        user.set_pin(pin)
    db.session.add(user)
    return user


def authenticate(phone: str, password: str) -> User | None:
    try:
        e164 = normalize_any(phone)
    except PhoneNumberError:
        return None
    user = db.session.scalar(select(User).where(User.phone == e164))
    if user and user.is_active and user.check_password(password):
        return user
    return None


def _token_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="api-token")


def issue_api_token(user: User, secret_key: str) -> str:
    return _token_serializer(secret_key).dumps({"uid": user.id})


def user_from_api_token(token: str, secret_key: str) -> User | None:
    try:
        data = _token_serializer(secret_key).loads(token, max_age=API_TOKEN_MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    return user if user and user.is_active else None
