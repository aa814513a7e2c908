"""Offline gazetteer of Seoul's 426 행정동 (pure, no network).

People write a dong in many ways: "망원동" (the 법정동 everybody uses), "망원1동" (the
행정동), "망원제1동" (행정안전부 spelling), "마포구 망원동" or "서울 마포구 망원1동". All of
them should find the right 행정동, so each place gets a set of *exact* keys (its name, its
spelling without "제", and for "면목3·8동" also "면목3동" and "면목8동") and *base* keys
(the name without its number: 망원1동 -> 망원동, 성수1가1동 -> 성수1가동 and 성수동).
Exact matches rank first, then base matches, then names that start with or contain
the query.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from market_app.textsearch import normalise_loose

from .distance import haversine_m

DEFAULT_PATH = Path(__file__).parent / "data" / "seoul_dongs.csv"

_SEOUL_PREFIXES = ("서울특별시", "서울시", "서울")
# "종로1·2·3·4가동", "면목3·8동": one 행정동 made of several numbered ones.
_NUMBER_LIST = re.compile(r"^(\D+)(\d+(?:·\d+)+)(가?동)$")
# "망원제1동" -> "망원1동"; a one-syllable stem keeps its 제 (홍제1동 is not 홍1동).
_ORDINAL_JE = re.compile(r"^(\D{2,})제(\d)")
_NUMBERED_GA = re.compile(r"\d+가\d*동$")
_NUMBERED = re.compile(r"\d+동$")

_EXACT, _BASE, _PREFIX, _CONTAINS = range(4)


@dataclass(frozen=True)
class Place:
    """One 행정동 and its representative point (WGS84)."""

    code: str
    gu: str
    dong: str
    lat: float
    lng: float
    area_km2: float | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.gu} {self.dong}"


def _without_ordinal_je(key: str) -> str:
    return _ORDINAL_JE.sub(r"\1\2", key)


def exact_keys(dong: str) -> frozenset[str]:
    """Every spelling that names exactly this dong, as search keys."""
    spellings = {dong}
    listed = _NUMBER_LIST.match(dong)
    if listed:
        stem, numbers, tail = listed.groups()
        spellings.update(f"{stem}{number}{tail}" for number in numbers.split("·"))
    keys = {normalise_loose(spelling) for spelling in spellings}
    return frozenset(keys | {_without_ordinal_je(key) for key in keys})


def base_keys(dong: str) -> frozenset[str]:
    """The dong's name without its number(s), e.g. 망원1동 -> 망원동."""
    bases = set()
    for key in exact_keys(dong):
        for pattern in (_NUMBERED_GA, _NUMBERED):
            base = pattern.sub("동", key)
            if base != key:
                bases.add(base)
    return frozenset(bases)


@dataclass(frozen=True)
class _Entry:
    place: Place
    exact: frozenset[str]
    base: frozenset[str]

    def tier(self, query_keys: set[str]) -> int | None:
        if query_keys & self.exact:
            return _EXACT
        if query_keys & self.base:
            return _BASE
        if any(key.startswith(query) for key in self.exact for query in query_keys):
            return _PREFIX
        if any(query in key for key in self.exact for query in query_keys):
            return _CONTAINS
        return None


class Gazetteer:
    """Lookup of Seoul 행정동 by name, code or 구. Build with `Gazetteer.load()`."""

    def __init__(self, places: list[Place]):
        self._places = sorted(places, key=lambda place: place.code)
        self._by_code = {place.code: place for place in self._places}
        self._lats = np.array([place.lat for place in self._places])
        self._lngs = np.array([place.lng for place in self._places])
        self._entries = [
            _Entry(place, exact_keys(place.dong), base_keys(place.dong)) for place in self._places
        ]
        self._gus = sorted({place.gu for place in self._places})
        # Longest first so that a longer 구 name is never cut short by a shorter one.
        self._gu_keys = sorted(
            ((normalise_loose(gu), gu) for gu in self._gus), key=lambda pair: -len(pair[0])
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> Gazetteer:
        """Read a gazetteer CSV (code,gu,dong,lat,lng[,area_km2]); the packaged one is cached."""
        if path is None:
            return _packaged_gazetteer()
        return cls(_read_places(Path(path)))

    def all_places(self) -> list[Place]:
        return list(self._places)

    def by_code(self, code: str) -> Place | None:
        return self._by_code.get(code)

    def gus(self) -> list[str]:
        return list(self._gus)

    def dongs_in(self, gu: str) -> list[Place]:
        return [place for place in self._places if place.gu == gu]

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """Places matching a free-text dong query, best first (see the module docstring).

        A leading 구 narrows the search ("마포구 망원동"); "마포 망원동" also works when the
        whole text matches no dong by itself.
        """
        key = _strip_seoul(normalise_loose(query))
        gu, key = self._split_gu(key)
        if not key:
            return self.dongs_in(gu)[:limit] if gu else []
        found = self._ranked(gu, key)
        if not found and gu is None:
            gu, rest = self._split_gu_stem(key)
            if gu is not None:
                found = self._ranked(gu, rest)
        return found[:limit]

    def _ranked(self, gu: str | None, key: str) -> list[Place]:
        query_keys = {key, _without_ordinal_je(key)}
        ranked = []
        for entry in self._entries:
            if gu is not None and entry.place.gu != gu:
                continue
            tier = entry.tier(query_keys)
            if tier is not None:
                ranked.append((tier, entry.place.code, entry.place))
        ranked.sort(key=lambda item: item[:2])
        return [place for _, _, place in ranked]

    def nearest(self, lat: float, lng: float) -> Place:
        """The place whose point is closest to (lat, lng): a cheap offline reverse lookup."""
        distances = haversine_m(lat, lng, self._lats, self._lngs)
        return self._places[int(np.argmin(distances))]

    def _split_gu(self, key: str) -> tuple[str | None, str]:
        for gu_key, gu in self._gu_keys:
            if key.startswith(gu_key):
                return gu, key[len(gu_key):]
        return None, key

    def _split_gu_stem(self, key: str) -> tuple[str | None, str]:
        """"마포망원동" -> ("마포구", "망원동"); one-syllable stems (중구) are too ambiguous."""
        for gu_key, gu in self._gu_keys:
            stem = gu_key[:-1]
            if len(stem) >= 2 and key.startswith(stem) and len(key) > len(stem):
                return gu, key[len(stem):]
        return None, key


def _strip_seoul(key: str) -> str:
    for prefix in _SEOUL_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    return key


def _read_places(path: Path) -> list[Place]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Place(
                code=row["code"],
                gu=row["gu"],
                dong=row["dong"],
                lat=float(row["lat"]),
                lng=float(row["lng"]),
                area_km2=float(row["area_km2"]) if row.get("area_km2") else None,
            )
            for row in csv.DictReader(handle)
        ]


@lru_cache(maxsize=1)
def _packaged_gazetteer() -> Gazetteer:
    return Gazetteer(_read_places(DEFAULT_PATH))
