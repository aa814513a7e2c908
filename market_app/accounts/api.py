"""POST /api/auth/token: phone + password -> a bearer token for the API (rate-limited)."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..errors import DomainError
from ..extensions import api, limiter
from .operations import API_TOKEN_MAX_AGE_S, authenticate, issue_api_token

blp = Blueprint("accounts_api", __name__, url_prefix="/api", description="Sign in for the API")


@blp.record_once
def _declare_bearer_scheme(state) -> None:
    """Every endpoint that says `security: bearerAuth` refers to this scheme."""
    schemes = api.spec.to_dict().get("components", {}).get("securitySchemes", {})
    if "bearerAuth" not in schemes:
        api.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer",
                           "description": "A token from POST /api/auth/token: `Authorization: Bearer <token>`"})


class TokenRequestSchema(Schema):
    phone = fields.Str(required=True, validate=validate.Length(1, 30), metadata={"example": "010-1234-5678"})
    password = fields.Str(required=True, validate=validate.Length(1, 128), load_only=True)


class TokenSchema(Schema):
    access_token = fields.Str()
    token_type = fields.Str(metadata={"example": "Bearer"})
    expires_in = fields.Int(metadata={"description": "seconds"})
    user_id = fields.Int()
    role = fields.Str()


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/auth/token")
class Token(MethodView):
    decorators = [limiter.limit(_login_limit)]

    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    def post(self, data):
        """Exchange a phone number and password for a bearer token (401 invalid_credentials otherwise)."""
        user = authenticate(data["phone"], data["password"])
        if user is None:
            raise DomainError("전화번호 또는 비밀번호가 맞지 않습니다.", code="invalid_credentials", status=401)
        return {"access_token": issue_api_token(user, current_app.config["SECRET_KEY"]), "token_type": "Bearer",
                "expires_in": API_TOKEN_MAX_AGE_S, "user_id": user.id, "role": user.role}
