"""GET /healthz: 200 when the database answers, 503 otherwise (for load balancers)."""
from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return jsonify(status="error", database=str(error.__class__.__name__)), 503
    return jsonify(status="ok", database="ok")
