"""Redirect targets taken from the request (`next`, the form's "back to") stay on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None.

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil.example" and
    "/<tab>/evil.example" open another host just like "//evil.example": all are refused."""
    if not target or not target.startswith("/") or "\\" in target:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
