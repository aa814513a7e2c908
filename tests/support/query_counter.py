"""Count the SQL statements a block of code sends (to catch a query per row on busy pages)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from market_app.extensions import db


@contextmanager
def counted_queries() -> Iterator[list[int]]:
    """`with counted_queries() as count:` ... then `count[0]` is the number of statements sent."""
    count = [0]

    def one_more(*_args, **_kwargs) -> None:
        count[0] += 1
    event.listen(db.engine, "before_cursor_execute", one_more)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", one_more)
