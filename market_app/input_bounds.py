"""Bounds on numbers that come from outside: ids in URLs and API bodies must fit the database's
integer column (a larger one is a server error on PostgreSQL and SQLite), and whole numbers in
API bodies must be JSON integers ("2" or 1.5 is refused, not read as 2 or 1)."""
from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL `integer`


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: an id beyond MAX_ID does not match (404), like an unknown one."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_field(**kwargs) -> fields.Integer:
    """A JSON integer id between 1 and MAX_ID."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def whole_number(low: int, high: int, **kwargs) -> fields.Integer:
    """A JSON integer between `low` and `high`."""
    return fields.Integer(strict=True, validate=validate.Range(low, high), **kwargs)
