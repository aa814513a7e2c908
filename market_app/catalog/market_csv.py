"""Read a market list CSV into plain records (pure: no Flask, no database).

Two layouts are understood, told apart by the header:

- the official 전국전통시장표준데이터 file from data.go.kr (dataset 15012894): Korean column
  names (시장명, 시장유형, 소재지도로명주소, 소재지지번주소, 시장개설주기, 위도, 경도, 점포수,
  취급품목, ..., 데이터기준일자, 제공기관코드, 제공기관명), usually CP949-encoded, nationwide;
- the project's own layout (name,gu,dong,address,lat,lng,stalls,...), as in
  `catalog/data/online_markets.csv`.

A bad row never stops the import: it is reported with its physical line number
(header = line 1) and skipped, and the good rows are returned. Rows outside the
wanted region (Seoul by default) are only counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

SEOUL = "서울특별시"
SEOUL_LAT = (37.4, 37.75)
SEOUL_LNG = (126.7, 127.3)

OFFICIAL_REQUIRED = ("시장명", "위도", "경도")
OFFICIAL_ADDRESSES = ("소재지도로명주소", "소재지지번주소")
PROJECT_REQUIRED = ("name", "gu", "address", "lat", "lng")
OFFICIAL_SOURCE = "KR_STD_TRAD_MARKET"

_ENCODINGS = ("utf-8-sig", "cp949")
_SEOUL_SPELLINGS = ("서울특별시", "서울시", "서울")


class MarketFileError(ValueError):
    """The file as a whole cannot be read (encoding, empty, unknown columns)."""


@dataclass
class MarketRecord:
    name: str
    gu: str
    dong: str | None
    address: str
    lat: float
    lng: float
    stall_count: int | None
    products: list[str]
    source: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class MarketFileResult:
    records: list[MarketRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_other_regions: int = 0
    layout: str = ""
    encoding: str = ""


def read_market_file(path: str | Path, *, region: str | None = SEOUL) -> MarketFileResult:
    """Read a market CSV from disk; see `parse_market_bytes`."""
    path = Path(path)
    return parse_market_bytes(path.read_bytes(), region=region, source_name=path.name)


def parse_market_bytes(
    data: bytes, *, region: str | None = SEOUL, source_name: str = "upload"
) -> MarketFileResult:
    """Parse a market CSV given as bytes (UTF-8 or CP949).

    `region` keeps only rows whose address starts with that 시/도 (None keeps every row).
    `source_name` labels project-layout rows that have no `source` column.
    """
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _read_header(reader)
    if _has_columns(header, OFFICIAL_REQUIRED) and any(c in header for c in OFFICIAL_ADDRESSES):
        layout, parse_row = "official", _parse_official_row
    elif _has_columns(header, PROJECT_REQUIRED):
        layout, parse_row = "project", _parse_project_row
    else:
        raise MarketFileError(
            "unrecognised market file header; expected the 전국전통시장표준데이터 columns "
            "(시장명, 소재지도로명주소 or 소재지지번주소, 위도, 경도; optional 점포수, 취급품목, "
            "데이터기준일자) or the project columns (name, gu, dong, address, lat, lng, stalls); "
            f"got: {', '.join(header) or '(nothing)'}"
        )

    result = MarketFileResult(layout=layout, encoding=encoding)
    first_line_of: dict[tuple[str, str], int] = {}
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise MarketFileError(f"line {line}: malformed CSV ({exc})") from exc
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            result.errors.append(RowError(line, (
                f"row has {len(cells)} fields but the header has {len(header)} "
                "(an unquoted comma inside a value?)"
            )))
            continue
        row = dict(zip(header, (cell.strip() for cell in cells)))
        outcome = parse_row(row, region, source_name)
        if outcome is _OTHER_REGION:
            result.skipped_other_regions += 1
        elif isinstance(outcome, str):
            result.errors.append(RowError(line, outcome))
        else:
            key = (outcome.name, outcome.gu)
            if key in first_line_of:
                result.errors.append(RowError(
                    line, f"duplicate market: same name and 구 as line {first_line_of[key]}"
                ))
                continue
            first_line_of[key] = line
            result.records.append(outcome)
    return result


_OTHER_REGION = object()


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise MarketFileError("file is neither UTF-8 nor CP949 (EUC-KR) text")


def _read_header(reader) -> list[str]:
    for cells in reader:
        header = [cell.strip().lstrip("\ufeff") for cell in cells]
        if any(header):
            return header
    raise MarketFileError("file is empty; expected a header row")


def _has_columns(header: list[str], columns: tuple[str, ...]) -> bool:
    return all(column in header for column in columns)


def _parse_official_row(row: dict[str, str], region: str | None, source_name: str):
    road, jibun = row.get("소재지도로명주소", ""), row.get("소재지지번주소", "")
    address = road or jibun
    if not address:
        return "no address: 소재지도로명주소 and 소재지지번주소 are both empty"
    row_region = _region_of(address)
    if region is not None and row_region != _region_of(region):
        return _OTHER_REGION
    problems = []
    name = row.get("시장명", "")
    if not name:
        problems.append("market name (시장명) is empty")
    in_seoul = row_region == SEOUL
    gu = _district_of(road, in_seoul) or _district_of(jibun, in_seoul)
    if gu is None:
        problems.append(f"address does not name a 구 (district): {address!r}")
    lat, lng = _coordinates(row.get("위도", ""), row.get("경도", ""), "위도", "경도", in_seoul, problems)
    stalls = _stall_count(row.get("점포수", ""), "점포수", problems)
    if problems:
        return "; ".join(problems)
    date = row.get("데이터기준일자", "")
    return MarketRecord(
        name=name,
        gu=gu,
        dong=None,  # the address gives a 법정동, not the 행정동 the app uses
        address=address,
        lat=lat,
        lng=lng,
        stall_count=stalls,
        products=_split(row.get("취급품목", ""), "+"),
        source=f"{OFFICIAL_SOURCE}_{date}" if date else OFFICIAL_SOURCE,
    )


def _parse_project_row(row: dict[str, str], region: str | None, source_name: str):
    problems = []
    name, gu = row.get("name", ""), row.get("gu", "")
    if not name:
        problems.append("market name (name) is empty")
    if not gu:
        problems.append("구 (gu) is empty")
    lat, lng = _coordinates(row.get("lat", ""), row.get("lng", ""), "lat", "lng", True, problems)
    stalls = _stall_count(row.get("stalls", ""), "stalls", problems)
    if problems:
        return "; ".join(problems)
    return MarketRecord(
        name=name,
        gu=gu,
        dong=row.get("dong") or None,
        address=row.get("address", ""),
        lat=lat,
        lng=lng,
        stall_count=stalls,
        products=_split(row.get("products", ""), ";"),
        source=row.get("source") or source_name,
    )


def _region_of(address: str) -> str:
    first = address.split()[0] if address.split() else ""
    return SEOUL if first in _SEOUL_SPELLINGS else first


def _district_of(address: str, in_seoul: bool) -> str | None:
    """The 구 in a Seoul address; elsewhere the 시/군/구 right after the 시/도."""
    tokens = address.split()
    if len(tokens) < 2:
        return None
    if in_seoul:
        return tokens[1] if re.fullmatch(r"\S+구", tokens[1]) else None
    return tokens[1]


def _coordinates(
    raw_lat: str, raw_lng: str, lat_col: str, lng_col: str, in_seoul: bool, problems: list[str]
) -> tuple[float, float]:
    lat = _number(raw_lat, f"latitude ({lat_col})", problems)
    lng = _number(raw_lng, f"longitude ({lng_col})", problems)
    if lat is None or lng is None:
        return math.nan, math.nan
    if in_seoul:
        if _within(lng, SEOUL_LAT) and _within(lat, SEOUL_LNG):
            problems.append(f"latitude {lat} and longitude {lng} look swapped")
            return lat, lng
        if not _within(lat, SEOUL_LAT):
            problems.append(f"latitude {lat} is outside Seoul ({SEOUL_LAT[0]}–{SEOUL_LAT[1]})")
        if not _within(lng, SEOUL_LNG):
            problems.append(f"longitude {lng} is outside Seoul ({SEOUL_LNG[0]}–{SEOUL_LNG[1]})")
    else:
        if not _within(lat, (-90.0, 90.0)):
            problems.append(f"latitude {lat} is not between -90 and 90")
        if not _within(lng, (-180.0, 180.0)):
            problems.append(f"longitude {lng} is not between -180 and 180")
    return lat, lng


def _number(raw: str, label: str, problems: list[str]) -> float | None:
    if not raw:
        problems.append(f"{label} is empty")
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(f"{label} {raw!r} is not a number")
        return None
    return value


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _stall_count(raw: str, column: str, problems: list[str]) -> int | None:
    if not raw:
        return None
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value):
        problems.append(f"stall count ({column}) {raw!r} is not a whole number")
        return None
    if value < 0:
        problems.append(f"stall count ({column}) {int(value)} is negative")
        return None
    return int(value)


def _split(raw: str, separator: str) -> list[str]:
    return [item.strip() for item in raw.split(separator) if item.strip()]
