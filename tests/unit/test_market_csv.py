"""Reading market CSVs, and the packaged list of 65 markets.

Fixtures in tests/data were written with Python: `markets_official_cp949.csv` with
`.encode("cp949")` and CRLF line ends like a data.go.kr download, `markets_official_utf8.csv`
with `.encode("utf-8-sig")`. Both use the official 전국전통시장표준데이터 header.
"""

import csv
from pathlib import Path

import pytest

from market_app.catalog.market_csv import (
    MarketFileError,
    RowError,
    parse_market_bytes,
    read_market_file,
)

DATA = Path(__file__).parent.parent / "data"
PACKAGED = Path(__file__).parents[2] / "market_app" / "catalog" / "data" / "online_markets.csv"
OFFICIAL_HEADER = (
    "시장명,시장유형,소재지도로명주소,소재지지번주소,시장개설주기,위도,경도,점포수,취급품목,"
    "사용가능상품권,홈페이지주소,공중화장실보유여부,주차장보유여부,개설연도,전화번호,"
    "데이터기준일자,제공기관코드,제공기관명"
)


def official(*rows: str) -> bytes:
    return ("\n".join((OFFICIAL_HEADER, *rows)) + "\n").encode("utf-8")


def official_row(name="시험시장", address="서울특별시 마포구 포은로 1", lat="37.556",
                 lng="126.905", stalls="50", products="농산물+수산물") -> str:
    return (f"{name},상설장,{address},,매일,{lat},{lng},{stalls},{products},,,Y,N,,,"
            "2024-11-04,B553077,소상공인시장진흥공단")


# --- official layout -------------------------------------------------------------------------

def test_cp949_official_file_keeps_good_seoul_rows():
    """Given the CP949 official fixture, the good Seoul rows come back with 구 from the address."""
    result = read_market_file(DATA / "markets_official_cp949.csv")

    assert (result.layout, result.encoding) == ("official", "cp949")
    assert [(r.name, r.gu) for r in result.records] == [
        ("망원시장", "마포구"), ("통인시장", "종로구"), ("신원시장", "관악구"), ("암사종합시장", "강동구"),
    ]
    mangwon = result.records[0]
    assert mangwon.products == ["농산물", "축산물", "수산물", "가공식품", "가정용품", "음식점"]
    assert (mangwon.lat, mangwon.lng, mangwon.stall_count) == (37.55715706, 126.9059961, 80)
    assert mangwon.dong is None
    assert mangwon.source == "KR_STD_TRAD_MARKET_2024-11-04"


def test_busan_row_is_counted_not_returned():
    """Given a 부산광역시 row, the default Seoul filter skips it and counts it."""
    result = read_market_file(DATA / "markets_official_cp949.csv")
    assert result.skipped_other_regions == 1
    assert "부전시장" not in {r.name for r in result.records}


def test_bad_rows_are_reported_with_physical_line_numbers():
    """Given bad rows, a blank line and a quoted two-line field, each error names its real line."""
    result = read_market_file(DATA / "markets_official_cp949.csv")
    assert result.errors == [
        RowError(5, "market name (시장명) is empty"),
        RowError(6, "latitude (위도) '37.5x' is not a number"),
        RowError(7, "stall count (점포수) -3 is negative"),
        RowError(8, "longitude 128.9 is outside Seoul (126.7–127.3)"),
        RowError(13, "latitude 126.905 and longitude 37.556 look swapped"),
    ]
    assert str(result.errors[0]) == "line 5: market name (시장명) is empty"


def test_jibun_only_row_without_stall_count_is_kept():
    """Given an empty 도로명주소 and 점포수, the 지번 address is used and the count is None."""
    amsa = read_market_file(DATA / "markets_official_cp949.csv").records[-1]
    assert (amsa.name, amsa.address, amsa.stall_count) == (
        "암사종합시장", "서울특별시 강동구 암사동 501-18", None,
    )


def test_region_none_keeps_every_region():
    """Given region=None, the Busan row is returned with its 시/군/구 and nothing is skipped."""
    result = read_market_file(DATA / "markets_official_cp949.csv", region=None)
    busan = next(r for r in result.records if r.name == "부전시장")
    assert (busan.gu, result.skipped_other_regions) == ("부산진구", 0)


def test_utf8_with_bom_is_read_and_gyeonggi_skipped():
    """Given the UTF-8 (BOM) fixture, 망원시장 is read and the 경기도 row is skipped."""
    result = read_market_file(DATA / "markets_official_utf8.csv")
    assert result.encoding == "utf-8-sig"
    assert [r.name for r in result.records] == ["망원시장"]
    assert result.skipped_other_regions == 1


def test_other_regions_are_checked_against_wgs84_only():
    """Given region=None, a 강원 row passes and one with latitude 95 is rejected."""
    data = official(
        official_row("중앙시장", "강원특별자치도 강릉시 금성로21", "37.754", "128.898"),
        official_row("엉뚱시장", "강원특별자치도 강릉시 금성로22", "95", "128.898"),
    )
    result = parse_market_bytes(data, region=None)
    assert [r.name for r in result.records] == ["중앙시장"]
    assert result.errors == [RowError(3, "latitude 95.0 is not between -90 and 90")]


def test_several_problems_of_one_row_are_reported_together():
    """Given a row with no name and a fractional stall count, one error lists both."""
    result = parse_market_bytes(official(official_row(name="", stalls="12.5")))
    assert result.errors == [RowError(
        2, "market name (시장명) is empty; stall count (점포수) '12.5' is not a whole number"
    )]


