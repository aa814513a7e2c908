"""Flask extensions, created here and bound to the app in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


class JsonErrorApi(Api):
    """flask-smorest handles HTTP errors app-wide; keep HTML error pages outside /api."""

    def handle_http_exception(self, error):
        from flask import request

        if request.path.startswith("/api/"):
            from .api_errors import json_error
            message = error.description
            if message == type(error).description:  # werkzeug's English default, not a caller's text
                message = _KOREAN_MESSAGES.get(error.code, message)
            return json_error(error.code, _HTTP_CODES.get(error.code, "http_error"), message)
        from flask import render_template
        message = _KOREAN_MESSAGES.get(error.code, "요청을 처리할 수 없습니다.")
        return render_template("error.html", message=message, status=error.code), error.code


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 422: "unprocessable", 429: "rate_limited",
               500: "internal_error", 503: "unavailable"}

_KOREAN_MESSAGES = {400: "잘못된 요청입니다.", 403: "접근 권한이 없습니다.", 404: "페이지를 찾을 수 없습니다.",
                    405: "허용되지 않는 요청입니다.", 429: "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
                    500: "일시적인 오류가 발생했습니다."}

api = JsonErrorApi()
