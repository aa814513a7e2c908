"""Every API refusal is JSON: {"error": {"code", "message"}} with the right status."""
from __future__ import annotations

from flask import Flask, jsonify, request

from .errors import DomainError


def json_error(status: int, code: str, message: str, details=None):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def register_api_errors(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if request.path.startswith("/api/"):
            return json_error(error.status, error.code, error.message)
        from flask import render_template
        return render_template("error.html", message=error.message), error.status

    @app.errorhandler(422)
    def validation_error(error):
        if request.path.startswith("/api/"):
            messages = getattr(error, "data", {}).get("messages")
            return json_error(422, "validation_error", "입력값을 확인해 주세요.", messages)
        return error