def test_seoul_address_without_gu_is_an_error():
    """Given a Seoul address with no 구, the row is rejected rather than filed under a guess."""
    result = parse_market_bytes(official(official_row(address="서울특별시 포은로 1")))
    assert result.errors == [
        RowError(2, "address does not name a 구 (district): '서울특별시 포은로 1'")
    ]


def test_duplicate_market_is_reported_against_the_first_line():
    """Given the same name and 구 twice, the second is an error pointing at the first."""
    result = parse_market_bytes(official(official_row(), official_row()))
    assert len(result.records) == 1
    assert result.errors == [RowError(3, "duplicate market: same name and 구 as line 2")]


def test_row_with_extra_fields_is_rejected():
    """Given an unquoted comma that adds a field, the shifted row is rejected, not misread."""
    result = parse_market_bytes(official(official_row(products="농산물,수산물")))
    assert result.records == []
    assert result.errors[0].line == 2
    assert "19 fields but the header has 18" in result.errors[0].message


# --- project layout and whole-file errors -----------------------------------------------------

def test_project_layout_reads_dong_and_source(tmp_path):
    """Given the project layout, dong, products and source come from their columns."""
    path = tmp_path / "markets.csv"
    path.write_text(
        "name,gu,dong,address,lat,lng,stalls,source,products\n"
        "망원시장,마포구,망원1동,서울특별시 마포구 망원로8길 3,37.557,126.906,80,TEST,농산물;수산물\n"
        "이상시장,마포구,망원1동,서울특별시 마포구 망원로8길 4,,126.906,80,TEST,\n",
        encoding="utf-8",
    )
    result = read_market_file(path)
    assert result.layout == "project"
    assert [(r.name, r.dong, r.source, r.products) for r in result.records] == [
        ("망원시장", "망원1동", "TEST", ["농산물", "수산물"]),
    ]
    assert result.errors == [RowError(3, "latitude (lat) is empty")]


def test_unknown_header_names_the_expected_columns(tmp_path):
    """Given a CSV with other columns, MarketFileError lists both accepted layouts."""
    path = tmp_path / "other.csv"
    path.write_text("상호명,주소\n가게,서울\n", encoding="utf-8")
    with pytest.raises(MarketFileError) as error:
        read_market_file(path)
    message = str(error.value)
    assert "시장명" in message and "위도" in message and "name, gu, dong, address, lat, lng" in message
    assert "상호명, 주소" in message


def test_empty_file_is_a_file_error():
    """Given no bytes at all, the error says a header row was expected."""
    with pytest.raises(MarketFileError, match="header row"):
        parse_market_bytes(b"")


def test_undecodable_bytes_are_a_file_error():
    """Given bytes that are neither UTF-8 nor CP949, the error says so."""
    with pytest.raises(MarketFileError, match="neither UTF-8 nor CP949"):
        parse_market_bytes(b"\xff\xfe\xfa\x00\x81")


# --- the packaged list of 65 markets ----------------------------------------------------------

EVIDENCE_MARKETS = {
    "암사종합시장", "수유재래시장", "수유전통시장(수유골목시장)", "화곡본동시장", "신원시장", "영천시장",
    "길음시장", "돈암시장", "돌곶이시장(구 석관황금시장)", "밤나무골시장", "석관시장", "장위시장",
    "장위전통시장", "정릉시장", "정릉아리랑시장", "마천시장", "마천중앙시장", "방이시장", "새마을시장",
    "석촌시장", "풍납시장", "대림중앙시장", "통인시장", "동원전통종합시장", "면목골목시장",
    "사가정시장", "우림골목시장", "중랑동부시장(동부골목시장)",
}
# 구 with at least one market selling 농산물, 축산물 and 수산물 that is not an arcade.
GROCERY_GUS = {
    "강동구", "강서구", "관악구", "광진구", "구로구", "금천구", "노원구", "도봉구", "동대문구",
    "동작구", "마포구", "서대문구", "성동구", "성북구", "송파구", "양천구", "용산구", "은평구",
    "종로구", "중구", "중랑구",
}


@pytest.fixture(scope="module")
def packaged_rows():
    with PACKAGED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_packaged_list_has_65_distinct_markets_that_read_cleanly(packaged_rows):
    """Given the packaged list, it holds 65 distinct markets and the reader accepts every row."""
    assert len(packaged_rows) == 65
    assert len({(row["name"], row["gu"]) for row in packaged_rows}) == 65
    result = read_market_file(PACKAGED)
    assert (len(result.records), result.errors) == (65, [])


def test_packaged_list_has_every_evidence_market_and_mangwon(packaged_rows):
    """Given the packaged list, the 28 evidence markets carry evidence and 망원시장 is included."""
    with_evidence = {row["name"] for row in packaged_rows if row["evidence"]}
    assert with_evidence == EVIDENCE_MARKETS
    assert ("망원시장", "마포구") in {(row["name"], row["gu"]) for row in packaged_rows}


def test_packaged_list_covers_every_grocery_gu(packaged_rows):
    """Given the packaged list, every 구 with a grocery market has at least one."""
    assert GROCERY_GUS <= {row["gu"] for row in packaged_rows}


def test_only_source_rows_without_stalls_are_estimated(packaged_rows):
    """Given the packaged list, exactly the three source-B markets have estimated stalls."""
    estimated = {row["name"] for row in packaged_rows if row["stalls_estimated"] == "1"}
    assert estimated == {"밤나무골시장", "석관시장", "장위시장"}
    assert all(int(row["stalls"]) > 0 for row in packaged_rows)
