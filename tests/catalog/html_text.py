"""Read server-rendered pages the way a person does: visible text and product rows."""
from __future__ import annotations

import html
import re

_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_ROW = re.compile(r'<tr class="product">(.*?)</tr>', re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def visible_text(response) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    body = _HIDDEN.sub(" ", response.get_data(as_text=True))
    return " ".join(html.unescape(_TAG.sub(" ", body)).split())


def product_rows(response) -> list[list[str]]:
    """Each product table row as its cells' visible text: [name (· stall), unit, price, state]."""
    rows = []
    for row in _ROW.findall(response.get_data(as_text=True)):
        rows.append([" ".join(html.unescape(_TAG.sub(" ", cell)).split()) for cell in _CELL.findall(row)])
    return rows


def prices(response) -> list[int]:
    return [int(row[2].rstrip("원").replace(",", "")) for row in product_rows(response)]
