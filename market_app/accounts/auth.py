"""Who is calling: the signed-in session, or an API bearer token."""
from __future__ import annotations

from functools import wraps

from flask import current_app, request
from flask_login import current_user

from ..errors import DomainError, Forbidden
from .models import User
from .operations import user_from_api_token


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


# The API is exempt from CSRF: a session cookie (sent by the browser with any cross-site form)
# may only read through it; every change needs the bearer token.
COOKIE_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def api_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_from_api_token(header[7:].strip(), current_app.config["SECRET_KEY"])
    if current_user.is_authenticated and request.method in COOKIE_SAFE_METHODS:
        return current_user._get_current_object()
    return None


def require_api_user(*roles: str) -> User:
    user = api_user()
    if user is None:
        raise Unauthorized("로그인이 필요합니다.")
    if roles and user.role not in roles:
        raise Forbidden("이 작업을 할 권한이 없습니다.")
    return user


def role_required(*roles: str):
    """For web views: signed-in users with one of these roles, others get 403 (anonymous: login)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if roles and current_user.role not in roles:
                raise Forbidden("이 페이지를 볼 권한이 없습니다.")
            return view(*args, **kwargs)
        return wrapped
    return decorator
